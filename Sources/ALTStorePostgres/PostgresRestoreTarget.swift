public import ALTStore
public import Foundation
import Logging
import PostgresNIO

/// A restore into a new database on the live store's server. The decrypted `pg_dump` archive waits in a
/// private scratch file; `pg_restore` loads it into `<name>.restoring-<random>`, whose schema is then
/// brought up to date and whose work leases (the backed-up replicas' claims) are dropped; the ledger is
/// replayed on it, and only then is it renamed to `name`. A failure drops the unfinished database; one a
/// crash left is dropped by the next restore into the same name.
public struct PostgresRestoreTarget: RestoreTarget {
    /// The live store: the connection that creates, renames and drops databases.
    let server: PostgresAppDatabase
    public let name: String
    public let scratchFile: String
    private let unfinished: String

    /// `name` is quoted wherever it is used; with the unfinished marker it must fit PostgreSQL's 63 bytes.
    public init(server: PostgresAppDatabase, name: String, folder: URL) throws(InvalidRestoreName) {
        guard name.utf8.count + Self.unfinishedSuffixLength <= 63, !name.contains("\u{0}") else {
            throw InvalidRestoreName("\(name) is too long for a PostgreSQL database name (at most \(63 - Self.unfinishedSuffixLength) bytes)")
        }
        self.server = server
        self.name = name
        let random = UUID().uuidString.prefix(8).lowercased()
        scratchFile = folder.appendingPathComponent(name + UnfinishedRestores.marker + random + ".dump").path
        unfinished = name + UnfinishedRestores.marker + random
    }

    /// `.restoring-` and 8 random hex digits.
    static let unfinishedSuffixLength = UnfinishedRestores.marker.utf8.count + 8

    public var engine: TableClassification.Engine { .postgres }
    public var location: String { url(of: name).description }

    private func url(of database: String) -> PostgresURL {
        var url = server.url
        url.database = database
        return url
    }

    public func exists() async throws -> Bool {
        try await PostgresAccess(database: server).value(Int.self, "SELECT 1 FROM pg_database WHERE datname = \(name)") != nil
    }

    public func removeUnfinished() async throws {
        let pattern = name.replacingOccurrences(of: "_", with: "\\_") + UnfinishedRestores.marker + "%"
        let access = PostgresAccess(database: server)
        for row in try await access.rows("SELECT datname::text FROM pg_database WHERE datname LIKE \(pattern)") {
            try await drop(try row.decode(String.self))
        }
    }

    public func load<T: Sendable>(_ replay: @Sendable (any ErasureStore) async throws -> T) async throws -> T {
        try await create(unfinished)
        do {
            let address = url(of: unfinished)
            do {
                try await PostgresTools.run(
                    "pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction"] + address.connectionArguments + [scratchFile],
                    password: address.password
                )
            } catch let failure as PostgresTools.Failure {
                throw RestoreFailure(failure.description)
            }
            let result = try await withStore(on: address) { store in
                try await store.database.migrate()
                // The claims of the replicas that were backed up belong to no one here.
                try await PostgresAccess(database: store.database).rows("DELETE FROM work_leases")
                return try await replay(store)
            }
            try await rename(unfinished, to: name)
            return result
        } catch {
            // The error that stopped the restore is the one to report; an unfinished database that cannot
            // be dropped now is dropped by the next restore into this name (`removeUnfinished`).
            try? await drop(unfinished)
            throw error
        }
    }

    /// Runs `body` on a store over the database at `address`, its pool closed before this returns.
    private func withStore<T: Sendable>(on address: PostgresURL, _ body: @Sendable (PostgresErasureStore) async throws -> T) async throws -> T {
        let database = PostgresAppDatabase(url: address, logger: server.logger, connections: 4)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await database.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(PostgresErasureStore(database: database))
        }
    }

    private func create(_ database: String) async throws {
        try await PostgresAccess(database: server).rows(PostgresQuery(unsafeSQL: "CREATE DATABASE \(Self.quoted(database))"))
    }

    /// Renames once the restore's own connections have gone: the server may take a moment to end them
    /// after the pool has closed, and renaming a database in use fails.
    private func rename(_ database: String, to name: String) async throws {
        let access = PostgresAccess(database: server)
        var attempt = 0
        while true {
            do {
                try await access.rows(PostgresQuery(unsafeSQL: "ALTER DATABASE \(Self.quoted(database)) RENAME TO \(Self.quoted(name))"))
                return
            } catch where attempt < 50 {
                attempt += 1
                try await access.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database)")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func drop(_ database: String) async throws {
        try await PostgresAccess(database: server).rows(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(Self.quoted(database)) WITH (FORCE)"))
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
