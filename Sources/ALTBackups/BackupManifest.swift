public import ALTStore
public import Foundation

/// What sits beside each backup file (`<id>.manifest.json`): enough to find, check, open and expire it
/// without the database. Written after the data file, both atomically; a backup without a manifest is
/// not a backup. Format: `schemas/BACKUPS.md`.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The only format this code writes and reads.
    public static let currentFormatVersion = 1

    public var id: String
    public var formatVersion: Int
    public var createdAt: Date
    /// createdAt + the configured retention (at most 90 days).
    public var expiresAt: Date
    /// Bytes of the backup file.
    public var size: Int
    /// Hex SHA-256 of the backup file.
    public var sha256: String
    /// The backup key that sealed it.
    public var keyId: String
    /// Bytes of the database snapshot it holds.
    public var databaseBytes: Int
    public var compression: String
    public var cipher: String
    /// The engine of the store the snapshot is of (`sqlite`: a database file; `postgres`: a `pg_dump`
    /// archive). Absent in manifests written before PostgreSQL, which are all SQLite.
    public var engine: String?

    /// The snapshot's engine, if this server knows it.
    public var storeEngine: TableClassification.Engine? { TableClassification.Engine(rawValue: engine ?? "sqlite") }

    public var fileName: String { "\(id).altbak" }
    public var manifestName: String { Self.manifestName(id) }

    public static func manifestName(_ id: String) -> String { "\(id).manifest.json" }
}

/// The keys backups are sealed with, by id: new backups use the current one, and every manifest names
/// its key, so older backups stay readable after a rotation. Separate from the token keys.
public struct BackupKeys: Sendable {
    let keys: [String: Data]
    public let currentKeyID: String

    public init(keys: [String: Data], currentKeyID: String) throws(BackupError) {
        guard keys[currentKeyID] != nil else { throw .configuration("the current backup key \(currentKeyID) is not among the backup keys") }
        for (id, key) in keys where key.count != 32 { throw .configuration("backup key \(id) is not 32 bytes") }
        self.keys = keys
        self.currentKeyID = currentKeyID
    }
}

/// Why a backup cannot be made, read or restored; each names the backup.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    case configuration(String)
    case notFound(String)
    case missingManifest(String)
    case unreadableManifest(String)
    case unknownFormat(String, version: Int)
    case unknownKey(String, keyID: String)
    case checksumMismatch(String)
    case truncated(String)
    case wrongKeyOrTampered(String)
    case corrupt(String, String)
    case targetExists(String)
    /// The backup is of another engine's store (an SQLite file offered to PostgreSQL, or the other way).
    case wrongEngine(String, engine: String)
    /// The restored database could not be loaded or installed (the tool's or server's own words).
    case restoreFailed(String, reason: String)
    /// The backup folder cannot be written (missing, not a folder, full, read-only): nothing was kept.
    case folderUnwritable(String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let text): "backup configuration: \(text)"
        case .notFound(let id): "no backup \(id)"
        case .missingManifest(let id): "backup \(id) has no manifest: it is incomplete and cannot be restored"
        case .unreadableManifest(let id): "the manifest of backup \(id) is not valid"
        case .unknownFormat(let id, let version): "backup \(id) is in format version \(version), which this server does not read"
        case .unknownKey(let id, let key): "backup \(id) was sealed with key \(key), which this server does not have"
        case .checksumMismatch(let id): "backup \(id) does not match its SHA-256: it was changed or damaged"
        case .truncated(let id): "backup \(id) is shorter than its manifest says: it was truncated"
        case .wrongKeyOrTampered(let id): "backup \(id) fails authentication: wrong key, or the file was changed"
        case .corrupt(let id, let what): "backup \(id) is corrupt: \(what)"
        case .targetExists(let path): "\(path) already exists: restore writes a new database only"
        case .wrongEngine(let id, let engine): "backup \(id) is of a store on \(engine), which this store cannot load"
        case .restoreFailed(let id, let reason): "backup \(id) could not be restored: \(reason)"
        case .folderUnwritable(let path, let reason): "the backup folder \(path) cannot be written: \(reason)"
        }
    }
}
