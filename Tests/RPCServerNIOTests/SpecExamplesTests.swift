import JSONRPC
import Testing

/// Every example of the JSON-RPC 2.0 specification's §7, over a real socket. An expected answer of
/// nil means no frame at all: the next frame received must be the answer to a follow-up `health.check`.
@Suite("JSON-RPC 2.0 §7 examples over TCP", .timeLimit(.minutes(1)))
struct SpecExamplesTests {
    static let examples: [(String, String, String?)] = [
        ("positional params", #"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
         #"{"jsonrpc": "2.0", "result": 19, "id": 1}"#),
        ("positional params, swapped", #"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
         #"{"jsonrpc": "2.0", "result": -19, "id": 2}"#),
        ("named params", #"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
         #"{"jsonrpc": "2.0", "result": 19, "id": 3}"#),
        ("named params, reordered", #"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
         #"{"jsonrpc": "2.0", "result": 19, "id": 4}"#),
        ("a notification", #"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#, nil),
        ("a notification without params", #"{"jsonrpc": "2.0", "method": "foobar"}"#, nil),
        ("a non-existent method", #"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
         #"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"#),
        ("invalid JSON", #"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
         #"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#),
        ("an invalid Request object", #"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
         #"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#),
        ("a batch with invalid JSON", #"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method""#,
         #"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#),
        ("an empty array", "[]",
         #"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#),
        ("an invalid batch, not empty", "[1]",
         #"[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]"#),
        ("an invalid batch", "[1,2,3]",
         #"[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]"#),
        ("a mixed batch",
         #"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},{"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},{"foo": "boo"},{"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},{"jsonrpc": "2.0", "method": "get_data", "id": "9"}]"#,
         #"[{"jsonrpc": "2.0", "result": 7, "id": "1"},{"jsonrpc": "2.0", "result": 19, "id": "2"},{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},{"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}]"#),
        ("a batch of notifications only",
         #"[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]"#, nil),
    ]

    /// What must match: id and result, or id and error code (messages are ours to word).
    static func essence(_ value: JSONValue) -> JSONValue {
        if let items = value.arrayValue { return .array(items.map(essence)) }
        var object: [String: JSONValue] = ["jsonrpc": value["jsonrpc"] ?? .null, "id": value["id"] ?? .null]
        if let result = value["result"] { object["result"] = result }
        if let error = value["error"] { object["code"] = error["code"] ?? .null }
        return .object(object)
    }

    @Test("every §7 example", arguments: examples.indices)
    func example(index: Int) async throws {
        let (name, request, expected) = Self.examples[index]
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(request, headers: ["Authorization: Bearer admin-token"])
                if let expected {
                    let answer = try #require(try await connection.receiveJSON(), "\(name): no answer")
                    #expect(Self.essence(answer) == Self.essence(try JSONValue(parsing: expected)), "\(name)")
                } else {
                    try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":"after"}"#)
                    let answer = try #require(try await connection.receiveJSON())
                    #expect(answer["id"] == "after", "\(name) was answered")
                }
            }
        }
    }

    @Test("\"id\": null is a request and is answered with id null")
    func nullID() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":null}"#)
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["id"] == .null)
                #expect(answer["result"]?["status"] == "SERVING")
            }
        }
    }

    @Test("a notification that fails is not answered either")
    func failingNotification() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                // Unauthenticated, unknown method, bad params: all silent as notifications.
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":"x"}}"#)
                try await connection.send(#"{"jsonrpc":"2.0","method":"subtract","params":[1]}"#, headers: ["Authorization: Bearer admin-token"])
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":2}"#)
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["id"] == 2)
            }
        }
    }
}
