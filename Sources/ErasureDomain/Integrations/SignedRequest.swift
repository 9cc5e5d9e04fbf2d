import Crypto
public import Foundation

/// Meta's `signed_request` (P7), checked exactly as Meta defines it: `base64url(signature) "."
/// base64url(payload)`, split on the first dot; the signature is HMAC-SHA256 keyed with the app secret
/// over the payload **as it was sent** (still encoded); base64url with or without padding; the payload's
/// `algorithm` must be `HMAC-SHA256`; `issued_at` older than the tolerance is refused. The signature is
/// compared in constant time. Each failure is its own case, so the caller can say exactly what was wrong.
public struct SignedRequest: Sendable, Equatable {
    /// The app-scoped user id.
    public let userID: String
    public let issuedAt: Date

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not `signature.payload`, or an empty part.
        case malformed
        /// A part is not base64url (which part).
        case badEncoding(String)
        /// The payload is not a JSON object.
        case badPayload
        case unsupportedAlgorithm(String)
        case badSignature
        case missingField(String)
        /// `issued_at` is older than the tolerance (or further in the future than it).
        case stale(ageSeconds: Int)

        public var description: String {
            switch self {
            case .malformed: "signedRequest: expected base64url(signature).base64url(payload)"
            case .badEncoding(let part): "signedRequest: the \(part) is not base64url"
            case .badPayload: "signedRequest: the payload is not a JSON object"
            case .unsupportedAlgorithm(let algorithm): "signedRequest: algorithm \(algorithm) is not HMAC-SHA256"
            case .badSignature: "signedRequest: the signature does not match the app secret"
            case .missingField(let field): "signedRequest: the payload has no \(field)"
            case .stale(let age): "signedRequest: issued \(age) s from now, outside the accepted window"
            }
        }

        /// A stable machine-readable name (`details.reason` on the wire).
        public var reason: String {
            switch self {
            case .malformed: "malformed_signed_request"
            case .badEncoding: "bad_base64url"
            case .badPayload: "bad_payload"
            case .unsupportedAlgorithm: "unsupported_algorithm"
            case .badSignature: "bad_signature"
            case .missingField: "missing_field"
            case .stale: "stale_signed_request"
            }
        }
    }

    public static func verify(_ text: String, appSecret: String, now: Date, tolerance: TimeInterval) throws(Failure) -> SignedRequest {
        guard let dot = text.firstIndex(of: ".") else { throw .malformed }
        let encodedSignature = String(text[..<dot])
        let encodedPayload = String(text[text.index(after: dot)...])
        guard !encodedSignature.isEmpty, !encodedPayload.isEmpty else { throw .malformed }
        guard let signature = base64URLDecode(encodedSignature) else { throw .badEncoding("signature") }
        guard let payloadBytes = base64URLDecode(encodedPayload) else { throw .badEncoding("payload") }
        guard let payload = (try? JSONSerialization.jsonObject(with: payloadBytes)) as? [String: Any] else { throw .badPayload }
        guard let algorithm = payload["algorithm"] as? String else { throw .missingField("algorithm") }
        guard algorithm.uppercased() == "HMAC-SHA256" else { throw .unsupportedAlgorithm(algorithm) }
        // Over the payload as sent, still encoded: Meta signs the text, not the JSON it decodes to.
        let expected = HMAC<SHA256>.authenticationCode(for: Data(encodedPayload.utf8), using: SymmetricKey(data: Data(appSecret.utf8)))
        guard signature.count == SHA256.byteCount, constantTimeEqual(Data(expected), signature) else { throw .badSignature }
        guard let userID = (payload["user_id"] as? String) ?? (payload["user_id"] as? NSNumber).map({ "\($0)" }), !userID.isEmpty else {
            throw .missingField("user_id")
        }
        guard let issued = (payload["issued_at"] as? NSNumber)?.doubleValue else { throw .missingField("issued_at") }
        let issuedAt = Date(timeIntervalSince1970: issued)
        let age = now.timeIntervalSince(issuedAt)
        guard abs(age) <= tolerance else { throw .stale(ageSeconds: Int(age)) }
        return SignedRequest(userID: userID, issuedAt: issuedAt)
    }

    /// base64url, padded or not; anything outside its alphabet is refused.
    static func base64URLDecode(_ text: String) -> Data? {
        let trimmed = text.hasSuffix("==") ? String(text.dropLast(2)) : text.hasSuffix("=") ? String(text.dropLast()) : text
        guard trimmed.utf8.allSatisfy({ $0.isBase64URL }), trimmed.count % 4 != 1 else { return nil }
        var base64 = trimmed.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    static func constantTimeEqual(_ left: Data, _ right: Data) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    /// Builds a signed request the way Meta does (tests, and trying the callbacks locally with `--dev`).
    public static func sign(payload: [String: any Sendable], appSecret: String) throws -> String {
        let json = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        let encodedPayload = base64URLEncode(json)
        let signature = HMAC<SHA256>.authenticationCode(for: Data(encodedPayload.utf8), using: SymmetricKey(data: Data(appSecret.utf8)))
        return base64URLEncode(Data(signature)) + "." + encodedPayload
    }

    public static func base64URLEncode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension UInt8 {
    fileprivate var isBase64URL: Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "-") || self == UInt8(ascii: "_")
    }
}
