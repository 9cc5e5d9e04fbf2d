import JSONRPC
import Testing

@Suite("Response writing and reading")
struct ResponseTests {
    @Test("a result response echoes the id and embeds the result text")
    func result() throws {
        let response = Response.result(id: .number("1.50"), try RawJSON(#"{"a":[1,2]}"#))
        #expect(String(decoding: response.bytes, as: UTF8.self) == #"{"jsonrpc":"2.0","id":1.50,"result":{"a":[1,2]}}"#)
    }

    @Test("an error response carries code, message and data with status and retryable")
    func error() throws {
        let error = RPCError(.notFound, "no request \"r1\"", details: ["requestId": "r1"])
        let text = String(decoding: Response.error(id: "x\n", error).bytes, as: UTF8.self)
        #expect(
            text
                == #"{"jsonrpc":"2.0","id":"x\n","error":{"code":-32005,"message":"no request \"r1\"","data":{"details":{"requestId":"r1"},"retryable":false,"status":"NOT_FOUND"}}}"#
        )
        let parsed = try ResponseParser.parse(Array(text.utf8))
        #expect(parsed.count == 1)
        #expect(parsed[0].id == .string("x\n"))
        #expect(parsed[0].error == error)
    }

    @Test("a batch answer parses back in order")
    func batch() throws {
        let responses: [Response] = [
            .result(id: 1, try RawJSON("7")),
            .error(id: .null, RPCError(.invalidRequest, "bad")),
            .result(id: "b", try RawJSON(#""s""#)),
        ]
        let parsed = try ResponseParser.parse(Response.batchBytes(responses))
        #expect(parsed.map(\.id) == [1, .null, "b"])
        #expect(parsed[0].result?.text == "7")
        #expect(parsed[1].error?.code == .invalidRequest)
    }

    @Test("every gRPC status maps to -32000 minus its number")
    func codes() {
        let statuses: [(RPCErrorCode, Int)] = [
            (.cancelled, 1), (.unknown, 2), (.deadlineExceeded, 4), (.notFound, 5), (.alreadyExists, 6),
            (.permissionDenied, 7), (.resourceExhausted, 8), (.failedPrecondition, 9), (.aborted, 10),
            (.outOfRange, 11), (.unavailable, 14), (.dataLoss, 15), (.unauthenticated, 16),
        ]
        for (code, status) in statuses { #expect(code.rawValue == -32000 - status) }
        #expect(RPCErrorCode(rawValue: -32005).status == "NOT_FOUND")
        #expect(RPCErrorCode(rawValue: -31999).status == "UNKNOWN")
        #expect(RPCErrorCode.unimplemented.rawValue == -32601)
        #expect(RPCErrorCode.invalidArgument.rawValue == -32602)
    }

    @Test("UNAVAILABLE and ABORTED are retryable by default; processed travels in data")
    func retryable() {
        #expect(RPCError(.unavailable, "x").retryable)
        #expect(!RPCError(.notFound, "x").retryable)
        #expect(RPCError(.unavailable, "x", processed: false).data["processed"] == false)
    }
}
