public import NIOCore

/// One LSP-style frame: a header block (`Content-Length` and per-call metadata) and a JSON body.
public struct Frame: Sendable, Equatable {
    public var headers: FrameHeaders
    public var body: ByteBuffer

    public init(headers: FrameHeaders = FrameHeaders(), body: ByteBuffer) {
        self.headers = headers
        self.body = body
    }
}

/// The headers this protocol understands; unknown headers are ignored. See `schemas/PROTOCOL.md`.
public struct FrameHeaders: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        case identity
        /// zlib-wrapped deflate (RFC 1950), as HTTP's `deflate`.
        case deflate
        case unsupported(String)
    }

    /// `Content-Encoding` of the body.
    public var contentEncoding: Encoding = .identity
    /// Whether `Accept-Encoding` lists `deflate`: the peer takes compressed answers.
    public var acceptsDeflate = false
    /// The bearer token of `Authorization: Bearer <token>`; `nil` when absent. A header that is present
    /// but not a bearer token is kept as the empty string, so it fails authentication.
    public var bearerToken: String?
    /// The raw `Timeout` value (gRPC format: 1–8 digits and a unit H/M/S/m/u/n).
    public var timeout: String?
    /// The W3C `Traceparent` value, passed to logs untouched.
    public var traceparent: String?

    public init(
        contentEncoding: Encoding = .identity,
        acceptsDeflate: Bool = false,
        bearerToken: String? = nil,
        timeout: String? = nil,
        traceparent: String? = nil
    ) {
        self.contentEncoding = contentEncoding
        self.acceptsDeflate = acceptsDeflate
        self.bearerToken = bearerToken
        self.timeout = timeout
        self.traceparent = traceparent
    }
}

/// The limits every frame is held to.
public struct FrameLimits: Sendable, Equatable {
    /// The header block, the blank line included.
    public var maximumHeaderBytes: Int
    /// The body as sent, and again after decompression.
    public var maximumBodyBytes: Int

    public init(maximumHeaderBytes: Int = 8 * 1024, maximumBodyBytes: Int = 4 * 1024 * 1024) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }
}

/// Why a byte stream is not a valid sequence of frames. After one, the connection cannot be resynchronised.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedHeader(String)
    case headerTooLarge(limit: Int)
    case bodyTooLarge(length: Int, limit: Int)

    public var description: String {
        switch self {
        case .malformedHeader(let reason): "malformed frame header: \(reason)"
        case .headerTooLarge(let limit): "frame header block exceeds \(limit) bytes"
        case .bodyTooLarge(let length, let limit): "frame body of \(length) bytes exceeds the limit of \(limit) bytes"
        }
    }
}
