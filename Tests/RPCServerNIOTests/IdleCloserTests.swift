import JSONRPC
import JSONRPCNIO
import NIOCore
import NIOEmbedded
import RPCServer
@testable import RPCServerNIO
import RPCTestSupport
import Testing

/// The idle timeout closes a silent connection, never one whose call has been read but not answered —
/// even while that call waits for the session's task to take it (a loaded machine can take longer than
/// the timeout to get there: CI saw `test.sleep` answered on a connection already closed).
@Suite("The idle timeout and calls in flight")
struct IdleCloserTests {
    @Test("a call read on the event loop is in flight at once; once answered, the idle timeout closes")
    func readCallIsInFlight() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7700)).wait()
        let connection = ConnectionState(channel: channel)
        let state = ServingState()
        let dispatcher = Dispatcher(
            registry: try MethodRegistry.testMethods(state: state), interceptors: [AuthInterceptor()], callers: LiveServer.callers,
            state: state, logger: LiveTCPServer.quietLogger
        )
        try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser(connection: connection))
        try channel.pipeline.syncOperations.addHandler(
            CallReader(dispatcher: dispatcher, connection: connection, limits: FrameLimits(), compressionThreshold: 1_024)
        )
        var headers = FrameHeaders()
        headers.bearerToken = "admin-token"
        let body = ByteBuffer(string: #"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":10},"id":1}"#)
        try channel.writeInbound(Frame(headers: headers, body: body))
        let incoming = try #require(try channel.readInbound(as: Incoming.self), "the call goes on to the session")
        if case .single(.request(let request)) = incoming.message {
            #expect(request.method == "test.sleep")
        } else {
            Issue.record("not the call sent: \(incoming.message)")
        }

        // The session has not taken the call yet: it is in flight all the same.
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(channel.isActive, "closed under a call it had read")

        connection.ended()
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(!channel.isActive, "silent and nothing in flight: closed")
    }
}
