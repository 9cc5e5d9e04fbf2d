import ArgumentParser
import Foundation
import JSONRPC
import JSONRPCNIO

/// The server's OpenRPC document, fetched with `rpc.discover`.
struct Document {
    let methods: [JSONValue]
    let root: JSONValue

    static func fetch(_ options: ConnectionOptions) async throws -> Document {
        let response = try await options.withConnection { connection in
            try await connection.call("rpc.discover", timeout: options.timeout?.duration)
        }
        guard let result = response.result else {
            Output.printError(response.error!)
            throw ExitCode(1)
        }
        let root = try JSONValue(parsing: result.bytes)
        return Document(methods: root["methods"]?.arrayValue ?? [], root: root)
    }

    /// The document, or nil when this caller may not read it (the call itself will then say why).
    static func fetchIfAllowed(_ options: ConnectionOptions) async throws -> Document? {
        let response = try await options.withConnection { connection in
            try await connection.call("rpc.discover", timeout: options.timeout?.duration)
        }
        guard let result = response.result else { return nil }
        let root = try JSONValue(parsing: result.bytes)
        return Document(methods: root["methods"]?.arrayValue ?? [], root: root)
    }

    func method(_ name: String) -> JSONValue? { methods.first { $0["name"]?.stringValue == name } }

    /// Follows a local `$ref` (`#/components/...`) one level.
    func resolve(_ value: JSONValue) -> JSONValue {
        guard let reference = value["$ref"]?.stringValue, reference.hasPrefix("#/") else { return value }
        var node: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node ?? value
    }
}

struct Methods: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the server's methods, one line each.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let document = try await Document.fetch(connection)
        let names = document.methods.compactMap { $0["name"]?.stringValue }
        let width = names.map(\.count).max() ?? 0
        for method in document.methods {
            let name = method["name"]?.stringValue ?? "?"
            let summary = method["summary"]?.stringValue ?? ""
            Output.printLine(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + summary)
        }
    }
}

struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a method's params, result, errors and examples.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The method, e.g. deletion.status.")
    var method: String

    func run() async throws {
        let document = try await Document.fetch(connection)
        guard let entry = document.method(method) else {
            Output.fail("no method \(method); see rpc-cli methods")
            throw ExitCode(1)
        }
        var lines = ["\(method) — \(entry["summary"]?.stringValue ?? "")"]
        if let description = entry["description"]?.stringValue { lines += ["", description] }
        if entry["x-idempotent"]?.boolValue == true { lines += ["", "idempotent: safe to retry"] }
        lines += ["", "params (\(entry["paramStructure"]?.stringValue ?? "either")):"]
        let params = entry["params"]?.arrayValue ?? []
        if params.isEmpty { lines.append("  none") }
        for param in params.map(document.resolve) {
            let required = param["required"]?.boolValue == true ? "required" : "optional"
            let schema = param["schema"].map { document.resolve($0).jsonText() } ?? "{}"
            lines.append("  \(param["name"]?.stringValue ?? "?") (\(required)): \(schema)")
            if let description = param["description"]?.stringValue { lines.append("      \(description)") }
        }
        if let result = entry["result"].map(document.resolve) {
            lines += ["", "result \(result["name"]?.stringValue ?? ""): \(result["schema"].map { document.resolve($0).jsonText() } ?? "{}")"]
        }
        lines += ["", "errors:"]
        let errors = (entry["errors"]?.arrayValue ?? []).map(document.resolve)
        if errors.isEmpty { lines.append("  none declared") }
        for error in errors {
            lines.append("  \(error["code"]?.intValue.map(String.init) ?? "?") \(error["message"]?.stringValue ?? "")")
        }
        for example in entry["examples"]?.arrayValue ?? [] {
            let params = (example["params"]?.arrayValue ?? []).map { "\($0["name"]?.stringValue ?? "?"): \($0["value"]?.jsonText() ?? "null")" }
            lines += ["", "example \(example["name"]?.stringValue ?? ""):", "  params: {\(params.joined(separator: ", "))}"]
            if let result = example["result"]?["value"] { lines.append("  result: \(result.jsonText())") }
        }
        lines.forEach(Output.printLine)
    }
}
