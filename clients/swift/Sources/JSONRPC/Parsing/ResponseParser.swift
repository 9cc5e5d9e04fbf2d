/// Reads the responses a server sent: one response object or a batch of them.
public enum ResponseParser {
    public static func parse(_ body: [UInt8]) throws(RPCError) -> [Response] {
        try body.withUnsafeBufferPointer { (buffer) throws(RPCError) -> [Response] in
            var scanner = JSONScanner(buffer)
            let top: (kind: JSONScanner.Kind, range: Range<Int>)
            do throws(JSONScanner.Failure) {
                top = try scanner.skipValue()
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.fail("trailing characters") }
            } catch {
                throw .parseError("invalid JSON in response: \(error.reason) at byte \(error.offset)")
            }
            switch top.kind {
            case .object:
                return [try response(top.range, buffer)]
            case .array:
                var elements = ElementScanner(buffer, containerAt: top.range)
                var responses: [Response] = []
                while let element = elements.next() {
                    guard element.kind == .object else { throw .invalidRequest("response is not an object") }
                    responses.append(try response(element.range, buffer))
                }
                return responses
            default:
                throw .invalidRequest("response is not an object or an array")
            }
        }
    }

    private static func response(_ range: Range<Int>, _ buffer: UnsafeBufferPointer<UInt8>) throws(RPCError) -> Response {
        let scanner = JSONScanner(buffer)
        var members = ElementScanner(buffer, containerAt: range)
        var id: RequestID?
        var result: RawJSON?
        var error: RPCError?
        while let (name, value) = members.nextMember() {
            let text = { RawJSON(validated: Array(buffer[value.range])) }
            if scanner.stringEquals(name, "id") {
                switch value.kind {
                case .string: id = .string(scanner.decodeString(value.range))
                case .number: id = .number(text().text)
                case .null: id = .null
                default: throw .invalidRequest("response id is not a string, a number or null")
                }
            } else if scanner.stringEquals(name, "result") {
                result = text()
            } else if scanner.stringEquals(name, "error") {
                guard let object = try? JSONValue(parsing: text().bytes),
                    let code = object["code"]?.intValue, let message = object["message"]?.stringValue
                else { throw .invalidRequest("response error lacks code or message") }
                error = RPCError(code: Int(code), message: message, data: object["data"])
            }
        }
        guard let id else { throw .invalidRequest("response has no id") }
        if let error { return .error(id: id, error) }
        guard let result else { throw .invalidRequest("response has neither result nor error") }
        return .result(id: id, result)
    }
}
