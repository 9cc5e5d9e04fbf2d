import ALTStore
public import ErasureDomain
import Foundation
import JSONRPC

extension Integrations {
    public struct CalendarDisconnect: Sendable {
        public let accountID: String
        public let alreadyDisconnected: Bool
        /// The stop-channel job, then the revoke job (handed out only after the first is acknowledged).
        public let jobIDs: [String]
        public let deleted: [String: Int]
    }

    /// In the order Google requires: a job to stop the push channel (it needs a live token), then one
    /// to revoke the refresh token (which revokes its access tokens), then the tokens, cached events and
    /// sync state are deleted. The jobs carry the tokens sealed, and go when acknowledged or after 24 hours.
    public func disconnectCalendar(accountID: String, actor: String) async throws -> CalendarDisconnect {
        let now = requests.now
        let environment = self.environment
        let result = try await store.write { tx -> CalendarDisconnect in
            guard try await tx.accounts.account(id: accountID) != nil else { throw DeletionError.accountNotFound(accountID) }
            guard let connection = try await tx.integrations.calendarConnection(accountID: accountID) else {
                guard try await Self.calendarState(tx, accountID: accountID, hasher: environment.hasher) == .disconnected else {
                    throw IntegrationError.notConnected(integration: "calendar", accountID: accountID)
                }
                return CalendarDisconnect(accountID: accountID, alreadyDisconnected: true, jobIDs: [], deleted: [:])
            }
            let jobs = try await Self.revocationJobs(tx, connection, request: nil, now: now, cipher: environment.cipher)
            let deleted = try await tx.integrations.deleteCalendarData(accountID: accountID)
            try await tx.ledger.record(
                LedgerEntry(
                    identifierHash: environment.hasher.hash(kind: .accountID, value: accountID), kind: .accountID,
                    scope: .calendarDisconnect, requestId: Self.calendarDisconnectMarker, erasedAt: now
                )
            )
            try await tx.audit.append(at: now, actor: actor, action: .calendarDisconnected, subject: "account:\(accountID)", details: ["jobs": jobs, "deleted": deleted])
            return CalendarDisconnect(accountID: accountID, alreadyDisconnected: false, jobIDs: jobs, deleted: deleted)
        }
        if !result.alreadyDisconnected { try await store.flushErasedData() }
        return result
    }

    /// Queues the stop-channel job (when there is a push channel) and the revoke job after it.
    static func revocationJobs(
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
            let stop = try DeletionRequests.message(
                .calendarStopChannel, to: nil, request: request,
                payload: ["accountId": .string(connection.accountID), "channelId": .string(channel), "accessToken": .string(access)],
                at: now, cipher: cipher
            )
            try await tx.outbox.enqueue(stop)
            jobs.append(stop.id)
        }
        if let refresh {
            let revoke = try DeletionRequests.message(
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
    static func providerJobs(_ tx: any StoreTransaction, request: DeletionRequestRecord, now: Date, environment: DeletionEnvironment) async throws {
        guard let accountID = request.accountId else { return }
        if request.scope != .calendar, let connection = try await tx.integrations.instagramConnection(accountID: accountID) {
            _ = try await disconnect(tx, connection, now: now, actor: "deletiond", environment: environment, request: request.id)
        }
        if request.scope != .instagram, let connection = try await tx.integrations.calendarConnection(accountID: accountID) {
            _ = try await revocationJobs(tx, connection, request: request.id, now: now, cipher: environment.cipher)
        }
    }
}

/// Integration refusals.
public enum IntegrationError: Error, Sendable, Equatable {
    case notConnected(integration: String, accountID: String)
    case signedRequest(SignedRequest.Failure)
}
