import ArgumentParser
import Foundation
import RPCCodegen

/// Generates the Swift client library from the OpenRPC document, or checks that the committed
/// files match what the document generates (`--check`, used by CI).
@main
struct RPCCodegenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-codegen",
        abstract: "Generate clients/swift from schemas/alt-erasure.openrpc.json."
    )

    @Option(help: "The OpenRPC document.")
    var schema = "schemas/alt-erasure.openrpc.json"

    @Option(help: "The folder of generated files.")
    var output = "clients/swift/Sources/ALTErasureClient/Generated"

    @Flag(help: "Write nothing; exit 1 if the committed files differ from what the document generates.")
    var check = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: schema) else {
            throw ValidationError("cannot read \(schema)")
        }
        let files: [String: String]
        do {
            files = try Generator(sourceName: schema).generate(documentText: String(decoding: data, as: UTF8.self))
        } catch {
            FileHandle.standardError.write(Data("rpc-codegen: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let existing = Set((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasSuffix(".swift") }
        if check {
            var drift: [String] = []
            for (name, text) in files.sorted(by: { $0.key < $1.key }) {
                let current = FileManager.default.contents(atPath: "\(output)/\(name)").map { String(decoding: $0, as: UTF8.self) }
                if current != text { drift.append(name) }
            }
            drift += existing.subtracting(files.keys).sorted().map { "\($0) (not generated)" }
            guard drift.isEmpty else {
                FileHandle.standardError.write(Data("rpc-codegen: generated code is out of date: \(drift.joined(separator: ", "))\nrun: swift run rpc-codegen\n".utf8))
                throw ExitCode(1)
            }
            print("rpc-codegen: \(files.count) generated files match \(schema)")
            return
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        for stale in existing.subtracting(files.keys) {
            try FileManager.default.removeItem(atPath: "\(output)/\(stale)")
        }
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(output)/\(name)"), options: .atomic)
        }
        print("rpc-codegen: wrote \(files.count) files to \(output)")
    }
}
