public import Foundation

/// A deletion request: the aggregate the workflow loads, changes through its transitions
/// (`DeletionRequest+Transitions.swift`) and saves. Plain data; times are UTC instants. The requester's
/// address and the subject's identifying values are held sealed (opaque text the service's cipher made)
/// and only until the request is forgotten (I5); `subjectHash` stays.
public struct DeletionRequest: Sendable, Equatable, Codable {
    public var id: String
    /// Quoted to the requester and to Meta; the status page's key.
    public var confirmationCode: String
    public var scope: Scope
    public var channel: RequestChannel
    public var state: RequestState
    /// Nil when no account was found (a rejected intake).
    public var accountId: String?
    public var subjectHash: String
    public var requesterEmailSealed: String?
    public var subjectValuesSealed: String?
    /// The keyed hash that deduplicates intake (an email's Message-ID, Meta's signed request).
    public var messageIdHash: String?
    public var actor: String
    public var receivedAt: Date
    public var productionDueBy: Date
    public var verificationExpiresAt: Date
    public var verifiedAt: Date?
    /// When erasure may (re)start: after the grace period, or after a failure's backoff.
    public var erasureStartsAt: Date?
    public var erasingAt: Date?
    public var erasedAt: Date?
    public var completedAt: Date?
    public var endedAt: Date?
    public var reason: String?
    public var attempts: Int
    public var forgotten: Bool
    /// Provider jobs of the request that failed for good or expired unacknowledged (nil: none).
    public var providerFailures: [ProviderFailure]?

    /// The names every store uses for the fields (the `deletion_requests` columns).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, scope, channel, state, actor, reason, attempts, forgotten
        case confirmationCode = "confirmation_code"
        case accountId = "account_id"
        case subjectHash = "subject_hash"
        case requesterEmailSealed = "requester_email_sealed"
        case subjectValuesSealed = "subject_values_sealed"
        case messageIdHash = "message_id_hash"
        case receivedAt = "received_at"
        case productionDueBy = "production_due_by"
        case verificationExpiresAt = "verification_expires_at"
        case verifiedAt = "verified_at"
        case erasureStartsAt = "erasure_starts_at"
        case erasingAt = "erasing_at"
        case erasedAt = "erased_at"
        case completedAt = "completed_at"
        case endedAt = "ended_at"
        case providerFailures = "provider_failures"
    }
}

/// A provider job of a request that failed for good (`failed_permanently`) or expired unacknowledged:
/// kept on the request, told in its final confirmation and in `deletion.status`.
public struct ProviderFailure: Codable, Sendable, Equatable {
    public let kind: OutboxKind
    public let reason: String

    public init(kind: OutboxKind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The reason given for a job that was not acknowledged within its 24 hours.
    public static let expired = "expired"
}
