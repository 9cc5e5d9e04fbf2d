import ALTErasureClient
import Foundation
import RPCTestSupport
import Testing

/// Three `deletiond` processes on one PostgreSQL database (issue 13): an erasure started through one, that
/// one killed with SIGKILL mid-way, finished by another once its lease ran out; concurrent outbox claims
/// from all three hand out each message once.
@Suite("Replicas on one PostgreSQL", .serialized)
struct ReplicaTests {
    @Test(
        "a replica killed mid-erasure: another finishes it after the lease, 0 residual rows, each batch once; claims once each",
        .enabled(if: ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"] != nil || ProcessInfo.processInfo.environment["CI"] != nil)
    )
    func killedReplica() async throws {
        let server = try #require(ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"], "CI must test PostgreSQL")
        let name = "alt_replicas_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        #expect(try psql(server, "CREATE DATABASE \(name)") != nil)
        defer { _ = try? psql(server, "DROP DATABASE \(name) WITH (FORCE)") }
        var address = try #require(URLComponents(string: server))
        address.path = "/\(name)"
        let url = try #require(address.string)
        let secretsBeside = NSTemporaryDirectory() + "/replicas-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: secretsBeside + ".secrets.json") }
        let seeded = try await offPool {
            try runCommand(
                "deletiond", ["seed", "--profile", "bench", "--accounts", "4", "--large-scale", "0.02", "--database-url", url, "--db", secretsBeside]
            )
        }
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let otherBefore = try psql(url, "SELECT md5(string_agg(to_jsonb(c)::text, ',' ORDER BY id)) FROM contacts c WHERE account_id <> 'acc_large'")
        let largeRows = Int(try psql(url, "SELECT count(*) FROM messages WHERE account_id = 'acc_large'") ?? "") ?? 0
        #expect(largeRows > 5_000, "acc_large is large enough to kill its erasure mid-way")

        // Small batches and a short lease; the first replica's executor rarely runs, the others' every second.
        let common = ["--database-url", url, "--erasure-batch-size", "100", "--erasure-lease", "3", "--grace-period-days", "0"]
        let first = try DaemonProcess(database: secretsBeside, arguments: common + ["--worker-interval", "3600"])
        let second = try DaemonProcess(database: secretsBeside, arguments: common + ["--worker-interval", "1"])
        let third = try DaemonProcess(database: secretsBeside, arguments: common + ["--worker-interval", "1"])
        defer { for daemon in [first, second, third] { daemon.stop() } }

        let requestID = try await client(first) { client in
            let request = try await client.deletionCreate(accountId: "acc_large", scope: .account, channel: .support)
            let batch = try await client.outboxClaim(kinds: [.identityCode], limit: 100)
            let code = try #require(batch.messages.first { $0.requestId == request.requestId }?.payload["code"]?.stringValue)
            _ = try await client.outboxAck(ids: batch.messages.map(\.id))
            _ = try await client.deletionVerifyIdentity(requestId: request.requestId, code: code)
            _ = try await client.deletionExecute(requestId: request.requestId)
            return request.requestId
        }
        // Killed once some batches have committed, well before the end.
        var erasedBeforeKill = 0
        for _ in 0..<400 where erasedBeforeKill == 0 {
            erasedBeforeKill = Int(try psql(url, "SELECT coalesce(sum(rows_erased), 0) FROM erasure_progress WHERE job_id = '\(requestID)'") ?? "") ?? 0
            if erasedBeforeKill == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(erasedBeforeKill > 0)

        let finished = try await client(second) { client in
            for _ in 0..<600 {
                let status = try await client.deletionStatus(requestId: requestID)
                if status.state == .erased { return status }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try await client.deletionStatus(requestId: requestID)
        }
        #expect(finished.state == .erased, "another replica finished the erasure")
        let proof = try await client(third) { try await $0.deletionVerifyErasure(requestId: requestID) }
        #expect(proof.verdict == .clean)
        #expect(try psql(url, "SELECT count(*) FROM messages WHERE account_id = 'acc_large'") == "0")
        #expect(try psql(url, "SELECT md5(string_agg(to_jsonb(c)::text, ',' ORDER BY id)) FROM contacts c WHERE account_id <> 'acc_large'") == otherBefore)
        // Each committed batch is audited once: the audited rows add up to the progress, and no batch of
        // the killed replica was redone (the progress equals the rows there were).
        let audited = try psql(
            url, "SELECT sum((details::jsonb->>'rows')::bigint) FROM audit_trail WHERE action = 'erasure_batch' AND subject_ref = 'request:\(requestID)'"
        )
        let progress = try psql(url, "SELECT sum(rows_erased) FROM erasure_progress WHERE job_id = '\(requestID)'")
        #expect(audited != nil && audited == progress, "audited \(audited ?? "-") rows, progress \(progress ?? "-")")
        #expect(Int(try psql(url, "SELECT rows_erased FROM erasure_progress WHERE job_id = '\(requestID)' AND table_name = 'messages'") ?? "") == largeRows)

        // Messages for the mailer from several requests, claimed by both live replicas at once.
        try await client(second) { client in
            for index in 1...3 {
                _ = try await client.deletionCreate(accountId: String(format: "acc_%06d", index), scope: .instagram, channel: .support)
            }
        }
        // Claimable: not leased, and waiting for no other message.
        let waiting = Int(try psql(url, "SELECT count(*) FROM outbox WHERE lease_expires_at IS NULL AND depends_on IS NULL") ?? "") ?? 0
        #expect(waiting >= 3)
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for port in [second.port, third.port, second.port, third.port] {
                group.addTask {
                    try await ALTErasureClient.run(.init(port: port, token: "dev")) { client in
                        var ids: [String] = []
                        while true {
                            let batch = try await client.outboxClaim(limit: 1)
                            if batch.messages.isEmpty { return ids }
                            ids += batch.messages.map(\.id)
                        }
                    }
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claimed.count == Set(claimed).count, "no message was handed out twice")
        #expect(claimed.count == waiting, "every claimable message was handed out")
    }

    private func client<T: Sendable>(_ daemon: DaemonProcess, _ body: @Sendable (ALTErasureClient) async throws -> T) async throws -> T {
        try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { try await body($0) }
    }
}
