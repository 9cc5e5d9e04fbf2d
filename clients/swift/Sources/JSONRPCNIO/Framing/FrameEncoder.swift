public import NIOCore

/// Writes frames: `Content-Length`, the metadata headers that are set, a blank line, the body.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data frame: Frame, out: inout ByteBuffer) {
        Self.write(frame, to: &out)
    }

    public static func write(_ frame: Frame, to out: inout ByteBuffer) {
        out.reserveCapacity(minimumWritableBytes: frame.body.readableBytes + 64)
        out.writeStaticString("Content-Length: ")
        out.writeString(String(frame.body.readableBytes))
        out.writeStaticString("\r\n")
        let headers = frame.headers
        switch headers.contentEncoding {
        case .identity: break
        case .deflate: out.writeStaticString("Content-Encoding: deflate\r\n")
        case .unsupported(let name): out.writeString("Content-Encoding: \(name)\r\n")
        }
        if headers.acceptsDeflate { out.writeStaticString("Accept-Encoding: deflate\r\n") }
        if let token = headers.bearerToken { out.writeString("Authorization: Bearer \(token)\r\n") }
        if let timeout = headers.timeout { out.writeString("Timeout: \(timeout)\r\n") }
        if let traceparent = headers.traceparent { out.writeString("Traceparent: \(traceparent)\r\n") }
        out.writeStaticString("\r\n")
        var body = frame.body
        out.writeBuffer(&body)
    }
}
