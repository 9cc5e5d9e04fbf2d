import ALTErasureClient
import Foundation
import RPCTestSupport
import Testing

/// A PostgreSQL server that goes away while `deletiond` serves (issue 13): calls answer UNAVAILABLE, the
/// process keeps serving, and once the server is back the pool reconnects by itself: no restart.
@Suite("PostgreSQL outage", .serialized)
struct PostgresOutageTests {
    /// `.ci/postgres`: a cluster of the test's own, which it may stop and start.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".ci/postgres").path

    @Test(
        "the server stops mid-serving: UNAVAILABLE (retryable), NOT_SERVING; it comes back: the same process answers and writes again",
        .enabled(if: ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"] != nil || ProcessInfo.processInfo.environment["CI"] != nil)
    )
    func serverGoesAway() async throws {
        let started = try await offPool { try Self.runScript(["start"]) }
        let exports = Dictionary(
            uniqueKeysWithValues: started.split(separator: " ").compactMap { word -> (String, String)? in
                let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            }
        )
        let url = try #require(exports["ALT_TEST_DATABASE_URL"], "\(started)")
        let cluster = try #require(exports["ALT_TEST_POSTGRES_DIR"], "\(started)")
        defer { _ = try? Self.runScript(["stop", cluster]) }  // a sync defer: the test is over by then

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secretsBeside = folder.appendingPathComponent("alt.sqlite").path
        let seeded = try await offPool { try runCommand("deletiond", ["seed", "--profile", "demo", "--database-url", url, "--db", secretsBeside]) }
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let daemon = try DaemonProcess(database: secretsBeside, arguments: ["--database-url", url])
        defer { daemon.stop() }

        try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
            #expect(try await client.deletionStatus(requestId: "req_demo_ig").state == .awaitingVerification)

            _ = try await offPool { try Self.runScript(["halt", cluster]) }
            // The server waits 5 s for a connection before it answers UNAVAILABLE: a deadline well past that,
            // and no retry by the client, so the answer is the server's.
            let patient = CallOptions(timeout: .seconds(30), retries: false)
            let refused = await #expect(throws: ALTErasureError.self) { try await client.deletionStatus(requestId: "req_demo_ig", options: patient) }
            #expect(refused?.rpcError.code == .unavailable && refused?.rpcError.retryable == true, "\(String(describing: refused))")
            let down = try await client.healthCheck()
            #expect(down.status == .notServing, "\(down)")

            _ = try await offPool { try Self.runScript(["resume", cluster]) }
            var answered: Components.Schemas.DeletionStatus?
            for _ in 0..<60 where answered == nil {
                answered = try? await client.deletionStatus(requestId: "req_demo_ig")
                if answered == nil { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(answered?.state == .awaitingVerification, "the pool reconnected by itself")
            let verified = try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456")
            #expect(verified.state == .scheduled, "writes work again")
            // The store probe writes every 2 s: SERVING again once one has committed.
            var health = try await client.healthCheck().status
            for _ in 0..<30 where health != .serving {
                try await Task.sleep(for: .milliseconds(500))
                health = try await client.healthCheck().status
            }
            #expect(health == .serving)
        }
        #expect(daemon.process.isRunning, "the same process served throughout")
    }

    /// Runs `.ci/postgres` with `arguments`; its stdout. Into a file, not a pipe: the server it starts
    /// would hold a pipe open, and reading it to its end would never finish.
    private static func runScript(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("postgres-script-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ScriptFailure(arguments: arguments, status: process.terminationStatus) }
        return try String(contentsOf: output, encoding: .utf8)
    }

    struct ScriptFailure: Error {
        let arguments: [String]
        let status: Int32
    }
}
