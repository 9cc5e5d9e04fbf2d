import ALTStore
import ErasureDomain
import Foundation
import JSONRPC

extension DeletionRequests {
    /// The last step of every handler (load → apply → persist): saves `request` and carries out the
    /// `effects` its transition returned, in the same unit of work, stamped `now` and `actor`.
    static func persist(
        _ request: DeletionRequest, _ effects: [RequestEffect], _ tx: any StoreTransaction, now: Date, actor: String, environment: DeletionEnvironment
    ) async throws {
        try await tx.requests.save(request)
        for effect in effects {
            switch effect {
            case .audit(let action, let details):
                try await tx.audit.append(at: now, actor: actor, action: action, requestID: request.id, details: details.mapValues(\.stored))
            case .notify(let kind, let recipient, let payload):
                let address: String? =
                    switch recipient {
                    case .requester: try request.requesterEmailSealed.map { try environment.cipher.openText($0) }
                    case .address(let address): address
                    }
                try await tx.outbox.enqueue(
                    try Outbox.message(kind, to: address, request: request.id, payload: payload.mapValues(\.json), at: now, cipher: environment.cipher)
                )
            case .withdrawCodeMail:
                try await tx.outbox.delete(ids: try await tx.outbox.messages(requestID: request.id).filter { $0.kind == .identityCode }.map(\.id))
            case .withdrawCodes:
                try await tx.challenges.deleteChallenges(requestID: request.id)
            case .discardRequesterMail:
                let providerJobs = Set(OutboxKind.providerJobs)
                try await tx.outbox.delete(ids: try await tx.outbox.messages(requestID: request.id).filter { !providerJobs.contains($0.kind) }.map(\.id))
            case .startProviderJobs:
                try await ProviderJobs.forErasure(tx, request: request, now: now, environment: environment)
            case .ledger(let marks):
                for mark in marks {
                    try await tx.ledger.record(
                        LedgerEntry(identifierHash: mark.hash, kind: mark.kind, scope: LedgerScope(erasureOf: request.scope), requestId: request.id, erasedAt: now)
                    )
                }
            case .supersedeOthers:
                guard let accountID = request.accountId else { continue }
                for var other in try await tx.requests.requestsNotStarted(accountID: accountID, except: request.id) {
                    let ended = try other.end(.supersede, reason: "the whole account is erased by request \(request.id)", at: now)
                    try await persist(other, ended, tx, now: now, actor: "deletiond", environment: environment)
                }
            }
        }
    }
}

extension AuditValue {
    var stored: any Sendable {
        switch self {
        case .text(let text): text
        case .number(let number): number
        }
    }
}

extension MessageValue {
    var json: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .records(let records): .array(records.map { .object($0.mapValues { .string($0) }) })
        }
    }
}
