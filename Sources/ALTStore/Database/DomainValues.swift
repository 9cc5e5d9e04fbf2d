public import ErasureDomain
public import GRDB

// The domain's words, stored as their raw values (the domain does not know GRDB; the store teaches GRDB
// the domain). Records hold these types, and queries take them as arguments: no state, scope or kind is
// spelled as a string in the store's SQL.
extension Scope: DatabaseValueConvertible {}
extension RequestState: DatabaseValueConvertible {}
extension RequestChannel: DatabaseValueConvertible {}
extension IdentifierKind: DatabaseValueConvertible {}
extension LedgerScope: DatabaseValueConvertible {}
extension OutboxKind: DatabaseValueConvertible {}
