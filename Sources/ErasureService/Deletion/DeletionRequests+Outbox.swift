public import ALTStore
public import ErasureDomain
public import Foundation

/// An outbox message as the mailer gets it, opened.
public struct OpenedMessage: Sendable {
    public let record: OutboxRecord
    public let recipient: String?
    /// The payload's JSON text.
    public let payload: String
}

extension DeletionRequests {
    /// Leases up to `limit` messages (at least once: unacknowledged ones come back after the lease).
    public func claim(kinds: [OutboxKind]?, limit: Int) async throws -> [OpenedMessage] {
        guard (1...100).contains(limit) else { throw DeletionError.invalidArgument(param: "limit", message: "must be 1…100") }
        let now = self.now
        let leaseUntil = now + environment.outboxLease
        let cipher = environment.cipher
        let claimed = try await store.write { tx in try await tx.outbox.claim(kinds: kinds, limit: limit, now: now, leaseUntil: leaseUntil) }
        return try claimed.map { record in
            OpenedMessage(record: record, recipient: try record.recipientSealed.map { try cipher.openText($0) }, payload: try cipher.openText(record.payloadSealed))
        }
    }

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
        let providerKinds = Set(OutboxKind.providerJobs)
        let answer = try await store.write { tx in
            let messages = try await tx.outbox.messages(ids: ids)
            let found = Set(messages.map(\.id))
            if outcome == .retryLater {
                try await tx.outbox.postpone(ids: Array(found), until: now + retryAfter)
                return (acknowledged: found.count, unknown: ids.filter { !found.contains($0) }, providerJobsDone: false)
            }
            _ = try await tx.outbox.delete(ids: Array(found))
            if outcome == .failedPermanently {
                let reason = String((reason ?? "unspecified").prefix(200))
                for message in messages {
                    try await tx.audit.append(
                        at: now, actor: actor, action: .jobFailed, subject: "outbox:\(message.id)",
                        details: ["kind": message.kind.rawValue, "reason": reason]
                    )
                    if providerKinds.contains(message.kind), let requestID = message.requestId, var request = try await tx.requests.request(id: requestID) {
                        try ProviderFailure.append(ProviderFailure(kind: message.kind, reason: reason), to: &request)
                        try await tx.requests.save(request)
                    }
                }
            }
            for message in messages where message.kind == .deletionCompleted {
                guard let requestID = message.requestId, var request = try await tx.requests.request(id: requestID), request.state == .erased else { continue }
                try Self.transition(&request, .completed)
                request.completedAt = now
                request.requesterEmailSealed = nil
                request.subjectValuesSealed = nil
                request.forgotten = true
                try await tx.requests.save(request)
                // What the requester was sent and never claimed (a code) goes with the address; another
                // job is never deleted here (none is left: the confirmation waited for them).
                let mail = try await tx.outbox.messages(requestID: requestID).filter { !providerKinds.contains($0.kind) }
                _ = try await tx.outbox.delete(ids: mail.map(\.id))
                try await tx.audit.append(at: now, actor: actor, action: .completed, requestID: requestID)
            }
            let providerJobsDone = messages.contains { providerKinds.contains($0.kind) && $0.requestId != nil }
            return (acknowledged: found.count, unknown: ids.filter { !found.contains($0) }, providerJobsDone: providerJobsDone)
        }
        if answer.providerJobsDone { try await confirmClearedRequests() }
        return (answer.acknowledged, answer.unknown)
    }

    // MARK: Retention (P8)

    /// Logs past 90 days, billing past 7 years, codes past their life, unverified requests past 7 days.
    public func sweep(actor: String) async throws -> (deleted: [String: Int], expired: Int) {
        let now = self.now
        var deleted = try await store.retention.sweep(now: now)
        let expired = try await expireUnverified(actor: actor)
        // A code lives 15 minutes and counts towards the hourly limit for an hour: older ones serve nothing.
        deleted["identity_challenges"] = try await store.write { tx in try await tx.challenges.deleteChallenges(issuedBefore: now - 3_600) }
        return (deleted, expired)
    }

    /// Expires every request not verified within its window, and purges token-carrying jobs older than
    /// 24 hours; returns how many requests expired.
    public func expireUnverified(actor: String) async throws -> Int {
        let now = self.now
        let (expired, purgedRequestJobs) = try await store.write { tx in
            let purged = try await tx.outbox.messages(kinds: OutboxKind.carryingTokens, createdBefore: now - 86_400)
            _ = try await tx.outbox.delete(ids: purged.map(\.id))
            for message in purged {
                guard let requestID = message.requestId, var request = try await tx.requests.request(id: requestID) else { continue }
                try ProviderFailure.append(ProviderFailure(kind: message.kind, reason: ProviderFailure.expired), to: &request)
                try await tx.requests.save(request)
                try await tx.audit.append(at: now, actor: actor, action: .jobExpired, requestID: requestID, details: ["kind": message.kind.rawValue])
            }
            let stale = try await tx.requests.unverifiedRequests(expiringBy: now)
            for var request in stale {
                try await Self.end(tx, &request, .expire, reason: environment.policy.expiryReason, now: now, actor: actor)
            }
            return (stale.count, purged.contains { $0.requestId != nil })
        }
        if purgedRequestJobs { try await confirmClearedRequests() }
        return expired
    }
}
