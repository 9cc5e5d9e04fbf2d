import NIOCore
import RPCServer
import Synchronization

/// One accepted connection as the server tracks it: its channel, its answers waiting to be written,
/// its calls (for `rpc.cancel` and the end of a drain), and how many frames are in flight.
final class ConnectionState: Sendable {
    let channel: any Channel
    let answers = AnswerQueue()
    let calls = ConnectionCalls()
    private let inFlight = Atomic<Int>(0)
    private let peer = Mutex<[String]>([])

    init(channel: any Channel) { self.channel = channel }

    /// The verified client certificate's subjects (mTLS), set once the handshake is done.
    var peerSubjects: [String] { peer.withLock { $0 } }

    func setPeerSubjects(_ subjects: [String]) { peer.withLock { $0 = subjects } }

    var isIdle: Bool { inFlight.load(ordering: .acquiring) == 0 }

    /// Called when a frame's calls are read and go on to the session (`CallReader`).
    func began() { inFlight.add(1, ordering: .acquiringAndReleasing) }

    /// Called after a frame's answer was queued.
    func ended() { inFlight.subtract(1, ordering: .acquiringAndReleasing) }

    /// The grace period is over: read nothing more, cancel the calls still running (each still answers,
    /// CANCELLED), and let the session write every answer before it closes. Frames already read are
    /// answered (UNAVAILABLE, `processed: false`); nothing the server has read goes unanswered.
    func endGrace() {
        channel.close(mode: .input, promise: nil)
        calls.cancelAll()
    }
}

/// The open connections, for the connection cap and for the end of a drain.
final class ConnectionRegistry: Sendable {
    private let connections = Mutex<[ObjectIdentifier: ConnectionState]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds a connection unless the cap is reached.
    func add(_ connection: ConnectionState) -> Bool {
        connections.withLock { connections in
            guard connections.count < limit else { return false }
            connections[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    func remove(_ connection: ConnectionState) {
        _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Ends the grace period of every connection still open (see `ConnectionState.endGrace`).
    func endGrace() {
        connections.withLock { Array($0.values) }.forEach { $0.endGrace() }
    }

    /// Closes every connection still open: the last resort for a peer that reads none of its answers.
    func closeAll() {
        connections.withLock { Array($0.values) }.forEach { $0.channel.close(promise: nil) }
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
