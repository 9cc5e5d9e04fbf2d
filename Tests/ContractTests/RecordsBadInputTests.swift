import ALTErasureClient
import ALTStore
import Crypto
import ErasureService
import Foundation
import GRDB
import JSONRPCNIO
import RPCServer
import RPCTestSupport
import ServiceTestSupport
import Testing

/// Bad input to the cascades over a real socket: each gets a precise error, and nothing is written.
@Suite("records.* bad input", .serialized, .timeLimit(.minutes(1)))
struct RecordsBadInputTests {
    static let cases: [(params: String, code: Int, message: String)] = [
        (#"{"accountId": "acc_demo"}"#, -32602, "missing param 'contactId'"),
        (#"{"accountId": "acc_demo", "contactId": 5}"#, -32602, "param 'contactId' must be a string"),
        (#"{"accountId": "acc_demo", "contactId": null}"#, -32602, "param 'contactId' must be a string, not null"),
        (#"{"accountId": "acc_demo", "contactId": "con_demo_1", "force": true}"#, -32602, "unknown param 'force' (accepted: accountId, contactId)"),
        (#"["acc_demo", "con_demo_1", "extra"]"#, -32602, "takes at most 2 params by position"),
        (#"{"accountId": "acc_demo", "contactId": "con_missing"}"#, -32005, "no contact con_missing in this account"),
        (#"{"accountId": "acc_other", "contactId": "con_demo_1"}"#, -32005, "no contact con_demo_1 in this account"),
    ]

    @Test("each mistake gets its own error and the store is unchanged")
    func badInput() async throws {
        try await DemoServer.run(worker: nil) { port, server in
            let database = server.database
            let snapshot: @Sendable () async throws -> String = {
                try await database.writer.read { db in
                    var text = ""
                    for table in ["contacts", "leads", "messages", "campaign_recipients", "audit_trail", "deleted_records"] {
                        text += try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").description
                    }
                    return text
                }
            }
            let before = try await snapshot()
            try await RPCConnection.connect(host: "127.0.0.1", port: port, options: .init(bearerToken: ContractTarget.devToken)) { connection in
                for item in Self.cases {
                    let response = try await connection.call("records.deleteContact", params: try RawJSON(item.params))
                    let error = try #require(response.error, "\(item.params) succeeded")
                    #expect(error.code.rawValue == item.code, "\(item.params)")
                    #expect(error.message == item.message, "\(item.params)")
                }
            }
            #expect(try await snapshot() == before)
        }
    }
}
