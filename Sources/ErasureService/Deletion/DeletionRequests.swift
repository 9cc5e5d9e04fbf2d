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

    /// Takes in an email. The answer does not tell whether the sender has an account (I6).
    public func intakeEmail(from: String, subject: String, messageID: String, receivedAt: Date, actor: String) async throws -> (requestID: String, duplicate: Bool) {
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
                var request = try Self.newRecord(
                    scope: scope, channel: .email, accountID: nil, email: address, messageHash: messageHash,
                    receivedAt: min(receivedAt, now), actor: actor, environment: environment
                )
                request.requesterEmailSealed = nil
                request.state = .rejected
                request.reason = "no account uses the sender's address"
                request.endedAt = now
                try await tx.requests.save(request)
                try await tx.outbox.enqueue(try Self.message(.noAccount, to: address, request: request.id, payload: [:], at: now, cipher: environment.cipher))
                try await tx.audit.append(at: now, actor: actor, action: .rejected, requestID: request.id, details: ["reason": OutboxKind.noAccount.rawValue, "channel": RequestChannel.email.rawValue])
                return (request.id, false)
            }
            if let open = try await tx.requests.openRequest(accountID: account.id, scope: scope) { return (open.id, true) }
            var request = try Self.newRecord(
                scope: scope, channel: .email, accountID: account.id, email: account.email, messageHash: messageHash,
                receivedAt: min(receivedAt, now), actor: actor, environment: environment
            )
            try await tx.requests.save(request)
            try await tx.audit.append(at: now, actor: actor, action: .received, requestID: request.id, details: ["scope": scope.rawValue, "channel": RequestChannel.email.rawValue])
            _ = try await Self.issueCode(tx, &request, email: account.email, now: now, actor: actor, environment: environment)
            return (request.id, false)
        }
    }

    /// Starts a request from the app or by support; an open request of the account and scope is answered instead.
    public func create(accountID: String, scope: Scope, channel: RequestChannel, actor: String) async throws -> DeletionRequestRecord {
        let now = self.now
        let environment = self.environment
        return try await store.write { tx in
            guard let account = try await tx.accounts.account(id: accountID) else { throw DeletionError.accountNotFound(accountID) }
            if let open = try await tx.requests.openRequest(accountID: account.id, scope: scope) { return open }
            var request = try Self.newRecord(
                scope: scope, channel: channel, accountID: account.id, email: account.email, messageHash: nil,
                receivedAt: now, actor: actor, environment: environment
            )
            try await tx.requests.save(request)
            try await tx.audit.append(at: now, actor: actor, action: .received, requestID: request.id, details: ["scope": scope.rawValue, "channel": channel.rawValue])
            _ = try await Self.issueCode(tx, &request, email: account.email, now: now, actor: actor, environment: environment)
            return request
        }
    }

    // MARK: Identity (P3)

    /// Checks the newest code; on success the request is scheduled.
    public func verifyIdentity(requestID: String, code: String, actor: String) async throws -> DeletionRequestRecord {
        let now = self.now
        let environment = self.environment
        let outcome: Result<DeletionRequestRecord, DeletionError> = try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            let state = request.state
            guard RequestState.unverified.contains(state) else { return .failure(.illegalState(state, action: "be verified")) }
            if now >= request.verificationExpiresAt {
                try await Self.end(tx, &request, .expire, reason: environment.policy.expiryReason, now: now, actor: "deletiond")
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
            stored = try await tx.challenges.save(stored)
            try Self.transition(&request, .verified)
            request.verifiedAt = now
            request.erasureStartsAt = environment.policy.erasureStarts(
                scope: request.scope, verifiedAt: now, receivedAt: request.receivedAt
            )
            try await tx.requests.save(request)
            try await tx.audit.append(at: now, actor: actor, action: .verified, requestID: requestID)
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
            guard RequestState.unverified.contains(state) else { throw DeletionError.illegalState(state, action: "get a new code") }
            guard let sealed = request.requesterEmailSealed else { throw DeletionError.illegalState(state, action: "get a new code") }
            let email = try environment.cipher.openText(sealed)
            return try await Self.issueCode(tx, &request, email: email, now: now, actor: actor, environment: environment)
        }
    }

    /// Issues a code: stored as an HMAC, sent through the outbox to the address on file.
    static func issueCode(
        _ tx: any StoreTransaction, _ request: inout DeletionRequestRecord, email: String, now: Date, actor: String,
        environment: DeletionEnvironment
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
            older = try await tx.challenges.save(older)
        }
        let code = environment.codes.generate()
        var challenge = ChallengeRecord(requestId: request.id, digest: environment.codes.digest(code, requestID: request.id), issuedAt: now)
        challenge = try await tx.challenges.save(challenge)
        let expiresAt = now + policy.lifetime
        try await tx.outbox.enqueue(
            try message(
                .identityCode, to: email, request: request.id,
                payload: ["code": .string(code), "scope": .string(request.scope.rawValue), "expiresAt": .string(ISO8601Time.format(expiresAt))],
                at: now, cipher: environment.cipher
            )
        )
        try transition(&request, .codeSent)
        try await tx.requests.save(request)
        try await tx.audit.append(at: now, actor: actor, action: .codeSent, requestID: request.id, details: ["challenge": challenge.id ?? 0])
        return (expiresAt, policy.maximumCodesPerHour - recent.count - 1)
    }

    // MARK: Cancel

    public func cancel(requestID: String, actor: String) async throws -> DeletionRequestRecord {
        let now = self.now
        return try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            let state = request.state
            if state == .cancelled { return request }
            guard (try? RequestStateMachine.next(state, on: .cancel)) != nil else { throw DeletionError.illegalState(state, action: "be cancelled") }
            try await Self.end(tx, &request, .cancel, reason: "cancelled by \(actor)", now: now, actor: actor)
            return request
        }
    }

    /// How a request ends before it erased anything.
    enum Ending {
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

    /// Ends a request that never erased anything: its address is forgotten and its codes withdrawn.
    static func end(_ tx: any StoreTransaction, _ request: inout DeletionRequestRecord, _ ending: Ending, reason: String, now: Date, actor: String) async throws {
        try transition(&request, ending.event)
        request.endedAt = now
        request.reason = reason
        request.requesterEmailSealed = nil
        request.forgotten = true
        try await tx.requests.save(request)
        _ = try await tx.outbox.delete(ids: try await tx.outbox.messages(requestID: request.id).filter { $0.kind == .identityCode }.map(\.id))
        try await tx.audit.append(at: now, actor: actor, action: ending.action, requestID: request.id)
    }

    // MARK: Helpers

    static func newRecord(
        scope: Scope, channel: RequestChannel, accountID: String?, email: String, messageHash: String?, receivedAt: Date, actor: String,
        environment: DeletionEnvironment
    ) throws -> DeletionRequestRecord {
        DeletionRequestRecord(
            id: "req_" + randomToken(bytes: 12), confirmationCode: confirmationCode(), scope: scope, channel: channel,
            state: .received, accountId: accountID,
            subjectHash: environment.hasher.hash(kind: .email, value: email),
            requesterEmailSealed: try environment.cipher.sealText(email), messageIdHash: messageHash, actor: actor,
            receivedAt: receivedAt, productionDueBy: environment.policy.productionDue(receivedAt: receivedAt),
            verificationExpiresAt: environment.policy.verificationExpires(receivedAt: receivedAt)
        )
    }

    static func request(_ tx: any StoreTransaction, _ id: String) async throws -> DeletionRequestRecord {
        guard let request = try await tx.requests.request(id: id) else { throw DeletionError.requestNotFound(id) }
        return request
    }

    /// Moves the record through the state machine; an illegal move names the state.
    static func transition(_ request: inout DeletionRequestRecord, _ event: RequestEvent) throws {
        let state = request.state
        do {
            request.state = try RequestStateMachine.next(state, on: event)
        } catch {
            throw DeletionError.illegalState(state, action: "take \(event.rawValue)")
        }
    }

    /// The address in a From header: `Name <a@b>` or a bare `a@b`.
    static func address(in from: String) -> String {
        if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close {
            return from[from.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
        }
        return from.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func randomToken(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<bytes * 2).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// A code quoted to the requester and to Meta: four groups of four, no look-alike characters.
    static func confirmationCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let groups = (0..<4).map { _ in String((0..<4).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }) }
        return groups.joined(separator: "-")
    }

    static func message(
        _ kind: OutboxKind, to recipient: String?, request: String?, payload: [String: JSONValue], at now: Date, cipher: TokenCipher,
        after dependency: String? = nil
    ) throws -> OutboxRecord {
        let json = JSONValue.object(payload).jsonText()
        var record = OutboxRecord(
            id: "out_" + randomToken(bytes: 10), kind: kind, requestId: request,
            recipientSealed: try recipient.map { try cipher.sealText($0) }, payloadSealed: try cipher.sealText(json), createdAt: now
        )
        record.dependsOn = dependency
        return record
    }
}

/// A provider job of a request that failed for good (`failed_permanently`) or expired unacknowledged:
/// kept on the request, told in its final confirmation and in `deletion.status`.
public struct ProviderFailure: Codable, Sendable, Equatable {
    public let kind: OutboxKind
    public let reason: String

    /// The reason given for a job that was not acknowledged within its 24 hours.
    static let expired = "expired"

    static func decodeAll(_ text: String?) throws -> [ProviderFailure] {
        guard let text else { return [] }
        return try JSONDecoder().decode([ProviderFailure].self, from: Data(text.utf8))
    }

    static func append(_ failure: ProviderFailure, to request: inout DeletionRequestRecord) throws {
        let all = try decodeAll(request.providerFailures) + [failure]
        request.providerFailures = String(decoding: try JSONEncoder().encode(all), as: UTF8.self)
    }
}
