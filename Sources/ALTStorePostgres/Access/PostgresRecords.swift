import Foundation
import ISO8601Time

/// The records of `ALTStore` (plain `Codable` structs whose keys are the column names) to and from
/// PostgreSQL rows, through JSON: a row is read as `to_jsonb(t)` and written with
/// `jsonb_populate_record(NULL::table, $1)`, so one mapping serves every table and a column added to a
/// record needs no code here. Times travel as ISO 8601 (to the second), `bytea` as `\x` hex.
enum PostgresRecords {
    /// How a record's coding keys name its columns.
    enum Keys: Sendable {
        /// The record's own coding keys are the column names (`DeletionRequest`, the ALT records).
        case declared
        /// camelCase properties, snake_case columns (`ChallengeRecord`, `OutboxRecord`, `LedgerEntry`).
        case snakeCase
    }

    static func decode<T: Decodable>(_ type: T.Type, keys: Keys, json: String) throws -> T {
        let decoder = JSONDecoder()
        if case .snakeCase = keys { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = ISO8601Time.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a time: \(text)"))
            }
            return date
        }
        decoder.dataDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let data = hexBytes(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not bytea hex"))
            }
            return data
        }
        return try decoder.decode(type, from: Data(json.utf8))
    }

    static func encode<T: Encodable>(_ value: T, keys: Keys) throws -> String {
        let encoder = JSONEncoder()
        if case .snakeCase = keys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Time.format(date))
        }
        encoder.dataEncodingStrategy = .custom { data, encoder in
            var container = encoder.singleValueContainer()
            try container.encode("\\x" + data.map { String(format: "%02x", $0) }.joined())
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `\x0a1b…` (PostgreSQL's `bytea` text form) as bytes.
    static func hexBytes(_ text: String) -> Data? {
        let digits = Array(text.utf8)
        guard digits.count >= 2, digits[0] == UInt8(ascii: "\\"), digits[1] == UInt8(ascii: "x"), digits.count % 2 == 0 else { return nil }
        var bytes = Data(capacity: (digits.count - 2) / 2)
        var index = 2
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
