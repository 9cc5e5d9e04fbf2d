/// What an audit-trail entry records. Entries hold ids, counts and these words, never personal data.
public enum AuditAction: String, Sendable, Hashable, CaseIterable, Codable {
    // A request's life.
    case received
    case rejected
    case codeSent = "code_sent"
    case codeRefused = "code_refused"
    case verified
    case cancelled
    case expired
    case superseded
    case erasureStarted = "erasure_started"
    case erasureBatch = "erasure_batch"
    case erasureFailed = "erasure_failed"
    case productionErased = "production_erased"
    case finalConfirmationQueued = "final_confirmation_queued"
    case completed
    // The outbox's jobs.
    case jobFailed = "job_failed"
    case jobExpired = "job_expired"
    // Integrations.
    case instagramDisconnected = "instagram_disconnected"
    case calendarDisconnected = "calendar_disconnected"
    case revocationSkipped = "revocation_skipped"
    // Backups.
    case backupCreated = "backup_created"
    case backupPruned = "backup_pruned"
    case backupRestored = "backup_restored"
}
