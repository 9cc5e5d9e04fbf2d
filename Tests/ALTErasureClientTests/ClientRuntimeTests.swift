import ALTErasureClient
import Logging
import NIOCore
import RPCServer
import RPCServerNIO
import RPCTestSupport
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// Methods whose failures the client's retry policy must tell apart.
enum Flaky: RPCMethod {
    static let name = "test.flaky"
    static let parameterNames = ["failures"]
    static let isIdempotent = true
    struct Params: Codable, Sendable { var failures: Int }
    typealias Result = Int
}

enum FlakyWrite: RPCMethod {
    static let name = "test.flakyWrite"
    static let parameterNames = ["failures"]
    struct Params: Codable, Sendable { var failures: Int }
    typealias Result = Int
}

enum Slow: RPCMethod {
    static let name = "test.slow"
    static let parameterNames: [String] = []
    typealias Params = NoParams
    typealias Result = Int
}

enum Pause: RPCMethod {
    static let name = "test.pause"
    static let parameterNames = ["ms"]
    struct Params: Codable, Sendable { var ms: Int }
    typealias Result = Int
}

/// Counts calls, failing the first `failures` with a retryable UNAVAILABLE (processed unknown).
final class Attempts: Sendable {
    let count = Atomic<Int>(0)
    /// `test.pause` calls the server has started.
    let pauses = Atomic<Int>(0)
    func next(failures: Int) throws -> Int {
        let attempt = count.add(1, ordering: .relaxed).newValue
        if attempt <= failures { throw RPCError(.unavailable, "try again", retryable: true) }
        return attempt
    }
}

/// A server with the test methods on `port` (0: any), for as long as `body` runs.
func withServer(port: Int = 0, attempts: Attempts, _ body: @Sendable (Int) async throws -> Void) async throws {
    let configuration = TCPServerConfiguration(host: "127.0.0.1", port: port, gracePeriod: .milliseconds(200))
    try await LiveTCPServer.run(dispatcher: testDispatcher(attempts: attempts), configuration: configuration) { bound, _ in
        try await body(bound)
    }
}

func testDispatcher(attempts: Attempts) -> Dispatcher {
    var registry = MethodRegistry()
    registry.register(Flaky.self) { params, _ in try attempts.next(failures: params.failures) }
    registry.register(FlakyWrite.self) { params, _ in try attempts.next(failures: params.failures) }
    registry.register(Slow.self) { _, _ in
        try await Task.sleep(for: .seconds(20))
        return 0
    }
    registry.register(Pause.self) { params, _ in
        attempts.pauses.add(1, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(params.ms))
        return params.ms
    }
    return Dispatcher(
        registry: registry,
        interceptors: [AuthInterceptor()],
        callers: CallerDirectory().adding(Caller(name: "t", allowedMethods: [MethodPattern("*")]), token: "t"),
        logger: LiveTCPServer.quietLogger
    )
}

@Suite("Client runtime: retries, deadlines, reconnects", .serialized, .timeLimit(.minutes(1)))
struct ClientRuntimeTests {
    let fast = ALTErasureClient.RetryPolicy(maximumAttempts: 5, initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(20))

    @Test("an idempotent method is retried until it succeeds")
    func retriesIdempotent() async throws {
        let attempts = Attempts()
        try await withServer(attempts: attempts) { port in
            try await ALTErasureClient.run(.init(port: port, token: "t", retryPolicy: fast)) { client in
                let value = try await client.call(Flaky.self, .init(failures: 3))
                #expect(value == 4)
            }
        }
        #expect(attempts.count.load(ordering: .relaxed) == 4)
    }

