import Configuration
import ErasureService
import Foundation
import RPCServer
import Synchronization

/// `deletiond`'s configuration, resolved once at start-up through swift-configuration: flags, then `ALT_*`
/// environment variables, then the configuration file, then the defaults (`Setting` lists every key).
/// A value of the wrong type anywhere, or one out of range, is a `SettingError` naming its source and key.
struct Settings: Sendable {
    var host: String
    var port: Int
    var drainSeconds: Int
    /// TLS on the JSON-RPC port (PEM files); mTLS with the client CA.
    var tlsCertificateFile: String?
    var tlsPrivateKeyFile: String?
    var tlsClientCAFile: String?
    /// The public HTTP listener (Meta's callbacks, the status page, probes); off without a port.
    var httpHost: String
    var httpPort: Int?
    /// Status page lookups one client may make at once, before the rate of one a second applies.
    var httpStatusBurst: Int
    /// Comma-separated addresses or networks of the proxies in front of the HTTP listener, whose
    /// `X-Forwarded-For` names the client the per-client limits count.
    var httpTrustedProxies: String?
    var databasePath: String
    /// A PostgreSQL store (`postgres://…`); nil: the SQLite file at `databasePath`.
    var databaseURL: String?
    var secretsFile: String?
    var devToken: String
    var statusPageBase: String?
    var signedRequestToleranceSeconds: Int
    var backupFolder: String
    var restoreFolder: String
    var backupRetentionDays: Int
    var backupIntervalHours: Int
    var gracePeriodDays: Int
    var erasureBatchSize: Int
    var erasureLeaseSeconds: Int
    var workerIntervalSeconds: Int
    var sweepIntervalSeconds: Int
    /// How long after start-up re-sealing under a rotated token key begins (every replica loads the key first).
    var resealDelaySeconds: Int
    var logLevel: String
    var logFormat: String
    /// An OpenTelemetry collector's OTLP/HTTP base URL (spans go to `<base>/v1/traces`); nil: no spans leave.
    var otlpEndpoint: String?
    /// `http/protobuf` (OTLP's default) or `http/json`.
    var otlpProtocol: String
    /// From the file only (a list of records).
    var callers: CallerDirectory?
    var configFile: String?
    /// Each setting's value (secrets flagged) and where it came from, for `deletiond config check`.
    var resolved: [Setting: (value: ConfigValue?, source: String)]

