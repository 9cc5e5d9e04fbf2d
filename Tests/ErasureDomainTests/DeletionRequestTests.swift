import ErasureDomain
import Foundation
import Testing

/// The aggregate decides; each transition returns its effects and changes nothing when refused.
@Suite("DeletionRequest: transitions and their effects")
struct DeletionRequestTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let policy = ErasurePolicy()

    static func received(_ scope: Scope = .account) -> DeletionRequest {
        let intake = DeletionRequest.Intake(
            id: "req_1", confirmationCode: "AAAA-BBBB-CCCC-DDDD", scope: scope, channel: .app, accountID: "acc_1", subjectHash: "h",
            requesterEmailSealed: "sealed", messageIdHash: nil, actor: "app"
        )
        return DeletionRequest.receive(intake, at: t0, policy: policy).0
    }

    @Test("a received request counts its deadlines from receipt and audits how it came")
    func receive() {
        let intake = DeletionRequest.Intake(
            id: "req_1", confirmationCode: "C", scope: .calendar, channel: .support, accountID: "acc_1", subjectHash: "h",
            requesterEmailSealed: "sealed", messageIdHash: nil, actor: "support"
        )
        let (request, effects) = DeletionRequest.receive(intake, at: Self.t0, policy: Self.policy)
        #expect(request.state == .received)
        #expect(request.productionDueBy == Self.t0 + 30 * 86_400)
        #expect(request.verificationExpiresAt == Self.t0 + 7 * 86_400)
        #expect(effects == [.audit(.received, details: ["scope": .text("calendar"), "channel": .text("support")])])
    }

    @Test("a rejected sender is told by mail, and the request keeps no address")
    func reject() {
        let intake = DeletionRequest.Intake(
            id: "req_2", confirmationCode: "C", scope: .account, channel: .email, accountID: nil, subjectHash: "h",
            requesterEmailSealed: "sealed", messageIdHash: "m", actor: "mail"
        )
        let (request, effects) = DeletionRequest.reject(
            intake, at: Self.t0, receivedAt: Self.t0, reason: "no account", code: "no_account", tell: "a@b.c", policy: Self.policy
        )
        #expect(request.state == .rejected && request.forgotten && request.requesterEmailSealed == nil && request.endedAt == Self.t0)
        #expect(effects.first == .notify(.noAccount, to: .address("a@b.c")))
    }

    @Test("verification schedules an account erasure after the grace period, a partial scope at once")
    func verify() throws {
        var account = Self.received(.account)
        _ = try account.codeSent(code: "123456", expiresAt: Self.t0 + 900, challengeID: 1)
        #expect(try account.verify(at: Self.t0 + 60, policy: Self.policy) == [.audit(.verified)])
        #expect(account.state == .scheduled && account.erasureStartsAt == Self.t0 + 60 + 7 * 86_400)
        var instagram = Self.received(.instagram)
        _ = try instagram.verify(at: Self.t0 + 60, policy: Self.policy, by: "meta_signed_request")
        #expect(instagram.erasureStartsAt == Self.t0 + 60)
    }

    @Test("a refused transition throws and changes nothing")
    func refused() throws {
        var request = Self.received()
        let before = request
        #expect(throws: RequestStateMachine.IllegalTransition.self) { try request.complete(at: Self.t0) }
        #expect(throws: RequestStateMachine.IllegalTransition.self) { try request.startErasure(at: Self.t0, subject: nil) }
        #expect(request == before)
    }

    @Test("superseding forgets the requester and withdraws the codes and their mail")
    func supersede() throws {
        var request = Self.received(.instagram)
        let effects = try request.end(.supersede, reason: "the whole account is erased", at: Self.t0)
        #expect(request.state == .superseded && request.forgotten && request.requesterEmailSealed == nil)
        #expect(effects == [.withdrawCodeMail, .withdrawCodes, .audit(.superseded)])
    }

    @Test("the first run tells the providers and records the subject; a resumed run does neither")
    func startAndResume() throws {
        var request = Self.received(.account)
        _ = try request.verify(at: Self.t0, policy: Self.policy)
        let marks = [LedgerMark(kind: .accountID, hash: "a"), LedgerMark(kind: .email, hash: "e")]
        let first = try request.startErasure(at: Self.t0 + 10, subject: .init(marks: marks, valuesSealed: "values"))
        #expect(first == [.startProviderJobs, .ledger(marks), .supersedeOthers, .audit(.erasureStarted, details: ["attempt": .number(1)])])
        #expect(request.state == .erasing && request.erasingAt == Self.t0 + 10 && request.erasureStartsAt == Self.t0 + 10)
        let resumed = try request.startErasure(at: Self.t0 + 20, subject: nil)
        #expect(resumed == [.supersedeOthers, .audit(.erasureStarted, details: ["attempt": .number(2)])])
        #expect(request.subjectValuesSealed == "values" && request.erasingAt == Self.t0 + 10)
    }

    @Test("failures back off 1, 2, 4 … minutes, at most an hour")
    func backoff() throws {
        var request = Self.received(.instagram)
        _ = try request.verify(at: Self.t0, policy: Self.policy)
        var waits: [TimeInterval] = []
        for _ in 0..<8 {
            _ = try request.startErasure(at: Self.t0, subject: nil)
            _ = try request.erasureFailed(at: Self.t0, error: "IOError")
            waits.append(try #require(request.erasureStartsAt).timeIntervalSince(Self.t0))
        }
        #expect(waits == [60, 120, 240, 480, 960, 1_920, 3_600, 3_600])
        #expect(request.state == .failed && request.reason?.hasPrefix("erasure error (IOError)") == true)
    }

    @Test("completion forgets the requester and the subject's values, and discards the requester's mail")
    func complete() throws {
        var request = Self.received(.calendar)
        _ = try request.verify(at: Self.t0, policy: Self.policy)
        _ = try request.startErasure(at: Self.t0, subject: .init(marks: [], valuesSealed: "v"))
        _ = try request.productionErased(at: Self.t0 + 5, counts: ["calendar_events": 3])
        _ = request.providerJobFailed(.calendarRevokeToken, reason: "invalid_grant")
        let confirmation = request.finalConfirmation(at: Self.t0 + 6)
        guard case .notify(.deletionCompleted, .requester, let payload) = confirmation.first else {
            Issue.record("no confirmation: \(confirmation)")
            return
        }
        #expect(payload["providerFailures"] == .records([["kind": "calendar_revoke_token", "reason": "invalid_grant"]]))
        #expect(try request.complete(at: Self.t0 + 7) == [.discardRequesterMail, .audit(.completed)])
        #expect(request.forgotten && request.requesterEmailSealed == nil && request.subjectValuesSealed == nil)
    }
}
