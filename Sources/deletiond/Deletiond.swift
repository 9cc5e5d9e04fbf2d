import ArgumentParser

@main
struct Deletiond: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deletiond",
        abstract: "The ALT Erasure Service: keeps ALT's data-deletion promises over JSON-RPC 2.0 on TCP.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}
