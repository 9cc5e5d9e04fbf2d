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

    @Option(help: "The client package's Sources folder; generated files go to its \(GeneratedLayout.folders.joined(separator: " and ")).")
    var output = "clients/swift/Sources"

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
        let root = URL(fileURLWithPath: output)
        if check {
            let drift = GeneratedLayout.drift(of: files, under: root)
            guard drift.isEmpty else {
                FileHandle.standardError.write(Data("rpc-codegen: generated code is out of date: \(drift.joined(separator: ", "))\nrun: swift run rpc-codegen\n".utf8))
                throw ExitCode(1)
            }
            print("rpc-codegen: \(files.count) generated files match \(schema)")
            return
        }
        try GeneratedLayout.write(files, under: root)
        print("rpc-codegen: wrote \(files.count) files under \(output)")
    }
}
