public import ALTBackups
public import ALTStore
import Crypto
public import ErasureDomain
public import Foundation
public import Tracing

/// What the deletion workflow runs on: the clock, the keys, the policies and the erasure batch size.
/// `deletiond serve` builds it from the secrets file and the flags; tests build one with fresh keys.
public struct DeletionEnvironment: Sendable {
    public var clock: any ErasureClock
    /// The clock `admin.advanceClock` moves; set only with `--dev`.
    public var devClock: OffsetClock?
    public var cipher: TokenCipher
    public var codes: IdentityCodes
    public var hasher: SubjectHasher
    public var signer: ReceiptSigner
    public var policy = ErasurePolicy()
    public var challengePolicy = ChallengePolicy()
    /// Rows per erasure transaction.
    public var batchSize = 5_000
    /// How long a claimed outbox message is leased before it is handed out again.
    public var outboxLease: TimeInterval = 300
    /// Where backups are: an erased request completes only once every older backup is gone (P4, P5).
    public var backupFolder: BackupFolder?
    /// This process among the replicas sharing the store: the holder of its work leases.
    public var replicaID = "replica-" + UUID().uuidString.lowercased()
    /// How long an erasure run's lease lasts without renewal (it is renewed after every batch): how soon
    /// another replica takes over the run of one that died.
    public var workLease: TimeInterval = 30
    /// Where the calls', erasures', outbox's and backups' spans go: the process's tracer (a no-op until
    /// one is bootstrapped), or a test's.
    public var tracer: any Tracer = InstrumentationSystem.tracer

    public init(
        clock: any ErasureClock,
        devClock: OffsetClock? = nil,
        cipher: TokenCipher,
        codes: IdentityCodes,
        hasher: SubjectHasher,
        signer: ReceiptSigner
    ) {
        self.clock = clock
        self.devClock = devClock
        self.cipher = cipher
        self.codes = codes
        self.hasher = hasher
        self.signer = signer
    }

    /// Fresh random keys on `clock` (tests, and the method-list check).
    public static func ephemeral(clock: any ErasureClock = SystemClock(), devClock: OffsetClock? = nil) -> DeletionEnvironment {
        DeletionEnvironment(
            clock: clock,
            devClock: devClock,
            cipher: TokenCipher(key: SymmetricKey(size: .bits256), keyID: "k1"),
            codes: IdentityCodes(key: SymmetricKey(size: .bits256)),
            hasher: SubjectHasher(key: SymmetricKey(size: .bits256)),
            signer: ReceiptSigner(key: Curve25519.Signing.PrivateKey())
        )
    }

    /// From the secrets file's keys.
    public static func from(_ secrets: Secrets, clock: any ErasureClock, devClock: OffsetClock?) throws -> DeletionEnvironment {
        DeletionEnvironment(
            clock: clock,
            devClock: devClock,
            cipher: try secrets.tokenCipher(),
            codes: IdentityCodes(key: try secrets.identityCodeKey()),
            hasher: SubjectHasher(key: try secrets.subjectHashKey()),
            signer: try secrets.receiptSigner()
        )
    }
}

extension DeletionEnvironment {
    /// The keys `deletiond seed --profile demo` writes the demo's deletion requests with.
    public var demoRequestKeys: DemoRequestKeys {
        let codes = self.codes
        let hasher = self.hasher
        return DemoRequestKeys(codeDigest: { codes.digest($0, requestID: $1) }, subjectHash: { hasher.hash(kind: $0, value: $1) })
    }
}
