import ALTBackups
import ALTStore
import ArgumentParser
import ErasureDomain
import ErasureService
import Foundation

/// `deletiond keys rotate|retire|status`: key rotation in the keys file the configuration names (or, in
/// development, `<db>.secrets.json`). A rotated key is current for servers started after it; a running
/// server re-seals older token values in the background (`keys.resealDelaySeconds` after its start);
/// a key is retired only once nothing uses it.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rotate, retire and inspect the service's keys.",
        subcommands: [Rotate.self, Retire.self, Status.self]
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case token, backup, receipt
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a fresh key current, then retire the older ones nothing uses.",
            discussion: """
                token: seals integration tokens, addresses and outbox bodies; servers started after this re-seal older values \
                in batches (progress: deletiond keys status, sealed_values_stale on /metrics). backup: seals new backups; each \
                backup keeps the key it was written with. receipt: signs receipts from now on; older receipt keys stay \
                published by id (deletion.receiptKeys), so receipts they signed still verify. Restart (or roll) the servers \
                after a rotation.
                """
        )

        @Argument(help: "token, backup or receipt.")
        var kind: Kind

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let keys = try KeysFile(store)
            var secrets = keys.secrets
            var lines: [String] = []
            switch kind {
            case .token:
                let id = secrets.rotateTokenKey()
                let usage = try await keys.tokenUsage()
                let retired = secrets.retireTokenKeys(using: Set(usage.filter { $0.value > 0 }.keys))
                let older = usage.filter { $0.key != id && $0.value > 0 }.values.reduce(0, +)
                lines.append("token key \(id) is current; \(older) values sealed with older keys are re-sealed by the servers once restarted")
                lines.append("retired: \(retired.isEmpty ? "none" : retired.joined(separator: ", "))")
            case .backup:
                let id = secrets.rotateBackupKey()
                let retired = secrets.retireBackupKeys(using: try keys.backupKeyUsage())
                lines.append("backup key \(id) is current; older backups keep theirs")
                lines.append("retired: \(retired.isEmpty ? "none" : retired.joined(separator: ", "))")
            case .receipt:
                let (id, old) = try secrets.rotateReceiptKey(path: keys.path)
                lines.append("receipt key \(id) is current; \(old) signs nothing more and stays published for the receipts it signed")
            }
            try keys.save(secrets)
            lines.forEach { print($0) }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop token or backup keys that are not current and that nothing uses.",
            discussion: "Run it once every server runs with the current key: a server still on an older keys file may seal with its current key."
        )

        @Argument(help: "token or backup (receipt keys are retired by rotate; their public keys stay published).")
        var kind: Kind

        @OptionGroup var store: StoreOptions

        func validate() throws {
            if kind == .receipt { throw ValidationError("receipt keys are retired when rotated; their public keys stay published") }
        }

        func run() async throws {
            let keys = try KeysFile(store)
            var secrets = keys.secrets
            let retired =
                kind == .token
                ? secrets.retireTokenKeys(using: Set(try await keys.tokenUsage().filter { $0.value > 0 }.keys))
                : secrets.retireBackupKeys(using: try keys.backupKeyUsage())
            if !retired.isEmpty { try keys.save(secrets) }
            print("retired: \(retired.isEmpty ? "none" : retired.joined(separator: ", "))")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each key, whether it is current, and what uses it.",
            discussion: "One tab-separated line per key: kind, id, current or retired or -, uses (sealed values, backups; receipt keys: -). Exit 1 while values sealed with an older token key remain."
        )

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let keys = try KeysFile(store)
            let secrets = keys.secrets
            let usage = try await keys.tokenUsage()
            let backups = try keys.backupKeyUsageCounts()
            var rows: [[String]] = []
            for id in Set(secrets.tokenKeys.keys).union(usage.keys).sorted() {
                let state = id == secrets.currentTokenKey ? "current" : secrets.tokenKeys[id] == nil ? "missing" : "-"
                rows.append(["token", id, state, "\(usage[id] ?? 0)"])
            }
            for id in Set((secrets.backupKeys ?? [:]).keys).union(backups.keys).sorted() {
                let state = id == secrets.currentBackupKey ? "current" : secrets.backupKeys?[id] == nil ? "missing" : "-"
                rows.append(["backup", id, state, "\(backups[id] ?? 0)"])
            }
            let signer = try secrets.receiptSigner(path: keys.path)
            for id in signer.publicKeys.keys.sorted() {
                rows.append(["receipt", id, id == signer.keyID ? "current" : "retired", "-"])
            }
            rows.forEach { print($0.joined(separator: "\t")) }
            if usage.contains(where: { $0.key != secrets.currentTokenKey && $0.value > 0 }) { throw ExitCode(1) }
        }
    }
}

/// The keys file of an invocation, and what uses its keys.
private struct KeysFile {
    let settings: Settings
    let path: String
    let secrets: Secrets

    init(_ store: StoreOptions) throws {
        settings = try store.settings()
        secrets = try StoreOptions.secrets(settings, allowGenerated: true)
        path = settings.secretsFile ?? settings.databasePath + ".secrets.json"
    }

    /// Sealed values per token key id, in the store.
    func tokenUsage() async throws -> [String: Int] {
        try await StoreOptions.withStore(settings) { opened in
            try await opened.erasureStore.read { tx in try await tx.sealed.keyUsage() }
        }
    }

    /// Kept backups per key id.
    func backupKeyUsageCounts() throws -> [String: Int] {
        let folder = settings.backupFolder
        guard FileManager.default.fileExists(atPath: folder) else { return [:] }
        return Dictionary(grouping: try BackupFolder(path: folder).list(), by: \.keyId).mapValues(\.count)
    }

    func backupKeyUsage() throws -> Set<String> { Set(try backupKeyUsageCounts().keys) }

    func save(_ secrets: Secrets) throws {
        do {
            try secrets.replace(path: path)
        } catch {
            FileHandle.standardError.write(Data("deletiond: \(error)\n".utf8))
            throw ExitCode(73)
        }
    }
}
