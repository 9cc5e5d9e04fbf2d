import ALTBackups
public import ALTStore
import ErasureDomain
import Foundation
import JSONRPC
public import Logging
import ISO8601Time

extension DeletionRequests {
    /// Starts the erasure of a verified request now (or joins the run under way) and answers at once:
    /// callers poll `deletion.status`. The erasure runs in the `ErasureRunner`, not in the caller's call.
    public func execute(requestID: String, actor: String) async throws -> DeletionRequestRecord {
        let request = try await store.read { tx in try await Self.request(tx, requestID) }
        let state = request.state
        switch state {
        case .erased, .completed: return request
        case .scheduled, .erasing, .failed: break
        default: throw DeletionError.illegalState(state, action: "be executed before it is verified and scheduled")
        }
        try await start(requestID: requestID, actor: actor)
        return try await store.read { tx in try await Self.request(tx, requestID) }
    }

    /// Starts every request whose time has come (the background executor); each runs in the runner.
    public func runDueRequests(limit: Int = 10, logger: Logger) async throws {
        let now = self.now
        let due = try await store.read { tx in try await tx.requests.runnableRequests(now: now, limit: limit) }
        for request in due where !runner.isRunning(request.id) {
            try Task.checkCancellation()
            do {
                try await start(requestID: request.id, actor: "deletiond")
            } catch where !Task.isCancelled {
                logger.warning("erasure could not start; retrying on the next round", metadata: ["request": "\(request.id)", "error": "\(type(of: error))"])
            }
        }
    }

    /// Commits the start (provider jobs, ledger, `erasing`) and hands the batches to the runner; a run
    /// already under way is joined. Returns once the start is committed.
    func start(requestID: String, actor: String) async throws {
        guard runner.reserve(requestID) else { return }
        let request: DeletionRequestRecord?
        do {
            request = try await begin(requestID: requestID, actor: actor)
        } catch {
            runner.release(requestID)
            throw error
        }
        guard let request else { return runner.release(requestID) }
        let logger = runner.logger
        runner.submit(requestID) { [self] in
            do {
                try await erase(request, actor: actor)
            } catch where !Task.isCancelled {
                logger.warning("erasure failed; it is retried", metadata: ["request": "\(requestID)", "error": "\(type(of: error))"])
            } catch {}
        }
    }

    /// The start of a run (or of a resumed one), in one transaction: the provider jobs on the first run,
    /// `erasing`, the ledger. Nil when the request is not runnable (any more).
    private func begin(requestID: String, actor: String) async throws -> DeletionRequestRecord? {
        let environment = self.environment
        let started = now
        return try await store.write { tx -> DeletionRequestRecord? in
            var request = try await Self.request(tx, requestID)
            let state = request.state
            guard state == .scheduled || state == .erasing || state == .failed else { return nil }
            if request.erasingAt == nil {
                // First run: tell the providers (Meta unsubscribe, Google channel stop and revocation).
                try await ProviderJobs.forErasure(tx, request: request, now: started, environment: environment)
            }
            if state != .erasing {
                try Self.transition(&request, .erasureStarted)
                request.erasingAt = request.erasingAt ?? started
                // deletion.execute may start before the grace period ends: the timeline says when it did.
                if let starts = request.erasureStartsAt, starts > started { request.erasureStartsAt = started }
            }
            request.attempts += 1
            try await Self.recordLedger(tx, &request, now: started, environment: environment)
            try await Self.supersedeOthers(tx, of: request, now: started)
            try await tx.requests.save(request)
            try await tx.audit.append(at: started, actor: actor, action: .erasureStarted, requestID: requestID, details: ["attempt": request.attempts])
            return request
        }
    }

