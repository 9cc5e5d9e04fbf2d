import JSONRPCNIO
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    func frameBytes(_ body: String, headers: String = "") -> String {
        "Content-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
    }

    /// Feeds `input` in pieces of `chunk` bytes; returns the frames' bodies.
    func decode(_ input: String, chunk: Int = .max, limits: FrameLimits = FrameLimits()) throws -> [Frame] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(limits: limits)))
        var frames: [Frame] = []
        let bytes = Array(input.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            while let frame = try channel.readInbound(as: Frame.self) { frames.append(frame) }
        }
        #expect(try channel.finish().isClean)
        return frames
    }

    @Test("every split of the input gives the same frames (ByteToMessageDecoderVerifier)")
    func everySplit() throws {
        let bodies = [#"{"jsonrpc":"2.0","id":1,"method":"health.check"}"#, "[]", "é"]
        var pairs: [(ByteBuffer, [Frame])] = []
        for body in bodies {
            pairs.append((ByteBuffer(string: frameBytes(body)), [Frame(body: ByteBuffer(string: body))]))
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
    }

    @Test("a frame split at every byte boundary decodes whole")
    func byteByByte() throws {
        let body = #"{"jsonrpc":"2.0","id":"x","method":"m","params":{"s":"\r\n\r\n"}}"#
        let input = frameBytes(body, headers: "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nTimeout: 5S\r\n")
        for chunk in 1...8 {
            let frames = try decode(input, chunk: chunk)
            #expect(frames.count == 1)
            #expect(String(buffer: frames[0].body) == body)
            #expect(frames[0].headers.timeout == "5S")
        }
    }

    @Test("several frames in one read come out in order")
    func coalesced() throws {
        let input = (1...5).map { frameBytes(#"{"id":\#($0)}"#) }.joined()
        let frames = try decode(input)
        #expect(frames.map { String(buffer: $0.body) } == (1...5).map { #"{"id":\#($0)}"# })
    }

    @Test("headers: case-insensitive names, bearer token, encodings, traceparent, unknown ignored")
    func headers() throws {
        let input = frameBytes(
            "{}",
            headers: "authorization: bearer s3cret\r\nCONTENT-ENCODING: Deflate\r\nAccept-Encoding: gzip, deflate;q=0.5\r\n"
                + "traceparent: 00-abc-def-01\r\nX-Whatever: 1\r\n"
        )
        let headers = try #require(try decode(input).first).headers
        #expect(headers.bearerToken == "s3cret")
        #expect(headers.contentEncoding == .deflate)
        #expect(headers.acceptsDeflate)
        #expect(headers.traceparent == "00-abc-def-01")
    }

    @Test(
        "a malformed header block is an error, never a crash or a hang",
        arguments: [
            ("Content-Length 5\r\n\r\nhello", FrameError.malformedHeader("header line without a colon")),
            ("Content-Length: abc\r\n\r\n", .malformedHeader("Content-Length must be a non-negative decimal number")),
            ("Content-Length: -5\r\n\r\n", .malformedHeader("Content-Length must be a non-negative decimal number")),
            ("Content-Length: \r\n\r\n", .malformedHeader("Content-Length must be a non-negative decimal number")),
            ("Content-Length: 99999999999999999999\r\n\r\n", .malformedHeader("Content-Length must be a non-negative decimal number")),
            ("Content-Type: x\r\n\r\n{}", .malformedHeader("missing Content-Length")),
            ("Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", .malformedHeader("repeated Content-Length")),
            // Ambiguous metadata is refused, never resolved by order (issue 11, defect 12).
            ("Authorization: Bearer a\r\nContent-Length: 2\r\nauthorization: Bearer b\r\n\r\n{}",
             .malformedHeader("repeated Authorization")),
            ("Timeout: 1S\r\nTIMEOUT: 9H\r\nContent-Length: 2\r\n\r\n{}", .malformedHeader("repeated Timeout")),
            ("Content-Encoding: deflate\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}",
             .malformedHeader("repeated Content-Encoding")),
            ("Traceparent: a\r\nTraceparent: b\r\nContent-Length: 2\r\n\r\n{}", .malformedHeader("repeated Traceparent")),
            (": 2\r\n\r\n{}", .malformedHeader("invalid header name")),
            ("\r\n\r\n", .malformedHeader("missing Content-Length")),
        ]
    )
    func malformed(input: String, expected: FrameError) {
        #expect(throws: expected) { try decode(input) }
    }

    @Test("a body over the limit fails on the header, before the body is buffered")
    func bodyTooLarge() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(limits: FrameLimits(maximumBodyBytes: 100))))
        #expect(throws: FrameError.bodyTooLarge(length: 101, limit: 100)) {
            // Only the header is sent: the error must not wait for the 101 bytes.
            try channel.writeInbound(ByteBuffer(string: "Content-Length: 101\r\n\r\n"))
        }
        _ = try? channel.finish()
        #expect(try decode(frameBytes(String(repeating: "x", count: 100)), limits: FrameLimits(maximumBodyBytes: 100)).count == 1)
    }

    @Test("a header block over 8 KiB is refused without its end")
    func headerTooLarge() {
        let input = "Content-Length: 2\r\nX-Padding: " + String(repeating: "a", count: 9000)
        #expect(throws: FrameError.headerTooLarge(limit: 8192)) { try decode(input) }
    }

    @Test("the encoder writes what the decoder reads")
    func roundTrip() throws {
        let channel = EmbeddedChannel(handlers: [ByteToMessageHandler(FrameDecoder()), MessageToByteHandler(FrameEncoder())])
        let headers = FrameHeaders(contentEncoding: .deflate, acceptsDeflate: true, bearerToken: "t", timeout: "1S", traceparent: "tp")
        try channel.writeOutbound(Frame(headers: headers, body: ByteBuffer(string: "{\"a\":1}")))
        let wire = try #require(try channel.readOutbound(as: ByteBuffer.self))
        try channel.writeInbound(wire)
        let frame = try #require(try channel.readInbound(as: Frame.self))
        #expect(frame.headers == headers)
        #expect(String(buffer: frame.body) == "{\"a\":1}")
        #expect(try channel.finish().isClean)
    }
}
