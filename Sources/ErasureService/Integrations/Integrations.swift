public import ALTStore
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
    public let store: any ErasureStore
    public let environment: DeletionEnvironment
    /// Where Meta's data-deletion callback files its request.
    public let requests: DeletionRequests
    public let meta: MetaSettings

    public init(requests: DeletionRequests, meta: MetaSettings) {
        store = requests.store
        environment = requests.environment
        self.requests = requests
        self.meta = meta
    }

    var now: Date { environment.clock.now() }

    /// The in-app button (P6): token deleted, polling off, webhook marked removed, unsubscribe job queued.
    public func disconnectInstagram(accountID: String, actor: String) async throws -> InstagramDisconnect {
        let now = now
        let environment = self.environment
        let result = try await store.write { tx -> InstagramDisconnect in
            guard try await tx.accounts.account(id: accountID) != nil else { throw DeletionError.accountNotFound(accountID) }
            guard let connection = try await tx.integrations.instagramConnection(accountID: accountID) else {
                throw IntegrationError.notConnected(integration: "instagram", accountID: accountID)
            }
            return try await ProviderJobs.disconnectInstagram(tx, connection, now: now, actor: actor, environment: environment)
        }
        if !result.alreadyDisconnected { try await store.flushErasedData() }  // no token byte left in the WAL (I2)
        return result
    }

    // MARK: Meta's callbacks (P7)

    /// Meta's deauthorize callback: the connection of the app-scoped user is disconnected. An unknown
    /// user answers success too (Meta retries until it gets one).
    public func deauthorize(signedRequest: String, actor: String) async throws -> InstagramDisconnect? {
        let verified = try verify(signedRequest)
        let now = now
        let environment = self.environment
        let result = try await store.write { tx -> InstagramDisconnect? in
            guard let connection = try await tx.integrations.instagramConnection(igUserID: verified.userID) else { return nil }
            return try await ProviderJobs.disconnectInstagram(tx, connection, now: now, actor: actor, environment: environment)
        }
        if result?.alreadyDisconnected == false { try await store.flushErasedData() }
        return result
    }

    /// Meta's data-deletion callback: an Instagram-scope request, already verified (Meta authenticated
    /// the user), answered in Meta's shape. The same signed request again answers the same request.
    public func dataDeletionCallback(signedRequest: String, actor: String) async throws -> (url: String, confirmationCode: String) {
        let verified = try verify(signedRequest)
        let key = environment.hasher.hash(kind: .metaSignedRequest, value: signedRequest)
        let code = try await requests.intakeMeta(userID: verified.userID, issuedAt: verified.issuedAt, signedRequestHash: key, actor: actor)
        // The status page of this request: `<statusPageBase>/<confirmation code>` (`GET /deletion-status/{code}`).
        let base = meta.statusPageBase.hasSuffix("/") ? String(meta.statusPageBase.dropLast()) : meta.statusPageBase
        return (base + "/" + code, code)
    }

    func verify(_ signedRequest: String) throws -> SignedRequest {
        do {
            return try SignedRequest.verify(signedRequest, appSecret: meta.appSecret, now: now, tolerance: meta.signedRequestTolerance)
        } catch {
            throw IntegrationError.signedRequest(error)
        }
    }
}
