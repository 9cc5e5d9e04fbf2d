public import Crypto
public import Foundation

/// Encrypts integration tokens at rest with AES-GCM. Each ciphertext is stored beside the id of the
/// key that sealed it, so keys can rotate: new tokens use the current key, old ones stay readable.
public struct TokenCipher: Sendable {
    public struct Sealed: Sendable, Equatable {
        /// nonce ‖ ciphertext ‖ tag (AES-GCM's combined form).
        public let ciphertext: Data
        public let keyID: String

        public init(ciphertext: Data, keyID: String) {
            self.ciphertext = ciphertext
            self.keyID = keyID
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case unknownKey(String)
        case tampered

        public var description: String {
            switch self {
            case .unknownKey(let id): "no token key with id \(id)"
            case .tampered: "a token ciphertext failed authentication"
            }
        }
    }

    private let keys: [String: SymmetricKey]
    public let currentKeyID: String
    /// Every key id this cipher can open.
    public var keyIDs: [String] { keys.keys.sorted() }

    public init(keys: [String: SymmetricKey], currentKeyID: String) throws(Failure) {
        guard keys[currentKeyID] != nil else { throw .unknownKey(currentKeyID) }
        self.keys = keys
        self.currentKeyID = currentKeyID
    }

    /// A cipher with one key.
    public init(key: SymmetricKey, keyID: String) {
        self.keys = [keyID: key]
        self.currentKeyID = keyID
    }

    /// This cipher with `key` added as current: older keys still open what they sealed.
    public func rotated(to key: SymmetricKey, keyID: String) -> TokenCipher {
        var keys = self.keys
        keys[keyID] = key
        return try! TokenCipher(keys: keys, currentKeyID: keyID)  // the current key is in `keys`
    }

    public func seal(_ token: String) throws -> Sealed {
        let box = try AES.GCM.seal(Data(token.utf8), using: keys[currentKeyID]!)
        // `combined` is present for the default 12-byte nonce.
        return Sealed(ciphertext: box.combined!, keyID: currentKeyID)
    }

    public func open(_ sealed: Sealed) throws(Failure) -> String {
        guard let key = keys[sealed.keyID] else { throw .unknownKey(sealed.keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.ciphertext)
            return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
        } catch {
            throw .tampered
        }
    }
}

extension TokenCipher {
    /// Seals text into one column value: `<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`.
    public func sealText(_ text: String) throws -> String {
        let sealed = try seal(text)
        return "\(sealed.keyID):\(sealed.ciphertext.base64EncodedString())"
    }

    /// Opens a value made by `sealText`.
    public func openText(_ value: String) throws(Failure) -> String {
        guard let colon = value.firstIndex(of: ":"), let bytes = Data(base64Encoded: String(value[value.index(after: colon)...])) else {
            throw .tampered
        }
        return try open(Sealed(ciphertext: bytes, keyID: String(value[..<colon])))
    }
}
