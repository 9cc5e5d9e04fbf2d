import Crypto
import Foundation

/// The callers this server knows, found by bearer token. Tokens are kept only as SHA-256 digests, and a
/// lookup compares the presented token's digest with every entry in constant time, so neither timing
/// nor the directory itself gives a token away.
public struct CallerDirectory: Sendable {
    struct Entry: Sendable {
        let digest: [UInt8]
        let caller: Caller
    }

    private let entries: [Entry]

    public init() { entries = [] }

    private init(entries: [Entry]) { self.entries = entries }

    /// Adds a caller by its token digest (32 bytes of SHA-256).
    public func adding(_ caller: Caller, tokenSHA256 digest: [UInt8]) -> Self {
        Self(entries: entries + [Entry(digest: digest, caller: caller)])
    }

    /// Adds a caller by its plain token (used for `--dev`; configuration files carry digests only).
    public func adding(_ caller: Caller, token: String) -> Self {
        adding(caller, tokenSHA256: Self.digest(token))
    }

    public func authenticate(token: String) -> Caller? {
        let presented = Self.digest(token)
        var found: Caller?
        for entry in entries where Self.constantTimeEqual(entry.digest, presented) {
            found = entry.caller
        }
        return found
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
    /// The callers file: `{"callers": [{"name", "tokenSHA256" (hex), "methods": ["records.*", …]}]}`.
    struct File: Decodable {
        struct Entry: Decodable {
            let name: String
            let tokenSHA256: String
            let methods: [MethodPattern]
        }

        let callers: [Entry]
    }

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot read the callers file \(path): \(reason)"
            case .invalid(let path, let reason): "invalid callers file \(path): \(reason)"
            }
        }
    }

    /// Loads the callers file at `path`.
    public static func load(path: String) throws(LoadError) -> Self {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
        var directory = Self()
        for entry in file.callers {
            guard let digest = Self.bytes(hex: entry.tokenSHA256), digest.count == 32 else {
                throw .invalid(path: path, reason: "caller \(entry.name): tokenSHA256 must be 64 hex digits")
            }
            guard !entry.methods.isEmpty else {
                throw .invalid(path: path, reason: "caller \(entry.name): methods is empty")
            }
            directory = directory.adding(Caller(name: entry.name, allowedMethods: entry.methods), tokenSHA256: digest)
        }
        return directory
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
