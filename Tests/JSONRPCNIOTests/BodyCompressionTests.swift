import JSONRPCNIO
import NIOCore
import Testing

@Suite("BodyCompression")
struct BodyCompressionTests {
    @Test("deflate round trip is zlib-wrapped (RFC 1950)")
    func roundTrip() throws {
        let text = String(repeating: #"{"jsonrpc":"2.0","id":1,"method":"health.check"}"#, count: 50)
        let compressed = try #require(BodyCompression.compress(ByteBuffer(string: text)))
        #expect(compressed.readableBytes < text.utf8.count / 5)
        // zlib header: CMF 0x78 and FCHECK making the 16-bit header a multiple of 31.
        let header = Array(compressed.readableBytesView.prefix(2))
        #expect(header[0] == 0x78)
        #expect((UInt16(header[0]) << 8 | UInt16(header[1])) % 31 == 0)
        let inflated = try BodyCompression.decompress(compressed, limit: 1 << 20)
        #expect(String(buffer: inflated) == text)
    }

    @Test("a corrupt body is refused")
    func corrupt() throws {
        var compressed = try #require(BodyCompression.compress(ByteBuffer(string: String(repeating: "abc", count: 100))))
        compressed.setInteger(UInt8(0xFF), at: compressed.readerIndex + 4)
        compressed.setInteger(UInt8(0x00), at: compressed.readerIndex + 5)
        #expect(throws: BodyCompression.Failure.corrupt) { try BodyCompression.decompress(compressed, limit: 1 << 20) }
        #expect(throws: BodyCompression.Failure.corrupt) {
            try BodyCompression.decompress(ByteBuffer(string: "not deflate at all"), limit: 1 << 20)
        }
    }

    @Test("inflating past the limit is refused (no zip bombs)")
    func bomb() throws {
        let compressed = try #require(BodyCompression.compress(ByteBuffer(repeating: 0x20, count: 1 << 20)))
        #expect(compressed.readableBytes < 10_000)
        #expect(throws: BodyCompression.Failure.tooLarge(limit: 1000)) { try BodyCompression.decompress(compressed, limit: 1000) }
    }

    @Test("a body that inflates to just over the limit is refused, never returned over it (found by FuzzFrames)")
    func justOverTheLimit() throws {
        // CompressNIO grows its output by buffers whose capacity the allocator rounds up, so what it returns can
        // exceed the `maxSize` it was given; the limit is held here.
        for limit in [1_000, 4_096, 5_000] {
            for excess in [1, 7, 64, 300] {
                let compressed = try #require(BodyCompression.compress(ByteBuffer(repeating: 0xC3, count: limit + excess)))
                #expect(throws: BodyCompression.Failure.tooLarge(limit: limit), "limit \(limit), \(limit + excess) bytes") {
                    try BodyCompression.decompress(compressed, limit: limit)
                }
            }
            let exact = try #require(BodyCompression.compress(ByteBuffer(repeating: 0xC3, count: limit)))
            #expect(try BodyCompression.decompress(exact, limit: limit).readableBytes == limit)
        }
    }
}
