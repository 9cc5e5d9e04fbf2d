import ALTErasureClient
import Foundation
import ServiceTestSupport
import Testing

/// Cascades called at once, as a backend deleting many of one account's records does (P10).
@Suite("Concurrent cascades")
struct RecordsConcurrencyTests {
    static let contacts = 40

    @Test("40 contacts of one account deleted at once: every call answers deleted, nothing is left", arguments: TestStore.all)
    func concurrentContactDeletes(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            // Contacts with 20 messages each, side by side in every index, in a search index of some size:
            // cascades long enough to overlap. (On PostgreSQL the repositories keep the search index, so
            // these raw rows get their entries here; SQLite's triggers make them.)
            let (time, series, number) = store == .sqlite
                ? ("'2026-01-01T00:00:00Z'", "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %d)", "printf('%03d', n)")
                : ("'2026-01-01T00:00:00Z'::timestamptz", "WITH g(n) AS (SELECT generate_series(1, %d))", "lpad(n::text, 3, '0')")
            let contacts = String(format: series, Self.contacts)
            let messages = String(format: series, 20)
            try await server.execute("""
                \(contacts) INSERT INTO contacts (id, account_id, name, created_at)
                SELECT 'con_burst_' || \(number), 'acc_other', 'Burst ' || n, \(time) FROM g
                """)
            try await server.execute("""
                \(messages) INSERT INTO messages (id, account_id, contact_id, channel, body, sent_at)
                SELECT 'msg_' || c.id || '_' || n, 'acc_other', c.id, 'sms', 'hello ' || c.name || ' ' || n, \(time)
                FROM contacts c, g WHERE c.id LIKE 'con_burst_%'
                """)
            if store == .postgres {
                try await server.execute("""
                    INSERT INTO search_index (account_id, kind, ref_id, content)
                    SELECT account_id, 'message', id, body FROM messages WHERE contact_id LIKE 'con_burst_%'
                    UNION ALL SELECT 'acc_other', 'message', 'msg_filler_' || n, 'filler ' || n FROM generate_series(1, 20000) n
                    """)
                try await server.execute("ANALYZE")
            }
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<Self.contacts {
                    group.addTask {
                        let deleted = try await client.recordsDeleteContact(accountId: "acc_other", contactId: String(format: "con_burst_%03d", index + 1))
                        return deleted.deleted["contacts"] ?? 0
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(results == Array(repeating: 1, count: Self.contacts))
            #expect(try await server.count("SELECT count(*) FROM contacts WHERE id LIKE 'con_burst_%'") == 0)
            #expect(try await server.count("SELECT count(*) FROM messages WHERE id LIKE 'msg_con_burst_%'") == 0)
            let entries = "search_index WHERE ref_id LIKE 'msg_con_burst_%'"
            #expect(try await server.count("SELECT count(*) FROM \(entries)") == 0, "no search entry of a deleted message stays")
        }
    }

    @Test("one contact deleted by 5 callers at once: one call deletes it, the others answer alreadyDeleted", arguments: TestStore.all)
    func sameContactAtOnce(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await client.recordsDeleteContact(accountId: "acc_demo", contactId: "con_demo_1").alreadyDeleted }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.sorted { !$0 && $1 } == [false, true, true, true, true], "\(results)")
            #expect(try await server.count("SELECT count(*) FROM contacts WHERE id = 'con_demo_1'") == 0)
        }
    }
}
