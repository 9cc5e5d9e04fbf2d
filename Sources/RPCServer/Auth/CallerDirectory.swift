import Crypto
import Foundation

/// The callers this server knows, found by bearer token or, under mTLS, by the subject their client
/// certificate names (a SAN URI or DNS name the client CA vouched for). Tokens are kept only as SHA-256
/// digests, and a lookup compares the presented token's digest with every entry in constant time, so
/// neither timing nor the directory itself gives a token away.
public struct CallerDirectory: Sendable {
    struct Entry: Sendable {
        let digest: [UInt8]?
        let certificateSubject: String?
        let caller: Caller
    }

    private let entries: [Entry]

    public init() { entries = [] }

    /// The callers' names, in the order they were added (never their tokens).
    public var names: [String] { entries.map(\.caller.name) }

    private init(entries: [Entry]) { self.entries = entries }

    /// Adds a caller by its token digest (32 bytes of SHA-256).
    public func adding(_ caller: Caller, tokenSHA256 digest: [UInt8]) -> Self {
        Self(entries: entries + [Entry(digest: digest, certificateSubject: nil, caller: caller)])
    }

    /// Adds a caller known by its client certificate's subject (`spiffe://alt/contacts-backend`), with or
    /// without a token as well.
    public func adding(_ caller: Caller, certificateSubject: String, tokenSHA256 digest: [UInt8]? = nil) -> Self {
        Self(entries: entries + [Entry(digest: digest, certificateSubject: certificateSubject, caller: caller)])
    }

    /// Adds a caller by its plain token (used for `--dev`; configuration files carry digests only).
    public func adding(_ caller: Caller, token: String) -> Self {
        adding(caller, tokenSHA256: Self.digest(token))
    }

    public func authenticate(token: String) -> Caller? {
        let presented = Self.digest(token)
        var found: Caller?
        for entry in entries {
            if let digest = entry.digest, Self.constantTimeEqual(digest, presented) { found = entry.caller }
        }
        return found
    }

    /// The caller whose certificate subject is among `subjects` (a verified certificate's names); the
    /// first entry wins when a certificate names several callers.
    public func authenticate(certificateSubjects subjects: [String]) -> Caller? {
        guard !subjects.isEmpty else { return nil }
        return entries.first { entry in entry.certificateSubject.map(subjects.contains) ?? false }?.caller
    }

    public static func digest(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    /// Compares two equal-length digests without an early exit.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

extension CallerDirectory {
    /// The 32 bytes of a SHA-256 digest written as 64 hex digits (as `sha256sum` prints it), or nil.
    public static func digest(hex: String) -> [UInt8]? {
        guard let bytes = bytes(hex: hex), bytes.count == 32 else { return nil }
        return bytes
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
