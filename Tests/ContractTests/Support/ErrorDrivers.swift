import ALTErasureClient
import Foundation

/// How to make a method answer each error it declares. A method that declares an error nothing here
/// can provoke fails the contract test, so every declared error is exercised at least once.
enum ErrorDrivers {
    typealias Driver = @Sendable (_ port: Int, _ method: JSONValue) async throws -> Response

    static func driver(for code: Int, method: String) -> Driver? {
        switch code {
        case RPCErrorCode.unauthenticated.rawValue:
            return { port, entry in try await call(port: port, token: nil, entry, params: exampleParams(entry)) }
        case RPCErrorCode.permissionDenied.rawValue:
            return { port, entry in try await call(port: port, token: ContractTarget.nobodyToken, entry, params: exampleParams(entry)) }
        case RPCErrorCode.notFound.rawValue:
            // Every id replaced by one that does not exist.
            return { port, entry in
                var object: [String: JSONValue] = [:]
                for param in entry["params"]?.arrayValue ?? [] {
                    if let name = param["name"]?.stringValue { object[name] = .string("no_such_\(name)") }
                }
                return try await call(port: port, token: ContractTarget.devToken, entry, params: JSONValue.object(object).jsonText())
            }
        case RPCErrorCode.invalidArgument.rawValue:
            return { port, entry in
                try await call(port: port, token: ContractTarget.devToken, entry, params: #"{"no_such_param": true}"#)
            }
        default:
            return nil
        }
    }

    /// The first example's params as a by-name object.
    static func exampleParams(_ entry: JSONValue) -> String {
        var object: [String: JSONValue] = [:]
        for param in entry["examples"]?[0]?["params"]?.arrayValue ?? [] {
            if let name = param["name"]?.stringValue { object[name] = param["value"] ?? .null }
        }
        return JSONValue.object(object).jsonText()
    }

    static func call(port: Int, token: String?, _ entry: JSONValue, params: String) async throws -> Response {
        let method = entry["name"]?.stringValue ?? ""
        return try await RPCConnection.connect(host: "127.0.0.1", port: port, options: .init(bearerToken: token)) { connection in
            try await connection.call(method, params: try RawJSON(params))
        }
    }
}
