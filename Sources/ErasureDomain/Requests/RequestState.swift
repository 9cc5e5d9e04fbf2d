/// Where a deletion request is in its life. The states and the events that move between them are the
/// whole contract of `RequestStateMachine`; see the diagram in `schemas/REQUESTS.md`.
public enum RequestState: String, Sendable, Hashable, CaseIterable, Codable {
    case received
    case awaitingVerification = "awaiting_verification"
    case scheduled
    case erasing
    /// Production erased (P4, 30 days); backups not yet cleared.
    case erased
    /// Backups cleared and the final confirmation sent (P4, P5).
    case completed
    case cancelled
    /// Ended at intake, e.g. no account for the sender.
    case rejected
    /// Not verified within 7 days.
    case expired
    /// Erasure hit an error; the executor retries it.
    case failed
    /// Ended before its erasure because the whole account was erased by another request: its data went
    /// with the account, its code is withdrawn and its requester forgotten.
    case superseded

    /// Still under way: what `openRequest` finds, and what counts against the 30-day deadline.
    public static let open: [RequestState] = [.received, .awaitingVerification, .scheduled, .erasing, .failed]

    /// Open and not yet erasing: cancellable, and superseded by an account erasure.
    public static let notStarted: [RequestState] = [.received, .awaitingVerification, .scheduled]

    /// Waiting for the requester's identity code (expired after the verification window).
    public static let unverified: [RequestState] = [.received, .awaitingVerification]

    /// No event moves a request out of these.
    public var isFinal: Bool {
        switch self {
        case .completed, .cancelled, .rejected, .expired, .superseded: true
        default: false
        }
    }
}

/// What happens to a request.
public enum RequestEvent: String, Sendable, Hashable, CaseIterable, Codable {
    /// A one-time code went to the address on file.
    case codeSent = "code_sent"
    /// The requester proved the address (or the request came pre-verified, e.g. from Meta).
    case verified
    /// The executor began erasing (or resumed after a failure).
    case erasureStarted = "erasure_started"
    case erasureFailed = "erasure_failed"
    /// Every production table in scope is erased.
    case productionErased = "production_erased"
    /// Every backup taken before the erasure is gone and the final confirmation is acknowledged.
    case completed
    case cancel
    case reject
    case expire
    /// The account's erasure took this request's data.
    case supersede
}

/// The transitions a request may take. Anything else is an error naming the current state.
public enum RequestStateMachine {
    public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
        public let state: RequestState
        public let event: RequestEvent

        public init(state: RequestState, event: RequestEvent) {
            self.state = state
            self.event = event
        }

        public var description: String { "a request in state \(state.rawValue) cannot take \(event.rawValue)" }
    }

    public static func next(_ state: RequestState, on event: RequestEvent) throws(IllegalTransition) -> RequestState {
        switch (state, event) {
        case (.received, .codeSent), (.awaitingVerification, .codeSent): return .awaitingVerification
        case (.received, .verified), (.awaitingVerification, .verified): return .scheduled
        case (.received, .reject): return .rejected
        case (.awaitingVerification, .expire): return .expired
        case (.received, .cancel), (.awaitingVerification, .cancel), (.scheduled, .cancel): return .cancelled
        case (.received, .supersede), (.awaitingVerification, .supersede), (.scheduled, .supersede): return .superseded
        case (.scheduled, .erasureStarted), (.failed, .erasureStarted): return .erasing
        case (.erasing, .erasureFailed): return .failed
        case (.erasing, .productionErased): return .erased
        case (.erased, .completed): return .completed
        default: throw IllegalTransition(state: state, event: event)
        }
    }
}
