public import Logging
import ALTStore
import PostgresNIO

/// ALT's store on a PostgreSQL server (what `AppDatabase` is on SQLite), shared by every `deletiond`
/// replica: a pool of connections to `url` that lives while `run()` runs, and the schema.
public final class PostgresAppDatabase: Sendable {
    public let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    /// Tells this replica when the store changed (`commitCount`); listens while `run()` runs.
    public let changes: PostgresChangeFeed
    private let feedConfiguration: PostgresConnection.Configuration

    /// How long a call waits for a connection before it answers that the server cannot be reached.
    let connectionWait: Duration

    public init(
        url: PostgresURL, logger: Logger, connections: Int = 20, connectionWait: Duration = .seconds(5), heartbeat: Duration = .seconds(1)
    ) {
        self.url = url
        self.logger = logger
        self.connectionWait = connectionWait
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable
        )
        // Times are read and written in UTC (`to_jsonb` of a timestamptz then ends in +00:00).
        configuration.options.additionalStartupParameters = [("TimeZone", "UTC")]
        configuration.options.maximumConnections = connections
        configuration.options.connectTimeout = connectionWait
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var feed = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable
        )
        feed.options.additionalStartupParameters = [("application_name", PostgresChangeFeed.applicationName)]
        feed.options.connectTimeout = TimeAmount(connectionWait)
        feedConfiguration = feed
        changes = PostgresChangeFeed(heartbeat: heartbeat)
    }

    /// A connection of the pool for `body`; when none can be had within `connectionWait` (the server is
    /// down or unreachable), a `StoreWriteFault`: the call answers UNAVAILABLE, and the pool reconnects by
    /// itself once the server is back.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresFaults.mapping {
            try await BoundedLease.run(waitingAtMost: connectionWait, lease: { work in try await self.client.withConnection(work) }, body)
        }
    }

    /// Keeps the connection pool and the change feed; calls work while this runs and fail once it has returned.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await self.changes.run(configuration: self.feedConfiguration, logger: self.logger) {
                    try await PostgresAccess(database: self).rows("SELECT pg_notify(\(PostgresChangeFeed.channel), 'heartbeat')")
                }
            }
        }
    }

    /// Applies the schema versions not applied yet (`PostgresSchema`), each in one transaction, and
    /// returns their numbers. Replicas starting together take turns on an advisory lock: the second finds
    /// the work done.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger
        )
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            var done: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                done.insert(version)
            }
            var applied: [Int] = []
            for version in PostgresSchema.versions where !done.contains(version.number) {
                for statement in version.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(version.number), \(version.name))", logger: logger
                )
                applied.append(version.number)
            }
            return applied
        }
    }

    /// The one column `sql` selects, as text (NULL as nil): for tests and operators' checks.
    public func column(_ sql: String) async throws -> [String?] {
        try await PostgresAccess(database: self).rows(PostgresQuery(unsafeSQL: "SELECT q.c::text FROM (\(sql)) AS q(c)"))
            .map { try $0.decode(String?.self) }
    }

    /// Runs one statement (its rows, if any, are dropped): for tests and operators' fixes.
    public func execute(_ sql: String) async throws {
        defer { changes.committedHere() }
        try await PostgresAccess(database: self).rows(PostgresQuery(unsafeSQL: sql))
    }

    /// The key of the advisory lock migrations hold (any constant the service uses for nothing else).
    static let migrationLock = 7_700_001

    /// Every table of the store's schema (`information_schema`), for the classification check.
    public func tableNames() async throws -> [String] {
        var names: [String] = []
        let rows = try await client.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
            logger: logger
        )
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// Foreign keys whose column is not the first column of some index (`table.column`): each would make a
    /// delete of the row it references scan the whole table.
    public func unindexedForeignKeys() async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT c.conrelid::regclass::text, a.attname::text
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
            ORDER BY 1, 2
            """,
            logger: logger
        )
        var missing: [String] = []
        for try await (table, column) in rows.decode((String, String).self) { missing.append("\(table).\(column)") }
        return missing
    }
}
