import Crypto
import Foundation

/// The backup file's framing: `ALTBAK` and a version byte, then chunks of
/// `u32 big-endian length ‖ u8 last ‖ AES-256-GCM(nonce ‖ ciphertext ‖ tag)`, each sealing up to 1 MiB of
/// the gzip stream, with `"<backup id>|<chunk index>|<last>"` as additional data: a chunk cannot be moved,
/// dropped, replayed from another backup or marked last without failing authentication.
enum BackupFile {
    static let magic = Array("ALTBAK".utf8)
    static let version: UInt8 = 1
    static let chunkSize = 1 << 20

    static func additionalData(backupID: String, index: Int, last: Bool) -> Data {
        Data("\(backupID)|\(index)|\(last ? 1 : 0)".utf8)
    }

    static func frame(_ sealed: Data, last: Bool) -> Data {
        var frame = Data(capacity: sealed.count + 5)
        let length = UInt32(sealed.count).bigEndian
        withUnsafeBytes(of: length) { frame.append(contentsOf: $0) }
        frame.append(last ? 1 : 0)
        frame.append(sealed)
        return frame
    }
}

/// Writes a file and its SHA-256 as it goes; `finish` syncs it to disk.
struct HashingWriter {
    let handle: FileHandle
    var hasher = SHA256()
    var size = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw BackupError.configuration("cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    mutating func write(_ data: Data) throws {
        try handle.write(contentsOf: data)
        hasher.update(data: data)
        size += data.count
    }

    mutating func finish() throws -> String {
        try handle.synchronize()
        try handle.close()
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
