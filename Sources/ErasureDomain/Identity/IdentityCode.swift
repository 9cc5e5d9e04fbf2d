public import Crypto
public import Foundation

/// One-time identity codes (P3): six digits drawn uniformly from 000000–999999 by the system's
/// cryptographic generator, stored only as an HMAC-SHA256 under the server's key, compared in constant time.
public struct IdentityCodes: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// A fresh code, as text with leading zeros kept.
    public func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        // `random(in:using:)` rejects out-of-range draws, so every code is equally likely (no modulo bias).
        let value = UInt32.random(in: 0...999_999, using: &generator)
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// What is stored: HMAC(key, requestID ‖ code), so a digest is useless for any other request.
    public func digest(_ code: String, requestID: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(requestID):\(code)".utf8), using: key))
    }

    /// Whether `code` matches `stored`, without an early exit on the first differing byte.
    public func matches(_ code: String, requestID: String, stored: Data) -> Bool {
        let presented = digest(code, requestID: requestID)
        guard presented.count == stored.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(presented, stored) { difference |= left ^ right }
        return difference == 0
    }
}

/// The rules a code lives by: 15 minutes, 5 tries, 3 codes per request per hour.
public struct ChallengePolicy: Sendable {
    public var lifetime: TimeInterval = 15 * 60
    public var maximumAttempts = 5
    public var maximumCodesPerHour = 3

    public init() {}
}

/// One code sent for one request, as stored: the digest, when it expires, how many tries are left.
public struct Challenge: Sendable, Equatable {
    public var digest: Data
    public var issuedAt: Date
    public var attempts: Int
    public var burned: Bool

    public init(digest: Data, issuedAt: Date, attempts: Int = 0, burned: Bool = false) {
        self.digest = digest
        self.issuedAt = issuedAt
        self.attempts = attempts
        self.burned = burned
    }

    /// Why a presented code is refused; each has its own error on the wire.
    public enum Refusal: Error, Sendable, Equatable {
        case wrongCode(attemptsLeft: Int)
        case expired
        case burned
        case tooManyAttempts
    }

    /// Checks a presented code and records the try. The fifth wrong try burns the code; tries after it
    /// are `tooManyAttempts`, and a code that worked once is `burned`.
    public mutating func verify(
        _ code: String,
        requestID: String,
        codes: IdentityCodes,
        policy: ChallengePolicy,
        now: Date
    ) throws(Refusal) {
        if burned { throw attempts >= policy.maximumAttempts ? .tooManyAttempts : .burned }
        guard now < issuedAt + policy.lifetime else { throw .expired }
        attempts += 1
        if codes.matches(code, requestID: requestID, stored: digest) {
            burned = true  // a code works once
            return
        }
        // The fifth wrong try is answered as wrong (no tries left) and burns the code; a sixth is refused.
        if attempts >= policy.maximumAttempts { burned = true }
        throw .wrongCode(attemptsLeft: policy.maximumAttempts - attempts)
    }

    /// Whether another code may be sent, given the codes already issued for the request.
    public static func mayIssue(after issued: [Date], policy: ChallengePolicy, now: Date) -> Bool {
        issued.filter { now.timeIntervalSince($0) < 3_600 }.count < policy.maximumCodesPerHour
    }
}
