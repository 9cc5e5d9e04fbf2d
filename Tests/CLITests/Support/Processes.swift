import Foundation
import RPCTestSupport
import Testing

/// The result of running a command to its end.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs an executable to its end with a time limit.
func runCommand(_ name: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = Executables.url(name)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    let stderrData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: stdoutData, as: UTF8.self),
        stderr: String(decoding: stderrData, as: UTF8.self)
    )
}

/// A `deletiond serve --dev` process on a free port, stopped with SIGTERM afterwards.
final class DaemonProcess {
    let process = Process()
    let port: Int
    private let stdout = Pipe()
    private let stderr = Pipe()

    init(arguments: [String] = []) throws {
        process.executableURL = Executables.url("deletiond")
        process.arguments = ["serve", "--dev", "--port", "0", "--db", NSTemporaryDirectory() + "/cli-\(UUID().uuidString).sqlite"] + arguments
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
