import ErasureDomain
import Foundation
import Testing

@Suite("Request state machine")
struct RequestStateTests {
    @Test("the happy path for each start: code then verify, or pre-verified")
    func happyPath() throws {
        var state = RequestState.received
        for event in [RequestEvent.codeSent, .verified, .erasureStarted, .productionErased, .completed] {
            state = try RequestStateMachine.next(state, on: event)
        }
        #expect(state == .completed)
        #expect(try RequestStateMachine.next(.received, on: .verified) == .scheduled)
    }

    @Test("a failed erasure resumes; resending a code keeps waiting")
    func retries() throws {
        #expect(try RequestStateMachine.next(.erasing, on: .erasureFailed) == .failed)
        #expect(try RequestStateMachine.next(.failed, on: .erasureStarted) == .erasing)
        #expect(try RequestStateMachine.next(.awaitingVerification, on: .codeSent) == .awaitingVerification)
    }

    @Test("cancel works until erasure starts, never after")
    func cancel() throws {
        for state in [RequestState.received, .awaitingVerification, .scheduled] {
            #expect(try RequestStateMachine.next(state, on: .cancel) == .cancelled)
        }
        for state in [RequestState.erasing, .erased, .completed, .failed] {
            #expect(throws: RequestStateMachine.IllegalTransition(state: state, event: .cancel)) {
                try RequestStateMachine.next(state, on: .cancel)
            }
        }
    }

    @Test("an account erasure supersedes the account's requests that have not started, never one under way")
    func supersede() throws {
        for state in [RequestState.received, .awaitingVerification, .scheduled] {
            #expect(try RequestStateMachine.next(state, on: .supersede) == .superseded)
        }
        for state in [RequestState.erasing, .failed, .erased] {
            #expect(throws: RequestStateMachine.IllegalTransition(state: state, event: .supersede)) {
                try RequestStateMachine.next(state, on: .supersede)
            }
        }
        #expect(RequestState.superseded.isFinal)
    }

    @Test("final states take no event")
    func finalStates() {
        for state in RequestState.allCases where state.isFinal {
            for event in RequestEvent.allCases {
                #expect(throws: RequestStateMachine.IllegalTransition.self) { try RequestStateMachine.next(state, on: event) }
            }
        }
    }

    @Test("every illegal pair names the current state")
    func illegalNamesState() {
        #expect(RequestStateMachine.IllegalTransition(state: .erased, event: .verified).description == "a request in state erased cannot take verified")
    }
}

@Suite("Deadlines")
struct DeadlineTests {
    let policy = ErasurePolicy()
    let received = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("production in 30 days and every backup in 90, both counted from the request; verification within 7 days")
    func windows() {
        #expect(policy.productionDue(receivedAt: received) == received + 30 * 86_400)
        #expect(policy.backupsDue(receivedAt: received) == received + 90 * 86_400)
        #expect(policy.longestBackupRetention == 60 * 86_400, "a backup taken on day 30 must be gone by day 90 (issue 11, defect 9)")
        #expect(policy.verificationExpires(receivedAt: received) == received + 7 * 86_400)
    }

    @Test("account requests wait the grace period, but never into the production deadline; others start at once")
    func grace() {
        #expect(policy.erasureStarts(scope: .instagram, verifiedAt: received + 60, receivedAt: received) == received + 60)
        #expect(policy.erasureStarts(scope: .account, verifiedAt: received, receivedAt: received) == received + 7 * 86_400)
        let late = received + 27 * 86_400
        #expect(policy.erasureStarts(scope: .account, verifiedAt: late, receivedAt: received) == received + 29 * 86_400)
        let veryLate = received + 29.5 * 86_400
        #expect(policy.erasureStarts(scope: .account, verifiedAt: veryLate, receivedAt: received) == veryLate)
    }

    @Test("the manual clock moves only when told")
    func manualClock() {
        let clock = ManualClock(received)
        #expect(clock.now() == received)
        clock.advance(by: 900)
        #expect(clock.now() == received + 900)
    }
}
