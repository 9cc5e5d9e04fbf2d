/// Reads a JSON-RPC 2.0 message body: validates the whole text, then reads each envelope
/// (`jsonrpc`, `id`, `method`) from the bytes and keeps `params` undecoded.
public enum MessageParser {
    /// The default cap on the number of calls in one batch.
    public static let defaultMaximumBatchSize = 1_000

    /// Parses `body`. A failure is the one error that answers the whole message (`id: null`):
    /// Parse error, an empty batch, or a batch over `maximumBatchSize`.
    public static func parse(
        _ body: [UInt8],
        maximumBatchSize: Int = defaultMaximumBatchSize
    ) -> Result<IncomingMessage, RPCError> {
        body.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            let top: (kind: JSONScanner.Kind, range: Range<Int>)
            do throws(JSONScanner.Failure) {
                top = try scanner.skipValue()
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.fail("trailing characters after the message") }
            } catch {
                return .failure(.parseError("invalid JSON: \(error.reason) at byte \(error.offset)"))
            }
            guard top.kind == .array else {
                return .success(.single(item(top, in: buffer)))
            }
            var elements = ElementScanner(buffer, containerAt: top.range)
            var items: [RequestItem] = []
            while let element = elements.next() {
                guard items.count < maximumBatchSize else {
                    return .failure(
                        RPCError(.resourceExhausted, "batch holds more than \(maximumBatchSize) calls")
                    )
                }
                items.append(item(element, in: buffer))
            }
            guard !items.isEmpty else { return .failure(.invalidRequest("empty batch")) }
            return .success(.batch(items))
        }
    }

    private static func item(
        _ value: (kind: JSONScanner.Kind, range: Range<Int>),
        in buffer: UnsafeBufferPointer<UInt8>
    ) -> RequestItem {
        guard value.kind == .object else {
            return .invalid(id: .null, error: .invalidRequest("a request must be a JSON object"))
        }
        var version: Range<Int>?
        var method: (kind: JSONScanner.Kind, range: Range<Int>)?
        var params: (kind: JSONScanner.Kind, range: Range<Int>)?
        var id: (kind: JSONScanner.Kind, range: Range<Int>)?
        var members = ElementScanner(buffer, containerAt: value.range)
        let scanner = JSONScanner(buffer)
        while let (name, member) = members.nextMember() {
            switch memberName(name, scanner) {
            case "jsonrpc": version = member.kind == .string ? member.range : 0..<0
            case "method": method = member
            case "params": params = member
            case "id": id = member
            default: continue
            }
        }

        let requestID: RequestID?
        switch id?.kind {
        case nil: requestID = nil
        case .string: requestID = .string(scanner.decodeString(id!.range))
        case .number: requestID = .number(String(decoding: UnsafeBufferPointer(rebasing: buffer[id!.range]), as: UTF8.self))
        case .null: requestID = .null
        default:
            return .invalid(id: .null, error: .invalidRequest("id must be a string, a number or null"))
        }
        guard let version, !version.isEmpty, scanner.stringEquals(version, "2.0") else {
            return .invalid(id: requestID ?? .null, error: .invalidRequest(#"jsonrpc must be "2.0""#))
        }
        guard let method, method.kind == .string else {
            return .invalid(id: requestID ?? .null, error: .invalidRequest("method must be a string"))
        }
        var rawParams: RawJSON?
        if let params {
            guard params.kind == .object || params.kind == .array else {
                return .invalid(
                    id: requestID ?? .null,
                    error: .invalidRequest("params must be an object or an array")
                )
            }
            rawParams = RawJSON(validated: Array(buffer[params.range]))
        }
        return .request(Request(id: requestID, method: scanner.decodeString(method.range), params: rawParams))
    }

    /// The few member names the envelope cares about, compared as bytes; anything else is `nil`.
    private static func memberName(_ range: Range<Int>, _ scanner: borrowing JSONScanner) -> String? {
        if scanner.stringEquals(range, "method") { return "method" }
        if scanner.stringEquals(range, "params") { return "params" }
        if scanner.stringEquals(range, "id") { return "id" }
        if scanner.stringEquals(range, "jsonrpc") { return "jsonrpc" }
        // A name written with escapes (`"meth\u006fd"`) is still that name.
        guard scanner.bytes[range].contains(UInt8(ascii: "\\")) else { return nil }
        return scanner.decodeString(range)
    }
}

/// Walks the elements (or members) of a container that a scan has already validated.
struct ElementScanner: ~Copyable {
    private var scanner: JSONScanner
    private let end: Int
    private var first = true

    init(_ buffer: UnsafeBufferPointer<UInt8>, containerAt range: Range<Int>) {
        // Scan only the container's bytes, starting after its opening bracket.
        self.scanner = JSONScanner(UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]))
        self.end = range.upperBound - 1
        self.scanner.advance(to: range.lowerBound + 1)
    }

    /// The next array element; nil after the last one.
    mutating func next() -> (kind: JSONScanner.Kind, range: Range<Int>)? {
        guard moveToNext() else { return nil }
        // The text was validated as a whole, so scanning an element again cannot fail.
        return try? scanner.skipValue()
    }

    /// The next object member as (name range, value); nil after the last one.
    mutating func nextMember() -> (Range<Int>, (kind: JSONScanner.Kind, range: Range<Int>))? {
        guard moveToNext() else { return nil }
        guard let name = try? scanner.skipValue(), (try? scanner.expect(UInt8(ascii: ":"))) != nil,
            let value = try? scanner.skipValue()
        else { return nil }
        return (name.range, value)
    }

    private mutating func moveToNext() -> Bool {
        scanner.skipWhitespace()
        if !first, scanner.peek() == UInt8(ascii: ",") {
            scanner.advance(to: scanner.index + 1)
            scanner.skipWhitespace()
        }
        first = false
        return scanner.index < end
    }
}
