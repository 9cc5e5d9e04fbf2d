import Crypto
import ErasureDomain
import Foundation
import Testing

@Suite("Subject hashes, receipts and the dev clock")
struct ProofTests {
    @Test("identifiers hash the same however they are written, differently per key and per kind")
    func subjectHashes() {
        let key = SymmetricKey(size: .bits256)
        let hasher = SubjectHasher(key: key)
        #expect(hasher.hash(kind: .email, value: " Demo@Example.COM ") == hasher.hash(kind: .email, value: "demo@example.com"))
        #expect(hasher.hash(kind: .phone, value: "+1 (555) 010-2000") == hasher.hash(kind: .phone, value: "15550102000"))
        #expect(hasher.hash(kind: .igUserID, value: "Ig_1") != hasher.hash(kind: .igUserID, value: "ig_1"), "only addresses ignore case")
        #expect(hasher.hash(kind: .email, value: "a@b.c") != hasher.hash(kind: .googleEmail, value: "a@b.c"))
        #expect(hasher.hash(kind: .email, value: "a@b.c") != SubjectHasher(key: SymmetricKey(size: .bits256)).hash(kind: .email, value: "a@b.c"))
        #expect(hasher.hash(kind: .email, value: "a@b.c").count == 64)
    }

    @Test("a receipt's signature checks with the public key and fails for any other text or key")
    func receipts() throws {
        let signer = ReceiptSigner(key: Curve25519.Signing.PrivateKey())
        let payload = Data(#"{"requestId":"req_1","scope":"account"}"#.utf8)
        let signature = try signer.sign(payload)
        #expect(ReceiptSigner.isValid(signature: signature, of: payload, publicKey: signer.publicKey))
        #expect(!ReceiptSigner.isValid(signature: signature, of: Data(#"{"requestId":"req_2","scope":"account"}"#.utf8), publicKey: signer.publicKey))
        let other = ReceiptSigner(key: Curve25519.Signing.PrivateKey())
        #expect(!ReceiptSigner.isValid(signature: signature, of: payload, publicKey: other.publicKey))
        #expect(!ReceiptSigner.isValid(signature: signature, of: payload, publicKey: Data([1, 2, 3])))
        #expect(signer.publicKey.count == 32)
    }

    @Test("the dev clock runs with the wall clock and only moves forward when told")
    func offsetClock() {
        let clock = OffsetClock()
        let before = Date()
        clock.advance(by: 86_400)
        let now = clock.now()
        #expect(now.timeIntervalSince(before) >= 86_400 && now.timeIntervalSince(before) < 86_400 + 5)
    }
}
