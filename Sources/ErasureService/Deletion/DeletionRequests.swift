public import ALTStore
import Crypto
import JSONRPC
public import ErasureDomain
public import Foundation
import ISO8601Time
public import Logging

/// The deletion workflow (P2–P5): intake, identity codes, cancellation, execution, status and proof.
/// Every change is one store transaction holding the transition, its outbox message and its audit entry;
/// a refusal that must still be recorded (a wrong code counts as a try) commits before it is thrown.
public struct DeletionRequests: Sendable {
    public let store: any ErasureStore
    public let environment: DeletionEnvironment
    /// Where erasures run; `deletiond serve` runs it as a service beside the server.
    public let runner: ErasureRunner

    public init(store: any ErasureStore, environment: DeletionEnvironment, logger: Logger = Logger(label: "deletiond.erasure")) {
        self.store = store
        self.environment = environment
        runner = ErasureRunner(logger: logger)
    }

    var now: Date { environment.clock.now() }

    // MARK: Intake (P2)

    /// An email taken in: the request it is about, whether it was known already, and whether it was a
    /// reply whose code verified that request.
    public struct EmailIntake: Sendable, Equatable {
        public let requestID: String
        public let duplicate: Bool
        public let verified: Bool
    }

    /// Takes in an email. The answer does not tell whether the sender has an account (I6).
    ///
    /// A reply (subject `Re: …`) whose `body` holds a 6-digit code, from the address of an account with a
    /// request awaiting verification, is the code sent back (P3): it verifies the request whose code it is,
    /// with `deletion.verifyIdentity`'s limits; a code of none counts as a wrong try against the request
    /// whose code was sent last.
    /// The answer is then that request, `verified` or not; any other email is taken in as a request.
    public func intakeEmail(
        from: String, subject: String, messageID: String, receivedAt: Date, body: String? = nil, actor: String
    ) async throws -> EmailIntake {
        let address = Self.address(in: from)
        if let code = body.flatMap({ IntakeSubject.isReply(subject) ? Self.codeInBody($0) : nil }),
            let awaiting = try await awaitingVerification(email: address, code: code)
        {
            do {
                _ = try await verifyIdentity(requestID: awaiting, code: code, actor: actor)
                return EmailIntake(requestID: awaiting, duplicate: false, verified: true)
            } catch is DeletionError {
                // Refused as the form or the RPC would refuse it; the reply's sender learns it by email.
                return EmailIntake(requestID: awaiting, duplicate: true, verified: false)
            }
        }
        let (requestID, duplicate) = try await intakeRequest(from: from, subject: subject, messageID: messageID, receivedAt: receivedAt, actor: actor)
        return EmailIntake(requestID: requestID, duplicate: duplicate, verified: false)
    }

    /// The first 6-digit number standing alone in `text` (the code, typed or quoted from our email).
    public static func codeInBody(_ text: String) -> String? {
        var run = ""
        for character in text + " " {
            if character.isASCII, character.isNumber {
                run.append(character)
            } else {
                if run.count == 6 { return run }
                run = ""
            }
        }
        return nil
    }

    /// The request of the account at `email` that a reply holding `code` answers: among its requests
    /// awaiting verification, the one whose current code it is (compared in constant time, no try
    /// counted), else the one whose code was sent last, against which the wrong code then counts as a try.
    func awaitingVerification(email: String, code: String) async throws -> String? {
        let codes = environment.codes
        return try await store.read { tx -> String? in
            guard let account = try await tx.accounts.account(email: email) else { return nil }
            var awaiting: [DeletionRequest] = []
            for scope in Scope.allCases {
                if let open = try await tx.requests.openRequest(accountID: account.id, scope: scope), open.state == .awaitingVerification {
                    awaiting.append(open)
                }
            }
            var newest: (request: String, issued: Date, id: Int64)?
            for request in awaiting {
                guard let current = try await tx.challenges.challenges(requestID: request.id).first else { continue }
                if codes.matches(code, requestID: request.id, stored: current.digest) { return request.id }
                // The code sent last: by time, and within a second by the order the codes were stored.
                let sent = (request: request.id, issued: current.issuedAt, id: current.id ?? 0)
                if newest.map({ ($0.issued, $0.id) < (sent.issued, sent.id) }) ?? true { newest = sent }
            }
            return newest?.request
        }
    }

