import ALTErasureAPI
import ALTStore
import ErasureDomain
import Foundation
import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `outbox.claim`, `outbox.ack` (the mailer's side of the transactional outbox), and `retention.sweep`.
    mutating func registerOutboxAndRetention(_ requests: DeletionRequests) {
        register(Operations.OutboxClaim.self) { params, _ in
            let kinds: [OutboxKind]? = try params.kinds?.map { kind throws(DeletionError) in try WireWords.domain(kind, param: "kinds") }
            let messages = try await requests.claim(kinds: kinds, limit: params.limit ?? 10)
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
        register(Operations.RetentionSweep.self) { _, context in
            let result = try await requests.sweep(actor: context.actor)
            return .init(deleted: result.deleted, expiredRequests: result.expired)
        }
    }

    /// `admin.advanceClock`: only with `--dev`; otherwise the method does not exist for callers (-32601).
    mutating func registerAdmin(_ environment: DeletionEnvironment) {
        register(Operations.AdminAdvanceClock.self) { params, _ in
            guard let clock = environment.devClock else {
                throw RPCError(.unimplemented, "admin.advanceClock exists only when deletiond runs with --dev")
            }
            guard params.seconds.isFinite, params.seconds >= 0 else {
                throw DeletionError.invalidArgument(param: "seconds", message: "must be a number ≥ 0")
            }
            clock.advance(by: params.seconds)
            return .init(now: clock.now())
        }
    }
}
