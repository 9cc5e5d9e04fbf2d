import ALTStore
public import ErasureDomain
public import Foundation

extension DeletionRequests {
    /// Completes messages. A final confirmation's acknowledgement (sent, or undeliverable for good)
    /// completes its request and forgets the requester: no address, code or name stays (I5). A provider
    /// job that fails for good is recorded on its request; once a request has no provider job left, its
    /// final confirmation may go (`confirmClearedRequests`).
    public func acknowledge(
        ids: [String], outcome: AckOutcome = .sent, retryAfter: TimeInterval = 60, reason: String? = nil, actor: String
    ) async throws -> (acknowledged: Int, unknown: [String]) {
        guard !ids.isEmpty, ids.count <= 100 else { throw DeletionError.invalidArgument(param: "ids", message: "give 1…100 ids") }
        guard (1...86_400).contains(retryAfter) else { throw DeletionError.invalidArgument(param: "retryAfterSeconds", message: "must be 1…86400") }
        let now = self.now
        let environment = self.environment
        let providerKinds = Set(OutboxKind.providerJobs)
        let answer = try await store.write { tx in
            let messages = try await Outbox.acknowledge(
                tx, ids: ids, outcome: outcome, retryAfter: retryAfter, reason: reason.map { String($0.prefix(200)) }, now: now, actor: actor
            )
            let found = Set(messages.map(\.id))
            guard outcome != .retryLater else {
                return (acknowledged: found.count, unknown: ids.filter { !found.contains($0) }, providerJobsDone: false)
            }
            if outcome == .failedPermanently {
                for message in messages where providerKinds.contains(message.kind) {
                    guard let requestID = message.requestId, var request = try await tx.requests.request(id: requestID) else { continue }
                    let effects = request.providerJobFailed(message.kind, reason: String((reason ?? "unspecified").prefix(200)))
                    try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
                }
            }
            // The final confirmation delivered (or undeliverable for good): the request completes.
            for message in messages where message.kind == .deletionCompleted {
                guard let requestID = message.requestId, var request = try await tx.requests.request(id: requestID), request.state == .erased else { continue }
                let effects = try request.complete(at: now)
                try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            }
            let providerJobsDone = messages.contains { providerKinds.contains($0.kind) && $0.requestId != nil }
            return (acknowledged: found.count, unknown: ids.filter { !found.contains($0) }, providerJobsDone: providerJobsDone)
        }
        if answer.providerJobsDone { try await confirmClearedRequests() }
        return (answer.acknowledged, answer.unknown)
    }

    // MARK: Expiry

    /// Expires every request not verified within its window, and purges token-carrying jobs older than
    /// 24 hours; returns how many requests expired.
    public func expireUnverified(actor: String) async throws -> Int {
        let now = self.now
        let environment = self.environment
        let (expired, purgedRequestJobs) = try await store.write { tx in
            let purged = try await Outbox.purgeExpiredTokenJobs(tx, now: now)
            for message in purged {
                guard let requestID = message.requestId, var request = try await tx.requests.request(id: requestID) else { continue }
                let effects = request.providerJobExpired(message.kind)
                try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            }
            let stale = try await tx.requests.unverifiedRequests(expiringBy: now)
            for var request in stale {
                let effects = try request.end(.expire, reason: environment.policy.expiryReason, at: now)
                try await Self.persist(request, effects, tx, now: now, actor: actor, environment: environment)
            }
            return (stale.count, purged.contains { $0.requestId != nil })
        }
        if purgedRequestJobs { try await confirmClearedRequests() }
        return expired
    }
}
