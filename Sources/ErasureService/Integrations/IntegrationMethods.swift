import ALTErasureAPI
import ALTStore
import ErasureDomain
import Foundation
public import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `instagram.*`, `calendar.disconnect`, `integrations.status` (P6, P7, I1).
    mutating func registerIntegrations(_ integrations: Integrations) {
        register(Operations.IntegrationsStatus.self) { params, _ in
            let status = try await integrations.status(accountID: params.accountId)
            return .init(accountId: params.accountId, calendar: .init(rawValue: status.calendar.rawValue), instagram: .init(rawValue: status.instagram.rawValue))
        }
        register(Operations.InstagramIngest.self) { params, context in
            guard (1...500).contains(params.events.count) else { throw DeletionError.invalidArgument(param: "events", message: "give 1…500 events") }
            let events = try params.events.enumerated().map { index, event in
                let kind: IngestKind = try WireWords.domain(event.kind, param: "events[\(index)].kind")
                var ingest = IngestEvent(kind: kind, id: event.id)
                ingest.threadID = event.threadId
                ingest.from = event.from
                ingest.body = event.body
                ingest.at = event.at
                ingest.mediaID = event.mediaId
                ingest.day = event.day
                ingest.impressions = event.impressions
                ingest.reach = event.reach
                ingest.likes = event.likes
                return ingest
            }
            let result = try await integrations.ingest(accountID: params.accountId, events: events, actor: context.actor)
            return .init(dropReason: result.reason.map { .init(rawValue: $0.rawValue) }, dropped: result.dropped, stored: result.stored)
        }
        register(Operations.InstagramDisconnect.self) { params, context in
            .init(try await integrations.disconnectInstagram(accountID: params.accountId, actor: context.actor))
        }
        register(Operations.InstagramDeauthorize.self) { params, context in
            let result = try await integrations.deauthorize(signedRequest: params.signedRequest, actor: context.actor)
            return .init(alreadyDisconnected: result?.alreadyDisconnected ?? false, userKnown: result != nil)
        }
        register(Operations.InstagramDataDeletionCallback.self) { params, context in
            let answer = try await integrations.dataDeletionCallback(signedRequest: params.signedRequest, actor: context.actor)
            return .init(confirmationCode: answer.confirmationCode, url: answer.url)
        }
        register(Operations.CalendarDisconnect.self) { params, context in
            let result = try await integrations.disconnectCalendar(accountID: params.accountId, actor: context.actor)
            return .init(accountId: result.accountID, alreadyDisconnected: result.alreadyDisconnected, deleted: result.deleted, jobIds: result.jobIDs)
        }
    }
}

extension Components.Schemas.InstagramDisconnectResult {
    init(_ result: InstagramDisconnect) {
        let removed = !result.alreadyDisconnected
        self.init(
            accountId: result.accountID, alreadyDisconnected: result.alreadyDisconnected, pollingStopped: removed,
            tokenDeleted: removed, unsubscribeJobId: result.jobID, webhookRemoved: removed
        )
    }
}

extension IntegrationError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch self {
        case .notConnected(let integration, let accountID):
            RPCError(
                .notFound, "account \(accountID) has no \(integration) connection",
                details: ["kind": .string("\(integration)_connection"), "id": .string(accountID)]
            )
        case .signedRequest(let failure):
            RPCError(.invalidArgument, failure.description, details: ["reason": .string(failure.reason), "param": "signedRequest"])
        }
    }
}
