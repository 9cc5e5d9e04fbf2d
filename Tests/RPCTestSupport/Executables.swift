public import Foundation

/// The package's built executables (`deletiond`, `rpc-cli`), found beside the test binary.
public enum Executables {
    public static let folder: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On Linux the test binary is `<package>PackageTests.xctest` in the build folder itself.
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent("deletiond").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    public static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Reads `deletiond`'s first line, "deletiond listening on HOST:PORT", and returns the port; nil
    /// when the process ended or printed something else (the text read is returned for the message).
    public static func listeningPort(from stdout: Pipe) -> (port: Int?, text: String) {
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        let port = text.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (port, text)
    }
}
