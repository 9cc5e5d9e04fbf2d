import JSONRPCNIO
import NIOCore

/// A seeded generator of frames: mostly well-framed bodies whose JSON is mutated (so a connection keeps
/// going), and now and then a frame whose header or length is broken (which ends the connection, as the
/// protocol says), a deflate body (valid, corrupt or a bomb), a batch, or a deeply nested value.
struct Mutator {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let templates: [String] = [
        #"{"jsonrpc":"2.0","method":"health.check","id":1}"#,
        #"{"jsonrpc":"2.0","method":"health.check","params":[],"id":"h"}"#,
        #"{"jsonrpc":"2.0","method":"deletion.status","params":{"requestId":"req_demo_ig"},"id":2}"#,
        #"{"jsonrpc":"2.0","method":"deletion.status","params":{"confirmationCode":"DEMO-IG-0001"},"id":3}"#,
        #"{"jsonrpc":"2.0","method":"integrations.status","params":{"accountId":"acc_demo"},"id":4}"#,
        #"{"jsonrpc":"2.0","method":"deletion.list","params":{"state":"cancelled","pageSize":5},"id":5}"#,
        #"{"jsonrpc":"2.0","method":"records.deleteContact","params":{"accountId":"acc_nobody","contactId":"con_x"},"id":6}"#,
        #"{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":1}}"#,
        #"{"jsonrpc":"2.0","method":"no.such.method","params":{"a":[1,2.5,-3e7,true,null,"\u00e9"]},"id":null}"#,
        #"[{"jsonrpc":"2.0","method":"health.check","id":1},{"jsonrpc":"2.0","method":"health.check"},{"foo":1},7]"#,
        #"{"jsonrpc":"2.0","method":"outbox.claim","params":{"kinds":["identity_code"],"limit":0},"id":8}"#,
    ]

    mutating func next(maybe: Int) -> Int { Int(random.next() % UInt64(maybe)) }

    /// One frame's bytes, and whether it ends the connection (a broken header).
    mutating func frame(token: String?) -> (bytes: [UInt8], final: Bool) {
        var headers: [String] = []
        if let token, next(maybe: 4) != 0 { headers.append("Authorization: Bearer \(token)") }
        if next(maybe: 10) == 0 { headers.append("Timeout: \(["1S", "100m", "5u", "99999999H", "0n"][next(maybe: 5)])") }
        if next(maybe: 20) == 0 { headers.append("Traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") }
        if next(maybe: 8) == 0 { headers.append("Accept-Encoding: deflate") }
        if next(maybe: 30) == 0 { headers.append("X-Unknown-\(next(maybe: 1000)): \(String(repeating: "v", count: next(maybe: 200)))") }
        var body = Array(Self.templates[next(maybe: Self.templates.count)].utf8)
        switch next(maybe: 100) {
        case 0..<55: mutateJSON(&body)
        case 55..<60: body = nested(depth: 1 + next(maybe: 20_000))
        case 60..<64: body = batch()
        case 64..<70:
            headers.append("Content-Encoding: deflate")
            body = deflateBody(body)
        default: break
        }
        if next(maybe: 100) < 3 {
            return (brokenHeader(headers: headers, body: body), true)
        }
        return (Self.frame(headers: headers, body: body), false)
    }

    static func frame(headers: [String], body: [UInt8]) -> [UInt8] {
        var text = "Content-Length: \(body.count)\r\n"
        for header in headers { text += header + "\r\n" }
        return Array((text + "\r\n").utf8) + body
    }

    /// 8 MiB of spaces, deflated (made once).
    static let bomb: [UInt8] = Array(BodyCompression.compress(ByteBuffer(repeating: UInt8(ascii: " "), count: 8 * 1024 * 1024))?.readableBytesView ?? [])

    private mutating func mutateJSON(_ body: inout [UInt8]) {
        for _ in 0...next(maybe: 4) {
            guard !body.isEmpty else { return }
            let at = next(maybe: body.count)
            switch next(maybe: 7) {
            case 0: body[at] ^= UInt8(1 << next(maybe: 8))
            case 1: body.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
            case 2: body.removeSubrange(at..<min(body.count, at + 1 + next(maybe: 8)))
            case 3:
                let end = min(body.count, at + 1 + next(maybe: 16))
                body.insert(contentsOf: body[at..<end], at: at)
            case 4: body.insert(contentsOf: Array(["\"\\ud800\"", "1e99999", "-0", "\u{FEFF}", "\"\\u0000\"", "18446744073709551616", "[]", "{}", "\u{7F}"][next(maybe: 9)].utf8), at: at)
            case 5: body[at] = [UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: ":"), 0xC3, 0xFF][next(maybe: 9)]
            default: body = Array(body[0..<at])
            }
        }
    }

    private mutating func nested(depth: Int) -> [UInt8] {
        let open = next(maybe: 2) == 0 ? UInt8(ascii: "[") : UInt8(ascii: "{")
        if open == UInt8(ascii: "[") {
            return [UInt8](repeating: open, count: depth) + (next(maybe: 2) == 0 ? [UInt8](repeating: UInt8(ascii: "]"), count: depth) : [])
        }
        return Array(String(repeating: #"{"a":"#, count: depth).utf8) + Array("1".utf8) + [UInt8](repeating: UInt8(ascii: "}"), count: depth)
    }

    private mutating func batch() -> [UInt8] {
        let count = [0, 1, 2, 50, 999, 1_000, 1_001, 1_500][next(maybe: 8)]
        var items: [String] = []
        for index in 0..<count {
            items.append(index.isMultiple(of: 3) ? #"{"jsonrpc":"2.0","method":"health.check"}"# : #"{"jsonrpc":"2.0","method":"health.check","id":\#(index)}"#)
        }
        return Array("[\(items.joined(separator: ","))]".utf8)
    }

    private mutating func deflateBody(_ body: [UInt8]) -> [UInt8] {
        switch next(maybe: 4) {
        case 0:  // a bomb: far more than the body limit once inflated
            return Self.bomb
        case 1:  // not deflate at all
            return body
        default:
            var compressed = Array(BodyCompression.compress(ByteBuffer(bytes: body))?.readableBytesView ?? [])
            if next(maybe: 3) == 0, !compressed.isEmpty { compressed[next(maybe: compressed.count)] ^= 0x55 }
            return compressed
        }
    }

    private mutating func brokenHeader(headers: [String], body: [UInt8]) -> [UInt8] {
        switch next(maybe: 8) {
        case 0: return Array("Content-Length: \(body.count + 1 + next(maybe: 100))\r\n\r\n".utf8) + body  // waits for bytes that never come
        case 1: return Array("Content-Length: \(max(0, body.count - 1 - next(maybe: 5)))\r\n\r\n".utf8) + body  // the rest is garbage
        case 2: return Array("Content-Length: 99999999999\r\n\r\n".utf8)
        case 3: return Array("Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello".utf8)
        case 4: return Array((String(repeating: "X-Big: yyyyyyyy\r\n", count: 700)).utf8)
        case 5: return Array("Content-Length 5\r\n\r\nhello".utf8)
        case 6: return Array("Authorization: Bearer a\r\nAuthorization: Bearer b\r\nContent-Length: 2\r\n\r\n{}".utf8)
        default: return (0..<next(maybe: 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
    }
}

/// A small, fast, seeded generator (the same seed gives the same run).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
