import Foundation
import Logging
import RPCServerNIO
import ServiceLifecycle
import UnixSignals

/// Reads the TLS files again on SIGHUP (a renewed certificate): later connections use them, open ones
/// keep theirs. A file that cannot be used is one error line, and the server keeps the files it had.
struct TLSReloader: Service {
    let tls: ServerTLS
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try tls.reload()
                logger.notice("tls reloaded", metadata: ["certificate_expires": "\(tls.expires)"])
            } catch {
                logger.error("tls reload refused, the previous certificate stays", metadata: ["reason": "\(error.description)"])
            }
        }
    }
}
