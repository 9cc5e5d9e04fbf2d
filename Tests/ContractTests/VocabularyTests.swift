import ALTErasureClient
import ErasureDomain
import Foundation
import Testing

/// One definition per domain word (issue 12): the domain declares each word once; the schema's
/// enumerations (generated) spell the same values; no other hand-written source spells a state, an
/// outbox kind or a ledger scope as a string.
@Suite("Vocabulary: one definition per domain word")
struct VocabularyTests {
    /// Domain words and the schema types that carry them on the wire.
    @Test("the schema's enumerations list exactly the domain's words, in the same order")
    func schemaMatchesDomain() {
        func words<Word: RawRepresentable & CaseIterable>(_: Word.Type) -> [String] where Word.RawValue == String {
            Word.allCases.map(\.rawValue)
        }
        #expect(words(Scope.self) == Components.Schemas.DeletionScope.documented.map(\.rawValue))
        #expect(words(RequestState.self) == Components.Schemas.RequestState.documented.map(\.rawValue))
        #expect(words(RequestChannel.self) == Components.Schemas.RequestChannel.documented.map(\.rawValue))
        #expect(words(OutboxKind.self) == Components.Schemas.OutboxKind.documented.map(\.rawValue))
        #expect(words(AckOutcome.self) == Components.Schemas.AckOutcome.documented.map(\.rawValue))
        #expect(words(LinkState.self) == Components.Schemas.LinkState.documented.map(\.rawValue))
        #expect(words(IngestKind.self) == Components.Schemas.IngestKind.documented.map(\.rawValue))
    }

    static let words = [
        "Scope", "RequestState", "RequestEvent", "RequestChannel", "IdentifierKind", "LedgerScope", "OutboxKind", "AckOutcome",
        "LinkState", "IngestKind", "AuditAction", "ErasurePolicy", "ChallengePolicy", "DeletionRequest", "RequestEffect", "ProviderFailure",
    ]

    @Test("each domain word is declared once, in ErasureDomain")
    func declaredOnce() throws {
        let sources = try Self.handWrittenSources()
        for word in Self.words {
            let pattern = try Regex("(enum|struct|class|typealias|protocol) \(word)\\b")
            let declarations = sources.filter { $0.text.contains(pattern) }.map(\.path)
            #expect(declarations.count == 1 && declarations.allSatisfy { $0.hasPrefix("Sources/ErasureDomain/") }, "\(word): \(declarations)")
        }
    }

    @Test("no state, outbox kind, ledger scope or audit action is spelled as a string outside the domain")
    func noRawWords() throws {
        // Words that are only these (not also a column name or an everyday word): a string literal of one
        // outside ErasureDomain is a second definition.
        let distinctive = (RequestState.allCases.map(\.rawValue) + OutboxKind.allCases.map(\.rawValue) + LedgerScope.allCases.map(\.rawValue)
            + AuditAction.allCases.map(\.rawValue) + AckOutcome.allCases.map(\.rawValue))
            .filter { $0.contains("_") }
        let sources = try Self.handWrittenSources().filter { !$0.path.hasPrefix("Sources/ErasureDomain/") }
        var found: [String] = []
        for source in sources {
            for word in Set(distinctive) where source.text.contains("\"\(word)\"") {
                found.append("\(source.path): \"\(word)\"")
            }
        }
        #expect(found.isEmpty, "\(found.sorted())")
    }

    /// Swift files under `Sources/`, less generated code and the generator (which names schema words).
    static func handWrittenSources() throws -> [(path: String, text: String)] {
        let root = packageRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return try files.filter { $0.hasSuffix(".swift") && !$0.contains("/Generated/") && !$0.hasPrefix("RPCCodegen/") && !$0.hasPrefix("rpc-codegen/") }
            .sorted()
            .map { ("Sources/\($0)", try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }
}
