import ALTStore
import CoreMetrics
import ErasureDomain
public import Foundation
import JSONRPC
import ISO8601Time

/// Meta's side of the configuration: the app secret that signs `signed_request`, the public page that
/// shows a deletion's status (Meta's callback answer links to it), and how old a signed request may be.
public struct MetaSettings: Sendable {
    public var appSecret: String
    public var statusPageBase: String
    public var signedRequestTolerance: TimeInterval

    public init(appSecret: String, statusPageBase: String, signedRequestTolerance: TimeInterval = 3_600) {
        self.appSecret = appSecret
        self.statusPageBase = statusPageBase
        self.signedRequestTolerance = signedRequestTolerance
    }

    /// `--dev`: the documented secret `dev-app-secret`, so the callbacks can be tried locally.
    public static let development = MetaSettings(appSecret: "dev-app-secret", statusPageBase: "http://127.0.0.1:7700/deletion-status")
}

/// Instagram and Google Calendar (P6, P7, I1): disconnect now, Meta's callbacks, the ingest write path
/// that drops events of disconnected or erased subjects, and provider revocation through outbox jobs.
public struct Integrations: Sendable {
    public let requests: DeletionRequests
    public let meta: MetaSettings

    public init(requests: DeletionRequests, meta: MetaSettings) {
        self.requests = requests
        self.meta = meta
    }

    var store: any ErasureStore { requests.store }
    var environment: DeletionEnvironment { requests.environment }

    /// What a disconnect changed.
    public struct InstagramDisconnect: Sendable {
        public let accountID: String
        public let alreadyDisconnected: Bool
        /// The job asking the integration worker to unsubscribe the app at Meta (nil when already done).
        public let jobID: String?
    }

    /// The in-app button (P6): token deleted, polling off, webhook marked removed, unsubscribe job queued.
    public func disconnectInstagram(accountID: String, actor: String) async throws -> InstagramDisconnect {
        let now = requests.now
        let environment = self.environment
        let result = try await store.write { tx -> InstagramDisconnect in
            guard try await tx.accounts.account(id: accountID) != nil else { throw DeletionError.accountNotFound(accountID) }
            guard let connection = try await tx.integrations.instagramConnection(accountID: accountID) else {
                throw IntegrationError.notConnected(integration: "instagram", accountID: accountID)
            }
            return try await Self.disconnect(tx, connection, now: now, actor: actor, environment: environment)
        }
        if !result.alreadyDisconnected { try await store.flushErasedData() }  // no token byte left in the WAL (I2)
        return result
    }

    /// The ledger's request id for an Instagram disconnect (not a deletion request).
    static let instagramDisconnectMarker = "instagram.disconnect"

    static func disconnect(
        _ tx: any StoreTransaction, _ connection: InstagramConnectionRecord, now: Date, actor: String, environment: DeletionEnvironment,
        request: String? = nil
    ) async throws -> InstagramDisconnect {
        let already = connection.tokenCiphertext == nil && !connection.pollingEnabled && !connection.webhookSubscribed
        guard !already else { return InstagramDisconnect(accountID: connection.accountID, alreadyDisconnected: true, jobID: nil) }
        try await tx.integrations.disconnectInstagram(accountID: connection.accountID, at: now, onlyIfConnected: false)
        let job = try DeletionRequests.message(
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

    // MARK: Meta's callbacks (P7)

    /// Meta's deauthorize callback: the connection of the app-scoped user is disconnected. An unknown
    /// user answers success too (Meta retries until it gets one).
    public func deauthorize(signedRequest: String, actor: String) async throws -> InstagramDisconnect? {
        let verified = try verify(signedRequest)
        let now = requests.now
        let environment = self.environment
        let result = try await store.write { tx -> InstagramDisconnect? in
            guard let connection = try await tx.integrations.instagramConnection(igUserID: verified.userID) else { return nil }
            return try await Self.disconnect(tx, connection, now: now, actor: actor, environment: environment)
        }
        if result?.alreadyDisconnected == false { try await store.flushErasedData() }
        return result
    }

    /// Meta's data-deletion callback: an Instagram-scope request, already verified (Meta authenticated
    /// the user), answered in Meta's shape. The same signed request again answers the same request.
    public func dataDeletionCallback(signedRequest: String, actor: String) async throws -> (url: String, confirmationCode: String) {
        let verified = try verify(signedRequest)
        let now = requests.now
        let environment = self.environment
        let key = environment.hasher.hash(kind: .metaSignedRequest, value: signedRequest)
        let code = try await store.write { tx -> String in
            if let known = try await tx.requests.request(messageIdHash: key) { return known.confirmationCode }
            // Meta retries a callback with the same signed request: the request the first try verified (at or
            // after `issued_at`) is still the answer once its erasure has taken the connection (found through
            // the ledger's hash of the Instagram user).
            let user = environment.hasher.hash(kind: .igUserID, value: verified.userID)
            for entry in try await tx.ledger.entries(identifierHash: user) {
                if let erased = try await tx.requests.request(id: entry.requestId), let at = erased.verifiedAt, at >= verified.issuedAt {
                    return erased.confirmationCode
                }
            }
            guard let connection = try await tx.integrations.instagramConnection(igUserID: verified.userID), let account = try await tx.accounts.account(id: connection.accountID) else {
                var request = try DeletionRequests.newRecord(
                    scope: .instagram, channel: .meta, accountID: nil, email: "meta:\(verified.userID)", messageHash: key,
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
                    try DeletionRequests.transition(&open, .verified)
                    open.verifiedAt = now
                    open.erasureStartsAt = now
                    try await tx.requests.save(open)
                    try await tx.audit.append(at: now, actor: actor, action: .verified, requestID: open.id, details: ["by": "meta_signed_request"])
                }
                return open.confirmationCode
            }
            var request = try DeletionRequests.newRecord(
                scope: .instagram, channel: .meta, accountID: account.id, email: account.email, messageHash: key,
                receivedAt: now, actor: actor, environment: environment
            )
            try DeletionRequests.transition(&request, .verified)
            request.verifiedAt = now
            request.erasureStartsAt = now
            try await tx.requests.save(request)
            try await tx.audit.append(at: now, actor: actor, action: .received, requestID: request.id, details: ["scope": Scope.instagram.rawValue, "channel": RequestChannel.meta.rawValue])
            try await tx.audit.append(at: now, actor: actor, action: .verified, requestID: request.id, details: ["by": "meta_signed_request"])
            return request.confirmationCode
        }
        let separator = meta.statusPageBase.contains("?") ? "&" : "?"
        return (meta.statusPageBase + separator + "code=" + code, code)
    }

    func verify(_ signedRequest: String) throws -> SignedRequest {
        do {
            return try SignedRequest.verify(signedRequest, appSecret: meta.appSecret, now: requests.now, tolerance: meta.signedRequestTolerance)
        } catch {
            throw IntegrationError.signedRequest(error)
        }
    }
}
