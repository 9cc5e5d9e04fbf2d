import ALTStore
import ErasureDomain
public import Foundation

extension DeletionRequests {
    /// Meta's data-deletion callback, its signature already checked: an Instagram-scope request, already
    /// verified (Meta authenticated the user). The same signed request again answers the same request;
    /// so does Meta's retry after the erasure took the connection. Returns the confirmation code.
    public func intakeMeta(userID: String, issuedAt: Date, signedRequestHash: String, actor: String) async throws -> String {
        let now = self.now
        let environment = self.environment
        return try await store.write { tx -> String in
            if let known = try await tx.requests.request(messageIdHash: signedRequestHash) { return known.confirmationCode }
            // Meta retries a callback with the same signed request: the request the first try verified (at or
            // after `issued_at`) is still the answer once its erasure has taken the connection (found through
            // the ledger's hash of the Instagram user).
            let user = environment.hasher.hash(kind: .igUserID, value: userID)
            for entry in try await tx.ledger.entries(identifierHash: user) {
                if let erased = try await tx.requests.request(id: entry.requestId), let at = erased.verifiedAt, at >= issuedAt {
                    return erased.confirmationCode
                }
            }
            guard let connection = try await tx.integrations.instagramConnection(igUserID: userID),
                let account = try await tx.accounts.account(id: connection.accountID)
            else {
                let intake = try Self.intake(
                    scope: .instagram, channel: .meta, accountID: nil, email: "meta:\(userID)", messageHash: signedRequestHash, actor: actor,
                    environment: environment
                )
                let (request, effects) = DeletionRequest.reject(
                    intake, at: now, receivedAt: now, reason: "no Instagram connection for this Instagram user: nothing to erase",
                    code: "no_connection", tell: nil, policy: environment.policy
                )
                try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
                return request.confirmationCode
            }
            if var open = try await tx.requests.openRequest(accountID: account.id, scope: .instagram) {
                // Meta has authenticated the user: an open request waiting for its code is verified now.
                if RequestState.unverified.contains(open.state) {
                    let effects = try open.verify(at: now, policy: environment.policy, by: "meta_signed_request")
                    try await Self.persist(open, effects, tx, now: now, actor: actor, environment: environment)
                }
                return open.confirmationCode
            }
            let intake = try Self.intake(
                scope: .instagram, channel: .meta, accountID: account.id, email: account.email, messageHash: signedRequestHash, actor: actor,
                environment: environment
            )
            var (request, received) = DeletionRequest.receive(intake, at: now, policy: environment.policy)
            let verified = try request.verify(at: now, policy: environment.policy, by: "meta_signed_request")
            try await Self.persist(request, received + verified, tx, now: now, actor: actor, environment: environment)
            return request.confirmationCode
        }
    }
}
