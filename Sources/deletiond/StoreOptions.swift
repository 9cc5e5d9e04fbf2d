import ALTStore
import ArgumentParser
import ErasureDomain
import ErasureService
import Foundation

/// Where the store is, and where its keys come from.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite database file (created with its folder if missing).")
    var db = "./data/alt.sqlite"

    /// The keys file: the config's `secretsFile`, or (development) `<db>.secrets.json`, made on first use.
    func secrets(config: ConfigFile?, allowGenerated: Bool) throws -> Secrets {
        if let config, let path = config.secretsFile {
            do {
                return try Secrets.load(path: path)
            } catch {
                throw ConfigError(path: config.path, key: "secretsFile", reason: error.description)
            }
        }
        guard allowGenerated else {
            throw ValidationError("the config file must name a secretsFile (see README: Configuration)")
        }
        return try Secrets.loadOrCreate(path: db + ".secrets.json")
    }

    /// Opens (and migrates) the store.
    func open() throws -> AppDatabase {
        let folder = URL(fileURLWithPath: db).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            return try AppDatabase.open(path: db)
        } catch {
            throw ValidationError("cannot open the database \(db): \(error)")
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the database or bring its schema up to date.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let database = try store.open()
        let tables = try await database.tableNames()
        print("migrated \(store.db): \(tables.count) tables")
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

    @Option(help: "The configuration file, if it names the secretsFile.")
    var config: String?

    func validate() throws {
        guard largeScale > 0, largeScale <= 10 else { throw ValidationError("--large-scale must be more than 0 and at most 10") }
    }

    func run() async throws {
        let database = try store.open()
        let environment = try DeletionEnvironment.from(
            store.secrets(config: ConfigFile.load(path: config), allowGenerated: true), clock: SystemClock(), devClock: nil
        )
        let start = ContinuousClock.now
        let seeder = Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys)
        let rows = try await seeder.seed(profile.profile, accounts: accounts, seed: seed, largeScale: largeScale)
        try await database.checkpoint()
        let elapsed = ContinuousClock.now - start
        print("seeded \(profile.rawValue) into \(store.db): \(rows) rows in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }
}

enum ProfileOption: String, ExpressibleByArgument, CaseIterable {
    case demo, bench

    var profile: Seeder.Profile { self == .demo ? .demo : .bench }
}
