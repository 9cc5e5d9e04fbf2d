public import ALTStore
import CompressNIO
import Crypto
public import ErasureDomain
public import Foundation
import GRDB
import ISO8601Time
import NIOCore

/// Restores a backup: checks size and SHA-256, opens every chunk (authentication tag and position),
/// gunzips into a temporary file beside the target, opens it (migrating an older schema), replays the
/// erasure ledger so nothing erased since comes back (I1), and only then renames it into place. A failure
/// at any step leaves no target and no temporary file.
public struct BackupRestorer: Sendable {
    public struct Report: Sendable, Equatable {
        public let backupID: String
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
    ///   - ledger: the erasure ledger of the live store (the authority on what was erased).
    ///   - hash: the subject hasher that made the ledger's hashes.
    public func restore(
        id: String, to target: String, ledger: [LedgerEntry], hash: @escaping @Sendable (_ kind: IdentifierKind, _ value: String) -> String
    ) async throws -> Report {
        let manifest = try folder.manifest(id)
        let id = manifest.id
        guard manifest.formatVersion == BackupManifest.currentFormatVersion else { throw BackupError.unknownFormat(id, version: manifest.formatVersion) }
        guard let keyBytes = keys.keys[manifest.keyId] else { throw BackupError.unknownKey(id, keyID: manifest.keyId) }
        guard !FileManager.default.fileExists(atPath: target) else { throw BackupError.targetExists(target) }
        let file = folder.path(manifest.fileName)
        try verifyChecksum(manifest, file: file)

        try Self.removeUnfinished(beside: target)
        let temporary = target + Self.unfinishedMarker + UUID().uuidString
        var installed = false
        defer {
            if !installed {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
            }
        }
        try decrypt(manifest, file: file, key: SymmetricKey(data: keyBytes), into: temporary)
        let restored: (subjects: Int, rows: Int)
        do {
            let database = try AppDatabase.open(path: temporary)
            restored = try await Self.replay(ledger, on: database, hash: hash)
            try await database.checkpoint()
            try database.writer.close()
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
        guard rename(temporary, target) == 0 else { throw BackupError.configuration("cannot rename the restored database to \(target)") }
        installed = true
        return Report(backupID: id, target: target, reErasedSubjects: restored.subjects, reErasedRows: restored.rows)
    }

    /// Restores in progress write `<target>.restoring-<uuid>` (plain text, mode 0600) and rename it.
    static let unfinishedMarker = ".restoring-"

    /// Deletes what a restore into `target` that did not finish left beside it (and its -wal, -shm).
    static func removeUnfinished(beside target: String) throws {
        let url = URL(fileURLWithPath: target)
        try removeUnfinished(in: url.deletingLastPathComponent(), prefix: url.lastPathComponent + unfinishedMarker)
    }

    /// Deletes every unfinished restore in `folder` (at start-up, for the restore folder); returns the names.
    @discardableResult
    public static func removeUnfinished(in folder: URL, prefix: String = "") throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix(prefix) && $0.contains(unfinishedMarker) }
        for name in names { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        return names
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

    /// Erases again, in the restored database, every subject the live ledger holds: whole accounts
    /// always; Instagram or Calendar data unless the restored connection was made after the erasure
    /// (a reconnection). Disconnects are replayed the same way: an Instagram disconnect drops the token
    /// and stops polling and the webhook again (the saved data stays); a Calendar disconnect deletes the
    /// tokens and cached events again. Returns the subjects that had something to undo and the rows changed.
    static func replay(
        _ ledger: [LedgerEntry], on database: AppDatabase, hash: @escaping @Sendable (IdentifierKind, String) -> String
    ) async throws -> (subjects: Int, rows: Int) {
        // Erasures before disconnects: a disconnect whose data an erasure took already has nothing to undo.
        let entries = ledger.filter { $0.kind == .accountID }
            .sorted { (Replay(scope: $0.scope).order, $0.erasedAt) < (Replay(scope: $1.scope).order, $1.erasedAt) }
        guard !entries.isEmpty else { return (0, 0) }
        let candidates = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM accounts UNION SELECT account_id FROM instagram_connections UNION SELECT account_id FROM calendar_connections")
        }
        var byHash: [String: String] = [:]
        for account in candidates { byHash[hash(.accountID, account)] = account }
        var subjects = 0
        var rows = 0
        for entry in entries {
            guard let account = byHash[entry.identifierHash] else { continue }
            let replay = Replay(scope: entry.scope)
            if let connection = replay.connectionScope, try await connectedAfter(entry.erasedAt, account: account, scope: connection, in: database) {
                continue
            }
            let count: Int
            switch replay {
            case .erase(let scope):
                let erased = try await Eraser(database: database).erase(jobID: "restore:\(entry.requestId)", accountID: account, plan: ErasurePlan(scope: scope))
                count = erased.values.reduce(0, +)
            case .instagramDisconnect:
                count = try await SQLiteErasureStore(database: database).write { tx in
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

    static func connectedAfter(_ erasedAt: Date, account: String, scope: Scope, in database: AppDatabase) async throws -> Bool {
        let table = scope == .instagram ? "instagram_connections" : "calendar_connections"
        let connectedAt = try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT connected_at FROM \(table) WHERE account_id = ?", arguments: [account])
        }
        guard let connectedAt, let date = ISO8601Time.parse(connectedAt) else { return false }
        return date > erasedAt
    }
}
