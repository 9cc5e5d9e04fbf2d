public import Crypto
public import Foundation

/// Signs erasure receipts with the server's Ed25519 key; anyone with the public key can check them.
public struct ReceiptSigner: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    public init(key: Curve25519.Signing.PrivateKey) { self.key = key }

    /// The raw 32-byte public key.
    public var publicKey: Data { key.publicKey.rawRepresentation }

    public func sign(_ payload: Data) throws -> Data { try key.signature(for: payload) }

    /// Whether `signature` is `publicKey`'s signature of `payload`.
    public static func isValid(signature: Data, of payload: Data, publicKey: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: payload)
    }
}
