public import ALTStore
import CompressNIO
import Crypto
public import ErasureDomain
public import Foundation
import GRDB
import ISO8601Time
import NIOCore

/// Restores a backup: checks size and SHA-256, opens every chunk (authentication tag and position),
/// gunzips into the target's private scratch file, has the target load it into a new, unfinished database
/// (SQLite opens the file itself; PostgreSQL runs `pg_restore`), replays the erasure ledger through the
/// store's repositories so nothing erased since comes back (I1), and only then installs it under the
/// target's name. A failure at any step leaves no target and no scratch file.
public struct BackupRestorer: Sendable {
    public struct Report: Sendable, Equatable {
        public let backupID: String
        /// Where the restored database is (a path, or a URL without its password).
        public let target: String
        /// Subjects (account and scope) whose data the ledger erased again.
        public let reErasedSubjects: Int
        public let reErasedRows: Int
    }

    public let folder: BackupFolder
    public let keys: BackupKeys

    public init(folder: BackupFolder, keys: BackupKeys) {
        self.folder = folder
        self.keys = keys
    }

    /// - Parameters:
    ///   - target: the new database; it must not exist, and must be of the backup's engine.
    ///   - ledger: the erasure ledger of the live store (the authority on what was erased).
    ///   - hash: the subject hasher that made the ledger's hashes.
    public func restore(
        id: String, into target: any RestoreTarget, ledger: [LedgerEntry],
        hash: @escaping @Sendable (_ kind: IdentifierKind, _ value: String) -> String
    ) async throws -> Report {
        let manifest = try folder.manifest(id)
        let id = manifest.id
        guard manifest.formatVersion == BackupManifest.currentFormatVersion else { throw BackupError.unknownFormat(id, version: manifest.formatVersion) }
        guard let keyBytes = keys.keys[manifest.keyId] else { throw BackupError.unknownKey(id, keyID: manifest.keyId) }
        guard manifest.storeEngine == target.engine else { throw BackupError.wrongEngine(id, engine: manifest.engine ?? "sqlite") }
        guard try await !target.exists() else { throw BackupError.targetExists(target.location) }
        let file = folder.path(manifest.fileName)
        try verifyChecksum(manifest, file: file)

        try await target.removeUnfinished()
        // Gone in every case: renamed into place (SQLite), or loaded and no longer needed (PostgreSQL); a
        // file that is already gone is the normal case, and start-up removes any a crash left.
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target.scratchFile + suffix) } }
        try decrypt(manifest, file: file, key: SymmetricKey(data: keyBytes), into: target.scratchFile)
        do {
            let restored = try await target.load { store in
                let restored = try await Self.replay(ledger, on: store, hash: hash)
                try await store.flushErasedData()
                return restored
            }
            return Report(backupID: id, target: target.location, reErasedSubjects: restored.subjects, reErasedRows: restored.rows)
        } catch let failure as RestoreFailure {
            throw BackupError.restoreFailed(id, reason: failure.description)
        }
    }

    /// Restores into a new SQLite file at `path`.
    public func restore(
        id: String, to path: String, ledger: [LedgerEntry], hash: @escaping @Sendable (_ kind: IdentifierKind, _ value: String) -> String
    ) async throws -> Report {
        try await restore(id: id, into: SQLiteRestoreTarget(path: path), ledger: ledger, hash: hash)
    }

    func verifyChecksum(_ manifest: BackupManifest, file: String) throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw BackupError.missingManifest(manifest.id) }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let block = try handle.read(upToCount: BackupFile.chunkSize), !block.isEmpty {
            hasher.update(data: block)
            size += block.count
        }
        guard size >= manifest.size else { throw BackupError.truncated(manifest.id) }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        guard size == manifest.size, digest == manifest.sha256 else { throw BackupError.checksumMismatch(manifest.id) }
    }

    func decrypt(_ manifest: BackupManifest, file: String, key: SymmetricKey, into path: String) throws {
        let id = manifest.id
        guard let input = FileHandle(forReadingAtPath: file) else { throw BackupError.notFound(id) }
        defer { try? input.close() }
        guard let header = try input.read(upToCount: BackupFile.magic.count + 1),
            Array(header.prefix(BackupFile.magic.count)) == BackupFile.magic
        else { throw BackupError.corrupt(id, "not a backup file") }
        guard header.last == BackupFile.version else { throw BackupError.unknownFormat(id, version: Int(header.last ?? 0)) }
        var output = try HashingWriter(path: path)
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var window = ByteBuffer()
        var index = 0
        var sawLast = false
        while !sawLast {
            guard let prefix = try input.read(upToCount: 5), prefix.count == 5 else { throw BackupError.truncated(id) }
            let length = prefix.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            let last = prefix[prefix.startIndex + 4] == 1
            guard length > 28, length <= BackupFile.chunkSize + 64, let sealed = try input.read(upToCount: length), sealed.count == length else {
                throw BackupError.truncated(id)
            }
            let plaintext: Data
            do {
                let box = try AES.GCM.SealedBox(combined: sealed)
                plaintext = try AES.GCM.open(box, using: key, authenticating: BackupFile.additionalData(backupID: id, index: index, last: last))
            } catch {
                throw BackupError.wrongKeyOrTampered(id)
            }
            // Every chunk is authenticated, so the stream is the one written; its length is checked below.
            var buffer = ByteBuffer(bytes: plaintext)
            while buffer.readableBytes > 0 {
                window.clear()
                window.reserveCapacity(minimumWritableBytes: BackupFile.chunkSize)
                var more = true
                do {
                    try decompressor.inflate(from: &buffer, to: &window)
                    more = false  // the stream ended, or this chunk is used up
                } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                    // The window is full, or this chunk is used up: write what came out and go on.
                } catch {
                    throw BackupError.corrupt(id, "the compressed stream is damaged")
                }
                if let bytes = window.readBytes(length: window.readableBytes) { try output.write(Data(bytes)) }
                if !more { break }
            }
            sawLast = last
            index += 1
        }
        guard try input.read(upToCount: 1)?.isEmpty ?? true else { throw BackupError.corrupt(id, "data after the last chunk") }
        _ = try output.finish()
        guard output.size == manifest.databaseBytes else { throw BackupError.corrupt(id, "the database is not the size the manifest says") }
    }

    /// Erases again, in the restored store, every subject the live ledger holds: whole accounts
    /// always; Instagram or Calendar data unless the restored connection was made after the erasure
    /// (a reconnection). Disconnects are replayed the same way: an Instagram disconnect drops the token
    /// and stops polling and the webhook again (the saved data stays); a Calendar disconnect deletes the
    /// tokens and cached events again. Returns the subjects that had something to undo and the rows changed.
    static func replay(
        _ ledger: [LedgerEntry], on store: any ErasureStore, hash: @escaping @Sendable (IdentifierKind, String) -> String
    ) async throws -> (subjects: Int, rows: Int) {
        // Erasures before disconnects: a disconnect whose data an erasure took already has nothing to undo.
        let entries = ledger.filter { $0.kind == .accountID }
            .sorted { (Replay(scope: $0.scope).order, $0.erasedAt) < (Replay(scope: $1.scope).order, $1.erasedAt) }
        guard !entries.isEmpty else { return (0, 0) }
        var byHash: [String: String] = [:]
        for account in try await store.read({ tx in try await tx.accounts.accountIDs() }) { byHash[hash(.accountID, account)] = account }
        var subjects = 0
        var rows = 0
        for entry in entries {
            guard let account = byHash[entry.identifierHash] else { continue }
            let replay = Replay(scope: entry.scope)
            if let connection = replay.connectionScope, try await connectedAfter(entry.erasedAt, account: account, scope: connection, in: store) {
                continue
            }
            let count: Int
            switch replay {
            case .erase(let scope):
                let erased = try await store.erasure.erase(
                    jobID: "restore:\(entry.requestId)", accountID: account, scope: scope, batchSize: Self.batchSize, auditActor: nil
                ) { _, _ in }
                count = erased.values.reduce(0, +)
            case .instagramDisconnect:
                count = try await store.write { tx in
                    try await tx.integrations.disconnectInstagram(accountID: account, at: entry.erasedAt, onlyIfConnected: true)
                }
            }
            if count > 0 {
                subjects += 1
                rows += count
            }
        }
        return (subjects, rows)
    }

    /// Rows per transaction of a replayed erasure (the restored database serves no one yet).
    static let batchSize = 1_000

    /// What one ledger entry asks of a restored database.
    private enum Replay {
        case erase(Scope)
        case instagramDisconnect

        init(scope: LedgerScope) {
            switch scope {
            case .account: self = .erase(.account)
            case .instagram: self = .erase(.instagram)
            case .calendar: self = .erase(.calendar)
            case .instagramDisconnect: self = .instagramDisconnect
            // A Calendar disconnect deletes exactly what a calendar-scope erasure does.
            case .calendarDisconnect: self = .erase(.calendar)
            }
        }

        var order: Int {
            switch self {
            case .erase(.account): 0
            case .erase: 1
            case .instagramDisconnect: 2
            }
        }

        /// The integration whose reconnection after the entry means there is nothing to replay.
        var connectionScope: Scope? {
            switch self {
            case .erase(.account): nil
            case .erase(let scope): scope
            case .instagramDisconnect: .instagram
            }
        }
    }

    static func connectedAfter(_ erasedAt: Date, account: String, scope: Scope, in store: any ErasureStore) async throws -> Bool {
        let connectedAt = try await store.read { tx in
            scope == .instagram
                ? try await tx.integrations.instagramConnection(accountID: account)?.connectedAt
                : try await tx.integrations.calendarConnection(accountID: account)?.connectedAt
        }
        guard let connectedAt, let date = ISO8601Time.parse(connectedAt) else { return false }
        return date > erasedAt
    }
}
