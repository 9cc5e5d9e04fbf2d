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
            guard let connection = try await tx.integrations.instagramConnection(igUserID: userID), let account = try await tx.accounts.account(id: connection.accountID) else {
                var request = try Self.newRecord(
                    scope: .instagram, channel: .meta, accountID: nil, email: "meta:\(userID)", messageHash: signedRequestHash,
                    receivedAt: now, actor: actor, environment: environment
                )
                request.requesterEmailSealed = nil
                request.state = .rejected
                request.reason = "no Instagram connection for this Instagram user: nothing to erase"
                request.endedAt = now
                request.forgotten = true
                try await tx.requests.save(request)
                try await tx.audit.append(at: now, actor: actor, action: .rejected, requestID: request.id, details: ["reason": "no_connection", "channel": RequestChannel.meta.rawValue])
                return request.confirmationCode
            }
            if var open = try await tx.requests.openRequest(accountID: account.id, scope: .instagram) {
                // Meta has authenticated the user: an open request waiting for its code is verified now.
                if RequestState.unverified.contains(open.state) {
                    try Self.transition(&open, .verified)
                    open.verifiedAt = now
                    open.erasureStartsAt = now
                    try await tx.requests.save(open)
                    try await tx.audit.append(at: now, actor: actor, action: .verified, requestID: open.id, details: ["by": "meta_signed_request"])
                }
                return open.confirmationCode
            }
            var request = try Self.newRecord(
                scope: .instagram, channel: .meta, accountID: account.id, email: account.email, messageHash: signedRequestHash,
                receivedAt: now, actor: actor, environment: environment
            )
            try Self.transition(&request, .verified)
            request.verifiedAt = now
            request.erasureStartsAt = now
            try await tx.requests.save(request)
            try await tx.audit.append(at: now, actor: actor, action: .received, requestID: request.id, details: ["scope": Scope.instagram.rawValue, "channel": RequestChannel.meta.rawValue])
            try await tx.audit.append(at: now, actor: actor, action: .verified, requestID: request.id, details: ["by": "meta_signed_request"])
            return request.confirmationCode
        }
    }
}
