import CoreMetrics
import ALTBackups
import ALTStore
public import ErasureDomain
import Foundation
import JSONRPC
public import Logging
import ISO8601Time
import RPCServer
import Tracing

extension DeletionRequests {
    /// Starts the erasure of a verified request now (or joins the run under way) and answers at once:
    /// callers poll `deletion.status`. The erasure runs in the `ErasureRunner`, not in the caller's call.
    public func execute(requestID: String, actor: String) async throws -> DeletionRequest {
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
        let lease = WorkLease(name: "erasure:\(requestID)", store: store, environment: environment)
        let request: DeletionRequest?
        do {
            // Another replica's run (or a dead one's, until its lease runs out) is left alone.
            guard try await lease.acquire() else { return runner.release(requestID) }
            request = try await begin(requestID: requestID, actor: actor)
        } catch {
            await lease.release()
            runner.release(requestID)
            throw error
        }
        guard let request else {
            await lease.release()
            return runner.release(requestID)
        }
        let logger = runner.logger
        // The run outlives the call that started it; its span is still the call's child.
        let parent = ServiceContext.current
        let tracer = environment.tracer
        runner.submit(requestID) { [self] in
            do {
                try await withTracedSpan("erasure.run", tracer: tracer, parent: parent) { span in
                    span.attributes["erasure.request_id"] = requestID
                    span.attributes["erasure.scope"] = request.scope.rawValue
                    try await erase(request, actor: actor, lease: lease)
                }
            } catch where !Task.isCancelled {
                logger.warning("erasure failed; it is retried", metadata: ["request": "\(requestID)", "error": "\(type(of: error))"])
            } catch {}
            await lease.release()
        }
    }

    /// The start of a run (or of a resumed one), in one transaction: the provider jobs on the first run,
    /// `erasing`, the ledger. Nil when the request is not runnable (any more).
    private func begin(requestID: String, actor: String) async throws -> DeletionRequest? {
        let environment = self.environment
        let started = now
        return try await store.write { tx -> DeletionRequest? in
            var request = try await Self.request(tx, requestID)
            guard request.isRunnable else { return nil }
            let subject = request.subjectValuesSealed == nil ? try await Self.subject(of: request, tx, environment: environment) : nil
            let effects = try request.startErasure(at: started, subject: subject)
            try await Self.persist(request, effects, tx, now: started, actor: actor, environment: environment)
            return request
        }
    }

    /// The subject's identifiers, read before the first batch: hashed for the ledger, their values sealed
    /// for the byte scan until the request is forgotten.
    static func subject(of request: DeletionRequest, _ tx: any StoreTransaction, environment: DeletionEnvironment) async throws -> DeletionRequest.Subject? {
        guard let accountID = request.accountId else { return nil }
        let kinds = Set(IdentifierKind.identifying(request.scope))
        let values = try await tx.accounts.identifiers(accountID: accountID).filter { kinds.contains($0.kind) }
        let marks = ([(IdentifierKind.accountID, accountID)] + values.map { ($0.kind, $0.value) })
            .filter { $0.0 != .name }
            .map { LedgerMark(kind: $0.0, hash: environment.hasher.hash(kind: $0.0, value: $0.1)) }
        let object = Dictionary(values.map { ($0.kind.rawValue, $0.value) }, uniquingKeysWith: { first, _ in first })
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        return DeletionRequest.Subject(marks: marks, valuesSealed: try environment.cipher.sealText(json))
    }

    /// The batches of a started run, then `erased`. A crash or shutdown between batches leaves the request
    /// `erasing` with its committed progress; the next run resumes it (I4).
    private func erase(_ request: DeletionRequest, actor: String, lease: WorkLease) async throws {
        let requestID = request.id
        guard let accountID = request.accountId else {
            throw StoreCorruption(field: "request", value: requestID)
        }
        let store = self.store
        let batches = BatchSpans(tracer: environment.tracer)
        let renewal = LeaseRenewal(lease)
        do {
            try await store.erasure.erase(
                jobID: requestID, accountID: accountID, scope: request.scope, batchSize: environment.batchSize, auditActor: actor
            ) { table, rows in
                batches.batchCommitted(table: table, rows: rows)
                Counter(label: "erasure_rows_total").increment(by: rows)
                // A run that lost its lease (this replica stalled past it) stops: another has taken over.
                guard try await renewal.keep() else { throw WorkLease.Lost() }
            }
        } catch {
            if Task.isCancelled { throw error }
            let failedAt = now
            let environment = self.environment
            try await store.write { tx in
                // Retried by the executor after its backoff; `deletion.execute` retries at once.
                var request = try await Self.request(tx, requestID)
                let effects = try request.erasureFailed(at: failedAt, error: "\(type(of: error))")
                try await Self.persist(request, effects, tx, now: failedAt, actor: actor, environment: environment)
            }
            throw error
        }
        let erasedAt = now
        let environment = self.environment
        try await store.write { tx in
            var request = try await Self.request(tx, requestID)
            let effects = try request.productionErased(at: erasedAt, counts: try await tx.progress(requestID: requestID))
            try await Self.persist(request, effects, tx, now: erasedAt, actor: actor, environment: environment)
        }
        // The final confirmation goes once no backup taken before the erasure is left (P4, P5).
        try await confirmClearedRequests()
    }

    /// Queues the final confirmation of every erased request whose older backups are all pruned and whose
    /// provider jobs are all acknowledged; the request completes when the mailer acknowledges it.
    public func confirmClearedRequests() async throws {
        let environment = self.environment
        let manifests = try environment.backupFolder?.list() ?? []
        let cleared: @Sendable (DeletionRequest) -> Bool = { request in
            guard let erasedAt = request.erasedAt else { return false }
            return !manifests.contains { $0.createdAt <= erasedAt }
        }
        // Read first: the worker asks every round, and most rounds have nothing to confirm.
        let jobs = OutboxKind.providerJobs
        guard try await store.read({ tx in try await tx.requests.erasedAwaitingConfirmation(jobKinds: jobs).contains(where: cleared) }) else { return }
        let now = self.now
        try await store.write { tx in
            for request in try await tx.requests.erasedAwaitingConfirmation(jobKinds: jobs) where cleared(request) {
                try await Self.persist(request, request.finalConfirmation(at: now), tx, now: now, actor: "deletiond", environment: environment)
            }
        }
    }
}