    /// An email asking for a deletion, by its subject.
    private func intakeRequest(from: String, subject: String, messageID: String, receivedAt: Date, actor: String) async throws -> (requestID: String, duplicate: Bool) {
        let scope: Scope
        do {
            scope = try IntakeSubject.scope(of: subject)
        } catch {
            throw DeletionError.unrecognisedSubject(error.description)
        }
        let address = Self.address(in: from)
        guard address.contains("@") else { throw DeletionError.invalidArgument(param: "from", message: "not an email address") }
        let messageHash = environment.hasher.hash(kind: .messageID, value: messageID)
        let now = self.now
        let environment = self.environment
        return try await store.write { tx in
            if let known = try await tx.requests.request(messageIdHash: messageHash) { return (known.id, true) }
            guard let account = try await tx.accounts.account(email: address) else {
                // Rejected at once; only the address itself is told, by email (I6).
                let intake = try Self.intake(scope: scope, channel: .email, accountID: nil, email: address, messageHash: messageHash, actor: actor, environment: environment)
                let (request, effects) = DeletionRequest.reject(
                    intake, at: now, receivedAt: min(receivedAt, now), reason: "no account uses the sender's address",
                    code: OutboxKind.noAccount.rawValue, tell: address, policy: environment.policy
                )
                try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
                return (request.id, false)
            }
            if let open = try await tx.requests.openRequest(accountID: account.id, scope: scope) { return (open.id, true) }
            let intake = try Self.intake(scope: scope, channel: .email, accountID: account.id, email: account.email, messageHash: messageHash, actor: actor, environment: environment)
            var (request, effects) = DeletionRequest.receive(intake, at: min(receivedAt, now), policy: environment.policy)
            try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            _ = try await Self.issueCode(tx, &request, now: now, actor: actor, environment: environment)
            return (request.id, false)
        }
    }

    /// Starts a request from the app or by support; an open request of the account and scope is answered instead.
    public func create(accountID: String, scope: Scope, channel: RequestChannel, actor: String) async throws -> DeletionRequest {
        let now = self.now
        let environment = self.environment
        return try await store.write { tx in
            guard let account = try await tx.accounts.account(id: accountID) else { throw DeletionError.accountNotFound(accountID) }
            if let open = try await tx.requests.openRequest(accountID: account.id, scope: scope) { return open }
            let intake = try Self.intake(scope: scope, channel: channel, accountID: account.id, email: account.email, messageHash: nil, actor: actor, environment: environment)
            var (request, effects) = DeletionRequest.receive(intake, at: now, policy: environment.policy)
            try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            _ = try await Self.issueCode(tx, &request, now: now, actor: actor, environment: environment)
            return request
        }
    }

    // MARK: Identity (P3)

