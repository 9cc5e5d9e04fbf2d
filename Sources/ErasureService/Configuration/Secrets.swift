public import ALTStore
import Crypto
import Foundation

/// The server's keys: `{"tokenKeys": {"<id>": "<base64 of 32 bytes>"}, "currentTokenKey": "<id>"}`.
/// Production names the file in the config (`secretsFile`); `--dev` creates one beside the database on
/// first start (mode 0600) and reads it on every start after, so a restart reads what it wrote.
public struct Secrets: Codable, Sendable {
    public var tokenKeys: [String: String]
    public var currentTokenKey: String

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
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        return Secrets(tokenKeys: ["k1": key], currentTokenKey: "k1")
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
        if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        let secrets = generate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(secrets), attributes: [.posixPermissions: 0o600]) else {
            throw Failure.unreadable(path, "could not create it")
        }
        return secrets
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
