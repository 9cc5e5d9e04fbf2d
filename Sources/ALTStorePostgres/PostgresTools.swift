import Foundation

/// PostgreSQL's own programs (`pg_dump`, `pg_restore`), run as child processes.
public enum PostgresTools {
    /// Why a tool failed: its name, exit status and the last line it wrote to stderr (no password: it
    /// travels in the environment).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The folder of the tools: `PG_BINDIR`, else what `pg_config --bindir` says, else nil (the `PATH`).
    static let binFolder: String? = {
        if let folder = ProcessInfo.processInfo.environment["PG_BINDIR"] { return folder }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pg_config", "--bindir"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        // No pg_config on this machine: the tools are looked up on the PATH instead.
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// Runs `tool` with `arguments` and waits for it; throws `Failure` unless it exits 0.
    public static func run(_ tool: String, _ arguments: [String], password: String?) async throws {
        let process = Process()
        if let folder = binFolder, FileManager.default.isExecutableFile(atPath: folder + "/" + tool) {
            process.executableURL = URL(fileURLWithPath: folder + "/" + tool)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [tool] + arguments
        }
        var environment = ProcessInfo.processInfo.environment
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "\(tool) could not start: \(error)"))
            }
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else {
            let last = message.split(separator: "\n").last.map(String.init) ?? ""
            throw Failure(description: "\(tool) exited with status \(status): \(last)")
        }
    }
}
