public import ALTStore
import CoreMetrics
import Foundation
public import Logging

/// After `deletiond keys rotate token`: re-seals, under the current key, every value an older key sealed
/// (integration tokens, requesters' addresses, subjects' values, outbox recipients and bodies), in small
/// batches, each its own transaction, so callers never wait long behind it. A value that changed meanwhile
/// is left to the next batch. Progress: `sealed_values{key_id}` and `sealed_values_stale` on `/metrics`,
/// `deletiond keys status`. Replicas may run it together: each replacement checks what it read.
public struct TokenKeyRotation: Sendable {
    public let store: any ErasureStore
    public let cipher: TokenCipher
    public var batchSize = 200

    public init(store: any ErasureStore, cipher: TokenCipher) {
        self.store = store
        self.cipher = cipher
    }

    /// How many values each key id seals.
    public func usage() async throws -> [String: Int] {
        try await store.read { tx in try await tx.sealed.keyUsage() }
    }

    /// Re-seals one batch; returns how many values it re-sealed (0: nothing left, or all changed meanwhile).
    /// A value sealed with a key the cipher does not hold fails the batch: its key was retired too soon.
    public func resealBatch() async throws -> Int {
        let (cipher, current, limit) = (self.cipher, self.cipher.currentKeyID, batchSize)
        return try await store.write { tx in
            var resealed = 0
            for value in try await tx.sealed.sealed(notWith: current, limit: limit) {
                if try await tx.sealed.replace(value, with: try Self.reseal(value.content, cipher: cipher)) { resealed += 1 }
            }
            return resealed
        }
    }

    /// Re-seals until nothing older is left, then records the gauges. Returns how many it re-sealed.
    @discardableResult
    public func run() async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let resealed = try await resealBatch()
            total += resealed
            if resealed == 0 { break }
            // Let the callers' transactions in between batches.
            await Task.yield()
        }
        try await recordGauges()
        return total
    }

    func recordGauges() async throws {
        let usage = try await usage()
        for keyID in Set(usage.keys).union(cipher.keyIDs) {
            Gauge(label: "sealed_values", dimensions: [("key_id", keyID)]).record(usage[keyID] ?? 0)
        }
        Gauge(label: "sealed_values_stale").record(usage.filter { $0.key != cipher.currentKeyID }.values.reduce(0, +))
    }

    /// A round every `interval`, the first after `delay`: time for every replica to load the new key before
    /// values sealed with it appear (a replica on the old keys file cannot open them).
    public func service(every interval: Duration = .seconds(60), after delay: Duration = .seconds(300), logger: Logger) -> PeriodicService<Bool> {
        PeriodicService("token key rotation", every: interval, logger: logger, initial: { false }) { waited in
            // The first round waits first (a failed round keeps `false`, so its retry waits again).
            if !waited { try await Task.sleep(for: delay) }
            let resealed = try await run()
            if resealed > 0 { logger.info("re-sealed values under the current token key", metadata: ["count": "\(resealed)", "key_id": "\(cipher.currentKeyID)"]) }
            return true
        }
    }

    static func reseal(_ content: SealedValue.Content, cipher: TokenCipher) throws -> SealedValue.Content {
        switch content {
        case .text(let value):
            return .text(try cipher.sealText(try cipher.openText(value)))
        case .tokens(let ciphertexts, let keyID):
            let resealed = try ciphertexts.map { bytes -> TokenCipher.Sealed? in
                try bytes.map { try cipher.seal(try cipher.open(TokenCipher.Sealed(ciphertext: $0, keyID: keyID))) }
            }
            return .tokens(resealed.map { $0?.ciphertext }, keyID: cipher.currentKeyID)
        }
    }
}
