/// How a deletion request reached the service.
public enum RequestChannel: String, Sendable, Hashable, CaseIterable, Codable {
    /// An email to the privacy address (`deletion.intakeEmail`).
    case email
    /// The in-app button, through ALT's backend (`deletion.create`).
    case app
    /// ALT's support staff (`deletion.create`).
    case support
    /// Meta's data-deletion callback.
    case meta
}
