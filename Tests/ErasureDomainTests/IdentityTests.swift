import Crypto
import ErasureDomain
import Foundation
import Testing

@Suite("Identity codes (P3)")
struct IdentityTests {
    let codes = IdentityCodes(key: SymmetricKey(size: .bits256))
    let policy = ChallengePolicy()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("codes are six digits, leading zeros kept, and spread over the whole range")
    func shape() {
        var seen = Set<String>()
        var lowHalf = 0
        for _ in 0..<2_000 {
            let code = codes.generate()
            #expect(code.count == 6 && code.allSatisfy(\.isNumber))
            seen.insert(code)
            if code < "500000" { lowHalf += 1 }
        }
        #expect(seen.count > 1_990)
        #expect((800...1_200).contains(lowHalf))
    }

    @Test("only a digest is kept, and it is bound to the request")
    func digests() {
        let stored = codes.digest("012345", requestID: "req_1")
        #expect(stored.count == 32)
        #expect(!stored.contains(Data("012345".utf8)))
        #expect(codes.matches("012345", requestID: "req_1", stored: stored))
        #expect(!codes.matches("012345", requestID: "req_2", stored: stored))
        #expect(!codes.matches("012346", requestID: "req_1", stored: stored))
        let otherKey = IdentityCodes(key: SymmetricKey(size: .bits256))
        #expect(!otherKey.matches("012345", requestID: "req_1", stored: stored))
    }

    @Test("right code once; wrong codes count down; the fifth wrong try burns it, the sixth is too many")
    func attempts() throws {
        var challenge = Challenge(digest: codes.digest("111111", requestID: "r"), issuedAt: start)
        for left in stride(from: 4, through: 0, by: -1) {
            #expect(throws: Challenge.Refusal.wrongCode(attemptsLeft: left)) {
                try challenge.verify("000000", requestID: "r", codes: codes, policy: policy, now: start)
            }
        }
        #expect(throws: Challenge.Refusal.tooManyAttempts) {
            try challenge.verify("000000", requestID: "r", codes: codes, policy: policy, now: start)
        }
        // Burned: even the right code is refused now.
        #expect(throws: Challenge.Refusal.tooManyAttempts) {
            try challenge.verify("111111", requestID: "r", codes: codes, policy: policy, now: start)
        }

        var fresh = Challenge(digest: codes.digest("222222", requestID: "r"), issuedAt: start)
        try fresh.verify("222222", requestID: "r", codes: codes, policy: policy, now: start + 60)
        #expect(throws: Challenge.Refusal.burned) {
            try fresh.verify("222222", requestID: "r", codes: codes, policy: policy, now: start + 61)
        }
    }

    @Test("a code expires after 15 minutes")
    func expiry() {
        var challenge = Challenge(digest: codes.digest("333333", requestID: "r"), issuedAt: start)
        #expect(throws: Challenge.Refusal.expired) {
            try challenge.verify("333333", requestID: "r", codes: codes, policy: policy, now: start + 15 * 60)
        }
    }

    @Test("at most 3 codes per request per hour")
    func resendLimit() {
        let issued = [start, start + 600, start + 1_200]
        #expect(!Challenge.mayIssue(after: issued, policy: policy, now: start + 1_800))
        #expect(Challenge.mayIssue(after: issued, policy: policy, now: start + 3_601))
        #expect(Challenge.mayIssue(after: Array(issued.prefix(2)), policy: policy, now: start + 1_800))
    }
}

@Suite("Intake subjects (P2)")
struct IntakeSubjectTests {
    @Test(
        "the three subjects, however they are dressed",
        arguments: [
            ("Delete my ALT account", Scope.account),
            ("  delete MY alt ACCOUNT  ", .account),
            ("Re: Delete my Instagram data", .instagram),
            ("RE: Fwd: [External] Delete my Google Calendar data", .calendar),
            ("FW:Delete   my ALT account", .account),
            ("[EXTERNAL] AW: delete my instagram data", .instagram),
        ]
    )
    func accepted(subject: String, scope: Scope) throws {
        #expect(try IntakeSubject.scope(of: subject) == scope)
    }

    @Test("anything else is refused with the accepted subjects", arguments: ["Delete my account", "Delete my ALT account please", "Unsubscribe", "", "Re:"])
    func refused(subject: String) {
        #expect(throws: IntakeSubject.Unrecognised.self) { try IntakeSubject.scope(of: subject) }
        #expect(IntakeSubject.Unrecognised().description.contains("\"Delete my Google Calendar data\""))
    }
}
