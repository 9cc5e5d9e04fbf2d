import ALTErasureClient
import ALTStore
import Foundation
import GRDB
import ServiceTestSupport
import Testing

/// Every way a deletion call can be wrong gets its own error, and the request is left as it was.
@Suite("Deletion bad input", .serialized, .timeLimit(.minutes(3)))
struct DeletionBadInputTests {
    @Test("wrong code counts down; the fifth burns it; the sixth is too many; a new code works", arguments: TestStore.all)
    func wrongCodes(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            for left in stride(from: 4, through: 0, by: -1) {
                let error = await rpcError { try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "000000") }
                #expect(error?.code == .invalidArgument)
                #expect(error?.details?["reason"] == "wrong_code" && error?.details?["attemptsLeft"] == .int(Int64(left)))
            }
            let sixth = await rpcError { try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456") }
            #expect(sixth?.code == .resourceExhausted && sixth?.details?["reason"] == "too_many_attempts", "even the right code, once burned")
            #expect(try await client.deletionStatus(requestId: "req_demo_ig").state == .awaitingVerification)
            _ = try await client.deletionResendCode(requestId: "req_demo_ig")
            let code = try await Mailer.code(for: "req_demo_ig", client: client)
            #expect(try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: code).state == .scheduled)
            let twice = await rpcError { try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: code) }
            #expect(twice?.code == .failedPrecondition && twice?.details?["state"] == "scheduled", "verify twice names the state")
        }
    }

    @Test("an expired code, a malformed code, an unknown request", arguments: TestStore.all)
    func expiredAndUnknown(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            _ = try await client.adminAdvanceClock(seconds: 15 * 60)
            let expired = await rpcError { try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456") }
            #expect(expired?.code == .failedPrecondition && expired?.details?["reason"] == "code_expired")
            let malformed = await rpcError { try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "12a456") }
            #expect(malformed?.code == .invalidArgument)
            let unknown = await rpcError { try await client.deletionStatus(requestId: "req_nope") }
            #expect(unknown?.code == .notFound && unknown?.message == "no deletion request req_nope")
            let neither = await rpcError { try await client.deletionStatus() }
            #expect(neither?.code == .invalidArgument)
            let badCode = await rpcError { try await client.deletionStatus(confirmationCode: "NOPE") }
            #expect(badCode?.code == .notFound)
        }
    }

    @Test("three codes an hour: the fourth waits; an hour later it goes", arguments: TestStore.all)
    func resendLimit(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            // req_demo_acct was seeded with one code.
            #expect(try await client.deletionResendCode(requestId: "req_demo_acct").codesLeftThisHour == 1)
            #expect(try await client.deletionResendCode(requestId: "req_demo_acct").codesLeftThisHour == 0)
            let refused = await rpcError { try await client.deletionResendCode(requestId: "req_demo_acct") }
            #expect(refused?.code == .resourceExhausted && refused?.details?["reason"] == "too_many_codes")
            if case .int(let wait)? = refused?.details?["retryAfterSeconds"] { #expect(wait > 0 && wait <= 3_600) } else { Issue.record("no retryAfterSeconds") }
            _ = try await client.adminAdvanceClock(seconds: 3_601)
            #expect(try await client.deletionResendCode(requestId: "req_demo_acct").codesLeftThisHour == 2)
        }
    }

    @Test("cancel in the grace period works, twice is the same answer; after erasure it names the state", arguments: TestStore.all)
    func cancel(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let code = try await { () async throws -> String in
                _ = try await client.deletionResendCode(requestId: "req_demo_acct")
                return try await Mailer.code(for: "req_demo_acct", client: client)
            }()
            #expect(try await client.deletionVerifyIdentity(requestId: "req_demo_acct", code: code).state == .scheduled)
            let cancelled = try await client.deletionCancel(requestId: "req_demo_acct")
            #expect(cancelled.state == .cancelled && cancelled.timeline.endedAt != nil)
            #expect(try await client.deletionCancel(requestId: "req_demo_acct").state == .cancelled)
            let execute = await rpcError { try await client.deletionExecute(requestId: "req_demo_acct") }
            #expect(execute?.code == .failedPrecondition && execute?.details?["state"] == "cancelled")

            _ = try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456")
            _ = try await server.executeUntilDone("req_demo_ig", client: client)
            let late = await rpcError { try await client.deletionCancel(requestId: "req_demo_ig") }
            #expect(late?.code == .failedPrecondition && late?.details?["state"] == "erased")
            #expect(late?.message == "the request is erased: it cannot be cancelled")
        }
    }

    @Test("an unknown sender: the same answer, a polite email to that address only, nothing else changed", arguments: TestStore.all)
    func unknownSender(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let accountsBefore = try await server.checksum(accountID: "acc_demo")
            let answer = try await client.deletionIntakeEmail(from: "stranger@example.net", subject: "Delete my ALT account", messageId: "<s-1>", receivedAt: Date())
            #expect(!answer.duplicate)
            let status = try await client.deletionStatus(requestId: answer.requestId)
            #expect(status.state == .rejected && status.reason == "no account uses the sender's address")
            let mail = try await client.outboxClaim(limit: 100).messages.filter { $0.requestId == answer.requestId }
            #expect(mail.map(\.kind) == [.noAccount] && mail.first?.recipient == "stranger@example.net")
            #expect(try await server.checksum(accountID: "acc_demo") == accountsBefore)
            _ = try await client.outboxAck(ids: mail.map(\.id))
            if server.store == .sqlite {
                try await server.database.checkpoint()
                #expect(!(try server.fileBytes().contains(text: "stranger@example.net")), "the address is not kept once the email is sent")
            } else {
                #expect(try await server.count("SELECT count(*) FROM deletion_requests WHERE requester_email_sealed IS NOT NULL AND state = 'rejected'") == 0)
            }
        }
    }

    @Test("a subject that is not one of the three, and a From without an address", arguments: TestStore.all)
    func malformedIntake(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let subject = await rpcError {
                try await client.deletionIntakeEmail(from: "demo@example.com", subject: "Please remove me", messageId: "<m-2>", receivedAt: Date())
            }
            #expect(subject?.code == .invalidArgument && subject?.details?["reason"] == "unrecognised_subject")
            #expect(subject?.message.contains("Delete my Google Calendar data") == true)
            let from = await rpcError {
                try await client.deletionIntakeEmail(from: "no address", subject: "Delete my ALT account", messageId: "<m-3>", receivedAt: Date())
            }
            #expect(from?.code == .invalidArgument)
            let mail = try await client.outboxClaim(limit: 100)
            #expect(mail.messages.isEmpty, "a refused email sends nothing")
        }
    }

    @Test("unverified requests expire after 7 days, and then refuse the code", arguments: TestStore.all)
    func expiry(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            _ = try await client.adminAdvanceClock(seconds: 7 * 86_400)
            let expired = try await server.settled("req_demo_ig", client: client)
            #expect(expired.state == .expired)
            #expect(expired.reason == "not verified within 7 days")
            let late = await rpcError { try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456") }
            #expect(late?.code == .failedPrecondition && late?.details?["state"] == "expired")
        }
    }

    @Test("list pages by deadline with a stable cursor; a forged cursor is refused", arguments: TestStore.all)
    func listPaging(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            for index in 0..<5 {
                _ = try await client.deletionIntakeEmail(
                    from: "nobody\(index)@example.net", subject: "Delete my ALT account", messageId: "<p-\(index)>", receivedAt: Date()
                )
            }
            var seen: [String] = []
            var token: String?
            repeat {
                let page = try await client.deletionList(pageSize: 2, pageToken: token)
                #expect(page.requests.count <= 2)
                seen += page.requests.map(\.requestId)
                token = page.nextPageToken
            } while token != nil
            #expect(seen.count == 8 && Set(seen).count == 8, "three seeded and five new, each once")
            let rejected = try await client.deletionList(state: .rejected, pageSize: 100)
            #expect(rejected.requests.count == 6)
            let overdue = try await client.deletionList(overdue: true, pageSize: 100)
            #expect(overdue.requests.isEmpty)
            _ = try await client.adminAdvanceClock(seconds: 31 * 86_400)
            let late = try await client.deletionList(overdue: true, pageSize: 100)
            #expect(Set(late.requests.map(\.requestId)) == ["req_demo_ig", "req_demo_acct"], "unverified past 30 days (expiry has not run: no settle)")
            let forged = await rpcError { try await client.deletionList(pageToken: "not-a-token") }
            #expect(forged?.code == .invalidArgument && forged?.details?["param"] == "pageToken")
        }
    }
}
