import ALTStore
import ALTStorePostgres
import ArgumentParser
import Configuration
import ErasureDomain
import ErasureService
import Foundation

/// Where the store is and where the configuration file is: the options every command shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite database file, created with its folder if missing (database.path; default ./data/alt.sqlite).")
    var db: String?

    @Option(help: "A PostgreSQL store, postgres://USER[:PASS]@HOST:PORT/DB (database.url, ALT_DATABASE_URL); only migrate takes it yet.")
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
                return try Secrets.load(path: path)
            } catch {
                throw SettingError(source: settings.resolved[.secretsFile]?.source ?? "default", key: "secretsFile", reason: error.description)
            }
        }
        guard allowGenerated else {
            throw ValidationError("the configuration must name a secretsFile (see README: Configuration)")
        }
        return try Secrets.loadOrCreate(path: settings.databasePath + ".secrets.json")
    }

    /// Opens (and migrates) the store.
    static func open(_ settings: Settings) throws -> AppDatabase {
        if settings.databaseURL != nil {
            // The PostgreSQL store has its schema, not its repositories yet (issue 13): say so, plainly.
            throw SettingError(
                source: settings.resolved[.databaseURL]?.source ?? "configuration", key: "database.url",
                reason: "a PostgreSQL store can be migrated (deletiond migrate) but not yet served, seeded or restored: use database.path"
            )
        }
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
        if let url = settings.databaseURL {
            let address: PostgresURL
            do {
                address = try PostgresURL(url)
            } catch {
                throw Unavailable(error.description)
            }
            let tables = try await PostgresStore.migrate(address)
            print("migrated \(address): \(tables) tables")
            return
        }
        let database = try StoreOptions.open(settings)
        let tables = try await database.tableNames()
        print("migrated \(settings.databasePath): \(tables.count) tables")
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
        let database = try StoreOptions.open(settings)
        let environment = try DeletionEnvironment.from(StoreOptions.secrets(settings, allowGenerated: true), clock: SystemClock(), devClock: nil)
        let start = ContinuousClock.now
        let seeder = Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys)
        let rows = try await seeder.seed(profile.profile, accounts: accounts, seed: seed, largeScale: largeScale)
        try await database.checkpoint()
        let elapsed = ContinuousClock.now - start
        print("seeded \(profile.rawValue) into \(settings.databasePath): \(rows) rows in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }
}

enum ProfileOption: String, ExpressibleByArgument, CaseIterable {
    case demo, bench

    var profile: Seeder.Profile { self == .demo ? .demo : .bench }
}
