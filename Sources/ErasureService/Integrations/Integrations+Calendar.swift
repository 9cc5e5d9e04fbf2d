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
        let now = now
        let environment = self.environment
        let result = try await store.write { tx -> CalendarDisconnect in
            guard try await tx.accounts.account(id: accountID) != nil else { throw DeletionError.accountNotFound(accountID) }
            guard let connection = try await tx.integrations.calendarConnection(accountID: accountID) else {
                guard try await Self.calendarState(tx, accountID: accountID, hasher: environment.hasher) == .disconnected else {
                    throw IntegrationError.notConnected(integration: "calendar", accountID: accountID)
                }
                return CalendarDisconnect(accountID: accountID, alreadyDisconnected: true, jobIDs: [], deleted: [:])
            }
            let jobs = try await ProviderJobs.revokeCalendar(tx, connection, request: nil, now: now, cipher: environment.cipher)
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

}

/// Integration refusals.
public enum IntegrationError: Error, Sendable, Equatable {
    case notConnected(integration: String, accountID: String)
    case signedRequest(SignedRequest.Failure)
}
