import ALTErasureAPI
import ALTStore
import ErasureDomain
import Foundation
import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `outbox.claim`, `outbox.ack`: the mailer's and the integration worker's side of the transactional
    /// outbox. An acknowledgement goes through the deletion workflow (it may complete a request).
    mutating func registerOutbox(_ outbox: Outbox, requests: DeletionRequests) {
        register(Operations.OutboxClaim.self) { params, _ in
            let kinds: [OutboxKind]? = try params.kinds?.map { kind throws(DeletionError) in try WireWords.domain(kind, param: "kinds") }
            let messages = try await outbox.claim(kinds: kinds, limit: params.limit ?? 10)
            return .init(
                messages: try messages.map { message in
                    .init(
                        createdAt: message.record.createdAt,
                        deliveries: message.record.deliveries,
                        id: message.record.id,
                        kind: .init(rawValue: message.record.kind.rawValue),
                        leaseExpiresAt: message.record.leaseExpiresAt ?? message.record.createdAt,
                        payload: try JSONValue(parsing: Array(message.payload.utf8)),
                        recipient: message.recipient,
                        requestId: message.record.requestId
                    )
                }
            )
        }
        register(Operations.OutboxAck.self) { params, context in
            let outcome: AckOutcome? = try params.outcome.map { value throws(DeletionError) in try WireWords.domain(value, param: "outcome") }
            let result = try await requests.acknowledge(
                ids: params.ids, outcome: outcome ?? .sent, retryAfter: TimeInterval(params.retryAfterSeconds ?? 60),
                reason: params.reason, actor: context.actor
            )
            return .init(acknowledged: result.acknowledged, unknown: result.unknown)
        }
    }
}
