import Foundation
import RPCTestSupport
import Testing

/// The result of running a command to its end.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs an executable to its end: one of the package's by name, or any by absolute path.
func runCommand(_ name: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = name.hasPrefix("/") ? URL(fileURLWithPath: name) : Executables.url(name)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    process.environment = env
    // Output goes to files, not pipes: a command that fills one pipe while we drain the other would
    // never finish (rpc-cli --raw writes whole frames, rpc.discover's included, to stderr).
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outURL = folder.appendingPathComponent("stdout")
    let errURL = folder.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    let stdoutData = try Data(contentsOf: outURL)
    let stderrData = try Data(contentsOf: errURL)
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: stdoutData, as: UTF8.self),
        stderr: String(decoding: stderrData, as: UTF8.self)
    )
}

/// Runs an executable whose stdout is a pipe nobody reads any more (`rpc-cli methods | head -1` after
/// `head` has gone); returns its exit status and what it wrote to stderr.
func runIntoClosedPipe(_ name: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = Executables.url(name)
    process.arguments = arguments
    let output = Pipe()
    try output.fileHandleForReading.close()
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errors) }
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: errors)
    try process.run()
    try output.fileHandleForWriting.close()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: try Data(contentsOf: errors), as: UTF8.self))
}

/// A `deletiond serve --dev` process on a free port, stopped with SIGTERM afterwards.
final class DaemonProcess {
    let process = Process()
    let port: Int
    private let stdout = Pipe()
    private let stderr = Pipe()

    init(database: String = NSTemporaryDirectory() + "/cli-\(UUID().uuidString).sqlite", arguments: [String] = []) throws {
        process.executableURL = Executables.url("deletiond")
        process.arguments = ["serve", "--dev", "--port", "0", "--db", database] + arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let (port, text) = Executables.listeningPort(from: stdout)
        guard let port else {
            process.terminate()
            throw DaemonError(output: text + String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self))
        }
        self.port = port
    }

    /// Sends SIGTERM and waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }

    struct DaemonError: Error, CustomStringConvertible {
        let output: String
        var description: String { "deletiond did not start: \(output)" }
    }
}

/// The first line `psql` prints for `sql` on `url` (unaligned, tuples only), or nil when psql fails.
func psql(_ url: String, _ sql: String) throws -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", url, "-Atqc", sql]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    let text = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
    return text ?? ""
}

/// Runs blocking work (a child process waited for) on a thread of its own, not on one of the few threads
/// of Swift's cooperative pool, whose other tasks (deadlines among them) would wait meanwhile.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
