public import ALTStore
import Foundation
import PostgresNIO

extension PostgresAppDatabase {
    /// Copies every table of the SQLite store `source` (the seeder's output) into this empty store, so a
    /// profile seeds the same rows on both engines (same ids, same emails, same sealed values), then
    /// builds the search index from the contacts and messages and moves the identity sequences past the
    /// copied ids. Returns the rows copied.
    public func copy(from source: AppDatabase, batchSize: Int = 2_000) async throws -> Int {
        let access = PostgresAccess(database: self)
        var copied = 0
        for table in Self.copyOrder {
            let overriding = Self.identityTables.contains(table) ? "OVERRIDING SYSTEM VALUE" : ""
            try await source.exportJSON(table: table, batchSize: batchSize) { json in
                let columns = try await access.rows(
                    """
                    SELECT column_name::text FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = \(table) AND is_generated = 'NEVER'
                    ORDER BY ordinal_position
                    """
                ).map { try $0.decode(String.self) }.joined(separator: ", ")
                var binds = PostgresBindings()
                binds.append(json)
                copied += try await access.value(
                    Int.self,
                    PostgresQuery(
                        unsafeSQL: """
                            WITH copied AS (
                                INSERT INTO \(table) (\(columns)) \(overriding)
                                SELECT \(columns) FROM jsonb_populate_recordset(NULL::\(table), $1::jsonb) RETURNING 1
                            )
                            SELECT count(*) FROM copied
                            """,
                        binds: binds
                    )
                ) ?? 0
            }
        }
        try await access.rows(
            """
            INSERT INTO search_index (account_id, kind, ref_id, content)
            SELECT account_id, 'contact', id, name || ' ' || coalesce(email, '') || ' ' || coalesce(notes, '') FROM contacts
            UNION ALL
            SELECT account_id, 'message', id, body FROM messages
            """
        )
        for table in Self.identityTables {
            try await access.rows(
                PostgresQuery(unsafeSQL: "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce(max(id), 0) + 1, false) FROM \(table)")
            )
        }
        try await access.rows("ANALYZE")
        return copied
    }

    /// Tables with an identity column (`GENERATED ALWAYS AS IDENTITY`): copied ids are kept.
    static let identityTables = ["application_logs", "usage_events", "audit_trail", "identity_challenges"]

    /// Every table the copy fills, each after the tables it references; the search index is built, and
    /// migration and lease bookkeeping is the store's own.
    static var copyOrder: [String] {
        let parentsFirst = Array(ErasurePlan.dependencyOrder.reversed())
        let rest = TableClassification.all(on: .postgres).map(\.table).filter {
            !parentsFirst.contains($0) && !["search_index", "schema_migrations", "work_leases", "store_probe"].contains($0)
        }
        // A request before its identity codes.
        return parentsFirst + ["deletion_requests"] + rest.filter { $0 != "deletion_requests" }
    }
}
