public import ErasureDomain
public import Foundation
import GRDB

/// The keys the demo's deletion requests are written with: the same the server reads, so it can
/// check the demo code and open the sealed address.
public struct DemoRequestKeys: Sendable {
    public let codeDigest: @Sendable (_ code: String, _ requestID: String) -> Data
    public let subjectHash: @Sendable (_ kind: IdentifierKind, _ value: String) -> String

    public init(
        codeDigest: @escaping @Sendable (_ code: String, _ requestID: String) -> Data,
        subjectHash: @escaping @Sendable (_ kind: IdentifierKind, _ value: String) -> String
    ) {
        self.codeDigest = codeDigest
        self.subjectHash = subjectHash
    }
}

/// The demo's deletion requests, so the walkthrough and the contract examples have known ids:
///
/// - `req_demo_ig` — acc_demo's Instagram data, awaiting verification, demo code **123456**
///   (confirmation code DEMO-IG-0001);
/// - `req_demo_acct` — acc_other's whole account, awaiting verification, code 654321 (DEMO-AC-0001);
/// - `req_demo_rejected` — an email from an address with no account, rejected (DEMO-RJ-0001).
///
/// Demo data only: a real code is random and never known to anyone but the address it goes to.
enum DemoRequests {
    static func write(_ db: Database, cipher: TokenCipher, keys: DemoRequestKeys, now: Date) throws {
        let policy = ErasurePolicy()
        let requests: [(id: String, code: String?, confirmation: String, scope: Scope, account: String?, email: String, state: RequestState)] = [
            ("req_demo_ig", "123456", "DEMO-IG-0001", .instagram, "acc_demo", "demo@example.com", .awaitingVerification),
            ("req_demo_acct", "654321", "DEMO-AC-0001", .account, "acc_other", "acc_other@agents.example", .awaitingVerification),
            ("req_demo_rejected", nil, "DEMO-RJ-0001", .account, nil, "nobody@example.org", .rejected),
        ]
        for entry in requests {
            // Made as the workflow makes them (without the effects: the demo's mail is not sent).
            let intake = DeletionRequest.Intake(
                id: entry.id, confirmationCode: entry.confirmation, scope: entry.scope, channel: .email, accountID: entry.account,
                subjectHash: keys.subjectHash(.email, entry.email), requesterEmailSealed: try cipher.sealText(entry.email),
                messageIdHash: nil, actor: "seed"
            )
            var request =
                entry.state == .rejected
                ? DeletionRequest.reject(
                    intake, at: now, receivedAt: now, reason: "no account uses the sender's address", code: OutboxKind.noAccount.rawValue,
                    tell: nil, policy: policy
                ).0
                : DeletionRequest.receive(intake, at: now, policy: policy).0
            if entry.code != nil { _ = try request.codeSent(code: "", expiresAt: now, challengeID: 0) }
            try request.insert(db)
            if let code = entry.code {
                var challenge = ChallengeRecord(requestId: entry.id, digest: keys.codeDigest(code, entry.id), issuedAt: now)
                try challenge.insert(db)
            }
        }
    }
}
