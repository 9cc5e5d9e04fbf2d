public import Foundation
import Synchronization

/// The folder backups live in: `<id>.altbak` and `<id>.manifest.json` side by side; temporary files
/// start with a dot and are never listed.
public struct BackupFolder: Sendable {
    public let url: URL
    /// The last listing, kept while the folder's modification time stays the same (every create and
    /// prune renames or removes in it): `deletion.status` asks on every call.
    private let cache = ListingCache()

    public init(path: String) { url = URL(fileURLWithPath: path, isDirectory: true) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func prepare() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Runs `body` holding the folder's lock (`flock` on `.lock`, so other processes on the same folder
    /// wait too, and a crash releases it). Backups are made one at a time under it, so the clean-up of
    /// temporary files before each one never removes another backup's.
    func withLock<T>(_ body: () async throws -> T) async throws -> T {
        try prepare()
        let descriptor = open(path(".lock"), O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BackupError.folderUnwritable(url.path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw BackupError.configuration("cannot lock \(path(".lock")) (errno \(errno))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }

    /// Deletes what a backup that did not finish left behind (a crash, a full disk): the snapshot (plain
    /// text), the unfinished backup and manifest — every dot-file but the lock. Call it holding the lock.
    /// Returns the names removed.
    @discardableResult
    func removeLeftovers() throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasPrefix(".") && $0 != ".lock" }
        for name in leftovers { try FileManager.default.removeItem(atPath: path(name)) }
        if !leftovers.isEmpty { syncFolder() }
        return leftovers
    }

    /// Removes the leftovers of unfinished backups (at start-up), waiting for a backup in progress.
    public func cleanUp() async throws -> [String] {
        try await withLock { try removeLeftovers() }
    }

    /// An empty file only its owner can read, for plaintext that must exist for a while (the snapshot
    /// `VACUUM INTO` writes, which SQLite accepts when the file is empty).
    func createPrivateFile(_ name: String) throws -> String {
        let file = path(name)
        // Created 0600 by open(2) itself: FileManager.createFile makes the file with the default mode and
        // changes it afterwards, and a descriptor opened in between would keep reading what comes later.
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BackupError.folderUnwritable(url.path, reason: "cannot create \(name): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        return file
    }

    /// Every backup with a readable manifest, oldest first.
    public func list() throws -> [BackupManifest] {
        // stat(2), not FileManager's attributes: those look the owner and group names up too, ≈20 µs a
        // call against ≈1 µs, on every `deletion.status`.
        var info = stat()
        guard stat(url.path, &info) == 0 else { return [] }
        let modified = ListingCache.Stamp(seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec, size: info.st_size)
        if let cached = cache.listing(at: modified) { return cached }
        let listing = try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasSuffix(".manifest.json") && !$0.hasPrefix(".") }
            .compactMap { try? manifest(String($0.dropLast(".manifest.json".count))) }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        cache.store(listing, at: modified)
        return listing
    }

    /// The manifest of backup `id`; `latest` names the newest backup.
    public func manifest(_ id: String) throws(BackupError) -> BackupManifest {
        if id == "latest" {
            guard let newest = (try? list())?.last else { throw .notFound(id) }
            return newest
        }
        guard Self.isValidID(id) else { throw .notFound(id) }
        let manifestPath = path(BackupManifest.manifestName(id))
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw FileManager.default.fileExists(atPath: path("\(id).altbak")) ? .missingManifest(id) : .notFound(id)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let manifest = try? decoder.decode(BackupManifest.self, from: data), manifest.id == id else { throw .unreadableManifest(id) }
        return manifest
    }

    /// Deletes every backup whose time is up; returns their ids. The data goes first, then the manifest.
    public func prune(now: Date) throws -> [String] {
        var pruned: [String] = []
        for manifest in try list() where manifest.expiresAt <= now {
            try? FileManager.default.removeItem(atPath: path(manifest.fileName))
            try FileManager.default.removeItem(atPath: path(manifest.manifestName))
            pruned.append(manifest.id)
        }
        return pruned
    }

    /// Renames a finished temporary file into place (same folder, so atomic).
    func install(_ temporary: String, as name: String) throws {
        guard rename(temporary, path(name)) == 0 else { throw BackupError.configuration("cannot rename into \(path(name))") }
        syncFolder()
    }

    func writeManifest(_ manifest: BackupManifest) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path(".\(manifest.manifestName).tmp")
        var writer = try HashingWriter(path: temporary)
        try writer.write(try encoder.encode(manifest))
        _ = try writer.finish()
        try install(temporary, as: manifest.manifestName)
    }

    /// fsync of the folder, so the renames survive a crash.
    func syncFolder() {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Ids are ours (`bak_…`): no path separators, no dots, so a caller cannot reach outside the folder.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// One folder listing and the folder's modification time it was read at.
final class ListingCache: Sendable {
    /// The folder's modification time and size: every rename or removal in it changes one of them.
    struct Stamp: Equatable {
        let seconds: Int
        let nanoseconds: Int
        let size: Int
    }

    private let state = Mutex<(modified: Stamp, manifests: [BackupManifest])?>(nil)

    func listing(at modified: Stamp) -> [BackupManifest]? {
        state.withLock { $0?.modified == modified ? $0?.manifests : nil }
    }

    func store(_ manifests: [BackupManifest], at modified: Stamp) {
        state.withLock { $0 = (modified, manifests) }
    }
}
