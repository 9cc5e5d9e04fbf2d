import NIOCore
import Synchronization

/// One accepted connection as the server tracks it: its channel, its answers waiting to be written,
/// and how many frames are in flight.
final class ConnectionState: Sendable {
    let channel: any Channel
    let answers = AnswerQueue()
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)

    init(channel: any Channel) { self.channel = channel }

    var isIdle: Bool { inFlight.load(ordering: .acquiring) == 0 }

    /// Draining and nothing left in flight: the writer closes the connection once its answers are out.
    var isDrained: Bool { draining.load(ordering: .acquiring) && isIdle }

    func began() { inFlight.add(1, ordering: .acquiringAndReleasing) }

    /// Called after a frame's answer was queued.
    func ended() {
        let left = inFlight.subtract(1, ordering: .acquiringAndReleasing).newValue
        if left == 0 && draining.load(ordering: .acquiring) { answers.wake() }
    }

    /// Closes the connection once it is idle and its answers are written.
    func drain() {
        draining.store(true, ordering: .releasing)
        answers.wake()
    }
}

/// The open connections, for the connection cap and for drain.
final class ConnectionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: ConnectionState] = [:]
        var draining = false
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds a connection unless the cap is reached; a connection arriving during drain is drained at once.
    func add(_ connection: ConnectionState) -> Bool {
        let (added, draining) = state.withLock { state -> (Bool, Bool) in
            guard state.connections.count < limit else { return (false, state.draining) }
            state.connections[ObjectIdentifier(connection)] = connection
            return (true, state.draining)
        }
        if added && draining { connection.drain() }
        return added
    }

    func remove(_ connection: ConnectionState) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    func drainAll() {
        let connections = state.withLock { state in
            state.draining = true
            return Array(state.connections.values)
        }
        connections.forEach { $0.drain() }
    }

    func closeAll() {
        let connections = state.withLock { Array($0.connections.values) }
        connections.forEach { $0.channel.close(promise: nil) }
    }
}

/// Closes a connection that has been silent in both directions for the idle timeout, unless a call
/// is still running on it (a long call is not idleness).
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    private let connection: ConnectionState

    init(connection: ConnectionState) { self.connection = connection }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if connection.isIdle { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
