/// A JSON-RPC request id: a string, a number, or `null`.
///
/// A number keeps its literal text, so it is echoed back byte for byte (`1`, `1.5`, `1e3`) without
/// passing through a floating-point value. A request without an id is a notification and has no
/// `RequestID` at all; `"id": null` is a request, answered with `"id": null`.
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(String)
    case null

    public init(_ value: Int) { self = .number(String(value)) }

    /// The id as JSON text, ready to be written into a response.
    public var json: String {
        switch self {
        case .string(let value): JSONText.quoted(value)
        case .number(let literal): literal
        case .null: "null"
        }
    }

    public var description: String { json }
}

extension RequestID: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

extension RequestID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(String(integer))
        } else {
            self = .number(String(try container.decode(Double.self)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let literal):
            if let integer = Int64(literal) {
                try container.encode(integer)
            } else {
                try container.encode(Double(literal) ?? 0)
            }
        case .null: try container.encodeNil()
        }
    }
}
