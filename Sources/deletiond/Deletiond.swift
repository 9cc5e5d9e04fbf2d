import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RPCServerNIO

@main
struct Deletiond: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deletiond",
        abstract: "The ALT Erasure Service: keeps ALT's data-deletion promises over JSON-RPC 2.0 on TCP.",
        subcommands: [
            Serve.self, Migrate.self, Seed.self, Restore.self, Classification.self, Config.self, Callers.self, SecretsCommand.self, Keys.self, Requests.self,
        ],
        defaultSubcommand: Serve.self
    )

    static func main() async {
        // Run Swift concurrency on NIO's event loops: a call's async work then needs no hop between
        // the concurrency pool and the loop that owns its socket. Must happen before any task runs.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as Unavailable {
            // 69 is EX_UNAVAILABLE: the database (or another service) cannot be reached.
            FileHandle.standardError.write(Data("deletiond: \(error)\n".utf8))
            exit(withError: ExitCode(69))
        } catch let error as TLSFileError {
            // One line naming the TLS file and what is wrong with it.
            FileHandle.standardError.write(Data("deletiond: \(error)\n".utf8))
            exit(withError: ExitCode(64))
        } catch let error as SettingError {
            // One line naming the source (file, environment variable, flag) and the key; 64 is EX_USAGE.
            FileHandle.standardError.write(Data("deletiond: \(error)\n".utf8))
            exit(withError: ExitCode(64))
        } catch {
            exit(withError: error)
        }
    }
}
