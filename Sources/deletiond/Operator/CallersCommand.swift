import ArgumentParser
import Crypto
import Foundation
import JSONRPC
import RPCServer

/// `deletiond callers add|list|revoke --config FILE`: the callers list of the configuration file, kept
/// by the tool instead of by hand. `add` draws a token, prints it once and stores only its SHA-256; the
/// rest of the file is kept as it was (rewritten with sorted keys). A running server reads callers at
/// start-up: restart it (or roll the replicas) after a change.
struct Callers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list and revoke the callers of the configuration file.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a caller: prints its new token once (only the token's SHA-256 is stored).",
            discussion: "With --certificate-subject the caller may instead be named by its client certificate under mTLS."
        )

        @Argument(help: "The caller's name (for logs and audit), e.g. contacts-backend.")
        var name: String

        @Option(name: .customLong("grant"), parsing: .upToNextOption, help: "Methods it may call: names, group.* or *.")
        var grants: [String] = []

        @Option(help: "A SAN URI or DNS name of its client certificate (mTLS), e.g. spiffe://alt/contacts-backend.")
        var certificateSubject: String?

        @Flag(help: "Store no token: the caller is known by --certificate-subject only.")
        var noToken = false

        @Option(help: "The configuration file (created if missing).")
        var config: String

        func validate() throws {
            guard !grants.isEmpty else { throw ValidationError("--grant names at least one method (a name, group.* or *)") }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ValidationError("a caller's name is letters, digits, '-', '_' and '.'")
            }
            if noToken, certificateSubject == nil { throw ValidationError("--no-token needs --certificate-subject") }
        }

        func run() async throws {
            var file = try CallersFile(path: config)
            guard !file.callers.contains(where: { $0["name"] as? String == name }) else {
                throw ValidationError("a caller named \(name) exists: revoke it first to replace its token")
            }
            var entry: [String: Any] = ["name": name, "methods": grants]
            var token: String?
            if !noToken {
                let drawn = CallersFile.drawToken()
                entry["tokenSHA256"] = CallerDirectory.digest(drawn).map { String(format: "%02x", $0) }.joined()
                token = drawn
            }
            if let certificateSubject { entry["certificateSubject"] = certificateSubject }
            file.callers.append(entry)
            try file.save()
            // The one time the token is shown: on stdout alone, so `TOKEN=$(deletiond callers add …)` works.
            if let token { print(token) }
            FileHandle.standardError.write(Data("deletiond: added caller \(name) (\(grants.joined(separator: ", "))) to \(config); restart the server to apply\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the callers: name, how it is known, its grants (never a token).")

        @Option(help: "The configuration file.")
        var config: String

        func run() async throws {
            let file = try CallersFile(path: config, mustExist: true)
            for caller in file.callers {
                let name = caller["name"] as? String ?? "?"
                var known: [String] = []
                if caller["tokenSHA256"] != nil { known.append("token") }
                if let subject = caller["certificateSubject"] as? String { known.append("certificate \(subject)") }
                let methods = (caller["methods"] as? [String] ?? []).joined(separator: ",")
                print("\(name)\t\(known.joined(separator: " + "))\t\(methods)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a caller (its token and certificate subject stop working at the next start).")

        @Argument(help: "The caller's name.")
        var name: String

        @Option(help: "The configuration file.")
        var config: String

        func run() async throws {
            var file = try CallersFile(path: config, mustExist: true)
            let before = file.callers.count
            file.callers.removeAll { $0["name"] as? String == name }
            guard file.callers.count < before else { throw ValidationError("no caller named \(name) in \(config)") }
            try file.save()
            FileHandle.standardError.write(Data("deletiond: revoked caller \(name) in \(config); restart the server to apply\n".utf8))
        }
    }
}

/// The configuration file as a JSON object, its `callers` array editable; saved atomically with the
/// file's permissions kept, then read back through `ConfigFile` so a broken result is never left behind.
struct CallersFile {
    let path: String
    var document: [String: Any]
    var callers: [[String: Any]]

    init(path: String, mustExist: Bool = false) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            if mustExist { throw ValidationError("no configuration file at \(path)") }
            document = [:]
            callers = []
            return
        }
        _ = try ConfigFile.load(path: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("\(path) is not a JSON object")
        }
        document = object
        callers = object["callers"] as? [[String: Any]] ?? []
    }

    mutating func save() throws {
        document["callers"] = callers
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let url = URL(fileURLWithPath: path)
        let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0o600
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data + Data("\n".utf8), attributes: [.posixPermissions: mode]) else {
            throw ValidationError("cannot write beside \(path)")
        }
        do {
            _ = try ConfigFile.load(path: temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw ValidationError("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// 32 random bytes, base64url without padding: 43 characters.
    static func drawToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
