import Foundation
import RPCTestSupport
import Testing

/// The operator's subcommands of `deletiond`, each run as a process: callers, secrets, overdue requests.
@Suite("deletiond's operator tools")
struct OperatorToolsTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("operator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("callers add prints a token once and stores its digest; the caller gets exactly its grants; list shows no token; revoke removes it")
    func callers() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("deletiond.json").path
        try Data(#"{"server": {"port": 7700}}"#.utf8).write(to: URL(fileURLWithPath: config))

        let added = try runCommand("deletiond", ["callers", "add", "support-tool", "--grant", "deletion.list", "deletion.status", "--config", config])
        #expect(added.status == 0, "\(added.stderr)")
        let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 43 && !token.contains("\n"), "one token on stdout: \(added.stdout)")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(!text.contains(token), "the file holds no token")
        #expect(text.contains("tokenSHA256") && text.contains("\"port\" : 7700"), "the digest is stored, the rest of the file kept: \(text)")
        let again = try runCommand("deletiond", ["callers", "add", "support-tool", "--grant", "*", "--config", config])
        #expect(again.status != 0 && again.stderr.contains("a caller named support-tool exists"))
        let noGrant = try runCommand("deletiond", ["callers", "add", "other", "--config", config])
        #expect(noGrant.status != 0 && noGrant.stderr.contains("--grant"))
        let byCertificate = try runCommand(
            "deletiond", ["callers", "add", "contacts", "--grant", "records.*", "--certificate-subject", "spiffe://alt/contacts", "--no-token", "--config", config]
        )
        #expect(byCertificate.status == 0 && byCertificate.stdout.isEmpty, "no token to print: \(byCertificate.stdout)")

        let listed = try runCommand("deletiond", ["callers", "list", "--config", config])
        #expect(listed.stdout == "support-tool\ttoken\tdeletion.list,deletion.status\ncontacts\tcertificate spiffe://alt/contacts\trecords.*\n", "\(listed.stdout)")

        // The server reads the file: the new caller may list requests and may not create one.
        let daemon = try DaemonProcess(database: folder.appendingPathComponent("alt.sqlite").path, arguments: ["--config", config])
        let port = "\(daemon.port)"
        let list = try runCommand("rpc-cli", ["call", "deletion.list", "--port", port, "--token", token])
        #expect(list.status == 0, "\(list.stderr)")
        let create = try runCommand("rpc-cli", ["call", "deletion.create", "accountId=acc_demo", "scope=calendar", "channel=support", "--port", port, "--token", token])
        #expect(create.status == 1 && create.stderr.contains("PERMISSION_DENIED"), "\(create.stderr)")
        #expect(daemon.stop() == 0)

        let revoked = try runCommand("deletiond", ["callers", "revoke", "support-tool", "--config", config])
        #expect(revoked.status == 0 && revoked.stderr.contains("restart the server"))
        #expect(try runCommand("deletiond", ["callers", "list", "--config", config]).stdout == "contacts\tcertificate spiffe://alt/contacts\trecords.*\n")
        let restarted = try DaemonProcess(database: folder.appendingPathComponent("alt.sqlite").path, arguments: ["--config", config])
        let refused = try runCommand("rpc-cli", ["call", "deletion.list", "--port", "\(restarted.port)", "--token", token])
        #expect(refused.status == 1 && refused.stderr.contains("UNAUTHENTICATED"), "\(refused.stderr)")
        #expect(restarted.stop() == 0)
        let unknown = try runCommand("deletiond", ["callers", "revoke", "support-tool", "--config", config])
        #expect(unknown.status != 0 && unknown.stderr.contains("no caller named support-tool"))
    }

    @Test("secrets init writes fresh keys with mode 0600 and never overwrites; a configured secrets file others can read is refused")
    func secrets() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("secrets.json").path
        let made = try runCommand("deletiond", ["secrets", "init", "--out", path], environment: ["ALT_META_APP_SECRET": "meta-secret"])
        #expect(made.status == 0, "\(made.stderr)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        for key in ["tokenKeys", "currentTokenKey", "codeKey", "subjectKey", "receiptKeys", "currentReceiptKey", "backupKeys", "currentBackupKey"] { #expect(keys[key] != nil, "\(key)") }
        #expect(keys["metaAppSecret"] as? String == "meta-secret")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = try runCommand("deletiond", ["secrets", "init", "--out", path])
        #expect(second.status == 73 && second.stderr.contains("refusing to overwrite"), "\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the keys are unchanged")
        let other = try runCommand("deletiond", ["secrets", "init", "--out", folder.appendingPathComponent("second.json").path])
        #expect(other.status == 0 && other.stdout.contains("add \"metaAppSecret\""))
        let otherKeys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("second.json"))) as? [String: Any])
        #expect(otherKeys["codeKey"] as? String != keys["codeKey"] as? String, "fresh keys each time")

        // Readable by others: refused where the configuration names it.
        let config = folder.appendingPathComponent("deletiond.json").path
        try Data(#"{"secretsFile": "\#(path)"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let database = ["--db", folder.appendingPathComponent("alt.sqlite").path]
        #expect(try runCommand("deletiond", ["requests", "overdue", "--config", config] + database).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let open = try runCommand("deletiond", ["requests", "overdue", "--config", config] + database)
        #expect(open.status == 64 && open.stderr.contains("readable by others (mode 644): chmod 600 \(path)"), "\(open.stderr)")
    }

    @Test("requests overdue lists what is past its deadline, one line each (or JSON), exit 1; none: exit 0")
    func overdue() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("alt.sqlite").path
        #expect(try runCommand("deletiond", ["seed", "--db", database, "--profile", "demo"]).status == 0)
        let none = try runCommand("deletiond", ["requests", "overdue", "--db", database])
        #expect(none.status == 0 && none.stdout.isEmpty, "\(none.stdout)\(none.stderr)")

        // The demo's account request, received 40 days ago and never confirmed: past its 30 days.
        let sql = "UPDATE deletion_requests SET received_at = '2026-01-01T09:00:00Z', production_due_by = '2026-01-31T09:00:00Z' WHERE id = 'req_demo_acct'"
        let python = try runCommand("/usr/bin/env", ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", database, sql])
        #expect(python.status == 0, "\(python.stderr)")
        let listed = try runCommand("deletiond", ["requests", "overdue", "--db", database])
        #expect(listed.status == 1)
        let fields = listed.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(fields.count == 1 && fields.first?.prefix(5) == ["req_demo_acct", "awaiting_verification", "account", "production", "2026-01-31T09:00:00Z"], "\(listed.stdout)")
        #expect(Int(fields.first?[5] ?? "") ?? 0 > 30)
        let json = try runCommand("deletiond", ["requests", "overdue", "--db", database, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["requestId"] as? String == "req_demo_acct" && object["deadline"] as? String == "production")
    }
}
