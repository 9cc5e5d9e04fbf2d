import ArgumentParser

/// The debugging client a person reaches for: call any method, list and describe them from the
/// server's own OpenRPC document, check health, send a batch file.
@main
struct RPCCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-cli",
        abstract: "Talk JSON-RPC to deletiond.",
        discussion: """
            Exit codes: 0 success; 1 the server answered with an error (printed to stderr with its status);
            64 a usage error; 69 the server could not be reached.
            """,
        subcommands: [Call.self, Methods.self, Describe.self, Health.self, Batch.self]
    )
}
