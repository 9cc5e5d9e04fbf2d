public import ALTBackups
import ALTErasureAPI
public import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `backups.create`, `backups.list`, `backups.prune`, `backups.restore` (P4, I1); without backup
    /// settings each answers FAILED_PRECONDITION. A prune may clear erased requests for their final
    /// confirmation.
    mutating func registerBackups(_ configured: Backups?, requests: DeletionRequests) {
        @Sendable func backups() throws -> Backups {
            guard let configured else { throw BackupError.configuration("backups are not configured on this server") }
            return configured
        }
        register(Operations.BackupsCreate.self) { _, context in .init(try await backups().create(actor: context.actor)) }
        register(Operations.BackupsList.self) { _, _ in .init(backups: try backups().list().map(Components.Schemas.BackupManifest.init)) }
        register(Operations.BackupsPrune.self) { _, context in
            let pruned = try await backups().prune(actor: context.actor)
            try await requests.confirmClearedRequests()
            return .init(pruned: pruned)
        }
        register(Operations.BackupsRestore.self) { params, context in
            let report = try await backups().restore(id: params.backupId, name: params.target, actor: context.actor)
            return .init(
                backupId: report.backupID, reErasedRows: report.reErasedRows, reErasedSubjects: report.reErasedSubjects, target: report.target
            )
        }
    }
}

extension Components.Schemas.BackupManifest {
    init(_ manifest: ALTBackups.BackupManifest) {
        self.init(
            compression: manifest.compression, createdAt: manifest.createdAt, databaseBytes: manifest.databaseBytes,
            expiresAt: manifest.expiresAt, formatVersion: manifest.formatVersion, id: manifest.id, keyId: manifest.keyId,
            sha256: manifest.sha256, size: manifest.size
        )
    }
}

extension BackupError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch self {
        case .notFound(let id): RPCError(.notFound, description, details: ["kind": "backup", "id": .string(id)])
        case .targetExists: RPCError(.alreadyExists, description, details: ["param": "target"])
        case .configuration: RPCError(.failedPrecondition, description, details: ["reason": "configuration"])
        case .missingManifest: RPCError(.dataLoss, description, details: ["reason": "missing_manifest"])
        case .unreadableManifest: RPCError(.dataLoss, description, details: ["reason": "unreadable_manifest"])
        case .unknownFormat(_, let version): RPCError(.dataLoss, description, details: ["reason": "unknown_format", "formatVersion": .int(Int64(version))])
        case .unknownKey(_, let key): RPCError(.dataLoss, description, details: ["reason": "unknown_key", "keyId": .string(key)])
        case .checksumMismatch: RPCError(.dataLoss, description, details: ["reason": "checksum_mismatch"])
        case .truncated: RPCError(.dataLoss, description, details: ["reason": "truncated"])
        case .wrongKeyOrTampered: RPCError(.dataLoss, description, details: ["reason": "wrong_key_or_tampered"])
        case .corrupt: RPCError(.dataLoss, description, details: ["reason": "corrupt"])
        case .wrongEngine(_, let engine): RPCError(.failedPrecondition, description, details: ["reason": "engine_mismatch", "engine": .string(engine)])
        case .restoreFailed: RPCError(.unavailable, description, details: ["reason": "restore_failed"])
        case .folderUnwritable: RPCError(.unavailable, description, details: ["reason": "backup_folder_unwritable"], retryable: true)
        }
    }
}
