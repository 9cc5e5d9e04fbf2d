public import NIOCore

/// Splits a byte stream into frames. The header block is parsed as bytes; the body length is checked
/// against the limit before a single body byte is buffered. Install it with
/// `ByteToMessageHandler(FrameDecoder(limits:), maximumBufferSize:)` so the buffer is capped as well.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame

    private static let terminator: [UInt8] = Array("\r\n\r\n".utf8)

    public let limits: FrameLimits
    /// The header of the frame whose body is still arriving.
    private var pending: (headers: FrameHeaders, length: Int)?

    public init(limits: FrameLimits = FrameLimits()) {
        self.limits = limits
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try decodeFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // A frame cut short by the peer's close is dropped: there is nobody left to answer.
        try decode(context: context, buffer: &buffer)
    }

    /// The next whole frame in `buffer`, or nil when more bytes are needed.
    public mutating func decodeFrame(_ buffer: inout ByteBuffer) throws(FrameError) -> Frame? {
        if pending == nil {
            guard let (headers, length, headerBytes) = try parseHeaderBlock(buffer) else { return nil }
            buffer.moveReaderIndex(forwardBy: headerBytes)
            pending = (headers, length)
        }
        guard let (headers, length) = pending, let body = buffer.readSlice(length: length) else { return nil }
        pending = nil
        return Frame(headers: headers, body: body)
    }

    private func parseHeaderBlock(_ buffer: ByteBuffer) throws(FrameError) -> (FrameHeaders, Int, Int)? {
        let view = buffer.readableBytesView
        let searchable = view.prefix(limits.maximumHeaderBytes)
        guard let end = Self.firstTerminator(in: searchable) else {
            if view.count >= limits.maximumHeaderBytes { throw .headerTooLarge(limit: limits.maximumHeaderBytes) }
            return nil
        }
        var headers = FrameHeaders()
        var contentLength: Int?
        // A header that decides how the frame is read or who sends it may appear once: a repeat is refused,
        // never resolved by order (two `Authorization` headers could otherwise pick the caller).
        var seen = SingleHeaders()
        var lineStart = view.startIndex
        while lineStart < end {
            let lineEnd = Self.lineEnd(in: view, from: lineStart, limit: end)
            let line = view[lineStart..<lineEnd]
            lineStart = lineEnd + 2
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .malformedHeader("header line without a colon")
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, !name.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
                throw .malformedHeader("invalid header name")
            }
            let value = Self.trimmed(line[(colon + 1)...])
            if Self.equalsIgnoringCase(name, "content-length") {
                try seen.insert(.contentLength)
                contentLength = try Self.parseLength(value)
            } else if Self.equalsIgnoringCase(name, "content-encoding") {
                try seen.insert(.contentEncoding)
                headers.contentEncoding = Self.encoding(value)
            } else if Self.equalsIgnoringCase(name, "accept-encoding") {
                headers.acceptsDeflate = String(decoding: value, as: UTF8.self).lowercased()
                    .split(separator: ",").contains { $0.split(separator: ";").first?.trimmingSpaces == "deflate" }
            } else if Self.equalsIgnoringCase(name, "authorization") {
                try seen.insert(.authorization)
                let text = String(decoding: value, as: UTF8.self)
                let prefix = "bearer "
                headers.bearerToken = text.lowercased().hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : ""
            } else if Self.equalsIgnoringCase(name, "timeout") {
                try seen.insert(.timeout)
                headers.timeout = String(decoding: value, as: UTF8.self)
            } else if Self.equalsIgnoringCase(name, "traceparent") {
                try seen.insert(.traceparent)
                headers.traceparent = String(decoding: value, as: UTF8.self)
            }
        }
        guard let contentLength else { throw .malformedHeader("missing Content-Length") }
        guard contentLength <= limits.maximumBodyBytes else {
            throw .bodyTooLarge(length: contentLength, limit: limits.maximumBodyBytes)
        }
        return (headers, contentLength, end + 4 - view.startIndex)
    }

    private static func firstTerminator(in bytes: ByteBufferView.SubSequence) -> Int? {
        var index = bytes.startIndex
        while let cr = bytes[index...].firstIndex(of: UInt8(ascii: "\r")) {
            if bytes.endIndex - cr < 4 { return nil }
            if bytes[cr + 1] == UInt8(ascii: "\n"), bytes[cr + 2] == UInt8(ascii: "\r"), bytes[cr + 3] == UInt8(ascii: "\n") {
                return cr
            }
            index = cr + 1
        }
        return nil
    }

    /// Where the line starting at `start` ends (its CR), within the header block ending at `limit`.
    private static func lineEnd(in view: ByteBufferView, from start: Int, limit: Int) -> Int {
        var index = start
        while index < limit, !(view[index] == UInt8(ascii: "\r") && view[index + 1] == UInt8(ascii: "\n")) {
            index += 1
        }
        return index
    }

    private static func parseLength(_ value: ByteBufferView.SubSequence) throws(FrameError) -> Int {
        guard !value.isEmpty, value.count <= 12, value.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else {
            throw .malformedHeader("Content-Length must be a non-negative decimal number")
        }
        return value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func encoding(_ value: ByteBufferView.SubSequence) -> FrameHeaders.Encoding {
        let text = String(decoding: value, as: UTF8.self).lowercased()
        switch text {
        case "", "identity": return .identity
        case "deflate": return .deflate
        default: return .unsupported(text)
        }
    }

    private static func trimmed(_ bytes: ByteBufferView.SubSequence) -> ByteBufferView.SubSequence {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
        return slice
    }

    private static func equalsIgnoringCase(_ bytes: ByteBufferView.SubSequence, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return zip(bytes, expected).allSatisfy { ($0 | 0x20) == $1 }
    }
}

/// The headers that may appear at most once in a frame.
private struct SingleHeaders {
    enum Name: UInt8 {
        case contentLength, contentEncoding, authorization, timeout, traceparent

        var display: String {
            switch self {
            case .contentLength: "Content-Length"
            case .contentEncoding: "Content-Encoding"
            case .authorization: "Authorization"
            case .timeout: "Timeout"
            case .traceparent: "Traceparent"
            }
        }
    }

    private var bits: UInt8 = 0

    mutating func insert(_ name: Name) throws(FrameError) {
        let bit: UInt8 = 1 << name.rawValue
        guard bits & bit == 0 else { throw .malformedHeader("repeated \(name.display)") }
        bits |= bit
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var slice = self
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
