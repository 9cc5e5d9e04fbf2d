import ArgumentParser
import ErasureService
import Foundation

/// `deletiond secrets init --out FILE`: a production keys file with fresh keys (token sealing, identity
/// codes, subject hashes, receipts, backups), mode 0600, never over an existing file. Meta's app secret is
/// Meta's, not ours to draw: it is taken from `ALT_META_APP_SECRET` when set, else the file says to add it.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Make the production keys file.",
        subcommands: [Initialize.self]
    )

    struct Initialize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write fresh keys to a new file (mode 0600); refuses to overwrite one.",
            discussion: "Meta's app secret comes from ALT_META_APP_SECRET if set; otherwise add \"metaAppSecret\" to the file before serving."
        )

        @Option(help: "The new keys file, e.g. /etc/alt/secrets.json.")
        var out: String

        func run() async throws {
            var secrets = Secrets.generate()
            secrets.metaAppSecret = ProcessInfo.processInfo.environment["ALT_META_APP_SECRET"]
            do {
                try secrets.writeNew(path: out)
            } catch {
                FileHandle.standardError.write(Data("deletiond: \(error)\n".utf8))
                throw ExitCode(73)  // EX_CANTCREAT
            }
            let missing = secrets.metaAppSecret == nil ? "; add \"metaAppSecret\" (Meta's app secret) before serving" : ""
            print("wrote \(out) (mode 0600): token, code, subject, receipt and backup keys\(missing)")
        }
    }
}