    /// Checks the newest code; on success the request is scheduled.
    public func verifyIdentity(requestID: String, code: String, actor: String) async throws -> DeletionRequest {
        let now = self.now
        let environment = self.environment
        let outcome: Result<DeletionRequest, DeletionError> = try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            let state = request.state
            guard RequestState.unverified.contains(state) else { return .failure(.illegalState(state, action: "be verified")) }
            if now >= request.verificationExpiresAt {
                let effects = try request.end(.expire, reason: environment.policy.expiryReason, at: now)
                try await Self.persist(request, effects, tx, now: now, actor: "deletiond", environment: environment)
                return .failure(.illegalState(.expired, action: "be verified"))
            }
            guard var stored = try await tx.challenges.challenges(requestID: requestID).first, let storedID = stored.id else { return .failure(.noCode) }
            var challenge = Challenge(digest: stored.digest, issuedAt: stored.issuedAt, attempts: stored.attempts, burned: stored.burned)
            do {
                try challenge.verify(code, requestID: requestID, codes: environment.codes, policy: environment.challengePolicy, now: now)
            } catch let refusal as Challenge.Refusal {
                stored.attempts = challenge.attempts
                stored.burned = challenge.burned
                stored = try await tx.challenges.save(stored)
                try await tx.audit.append(at: now, actor: actor, action: .codeRefused, requestID: requestID, details: ["challenge": storedID, "attempts": stored.attempts])
                switch refusal {
                case .wrongCode(let left): return .failure(.wrongCode(attemptsLeft: left))
                case .expired: return .failure(.codeExpired)
                case .burned: return .failure(.codeBurned)
                case .tooManyAttempts: return .failure(.tooManyAttempts)
                }
            }
            stored.attempts = challenge.attempts
            stored.burned = true
            _ = try await tx.challenges.save(stored)
            let effects = try request.verify(at: now, policy: environment.policy)
            try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            return .success(request)
        }
        return try outcome.get()
    }

    /// Sends a new code (at most 3 an hour); earlier codes stop working.
    public func resendCode(requestID: String, actor: String) async throws -> (expiresAt: Date, codesLeft: Int) {
        let now = self.now
        let environment = self.environment
        return try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            let state = request.state
            guard RequestState.unverified.contains(state), request.requesterEmailSealed != nil else {
                throw DeletionError.illegalState(state, action: "get a new code")
            }
            return try await Self.issueCode(tx, &request, now: now, actor: actor, environment: environment)
        }
    }

    /// Issues a code: stored as an HMAC, sent through the outbox to the address on file; earlier codes
    /// are burned.
    static func issueCode(
        _ tx: any StoreTransaction, _ request: inout DeletionRequest, now: Date, actor: String, environment: DeletionEnvironment
    ) async throws -> (expiresAt: Date, codesLeft: Int) {
        let policy = environment.challengePolicy
        let issued = try await tx.challenges.challenges(requestID: request.id)
        let recent = issued.map(\.issuedAt).filter { now.timeIntervalSince($0) < 3_600 }
        guard Challenge.mayIssue(after: recent, policy: policy, now: now) else {
            let wait = ((recent.min() ?? now) + 3_600).timeIntervalSince(now)
            throw DeletionError.tooManyCodes(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
        for var older in issued where !older.burned {
            older.burned = true
            _ = try await tx.challenges.save(older)
        }
        let code = environment.codes.generate()
        let challenge = try await tx.challenges.save(
            ChallengeRecord(requestId: request.id, digest: environment.codes.digest(code, requestID: request.id), issuedAt: now)
        )
        let expiresAt = now + policy.lifetime
        let effects = try request.codeSent(code: code, expiresAt: expiresAt, challengeID: challenge.id ?? 0)
        try await persist(request, effects, tx, now: now, actor: actor, environment: environment)
        return (expiresAt, policy.maximumCodesPerHour - recent.count - 1)
    }

    // MARK: Cancel

    public func cancel(requestID: String, actor: String) async throws -> DeletionRequest {
        let now = self.now
        let environment = self.environment
        return try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            let state = request.state
            if state == .cancelled { return request }
            guard (try? RequestStateMachine.next(state, on: .cancel)) != nil else { throw DeletionError.illegalState(state, action: "be cancelled") }
            let effects = try request.end(.cancel, reason: "cancelled by \(actor)", at: now)
            try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            return request
        }
    }

    // MARK: Helpers

    /// A new request's intake: fresh id and confirmation code, the requester's address sealed and hashed.
    static func intake(
        scope: Scope, channel: RequestChannel, accountID: String?, email: String, messageHash: String?, actor: String, environment: DeletionEnvironment
    ) throws -> DeletionRequest.Intake {
        DeletionRequest.Intake(
            id: RandomIDs.token("req_", bytes: 12), confirmationCode: RandomIDs.confirmationCode(), scope: scope, channel: channel,
            accountID: accountID, subjectHash: environment.hasher.hash(kind: .email, value: email),
            requesterEmailSealed: try environment.cipher.sealText(email), messageIdHash: messageHash, actor: actor
        )
    }

    static func request(_ tx: any StoreTransaction, _ id: String) async throws -> DeletionRequest {
        guard let request = try await tx.requests.request(id: id) else { throw DeletionError.requestNotFound(id) }
        return request
    }

    /// The address in a From header: `Name <a@b>` or a bare `a@b`.
    static func address(in from: String) -> String {
        if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close {
            return from[from.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
        }
        return from.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
