import ALTErasureClient
import ALTStore
import Foundation
import GRDB
import Testing

/// Helpers the deletion flow tests share: the generated client on a demo server, the mailer's view of
/// the outbox, polling for a state, and looking at the raw database file.
extension DemoServer {
    /// Runs `body` with a generated client connected to a demo server.
    static func withClient(
        worker: Duration? = .milliseconds(100),
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        backupRetention: TimeInterval = 60 * 86_400,
        _ body: @Sendable (_ client: ALTErasureClient, _ server: DemoServer) async throws -> Void
    ) async throws {
        try await run(worker: worker, batchSize: batchSize, signedRequestTolerance: signedRequestTolerance, backupRetention: backupRetention) { port, server in
            try await ALTErasureClient.run(.init(port: port, token: ContractTarget.devToken)) { client in
                try await body(client, server)
            }
        }
    }

    /// Every byte of the database file and its WAL.
    func fileBytes() throws -> Data {
        var data = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        if let wal = FileManager.default.contents(atPath: databasePath + "-wal") { data.append(wal) }
        return data
    }

    /// Every row tied to `accountID` in ALT's tables (the service's own bookkeeping aside), as text (I3).
    func checksum(accountID: String) async throws -> String {
        try await database.writer.read { db in
            var text = ""
            for entry in TableClassification.all {
                guard let column = entry.accountColumn, entry.table != "search_index", entry.category != .serviceInternal,
                    try db.tableExists(entry.table)
                else { continue }
                text += try Row.fetchAll(db, sql: "SELECT * FROM \(entry.table) WHERE \(column) = ? ORDER BY rowid", arguments: [accountID]).description
            }
            return text
        }
    }
}

extension Data {
    func contains(text: String) -> Bool { range(of: Data(text.utf8)) != nil }
}

/// The mailer's side: claims messages and reads the code sent for a request.
enum Mailer {
    static func code(for requestID: String, client: ALTErasureClient) async throws -> String {
        let batch = try await client.outboxClaim(kinds: [.identityCode], limit: 100)
        let message = try #require(batch.messages.last { $0.requestId == requestID }, "no code in the outbox for \(requestID)")
        _ = try await client.outboxAck(ids: batch.messages.map(\.id))
        return try #require(message.payload["code"]?.stringValue)
    }
}

/// The integration worker's side: claims provider jobs (Meta unsubscribe, Google stop and revoke; the
/// revoke job comes only after the stop job is acknowledged) and acknowledges each as sent.
enum IntegrationWorker {
    static let kinds: [Components.Schemas.OutboxKind] = [.instagramUnsubscribe, .calendarStopChannel, .calendarRevokeToken]

    @discardableResult
    static func acknowledgeAll(client: ALTErasureClient) async throws -> [Components.Schemas.OutboxKind] {
        var done: [Components.Schemas.OutboxKind] = []
        while true {
            let batch = try await client.outboxClaim(kinds: kinds, limit: 100).messages
            guard !batch.isEmpty else { return done }
            _ = try await client.outboxAck(ids: batch.map(\.id))
            done += batch.map(\.kind)
        }
    }
}

extension ALTErasureClient {
    /// `deletion.execute` answers once the erasure has started; a caller that needs it done polls the status.
    func executeUntilErased(requestId: String) async throws -> Components.Schemas.DeletionStatus {
        let started = try await deletionExecute(requestId: requestId)
        guard started.state != .erased else { return started }
        return try await waitForState(.erased, requestID: requestId, client: self)
    }
}

/// Polls `deletion.status` until the request reaches `state` (the worker runs in the background).
func waitForState(
    _ state: Components.Schemas.RequestState, requestID: String, client: ALTErasureClient, timeout: Duration = .seconds(30)
) async throws -> Components.Schemas.DeletionStatus {
    let deadline = ContinuousClock.now + timeout
    while true {
        let status = try await client.deletionStatus(requestId: requestID)
        if status.state == state { return status }
        guard ContinuousClock.now < deadline else {
            Issue.record("request \(requestID) stayed \(status.state) (waited for \(state))")
            return status
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// The RPC error a call failed with.
func rpcError<T>(_ call: () async throws -> T) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch let error as ALTErasureError {
        return error.rpcError
    } catch {
        Issue.record("not an RPC error: \(error)")
        return nil
    }
}
