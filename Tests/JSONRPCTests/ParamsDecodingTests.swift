import JSONRPC
import Testing

@Suite("Params decoding")
struct ParamsDecodingTests {
    struct Subtract: Codable, Equatable {
        var minuend: Int
        var subtrahend: Int
    }

    let names = ["minuend", "subtrahend"]

    @Test("by name and by position decode the same params")
    func byNameAndPosition() throws {
        let byName = try JSONRPCCoding.decodeParams(Subtract.self, from: try RawJSON(#"{"subtrahend":23,"minuend":42}"#), names: names)
        let byPosition = try JSONRPCCoding.decodeParams(Subtract.self, from: try RawJSON("[42, 23]"), names: names)
        #expect(byName == Subtract(minuend: 42, subtrahend: 23))
        #expect(byPosition == byName)
    }

    @Test(
        "every mistake is INVALID_ARGUMENT naming the param",
        arguments: [
            (#"{"minuend":42}"#, "missing param 'subtrahend'"),
            (#"{"minuend":"42","subtrahend":1}"#, "param 'minuend' must be an integer"),
            (#"{"minuend":null,"subtrahend":1}"#, "param 'minuend' must be an integer, not null"),
            (#"{"minuend":1,"subtrahend":2,"extra":3}"#, "unknown param 'extra' (accepted: minuend, subtrahend)"),
            ("[1,2,3]", "takes at most 2 params by position"),
            ("[1]", "missing param 'subtrahend'"),
        ]
    )
    func mistakes(params: String, message: String) throws {
        #expect {
            try JSONRPCCoding.decodeParams(Subtract.self, from: try RawJSON(params), names: names)
        } throws: { error in
            let rpcError = error as? RPCError
            return rpcError?.code == .invalidArgument && rpcError?.message == message
        }
    }

    @Test("no params decodes NoParams from absent, {} and []")
    func noParams() throws {
        _ = try JSONRPCCoding.decodeParams(NoParams.self, from: nil, names: [])
        _ = try JSONRPCCoding.decodeParams(NoParams.self, from: try RawJSON("{}"), names: [])
        _ = try JSONRPCCoding.decodeParams(NoParams.self, from: try RawJSON("[]"), names: [])
        #expect(throws: RPCError.self) { try JSONRPCCoding.decodeParams(NoParams.self, from: try RawJSON("[1]"), names: []) }
    }

    @Test("Timeout header: gRPC format both ways")
    func timeout() throws {
        #expect(try Timeout.parse("100m") == .milliseconds(100))
        #expect(try Timeout.parse("2S") == .seconds(2))
        #expect(try Timeout.parse("1H") == .seconds(3600))
        #expect(try Timeout.parse("99999999n") == .nanoseconds(99_999_999))
        for bad in ["", "S", "123456789S", "10x", "-1S", "1.5S", " 1S"] {
            #expect(throws: RPCError.self) { try Timeout.parse(bad) }
        }
        #expect(Timeout.format(.milliseconds(1500)) == "1500000u")
        #expect(try Timeout.parse(Timeout.format(.seconds(30))) == .seconds(30))
    }
}
