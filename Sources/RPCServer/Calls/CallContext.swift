public import JSONRPC
public import Logging

/// What a handler knows about the call it serves.
public struct CallContext: Sendable {
    public var method: String
    /// `nil` for a notification.
    public var requestID: RequestID?
    public var metadata: CallMetadata
    /// Set by authentication; `nil` only for methods that need no caller.
    public var caller: Caller?
    public var deadline: ContinuousClock.Instant?
    public var logger: Logger

    public init(
        method: String,
        requestID: RequestID?,
        metadata: CallMetadata,
        caller: Caller? = nil,
        deadline: ContinuousClock.Instant? = nil,
        logger: Logger
    ) {
        self.method = method
        self.requestID = requestID
        self.metadata = metadata
        self.caller = caller
        self.deadline = deadline
        self.logger = logger
    }
}
