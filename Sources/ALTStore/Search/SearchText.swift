import Foundation

/// Words and phrase matching for the search entries, with the rules of FTS5's default `unicode61`
/// tokenizer, which the index used before (so search answers the same): a word is a run of Unicode
/// letters, digits and private-use characters; anything else separates words; words compare
/// case-folded and, for Latin script, without diacritics (`José` finds `jose`).
///
/// Most text is ASCII, and is matched on its bytes in one pass without building a word list; other
/// text goes through the Unicode path.
public struct SearchPhrase: Sendable, Equatable {
    /// The phrase's words, folded; empty when the query holds no word (it then matches nothing).
    public let words: [String]
    private let asciiWords: [[UInt8]]?

    public init(_ query: String) {
        words = SearchText.words(query)
        asciiWords = words.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } } ? words.map { Array($0.utf8) } : nil
    }

    /// Whether `text` holds the phrase's words one after the other.
    public func isFound(in text: String) -> Bool {
        var text = text
        return text.withUTF8 { isFound(inUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// `isFound(in:)` on UTF-8 bytes, as a row of the store hands them over (no copy).
    public func isFound(inUTF8 bytes: UnsafeRawBufferPointer) -> Bool {
        guard !words.isEmpty else { return false }
        if let asciiWords {
            if let found = SearchText.asciiContains(bytes, asciiWords) { return found }
        } else if bytes.allSatisfy({ $0 < 0x80 }) {
            return false  // ASCII text has ASCII words only: a phrase with another word cannot be in it.
        }
        return SearchText.contains(SearchText.words(String(decoding: bytes, as: UTF8.self)), words)
    }
}

enum SearchText {
    /// The words of `text`, folded as `unicode61` folds them.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        func flush() {
            guard !word.isEmpty else { return }
            let folded = String(word).lowercased().folding(options: .diacriticInsensitive, locale: nil)
            // A word of diacritics alone folds to nothing, as in `unicode61`.
            if !folded.isEmpty { words.append(folded) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            if isWordScalar(scalar) { word.append(scalar) } else { flush() }
        }
        flush()
        return words
    }

    /// Letters, digits, private use, and the combining marks that fold away with the diacritics.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .privateUse, .nonspacingMark:
            true
        default:
            false
        }
    }

    /// Whether `phrase` occurs as consecutive elements of `words`.
    static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard phrase.count <= words.count else { return false }
        return (0...(words.count - phrase.count)).contains { start in
            phrase.indices.allSatisfy { words[start + $0] == phrase[$0] }
        }
    }

    /// `contains` on ASCII bytes, in one pass that keeps where the last words start and end (no
    /// allocation), lower-casing as it compares; nil as soon as a byte is not ASCII.
    static func asciiContains(_ text: UnsafeRawBufferPointer, _ phrase: [[UInt8]]) -> Bool? {
        let count = phrase.count
        return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: count) { last -> Bool? in
            func word(_ range: Range<Int>, equals expected: [UInt8]) -> Bool {
                guard range.count == expected.count else { return false }
                for offset in expected.indices where lowercased(text[range.lowerBound + offset]) != expected[offset] { return false }
                return true
            }
            var seen = 0
            var index = 0
            while index < text.count {
                let byte = text[index]
                guard byte < 0x80 else { return nil }
                guard isASCIIWordByte(byte) else {
                    index += 1
                    continue
                }
                let start = index
                while index < text.count, isASCIIWordByte(text[index]) { index += 1 }
                // A word that runs into a non-ASCII letter is longer than these bytes: not decidable here.
                if index < text.count, text[index] >= 0x80 { return nil }
                last[seen % count] = start..<index
                seen += 1
                if seen >= count, (0..<count).allSatisfy({ word(last[(seen - count + $0) % count], equals: phrase[$0]) }) {
                    return true
                }
            }
            return false
        }
    }

    static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
}
