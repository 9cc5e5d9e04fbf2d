public import Crypto
public import Foundation

/// Signs erasure receipts with the server's Ed25519 key; anyone with the public key can check them.
///
/// Keys rotate (`deletiond keys rotate receipt`): the current key signs, and every key that ever signed
/// stays published by id (`publicKeys`, answered by `deletion.receiptKeys`), so a receipt handed out before
/// a rotation still verifies with the key its `keyId` names.
public struct ReceiptSigner: Sendable {
    private let key: Curve25519.Signing.PrivateKey
    /// The id of the signing key, sent with every receipt.
    public let keyID: String
    /// The raw public key of every receipt key, current and retired, by id.
    public let publicKeys: [String: Data]

    public init(key: Curve25519.Signing.PrivateKey, keyID: String = "r1", retiredPublicKeys: [String: Data] = [:]) {
        self.key = key
        self.keyID = keyID
        self.publicKeys = retiredPublicKeys.merging([keyID: key.publicKey.rawRepresentation]) { _, current in current }
    }

    /// The raw 32-byte public key.
    public var publicKey: Data { key.publicKey.rawRepresentation }

    public func sign(_ payload: Data) throws -> Data { try key.signature(for: payload) }

    /// Whether `signature` is `publicKey`'s signature of `payload`.
    public static func isValid(signature: Data, of payload: Data, publicKey: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: payload)
    }
}
