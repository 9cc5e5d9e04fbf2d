/// An error as it travels on the wire: `{code, message, data: {status, retryable, processed?, details?}}`.
///
/// `message` is for people and must never hold personal data. `details` is structured and declared per
/// method in the schema. `processed: false` promises the server did nothing with the call, so any call
/// may safely be retried (used while draining).
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: RPCErrorCode
    public var message: String
    public var retryable: Bool
    public var processed: Bool?
    public var details: JSONValue?

    public init(
        _ code: RPCErrorCode,
        _ message: String,
        details: JSONValue? = nil,
        retryable: Bool? = nil,
        processed: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.retryable = retryable ?? (code == .unavailable || code == .aborted)
        self.processed = processed
    }

    public var description: String { "\(code.status) (\(code.rawValue)): \(message)" }

    /// The `error.data` member.
    public var data: JSONValue {
        var object: [String: JSONValue] = ["status": .string(code.status), "retryable": .bool(retryable)]
        if let processed { object["processed"] = .bool(processed) }
        if let details { object["details"] = details }
        return .object(object)
    }

    /// Rebuilds an error received from a peer.
    public init(code: Int, message: String, data: JSONValue?) {
        self.code = RPCErrorCode(rawValue: code)
        self.message = message
        self.retryable = data?["retryable"]?.boolValue ?? false
        self.processed = data?["processed"]?.boolValue
        self.details = data?["details"]
    }
}

/// An error that chooses how it is presented on the wire. Any other error thrown by a handler becomes
/// INTERNAL with a generic message; its full description goes only to the log.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}

extension RPCError {
    public static func parseError(_ message: String) -> Self { Self(.parseError, message) }
    public static func invalidRequest(_ message: String) -> Self { Self(.invalidRequest, message) }
    public static func invalidParams(_ message: String) -> Self { Self(.invalidArgument, message) }
    public static func methodNotFound(_ method: String) -> Self {
        Self(.unimplemented, "method not found: \(method)")
    }
}
