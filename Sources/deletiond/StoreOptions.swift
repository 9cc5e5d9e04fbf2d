import ALTStore
import ALTStorePostgres
import ArgumentParser
import Configuration
import ErasureDomain
import ErasureService
import Foundation
import Logging

/// Where the store is and where the configuration file is: the options every command shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite database file, created with its folder if missing (database.path; default ./data/alt.sqlite).")
    var db: String?

    @Option(help: "A PostgreSQL store instead of the SQLite file, postgres://USER[:PASS]@HOST:PORT/DB (database.url, ALT_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The configuration file (JSON): callers, secretsFile, and any setting (deletiond config check lists them).")
    var config: String?

    var flags: [Setting: ConfigContent] {
        var flags: [Setting: ConfigContent] = [:]
        if let db { flags[.databasePath] = .string(db) }
        if let databaseURL { flags[.databaseURL] = .string(databaseURL) }
        return flags
    }

    /// The configuration of this invocation: `flags` (the command's own) over the environment and the file.
    func settings(flags extra: [Setting: ConfigContent] = [:]) throws(SettingError) -> Settings {
        try Settings.resolve(flags: flags.merging(extra) { own, _ in own }, file: try ConfigFile.load(path: config))
    }

    /// The keys file: the configuration's `secretsFile`, or (development) `<db>.secrets.json`, made on first use.
    static func secrets(_ settings: Settings, allowGenerated: Bool) throws -> Secrets {
        if let path = settings.secretsFile {
            do {
                // A configured file is a production one: it must be private to the service's user.
                return try Secrets.loadPrivate(path: path)
            } catch {
                throw SettingError(source: settings.resolved[.secretsFile]?.source ?? "default", key: "secretsFile", reason: error.description)
            }
        }
        guard allowGenerated else {
            throw ValidationError("the configuration must name a secretsFile (see README: Configuration)")
        }
        let path = settings.databasePath + ".secrets.json"
        // Beside the SQLite file, whose folder a PostgreSQL store never created.
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        return try Secrets.loadOrCreate(path: path)
    }

    /// Runs `body` on the store the settings name: PostgreSQL with `database.url`, else the SQLite file.
    static func withStore<T>(_ settings: Settings, logger: Logger? = nil, _ body: (OpenedStore) async throws -> T) async throws -> T {
        if let text = settings.databaseURL {
            return try await PostgresStore.with(try PostgresStore.address(text), logger: logger) { try await body(.postgres($0)) }
        }
        return try await body(.sqlite(try open(settings), path: settings.databasePath))
    }

    /// Opens (and migrates) the SQLite store.
    static func open(_ settings: Settings) throws -> AppDatabase {
        let path = settings.databasePath
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            return try AppDatabase.open(path: path)
        } catch {
            throw ValidationError("cannot open the database \(path): \(error)")
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the database or bring its schema up to date.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let settings = try store.settings()
        let (location, tables) = try await StoreOptions.withStore(settings) { store in
            switch store {
            case .sqlite(let database, _): (store.location, try await database.tableNames().count)
            case .postgres(let database): (store.location, try await database.tableNames().count)
            }
        }
        print("migrated \(location): \(tables) tables")
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill the store with realistic, deterministic ALT data.",
        discussion: """
            demo: the demo account acc_demo (demo@example.com) with contacts con_demo_1…3, leads lead_demo_1…3,
            campaign cmp_demo_1, Instagram and Calendar connections; and acc_other.
            bench: --accounts accounts (default 1,000), one of them acc_large with ≈750,000 rows.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "demo or bench.")
    var profile: ProfileOption = .demo

    @Option(help: "Accounts for the bench profile.")
    var accounts: Int?

    @Option(help: "The size of acc_large in the bench profile: 1 ≈ 750,000 rows, 0.1 ≈ 75,000.")
    var largeScale = 1.0

    @Option(help: "The random seed: the same seed gives the same data.")
    var seed: UInt64 = 1

    func validate() throws {
        guard largeScale > 0, largeScale <= 10 else { throw ValidationError("--large-scale must be more than 0 and at most 10") }
    }

    func run() async throws {
        let settings = try store.settings()
        let environment = try DeletionEnvironment.from(StoreOptions.secrets(settings, allowGenerated: true), clock: SystemClock(), devClock: nil)
        let start = ContinuousClock.now
        let (location, rows) = try await StoreOptions.withStore(settings) { store in
            switch store {
            case .sqlite(let database, _):
                let rows = try await seed(database, environment: environment)
                try await database.checkpoint()
                return (store.location, rows)
            case .postgres(let database):
                // The same seeder on a scratch SQLite file, copied over: the same rows on both engines.
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("deletiond-seed-\(UUID().uuidString).sqlite").path
                // A scratch file left behind (already gone, or in a temporary folder) harms nothing.
                defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
                let source = try AppDatabase.open(path: scratch)
                _ = try await seed(source, environment: environment)
                return (store.location, try await database.copy(from: source))
            }
        }
        let elapsed = ContinuousClock.now - start
        print("seeded \(profile.rawValue) into \(location): \(rows) rows in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }

    private func seed(_ database: AppDatabase, environment: DeletionEnvironment) async throws -> Int {
        let seeder = Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys)
        return try await seeder.seed(profile.profile, accounts: accounts, seed: seed, largeScale: largeScale)
    }
}

enum ProfileOption: String, ExpressibleByArgument, CaseIterable {
    case demo, bench

    var profile: Seeder.Profile { self == .demo ? .demo : .bench }
}
