import Foundation
import GRDB

/// Sealed values on SQLite: a text value names its key before its first `:`; tokens have a key-id column.
struct SQLiteSealedValues: SealedValuesRepository {
    let access: SQLiteAccess

    /// The key id of a row, as SQL, and the condition that the row holds a sealed value.
    private static func keyIDAndPresence(_ column: SealedValue.Column) -> (keyID: String, present: String) {
        column.keyIDAndPresence { "substr(\($0), 1, instr(\($0), ':') - 1)" }
    }

    func keyUsage() async throws -> [String: Int] {
        try await access { db in
            var usage: [String: Int] = [:]
            for column in SealedValue.Column.allCases {
                let (keyID, present) = Self.keyIDAndPresence(column)
                let sql = "SELECT \(keyID), count(*) FROM \(column.place.table) WHERE \(present) GROUP BY 1"
                for row in try Row.fetchAll(db, sql: sql) {
                    usage[row[0] as String? ?? "", default: 0] += row[1] as Int
                }
            }
            return usage
        }
    }

    func sealed(notWith keyID: String, limit: Int) async throws -> [SealedValue] {
        try await access { db in
            var found: [SealedValue] = []
            for column in SealedValue.Column.allCases where found.count < limit {
                let place = column.place
                let (rowKeyID, present) = Self.keyIDAndPresence(column)
                let selected = ([place.rowKey] + place.columns + (column.isToken ? ["token_key_id"] : [])).joined(separator: ", ")
                let sql = "SELECT \(selected) FROM \(place.table) WHERE \(present) AND coalesce(\(rowKeyID), '') != ? LIMIT \(limit - found.count)"
                for row in try Row.fetchAll(db, sql: sql, arguments: [keyID]) {
                    let content: SealedValue.Content =
                        column.isToken
                        ? .tokens(place.columns.indices.map { row[1 + $0] as Data? }, keyID: row[place.columns.count + 1] as String? ?? "")
                        : .text(row[1] as String)
                    found.append(SealedValue(column: column, rowID: row[0], content: content))
                }
            }
            return found
        }
    }

    func replace(_ value: SealedValue, with resealed: SealedValue.Content) async throws -> Bool {
        let place = value.column.place
        var assignments: [String] = []
        var conditions = ["\(place.rowKey) = ?"]
        var setArguments = StatementArguments()
        var whereArguments: StatementArguments = [value.rowID]
        switch (value.content, resealed) {
        case (.text(let old), .text(let new)):
            assignments.append("\(place.columns[0]) = ?")
            setArguments += [new]
            conditions.append("\(place.columns[0]) = ?")
            whereArguments += [old]
        case (.tokens(let old, let oldKeyID), .tokens(let new, let newKeyID)) where old.count == place.columns.count && new.count == old.count:
            for (index, name) in place.columns.enumerated() {
                assignments.append("\(name) = ?")
                setArguments += [new[index]]
                conditions.append(old[index] == nil ? "\(name) IS NULL" : "\(name) = ?")
                if let bytes = old[index] { whereArguments += [bytes] }
            }
            assignments.append("token_key_id = ?")
            setArguments += [newKeyID]
            conditions.append("coalesce(token_key_id, '') = ?")
            whereArguments += [oldKeyID]
        default:
            return false
        }
        let sql = "UPDATE \(place.table) SET \(assignments.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND "))"
        let arguments = setArguments + whereArguments
        return try await access { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
        }
    }
}
