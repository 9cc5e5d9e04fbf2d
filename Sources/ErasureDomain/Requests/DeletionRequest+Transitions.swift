public import Foundation
import ISO8601Time

/// The transitions of a deletion request. Each checks the move with `RequestStateMachine`, changes the
/// request, and returns the effects to carry out with it; an illegal move changes nothing.
extension DeletionRequest {
    /// What the intake knows of a new request; ids and codes are drawn by the caller.
    public struct Intake: Sendable {
        public var id: String
        public var confirmationCode: String
        public var scope: Scope
        public var channel: RequestChannel
        public var accountID: String?
        public var subjectHash: String
        public var requesterEmailSealed: String?
        public var messageIdHash: String?
        public var actor: String

        public init(
            id: String, confirmationCode: String, scope: Scope, channel: RequestChannel, accountID: String?, subjectHash: String,
            requesterEmailSealed: String?, messageIdHash: String?, actor: String
        ) {
            self.id = id
            self.confirmationCode = confirmationCode
            self.scope = scope
            self.channel = channel
            self.accountID = accountID
            self.subjectHash = subjectHash
            self.requesterEmailSealed = requesterEmailSealed
            self.messageIdHash = messageIdHash
            self.actor = actor
        }
    }

    /// A request received at `receivedAt`, its deadlines counted from then (P4).
    public static func receive(_ intake: Intake, at receivedAt: Date, policy: ErasurePolicy) -> (DeletionRequest, [RequestEffect]) {
        let request = DeletionRequest(
            id: intake.id, confirmationCode: intake.confirmationCode, scope: intake.scope, channel: intake.channel, state: .received,
            accountId: intake.accountID, subjectHash: intake.subjectHash, requesterEmailSealed: intake.requesterEmailSealed,
            messageIdHash: intake.messageIdHash, actor: intake.actor, receivedAt: receivedAt,
            productionDueBy: policy.productionDue(receivedAt: receivedAt), verificationExpiresAt: policy.verificationExpires(receivedAt: receivedAt),
            attempts: 0, forgotten: false
        )
        return (request, [.audit(.received, details: ["scope": .text(intake.scope.rawValue), "channel": .text(intake.channel.rawValue)])])
    }

    /// A request refused at intake (no account, no connection): ended and forgotten at once. `tell` is
    /// the sender's address when the sender is to be told (by email only, so the answer to the call does
    /// not say whether an account exists, I6).
    public static func reject(
        _ intake: Intake, at now: Date, receivedAt: Date, reason: String, code: String, tell: String?, policy: ErasurePolicy
    ) -> (DeletionRequest, [RequestEffect]) {
        var (request, _) = receive(intake, at: receivedAt, policy: policy)
        request.state = .rejected
        request.requesterEmailSealed = nil
        request.reason = reason
        request.endedAt = now
        request.forgotten = true
        var effects: [RequestEffect] = tell.map { [.notify(.noAccount, to: .address($0))] } ?? []
        effects.append(.audit(.rejected, details: ["reason": .text(code), "channel": .text(intake.channel.rawValue)]))
        return (request, effects)
    }

