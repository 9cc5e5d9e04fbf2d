import Configuration

/// Every setting of `deletiond`, defined once: its key (dotted, as in the JSON file), its type, the flag
/// that sets it, and whether it is a secret (redacted wherever the configuration is shown). The
/// environment variable is the key upper-cased under `ALT_` (`backups.retentionDays` →
/// `ALT_BACKUPS_RETENTION_DAYS`). Precedence: flag, then environment, then the file, then the default.
/// The callers are the one exception: a list of records, they come from the file only.
enum Setting: String, CaseIterable, Sendable {
    case host = "server.host"
    case port = "server.port"
    case drainSeconds = "server.drainSeconds"
    case tlsCertificateFile = "tls.certificateFile"
    case tlsPrivateKeyFile = "tls.privateKeyFile"
    case tlsClientCAFile = "tls.clientCAFile"
    case httpHost = "http.host"
    case httpPort = "http.port"
    case httpStatusBurst = "http.statusLookupBurst"
    case httpTrustedProxies = "http.trustedProxies"
    case databasePath = "database.path"
    case databaseURL = "database.url"
    case secretsFile
    case devToken = "dev.token"
    case statusPageBase = "meta.statusPageBase"
    case signedRequestToleranceSeconds = "meta.signedRequestToleranceSeconds"
    case backupFolder = "backups.folder"
    case restoreFolder = "backups.restoreFolder"
    case backupRetentionDays = "backups.retentionDays"
    case backupIntervalHours = "backups.intervalHours"
    case gracePeriodDays = "erasure.gracePeriodDays"
    case erasureBatchSize = "erasure.batchSize"
    case erasureLeaseSeconds = "erasure.leaseSeconds"
    case workerIntervalSeconds = "erasure.workerIntervalSeconds"
    case sweepIntervalSeconds = "retention.sweepIntervalSeconds"
    case resealDelaySeconds = "keys.resealDelaySeconds"
    case logLevel = "log.level"
    case logFormat = "log.format"
    case otlpEndpoint = "tracing.otlpEndpoint"
    case otlpProtocol = "tracing.otlpProtocol"

    enum Kind { case text, number }

    var kind: Kind {
        switch self {
        case .port, .httpPort, .httpStatusBurst, .drainSeconds, .signedRequestToleranceSeconds, .backupRetentionDays, .backupIntervalHours, .gracePeriodDays,
            .erasureBatchSize, .erasureLeaseSeconds, .workerIntervalSeconds, .sweepIntervalSeconds, .resealDelaySeconds:
            .number
        default: .text
        }
    }

    /// The dev token, and the database URL (it may hold a password).
    var isSecret: Bool { self == .devToken || self == .databaseURL }

    /// The only values a text setting takes, where they are few.
    var allowed: [String]? {
        switch self {
        case .logLevel: ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        case .logFormat: ["text", "json"]
        case .otlpProtocol: ["http/protobuf", "http/json"]
        default: nil
        }
    }

    var key: AbsoluteConfigKey { AbsoluteConfigKey(rawValue.split(separator: ".").map(String.init)) }

    /// The flag that sets it, where there is one.
    var flag: String? {
        switch self {
        case .host: "--host"
        case .port: "--port"
        case .drainSeconds: "--grace-period"
        case .tlsCertificateFile: "--tls-cert-file"
        case .tlsPrivateKeyFile: "--tls-key-file"
        case .tlsClientCAFile: "--tls-client-ca-file"
        case .httpHost: "--http-host"
        case .httpPort: "--http-port"
        case .httpStatusBurst: "--http-status-burst"
        case .httpTrustedProxies: "--http-trusted-proxies"
        case .databasePath: "--db"
        case .databaseURL: "--database-url"
        case .devToken: "--dev-token"
        case .signedRequestToleranceSeconds: "--signed-request-tolerance"
        case .backupFolder: "--backup-folder"
        case .backupRetentionDays: "--backup-retention-days"
        case .backupIntervalHours: "--backup-interval-hours"
        case .gracePeriodDays: "--grace-period-days"
        case .erasureBatchSize: "--erasure-batch-size"
        case .erasureLeaseSeconds: "--erasure-lease"
        case .workerIntervalSeconds: "--worker-interval"
        case .sweepIntervalSeconds: "--sweep-interval"
        case .resealDelaySeconds: "--reseal-delay"
        case .logLevel: "--log-level"
        case .logFormat: "--log-format"
        case .otlpEndpoint: "--otlp-endpoint"
        case .otlpProtocol: "--otlp-protocol"
        case .secretsFile, .statusPageBase, .restoreFolder: nil
        }
    }

    /// The environment variable that sets it.
    var environmentVariable: String {
        "ALT_" + rawValue.split(separator: ".").map { component in
            component.reduce(into: "") { name, character in
                if character.isUppercase, !name.isEmpty { name += "_" }
                name += character.uppercased()
            }
        }.joined(separator: "_")
    }

    /// The keys the file may hold, section by section (`secretsFile` and `callers` at the top).
    static let fileSections: [String: [String]] = Dictionary(grouping: allCases.filter { $0.rawValue.contains(".") }) {
        String($0.rawValue.split(separator: ".")[0])
    }.mapValues { $0.map { String($0.rawValue.split(separator: ".")[1]) } }
}
