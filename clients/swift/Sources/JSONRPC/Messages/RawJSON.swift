/// A JSON value kept as its validated UTF-8 text, to be decoded later by whoever owns its type.
public struct RawJSON: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Wraps bytes already known to be one valid JSON value.
    init(validated bytes: [UInt8]) { self.bytes = bytes }

    /// Validates `bytes` as one JSON value.
    public init(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) {
        let copy = Array(bytes)
        try copy.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer)
            do throws(JSONScanner.Failure) {
                _ = try scanner.skipValue()
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.fail("trailing characters") }
            } catch {
                throw JSONSyntaxError(offset: error.offset, reason: error.reason)
            }
        }
        self.bytes = copy
    }

    public init(_ text: String) throws(JSONSyntaxError) { try self.init(Array(text.utf8)) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }

    /// Whether the value is an object (`{…}`), as opposed to an array or a scalar.
    public var isObject: Bool { firstSignificantByte == UInt8(ascii: "{") }

    private var firstSignificantByte: UInt8? {
        bytes.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }
    }
}

/// Why a text is not JSON, with the byte offset where the scan stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }
}
