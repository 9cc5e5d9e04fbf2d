/// Per-call metadata from the frame headers, as gRPC carries it in HTTP/2 headers. A batch shares its
/// frame's metadata.
public struct CallMetadata: Sendable, Equatable {
    public var bearerToken: String?
    public var timeout: String?
    public var traceparent: String?

    public init(bearerToken: String? = nil, timeout: String? = nil, traceparent: String? = nil) {
        self.bearerToken = bearerToken
        self.timeout = timeout
        self.traceparent = traceparent
    }
}
