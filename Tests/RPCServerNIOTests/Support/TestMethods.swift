import JSONRPC
import RPCServer

/// Methods the integration tests call: the JSON-RPC spec's §7 examples, an echo, and a sleep.
enum Subtract: RPCMethod {
    static let name = "subtract"
    static let parameterNames = ["minuend", "subtrahend"]
    struct Params: Codable, Sendable {
        var minuend: Int
        var subtrahend: Int
    }
    typealias Result = Int
}

enum Sum: RPCMethod {
    static let name = "sum"
    static let parameterNames = ["a", "b", "c"]
    struct Params: Codable, Sendable {
        var a: Int
        var b: Int
        var c: Int
    }
    typealias Result = Int
}

enum GetData: RPCMethod {
    static let name = "get_data"
    static let parameterNames: [String] = []
    typealias Params = NoParams
    typealias Result = JSONValue
}

enum NotifyHello: RPCMethod {
    static let name = "notify_hello"
    static let parameterNames = ["value"]
    struct Params: Codable, Sendable { var value: Int }
    typealias Result = JSONValue
}

enum Echo: RPCMethod {
    static let name = "test.echo"
    static let parameterNames = ["value"]
    struct Params: Codable, Sendable { var value: JSONValue }
    typealias Result = JSONValue
}

enum Sleep: RPCMethod {
    static let name = "test.sleep"
    static let parameterNames = ["ms"]
    struct Params: Codable, Sendable { var ms: Int }
    struct Result: Codable, Sendable { var slept: Int }
}

extension MethodRegistry {
    static func testMethods(state: ServingState) throws -> MethodRegistry {
        var registry = MethodRegistry()
        registry.registerPlatformMethods(state: state, document: try RawJSON(#"{"openrpc":"1.3.2","info":{},"methods":[]}"#))
        registry.register(Subtract.self) { params, _ in params.minuend - params.subtrahend }
        registry.register(Sum.self) { params, _ in params.a + params.b + params.c }
        registry.register(GetData.self) { _, _ in ["hello", 5] }
        registry.register(NotifyHello.self) { _, _ in .null }
        registry.register(Echo.self) { params, _ in params.value }
        registry.register(Sleep.self) { params, _ in
            try await Task.sleep(for: .milliseconds(params.ms))
            return Sleep.Result(slept: params.ms)
        }
        return registry
    }
}
