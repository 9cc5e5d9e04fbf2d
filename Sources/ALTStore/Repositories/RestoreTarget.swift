public import Foundation

/// A new database a backup's snapshot is restored into. It comes into being only once the snapshot is
/// loaded and the erasure ledger replayed (I1): until then it lives under an unfinished name, and any
/// failure, a crash included, leaves nothing under the target's own name.
public protocol RestoreTarget: Sendable {
    /// The engine whose snapshots it loads.
    var engine: TableClassification.Engine { get }
    /// Where the restored database is, as a person reads it (a path, or a URL without its password).
    var location: String { get }
    /// The private scratch file the decrypted snapshot is written to (removed by the caller afterwards).
    var scratchFile: String { get }
    /// Whether the target exists already: a restore never overwrites.
    func exists() async throws -> Bool
    /// Removes what earlier restores into this target that did not finish left behind.
    func removeUnfinished() async throws
    /// Loads the snapshot in `scratchFile` into a new, unfinished database, brings its schema up to date,
    /// runs `replay` on a store over it, and only then installs it under the target's name.
    func load<T: Sendable>(_ replay: @Sendable (any ErasureStore) async throws -> T) async throws -> T
}

/// What restores write before they are finished: `<target>.restoring-<random>` (a scratch file, an
/// unfinished SQLite file or PostgreSQL database).
public enum UnfinishedRestores {
    public static let marker = ".restoring-"

    /// Deletes the unfinished restores' files in `folder` whose names start with `prefix` (at start-up, the
    /// whole restore folder; before a restore, its target's). Returns their names.
    @discardableResult
    public static func remove(in folder: URL, prefix: String = "") throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(prefix) && $0.contains(marker) }
        for name in names { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        return names
    }
}

/// A restored database could not be loaded or given its name (a restore target's own failure, in words
/// that name no personal data).
public struct RestoreFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A restore target name the store's engine cannot take (too long for a PostgreSQL database name).
public struct InvalidRestoreName: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