    /// A code went out; `code` is the plaintext the mail carries (never stored: the challenge keeps its HMAC).
    public mutating func codeSent(code: String, expiresAt: Date, challengeID: Int64) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        try move(.codeSent)
        return [
            .notify(
                .identityCode, to: .requester,
                payload: ["code": .text(code), "scope": .text(scope.rawValue), "expiresAt": .text(ISO8601Time.format(expiresAt))]
            ),
            .audit(.codeSent, details: ["challenge": .number(Int(challengeID))]),
        ]
    }

    /// The requester proved the address (a code, or Meta's signed request `by`): scheduled, to start when
    /// the policy says.
    public mutating func verify(at now: Date, policy: ErasurePolicy, by: String? = nil) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        try move(.verified)
        verifiedAt = now
        erasureStartsAt = policy.erasureStarts(scope: scope, verifiedAt: now, receivedAt: receivedAt)
        return [.audit(.verified, details: by.map { ["by": .text($0)] } ?? [:])]
    }

    /// How a request ends before it erased anything.
    public enum Ending: Sendable {
        case cancel, expire, supersede

        var event: RequestEvent {
            switch self {
            case .cancel: .cancel
            case .expire: .expire
            case .supersede: .supersede
            }
        }

        var action: AuditAction {
            switch self {
            case .cancel: .cancelled
            case .expire: .expired
            case .supersede: .superseded
            }
        }
    }

    /// Ends a request that never erased anything: its address is forgotten and its code mail withdrawn
    /// (a superseded request's codes too: its data went with the account).
    public mutating func end(_ ending: Ending, reason: String, at now: Date) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        try move(ending.event)
        endedAt = now
        self.reason = reason
        requesterEmailSealed = nil
        forgotten = true
        return [.withdrawCodeMail] + (ending == .supersede ? [.withdrawCodes] : []) + [.audit(ending.action)]
    }

    /// What an erasure records of its subject before the first batch: the identifiers' hashes (for the
    /// ledger) and their values sealed (for the byte scan, until the request is forgotten).
    public struct Subject: Sendable {
        public var marks: [LedgerMark]
        public var valuesSealed: String

        public init(marks: [LedgerMark], valuesSealed: String) {
            self.marks = marks
            self.valuesSealed = valuesSealed
        }
    }

    /// Whether a run may start (or resume) now.
    public var isRunnable: Bool { [.scheduled, .erasing, .failed].contains(state) }

    /// A run starts or resumes: on the first, the providers are told and the subject recorded (`subject`
    /// is read only while none is recorded: nil once one is); an account erasure ends the account's
    /// requests that have not started.
    public mutating func startErasure(at now: Date, subject: Subject?) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        guard isRunnable else { throw .init(state: state, event: .erasureStarted) }
        var effects: [RequestEffect] = erasingAt == nil ? [.startProviderJobs] : []
        if state != .erasing {
            try move(.erasureStarted)
            erasingAt = erasingAt ?? now
            // deletion.execute may start before the grace period ends: the timeline says when it did.
            if let starts = erasureStartsAt, starts > now { erasureStartsAt = now }
        }
        attempts += 1
        if subjectValuesSealed == nil, let subject {
            subjectValuesSealed = subject.valuesSealed
            effects.append(.ledger(subject.marks))
        }
        if scope == .account { effects.append(.supersedeOthers) }
        effects.append(.audit(.erasureStarted, details: ["attempt": .number(attempts)]))
        return effects
    }

    /// A batch failed: `failed`, retried after 1, 2, 4 … minutes, at most an hour apart.
    public mutating func erasureFailed(at now: Date, error: String) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        try move(.erasureFailed)
        let backoff = min(60 * pow(2, Double(max(0, attempts - 1))), 3_600)
        erasureStartsAt = now + backoff
        reason = "erasure error (\(error)); retrying at \(ISO8601Time.format(now + backoff))"
        return [.audit(.erasureFailed)]
    }

    /// Every production table in scope is erased (`counts`: rows per table).
    public mutating func productionErased(at now: Date, counts: [String: Int]) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        try move(.productionErased)
        erasedAt = now
        reason = nil
        // A request made while this one was erasing is ended too.
        return (scope == .account ? [.supersedeOthers] : []) + [.audit(.productionErased, details: counts.mapValues { .number($0) })]
    }

    /// The final confirmation (P5): every older backup is gone and every provider job acknowledged.
    public func finalConfirmation(at now: Date) -> [RequestEffect] {
        var payload: [String: MessageValue] = [
            "scope": .text(scope.rawValue), "confirmationCode": .text(confirmationCode), "erasedAt": .text(ISO8601Time.format(erasedAt ?? now)),
        ]
        if let failures = providerFailures, !failures.isEmpty {
            // The person is told what the providers did not confirm (e.g. Google's token revocation).
            payload["providerFailures"] = .records(failures.map { ["kind": $0.kind.rawValue, "reason": $0.reason] })
        }
        return [.notify(.deletionCompleted, to: .requester, payload: payload), .audit(.finalConfirmationQueued)]
    }

    /// The final confirmation was delivered (or can never be): complete, and the requester forgotten (I5).
    public mutating func complete(at now: Date) throws(RequestStateMachine.IllegalTransition) -> [RequestEffect] {
        try move(.completed)
        completedAt = now
        requesterEmailSealed = nil
        subjectValuesSealed = nil
        forgotten = true
        return [.discardRequesterMail, .audit(.completed)]
    }

    /// A provider job of the request failed for good (the outbox audits the job itself).
    public mutating func providerJobFailed(_ kind: OutboxKind, reason: String) -> [RequestEffect] {
        providerFailures = (providerFailures ?? []) + [ProviderFailure(kind: kind, reason: reason)]
        return []
    }

    /// A provider job of the request was not acknowledged within its day and is gone with its token.
    public mutating func providerJobExpired(_ kind: OutboxKind) -> [RequestEffect] {
        providerFailures = (providerFailures ?? []) + [ProviderFailure(kind: kind, reason: ProviderFailure.expired)]
        return [.audit(.jobExpired, details: ["kind": .text(kind.rawValue)])]
    }

    private mutating func move(_ event: RequestEvent) throws(RequestStateMachine.IllegalTransition) {
        state = try RequestStateMachine.next(state, on: event)
    }
}
