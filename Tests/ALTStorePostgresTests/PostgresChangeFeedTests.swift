import ALTStore
import ALTStorePostgres
import ErasureDomain
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The change feed behind reads kept in memory on PostgreSQL (issue 16): the count moves with every commit
/// of this replica at once and with another replica's once its notification arrives, and it is nil
/// whenever the feed cannot vouch for it (its connection lost, or hung).
@Suite("PostgreSQL: the change feed", .serialized)
struct PostgresChangeFeedTests {
    @Test("every table of the schema announces its changes", PostgresTestServer.required)
    func everyTableAnnounces() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await database.migrate()
            let silent = try await database.column(
                """
                SELECT t.table_name FROM information_schema.tables t
                WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND t.table_name <> 'schema_migrations'
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_trigger g WHERE g.tgrelid = format('%I', t.table_name)::regclass AND g.tgname = 'alt_announce_change'
                  )
                """
            )
            #expect(silent.isEmpty, "tables without the trigger: \(silent)")
        }
    }

    @Test("this replica's commits move the count at once; another's once announced; reads never", PostgresTestServer.required)
    func commitsMoveTheCount() async throws {
        // The default heartbeat: a loaded machine that delays one by 300 ms must not look like a silence here.
        try await PostgresTestServer.withFreshDatabase { database in
            try await database.migrate()
            let store = PostgresErasureStore(database: database)
            let listening = try await eventually { store.commitCount }

            try await store.probeWrite(at: Date())
            let own = try #require(store.commitCount)
            #expect(own > listening, "a commit of this replica moves the count before the write returns")
            try await store.write { tx in try await tx.audit.append(at: Date(), actor: "test", action: .received, subject: "test", details: [:]) }
            #expect(try #require(store.commitCount) > own)

            let other = PostgresAppDatabase(url: database.url, logger: PostgresTestServer.logger, connections: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await other.run() }
                defer { group.cancelAll() }
                // The other replica's feed listening too (its heartbeats reach this one, and must not count).
                _ = try await eventually { other.changes.count }
                let quiet = try #require(store.commitCount)
                _ = try await other.column("SELECT count(*) FROM accounts")
                try await Task.sleep(for: .milliseconds(500))
                #expect(store.commitCount == quiet, "reads and the other feed's heartbeats do not move the count")

                try await other.execute("INSERT INTO store_probe (id, probed_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET probed_at = now()")
                let announced = try await eventually { store.commitCount.flatMap { $0 > quiet ? $0 : nil } }
                #expect(announced > quiet)
            }
        }
    }

    @Test("a lost connection: nothing vouched for until the feed listens again, and then the count has moved", PostgresTestServer.required)
    func lostConnection() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            let before = try await eventually { database.changes.count }
            let listener = try #require(try await feedBackends(database).first)
            try await database.execute("SELECT pg_terminate_backend(\(listener))")
            // Anything kept until the loss was noticed was kept at `before + 1` at most (the statement moved it once).
            _ = try await eventually { database.changes.count == nil ? true : nil }
            let after = try await eventually { database.changes.count }
            #expect(after > before + 1)
            #expect(try await feedBackends(database).contains { $0 != listener }, "a new connection listens")
        }
    }

    @Test("a hung connection: nil once three heartbeats went unheard; then a new connection listens and the count has moved", PostgresTestServer.required)
    func hungConnection() async throws {
        // The default heartbeat: on a loaded machine a shorter one can fall silent by itself, and the feed
        // then moves to a new backend under the test's feet.
        try await PostgresTestServer.withFreshDatabase { database in
            let before = try await eventually { database.changes.count }
            // The listening backend stopped (the test server is local): the connection stays open and silent.
            let listener = try await stopListeningBackend(database)
            defer { kill(pid_t(listener), SIGCONT) }
            // A stopped backend holds up every DROP or CREATE DATABASE on the server (they wait for all
            // backends to absorb a barrier); other suites run such statements from blocking calls, which can
            // take every thread of the cooperative pool and so keep this test from reaching its defer. The
            // backend is resumed from a thread of its own as well, after the silence has had time to show.
            DispatchQueue.global().asyncAfter(deadline: .now() + 8) { kill(pid_t(listener), SIGCONT) }
            _ = try await eventually { database.changes.count == nil ? true : nil }
            let after = try await eventually { database.changes.count }
            #expect(after > before, "what was kept before the silence is not answered again")
            #expect(try await feedBackends(database).contains { $0 != listener }, "a new connection listens")
        }
    }

    /// The process ids of the backends the feed listens on (one, but for a moment after it changed).
    private func feedBackends(_ database: PostgresAppDatabase) async throws -> [Int] {
        try await database.column(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = '\(PostgresChangeFeed.applicationName)'"
        ).compactMap { $0.flatMap { Int($0) } }
    }

    /// SIGSTOPs the backend the feed listens on and names it. On a loaded machine the feed may move to a
    /// new backend by itself (its own silence) between the lookup and the signal: then the old one is gone
    /// (ESRCH) and the lookup runs again.
    private func stopListeningBackend(_ database: PostgresAppDatabase) async throws -> Int {
        for _ in 0..<100 {
            let backends = try await feedBackends(database)
            if backends.count == 1, let listener = backends.first {
                if kill(pid_t(listener), SIGSTOP) == 0 { return listener }
                #expect(errno == ESRCH, "backend \(listener): errno \(errno)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("no single listening backend to stop in 10 s")
    }

    /// `value()` once it is not nil, asked every 10 ms for at most 10 s (a wait, not a timing).
    private func eventually<T>(_ value: () -> T?) async throws -> T {
        for _ in 0..<1_000 {
            if let value = value() { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("still nil after 10 s")
    }
}
