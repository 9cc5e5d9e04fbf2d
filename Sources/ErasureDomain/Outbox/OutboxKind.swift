/// What an outbox message is: emails for ALT's mailer, jobs for the integration worker.
public enum OutboxKind: String, Sendable, Hashable, CaseIterable, Codable {
    case identityCode = "identity_code"
    case noAccount = "no_account"
    case deletionCompleted = "deletion_completed"
    case instagramUnsubscribe = "instagram_unsubscribe"
    case calendarStopChannel = "calendar_stop_channel"
    case calendarRevokeToken = "calendar_revoke_token"

    /// Jobs that carry a provider token (sealed): purged 24 hours after they were queued at the latest.
    public static let carryingTokens: [OutboxKind] = [.calendarStopChannel, .calendarRevokeToken]

    /// Jobs for the integration worker: a request's final confirmation waits until none of its own is left.
    public static let providerJobs: [OutboxKind] = [.instagramUnsubscribe, .calendarStopChannel, .calendarRevokeToken]
}

/// How the mailer or worker fared with claimed messages.
public enum AckOutcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// Done: the message is deleted.
    case sent
    /// Hand it out again after a while (a provider's 5xx, a rate limit).
    case retryLater = "retry_later"
    /// It can never succeed (a bounced address, a token the provider no longer knows): deleted, audited.
    case failedPermanently = "failed_permanently"
}
