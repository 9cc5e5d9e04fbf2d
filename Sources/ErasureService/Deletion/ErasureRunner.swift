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

    private let jobs: AsyncStream<Job>
    private let submissions: AsyncStream<Job>.Continuation
    private let running = Mutex<Set<String>>([])
    let logger: Logger

    public init(logger: Logger) {
        (jobs, submissions) = AsyncStream.makeStream(of: Job.self)
        self.logger = logger
    }

    /// Claims `requestID` for a run; false when one is under way (the caller joins it instead).
    func reserve(_ requestID: String) -> Bool {
        running.withLock { $0.insert(requestID).inserted }
    }

    /// Gives up a reservation that will not be submitted.
    func release(_ requestID: String) {
        _ = running.withLock { $0.remove(requestID) }
    }

    /// Hands a reserved run over; the reservation ends with `work`.
    func submit(_ requestID: String, _ work: @escaping @Sendable () async -> Void) {
        submissions.yield(Job(requestID: requestID, work: work))
    }

    /// Whether a run of `requestID` is reserved or under way.
    func isRunning(_ requestID: String) -> Bool {
        running.withLock { $0.contains(requestID) }
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
