import JSONRPC
import Testing

@Suite("MessageParser")
struct MessageParserTests {
    func parse(_ text: String) -> Result<IncomingMessage, RPCError> {
        MessageParser.parse(Array(text.utf8))
    }

    func request(_ text: String) throws -> Request {
        guard case .success(.single(.request(let request))) = parse(text) else {
            Issue.record("expected a valid request from \(text)")
            throw RPCError(.internal, "not a request")
        }
        return request
    }

    @Test("a fuzzer's input: a batch of huge numbers is a batch of invalid requests, over the limit RESOURCE_EXHAUSTED")
    func fuzzRegressions() throws {
        let batchOfHugeNumbers = #"[5555555500000000055555555,555555555555555555555555,55555555555555555555555555555,555555555000000004,55555555555555555555555555,5555555555555555,55555555500000000055555555,5555555555555555555555555,555555555,5555555555555555,55555555555555,5555555555555555,555555555000000004,55555555555555555555555555,5555555555555555,55555555500000000055555555,5555555555555555555555555,555555555,5555555555555555,5555555550]"#
        guard case .success(.batch(let items)) = parse(batchOfHugeNumbers) else {
            Issue.record("a batch of numbers is a batch of invalid requests")
            return
        }
        #expect(items.count > 10)
        guard case .failure(let error) = MessageParser.parse(Array(batchOfHugeNumbers.utf8), maximumBatchSize: 16) else {
            Issue.record("a batch over the limit is refused")
            return
        }
        #expect(error.code == .resourceExhausted)
    }

    @Test("reads the envelope and keeps params as text")
    func envelope() throws {
        let request = try request(#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 3}"#)
        #expect(request.method == "subtract")
        #expect(request.id == .number("3"))
        #expect(request.params?.text == #"{"minuend": 42, "subtrahend": 23}"#)
    }

    @Test("ids of every allowed kind; no id is a notification, null is a request")
    func ids() throws {
        #expect(try request(#"{"jsonrpc":"2.0","method":"m","id":"abc"}"#).id == .string("abc"))
        #expect(try request(#"{"jsonrpc":"2.0","method":"m","id":-1.5e3}"#).id == .number("-1.5e3"))
        #expect(try request(#"{"jsonrpc":"2.0","method":"m","id":null}"#).id == .null)
        #expect(try request(#"{"jsonrpc":"2.0","method":"m"}"#).isNotification)
        #expect(try request(#"{"jsonrpc":"2.0","method":"m","id":"a\"b\u00e9"}"#).id == .string("a\"bé"))
    }

    @Test("member names written with escapes are still those names")
    func escapedNames() throws {
        #expect(try request(#"{"jsonrpc":"2.0","meth\u006fd":"m","id":1}"#).method == "m")
    }

    @Test(
        "invalid requests answer Invalid Request with the id when it could be read",
        arguments: [
            (#"{"jsonrpc":"1.0","method":"m","id":7}"#, RequestID.number("7")),
            (#"{"method":"m","id":"x"}"#, RequestID.string("x")),
            (#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#, RequestID.null),
            (#"{"jsonrpc":"2.0","method":"m","params":"bar","id":2}"#, RequestID.number("2")),
            (#"{"jsonrpc":"2.0","method":"m","id":{"a":1}}"#, RequestID.null),
            (#"{"jsonrpc":2.0,"method":"m","id":4}"#, RequestID.number("4")),
            ("5", RequestID.null),
        ]
    )
    func invalid(text: String, id: RequestID) {
        guard case .success(.single(.invalid(let readID, let error))) = parse(text) else {
            Issue.record("expected an invalid request for \(text)")
            return
        }
        #expect(readID == id)
        #expect(error.code == .invalidRequest)
    }

    @Test(
        "invalid JSON is a Parse error",
        arguments: [
            #"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
            "", "   ", "{", #"{"a":1,}"#, "[1,2", #"{"a" 1}"#, "01", "1.", "-", "tru", #""\x""#,
            #"{"a":"\u12"}"#, "{\"a\":\"\u{01}\"}", #"{"a":1} x"#, "nul", "[1]]",
        ]
    )
    func parseErrors(text: String) {
        guard case .failure(let error) = parse(text) else {
            Issue.record("expected a parse error for \(text)")
            return
        }
        #expect(error.code == .parseError)
    }

    @Test(
        "invalid UTF-8 is a Parse error",
        arguments: [
            [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x80],
        ] as [[UInt8]]
    )
    func invalidUTF8(bytes: [UInt8]) {
        let body = Array(#"{"jsonrpc":"2.0","method":""#.utf8) + bytes + Array(#"","id":1}"#.utf8)
        guard case .failure(let error) = MessageParser.parse(body) else {
            Issue.record("expected a parse error for \(bytes)")
            return
        }
        #expect(error.code == .parseError)
    }

    @Test("valid multi-byte UTF-8 passes")
    func validUTF8() throws {
        #expect(try request(#"{"jsonrpc":"2.0","method":"é€𝄞","id":1}"#).method == "é€𝄞")
    }

    @Test("nesting deeper than the limit is a Parse error, not a crash")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        guard case .failure(let error) = parse(#"{"jsonrpc":"2.0","method":"m","params":\#(deep)}"#) else {
            Issue.record("expected a parse error")
            return
        }
        #expect(error.code == .parseError)
    }

    @Test("a batch keeps every item in order, each valid or invalid on its own")
    func batch() {
        let text = #"[{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method":"notify_hello","params":[7]},{"foo":"boo"},1]"#
        guard case .success(.batch(let items)) = parse(text) else {
            Issue.record("expected a batch")
            return
        }
        #expect(items.count == 4)
        guard case .request(let first) = items[0], case .request(let second) = items[1],
            case .invalid = items[2], case .invalid = items[3]
        else {
            Issue.record("unexpected items \(items)")
            return
        }
        #expect(first.method == "sum")
        #expect(second.isNotification)
    }

    @Test("an empty batch is one Invalid Request")
    func emptyBatch() {
        guard case .failure(let error) = parse(" [ ] ") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .invalidRequest)
    }

    @Test("a batch over the limit is one error")
    func batchLimit() {
        let items = Array(repeating: #"{"jsonrpc":"2.0","method":"m"}"#, count: 4).joined(separator: ",")
        guard case .failure(let error) = MessageParser.parse(Array("[\(items)]".utf8), maximumBatchSize: 3) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .resourceExhausted)
        guard case .success(.batch(let parsed)) = MessageParser.parse(Array("[\(items)]".utf8), maximumBatchSize: 4) else {
            Issue.record("expected a batch at the limit")
            return
        }
        #expect(parsed.count == 4)
    }
}
