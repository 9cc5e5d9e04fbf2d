public import Foundation

/// Where the generated files live under the client package's `Sources/`, and the two things done with
/// them: write them, or tell how the committed ones differ (the drift check of CI and of the tests).
///
/// The API module (`ALTErasureAPI`: schema types, operation descriptors, errors, the document) needs only
/// `JSONRPC`, so the server imports it without the client runtime; the client module (`ALTErasureClient`)
/// adds one method per operation on top of its NIO runtime.
public enum GeneratedLayout {
    public static let apiFolder = "ALTErasureAPI/Generated"
    public static let clientFolder = "ALTErasureClient/Generated"
    public static let folders = [apiFolder, clientFolder]

    /// The files under `root` that differ from `files`, are missing, or are generated no more
    /// (`… (not generated)`); empty when the committed code is what the document generates.
    public static func drift(of files: [String: String], under root: URL) -> [String] {
        var drift: [String] = []
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let current = FileManager.default.contents(atPath: root.appendingPathComponent(path).path)
            if current.map({ String(decoding: $0, as: UTF8.self) }) != text { drift.append(path) }
        }
        drift += committed(under: root).subtracting(files.keys).sorted().map { "\($0) (not generated)" }
        return drift
    }

    /// Writes `files` under `root` and removes generated files the document no longer produces.
    public static func write(_ files: [String: String], under root: URL) throws {
        for stale in committed(under: root).subtracting(files.keys) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(stale))
        }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        }
    }

    /// The Swift files now in the generated folders, as paths under `root`.
    private static func committed(under root: URL) -> Set<String> {
        Set(
            folders.flatMap { folder in
                // A folder not made yet holds no file.
                let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
                return names.filter { $0.hasSuffix(".swift") }.map { "\(folder)/\($0)" }
            }
        )
    }
}
