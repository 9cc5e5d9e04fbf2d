public import Logging
import NIOCore
public import RPCServer
public import RPCServerNIO
public import ServiceLifecycleTestKit

/// Runs a real `TCPServer` on an ephemeral loopback port for the duration of `body`, then drains it
/// gracefully and waits for it to stop. Shared by every test target that needs a live server.
public enum LiveTCPServer {
    /// A logger that keeps test output quiet.
    public static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    public static func run(
        dispatcher: Dispatcher,
        configuration: TCPServerConfiguration = TCPServerConfiguration(host: "127.0.0.1", port: 0),
        _ body: @Sendable (_ port: Int, _ shutdown: GracefulShutdownTestTrigger) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = TCPServer(configuration: configuration, dispatcher: dispatcher, logger: quietLogger) { address in
            continuation.yield(address.port ?? 0)
            continuation.finish()
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { return }
                defer { trigger.triggerGracefulShutdown() }
                try await body(port, trigger)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }
}
