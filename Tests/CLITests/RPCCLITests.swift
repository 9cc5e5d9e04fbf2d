import Foundation
import Testing

@Suite("rpc-cli against a live deletiond", .serialized, .timeLimit(.minutes(2)))
struct RPCCLITests {
    func cli(_ daemon: DaemonProcess, _ arguments: [String], stdin: String? = nil, token: String? = "dev") throws -> CommandResult {
        let subcommand = arguments[0]
        var rest = Array(arguments.dropFirst()) + ["--port", "\(daemon.port)"]
        if let token { rest += ["--token", token] }
        return try runCommand("rpc-cli", [subcommand] + rest, stdin: stdin)
    }

    @Test("health answers SERVING without a token")
    func health() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let result = try cli(daemon, ["health"], token: nil)
        #expect(result.status == 0)
        #expect(result.stdout == #"{"status":"SERVING"}"# + "\n")
    }

    @Test("methods lists the document's methods, one line each")
    func methods() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let result = try cli(daemon, ["methods"])
        #expect(result.status == 0)
        let names = result.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(names.contains("health.check"))
        #expect(names.contains("rpc.discover"))
    }

    @Test("piped into a reader that has gone (| head -1), rpc-cli exits 0 quietly, no backtrace")
    func closedPipe() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        for arguments in [["methods"], ["describe", "deletion.status"], ["health"]] {
            let result = try runIntoClosedPipe("rpc-cli", arguments + ["--port", "\(daemon.port)", "--token", "dev"])
            #expect(result.status == 0, "\(arguments)")
            #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }

    @Test("describe shows params, result, errors and examples; an unknown method exits 1")
    func describe() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let result = try cli(daemon, ["describe", "rpc.cancel"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("id (required)"))
        #expect(result.stdout.contains("-32602"))
        #expect(result.stdout.contains("example"))
        #expect(try cli(daemon, ["describe", "no.such"]).status == 1)
    }

    @Test("call takes JSON or key=value / key:=json params")
    func call() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        #expect(try cli(daemon, ["call", "rpc.cancel", #"{"id": 5}"#]).stdout == #"{"cancelled":false}"# + "\n")
        #expect(try cli(daemon, ["call", "rpc.cancel", "id:=5"]).stdout == #"{"cancelled":false}"# + "\n")
        #expect(try cli(daemon, ["call", "rpc.cancel", "id=x"]).stdout == #"{"cancelled":false}"# + "\n")
        #expect(try cli(daemon, ["call", "rpc.cancel", "[7]", "--compress"]).stdout == #"{"cancelled":false}"# + "\n")
    }

    @Test("an RPC error goes to stderr with its status, exit code 1")
    func rpcError() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let missing = try cli(daemon, ["call", "no.such.method", "--no-check"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("UNIMPLEMENTED (-32601)"))
        #expect(missing.stdout.isEmpty)
        let unauthenticated = try cli(daemon, ["call", "rpc.discover"], token: "wrong")
        #expect(unauthenticated.status == 1)
        #expect(unauthenticated.stderr.contains("UNAUTHENTICATED (-32016)"))
        let badParams = try cli(daemon, ["call", "rpc.cancel", "nope=1", "--no-check"])
        #expect(badParams.status == 1)
        #expect(badParams.stderr.contains("INVALID_ARGUMENT"))
    }

    @Test("call checks params against the method's schema first and prints a hint")
    func schemaCheck() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let unknown = try cli(daemon, ["call", "rpc.cancel", "nope=1"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("rpc.cancel has no param 'nope' (it takes: id)"))
        #expect(unknown.stderr.contains("see: rpc-cli describe rpc.cancel"))
        let missing = try cli(daemon, ["call", "rpc.cancel"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("rpc.cancel needs param 'id'"))
        let wrongType = try cli(daemon, ["call", "rpc.cancel", "id:=true"])
        #expect(wrongType.status == 64)
        #expect(wrongType.stderr.contains("param 'id' must be string or integer or null, not true"))
        let noMethod = try cli(daemon, ["call", "no.such.method"])
        #expect(noMethod.status == 64)
        #expect(noMethod.stderr.contains("no method no.such.method"))
    }

    @Test("the token may come from ALT_RPC_TOKEN")
    func tokenFromEnvironment() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let result = try runCommand("rpc-cli", ["call", "rpc.cancel", "id:=1", "--port", "\(daemon.port)"], environment: ["ALT_RPC_TOKEN": "dev"])
        #expect(result.status == 0)
    }

    @Test("batch sends a file's JSON as one frame and prints answers in order")
    func batch() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let body = #"[{"jsonrpc":"2.0","id":1,"method":"health.check"},{"jsonrpc":"2.0","method":"health.check"},{"jsonrpc":"2.0","id":"x","method":"nope"}]"#
        let result = try cli(daemon, ["batch", "-"], stdin: body)
        #expect(result.status == 1)
        #expect(result.stdout.contains(#""id":1"#))
        #expect(result.stdout.contains(#""code":-32601"#))
    }

    @Test("--raw prints the frames, with the token redacted")
    func raw() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let result = try cli(daemon, ["call", "health.check", "--raw"])
        #expect(result.stderr.contains(">>> Content-Length:"))
        #expect(result.stderr.contains("<<< {\"jsonrpc\":\"2.0\""))
        #expect(result.stderr.contains("Bearer <redacted>"))
        #expect(!result.stderr.contains("Bearer dev"))
    }

    @Test("a refused connection is one line and exit code 69")
    func refused() throws {
        let result = try runCommand("rpc-cli", ["health", "--port", "1"])
        #expect(result.status == 69)
        #expect(result.stderr == "rpc-cli: cannot connect to 127.0.0.1:1: connection refused\n")
    }

    @Test("deletiond: SIGTERM drains and exits 0; a busy port and a bad config are clear errors")
    func daemonLifecycle() throws {
        let daemon = try DaemonProcess()
        let busy = try runCommand("deletiond", ["serve", "--dev", "--port", "\(daemon.port)", "--db", NSTemporaryDirectory() + "/busy-\(UUID().uuidString)/alt.sqlite"])
        #expect(busy.status != 0)
        #expect(busy.stderr.contains("port \(daemon.port) on 127.0.0.1 is already in use"))
        #expect(daemon.stop() == 0)

        let unreadable = try runCommand("deletiond", ["serve", "--config", "/nonexistent/callers.json", "--port", "0"])
        #expect(unreadable.status == 64)
        #expect(unreadable.stderr.hasPrefix("deletiond: config /nonexistent/callers.json: cannot read it"))

        let badFlag = try runCommand("deletiond", ["serve", "--port", "70000", "--dev"])
        #expect(badFlag.status != 0)
        #expect(badFlag.stderr.contains("flag --port: server.port: must be 0…65535"))

        let tooLong = try runCommand("deletiond", ["serve", "--dev", "--port", "0", "--backup-retention-days", "61", "--db", NSTemporaryDirectory() + "/retention-\(UUID().uuidString)/alt.sqlite"])
        #expect(tooLong.status != 0)
        #expect(tooLong.stderr.contains("at most 60 days"), "\(tooLong.stderr)")

        let notLoopback = try runCommand("deletiond", ["serve", "--dev", "--host", "0.0.0.0"])
        #expect(notLoopback.status != 0)
        #expect(notLoopback.stderr.contains("loopback only"))
    }

    @Test("deletiond config check: flags over ALT_* variables over the file over defaults, each value's source named, secrets redacted")
    func configCheck() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("deletiond.json").path
        let digest = String(repeating: "ab", count: 32)
        try Data(
            #"{"callers": [{"name": "contacts", "tokenSHA256": "\#(digest)", "methods": ["records.*"]}], "server": {"port": 7800, "host": "127.0.0.2"}, "backups": {"retentionDays": 30, "intervalHours": 6}, "dev": {"token": "s3cret"}}"#.utf8
        ).write(to: URL(fileURLWithPath: config))
        let check = try runCommand(
            "deletiond", ["config", "check", "--config", config, "--db", folder.path + "/alt.sqlite"],
            environment: ["ALT_SERVER_PORT": "7900", "ALT_BACKUPS_INTERVAL_HOURS": "12"]
        )
        #expect(check.status == 0, "\(check.stderr)")
        let lines = Set(check.stdout.split(separator: "\n").map(String.init))
        #expect(lines.contains("server.port = 7900 (environment ALT_SERVER_PORT)"))
        #expect(lines.contains("server.host = 127.0.0.2 (config \(config))"))
        #expect(lines.contains("backups.retentionDays = 30 (config \(config))"))
        #expect(lines.contains("backups.intervalHours = 12 (environment ALT_BACKUPS_INTERVAL_HOURS)"))
        #expect(lines.contains("database.path = \(folder.path)/alt.sqlite (flag --db)"))
        #expect(lines.contains("erasure.batchSize = 5000 (default)"))
        #expect(lines.contains("callers = contacts (config \(config))"))
        #expect(lines.contains("dev.token = <redacted> (config \(config))") && !check.stdout.contains("s3cret"))

        let badVariable = try runCommand("deletiond", ["config", "check", "--config", config], environment: ["ALT_SERVER_PORT": "seventy"])
        #expect(badVariable.status == 64)
        #expect(badVariable.stderr == "deletiond: environment ALT_SERVER_PORT: server.port: expected a whole number\n")
        let outOfRange = try runCommand("deletiond", ["config", "check"], environment: ["ALT_BACKUPS_RETENTION_DAYS": "61"])
        #expect(outOfRange.status == 64)
        #expect(outOfRange.stderr.hasPrefix("deletiond: environment ALT_BACKUPS_RETENTION_DAYS: backups.retentionDays: must be 1…60"))
    }

    @Test("deletiond migrate --database-url: a bad or unreachable PostgreSQL is one line and exit 69")
    func postgresAddressRefused() throws {
        let bad = try runCommand("deletiond", ["migrate", "--database-url", "mysql://alt:pw@127.0.0.1:3306/alt"])
        #expect(bad.status == 69)
        #expect(bad.stderr == "deletiond: --database-url: the scheme must be postgres (expected postgres://USER[:PASS]@HOST:PORT/DB)\n")
        let unreachable = try runCommand("deletiond", ["migrate"], environment: ["ALT_DATABASE_URL": "postgres://alt:pw@127.0.0.1:1/alt"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.split(separator: "\n").count == 1 && unreachable.stderr.contains("postgres://alt:***@127.0.0.1:1/alt"))
        #expect(!unreachable.stderr.contains(":pw@"), "the password is never shown")
    }

    @Test(
        "deletiond on PostgreSQL: migrate twice is the same, seed demo, serve answers from it; a backup restores into a new database",
        .enabled(if: ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"] != nil || ProcessInfo.processInfo.environment["CI"] != nil)
    )
    func postgresMigrate() throws {
        let server = try #require(ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"], "CI must test PostgreSQL")
        let name = "alt_cli_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        #expect(try psql(server, "CREATE DATABASE \(name)") != nil)
        defer { _ = try? psql(server, "DROP DATABASE \(name) WITH (FORCE)") }
        var address = try #require(URLComponents(string: server))
        address.path = "/\(name)"
        let url = try #require(address.string)
        for _ in 0..<2 {
            let migrated = try runCommand("deletiond", ["migrate", "--database-url", url])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            #expect(migrated.stdout.hasPrefix("migrated postgres://") && migrated.stdout.contains(": 32 tables"), "\(migrated.stdout)")
        }
        // The dev secrets live beside --db: seed and serve share them, so the demo's code digests match.
        // Backups and restores' scratch files go beside it too.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secretsBeside = folder.appendingPathComponent("alt.sqlite").path
        let seeded = try runCommand("deletiond", ["seed", "--profile", "demo", "--database-url", url, "--db", secretsBeside])
        #expect(seeded.status == 0 && seeded.stdout.hasPrefix("seeded demo into postgres://"), "\(seeded.stdout)\(seeded.stderr)")
        let daemon = try DaemonProcess(database: secretsBeside, arguments: ["--database-url", url])
        defer { daemon.stop() }
        #expect(try cli(daemon, ["health"], token: nil).stdout == #"{"status":"SERVING"}"# + "\n")
        let status = try cli(daemon, ["call", "deletion.status", "requestId=req_demo_ig"])
        #expect(status.status == 0 && status.stdout.contains(#""state":"awaiting_verification""#), "\(status.stdout)\(status.stderr)")
        let verified = try cli(daemon, ["call", "deletion.verifyIdentity", "requestId=req_demo_ig", "code=123456"])
        #expect(verified.stdout.contains(#""state":"scheduled""#), "\(verified.stdout)\(verified.stderr)")
        // An Instagram request has no grace period: the executor erases it within a round or two. The
        // backup is taken after that, so the restore has nothing to erase again (taken before, it would
        // erase the request's subject again: 1 subject, which the SQLite test below covers).
        var erased = false
        for _ in 0..<100 where !erased {
            let status = try cli(daemon, ["call", "deletion.status", "requestId=req_demo_ig"]).stdout
            erased = [#""state":"erased""#, #""state":"completed""#].contains { status.contains($0) }
            if !erased { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(erased, "req_demo_ig was not erased within 10 s")
        let backup = try cli(daemon, ["call", "backups.create"])
        #expect(backup.status == 0 && backup.stdout.contains("bak_"), "\(backup.stdout)\(backup.stderr)")

        let copy = "alt_cli_copy_\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? psql(server, "DROP DATABASE IF EXISTS \(copy) WITH (FORCE)") }
        let restore = try runCommand("deletiond", ["restore", "--database-url", url, "--db", secretsBeside, "--backup", "latest", "--to", copy])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stdout.hasPrefix("restored bak_") && restore.stdout.contains("/\(copy): 0 subjects erased again"), "\(restore.stdout)")
        #expect(try psql(server, "SELECT count(*) FROM pg_database WHERE datname LIKE '\(copy)%'") == "1", "the copy, and no unfinished database")
        #expect(try psql(url.replacingOccurrences(of: "/\(name)", with: "/\(copy)"), "SELECT count(*) FROM contacts WHERE account_id = 'acc_demo'") == "3")
        let again = try runCommand("deletiond", ["restore", "--database-url", url, "--db", secretsBeside, "--backup", "latest", "--to", copy])
        #expect(again.status == 64 && again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("restores").path).isEmpty, "no scratch file left")
    }

    @Test(
        "deletiond: a bad config is one line naming the file and the key, exit 64, never a silent default (issue 11, defect 6)",
        arguments: [
            (#"{"callers": [], "backups": {"retentionDay": 30}}"#, "backups.retentionDay: unknown key"),
            (#"{"callers": [], "backups": {"retentionDays": "30"}}"#, "backups.retentionDays: expected a whole number"),
            (#"{"callers": [], "meta": {"statusPageBase": 7}}"#, "meta.statusPageBase: expected a string"),
            (#"{"callers": [], "secretFile": "/etc/alt/secrets.json"}"#, "secretFile: unknown key"),
            (#"{"callers": [{"name": "a", "tokenSHA256": "abc", "methods": ["*"]}]}"#, "callers[0].tokenSHA256: must be 64 hex digits"),
            (#"{"callers": [{"name": "a", "methods": ["*"]}]}"#, "callers[0].tokenSHA256: is required"),
            (#"{"callers": [], "backups": "#, "not valid JSON"),
        ]
    )
    func badConfig(text: String, complaint: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("deletiond.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        for command in [["serve", "--port", "0"], ["restore", "--backup", "latest", "--to", folder.path + "/r.sqlite"]] {
            let result = try runCommand("deletiond", command + ["--config", config, "--db", folder.path + "/alt.sqlite"])
            #expect(result.status == 64, "\(command)")
            #expect(result.stderr.hasPrefix("deletiond: config \(config): \(complaint)"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test("deletiond restore: offline, from the newest backup, replaying the ledger; a second run refuses to overwrite")
    func offlineRestore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("alt.sqlite").path
        #expect(try runCommand("deletiond", ["seed", "--db", database]).status == 0)
        let daemon = try DaemonProcess(database: database)
        let created = try cli(daemon, ["call", "backups.create"])
        #expect(created.status == 0 && created.stdout.contains("bak_"))
        // Erase acc_demo's Instagram data after the backup: the restore must not bring it back.
        #expect(try cli(daemon, ["call", "deletion.verifyIdentity", "requestId=req_demo_ig", "code=123456"]).status == 0)
        #expect(try cli(daemon, ["call", "deletion.execute", "requestId=req_demo_ig"]).stdout.contains(#""state":"eras"#))
        // deletion.execute answers once the erasure has started; the caller polls the status.
        let deadline = Date().addingTimeInterval(30)
        while try !cli(daemon, ["call", "deletion.status", "requestId=req_demo_ig"]).stdout.contains(#""state":"erased""#), Date() < deadline {
            usleep(50_000)
        }
        #expect(daemon.stop() == 0)

        let target = folder.appendingPathComponent("restored.sqlite").path
        let restored = try runCommand("deletiond", ["restore", "--db", database, "--backup", "latest", "--to", target])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("1 subjects erased again"))
        let again = try runCommand("deletiond", ["restore", "--db", database, "--backup", "latest", "--to", target])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        let missing = try runCommand("deletiond", ["restore", "--db", database, "--backup", "bak_nope", "--to", target + "2"])
        #expect(missing.status != 0 && missing.stderr.contains("no backup bak_nope"))
    }
}
