import Foundation

/// Debian's `chromium`, headless, one process per page: the page's DOM after load (`--dump-dom`), a
/// screenshot at a phone's width (`--screenshot`), and what the page wrote to the console, which
/// `--enable-logging=stderr` prints as `…:CONSOLE:…` lines (script errors, Content-Security-Policy
/// refusals and failed loads among them).
struct HeadlessChromium: Sendable {
    let executable: URL

    /// A phone's viewport, tall enough to show the page's deadlines.
    static let window = (width: 390, height: 1_100)

    /// `ALT_CHROMIUM`, else the first of the usual names on `PATH`; nil when there is none.
    static func find() -> HeadlessChromium? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["ALT_CHROMIUM"] { return HeadlessChromium(executable: URL(fileURLWithPath: path)) }
        let folders = (environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in folders {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return HeadlessChromium(executable: URL(fileURLWithPath: path)) }
            }
        }
        return nil
    }

    struct Load: Sendable {
        let dom: String
        /// The console lines the page produced (a page of ours produces none).
        let console: [String]
    }

    /// Loads `url` and returns its DOM and console lines.
    func load(_ url: String) async throws -> Load {
        let run = try await self.run(["--dump-dom", url])
        return Load(dom: run.stdout, console: Self.consoleLines(run.stderr))
    }

    /// Loads `url` and writes a PNG of the viewport to `file`; returns the console lines.
    func screenshot(_ url: String, to file: URL) async throws -> [String] {
        try? FileManager.default.removeItem(at: file)
        let run = try await self.run(["--screenshot=\(file.path)", "--window-size=\(Self.window.width),\(Self.window.height)", url])
        return Self.consoleLines(run.stderr)
    }

    static func consoleLines(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs Chromium to its end off Swift's cooperative pool (`waitUntilExit` blocks its thread), with a
    /// profile folder of its own and output in files (a full pipe would stall it).
    private func run(_ arguments: [String]) async throws -> (stdout: String, stderr: String) {
        let executable = self.executable
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.runBlocking(executable, arguments) })
            }
        }
    }

    private static func runBlocking(_ executable: URL, _ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--enable-logging=stderr", "--v=0",
            "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
        ] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let stdout = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: err), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "chromium exited with \(process.terminationStatus): \(stderr.suffix(2_000))")
        }
        return (stdout, stderr)
    }
}

/// What a test reads of a PNG without decoding its pixels: the signature and the header's size.
struct PNGHeader {
    let width: Int
    let height: Int

    init?(_ data: Data) {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == Array("IHDR".utf8)[...] else { return nil }
        func big(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        width = big(16)
        height = big(20)
    }
}
