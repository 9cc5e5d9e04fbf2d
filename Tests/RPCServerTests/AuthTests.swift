import Foundation
import JSONRPC
import Logging
import MetricsTestKit
import RPCServer
import Testing

@Suite("Callers and grants")
struct AuthTests {
    @Test("method patterns: exact, group.*, and *")
    func patterns() {
        #expect(MethodPattern("records.*").matches("records.deleteContact"))
        #expect(!MethodPattern("records.*").matches("recordsX.delete"))
        #expect(!MethodPattern("records.*").matches("deletion.status"))
        #expect(MethodPattern("deletion.status").matches("deletion.status"))
        #expect(!MethodPattern("deletion.status").matches("deletion.statusX"))
        #expect(MethodPattern("*").matches("anything"))
    }

    @Test("tokens are found by digest; unknown tokens are not")
    func directory() {
        let directory = CallerDirectory()
            .adding(Caller(name: "a", allowedMethods: [MethodPattern("x")]), token: "token-a")
            .adding(Caller(name: "b", allowedMethods: [MethodPattern("y")]), token: "token-b")
        #expect(directory.authenticate(token: "token-a")?.name == "a")
        #expect(directory.authenticate(token: "token-b")?.name == "b")
        #expect(directory.authenticate(token: "token-c") == nil)
        #expect(directory.authenticate(token: "") == nil)
    }

    @Test("a caller is added by the hex digest of its token; anything but 64 hex digits is refused")
    func hexDigest() throws {
        let hex = CallerDirectory.digest("s3cret").map { String(format: "%02x", $0) }.joined()
        let digest = try #require(CallerDirectory.digest(hex: hex.uppercased()))
        let directory = CallerDirectory().adding(Caller(name: "contacts", allowedMethods: [MethodPattern("records.*")]), tokenSHA256: digest)
        #expect(directory.authenticate(token: "s3cret")?.allowedMethods == [MethodPattern("records.*")])
        for bad in ["abc", String(hex.dropLast(2)), String(hex.dropLast()) + "g", hex + "00", ""] {
            #expect(CallerDirectory.digest(hex: bad) == nil, "\(bad)")
        }
    }
}

@Suite("Dispatcher without a transport")
struct DispatcherTests {
    enum Double: RPCMethod {
        static let name = "math.double"
        static let parameterNames = ["n"]
        struct Params: Codable, Sendable { var n: Int }
        typealias Result = Int
    }

    enum Fail: RPCMethod {
        static let name = "math.fail"
        static let parameterNames: [String] = []
        typealias Params = NoParams
        typealias Result = Int
    }

    struct Secret: Error {}

    func dispatcher() -> Dispatcher {
        var registry = MethodRegistry()
        registry.register(Double.self) { params, _ in
            try await Task.sleep(for: .milliseconds(50 - params.n * 10))
            return params.n * 2
        }
        registry.register(Fail.self) { _, _ in throw Secret() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Dispatcher(
            registry: registry,
            interceptors: [AuthInterceptor()],
            callers: CallerDirectory().adding(Caller(name: "t", allowedMethods: [MethodPattern("math.*")]), token: "t"),
            logger: logger
        )
    }

    func answer(_ body: String) async throws -> JSONValue? {
        let dispatcher = dispatcher()
        switch dispatcher.prepare(Array(body.utf8), metadata: CallMetadata(bearerToken: "t"), calls: ConnectionCalls()) {
        case .answer(let bytes): return try bytes.map { try JSONValue(parsing: $0) }
        case .dispatch(let message):
            let bytes = await dispatcher.run(message, metadata: CallMetadata(bearerToken: "t"), calls: ConnectionCalls())
            return try bytes.map { try JSONValue(parsing: $0) }
        }
    }

    @Test("batch answers come in request order even when later items finish first")
    func batchOrder() async throws {
        let items = (1...4).map { #"{"jsonrpc":"2.0","method":"math.double","params":[\#($0)],"id":\#($0)}"# }
        let answer = try #require(try await answer("[" + items.joined(separator: ",") + "]")?.arrayValue)
        #expect(answer.map { $0["id"] } == [1, 2, 3, 4])
        #expect(answer.map { $0["result"] } == [2, 4, 6, 8])
    }

    @Test("an error a handler does not present becomes INTERNAL with no detail on the wire")
    func internalError() async throws {
        let answer = try #require(try await answer(#"{"jsonrpc":"2.0","method":"math.fail","id":1}"#))
        #expect(answer["error"]?["code"] == -32603)
        #expect(answer["error"]?["message"] == "internal error")
    }
}

@Suite("Metrics interceptor")
struct MetricsInterceptorTests {
    @Test("calls are counted by method and status; unknown methods share one label")
    func counts() async throws {
        let metrics = TestMetrics()
        var registry = MethodRegistry()
        registry.register(DispatcherTests.Double.self) { params, _ in params.n * 2 }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dispatcher = Dispatcher(
            registry: registry,
            interceptors: [MetricsInterceptor(knownMethods: Set(registry.methodNames), factory: metrics), AuthInterceptor()],
            callers: CallerDirectory().adding(Caller(name: "t", allowedMethods: [MethodPattern("math.*")]), token: "t"),
            logger: logger
        )
        let body = #"[{"jsonrpc":"2.0","method":"math.double","params":[1],"id":1},{"jsonrpc":"2.0","method":"math.double","params":[2],"id":2},{"jsonrpc":"2.0","method":"random.name1","id":3},{"jsonrpc":"2.0","method":"random.name2","id":4}]"#
        guard case .dispatch(let message) = dispatcher.prepare(Array(body.utf8), metadata: CallMetadata(bearerToken: "t"), calls: ConnectionCalls()) else {
            Issue.record("expected a dispatch")
            return
        }
        _ = await dispatcher.run(message, metadata: CallMetadata(bearerToken: "t"), calls: ConnectionCalls())
        #expect(metrics.counterTotal(label: "rpc_calls_total", dimensions: [("method", "math.double"), ("status", "OK")]) == 2)
        #expect(metrics.counterTotal(label: "rpc_calls_total", dimensions: [("method", "unknown"), ("status", "PERMISSION_DENIED")]) == 2)
        #expect(try metrics.expectTimer("rpc_call_duration", [("method", "math.double")]).values.count == 2)
    }
}
