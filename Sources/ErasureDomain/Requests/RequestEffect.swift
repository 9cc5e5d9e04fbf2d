/// What a transition of a `DeletionRequest` asks of the world, in the order given. The workflow carries
/// them out in the unit of work that saves the request, stamped with its time and actor (the domain
/// decides, the store persists), in the manner of grpc-swift-2's state machines that return actions.
public enum RequestEffect: Sendable, Equatable {
    /// An audit-trail entry about the request (ids, counts and words only, never personal data).
    case audit(AuditAction, details: [String: AuditValue] = [:])
    /// A message through the outbox.
    case notify(OutboxKind, to: Recipient, payload: [String: MessageValue] = [:])
    /// The request's unclaimed identity-code mail goes: the request ended before its code was used.
    case withdrawCodeMail
    /// The request's identity codes are deleted.
    case withdrawCodes
    /// Every message of the request to its requester that is still unclaimed goes with the address (the
    /// provider jobs stay: the final confirmation waited for them).
    case discardRequesterMail
    /// The providers are told (Meta unsubscribe; Google channel stop and revocation): an erasure's first run.
    case startProviderJobs
    /// Ledger entries (identifier kinds and keyed hashes), replayed after every restore (I1).
    case ledger([LedgerMark])
    /// The account's other requests that have not started end: the whole account is erased.
    case supersedeOthers

    /// Who a message goes to.
    public enum Recipient: Sendable, Equatable {
        /// The address on file (sealed on the request); nobody once it is forgotten.
        case requester
        /// An address that is not kept on the request (a rejected sender is told, then forgotten).
        case address(String)
    }
}

/// A value in a message's payload.
public enum MessageValue: Sendable, Equatable {
    case text(String)
    case records([[String: String]])
}

/// A value in an audit entry's details.
public enum AuditValue: Sendable, Equatable {
    case text(String)
    case number(Int)
}

/// One identifier of an erased subject, as the ledger keeps it: its kind and keyed hash.
public struct LedgerMark: Sendable, Equatable {
    public let kind: IdentifierKind
    public let hash: String

    public init(kind: IdentifierKind, hash: String) { (self.kind, self.hash) = (kind, hash) }
}
