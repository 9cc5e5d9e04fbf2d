public import ALTStore
import ErasureDomain
public import Foundation
import ISO8601Time

/// The answer of `deletion.verifyErasure`.
public struct ErasureProof: Sendable {
    public let requestID: String
    public let tables: [ResidualScan.TableResult]
    /// `nil` once the request is forgotten: the values to look for are gone too (I5).
    public let byteScan: (valuesSearched: Int, occurrences: Int)?
    public let scannedAt: Date

    public var isClean: Bool { tables.allSatisfy(\.isClean) && (byteScan?.occurrences ?? 0) == 0 }
}

/// The answer of `deletion.receipt`: the signed JSON text and the key to check it with.
public struct SignedReceipt: Sendable {
    public let payload: String
    public let signature: Data
    public let publicKey: Data
    /// The signing key's id (inside `payload` too, so it is signed).
    public let keyID: String
}

extension RequestReports {
    /// Residual scan of every table in scope, and a byte scan of the files for the subject's values.
    public func verifyErasure(requestID: String) async throws -> ErasureProof {
        let request = try await erasedRequest(requestID, action: "be verified as erased before production is erased")
        guard let accountID = request.accountId else {
            throw StoreCorruption(field: "request", value: requestID)
        }
        let hashes = Set(try await store.read { tx in try await tx.ledger.entries(requestID: requestID).map(\.identifierHash) })
        let hasher = environment.hasher
        let tables = try await store.erasure.residualScan(accountID: accountID, scope: request.scope, subjectHashes: hashes) {
            hasher.hash(kind: $0, value: $1)
        }
        var byteScan: (Int, Int)?
        if let sealed = request.subjectValuesSealed {
            let values = try JSONDecoder().decode([String: String].self, from: Data(try environment.cipher.openText(sealed).utf8))
            // A partial scope leaves the account: a value it still holds (say the Google address that is
            // also the login) is not searched for.
            let staying = try await store.read { tx in
                Set(try await tx.accounts.identifiers(accountID: accountID).map { $0.value.lowercased() })
            }
            let needles = Set(values.values.filter { !staying.contains($0.lowercased()) }).sorted()
            if let found = try await store.erasure.byteScan(for: needles) {
                byteScan = (needles.count, found.values.reduce(0, +))
            }
        }
        return ErasureProof(requestID: requestID, tables: tables, byteScan: byteScan, scannedAt: now)
    }

    /// A receipt with no personal data, signed with Ed25519.
    public func receipt(requestID: String) async throws -> SignedReceipt {
        let request = try await erasedRequest(requestID, action: "have a receipt before production is erased")
        let report = try await status(requestID: requestID)
        var object: [String: Any] = [
            "requestId": request.id,
            "scope": request.scope.rawValue,
            "subject": "hmac-sha256:\(request.subjectHash)",
            "state": request.state.rawValue,
            "receivedAt": ISO8601Time.format(request.receivedAt),
            "productionDueBy": ISO8601Time.format(request.productionDueBy),
            "erased": report.erased,
            "kept": report.kept.map { kept -> [String: Any] in
                var entry: [String: Any] = ["category": kept.category, "reason": kept.reason]
                if let rows = kept.rows { entry["rows"] = rows }
                if let until = kept.until { entry["until"] = ISO8601Time.format(until) }
                return entry
            },
            "issuedAt": ISO8601Time.format(now),
            "issuer": "deletiond",
            "keyId": environment.signer.keyID,
        ]
        for (key, date) in [("verifiedAt", request.verifiedAt), ("erasedAt", request.erasedAt), ("completedAt", request.completedAt)] {
            if let date { object[key] = ISO8601Time.format(date) }
        }
        let payload = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return SignedReceipt(
            payload: String(decoding: payload, as: UTF8.self),
            signature: try environment.signer.sign(payload),
            publicKey: environment.signer.publicKey,
            keyID: environment.signer.keyID
        )
    }

    private func erasedRequest(_ requestID: String, action: String) async throws -> DeletionRequest {
        let request = try await store.read { tx in try await DeletionRequests.request(tx, requestID) }
        let state = request.state
        guard state == .erased || state == .completed else { throw DeletionError.illegalState(state, action: action) }
        return request
    }
}
