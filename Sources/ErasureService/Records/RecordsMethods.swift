import ALTErasureAPI
public import ALTStore
public import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `records.deleteContact`, `records.deleteLead`, `records.deleteCampaign` (P10).
    mutating func registerRecords(_ records: any RecordsRepository) {
        register(Operations.RecordsDeleteContact.self) { params, context in
            .init(try await records.deleteContact(accountID: params.accountId, contactID: params.contactId, actor: context.actor))
        }
        register(Operations.RecordsDeleteLead.self) { params, context in
            .init(try await records.deleteLead(accountID: params.accountId, leadID: params.leadId, actor: context.actor))
        }
        register(Operations.RecordsDeleteCampaign.self) { params, context in
            .init(try await records.deleteCampaign(accountID: params.accountId, campaignID: params.campaignId, actor: context.actor))
        }
    }
}

extension Components.Schemas.CascadeResult {
    init(_ result: CascadeResult) {
        self.init(alreadyDeleted: result.alreadyDeleted, deleted: result.deleted)
    }
}

extension RecordsError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch self {
        case .notFound(let kind, let id):
            RPCError(.notFound, "no \(kind) \(id) in this account", details: ["kind": .string(kind), "id": .string(id)])
        }
    }
}

extension CallContext {
    /// Who to name in the audit trail: the authenticated caller.
    var actor: String { caller?.name ?? "anonymous" }
}
