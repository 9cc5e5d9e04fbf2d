import Crypto
import ErasureDomain
import Foundation

/// Key rotation in the keys file (`deletiond keys rotate|retire`): a fresh key becomes current; older
/// ones stay until nothing uses them. The file is replaced whole (a new file, mode 0600, renamed over the
/// old), so a crash leaves the old file or the new one, never half of one.
extension Secrets {
    /// Adds a fresh token key and makes it current; returns its id. Older keys still open what they sealed.
    public mutating func rotateTokenKey() -> String {
        let id = Self.nextID("k", after: tokenKeys.keys)
        tokenKeys[id] = Self.freshKey()
        currentTokenKey = id
        return id
    }

    /// Adds a fresh backup key and makes it current; returns its id. Backups keep the key they were written with.
    public mutating func rotateBackupKey() -> String {
        var keys = backupKeys ?? [:]
        let id = Self.nextID("b", after: keys.keys)
        keys[id] = Self.freshKey()
        backupKeys = keys
        currentBackupKey = id
        return id
    }

    /// Adds a fresh receipt key and makes it current; returns its id and the id it replaced. Receipts are
    /// signed when asked for, so the old seed signs nothing from now on and is dropped; its public key stays
    /// published, so receipts it signed still verify.
    public mutating func rotateReceiptKey(path: String = "secrets") throws -> (new: String, old: String) {
        let signer = try receiptSigner(path: path)
        var retired = retiredReceiptPublicKeys ?? [:]
        for (id, key) in signer.publicKeys { retired[id] = key.base64EncodedString() }
        let id = Self.nextID("r", after: Set(signer.publicKeys.keys))
        receiptKeys = [id: Self.freshKey()]
        currentReceiptKey = id
        receiptKey = nil
        retiredReceiptPublicKeys = retired
        return (id, signer.keyID)
    }

    /// Drops token keys that are not current and seal nothing (`used`: the store's key ids); returns them.
    public mutating func retireTokenKeys(using used: Set<String>) -> [String] {
        let unused = tokenKeys.keys.filter { $0 != currentTokenKey && !used.contains($0) }.sorted()
        for id in unused { tokenKeys[id] = nil }
        return unused
    }

    /// Drops backup keys that are not current and no kept backup was written with; returns them.
    public mutating func retireBackupKeys(using used: Set<String>) -> [String] {
        guard var keys = backupKeys else { return [] }
        let unused = keys.keys.filter { $0 != currentBackupKey && !used.contains($0) }.sorted()
        for id in unused { keys[id] = nil }
        backupKeys = keys
        return unused
    }

    /// Writes these keys over the file at `path`: a new file beside it (mode 0600 from its first byte),
    /// synced, then renamed over the old one.
    public func replace(path: String) throws(Failure) {
        let temporary = path + ".new-\(UUID().uuidString.prefix(8))"
        try writeNew(path: temporary)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            // The rename's failure is the one to report; the new file is 0600 like the old, so one that
            // cannot be removed either holds nothing the old file did not.
            try? FileManager.default.removeItem(atPath: temporary)
            throw .unreadable(path, "could not replace it: \(reason)")
        }
    }

    /// `prefix` and one more than the highest number among `ids` of that form (`k1`, `k2` → `k3`).
    static func nextID(_ prefix: String, after ids: some Sequence<String>) -> String {
        let numbers = ids.compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }
        return prefix + String((numbers.max() ?? 0) + 1)
    }
}
