import ALTErasureClient
import ALTStore
import Crypto
import ErasureService
import Foundation
import Logging
import NIOCore
import RPCServer
import RPCServerNIO
import RPCTestSupport
import ServiceTestSupport

/// Where the contract runs: a server built in-process on an ephemeral port, or the built `deletiond`
/// executable as a separate process. Both use the dev caller (`dev`, every method) and a caller with
/// no grants (`nobody`), from a callers file for the process.
enum ContractTarget: String, CaseIterable, CustomStringConvertible, Sendable {
    case inProcess
    case inProcessPostgres
    case executable

    /// Every target; the PostgreSQL one only where a test server is configured (or in CI).
    static var all: [ContractTarget] { TestStore.all.contains(.postgres) ? allCases : [.inProcess, .executable] }

    var description: String { rawValue }

    static let devToken = DemoServer.devToken
    static let nobodyToken = DemoServer.nobodyToken
    static var callers: CallerDirectory { DemoServer.callers }

    /// Runs `body` with the port of a live server of this kind.
    func run(_ body: @Sendable (Int) async throws -> Void) async throws {
        switch self {
        case .inProcess: try await DemoServer.run { port, _ in try await body(port) }
        case .inProcessPostgres: try await DemoServer.run(on: .postgres) { port, _ in try await body(port) }
        case .executable: try await Self.runExecutable(body)
        }
    }

    private static func runExecutable(_ body: @Sendable (Int) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func digest(_ token: String) -> String {
            CallerDirectory.digest(token).map { String(format: "%02x", $0) }.joined()
        }
        let config = folder.appendingPathComponent("callers.json")
        try Data(
            """
            {"secretsFile": "\(folder.path)/alt.sqlite.secrets.json", "callers": [
              {"name": "dev", "tokenSHA256": "\(digest(devToken))", "methods": ["*"]},
              {"name": "nobody", "tokenSHA256": "\(digest(nobodyToken))", "methods": ["none.of.them"]}
            ]}
            """.utf8
        ).write(to: config)
        let database = folder.appendingPathComponent("alt.sqlite").path
        let seed = Process()
        seed.executableURL = Executables.url("deletiond")
        seed.arguments = ["seed", "--db", database, "--profile", "demo"]
        seed.standardOutput = FileHandle.nullDevice
        try seed.run()
        seed.waitUntilExit()
        guard seed.terminationStatus == 0 else { throw ContractFailure(message: "deletiond seed failed") }
        let process = Process()
        process.executableURL = Executables.url("deletiond")
        process.arguments = [
            "serve", "--port", "0", "--config", config.path, "--db", database, "--dev", "--worker-interval", "1",
            "--signed-request-tolerance", "1000000000",
            "--log-level", "warning",
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let (started, text) = Executables.listeningPort(from: stdout)
        guard let port = started else { throw ContractFailure(message: "deletiond did not start: \(text)") }
        try await body(port)
    }
}

struct ContractFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The package's root folder (for `schemas/` and the generated sources), found from this file.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
