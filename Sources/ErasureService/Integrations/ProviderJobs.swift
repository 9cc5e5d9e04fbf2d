import ALTStore
import ErasureDomain
import Foundation
import JSONRPC

/// What a disconnect changed.
public struct InstagramDisconnect: Sendable {
    public let accountID: String
    public let alreadyDisconnected: Bool
    /// The job asking the integration worker to unsubscribe the app at Meta (nil when already done).
    public let jobID: String?
}

/// The provider side of a disconnect or an erasure, inside its unit of work: the token dropped here and
/// the jobs that tell Meta and Google (unsubscribe; stop the push channel, then revoke the token), with
/// the ledger entry a restore replays. The in-app disconnects, Meta's deauthorize callback and the first
/// run of an erasure all come here, so none of them depends on another.
enum ProviderJobs {
    /// The ledger's request id for an Instagram disconnect (not a deletion request).
    static let instagramDisconnectMarker = "instagram.disconnect"

    static func disconnectInstagram(
        _ tx: any StoreTransaction, _ connection: InstagramConnectionRecord, now: Date, actor: String, environment: DeletionEnvironment,
        request: String? = nil
    ) async throws -> InstagramDisconnect {
        let already = connection.tokenCiphertext == nil && !connection.pollingEnabled && !connection.webhookSubscribed
        guard !already else { return InstagramDisconnect(accountID: connection.accountID, alreadyDisconnected: true, jobID: nil) }
        try await tx.integrations.disconnectInstagram(accountID: connection.accountID, at: now, onlyIfConnected: false)
        let job = try Outbox.message(
            .instagramUnsubscribe, to: nil, request: request,
            payload: ["accountId": .string(connection.accountID), "igUserId": .string(connection.igUserID)], at: now,
            cipher: environment.cipher
        )
        try await tx.outbox.enqueue(job)
        // Replayed by every later restore, so a backup taken before it cannot bring the token back (I1).
        try await tx.ledger.record(
            LedgerEntry(
                identifierHash: environment.hasher.hash(kind: .accountID, value: connection.accountID), kind: .accountID,
                scope: .instagramDisconnect, requestId: instagramDisconnectMarker, erasedAt: now
            )
        )
        try await tx.audit.append(at: now, actor: actor, action: .instagramDisconnected, subject: "account:\(connection.accountID)", details: ["job": job.id])
        return InstagramDisconnect(accountID: connection.accountID, alreadyDisconnected: false, jobID: job.id)
    }

    /// Queues the stop-channel job (when there is a push channel) and the revoke job after it.
    static func revokeCalendar(
        _ tx: any StoreTransaction, _ connection: CalendarConnectionRecord, request: String?, now: Date, cipher: TokenCipher
    ) async throws -> [String] {
        var jobs: [String] = []
        let keyID = connection.tokenKeyID ?? ""
        // Revocation is the provider's side and best effort: a token that cannot be opened (its key is
        // gone) must not block the erasure, so its job is skipped and the skip audited.
        let access = connection.accessTokenCiphertext.flatMap { try? cipher.open(.init(ciphertext: $0, keyID: keyID)) }
        let refresh = connection.refreshTokenCiphertext.flatMap { try? cipher.open(.init(ciphertext: $0, keyID: keyID)) }
        if (connection.accessTokenCiphertext != nil && access == nil) || (connection.refreshTokenCiphertext != nil && refresh == nil) {
            try await tx.audit.append(
                at: now, actor: "deletiond", action: .revocationSkipped, subject: "account:\(connection.accountID)",
                details: ["reason": "token_unreadable", "key": keyID]
            )
        }
        if let channel = connection.pushChannelID, let access {
            let stop = try Outbox.message(
                .calendarStopChannel, to: nil, request: request,
                payload: ["accountId": .string(connection.accountID), "channelId": .string(channel), "accessToken": .string(access)],
                at: now, cipher: cipher
            )
            try await tx.outbox.enqueue(stop)
            jobs.append(stop.id)
        }
        if let refresh {
            let revoke = try Outbox.message(
                .calendarRevokeToken, to: nil, request: request,
                payload: ["accountId": .string(connection.accountID), "refreshToken": .string(refresh)],
                at: now, cipher: cipher, after: jobs.last
            )
            try await tx.outbox.enqueue(revoke)
            jobs.append(revoke.id)
        }
        return jobs
    }

    /// The provider side of a deletion request's first run: Meta unsubscribe for Instagram data, Google
    /// channel stop and token revocation for calendar data (the account scope does both).
    static func forErasure(_ tx: any StoreTransaction, request: DeletionRequest, now: Date, environment: DeletionEnvironment) async throws {
        guard let accountID = request.accountId else { return }
        if request.scope != .calendar, let connection = try await tx.integrations.instagramConnection(accountID: accountID) {
            _ = try await disconnectInstagram(tx, connection, now: now, actor: "deletiond", environment: environment, request: request.id)
        }
        if request.scope != .instagram, let connection = try await tx.integrations.calendarConnection(accountID: accountID) {
            _ = try await revokeCalendar(tx, connection, request: request.id, now: now, cipher: environment.cipher)
        }
    }
}
