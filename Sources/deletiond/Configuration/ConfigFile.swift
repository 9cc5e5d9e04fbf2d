import Configuration
import Foundation
import JSONRPC
import RPCServer

/// The configuration file (JSON), checked key by key when it is read: an unknown key (a typo), a value
/// of the wrong type or an unreadable file is a `SettingError` naming the file and the key, never a
/// silent fall-back to a default. Its settings become the lowest-but-one layer of the configuration
/// (`Settings`); its callers are read here, the one list of records the configuration holds.
///
/// ```json
/// {"callers": [{"name": "contacts-backend", "tokenSHA256": "…64 hex…", "methods": ["records.*"]},
///              {"name": "campaigns", "certificateSubject": "spiffe://alt/campaigns", "methods": ["records.deleteCampaign"]}],
///  "secretsFile": "/etc/alt/secrets.json", "server": {"port": 7700}, "backups": {"retentionDays": 30}}
/// ```
struct ConfigFile: Sendable {
    let path: String
    /// The file's settings, as swift-configuration values.
    let values: [AbsoluteConfigKey: ConfigValue]
    /// The callers and their grants; nil when the file names none.
    let callers: CallerDirectory?

    /// Reads and checks the file at `path`; nil when no file was given.
    static func load(path: String?) throws(SettingError) -> ConfigFile? {
        guard let path else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingError(file: path, key: nil, reason: "cannot read it (\((error as NSError).localizedDescription))")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: data)
        } catch {
            // Foundation's decoding error says nothing a person can act on beyond this.
            throw SettingError(file: path, key: nil, reason: "not valid JSON")
        }
        guard let object = document.objectValue else { throw SettingError(file: path, key: nil, reason: "not a JSON object") }
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var callers: CallerDirectory?
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            if name == "callers" {
                callers = try Self.callers(value, file: path)
            } else if let setting = Setting(rawValue: name), !name.contains(".") {
                values[setting.key] = try Self.value(value, for: setting, file: path)
            } else if let keys = Setting.fileSections[name] {
                guard let section = value.objectValue else { throw SettingError(file: path, key: name, reason: "expected an object") }
                for (member, value) in section.sorted(by: { $0.key < $1.key }) {
                    guard keys.contains(member), let setting = Setting(rawValue: "\(name).\(member)") else {
                        throw SettingError(file: path, key: "\(name).\(member)", reason: "unknown key (expected one of: \(keys.joined(separator: ", ")))")
                    }
                    values[setting.key] = try Self.value(value, for: setting, file: path)
                }
            } else {
                let known = ["callers", "secretsFile"] + Setting.fileSections.keys.sorted()
                throw SettingError(file: path, key: name, reason: "unknown key (expected one of: \(known.joined(separator: ", ")))")
            }
        }
        return ConfigFile(path: path, values: values, callers: callers)
    }

    private static func value(_ value: JSONValue, for setting: Setting, file: String) throws(SettingError) -> ConfigValue {
        switch setting.kind {
        case .text:
            guard let text = value.stringValue else { throw SettingError(file: file, key: setting.rawValue, reason: "expected a string") }
            return ConfigValue(.string(text), isSecret: setting.isSecret)
        case .number:
            guard case .int(let whole) = value else { throw SettingError(file: file, key: setting.rawValue, reason: "expected a whole number") }
            return ConfigValue(.int(Int(whole)), isSecret: setting.isSecret)
        }
    }

    /// The callers and their grants; a digest that is not 64 hex digits or an empty grant is named.
    private static func callers(_ value: JSONValue, file: String) throws(SettingError) -> CallerDirectory {
        guard let entries = value.arrayValue else { throw SettingError(file: file, key: "callers", reason: "expected an array") }
        var directory = CallerDirectory()
        for (index, entry) in entries.enumerated() {
            let key = "callers[\(index)]"
            guard let fields = entry.objectValue else { throw SettingError(file: file, key: key, reason: "expected an object") }
            let known = ["name", "tokenSHA256", "certificateSubject", "methods"]
            if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
                throw SettingError(file: file, key: "\(key).\(unknown)", reason: "unknown key (expected one of: \(known.joined(separator: ", ")))")
            }
            guard let name = fields["name"]?.stringValue else { throw SettingError(file: file, key: "\(key).name", reason: "is required (a string)") }
            var digest: [UInt8]?
            if let value = fields["tokenSHA256"] {
                guard let hex = value.stringValue, let bytes = CallerDirectory.digest(hex: hex) else {
                    throw SettingError(file: file, key: "\(key).tokenSHA256", reason: "must be 64 hex digits (the token's SHA-256)")
                }
                digest = bytes
            }
            var subject: String?
            if let value = fields["certificateSubject"] {
                guard let text = value.stringValue, !text.isEmpty else {
                    throw SettingError(file: file, key: "\(key).certificateSubject", reason: "must be a SAN URI or DNS name of the caller's client certificate")
                }
                subject = text
            }
            guard digest != nil || subject != nil else {
                throw SettingError(file: file, key: "\(key).tokenSHA256", reason: "is required (a string), unless certificateSubject names the caller's client certificate")
            }
            guard let methods = fields["methods"]?.arrayValue?.compactMap(\.stringValue), methods.count == fields["methods"]?.arrayValue?.count else {
                throw SettingError(file: file, key: "\(key).methods", reason: "is required (an array of method names or patterns)")
            }
            guard !methods.isEmpty else { throw SettingError(file: file, key: "\(key).methods", reason: "grants no method") }
            let caller = Caller(name: name, allowedMethods: methods.map(MethodPattern.init))
            if let subject {
                directory = directory.adding(caller, certificateSubject: subject, tokenSHA256: digest)
            } else if let digest {
                directory = directory.adding(caller, tokenSHA256: digest)
            }
        }
        return directory
    }
}

/// A setting that cannot be used: one line naming where it came from (the file, an environment variable
/// or a flag) and the key; `deletiond` exits 64.
struct SettingError: Error, CustomStringConvertible {
    let source: String
    let key: String?
    let reason: String

    init(file: String, key: String?, reason: String) {
        self.init(source: "config \(file)", key: key, reason: reason)
    }

    init(source: String, key: String?, reason: String) {
        self.source = source
        self.key = key
        self.reason = reason
    }

    var description: String {
        if let key { "\(source): \(key): \(reason)" } else { "\(source): \(reason)" }
    }
}
