import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSONRPC
import JSONRPCNIO

/// How answers are shown: pretty, coloured JSON on a terminal, compact JSON when piped.
enum Output {
    static let isTerminal = isatty(STDOUT_FILENO) == 1
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    static func printJSON(_ value: JSONValue) {
        let text = isTerminal ? pretty(value, indent: "", colour: true) : value.jsonText()
        write(text + "\n", to: STDOUT_FILENO)
    }

    static func printLine(_ line: String) {
        write(line + "\n", to: STDOUT_FILENO)
    }

    static func fail(_ message: String) {
        write("rpc-cli: \(message)\n", to: STDERR_FILENO)
    }

    /// An RPC error on stderr: status, code, message, and details when there are any.
    static func printError(_ error: RPCError) {
        var text = "error: \(error.code.status) (\(error.code.rawValue)): \(error.message)"
        if let details = error.details { text += "\ndetails: \(details.jsonText())" }
        if stderrIsTerminal { text = "\u{1B}[31m" + text + "\u{1B}[0m" }
        write(text + "\n", to: STDERR_FILENO)
    }

    static func printTrace(_ trace: RPCConnection.Trace) {
        let arrow = trace.direction == .sent ? ">>>" : "<<<"
        var lines = ["\(arrow) Content-Length: \(trace.body.count)"]
        let headers = trace.headers
        if headers.contentEncoding == .deflate { lines.append("\(arrow) Content-Encoding: deflate") }
        if headers.acceptsDeflate { lines.append("\(arrow) Accept-Encoding: deflate") }
        if headers.bearerToken != nil { lines.append("\(arrow) Authorization: Bearer <redacted>") }
        if let timeout = headers.timeout { lines.append("\(arrow) Timeout: \(timeout)") }
        lines.append(arrow)
        lines.append("\(arrow) " + String(decoding: trace.body, as: UTF8.self))
        write(lines.joined(separator: "\n") + "\n", to: STDERR_FILENO)
    }

    /// Writes all of `text`. When the reader has gone (`rpc-cli methods | head -5`, a closed terminal) there
    /// is nobody to tell: the tool exits quietly with status 0, as `head`'s upstream is expected to.
    /// (`FileHandle.write` traps on EPIPE, and SwiftNIO ignores SIGPIPE, so it would be a crash.)
    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                exit(0)
            }
        }
    }

    static func pretty(_ value: JSONValue, indent: String, colour: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let inner = indent + "  "
        switch value {
        case .null: return paint("null", "35")
        case .bool(let flag): return paint(flag ? "true" : "false", "35")
        case .int, .double: return paint(value.jsonText(), "36")
        case .string: return paint(value.jsonText(), "32")
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + pretty($0, indent: inner, colour: colour) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            let lines = members.keys.sorted().map { key in
                inner + paint(JSONValue.string(key).jsonText(), "34") + ": " + pretty(members[key]!, indent: inner, colour: colour)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        }
    }
}
