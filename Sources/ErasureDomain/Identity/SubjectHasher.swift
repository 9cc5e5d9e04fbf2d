public import Crypto
import Foundation

/// Keyed hashes of a subject's identifiers (email, phone, Instagram user id, …): what the ledger, the
/// audit trail and a forgotten request keep instead of the values (I1, I5). The key is the server's
/// own, so the hashes cannot be reversed by trying common addresses without it.
public struct SubjectHasher: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// Hex of HMAC-SHA256(key, kind ":" normalised value).
    public func hash(kind: IdentifierKind, value: String) -> String {
        let text = "\(kind.rawValue):\(Self.normalised(kind: kind, value))"
        return HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    /// Emails compare without case; phones by their digits; everything else trimmed.
    static func normalised(kind: IdentifierKind, _ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .email, .googleEmail: return trimmed.lowercased()
        case .phone: return trimmed.filter(\.isNumber)
        case .accountID, .name, .igUserID, .messageID, .metaSignedRequest: return trimmed
        }
    }
}
