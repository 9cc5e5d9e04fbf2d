import Foundation
import JSONRPC
import Logging
import RPCServer
import Testing

/// The server without sockets answers as it does over TCP: same auth, deadlines, errors and cancellation.
@Suite("In-process transport")
struct InProcessTransportTests {
    enum Nap: RPCMethod {
        static let name = "math.nap"
        static let parameterNames = ["ms"]
        struct Params: Codable, Sendable { var ms: Int }
        typealias Result = Int
    }

    static func transport() -> InProcessTransport {
        var registry = MethodRegistry()
        registry.register(DispatcherTests.Double.self) { params, _ in params.n * 2 }
        registry.register(Nap.self) { params, _ in
            try await Task.sleep(for: .milliseconds(params.ms))
            return params.ms
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dispatcher = Dispatcher(
            registry: registry,
            interceptors: [AuthInterceptor()],
            callers: CallerDirectory().adding(Caller(name: "t", allowedMethods: [MethodPattern("math.*")]), token: "t"),
            logger: logger
        )
        return InProcessTransport(dispatcher: dispatcher)
    }

    static func request(_ method: String, _ params: String, id: Int = 1) throws -> Request {
        Request(id: RequestID(id), method: method, params: try RawJSON(params))
    }

    @Test("a call with its token is answered; without one it is UNAUTHENTICATED; an unknown method UNIMPLEMENTED")
    func answers() async throws {
        let transport = Self.transport()
        let doubled = try await transport.call(try Self.request("math.double", #"{"n": 21}"#), timeout: nil, bearerToken: "t")
        guard case .result(let result) = doubled.outcome else {
            Issue.record("expected a result: \(doubled)")
            return
        }
        #expect(String(decoding: result.bytes, as: UTF8.self) == "42")
        let anonymous = try await transport.call(try Self.request("math.double", #"{"n": 1}"#), timeout: nil, bearerToken: nil)
        #expect(anonymous.error?.code == .unauthenticated)
        let unknown = try await transport.call(try Self.request("math.nothing", "{}"), timeout: nil, bearerToken: "t")
        #expect(unknown.error?.code == .unimplemented)
    }

    /// An hour's nap: only the deadline can end it within the time limit (no wall-clock assertion, which
    /// a loaded machine fails).
    @Test("the call's timeout is the server's deadline: DEADLINE_EXCEEDED, not a hang", .timeLimit(.minutes(1)))
    func deadline() async throws {
        let answer = try await Self.transport().call(try Self.request("math.nap", #"{"ms": 3600000}"#), timeout: .milliseconds(100), bearerToken: "t")
        #expect(answer.error?.code == .deadlineExceeded)
    }

    @Test("rpc.cancel through the same transport cancels the call in flight")
    func cancel() async throws {
        let transport = Self.transport()
        async let napping = transport.call(try Self.request("math.nap", #"{"ms": 10000}"#, id: 7), timeout: nil, bearerToken: "t")
        try await Task.sleep(for: .milliseconds(100))
        let cancelled = try await transport.call(try Self.request("rpc.cancel", #"{"id": 7}"#, id: 8), timeout: nil, bearerToken: "t")
        #expect(cancelled.error == nil)
        #expect(try await napping.error?.code == .cancelled)
    }
}