    @Test("at most 5 attempts, then the last error")
    func attemptLimit() async throws {
        let attempts = Attempts()
        try await withServer(attempts: attempts) { port in
            try await ALTErasureClient.run(.init(port: port, token: "t", retryPolicy: fast)) { client in
                _ = await #expect {
                    try await client.call(Flaky.self, .init(failures: 100))
                } throws: { error in
                    if case .unavailable = error as? ALTErasureError { return true }
                    return false
                }
            }
        }
        #expect(attempts.count.load(ordering: .relaxed) == 5)
    }

    @Test("a method that is not idempotent is not retried on a processed failure")
    func noRetryForWrites() async throws {
        let attempts = Attempts()
        try await withServer(attempts: attempts) { port in
            try await ALTErasureClient.run(.init(port: port, token: "t", retryPolicy: fast)) { client in
                _ = await #expect(throws: ALTErasureError.self) { try await client.call(FlakyWrite.self, .init(failures: 1)) }
            }
        }
        #expect(attempts.count.load(ordering: .relaxed) == 1)
    }

    @Test("a deadline fails the call locally with DEADLINE_EXCEEDED, without waiting for the server")
    func deadline() async throws {
        try await withServer(attempts: Attempts()) { port in
            try await ALTErasureClient.run(.init(port: port, token: "t", retryPolicy: fast)) { client in
                let start = ContinuousClock.now
                _ = await #expect {
                    try await client.call(Slow.self, NoParams(), options: CallOptions(timeout: .milliseconds(150)))
                } throws: { error in
                    if case .deadlineExceeded = error as? ALTErasureError { return true }
                    return false
                }
                #expect(ContinuousClock.now - start < .seconds(5))
            }
        }
    }

    @Test("the client reconnects when the server comes back on the same port")
    func reconnects() async throws {
        let first = Attempts()
        let port = Mutex(0)
        try await withServer(attempts: first) { bound in
            port.withLock { $0 = bound }
        }
        let fixedPort = port.withLock { $0 }
        try await ALTErasureClient.run(.init(port: fixedPort, token: "t", connections: 1, retryPolicy: fast)) { client in
            // Nothing listens yet: a call fails as not sent (UNAVAILABLE, processed: false).
            _ = await #expect {
                try await client.call(FlakyWrite.self, .init(failures: 0), options: CallOptions(retries: false))
            } throws: { error in
                guard case .unavailable(let rpc) = error as? ALTErasureError else { return false }
                return rpc.processed == false
            }
            try await withServer(port: fixedPort, attempts: Attempts()) { _ in
                // The slot reconnects with backoff; unsent calls are retried, so this succeeds.
                var answer: Int?
                for _ in 0..<20 where answer == nil {
                    answer = try? await client.call(Flaky.self, .init(failures: 0))
                    if answer == nil { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(answer == 1)
            }
        }
    }

    @Test("a draining server's UNAVAILABLE (processed: false) retires the connection once its calls are answered")
    func retiresDrainingConnection() async throws {
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let attempts = Attempts()
        let server = TCPServer(
            configuration: TCPServerConfiguration(host: "127.0.0.1", port: 0, gracePeriod: .seconds(30)),
            dispatcher: testDispatcher(attempts: attempts),
            logger: LiveTCPServer.quietLogger
        ) { address in
            bound.yield(address.port ?? 0)
            bound.finish()
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                try await ALTErasureClient.run(.init(port: port, token: "t", connections: 1, retryPolicy: fast)) { client in
                    #expect(try await client.call(Flaky.self, .init(failures: 0)) == 1)
                    async let paused = client.call(Pause.self, .init(ms: 400))
                    // Drain once the server runs the pause (a fixed sleep lost that race on a loaded machine).
                    while attempts.pauses.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
                    trigger.triggerGracefulShutdown()
                    _ = await #expect {
                        try await client.call(Flaky.self, .init(failures: 0))
                    } throws: { error in
                        guard case .unavailable(let rpc) = error as? ALTErasureError else { return false }
                        return rpc.processed == false
                    }
                    // The call the server had read before it drained is still answered on the retired connection.
                    #expect(try await paused == 400)
                    // The client closed its connection, so the server stops long before its 30 s grace period ends.
                    let start = ContinuousClock.now
                    try await group.next()
                    #expect(ContinuousClock.now - start < .seconds(10))
                }
            }
        }
    }
}
