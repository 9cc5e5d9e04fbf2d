public import Foundation
import ISO8601Time

/// The one JSON configuration for params and results on both ends of the wire: RFC 3339 UTC
/// timestamps, no escaped slashes, sorted keys (deterministic output).
public enum JSONRPCCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Time.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Time.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time: \(text)")
            }
            return date
        }
        return decoder
    }

    // Encoders and decoders are safe to share once configured; making one per call is measurable.
    private static let sharedEncoder = encoder()
    private static let sharedDecoder = decoder()

    /// Encodes a value as JSON text.
    public static func encode(_ value: some Encodable) throws -> RawJSON {
        RawJSON(validated: Array(try sharedEncoder.encode(value)))
    }

    /// Decodes `params` into `P`; by-position params are matched to `names` in order. Every failure is an
    /// INVALID_ARGUMENT error that names the offending param.
    public static func decodeParams<P: Decodable>(
        _ type: P.Type,
        from params: RawJSON?,
        names: [String]
    ) throws(RPCError) -> P {
        if params == nil, let none = NoParams() as? P { return none }
        let object = try namedParams(params, names: names)
        do {
            return try sharedDecoder.decode(P.self, from: Data(object))
        } catch let error as RPCError {
            throw error
        } catch let error as DecodingError {
            throw .invalidParams(describe(error))
        } catch {
            throw .invalidParams("invalid params")
        }
    }

    /// The params as a JSON object, checking names and arity.
    private static func namedParams(_ params: RawJSON?, names: [String]) throws(RPCError) -> [UInt8] {
        guard let params else { return Array("{}".utf8) }
        return try params.bytes.withUnsafeBufferPointer { (buffer) -> Result<[UInt8], RPCError> in
            let whole = 0..<buffer.count
            let scanner = JSONScanner(buffer)
            var elements = ElementScanner(buffer, containerAt: trimmed(buffer, whole))
            if params.isObject {
                while let (name, _) = elements.nextMember() {
                    let key = scanner.decodeString(name)
                    if !names.contains(key) {
                        let known = names.isEmpty ? "none" : names.joined(separator: ", ")
                        return .failure(.invalidParams("unknown param '\(key)' (accepted: \(known))"))
                    }
                }
                return .success(params.bytes)
            }
            var object: [UInt8] = [UInt8(ascii: "{")]
            var position = 0
            while let element = elements.next() {
                guard position < names.count else {
                    return .failure(.invalidParams("takes at most \(names.count) params by position"))
                }
                if position > 0 { object.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(names[position], to: &object)
                object.append(UInt8(ascii: ":"))
                object.append(contentsOf: buffer[element.range])
                position += 1
            }
            object.append(UInt8(ascii: "}"))
            return .success(object)
        }.get()
    }

    private static func trimmed(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, buffer[lower] <= 0x20 { lower += 1 }
        while upper > lower, buffer[upper - 1] <= 0x20 { upper -= 1 }
        return lower..<upper
    }

    /// A message naming the param a decoding error is about, never echoing its value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing param '\(path(context.codingPath, key))'"
        case .typeMismatch(let type, let context):
            return "param '\(path(context.codingPath))' must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "param '\(path(context.codingPath))' must be \(typeName(type)), not null"
        case .dataCorrupted(let context):
            return "param '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "invalid params"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "of type \(type)"
        }
    }
}
