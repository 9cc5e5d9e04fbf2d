public import ALTStore
public import ErasureDomain
import Foundation
import JSONRPC
import RPCServer
import Tracing

/// An outbox message as the mailer gets it, opened.
public struct OpenedMessage: Sendable {
    public let record: OutboxRecord
    public let recipient: String?
    /// The payload's JSON text.
    public let payload: String
}

/// The transactional outbox (P5, P6): messages for ALT's mailer and jobs for its integration worker,
/// written in the same unit of work as the change they tell of, sealed at rest, handed out at least once
/// under a lease, deleted when acknowledged. What an acknowledgement means for a request is the
/// deletion workflow's business (`DeletionRequests.acknowledge`); this type knows messages only.
public struct Outbox: Sendable {
    public let store: any ErasureStore
    public let environment: DeletionEnvironment

    public init(store: any ErasureStore, environment: DeletionEnvironment) {
        self.store = store
        self.environment = environment
    }

    /// Jobs carrying a provider token live at most this long unacknowledged.
    static let tokenJobLifetime: TimeInterval = 86_400

    /// Leases up to `limit` messages (at least once: unacknowledged ones come back after the lease).
    public func claim(kinds: [OutboxKind]?, limit: Int) async throws -> [OpenedMessage] {
        guard (1...100).contains(limit) else { throw DeletionError.invalidArgument(param: "limit", message: "must be 1…100") }
        let now = environment.clock.now()
        let leaseUntil = now + environment.outboxLease
        let cipher = environment.cipher
        let claimed = try await withTracedSpan("outbox.claim", tracer: environment.tracer) { span in
            let claimed = try await store.write { tx in try await tx.outbox.claim(kinds: kinds, limit: limit, now: now, leaseUntil: leaseUntil) }
            span.attributes["outbox.claimed"] = claimed.count
            return claimed
        }
        return try claimed.map { record in
            OpenedMessage(record: record, recipient: try record.recipientSealed.map { try cipher.openText($0) }, payload: try cipher.openText(record.payloadSealed))
        }
    }

    /// A sealed message, ready to enqueue; `dependency` must be acknowledged before it is handed out.
    static func message(
        _ kind: OutboxKind, to recipient: String?, request: String?, payload: [String: JSONValue], at now: Date, cipher: TokenCipher,
        after dependency: String? = nil
    ) throws -> OutboxRecord {
        var record = OutboxRecord(
            id: RandomIDs.token("out_", bytes: 10), kind: kind, requestId: request,
            recipientSealed: try recipient.map { try cipher.sealText($0) }, payloadSealed: try cipher.sealText(JSONValue.object(payload).jsonText()),
            createdAt: now
        )
        record.dependsOn = dependency
        return record
    }

    /// Within a unit of work: postpones (`retry_later`) or deletes the messages with `ids`, auditing a
    /// permanent failure. Returns the messages found.
    static func acknowledge(
        _ tx: any StoreTransaction, ids: [String], outcome: AckOutcome, retryAfter: TimeInterval, reason: String?, now: Date, actor: String
    ) async throws -> [OutboxRecord] {
        let messages = try await tx.outbox.messages(ids: ids)
        let found = messages.map(\.id)
        switch outcome {
        case .retryLater:
            try await tx.outbox.postpone(ids: found, until: now + retryAfter)
        case .sent:
            try await tx.outbox.delete(ids: found)
        case .failedPermanently:
            try await tx.outbox.delete(ids: found)
            for message in messages {
                try await tx.audit.append(
                    at: now, actor: actor, action: .jobFailed, subject: "outbox:\(message.id)",
                    details: ["kind": message.kind.rawValue, "reason": reason ?? "unspecified"]
                )
            }
        }
        return messages
    }

    /// Within a unit of work: deletes the token-carrying jobs older than their lifetime (24 hours), so
    /// no provider token outlives a day in the outbox; returns them.
    static func purgeExpiredTokenJobs(_ tx: any StoreTransaction, now: Date) async throws -> [OutboxRecord] {
        let purged = try await tx.outbox.messages(kinds: OutboxKind.carryingTokens, createdBefore: now - tokenJobLifetime)
        try await tx.outbox.delete(ids: purged.map(\.id))
        return purged
    }
}
