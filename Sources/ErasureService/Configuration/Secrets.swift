public import ALTBackups
public import ALTStore
public import Crypto
public import ErasureDomain
import Foundation

/// The server's keys: `{"tokenKeys": {"<id>": "<base64 of 32 bytes>"}, "currentTokenKey": "<id>",
/// "codeKey": …, "subjectKey": …, "receiptKeys": {"<id>": …}, "currentReceiptKey": "<id>",
/// "backupKeys": {"<id>": …}, "currentBackupKey": "<id>"}` — each a base64 of 32 bytes: the
/// token-encryption keys by id, the HMAC key of identity codes, the HMAC key of subject hashes, the Ed25519
/// seeds that sign erasure receipts, the keys backups are sealed with. Rotated receipt keys keep only their
/// public half (`retiredReceiptPublicKeys`). A file with the older single `receiptKey` reads as key `r1`.
/// Production names the file in the config (`secretsFile`); `--dev` creates one beside the database on
/// first start (mode 0600) and reads it on every start after, so a restart reads what it wrote.
public struct Secrets: Codable, Sendable {
    public var tokenKeys: [String: String]
    public var currentTokenKey: String
    public var codeKey: String?
    public var subjectKey: String?
    /// The single receipt seed of files written before receipt keys rotated: key `r1`.
    public var receiptKey: String?
    public var receiptKeys: [String: String]?
    public var currentReceiptKey: String?
    /// Raw Ed25519 public keys (base64) of rotated receipt keys: published so old receipts still verify.
    public var retiredReceiptPublicKeys: [String: String]?
    /// Meta's app secret, which signs `signed_request` (required without `--dev`).
    public var metaAppSecret: String?
    /// The keys backups are sealed with, by id (base64 of 32 bytes), and the id new backups use.
    public var backupKeys: [String: String]?
    public var currentBackupKey: String?

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String, String)
        case invalid(String, String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot read the secrets file \(path): \(reason)"
            case .invalid(let path, let reason): "invalid secrets file \(path): \(reason)"
            }
        }
    }

    public static func generate() -> Secrets {
        var secrets = Secrets(tokenKeys: ["k1": freshKey()], currentTokenKey: "k1")
        secrets.fillMissingKeys()
        return secrets
    }

    static func freshKey() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } }

    /// Gives every key a file written by an older version lacks a fresh value (development only).
    mutating func fillMissingKeys() {
        if codeKey == nil { codeKey = Self.freshKey() }
        if subjectKey == nil { subjectKey = Self.freshKey() }
        if receiptKey == nil && (receiptKeys == nil || currentReceiptKey == nil) {
            receiptKeys = ["r1": Self.freshKey()]
            currentReceiptKey = "r1"
        }
        if backupKeys == nil || currentBackupKey == nil {
            backupKeys = ["b1": Self.freshKey()]
            currentBackupKey = "b1"
        }
    }

    /// Reads a production keys file, which must be private to its owner: one readable or writable by its
    /// group or by others is refused, with the mode and the command that fixes it.
    public static func loadPrivate(path: String) throws(Failure) -> Secrets {
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw .invalid(path, "readable by others (mode \(String(mode & 0o777, radix: 8))): chmod 600 \(path)")
        }
        return try load(path: path)
    }

    /// Writes these keys to a new file, mode 0600 from its first byte; an existing file is never replaced.
    public func writeNew(path: String) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch { throw .invalid(path, "\(error)") }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw .unreadable(path, errno == EEXIST ? "it exists; refusing to overwrite keys" : String(cString: strerror(errno)))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data + Data("\n".utf8))
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .unreadable(path, "could not write it (\(error))")
        }
    }

    public static func load(path: String) throws(Failure) -> Secrets {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, (error as NSError).localizedDescription)
        }
        do {
            return try JSONDecoder().decode(Secrets.self, from: data)
        } catch {
            throw .invalid(path, "\(error)")
        }
    }

    /// Reads the file at `path`, creating it with fresh keys first if it does not exist.
    public static func loadOrCreate(path: String) throws -> Secrets {
        var secrets = Secrets(tokenKeys: [:], currentTokenKey: "")
        if FileManager.default.fileExists(atPath: path) {
            secrets = try load(path: path)
            let hasReceiptKey = secrets.receiptKey != nil || secrets.currentReceiptKey != nil
            guard secrets.codeKey == nil || secrets.subjectKey == nil || !hasReceiptKey || secrets.backupKeys == nil else {
                return secrets
            }
            secrets.fillMissingKeys()
            try FileManager.default.removeItem(atPath: path)
        } else {
            secrets = generate()
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(secrets), attributes: [.posixPermissions: 0o600]) else {
            throw Failure.unreadable(path, "could not create it")
        }
        return secrets
    }

    public func identityCodeKey(path: String = "secrets") throws(Failure) -> SymmetricKey { try Self.key(codeKey, "codeKey", path) }

    public func subjectHashKey(path: String = "secrets") throws(Failure) -> SymmetricKey { try Self.key(subjectKey, "subjectKey", path) }

    /// The current receipt key and every older one's public key.
    public func receiptSigner(path: String = "secrets") throws -> ReceiptSigner {
        let (id, seed) = try currentReceiptSeed(path: path)
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Self.key(seed, "receipt key \(id)", path).withUnsafeBytes { Data($0) })
        var retired: [String: Data] = [:]
        for (id, text) in retiredReceiptPublicKeys ?? [:] {
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else { throw Failure.invalid(path, "retired receipt public key \(id) is not 32 bytes of base64") }
            retired[id] = bytes
        }
        return ReceiptSigner(key: key, keyID: id, retiredPublicKeys: retired)
    }

    private func currentReceiptSeed(path: String) throws(Failure) -> (id: String, seed: String) {
        if let current = currentReceiptKey {
            guard let seed = receiptKeys?[current] else { throw .invalid(path, "currentReceiptKey \(current) is not among receiptKeys") }
            return (current, seed)
        }
        guard let receiptKey else { throw .invalid(path, "receiptKeys and currentReceiptKey are missing") }
        return ("r1", receiptKey)
    }

    private static func key(_ text: String?, _ name: String, _ path: String) throws(Failure) -> SymmetricKey {
        guard let text else { throw .invalid(path, "\(name) is missing") }
        guard let bytes = Data(base64Encoded: text), bytes.count == 32 else { throw .invalid(path, "\(name) is not 32 bytes of base64") }
        return SymmetricKey(data: bytes)
    }

    public func backupKeyring(path: String = "secrets") throws -> BackupKeys {
        guard let backupKeys, let currentBackupKey else { throw Failure.invalid(path, "backupKeys and currentBackupKey are missing") }
        var keys: [String: Data] = [:]
        for (id, text) in backupKeys {
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else { throw Failure.invalid(path, "backup key \(id) is not 32 bytes of base64") }
            keys[id] = bytes
        }
        return try BackupKeys(keys: keys, currentKeyID: currentBackupKey)
    }

    public func tokenCipher(path: String = "secrets") throws -> TokenCipher {
        var keys: [String: SymmetricKey] = [:]
        for (id, text) in tokenKeys {
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw Failure.invalid(path, "token key \(id) is not 32 bytes of base64")
            }
            keys[id] = SymmetricKey(data: bytes)
        }
        return try TokenCipher(keys: keys, currentKeyID: currentTokenKey)
    }
}
