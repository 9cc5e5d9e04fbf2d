public import ALTStore
import CompressNIO
import Crypto
public import Foundation
import GRDB
import NIOCore

/// Makes a backup while the server keeps serving: a consistent snapshot (`VACUUM INTO`, from a read
/// transaction, so writers go on), streamed through gzip (compress-nio) and AES-256-GCM in 1 MiB chunks —
/// memory stays bounded whatever the database's size — into a temporary file that is synced and renamed,
/// then the manifest the same way. The plaintext snapshot lives only in the backup folder (mode 0600,
/// in a 0700 folder) while it is read, and is deleted at once; what a crash leaves behind is removed
/// before the next backup and at start-up (`BackupFolder.cleanUp`).
public struct BackupWriter: Sendable {
    public let folder: BackupFolder
    public let keys: BackupKeys

    public init(folder: BackupFolder, keys: BackupKeys) {
        self.folder = folder
        self.keys = keys
    }

    public func create(from source: any SnapshotSource, now: Date, retention: TimeInterval) async throws -> BackupManifest {
        do {
            return try await folder.withLock {
                try folder.removeLeftovers()
                return try await write(from: source, now: now, retention: retention)
            }
        } catch let error as BackupError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The folder could not be made, locked or written (the snapshot's VACUUM INTO included); the
            // temporary files were removed on the way out, so nothing half-made is kept.
            throw BackupError.folderUnwritable(folder.url.path, reason: Self.describe(error))
        }
    }

    /// A file-system failure in a few words (errno's text where there is one).
    static func describe(_ error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if (error as NSError).domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32((error as NSError).code))) }
        return String(describing: type(of: error))
    }

    private func write(from source: any SnapshotSource, now: Date, retention: TimeInterval) async throws -> BackupManifest {
        let id = Self.newID(now)
        // Made empty and 0600 first: the snapshot keeps the mode of the empty file it is given.
        let snapshot = try folder.createPrivateFile(".\(id).snapshot")
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        try await source.writeSnapshot(toFile: snapshot)
        let databaseBytes = (try FileManager.default.attributesOfItem(atPath: snapshot)[.size] as? Int) ?? 0

        let temporary = folder.path(".\(id).altbak.tmp")
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var writer = try HashingWriter(path: temporary)
        try writer.write(Data(BackupFile.magic + [BackupFile.version]))
        let key = SymmetricKey(data: keys.keys[keys.currentKeyID]!)
        var sealer = ChunkSealer(backupID: id, key: key)
        let compressor = try ZlibCompressor(algorithm: .gzip)
        var compressed = ByteBuffer()
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: snapshot))
        defer { try? input.close() }
        while let block = try input.read(upToCount: BackupFile.chunkSize), !block.isEmpty {
            var buffer = ByteBuffer(bytes: block)
            while buffer.readableBytes > 0 {
                compressed.reserveCapacity(minimumWritableBytes: compressor.maxSize(from: buffer))
                try compressor.deflate(from: &buffer, to: &compressed, flush: .no)
                try sealer.emitFullChunks(&compressed, to: &writer)
            }
        }
        var empty = ByteBuffer()
        while true {
            compressed.reserveCapacity(minimumWritableBytes: 64 * 1_024)
            do {
                try compressor.deflate(from: &empty, to: &compressed, flush: .finish)
                break
            } catch let error as CompressNIOError where error == .bufferOverflow {
                try sealer.emitFullChunks(&compressed, to: &writer)
            }
        }
        try sealer.emitFullChunks(&compressed, to: &writer)
        try sealer.emit(Data(compressed.readBytes(length: compressed.readableBytes) ?? []), last: true, to: &writer)
        let sha256 = try writer.finish()

        let manifest = BackupManifest(
            id: id, formatVersion: BackupManifest.currentFormatVersion, createdAt: now, expiresAt: now + retention,
            size: writer.size, sha256: sha256, keyId: keys.currentKeyID, databaseBytes: databaseBytes,
            compression: "gzip", cipher: "AES-256-GCM", engine: source.engine.rawValue
        )
        try folder.install(temporary, as: manifest.fileName)
        try folder.writeManifest(manifest)
        return manifest
    }

    /// `bak_<UTC time>_<random>`: sorts by creation time.
    static func newID(_ now: Date) -> String {
        let stamp = Int64(now.timeIntervalSince1970)
        var generator = SystemRandomNumberGenerator()
        let suffix = String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 16)
        return "bak_\(stamp)_\(suffix)"
    }
}

/// Seals the gzip stream in 1 MiB chunks.
struct ChunkSealer {
    let backupID: String
    let key: SymmetricKey
    var index = 0

    init(backupID: String, key: SymmetricKey) {
        self.backupID = backupID
        self.key = key
    }

    mutating func emitFullChunks(_ buffer: inout ByteBuffer, to writer: inout HashingWriter) throws {
        while buffer.readableBytes >= BackupFile.chunkSize {
            try emit(Data(buffer.readBytes(length: BackupFile.chunkSize)!), last: false, to: &writer)
        }
        buffer.discardReadBytes()
    }

    mutating func emit(_ plaintext: Data, last: Bool, to writer: inout HashingWriter) throws {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: BackupFile.additionalData(backupID: backupID, index: index, last: last))
        try writer.write(BackupFile.frame(box.combined!, last: last))
        index += 1
    }
}
