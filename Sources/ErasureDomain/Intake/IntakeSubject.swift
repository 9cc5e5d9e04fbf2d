import Foundation

/// The subject line of a deletion email picks the scope (P2). Matched case-insensitively after trimming
/// and removing reply/forward/tag prefixes (`Re:`, `Fwd:`, `FW:`, `AW:`, `[External]`, …), any number of them.
public enum IntakeSubject {
    public static let accepted: [(subject: String, scope: Scope)] = [
        ("Delete my ALT account", .account),
        ("Delete my Instagram data", .instagram),
        ("Delete my Google Calendar data", .calendar),
    ]

    public struct Unrecognised: Error, Sendable, Equatable, CustomStringConvertible {
        public init() {}

        public var description: String {
            "the subject must be one of: " + IntakeSubject.accepted.map { "\"\($0.subject)\"" }.joined(separator: ", ")
        }
    }

    public static func scope(of subject: String) throws(Unrecognised) -> Scope {
        let core = normalised(stripPrefixes(subject))
        guard let match = accepted.first(where: { normalised($0.subject) == core }) else { throw Unrecognised() }
        return match.scope
    }

    /// Whether the subject answers an email (`Re:`, `AW:`, `SV:`, … after any `[tag]`), as a reply to the
    /// code email does; a forward is not a reply.
    public static func isReply(_ subject: String) -> Bool {
        var text = Substring(subject).drop(while: \.isWhitespace)
        while text.first == "[", let close = text.firstIndex(of: "]") { text = text[text.index(after: close)...].drop(while: \.isWhitespace) }
        guard let colon = text.firstIndex(of: ":") else { return false }
        return ["re", "aw", "sv", "vs", "antw"].contains(text[..<colon].lowercased().trimmingCharacters(in: .whitespaces))
    }

    /// Lowercased, with runs of white space folded to one space and trimmed.
    static func normalised(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func stripPrefixes(_ subject: String) -> String {
        var text = Substring(subject)
        let replyPrefixes = ["re", "fwd", "fw", "aw", "wg", "tr", "sv", "vs", "antw"]
        while true {
            text = text.drop(while: \.isWhitespace)
            if text.first == "[", let close = text.firstIndex(of: "]") {
                text = text[text.index(after: close)...]
                continue
            }
            if let colon = text.firstIndex(of: ":") {
                let word = text[..<colon].lowercased().trimmingCharacters(in: .whitespaces)
                if replyPrefixes.contains(word) {
                    text = text[text.index(after: colon)...]
                    continue
                }
            }
            return String(text)
        }
    }
}
