public import Foundation

/// The promised deadlines (P4) and the grace period of account requests.
public struct ErasurePolicy: Sendable {
    public var productionWindow: TimeInterval = 30 * 86_400
    public var backupWindow: TimeInterval = 90 * 86_400
    public var verificationWindow: TimeInterval = 7 * 86_400
    /// Account-scope requests wait this long (cancel still works) before erasure starts.
    public var accountGracePeriod: TimeInterval = 7 * 86_400

    public init() {}

    public func productionDue(receivedAt: Date) -> Date { receivedAt + productionWindow }

    /// P4 counts both deadlines from the request: every backup that may hold the data is gone 90 days
    /// after it was received (so a backup may live at most `longestBackupRetention`).
    public func backupsDue(receivedAt: Date) -> Date { receivedAt + backupWindow }

    /// The longest a backup may be kept and still meet `backupsDue`: a backup taken just before an
    /// erasure that ran on its production deadline must be gone 90 days after the request (90 − 30 days).
    public var longestBackupRetention: TimeInterval { backupWindow - productionWindow }

    public func verificationExpires(receivedAt: Date) -> Date { receivedAt + verificationWindow }

    /// Why an unverified request ended: "not verified within 7 days".
    public var expiryReason: String { "not verified within \(Int(verificationWindow / 86_400)) days" }

    /// Time kept free before the production deadline for the erasure itself to run.
    public var executionMargin: TimeInterval = 86_400

    /// When erasure may start: at once for Instagram and Calendar; after the grace period for an account,
    /// but no later than a day before the production deadline (and never before verification).
    public func erasureStarts(scope: Scope, verifiedAt: Date, receivedAt: Date) -> Date {
        guard scope == .account else { return verifiedAt }
        let latest = productionDue(receivedAt: receivedAt) - executionMargin
        return max(verifiedAt, min(verifiedAt + accountGracePeriod, latest))
    }
}
