/// A JSON-RPC error code with its status name.
///
/// The spec's own codes, and one code per gRPC status as `-32000 - status`, so a status survives the
/// trip through JSON-RPC intact. A struct of static members rather than a public enum, so codes can be
/// added without breaking anyone's `switch`. Unknown codes received from a peer are kept as they are.
public struct RPCErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    /// The status name that travels in `error.data.status`, e.g. `NOT_FOUND`.
    public let status: String

    public init(rawValue: Int) {
        self.rawValue = rawValue
        self.status = Self.known.first { $0.rawValue == rawValue }?.status ?? "UNKNOWN"
    }

    private init(_ rawValue: Int, _ status: String) {
        self.rawValue = rawValue
        self.status = status
    }

    public var description: String { "\(status) (\(rawValue))" }

    // The JSON-RPC 2.0 specification's codes.
    public static let parseError = Self(-32700, "PARSE_ERROR")
    public static let invalidRequest = Self(-32600, "INVALID_REQUEST")
    /// Method not found; gRPC's UNIMPLEMENTED.
    public static let unimplemented = Self(-32601, "UNIMPLEMENTED")
    /// Invalid params; gRPC's INVALID_ARGUMENT.
    public static let invalidArgument = Self(-32602, "INVALID_ARGUMENT")
    /// Internal error; gRPC's INTERNAL.
    public static let `internal` = Self(-32603, "INTERNAL")

    // gRPC statuses, as -32000 minus the status number.
    public static let cancelled = Self(-32001, "CANCELLED")
    public static let unknown = Self(-32002, "UNKNOWN")
    public static let deadlineExceeded = Self(-32004, "DEADLINE_EXCEEDED")
    public static let notFound = Self(-32005, "NOT_FOUND")
    public static let alreadyExists = Self(-32006, "ALREADY_EXISTS")
    public static let permissionDenied = Self(-32007, "PERMISSION_DENIED")
    public static let resourceExhausted = Self(-32008, "RESOURCE_EXHAUSTED")
    public static let failedPrecondition = Self(-32009, "FAILED_PRECONDITION")
    public static let aborted = Self(-32010, "ABORTED")
    public static let outOfRange = Self(-32011, "OUT_OF_RANGE")
    public static let unavailable = Self(-32014, "UNAVAILABLE")
    public static let dataLoss = Self(-32015, "DATA_LOSS")
    public static let unauthenticated = Self(-32016, "UNAUTHENTICATED")

    /// Every code this library knows, in numeric order.
    public static let known: [RPCErrorCode] = [
        .parseError, .invalidRequest, .unimplemented, .invalidArgument, .internal,
        .unauthenticated, .dataLoss, .unavailable, .outOfRange, .aborted, .failedPrecondition,
        .resourceExhausted, .permissionDenied, .alreadyExists, .notFound, .deadlineExceeded, .unknown,
        .cancelled,
    ].sorted { $0.rawValue < $1.rawValue }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