    /// Resolves every setting. `flags` are the values given on the command line.
    static func resolve(
        flags: [Setting: ConfigContent], file: ConfigFile?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SettingError) -> Settings {
        let reporter = SourceRecorder()
        let reader = ConfigReader(
            providers: [
                InMemoryProvider(
                    name: "flags",
                    values: Dictionary(uniqueKeysWithValues: flags.map { ($0.key.key, ConfigValue($0.value, isSecret: $0.key.isSecret)) })
                ),
                KeyMappingProvider(
                    upstream: EnvironmentVariablesProvider(
                        environmentVariables: environment,
                        secretsSpecifier: .specific(Set(Setting.allCases.filter(\.isSecret).map(\.environmentVariable)))
                    ),
                    keyMapper: { $0.prepending(["alt"]) }
                ),
                InMemoryProvider(name: "file", values: file?.values ?? [:]),
            ],
            accessReporter: reporter
        )
        var resolved: [Setting: (value: ConfigValue?, source: String)] = [:]
        func text(_ setting: Setting, default fallback: String?) throws(SettingError) -> String? {
            let value = reader.string(forKey: ConfigKey(setting.key.components), isSecret: setting.isSecret)
            let text = try settle(setting, value.map { .string($0) }, fallback.map { .string($0) })?.stringValue
            if let allowed = setting.allowed, let text, !allowed.contains(text) {
                throw SettingError(source: resolved[setting]?.source ?? "default", key: setting.rawValue, reason: "must be one of \(allowed.joined(separator: ", "))")
            }
            return text
        }
        func number(_ setting: Setting, default fallback: Int, in range: ClosedRange<Int>, why: String? = nil) throws(SettingError) -> Int {
            let value = reader.int(forKey: ConfigKey(setting.key.components), isSecret: setting.isSecret)
            let number = try settle(setting, value.map { .int($0) }, .int(fallback))?.intValue ?? fallback
            guard range.contains(number) else {
                let reason = "must be \(range.lowerBound)…\(range.upperBound)" + (why.map { ": \($0)" } ?? "")
                throw SettingError(source: resolved[setting]?.source ?? "default", key: setting.rawValue, reason: reason)
            }
            return number
        }
        func optionalNumber(_ setting: Setting, in range: ClosedRange<Int>) throws(SettingError) -> Int? {
            let value = reader.int(forKey: ConfigKey(setting.key.components), isSecret: setting.isSecret)
            guard let number = try settle(setting, value.map { .int($0) }, nil)?.intValue else { return nil }
            guard range.contains(number) else {
                throw SettingError(source: resolved[setting]?.source ?? "default", key: setting.rawValue, reason: "must be \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        /// Records where the value came from; a value that could not be read as its type is an error.
        func settle(_ setting: Setting, _ value: ConfigContent?, _ fallback: ConfigContent?) throws(SettingError) -> ConfigContent? {
            let access = reporter.access(setting.key)
            let source = access.provider.map { Self.source($0, setting: setting, file: file) } ?? "default"
            if let provider = access.failedProvider {
                throw SettingError(
                    source: Self.source(provider, setting: setting, file: file), key: setting.rawValue,
                    reason: setting.kind == .number ? "expected a whole number" : "expected a string"
                )
            }
            let content = value ?? fallback
            resolved[setting] = (content.map { ConfigValue($0, isSecret: setting.isSecret) }, value == nil ? "default" : source)
            return content
        }

        let maximumRetentionDays = Int(Backups.maximumRetention / 86_400)
        let databasePath = try text(.databasePath, default: "./data/alt.sqlite") ?? "./data/alt.sqlite"
        let beside = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        return Settings(
            host: try text(.host, default: "127.0.0.1") ?? "127.0.0.1",
            port: try number(.port, default: 7700, in: 0...65_535),
            drainSeconds: try number(.drainSeconds, default: 10, in: 0...3_600),
            tlsCertificateFile: try text(.tlsCertificateFile, default: nil),
            tlsPrivateKeyFile: try text(.tlsPrivateKeyFile, default: nil),
            tlsClientCAFile: try text(.tlsClientCAFile, default: nil),
            httpHost: try text(.httpHost, default: "127.0.0.1") ?? "127.0.0.1",
            httpPort: try optionalNumber(.httpPort, in: 0...65_535),
            httpStatusBurst: try number(.httpStatusBurst, default: 60, in: 1...100_000_000),
            httpTrustedProxies: try text(.httpTrustedProxies, default: nil),
            databasePath: databasePath,
            databaseURL: try text(.databaseURL, default: nil),
            secretsFile: try text(.secretsFile, default: nil),
            devToken: try text(.devToken, default: "dev") ?? "dev",
            statusPageBase: try text(.statusPageBase, default: nil),
            signedRequestToleranceSeconds: try number(.signedRequestToleranceSeconds, default: 3_600, in: 1...Int.max),
            backupFolder: try text(.backupFolder, default: beside.appendingPathComponent("backups").path) ?? "",
            restoreFolder: try text(.restoreFolder, default: beside.appendingPathComponent("restores").path) ?? "",
            backupRetentionDays: try number(
                .backupRetentionDays, default: maximumRetentionDays, in: 1...maximumRetentionDays,
                why: "at most \(maximumRetentionDays) days, so a backup holding an erased subject is gone 90 days after the request even when production is erased on day 30"
            ),
            backupIntervalHours: try number(.backupIntervalHours, default: 24, in: 1...24 * 365),
            gracePeriodDays: try number(.gracePeriodDays, default: 7, in: 0...30),
            erasureBatchSize: try number(.erasureBatchSize, default: 5_000, in: 1...1_000_000),
            erasureLeaseSeconds: try number(.erasureLeaseSeconds, default: 30, in: 2...3_600),
            workerIntervalSeconds: try number(.workerIntervalSeconds, default: 2, in: 1...86_400),
            sweepIntervalSeconds: try number(.sweepIntervalSeconds, default: 3_600, in: 1...86_400 * 7),
            resealDelaySeconds: try number(.resealDelaySeconds, default: 300, in: 0...86_400),
            logLevel: try text(.logLevel, default: "info") ?? "info",
            logFormat: try text(.logFormat, default: "text") ?? "text",
            otlpEndpoint: try text(.otlpEndpoint, default: nil),
            otlpProtocol: try text(.otlpProtocol, default: "http/protobuf") ?? "http/protobuf",
            callers: file?.callers,
            configFile: file?.path,
            resolved: resolved
        )
    }

    /// Where a provider's value came from, as a person reads it.
    private static func source(_ provider: String, setting: Setting, file: ConfigFile?) -> String {
        if provider.contains("flags") { return "flag \(setting.flag ?? setting.rawValue)" }
        if provider.contains("EnvironmentVariables") { return "environment \(setting.environmentVariable)" }
        return "config \(file?.path ?? "")"
    }

    /// One line per setting, `key = value (source)`, secrets redacted: what `deletiond config check` prints.
    var lines: [String] {
        Setting.allCases.map { setting in
            let entry = resolved[setting]
            let value: String =
                switch entry?.value {
                case nil: "(none)"
                case let value? where value.isSecret: "<redacted>"
                case let value?: value.content.text
                }
            return "\(setting.rawValue) = \(value) (\(entry?.source ?? "default"))"
        } + ["callers = \(callers.map { $0.names.joined(separator: ", ") } ?? "(none)") (\(configFile.map { "config \($0)" } ?? "none"))"]
    }
}

extension ConfigContent {
    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    var intValue: Int? { if case .int(let number) = self { number } else { nil } }
    var text: String {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        default: "\(self)"
        }
    }
}

/// Remembers, per key, which provider answered and which one held a value of the wrong type.
private final class SourceRecorder: AccessReporter, Sendable {
    struct Access: Sendable {
        var provider: String?
        var failedProvider: String?
    }

    private let accesses = Mutex<[AbsoluteConfigKey: Access]>([:])

    func report(_ event: AccessEvent) {
        var access = Access()
        for result in event.providerResults {
            switch result.result {
            case .success(let lookup) where lookup.value != nil && access.provider == nil: access.provider = result.providerName
            case .failure where access.failedProvider == nil: access.failedProvider = result.providerName
            default: continue
            }
        }
        if event.conversionError != nil, access.failedProvider == nil { access.failedProvider = access.provider }
        accesses.withLock { $0[event.metadata.key] = access }
    }

    func access(_ key: AbsoluteConfigKey) -> Access { accesses.withLock { $0[key] ?? Access() } }
}
