/// A validating scan of a JSON text (RFC 8259) that finds values without building them.
///
/// The envelope of a JSON-RPC message (`jsonrpc`, `id`, `method`) is read straight from the bytes;
/// `params` is only validated and kept as a byte range, to be decoded by the method that owns it.
/// Every byte is checked: grammar, string escapes, UTF-8 (overlong forms, surrogates, range), and nesting
/// depth, so a body the scanner accepts is a valid JSON text.
struct JSONScanner: ~Copyable {
    enum Kind: Equatable {
        case object, array, string, number, bool, null
    }

    struct Failure: Error, Equatable {
        let offset: Int
        let reason: String
    }

    static let maximumDepth = 128

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index: Int = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func advance(to offset: Int) { index = offset }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    /// Expects `byte` (after whitespace) and consumes it.
    mutating func expect(_ byte: UInt8) throws(Failure) {
        skipWhitespace()
        guard peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Validates one value and moves past it; returns its kind and byte range.
    mutating func skipValue(depth: Int = 0) throws(Failure) -> (kind: Kind, range: Range<Int>) {
        skipWhitespace()
        let start = index
        guard let first = peek() else { throw fail("unexpected end of input") }
        let kind: Kind
        switch first {
        case UInt8(ascii: "{"):
            try skipContainer(close: UInt8(ascii: "}"), depth: depth, isObject: true)
            kind = .object
        case UInt8(ascii: "["):
            try skipContainer(close: UInt8(ascii: "]"), depth: depth, isObject: false)
            kind = .array
        case UInt8(ascii: "\""):
            try skipString()
            kind = .string
        case UInt8(ascii: "t"):
            try skipLiteral("true")
            kind = .bool
        case UInt8(ascii: "f"):
            try skipLiteral("false")
            kind = .bool
        case UInt8(ascii: "n"):
            try skipLiteral("null")
            kind = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
            kind = .number
        default:
            throw fail("unexpected character")
        }
        return (kind, start..<index)
    }

    private mutating func skipContainer(close: UInt8, depth: Int, isObject: Bool) throws(Failure) {
        guard depth < Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        skipWhitespace()
        if peek() == close {
            index += 1
            return
        }
        while true {
            if isObject {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                try skipString()
                try expect(UInt8(ascii: ":"))
            }
            _ = try skipValue(depth: depth + 1)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case close:
                index += 1
                return
            default: throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("invalid literal") }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw fail("invalid literal")
        }
        index += count
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index - start
    }

    private mutating func skipNumber() throws(Failure) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else if skipDigits() == 0 {
            throw fail("invalid number")
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw fail("invalid number") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw fail("invalid number") }
        }
    }

    /// Validates a string starting at the opening quote; returns whether it holds escapes.
    @discardableResult
    mutating func skipString() throws(Failure) -> Bool {
        index += 1
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard let next = peek() else { throw fail("unterminated string") }
                switch next {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    _ = try readHex4()
                default:
                    throw fail("invalid escape")
                }
            case 0..<0x20:
                throw fail("control character in string")
            case 0x80...:
                try skipUTF8Sequence()
            default:
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    mutating func readHex4() throws(Failure) -> UInt16 {
        guard index + 4 <= bytes.count else { throw fail("invalid \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// Checks one multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
    private mutating func skipUTF8Sequence() throws(Failure) {
        let lead = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw fail("invalid UTF-8")
        }
        guard index + length <= bytes.count else { throw fail("invalid UTF-8") }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { throw fail("invalid UTF-8") }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8")
        }
        index += length
    }
}
