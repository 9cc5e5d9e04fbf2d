import ALTErasureAPI
import ALTStore
import ErasureDomain
import Foundation
import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `deletion.*`: intake, identity, cancel, execute, status, list, proof and receipt (P2–P5).
    mutating func registerDeletion(_ requests: DeletionRequests, reports: RequestReports) {
        register(Operations.DeletionIntakeEmail.self) { params, context in
            if let body = params.body, body.utf8.count > 65_536 {
                throw DeletionError.invalidArgument(param: "body", message: "at most 64 KiB of plain text")
            }
            let answer = try await requests.intakeEmail(
                from: params.from, subject: params.subject, messageID: params.messageId, receivedAt: params.receivedAt, body: params.body,
                actor: context.actor
            )
            return .init(duplicate: answer.duplicate, requestId: answer.requestID, verified: answer.verified)
        }
        register(Operations.DeletionCreate.self) { params, context in
            let scope: Scope = try WireWords.domain(params.scope, param: "scope")
            let channel: RequestChannel = try WireWords.domain(params.channel, param: "channel", allowed: [.app, .support])
            let request = try await requests.create(accountID: params.accountId, scope: scope, channel: channel, actor: context.actor)
            return try await .init(reports.status(requestID: request.id))
        }
        register(Operations.DeletionVerifyIdentity.self) { params, context in
            guard params.code.count == 6, params.code.allSatisfy(\.isASCII), params.code.allSatisfy(\.isNumber) else {
                throw DeletionError.invalidArgument(param: "code", message: "must be six digits")
            }
            let request = try await requests.verifyIdentity(requestID: params.requestId, code: params.code, actor: context.actor)
            return try await .init(reports.status(requestID: request.id))
        }
        register(Operations.DeletionResendCode.self) { params, context in
            let sent = try await requests.resendCode(requestID: params.requestId, actor: context.actor)
            return .init(codesLeftThisHour: sent.codesLeft, expiresAt: sent.expiresAt, requestId: params.requestId)
        }
        register(Operations.DeletionCancel.self) { params, context in
            let request = try await requests.cancel(requestID: params.requestId, actor: context.actor)
            return try await .init(reports.status(requestID: request.id))
        }
        register(Operations.DeletionExecute.self) { params, context in
            let request = try await requests.execute(requestID: params.requestId, actor: context.actor)
            return try await .init(reports.status(requestID: request.id))
        }
        register(Operations.DeletionStatus.self, immediately: { params in
            guard let id = params.requestId, params.confirmationCode == nil else { return nil }
            return reports.statusFromMemory(requestID: id) { try JSONRPCCoding.encode(Operations.DeletionStatus.Result($0)) }
        }) { params, _ in
            switch (params.requestId, params.confirmationCode) {
            case (let id?, nil): return try await .init(reports.status(requestID: id))
            case (nil, let code?): return try await .init(reports.status(confirmationCode: code))
            default: throw DeletionError.invalidArgument(param: "requestId", message: "give exactly one of requestId and confirmationCode")
            }
        }
        register(Operations.DeletionList.self) { params, _ in
            let state: RequestState? = try params.state.map { value throws(DeletionError) in try WireWords.domain(value, param: "state") }
            let page = try await reports.list(
                state: state, dueBefore: params.dueBefore, overdue: params.overdue, pageSize: params.pageSize ?? 20, pageToken: params.pageToken
            )
            return .init(nextPageToken: page.next, requests: page.reports.map(Components.Schemas.DeletionStatus.init))
        }
        register(Operations.DeletionVerifyErasure.self) { params, _ in
            let proof = try await reports.verifyErasure(requestID: params.requestId)
            return .init(
                byteScan: .init(occurrences: proof.byteScan?.occurrences ?? 0, performed: proof.byteScan != nil, valuesSearched: proof.byteScan?.valuesSearched ?? 0),
                requestId: proof.requestID,
                scannedAt: proof.scannedAt,
                tables: proof.tables.map { .init(linkedRows: $0.linkedRows, matchingRows: $0.matchingRows, table: $0.table) },
                verdict: proof.isClean ? .clean : .residual
            )
        }
        register(Operations.DeletionReceipt.self) { params, _ in
            let receipt = try await reports.receipt(requestID: params.requestId)
            return .init(
                algorithm: .ed25519, keyId: receipt.keyID, payload: receipt.payload,
                publicKey: receipt.publicKey.base64EncodedString(), signature: receipt.signature.base64EncodedString()
            )
        }
        let signer = requests.environment.signer
        register(Operations.DeletionReceiptKeys.self) { _, _ in
            .init(keys: signer.publicKeys.sorted { $0.key < $1.key }.map { id, key in
                .init(algorithm: .ed25519, current: id == signer.keyID, keyId: id, publicKey: key.base64EncodedString())
            })
        }
    }
}

extension Components.Schemas.DeletionStatus {
    init(_ report: RequestReport) {
        let request = report.request
        self.init(
            backupsHoldingData: report.backupsHoldingData,
            channel: .init(rawValue: request.channel.rawValue),
            confirmationCode: request.confirmationCode,
            deadlines: .init(backupsDueBy: report.backupsDueBy, productionDueBy: request.productionDueBy, verificationExpiresAt: request.verificationExpiresAt),
            erased: report.erased,
            kept: report.kept.map { .init(category: $0.category, reason: $0.reason, rows: $0.rows, until: $0.until) },
            overdue: report.overdue,
            providerJobs: .init(
                failed: report.providerFailures.map { .init(kind: .init(rawValue: $0.kind.rawValue), reason: $0.reason) },
                pending: report.providerJobsPending
            ),
            reason: request.reason,
            requestId: request.id,
            scope: .init(rawValue: request.scope.rawValue),
            state: .init(rawValue: request.state.rawValue),
            timeline: .init(
                completedAt: request.completedAt, endedAt: request.endedAt, erasedAt: request.erasedAt, erasingAt: request.erasingAt,
                erasureStartsAt: request.erasureStartsAt, receivedAt: request.receivedAt, verifiedAt: request.verifiedAt
            )
        )
    }
}
