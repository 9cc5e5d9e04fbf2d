import JSONRPC
import Logging
import RPCServer
import RPCServerNIO
import RPCTestSupport
import ServiceLifecycleTestKit

/// A real `TCPServer` on an ephemeral loopback port, with the test methods and two callers:
/// `admin` (token `admin-token`, every method), `echoer` (token `echo-token`, `test.echo` only) and
/// `cert-echoer` (a client certificate naming `spiffe://alt/echoer`, under mTLS; `test.echo` only).
struct LiveServer {
    let port: Int
    let state: ServingState
    let shutdown: GracefulShutdownTestTrigger

    static let callers = CallerDirectory()
        .adding(Caller(name: "admin", allowedMethods: [MethodPattern("*")]), token: "admin-token")
        .adding(Caller(name: "echoer", allowedMethods: [MethodPattern("test.echo")]), token: "echo-token")
        .adding(Caller(name: "cert-echoer", allowedMethods: [MethodPattern("test.echo")]), certificateSubject: "spiffe://alt/echoer")

    /// Runs `body` against a live server, then shuts the server down gracefully and waits for it.
    static func run(
        _ configure: (inout TCPServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        var configuration = TCPServerConfiguration(host: "127.0.0.1", port: 0, gracePeriod: .seconds(5))
        configure(&configuration)
        let state = ServingState()
        let dispatcher = Dispatcher(
            registry: try MethodRegistry.testMethods(state: state),
            interceptors: [LoggingInterceptor(), AuthInterceptor()],
            callers: callers,
            state: state,
            logger: LiveTCPServer.quietLogger
        )
        try await LiveTCPServer.run(dispatcher: dispatcher, configuration: configuration) { port, trigger in
            try await body(LiveServer(port: port, state: state, shutdown: trigger))
        }
    }
}
