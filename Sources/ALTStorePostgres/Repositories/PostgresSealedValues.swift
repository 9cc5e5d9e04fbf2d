import ALTStore
import Foundation
import PostgresNIO

/// Sealed values on PostgreSQL: a text value names its key before its first `:`; tokens have a key-id
/// column. The same places as on SQLite (`SQLiteSealedValues`).
struct PostgresSealedValues: SealedValuesRepository {
    let access: PostgresAccess

    /// The key id of a row, as SQL, and the condition that the row holds a sealed value.
    private static func keyIDAndPresence(_ column: SealedValue.Column) -> (keyID: String, present: String) {
        column.keyIDAndPresence { "split_part(\($0), ':', 1)" }
    }

    func keyUsage() async throws -> [String: Int] {
        var usage: [String: Int] = [:]
        for column in SealedValue.Column.allCases {
            let (keyID, present) = Self.keyIDAndPresence(column)
            let sql = "SELECT coalesce(\(keyID), ''), count(*)::bigint FROM \(column.place.table) WHERE \(present) GROUP BY 1"
            for row in try await access.rows(PostgresQuery(unsafeSQL: sql)) {
                let (id, count) = try row.decode((String, Int).self)
                usage[id, default: 0] += count
            }
        }
        return usage
    }

    func sealed(notWith keyID: String, limit: Int) async throws -> [SealedValue] {
        var found: [SealedValue] = []
        for column in SealedValue.Column.allCases where found.count < limit {
            let place = column.place
            let (rowKeyID, present) = Self.keyIDAndPresence(column)
            var binds = PostgresBindings()
            try binds.append(keyID)
            if column.isToken {
                let selected = ([place.rowKey] + place.columns.map { "\($0)" } + ["coalesce(token_key_id, '')"]).joined(separator: ", ")
                let sql = "SELECT \(selected) FROM \(place.table) WHERE \(present) AND coalesce(\(rowKeyID), '') <> $1 LIMIT \(limit - found.count)"
                for row in try await access.rows(PostgresQuery(unsafeSQL: sql, binds: binds)) {
                    let cells = Array(row)
                    let id = try cells[0].decode(String.self)
                    let tokens = try place.columns.indices.map { try cells[1 + $0].decode(ByteBuffer?.self).map { Data($0.readableBytesView) } }
                    let tokenKeyID = try cells[place.columns.count + 1].decode(String.self)
                    found.append(SealedValue(column: column, rowID: id, content: .tokens(tokens, keyID: tokenKeyID)))
                }
            } else {
                let sql = "SELECT \(place.rowKey), \(place.columns[0]) FROM \(place.table) WHERE \(present) AND \(rowKeyID) <> $1 LIMIT \(limit - found.count)"
                for row in try await access.rows(PostgresQuery(unsafeSQL: sql, binds: binds)) {
                    let (id, text) = try row.decode((String, String).self)
                    found.append(SealedValue(column: column, rowID: id, content: .text(text)))
                }
            }
        }
        return found
    }

    func replace(_ value: SealedValue, with resealed: SealedValue.Content) async throws -> Bool {
        let place = value.column.place
        var binds = PostgresBindings()
        var assignments: [String] = []
        var conditions: [String] = []
        func bind(_ text: String?) throws -> String {
            try binds.append(text)
            return "$\(binds.count)"
        }
        func bind(_ bytes: Data?) throws -> String {
            try binds.append(bytes.map { ByteBuffer(bytes: $0) })
            return "$\(binds.count)::bytea"
        }
        conditions.append("\(place.rowKey) = \(try bind(value.rowID))")
        switch (value.content, resealed) {
        case (.text(let old), .text(let new)):
            assignments.append("\(place.columns[0]) = \(try bind(new))")
            conditions.append("\(place.columns[0]) = \(try bind(old))")
        case (.tokens(let old, let oldKeyID), .tokens(let new, let newKeyID)) where old.count == place.columns.count && new.count == old.count:
            for (index, name) in place.columns.enumerated() {
                assignments.append("\(name) = \(try bind(new[index]))")
                conditions.append(old[index] == nil ? "\(name) IS NULL" : "\(name) = \(try bind(old[index]))")
            }
            assignments.append("token_key_id = \(try bind(newKeyID))")
            conditions.append("coalesce(token_key_id, '') = \(try bind(oldKeyID))")
        default:
            return false
        }
        let sql = "UPDATE \(place.table) SET \(assignments.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND ")) RETURNING 1"
        return try await access.changes(PostgresQuery(unsafeSQL: sql, binds: binds)) > 0
    }
}
