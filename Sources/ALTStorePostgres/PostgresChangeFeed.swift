import Logging
import PostgresNIO
import Synchronization

/// What tells a replica that the store has changed, for the reads it keeps in memory
/// (`ErasureStore.commitCount`, the status of a request): a count that moves with every commit this
/// process makes, at once (before the write returns), and with every commit any replica announces.
///
/// Every table has a statement trigger that runs `pg_notify('alt_changes', '')` (schema version 2);
/// PostgreSQL delivers the notification when the transaction commits, once per transaction, to every
/// session listening. The feed listens on a connection of its own. A commit on another replica therefore
/// reaches this one's count a notification's trip later (about a millisecond on one network): a read
/// answered from memory in between says what a read started just before that commit would have said.
///
/// The count is nil, and nothing is answered from memory, whenever the feed cannot vouch for it: before it
/// first listens, after its connection is lost (commits meanwhile went unheard; listening again moves the
/// count), and when nothing — no change, not its own heartbeat, a notification it sends itself every
/// `heartbeat` through the pool — has arrived for three heartbeats (a connection that hangs without
/// closing: the feed then gives it up and listens on a new one).
public final class PostgresChangeFeed: Sendable {
    /// The channel the triggers notify (schema version 2).
    static let channel = "alt_changes"
    /// The `application_name` of the feed's connection (operators see it in `pg_stat_activity`).
    public static let applicationName = "deletiond-changes"

    private struct State {
        var count: UInt64 = 0
        var listening = false
        /// When the feed last heard its own heartbeat.
        var heard: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    /// How often the feed checks its own connection.
    public let heartbeat: Duration
    /// How long it waits before listening again after its connection was lost.
    let retry: Duration

    init(heartbeat: Duration = .seconds(1), retry: Duration = .seconds(1)) {
        self.heartbeat = heartbeat
        self.retry = retry
    }

    /// The count of changes, or nil while the feed cannot vouch for it.
    public var count: UInt64? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard state.listening, let heard = state.heard, now - heard < heartbeat * 3 else { return nil }
            return state.count
        }
    }

    /// A commit of this process (or one that may have committed: a write whose outcome is unknown).
    func committedHere() { state.withLock { $0.count &+= 1 } }

    /// Listens until cancelled, connecting again after each loss of the connection. `announce` sends the
    /// heartbeat, `pg_notify('alt_changes', 'heartbeat')`, through another connection (the pool's): a query
    /// on the feed's own connection, once that is lost, may never be answered.
    func run(configuration: PostgresConnection.Configuration, logger: Logger, announce: @escaping @Sendable () async throws -> Void) async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                do {
                    // Cancelled, the connection closes: the LISTEN and the notifications fail then, rather
                    // than count on each to heed the cancellation.
                    try await withTaskCancellationHandler {
                        try await listen(on: connection, announce: announce)
                    } onCancel: {
                        _ = connection.close() as EventLoopFuture<Void>
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("the change feed lost its connection; status is read from the store until it listens again") }
                }
                try? await connection.close()
            } catch {
                logger.debug("the change feed cannot connect; it tries again", metadata: ["error": "\(type(of: error))"])
            }
            state.withLock { $0.listening = false }
            try? await Task.sleep(for: retry)
        }
    }

    private func listen(on connection: PostgresConnection, announce: @escaping @Sendable () async throws -> Void) async throws {
        let heartbeat = self.heartbeat
        try await connection.listen(on: Self.channel) { notifications in
            // Listening from here on: whatever committed before went unheard, so the count moves.
            self.state.withLock { state in
                state.count &+= 1
                state.listening = true
                state.heard = .now
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        // Three heartbeats unheard: this connection is given up, and a new one listens.
                        guard self.count != nil else { throw Silence() }
                        // One that cannot be sent (the server unreachable) goes unheard, which is the point.
                        try? await announce()
                    }
                }
                group.addTask {
                    for try await notification in notifications {
                        // Whatever arrives shows the connection delivers: on a busy store the changes keep it
                        // heard even when the heartbeat waits for a connection of the pool.
                        self.heard(counting: notification.payload.isEmpty)
                    }
                    throw Closed()
                }
                // Either ends only when the connection does, or falls silent (or the feed is cancelled).
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    /// Three heartbeats went unheard.
    private struct Silence: Error {}

    /// The notifications ended: the connection closed.
    private struct Closed: Error {}

    /// A notification arrived: a change (empty payload: the count moves), or a heartbeat (`heartbeat`),
    /// this feed's or another replica's. Notifications arrive in commit order, so every commit before it was heard.
    private func heard(counting change: Bool) {
        let now = ContinuousClock.now
        state.withLock { state in
            // After a silence the count moves too, so nothing kept from before it is answered again.
            if change || state.heard.map({ now - $0 >= heartbeat * 3 }) ?? false { state.count &+= 1 }
            state.heard = now
        }
    }
}
