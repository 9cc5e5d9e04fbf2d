import ArgumentParser
import Foundation
import Histogram
import JSONRPCNIO
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Load generator: C connections × P calls in flight each, for N calls or T seconds, any method.
/// Prints calls/s and latency percentiles (one line, or JSON with --json).
@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc-bench", abstract: "Load-test a JSON-RPC server.")

    @Option var host = "127.0.0.1"
    @Option var port = 7700
    @Option(name: .shortAndLong, help: "Connections.") var connections = 50
    @Option(name: [.customShort("P"), .long], help: "Calls in flight per connection.") var pipeline = 1
    @Option(name: .shortAndLong, help: "Total calls (ignored with --duration).") var requests = 100_000
    @Option(help: "Run for this many seconds instead of a number of calls.") var duration: Double?
    @Option(help: "Calls/s per connection on a fixed schedule (open loop); default: as fast as answers come.") var rate: Double?
    @Option var method = "health.check"
    @Option(help: "Params as JSON text; {seq} in it becomes 1, 2, 3… (--seq-start on) across every connection, one per call.")
    var params: String?
    @Option(help: "The first number {seq} stands for.") var seqStart = 1
    @Option(help: "{seq} padded with zeros to this many digits.") var seqDigits = 1
    @Option(help: "Bearer token.") var token: String?
    @Option(help: "Client event-loop threads.") var threads = 1
    @Option(help: "TLS: the CA (PEM) that signed the server's certificate.") var tlsCaFile: String?
    @Flag(help: "Print one JSON object instead of a line.") var json = false

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            try await measure(group)
            try await group.shutdownGracefully()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func measure(_ group: MultiThreadedEventLoopGroup) async throws {
        let budget = Atomic<Int>(requests)
        let deadline = duration.map { DispatchTimeNanoseconds.now + UInt64($0 * 1e9) }
        let shouldSend: @Sendable () -> Bool = {
            if let deadline { return DispatchTimeNanoseconds.now < deadline }
            return budget.subtract(1, ordering: .relaxed).newValue >= 0
        }
        let counter = Atomic<Int>(seqStart)
        let digits = seqDigits
        let sequence: @Sendable () -> String = {
            let number = String(counter.add(1, ordering: .relaxed).oldValue)
            return String(repeating: "0", count: max(0, digits - number.count)) + number
        }
        // One context for every connection; each handshakes before its first call goes out.
        let tls = try tlsCaFile.map { try ClientTLS(caFile: $0) }
        let start = DispatchTimeNanoseconds.now
        var futures: [EventLoopFuture<LoadConnection.Report>] = []
        for _ in 0..<connections {
            let loop = group.next()
            let done = loop.makePromise(of: LoadConnection.Report.self)
            let method = self.method, params = self.params, token = self.token, pipeline = self.pipeline, rate = self.rate
            let connect = ClientBootstrap(group: loop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls.context, serverHostname: nil)) }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                        try channel.pipeline.syncOperations.addHandler(
                            LoadConnection(
                                method: method, params: params, sequence: sequence, token: token, pipeline: pipeline, ratePerSecond: rate, shouldSend: shouldSend, done: done
                            )
                        )
                    }
                }
                .connect(host: host, port: port)
            connect.whenFailure { done.fail($0) }
            futures.append(done.futureResult)
        }
        var total = LoadConnection.Report()
        for future in futures {
            let report = try await future.get()
            total.histogram.add(report.histogram)
            total.completed += report.completed
            total.errors += report.errors
        }
        let seconds = Double(DispatchTimeNanoseconds.now - start) / 1e9
        let histogram = total.histogram
        func ms(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1e6 }
        let rate = Double(total.completed) / seconds
        if json {
            let fields: [String: Any] = [
                "method": method, "connections": connections, "pipeline": pipeline, "calls": total.completed,
                "errors": total.errors, "seconds": seconds, "rps": rate, "p50_ms": ms(50), "p90_ms": ms(90),
                "p99_ms": ms(99), "max_ms": Double(histogram.max) / 1e6,
            ]
            let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                String(
                    format: "%@ c=%d P=%d: %d calls in %.2fs = %.0f calls/s; p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms; errors %d",
                    method, connections, pipeline, total.completed, seconds, rate, ms(50), ms(90), ms(99),
                    Double(histogram.max) / 1e6, total.errors
                )
            )
        }
    }
}
