import JSONRPC
import JSONRPCNIO
import NIOCore
import RPCServerNIO
import ServiceLifecycleTestKit
import Synchronization
import Testing

@Suite("TCP server behaviour", .timeLimit(.minutes(1)))
struct ServerBehaviourTests {
    static let admin = "Authorization: Bearer admin-token"

    @Test("calls on one connection are answered as they finish, not in order")
    func outOfOrder() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":400},"id":1}"#, headers: [Self.admin])
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":["fast"],"id":2}"#, headers: [Self.admin])
                #expect(try await connection.receiveJSON()?["id"] == 2)
                #expect(try await connection.receiveJSON()?["id"] == 1)
            }
        }
    }

    @Test("the Timeout header cancels the handler and answers DEADLINE_EXCEEDED")
    func deadline() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                let start = ContinuousClock.now
                try await connection.send(
                    #"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":20000},"id":"d"}"#,
                    headers: [Self.admin, "Timeout: 100m"]
                )
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["error"]?["code"] == -32004)
                #expect(answer["error"]?["data"]?["status"] == "DEADLINE_EXCEEDED")
                #expect(ContinuousClock.now - start < .seconds(10))
            }
        }
    }

    @Test("a malformed Timeout header is INVALID_ARGUMENT")
    func badTimeout() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":1}"#, headers: ["Timeout: soon"])
                #expect(try await connection.receiveJSON()?["error"]?["code"] == -32602)
            }
        }
    }

    @Test("rpc.cancel cancels a call in flight, which answers CANCELLED")
    func cancel() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":20000},"id":"s"}"#, headers: [Self.admin])
                // Let the call start before cancelling it.
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":[1],"id":"e"}"#, headers: [Self.admin])
                #expect(try await connection.receiveJSON()?["id"] == "e")
                try await connection.send(#"{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":"s"}}"#, headers: [Self.admin])
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["id"] == "s")
                #expect(answer["error"]?["code"] == -32001)
            }
        }
    }

    @Test(
        "authentication and grants",
        arguments: [
            ([], "test.echo", -32016),
            (["Authorization: Bearer wrong"], "test.echo", -32016),
            (["Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l"], "test.echo", -32016),
            (["Authorization: Bearer echo-token"], "test.sleep", -32007),
            (["Authorization: Bearer echo-token"], "no.such.method", -32007),
            (["Authorization: Bearer admin-token"], "no.such.method", -32601),
            (["Authorization: Bearer echo-token"], "test.echo", 0),
            ([], "health.check", 0),
            (["Authorization: Bearer echo-token"], "rpc.discover", 0),
        ] as [([String], String, Int)]
    )
    func auth(headers: [String], method: String, code: Int) async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                let params = method == "test.sleep" ? #"{"ms":1}"# : method == "test.echo" ? "[1]" : "{}"
                try await connection.send(#"{"jsonrpc":"2.0","method":"\#(method)","params":\#(params),"id":1}"#, headers: headers)
                let answer = try #require(try await connection.receiveJSON())
                if code == 0 {
                    #expect(answer["result"] != nil, "\(answer)")
                } else {
                    #expect(answer["error"]?["code"] == .int(Int64(code)), "\(answer)")
                }
            }
        }
    }

    @Test("a batch shares its frame's token; each item is checked on its own")
    func batchAuth() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(
                    #"[{"jsonrpc":"2.0","method":"test.echo","params":[1],"id":1},{"jsonrpc":"2.0","method":"test.sleep","params":[1],"id":2}]"#,
                    headers: ["Authorization: Bearer echo-token"]
                )
                let answer = try #require(try await connection.receiveJSON()?.arrayValue)
                #expect(answer.map { $0["id"] } == [1, 2])
                #expect(answer[0]["result"] == 1)
                #expect(answer[1]["error"]?["code"] == -32007)
            }
        }
    }

    @Test("a body over the limit is RESOURCE_EXHAUSTED and the connection closes")
    func bodyTooLarge() async throws {
        try await LiveServer.run({ $0.frameLimits = FrameLimits(maximumBodyBytes: 1_000) }) { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.writeRaw(Array("Content-Length: 1001\r\n\r\n".utf8))
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["error"]?["code"] == -32008)
                #expect(answer["id"] == .null)
                #expect(try await connection.receive() == nil)
            }
            // The server survives.
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":1}"#)
                #expect(try await connection.receiveJSON()?["result"]?["status"] == "SERVING")
            }
        }
    }

    @Test(
        "a malformed header is a Parse error and the connection closes cleanly",
        arguments: [
            "Content-Length: x\r\n\r\n", "Content-Length 5\r\n\r\nhello", "Content-Type: a\r\n\r\n{}", "Content-Length: -1\r\n\r\n",
            "Authorization: Bearer a\r\nAuthorization: Bearer b\r\nContent-Length: 2\r\n\r\n{}",
        ]
    )
    func malformedHeader(input: String) async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.writeRaw(Array(input.utf8))
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["error"]?["code"] == -32700)
                #expect(try await connection.receive() == nil)
            }
        }
    }

    @Test("a batch over 1,000 items is one error")
    func batchLimit() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                let item = #"{"jsonrpc":"2.0","method":"health.check","id":1}"#
                try await connection.send("[" + Array(repeating: item, count: 1_001).joined(separator: ",") + "]")
                let answer = try #require(try await connection.receiveJSON())
                #expect(answer["error"]?["code"] == -32008)
                try await connection.send("[" + Array(repeating: item, count: 1_000).joined(separator: ",") + "]")
                #expect(try await connection.receiveJSON()?.arrayValue?.count == 1_000)
            }
        }
    }

    @Test("deflate bodies in, compressed answers out; unknown and corrupt encodings are refused")
    func compression() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                let big = String(repeating: "z", count: 5_000)
                let body = ByteBuffer(string: #"{"jsonrpc":"2.0","method":"test.echo","params":["\#(big)"],"id":1}"#)
                let compressed = try #require(BodyCompression.compress(body))
                try await connection.sendBytes(
                    Array(compressed.readableBytesView),
                    headers: [Self.admin, "Content-Encoding: deflate", "Accept-Encoding: deflate"]
                )
                let frame = try #require(try await connection.receive())
                #expect(frame.headers.contentEncoding == .deflate)
                #expect(frame.body.readableBytes < 1_000)
                let answer = try JSONValue(parsing: Array(try BodyCompression.decompress(frame.body, limit: 1 << 20).readableBytesView))
                #expect(answer["result"] == .string(big))

                // Small answers are not compressed even when accepted.
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":2}"#, headers: ["Accept-Encoding: deflate"])
                #expect(try #require(try await connection.receive()).headers.contentEncoding == .identity)

                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":3}"#, headers: ["Content-Encoding: br"])
                let unsupported = try #require(try await connection.receiveJSON())
                #expect(unsupported["error"]?["code"] == -32601)
                #expect(unsupported["error"]?["message"]?.stringValue?.contains("deflate") == true)

                try await connection.sendBytes([0x78, 0x9C, 0xFF, 0xFF, 0x00], headers: ["Content-Encoding: deflate"])
                #expect(try await connection.receiveJSON()?["error"]?["code"] == -32700)

                // The connection survives both.
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":4}"#)
                #expect(try await connection.receiveJSON()?["id"] == 4)
            }
        }
    }

    @Test("at the in-flight cap the server stops reading: later frames wait, none is dropped", arguments: [2, 64])
    func backPressure(cap: Int) async throws {
        try await LiveServer.run({ $0.maximumInFlightPerConnection = cap }) { server in
            try await RawClient.connect(port: server.port) { connection in
                for id in 1...2 {
                    try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":400},"id":\#(id)}"#, headers: [Self.admin])
                }
                for id in 3...10 {
                    try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":[\#(id)],"id":\#(id)}"#, headers: [Self.admin])
                }
                var order: [JSONValue] = []
                for _ in 1...10 { order.append(try #require(try await connection.receiveJSON()?["id"])) }
                #expect(Set(order) == Set((1...10).map { JSONValue.int(Int64($0)) }))
                if cap == 2 {
                    // The echoes could only be read once a sleeping call had freed a slot.
                    #expect(order.first == 1 || order.first == 2, "\(order)")
                } else {
                    // With room to spare, the echoes overtake the sleeping calls.
                    #expect(order.first != 1 && order.first != 2, "\(order)")
                }
            }
        }
    }

    @Test("health.check and rpc.discover answer at once on a connection whose every in-flight slot is taken")
    func immediateMethodsAtTheCap() async throws {
        try await LiveServer.run({ $0.maximumInFlightPerConnection = 1 }) { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":1500},"id":"slow"}"#, headers: [Self.admin])
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":"probe"}"#)
                try await connection.send(#"{"jsonrpc":"2.0","method":"rpc.discover","id":"discover"}"#, headers: [Self.admin])
                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":"late","params":{}}"#, headers: ["Timeout: 1n"])
                var answers: [JSONValue] = []
                for _ in 1...4 { answers.append(try #require(try await connection.receiveJSON())) }
                // The slot is the sleeping call's until it ends: the others could only overtake it by being
                // answered where they were read.
                #expect(answers.map { $0["id"] } == ["probe", "discover", "late", "slow"])
                #expect(answers[0]["result"]?["status"] == "SERVING")
                #expect(answers[1]["result"]?["openrpc"] == "1.3.2")
                #expect(answers[2]["error"]?["data"]?["status"] == "DEADLINE_EXCEEDED", "a deadline already passed is still kept")
                #expect(answers[3]["result"]?["slept"] == 1500)
            }
        }
    }

    @Test("beyond the connection cap a new connection gets RESOURCE_EXHAUSTED and is closed")
    func connectionCap() async throws {
        try await LiveServer.run({ $0.maximumConnections = 2 }) { server in
            try await RawClient.connect(port: server.port) { first in
                try await first.send(#"{"jsonrpc":"2.0","method":"health.check","id":1}"#)
                _ = try await first.receive()
                try await RawClient.connect(port: server.port) { second in
                    try await second.send(#"{"jsonrpc":"2.0","method":"health.check","id":1}"#)
                    _ = try await second.receive()
                    try await RawClient.connect(port: server.port) { third in
                        let answer = try #require(try await third.receiveJSON())
                        #expect(answer["error"]?["code"] == -32008)
                        #expect(try await third.receive() == nil)
                    }
                }
            }
        }
    }

    @Test("an idle connection is closed; one with a call in flight is not")
    func idleTimeout() async throws {
        try await LiveServer.run({ $0.idleTimeout = .milliseconds(1_500) }) { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":3500},"id":1}"#, headers: [Self.admin])
                #expect(try await connection.receiveJSON()?["result"]?["slept"] == 3500)
                #expect(try await connection.receive() == nil)
            }
        }
    }

    @Test("drain: a call in flight finishes, new calls get UNAVAILABLE (processed: false), health is NOT_SERVING")
    func drain() async throws {
        try await LiveServer.run { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":3000},"id":"slow"}"#, headers: [Self.admin])
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":[0],"id":"warm"}"#, headers: [Self.admin])
                #expect(try await connection.receiveJSON()?["id"] == "warm")

                server.shutdown.triggerGracefulShutdown()
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":[1],"id":"new"}"#, headers: [Self.admin])
                let refused = try #require(try await connection.receiveJSON())
                #expect(refused["error"]?["code"] == -32014)
                #expect(refused["error"]?["data"]?["processed"] == false)
                #expect(refused["error"]?["data"]?["retryable"] == true)

                try await connection.send(#"{"jsonrpc":"2.0","method":"health.check","id":"h"}"#)
                #expect(try await connection.receiveJSON()?["result"]?["status"] == "NOT_SERVING")

                let slow = try #require(try await connection.receiveJSON())
                #expect(slow["id"] == "slow")
                #expect(slow["result"]?["slept"] == 3000)
                // Idle but still open: a call that arrives now is answered, not lost in a close.
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":[2],"id":"late"}"#, headers: [Self.admin])
                let late = try #require(try await connection.receiveJSON())
                #expect(late["id"] == "late")
                #expect(late["error"]?["code"] == -32014)
            }
            await #expect(throws: (any Error).self) {
                try await RawClient.connect(port: server.port) { _ in }
            }
        }
    }

    @Test("drain under load: 20 connections in a closed loop, every call written is answered (issue 11, defect 2)")
    func drainUnderLoad() async throws {
        let answeredBeforeDrain = Counter()
        try await LiveServer.run { server in
            try await withThrowingTaskGroup(of: (sent: Int, answered: Int, refused: Bool).self) { group in
                for client in 0..<20 {
                    group.addTask {
                        try await RawClient.connect(port: server.port) { connection in
                            var sent = 0
                            var answered = 0
                            // Until the server says it is draining: then a well-behaved client goes away.
                            while true {
                                let method = sent.isMultiple(of: 2) ? "test.echo" : "health.check"
                                try await connection.send(
                                    #"{"jsonrpc":"2.0","method":"\#(method)","params":[],"id":\#(sent)}"#, headers: [Self.admin]
                                )
                                sent += 1
                                guard let answer = try await connection.receiveJSON() else { break }
                                answered += 1
                                answeredBeforeDrain.increment()
                                if answer["error"]?["code"] == -32014 {
                                    #expect(answer["error"]?["data"]?["processed"] == false, "client \(client)")
                                    return (sent, answered, true)
                                }
                                if answer["result"]?["status"] == "NOT_SERVING" { return (sent, answered, true) }
                            }
                            return (sent, answered, false)
                        }
                    }
                }
                // Shut down once the loops are well under way (every connection has answered a few calls).
                let start = ContinuousClock.now
                while answeredBeforeDrain.value < 200, ContinuousClock.now - start < .seconds(10) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                server.shutdown.triggerGracefulShutdown()
                var calls = 0
                for try await outcome in group {
                    #expect(outcome.sent == outcome.answered, "a call written during the drain was never answered")
                    #expect(outcome.refused, "the connection closed before it said it was draining")
                    calls += outcome.sent
                }
                #expect(calls >= 200)
            }
        }
    }

    @Test("the grace period ends: the call still running answers CANCELLED, reading stops, the connection closes")
    func graceEnds() async throws {
        try await LiveServer.run({ $0.gracePeriod = .milliseconds(500) }) { server in
            try await RawClient.connect(port: server.port) { connection in
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.sleep","params":{"ms":20000},"id":"slow"}"#, headers: [Self.admin])
                try await connection.send(#"{"jsonrpc":"2.0","method":"test.echo","params":[0],"id":"warm"}"#, headers: [Self.admin])
                #expect(try await connection.receiveJSON()?["id"] == "warm")
                let start = ContinuousClock.now
                server.shutdown.triggerGracefulShutdown()
                let slow = try #require(try await connection.receiveJSON())
                #expect(slow["id"] == "slow")
                #expect(slow["error"]?["code"] == -32001)
                #expect(try await connection.receive() == nil)
                #expect(ContinuousClock.now - start < .seconds(10))
            }
        }
    }
}

/// A count shared by concurrent test tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
