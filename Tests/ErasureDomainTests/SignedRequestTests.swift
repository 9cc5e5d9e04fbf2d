import Crypto
import ErasureDomain
import Foundation
import Testing

/// Meta's signed_request, with vectors built here from a known secret.
@Suite("Meta signed_request (P7)")
struct SignedRequestTests {
    let secret = "test-app-secret"
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let tolerance: TimeInterval = 600

    var payload: [String: any Sendable] { ["algorithm": "HMAC-SHA256", "issued_at": 1_800_000_000 - 30, "user_id": "1784321"] }

    func verify(_ text: String) throws(SignedRequest.Failure) -> SignedRequest {
        try SignedRequest.verify(text, appSecret: secret, now: now, tolerance: tolerance)
    }

    func encode(_ object: [String: any Sendable]) throws -> String {
        SignedRequest.base64URLEncode(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    func signature(over text: String, secret: String? = nil) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data((secret ?? self.secret).utf8)))
        return SignedRequest.base64URLEncode(Data(mac))
    }

    @Test("a valid request gives the user id and the time it was issued")
    func valid() throws {
        let request = try verify(try SignedRequest.sign(payload: payload, appSecret: secret))
        #expect(request.userID == "1784321")
        #expect(request.issuedAt == now - 30)
    }

    @Test("padded and unpadded base64url both work; standard base64 characters do not")
    func padding() throws {
        // A payload whose encoding needs padding.
        let body = try encode(["algorithm": "HMAC-SHA256", "issued_at": 1_800_000_000, "user_id": "12"])
        #expect(body.count % 4 != 0)
        let padded = body + String(repeating: "=", count: (4 - body.count % 4) % 4)
        #expect(try verify(signature(over: body) + "." + body).userID == "12")
        #expect(try verify(signature(over: padded) + "=." + padded).userID == "12", "padding on both parts, signed as sent")
        let standard = signature(over: body).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if standard != signature(over: body) {
            #expect(throws: SignedRequest.Failure.badEncoding("signature")) { try verify(standard + "." + body) }
        }
    }

    @Test("each failure is its own error")
    func failures() throws {
        let body = try encode(payload)
        let good = signature(over: body)
        #expect(throws: SignedRequest.Failure.badSignature) { try verify(signature(over: body, secret: "another") + "." + body) }
        // Signed over the decoded JSON instead of the encoded text: refused.
        let json = String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self)
        #expect(throws: SignedRequest.Failure.badSignature) { try verify(signature(over: json) + "." + body) }
        let sha1 = try encode(["algorithm": "HMAC-SHA1", "issued_at": 1_800_000_000, "user_id": "1"])
        #expect(throws: SignedRequest.Failure.unsupportedAlgorithm("HMAC-SHA1")) { try verify(signature(over: sha1) + "." + sha1) }
        #expect(throws: SignedRequest.Failure.malformed) { try verify("no-dot-at-all") }
        #expect(throws: SignedRequest.Failure.malformed) { try verify("." + body) }
        #expect(throws: SignedRequest.Failure.badEncoding("signature")) { try verify("***." + body) }
        #expect(throws: SignedRequest.Failure.badEncoding("payload")) { try verify(good + ".%%%") }
        let notJSON = SignedRequest.base64URLEncode(Data("not json".utf8))
        #expect(throws: SignedRequest.Failure.badPayload) { try verify(signature(over: notJSON) + "." + notJSON) }
        let noUser = try encode(["algorithm": "HMAC-SHA256", "issued_at": 1_800_000_000])
        #expect(throws: SignedRequest.Failure.missingField("user_id")) { try verify(signature(over: noUser) + "." + noUser) }
        let noTime = try encode(["algorithm": "HMAC-SHA256", "user_id": "1"])
        #expect(throws: SignedRequest.Failure.missingField("issued_at")) { try verify(signature(over: noTime) + "." + noTime) }
        let noAlgorithm = try encode(["issued_at": 1_800_000_000, "user_id": "1"])
        #expect(throws: SignedRequest.Failure.missingField("algorithm")) { try verify(signature(over: noAlgorithm) + "." + noAlgorithm) }
        let old = try encode(["algorithm": "HMAC-SHA256", "issued_at": 1_800_000_000 - 3_600, "user_id": "1"])
        #expect(throws: SignedRequest.Failure.stale(ageSeconds: 3_600)) { try verify(signature(over: old) + "." + old) }
    }

    @Test("the split is on the first dot: a dot later in the text belongs to the payload and breaks it")
    func firstDot() throws {
        let body = try encode(payload)
        #expect(throws: SignedRequest.Failure.badEncoding("payload")) { try verify(signature(over: body) + "." + body + ".extra") }
    }
}
