public import Logging
public import ServiceLifecycle

/// A feature's scheduled work as a `Service`: a round now, then one every `interval`, until graceful
/// shutdown (a round under way is cancelled: work that must survive it, like an erasure's batches, is
/// resumable). A failed round is logged by its error's type only (never a value, so no personal data)
/// and the next round tries again. `State` is carried from round to round (a failed round keeps it).
///
/// Each feature makes its own: `DeletionRequests.executor`, `Retention.sweeper`, `Backups.scheduler`.
public struct PeriodicService<State: Sendable>: Service {
    public let task: String
    public let interval: Duration
    let initial: @Sendable () -> State
    let round: @Sendable (State) async throws -> State
    let logger: Logger

    public init(
        _ task: String, every interval: Duration, logger: Logger, initial: @escaping @Sendable () -> State,
        round: @escaping @Sendable (State) async throws -> State
    ) {
        self.task = task
        self.interval = interval
        self.initial = initial
        self.round = round
        self.logger = logger
    }

    public func run() async {
        var state = initial()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let current = state
                state = try await cancelWhenGracefulShutdown { try await round(current) }
            } catch where !Task.isCancelled && !Task.isShuttingDownGracefully {
                logger.error("\(task) failed; the next round tries again", metadata: ["error": "\(type(of: error))"])
            } catch {}
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

extension PeriodicService where State == Void {
    public init(_ task: String, every interval: Duration, logger: Logger, round: @escaping @Sendable () async throws -> Void) {
        self.init(task, every: interval, logger: logger, initial: {}, round: { _ in try await round() })
    }
}
