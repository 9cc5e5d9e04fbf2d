import ALTErasureClient
import ErasureDomain
import ErasureService
import Foundation
import ServiceTestSupport
import Testing

/// The code sent back by email (P3): a reply from the address on file holding the 6-digit code verifies
/// the sender's newest request awaiting verification, with `deletion.verifyIdentity`'s limits.
@Suite("Verification by email reply")
struct EmailReplyTests {
    @Test("a wrong code counts a try and verifies nothing; the right one (quoted or typed) verifies the request whose code it is", arguments: TestStore.all)
    func replyVerifies(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, _ in
            let received = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let intake = try await client.deletionIntakeEmail(
                from: "demo@example.com", subject: "Delete my Google Calendar data", messageId: "<cal-1@mail.example.com>", receivedAt: received
            )
            let code = try await Mailer.code(for: intake.requestId, client: client)
            let wrong = code == "000000" ? "111111" : "000000"

            let refused = try await client.deletionIntakeEmail(
                from: "Demo <demo@example.com>", subject: "Re: Your deletion code", messageId: "<reply-1@mail.example.com>", receivedAt: received,
                body: "It is me: \(wrong)"
            )
            #expect(refused.requestId == intake.requestId && refused.verified == false && refused.duplicate)
            #expect(try await client.deletionStatus(requestId: intake.requestId).state == .awaitingVerification)

            let noCode = await rpcError {
                try await client.deletionIntakeEmail(
                    from: "demo@example.com", subject: "Re: Your deletion code", messageId: "<reply-2@mail.example.com>", receivedAt: received,
                    body: "What is this about? Call me at 555 0100."
                )
            }
            #expect(noCode?.code == .invalidArgument, "a reply without a code is read as a request, and its subject is not one")

            let accepted = try await client.deletionIntakeEmail(
                from: "demo@example.com", subject: "RE: [External] Your deletion code", messageId: "<reply-3@mail.example.com>", receivedAt: received,
                body: "Yes.\n\nOn Sunday ALT wrote:\n> Your code is \(code). It expires in 15 minutes."
            )
            #expect(accepted.requestId == intake.requestId && accepted.verified == true && !accepted.duplicate)
            #expect(try await client.deletionStatus(requestId: intake.requestId).state == .scheduled)
            // acc_demo has another request awaiting its code (the demo's req_demo_ig, code 123456): a reply
            // holding that code verifies that one, whichever is newer.
            let other = try await client.deletionIntakeEmail(
                from: "demo@example.com", subject: "Re: Your deletion code", messageId: "<reply-4@mail.example.com>", receivedAt: received,
                body: "123456"
            )
            #expect(other.requestId == "req_demo_ig" && other.verified == true)
        }
    }

    @Test("a reply from another address, or a forward, verifies nothing", arguments: TestStore.all)
    func onlyTheOwnerReplies(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, _ in
            let received = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            // req_demo_ig awaits verification with the demo code 123456.
            let forwarded = await rpcError {
                try await client.deletionIntakeEmail(
                    from: "demo@example.com", subject: "Fwd: Your deletion code", messageId: "<fwd-1@mail.example.com>", receivedAt: received,
                    body: "123456"
                )
            }
            #expect(forwarded?.code == .invalidArgument, "a forward is read as a request, and its subject is not one")
            let stranger = try await client.deletionIntakeEmail(
                from: "mallory@example.net", subject: "Re: Delete my Instagram data", messageId: "<spoof-1@example.net>", receivedAt: received,
                body: "123456"
            )
            #expect(stranger.verified != true && stranger.requestId != "req_demo_ig")
            #expect(try await client.deletionStatus(requestId: "req_demo_ig").state == .awaitingVerification)
        }
    }

    @Test("the code in a body: six digits standing alone", arguments: [
        ("Here: 123456", "123456"), ("> Your code is 654321.", "654321"), ("1234567 then 222333", "222333"), ("12345", nil), ("", nil),
    ])
    func codeInBody(text: String, code: String?) {
        #expect(IntakeSubject.isReply("Re: x") && IntakeSubject.isReply("[External] AW: x") && !IntakeSubject.isReply("Fwd: x"))
        #expect(DeletionRequests.codeInBody(text) == code)
    }
}
