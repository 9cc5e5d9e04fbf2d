import Foundation
import RPCServer

/// The configuration file (JSON), read once at start-up and handed to each part as values:
/// `callers`, `secretsFile`, `meta`, `backups` (README: Configuration).
///
/// Every key is checked. An unknown key (a typo), a value of the wrong type or an unreadable file is a
/// `ConfigError` naming the file and the key, never a silent fall-back to a default.
struct ConfigFile: Decodable {
    struct Caller: Decodable {
        var name: String
        var tokenSHA256: String
        var methods: [String]

        enum CodingKeys: String, CodingKey, CaseIterable { case name, tokenSHA256, methods }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            tokenSHA256 = try container.decode(String.self, forKey: .tokenSHA256)
            methods = try container.decode([String].self, forKey: .methods)
        }
    }

    struct Meta: Decodable {
        var statusPageBase: String?
        var signedRequestToleranceSeconds: Int?

        enum CodingKeys: String, CodingKey, CaseIterable { case statusPageBase, signedRequestToleranceSeconds }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            statusPageBase = try container.decodeIfPresent(String.self, forKey: .statusPageBase)
            signedRequestToleranceSeconds = try container.decodeIfPresent(Int.self, forKey: .signedRequestToleranceSeconds)
        }
    }

    struct Backups: Decodable {
        var folder: String?
        var restoreFolder: String?
        var retentionDays: Int?
        var intervalHours: Int?

        enum CodingKeys: String, CodingKey, CaseIterable { case folder, restoreFolder, retentionDays, intervalHours }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            folder = try container.decodeIfPresent(String.self, forKey: .folder)
            restoreFolder = try container.decodeIfPresent(String.self, forKey: .restoreFolder)
            retentionDays = try container.decodeIfPresent(Int.self, forKey: .retentionDays)
            intervalHours = try container.decodeIfPresent(Int.self, forKey: .intervalHours)
        }
    }

    /// Where the file was read from, for messages.
    var path = ""
    /// The callers and their grants, checked when the file is loaded; nil when the file names none.
    var callerDirectory: CallerDirectory?
    var callers: [Caller]?
    var secretsFile: String?
    var meta: Meta?
    var backups: Backups?

    enum CodingKeys: String, CodingKey, CaseIterable { case callers, secretsFile, meta, backups }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        callers = try container.decodeIfPresent([Caller].self, forKey: .callers)
        secretsFile = try container.decodeIfPresent(String.self, forKey: .secretsFile)
        meta = try container.decodeIfPresent(Meta.self, forKey: .meta)
        backups = try container.decodeIfPresent(Backups.self, forKey: .backups)
    }

    /// Reads and checks the file at `path`; nil when no file was given.
    static func load(path: String?) throws(ConfigError) -> ConfigFile? {
        guard let path else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(path: path, key: nil, reason: "cannot read it (\((error as NSError).localizedDescription))")
        }
        do {
            var file = try JSONDecoder().decode(ConfigFile.self, from: data)
            file.path = path
            file.callerDirectory = try file.makeCallerDirectory()
            return file
        } catch let error as DecodingError {
            throw ConfigError(path: path, decoding: error)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(path: path, key: nil, reason: "\(error)")
        }
    }

    /// The callers and their grants; a digest that is not 64 hex digits or an empty grant is named.
    private func makeCallerDirectory() throws(ConfigError) -> CallerDirectory? {
        guard let callers else { return nil }
        var directory = CallerDirectory()
        for (index, entry) in callers.enumerated() {
            guard let digest = CallerDirectory.digest(hex: entry.tokenSHA256) else {
                throw ConfigError(path: path, key: "callers[\(index)].tokenSHA256", reason: "must be 64 hex digits (the token's SHA-256)")
            }
            guard !entry.methods.isEmpty else {
                throw ConfigError(path: path, key: "callers[\(index)].methods", reason: "grants no method")
            }
            let caller = RPCServer.Caller(name: entry.name, allowedMethods: entry.methods.map(MethodPattern.init))
            directory = directory.adding(caller, tokenSHA256: digest)
        }
        return directory
    }
}

/// A configuration file that cannot be used: one line naming the file and the key; `deletiond` exits 64.
struct ConfigError: Error, CustomStringConvertible {
    let path: String
    let key: String?
    let reason: String

    init(path: String, key: String?, reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    init(path: String, decoding error: DecodingError) {
        func name(_ codingPath: [any CodingKey]) -> String? {
            guard !codingPath.isEmpty else { return nil }
            return codingPath.reduce(into: "") { text, key in
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: path, key: name(context.codingPath), reason: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(path: path, key: name(context.codingPath), reason: "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(path: path, key: name(context.codingPath + [key]), reason: "is required")
        case .dataCorrupted(let context):
            let reason = context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription
            self.init(path: path, key: name(context.codingPath), reason: reason)
        @unknown default:
            self.init(path: path, key: nil, reason: "\(error)")
        }
    }

    var description: String {
        if let key { "config \(path): \(key): \(reason)" } else { "config \(path): \(reason)" }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is [String].Type, is [Any].Type: "an array"
        default: type == [ConfigFile.Caller].self ? "an array" : "an object"
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// A keyed container that refuses keys `Keys` does not name, so a typo is an error, not a default.
    fileprivate func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy _: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let all = try container(keyedBy: AnyKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        if let unknown = all.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: all,
                debugDescription: "unknown key (expected one of: \(Keys.allCases.map(\.stringValue).joined(separator: ", ")))"
            )
        }
        return try container(keyedBy: Keys.self)
    }
}
