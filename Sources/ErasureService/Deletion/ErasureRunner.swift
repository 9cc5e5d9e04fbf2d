public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs erasures apart from whoever asked for them: `deletion.execute` answers as soon as an erasure has
/// started (or is found under way), and neither its connection nor its deadline can stop the erasure.
/// Each request runs at most once at a time. A `Service`: its runs are child tasks of `run()`, stopped
/// between batches on graceful shutdown; the next start resumes them (I4).
public final class ErasureRunner: Service, Sendable {
    private struct Job: Sendable {
        let requestID: String
        let work: @Sendable () async -> Void
    }

    private struct State {
        var running: Set<String> = []
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let jobs: AsyncStream<Job>
    private let submissions: AsyncStream<Job>.Continuation
    private let state = Mutex(State())
    let logger: Logger

    public init(logger: Logger) {
        (jobs, submissions) = AsyncStream.makeStream(of: Job.self)
        self.logger = logger
    }

    /// Claims `requestID` for a run; false when one is under way (the caller joins it instead).
    func reserve(_ requestID: String) -> Bool {
        state.withLock { $0.running.insert(requestID).inserted }
    }

    /// Gives up a reservation that will not be submitted (or ends a run).
    func release(_ requestID: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running.remove(requestID)
            guard state.running.isEmpty else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Hands a reserved run over; the reservation ends with `work`.
    func submit(_ requestID: String, _ work: @escaping @Sendable () async -> Void) {
        submissions.yield(Job(requestID: requestID, work: work))
    }

    /// Whether a run of `requestID` is reserved or under way.
    func isRunning(_ requestID: String) -> Bool {
        state.withLock { $0.running.contains(requestID) }
    }

    /// Returns once no run is reserved or under way (at once when none is): what a test waits for
    /// instead of polling the status.
    public func waitUntilIdle() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                guard !state.running.isEmpty else { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await job in self.jobs {
                    group.addTask {
                        await job.work()
                        self.release(job.requestID)
                    }
                }
            }
        }
    }
}