    /// The batches of a started run, then `erased`. A crash or shutdown between batches leaves the request
    /// `erasing` with its committed progress; the next run resumes it (I4).
    private func erase(_ request: DeletionRequestRecord, actor: String) async throws {
        let requestID = request.id
        guard let accountID = request.accountId else {
            throw StoreCorruption(field: "request", value: requestID)
        }
        let store = self.store
        let clock = environment.clock
        do {
            try await store.erasure.erase(
                jobID: requestID, accountID: accountID, scope: request.scope, batchSize: environment.batchSize
            ) { table, rows in
                try await store.write { tx in
                    try await tx.audit.append(at: clock.now(), actor: actor, action: .erasureBatch, requestID: requestID, details: ["table": table, "rows": rows])
                }
            }
        } catch {
            if Task.isCancelled { throw error }
            let failedAt = now
            try await store.write { tx in
                var request = try await Self.request(tx, requestID)
                try Self.transition(&request, .erasureFailed)
                // Retried by the worker after 1, 2, 4 … minutes, at most an hour apart; `deletion.execute` retries at once.
                let backoff = min(60 * pow(2, Double(max(0, request.attempts - 1))), 3_600)
                request.erasureStartsAt = failedAt + backoff
                request.reason = "erasure error (\(type(of: error))); retrying at \(ISO8601Time.format(failedAt + backoff))"
                try await tx.requests.save(request)
                try await tx.audit.append(at: failedAt, actor: actor, action: .erasureFailed, requestID: requestID)
            }
            throw error
        }
        let erasedAt = now
        try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            try Self.transition(&request, .productionErased)
            request.erasedAt = erasedAt
            request.reason = nil
            try await tx.requests.save(request)
            // A request made while this one was erasing is ended too.
            try await Self.supersedeOthers(tx, of: request, now: erasedAt)
            let counts = try await tx.progress(requestID: requestID)
            try await tx.audit.append(at: erasedAt, actor: actor, action: .productionErased, requestID: requestID, details: counts)
        }
        // The final confirmation goes once no backup taken before the erasure is left (P4, P5).
        try await confirmClearedRequests()
    }

    /// An account erasure takes the data of the account's other requests that have not started: they end
    /// (`superseded`, with the reason), their codes are withdrawn and their requesters forgotten (I5).
    static func supersedeOthers(_ tx: any StoreTransaction, of request: DeletionRequestRecord, now: Date) async throws {
        guard request.scope == .account, let accountID = request.accountId else { return }
        for var other in try await tx.requests.requestsNotStarted(accountID: accountID, except: request.id) {
            try await end(tx, &other, .supersede, reason: "the whole account is erased by request \(request.id)", now: now, actor: "deletiond")
            try await tx.challenges.deleteChallenges(requestID: other.id)
        }
    }

    /// Backups taken before `date` that still exist: they may hold an erased subject's data. Times are
    /// kept to the second, so a backup of the same second counts as older (the safe side).
    func backups(takenBefore date: Date) throws -> Int {
        try environment.backupFolder?.list().filter { $0.createdAt <= date }.count ?? 0
    }

    /// Queues the final confirmation of every erased request whose older backups are all pruned and whose
    /// provider jobs are all acknowledged; the request completes when the mailer acknowledges it.
    public func confirmClearedRequests() async throws {
        let environment = self.environment
        let manifests = try environment.backupFolder?.list() ?? []
        let cleared: @Sendable (DeletionRequestRecord) -> Bool = { request in
            guard let erasedAt = request.erasedAt else { return false }
            return !manifests.contains { $0.createdAt <= erasedAt }
        }
        // Read first: the worker asks every round, and most rounds have nothing to confirm.
        let jobs = OutboxKind.providerJobs
        guard try await store.read({ tx in try await tx.requests.erasedAwaitingConfirmation(jobKinds: jobs).contains(where: cleared) }) else { return }
        let now = self.now
        try await store.write { tx in
            for request in try await tx.requests.erasedAwaitingConfirmation(jobKinds: jobs) where cleared(request) {
                try await Self.sendFinalConfirmation(tx, request, now: now, environment: environment)
            }
        }
    }

    /// Records the subject's identifiers in the ledger (hashed) and keeps their values sealed for the
    /// byte scan until the request is forgotten. Read before the first batch, so a resumed run keeps them.
    static func recordLedger(_ tx: any StoreTransaction, _ request: inout DeletionRequestRecord, now: Date, environment: DeletionEnvironment) async throws {
        guard request.subjectValuesSealed == nil, let accountID = request.accountId else { return }
        let kinds = Set(IdentifierKind.identifying(request.scope))
        let values = try await tx.accounts.identifiers(accountID: accountID).filter { kinds.contains($0.kind) }
        for (kind, value) in [(IdentifierKind.accountID, accountID)] + values.map({ ($0.kind, $0.value) }) where kind != .name {
            try await tx.ledger.record(
                LedgerEntry(
                    identifierHash: environment.hasher.hash(kind: kind, value: value), kind: kind, scope: LedgerScope(erasureOf: request.scope),
                    requestId: request.id, erasedAt: now
                )
            )
        }
        let object = Dictionary(values.map { ($0.kind.rawValue, $0.value) }, uniquingKeysWith: { first, _ in first })
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        request.subjectValuesSealed = try environment.cipher.sealText(json)
    }

    static func sendFinalConfirmation(_ tx: any StoreTransaction, _ request: DeletionRequestRecord, now: Date, environment: DeletionEnvironment) async throws {
        let recipient = try request.requesterEmailSealed.map { try environment.cipher.openText($0) }
        var payload: [String: JSONValue] = [
            "scope": .string(request.scope.rawValue), "confirmationCode": .string(request.confirmationCode),
            "erasedAt": .string(ISO8601Time.format(request.erasedAt ?? now)),
        ]
        let failures = try ProviderFailure.decodeAll(request.providerFailures)
        if !failures.isEmpty {
            // The person is told what the providers did not confirm (e.g. Google's token revocation).
            payload["providerFailures"] = .array(failures.map { .object(["kind": .string($0.kind.rawValue), "reason": .string($0.reason)]) })
        }
        try await tx.outbox.enqueue(try message(.deletionCompleted, to: recipient, request: request.id, payload: payload, at: now, cipher: environment.cipher))
        try await tx.audit.append(at: now, actor: "deletiond", action: .finalConfirmationQueued, requestID: request.id)
    }
}
