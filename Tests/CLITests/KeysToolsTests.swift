import Foundation
import RPCTestSupport
import Testing

/// `deletiond keys`, run as processes on a seeded store: token rotation re-sealed by a running server,
/// retirement only once unused, backup and receipt rotation.
@Suite("deletiond keys")
struct KeysToolsTests {
    @Test("keys rotate token makes a new key current; a server re-seals what older keys sealed; retire drops a key only once nothing uses it")
    func tokenRotation() throws {
        let folder = try OperatorToolsTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("alt.sqlite").path
        let secretsPath = db + ".secrets.json"
        #expect(try runCommand("deletiond", ["seed", "--db", db]).status == 0)
        let initial = try runCommand("deletiond", ["keys", "status", "--db", db])
        #expect(initial.status == 0 && initial.stdout.contains("token\tk1\tcurrent\t"), "\(initial.stdout)\(initial.stderr)")

        let rotated = try runCommand("deletiond", ["keys", "rotate", "token", "--db", db])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("token key k2 is current") && rotated.stdout.contains("retired: none"), "\(rotated.stdout)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: secretsPath)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let pending = try runCommand("deletiond", ["keys", "status", "--db", db])
        #expect(pending.status == 1, "older values remain: \(pending.stdout)")
        let oldUses = try #require(Self.uses(of: "k1", in: pending.stdout))
        #expect(oldUses > 0 && Self.uses(of: "k2", in: pending.stdout) == 0, "\(pending.stdout)")
        let early = try runCommand("deletiond", ["keys", "retire", "token", "--db", db])
        #expect(early.stdout == "retired: none\n", "k1 still seals values: \(early.stdout)")

        // A server started with the new key re-seals in the background.
        let server = try DaemonProcess(database: db, arguments: ["--reseal-delay", "0"])
        var settled = pending
        for _ in 0..<100 where settled.status != 0 {
            Thread.sleep(forTimeInterval: 0.2)
            settled = try runCommand("deletiond", ["keys", "status", "--db", db])
        }
        #expect(server.stop() == 0)
        #expect(settled.status == 0, "re-sealed: \(settled.stdout)")
        #expect(Self.uses(of: "k2", in: settled.stdout) == oldUses && Self.uses(of: "k1", in: settled.stdout) == 0, "\(settled.stdout)")

        let retired = try runCommand("deletiond", ["keys", "retire", "token", "--db", db])
        #expect(retired.stdout == "retired: k1\n", "\(retired.stdout)")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: secretsPath))) as? [String: Any])
        #expect((keys["tokenKeys"] as? [String: String]).map { Array($0.keys) } == ["k2"])
        // The re-sealed values open with the new key: the server serves the demo's requests as before.
        let again = try DaemonProcess(database: db)
        let status = try runCommand("rpc-cli", ["call", "deletion.status", "requestId=req_demo_ig", "--port", "\(again.port)", "--token", "dev"])
        #expect(status.status == 0 && status.stdout.contains("awaiting_verification"), "\(status.stdout)\(status.stderr)")
        #expect(again.stop() == 0)
    }

    @Test("keys rotate receipt keeps the old public key published; keys rotate backup retires a key no backup uses")
    func receiptAndBackupRotation() throws {
        let folder = try OperatorToolsTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("alt.sqlite").path
        #expect(try runCommand("deletiond", ["seed", "--db", db]).status == 0)
        let before = try DaemonProcess(database: db)
        let oldKeys = try runCommand("rpc-cli", ["call", "deletion.receiptKeys", "--port", "\(before.port)", "--token", "dev"])
        #expect(before.stop() == 0)
        #expect(oldKeys.status == 0 && oldKeys.stdout.contains("\"r1\""), "\(oldKeys.stdout)\(oldKeys.stderr)")

        let receipt = try runCommand("deletiond", ["keys", "rotate", "receipt", "--db", db])
        #expect(receipt.status == 0 && receipt.stdout.contains("receipt key r2 is current"), "\(receipt.stdout)\(receipt.stderr)")
        let backup = try runCommand("deletiond", ["keys", "rotate", "backup", "--db", db])
        #expect(backup.status == 0 && backup.stdout.contains("backup key b2 is current") && backup.stdout.contains("retired: b1"), "\(backup.stdout)\(backup.stderr)")
        let status = try runCommand("deletiond", ["keys", "status", "--db", db])
        for line in ["receipt\tr1\tretired\t-", "receipt\tr2\tcurrent\t-", "backup\tb2\tcurrent\t0"] {
            #expect(status.stdout.contains(line), "\(line) in \(status.stdout)")
        }
        #expect(!status.stdout.contains("backup\tb1"))

        let after = try DaemonProcess(database: db)
        let published = try runCommand("rpc-cli", ["call", "deletion.receiptKeys", "--port", "\(after.port)", "--token", "dev"])
        #expect(after.stop() == 0)
        let oldPublicKey = try #require(Self.publicKey("r1", in: oldKeys.stdout))
        #expect(Self.publicKey("r1", in: published.stdout) == oldPublicKey, "the old key stays published: \(published.stdout)")
        #expect(Self.publicKey("r2", in: published.stdout) != nil)
    }

    /// The uses column of `keys status` for token key `id`.
    static func uses(of id: String, in status: String) -> Int? {
        for line in status.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            if fields.count == 4, fields[0] == "token", fields[1] == id { return Int(fields[3]) }
        }
        return nil
    }

    static func publicKey(_ id: String, in json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let keys = object["keys"] as? [[String: Any]]
        else { return nil }
        return keys.first { $0["keyId"] as? String == id }?["publicKey"] as? String
    }
}
