import ArgumentParser
import Foundation

/// `deletiond config check`: resolves the configuration as `serve` would (flags, `ALT_*` environment,
/// the file, the defaults) and prints it, one `key = value (source)` line per setting with secrets
/// redacted; or the first error, naming its source and key, and exits 64.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with deletiond's configuration.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the resolved configuration (secrets redacted), or what is wrong with it.",
            discussion: """
                Each setting comes from a flag, else an environment variable ALT_<KEY> (backups.retentionDays is
                ALT_BACKUPS_RETENTION_DAYS), else the configuration file, else its default. Callers come from the file only.
                """
        )

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try store.settings()
            for line in settings.lines { print(line) }
        }
    }
}
