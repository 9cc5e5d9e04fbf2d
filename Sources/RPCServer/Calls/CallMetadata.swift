/// Per-call metadata from the frame headers, as gRPC carries it in HTTP/2 headers. A batch shares its
/// frame's metadata.
public struct CallMetadata: Sendable, Equatable {
    public var bearerToken: String?
    public var timeout: String?
    public var traceparent: String?
    /// What the connection's verified client certificate names (its URI and DNS subject alternative
    /// names), under mTLS; empty otherwise. Identifies the caller when no token is sent.
    public var certificateSubjects: [String]

    public init(bearerToken: String? = nil, timeout: String? = nil, traceparent: String? = nil, certificateSubjects: [String] = []) {
        self.bearerToken = bearerToken
        self.timeout = timeout
        self.traceparent = traceparent
        self.certificateSubjects = certificateSubjects
    }
}
