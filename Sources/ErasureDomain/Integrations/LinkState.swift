/// Where an account's integration stands, for pollers and webhook handlers.
public enum LinkState: String, Sendable, Hashable, CaseIterable, Codable {
    case connected
    case disconnected
    case erased
    case notConnected = "not_connected"
}

/// What an ingested Instagram event is.
public enum IngestKind: String, Sendable, Hashable, CaseIterable, Codable {
    case dm
    case comment
    case analytics
}
