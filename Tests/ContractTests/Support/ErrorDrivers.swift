import ALTErasureClient
import Foundation
import JSONRPCNIO
import ServiceTestSupport
import Testing

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
            // The first example with every id replaced by one that does not exist.
            return { port, entry in
                var object = exampleObject(entry)
                for name in object.keys where name.hasSuffix("Id") { object[name] = .string("no_such_\(name)") }
                return try await call(port: port, token: ContractTarget.devToken, entry, params: JSONValue.object(object).jsonText())
            }
        case RPCErrorCode.failedPrecondition.rawValue:
            // A request in a final state (the demo's rejected one) refuses every step of the lifecycle.
            return { port, entry in
                var object = exampleObject(entry)
                object["requestId"] = "req_demo_rejected"
                return try await call(port: port, token: ContractTarget.devToken, entry, params: JSONValue.object(object).jsonText())
            }
        case RPCErrorCode.alreadyExists.rawValue where method == "backups.restore":
            // Restoring twice onto the same file name.
            return { port, entry in
                _ = try await call(port: port, token: ContractTarget.devToken, entry, method: "backups.create", params: "{}")
                let params = #"{"backupId": "latest", "target": "twice.sqlite"}"#
                _ = try await call(port: port, token: ContractTarget.devToken, entry, params: params)
                return try await call(port: port, token: ContractTarget.devToken, entry, params: params)
            }
        case RPCErrorCode.resourceExhausted.rawValue where method == "deletion.verifyIdentity":
            // A sixth try on one code.
            return { port, entry in
                let requestID = try await freshRequest(port: port, entry)
                var last: Response?
                for _ in 1...6 {
                    last = try await call(port: port, token: ContractTarget.devToken, entry, params: #"{"requestId": "\#(requestID)", "code": "000000"}"#)
                }
                return try #require(last)
            }
        case RPCErrorCode.resourceExhausted.rawValue where method == "deletion.resendCode":
            // A fourth code within the hour (creation sent the first).
            return { port, entry in
                let requestID = try await freshRequest(port: port, entry)
                var last: Response?
                for _ in 1...3 {
                    last = try await call(port: port, token: ContractTarget.devToken, entry, params: #"{"requestId": "\#(requestID)"}"#)
                }
                return try #require(last)
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
    static func exampleParams(_ entry: JSONValue) -> String { JSONValue.object(exampleObject(entry)).jsonText() }

    static func exampleObject(_ entry: JSONValue) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for param in entry["examples"]?[0]?["params"]?.arrayValue ?? [] {
            if let name = param["name"]?.stringValue { object[name] = param["value"] ?? .null }
        }
        return object
    }

    /// A new calendar request for acc_demo, awaiting verification with one code sent.
    static func freshRequest(port: Int, _ entry: JSONValue) async throws -> String {
        let response = try await RPCConnection.connect(host: "127.0.0.1", port: port, options: .init(bearerToken: ContractTarget.devToken)) { connection in
            try await connection.call("deletion.create", params: try RawJSON(#"{"accountId": "acc_demo", "scope": "calendar", "channel": "app"}"#))
        }
        let result = try JSONValue(parsing: try #require(response.result).bytes)
        return try #require(result["requestId"]?.stringValue)
    }

    static func call(port: Int, token: String?, _ entry: JSONValue, method name: String? = nil, params: String) async throws -> Response {
        let method = name ?? entry["name"]?.stringValue ?? ""
        return try await RPCConnection.connect(host: "127.0.0.1", port: port, options: .init(bearerToken: token)) { connection in
            try await connection.call(method, params: try RawJSON(params))
        }
    }
}
