/// One call as the server receives it, after the envelope was checked.
public struct Request: Sendable {
    /// `nil` for a notification, which is never answered.
    public var id: RequestID?
    public var method: String
    /// The `params` member as validated JSON text: an object (by name) or an array (by position).
    public var params: RawJSON?

    public init(id: RequestID?, method: String, params: RawJSON? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var isNotification: Bool { id == nil }
}

/// One element of a message: a request to run, or an invalid one to answer with an error.
public enum RequestItem: Sendable {
    case request(Request)
    /// Answered even when it had no id: the spec answers every invalid request, with `"id": null`
    /// when the id could not be read.
    case invalid(id: RequestID, error: RPCError)
}

/// A message body: a single request or a batch.
public enum IncomingMessage: Sendable {
    case single(RequestItem)
    case batch([RequestItem])
}
