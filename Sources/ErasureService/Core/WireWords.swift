/// The schema's enumerations (generated, `Components.Schemas.*`) spell the domain's words with the same
/// strings; a contract test holds the two lists equal. Methods convert at their boundary (from the wire
/// here; to the wire with the generated `init(rawValue:)` of the word's `rawValue`), and nowhere else.
enum WireWords {
    /// The domain's word for a value from the wire; one the domain does not know is INVALID_ARGUMENT
    /// naming the param and the words it takes.
    static func domain<Word: RawRepresentable & CaseIterable & Equatable>(
        _ value: some RawRepresentable<String>, param: String, allowed: [Word] = Array(Word.allCases)
    ) throws(DeletionError) -> Word where Word.RawValue == String {
        guard let word = Word(rawValue: value.rawValue), allowed.contains(word) else {
            throw .invalidArgument(param: param, message: "must be \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return word
    }

}
