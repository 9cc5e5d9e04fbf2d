import Foundation
import Histogram
import JSONRPCNIO
import NIOCore

/// One benchmark connection, driven entirely on its event loop: it keeps `pipeline` calls in flight,
/// sends the next one as each answer arrives, and records each call's latency. Answers are matched to
/// their send time by the numeric id the server echoes.
final class LoadConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Frame

    struct Report: Sendable {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var completed = 0
        var errors = 0
    }

    /// The frame body up to the params' `{seq}` (or up to the id), what follows `{seq}` up to the id, and
    /// the id's end.
    private let prefix: [UInt8]
    private let middle: [UInt8]
    private let sequence: (@Sendable () -> String)?
    private let suffix: [UInt8]
    private let token: String?
    private let pipeline: Int
    /// With a rate: nanoseconds between calls, sent on a fixed schedule (open loop); latency is measured
    /// from each call's scheduled time, so a slow answer that delays the next send is not hidden.
    private let interval: UInt64?
    private var nextDue: UInt64 = 0
    private let shouldSend: @Sendable () -> Bool
    private let done: EventLoopPromise<Report>
    private var sentAt: [Int: UInt64] = [:]
    private var nextID = 1
    private var report = Report()
    private var stopping = false

    init(
        method: String,
        params: String?,
        sequence: (@Sendable () -> String)? = nil,
        token: String?,
        pipeline: Int,
        ratePerSecond: Double? = nil,
        shouldSend: @escaping @Sendable () -> Bool,
        done: EventLoopPromise<Report>
    ) {
        self.interval = ratePerSecond.map { UInt64(1e9 / $0) }
        var prefix = Array(#"{"jsonrpc":"2.0","method":"#.utf8)
        prefix += Array("\"\(method)\"".utf8)
        var middle: [UInt8] = []
        if let params {
            // `{seq}` in the params: each call gets the next number of the shared sequence there.
            let parts = params.components(separatedBy: "{seq}")
            prefix += Array(#","params":"#.utf8) + Array(parts[0].utf8)
            middle = Array(parts.dropFirst().joined(separator: "{seq}").utf8)
        }
        self.sequence = params?.contains("{seq}") == true ? sequence : nil
        middle += Array(#","id":"#.utf8)
        self.prefix = prefix
        self.middle = middle
        self.suffix = Array("}".utf8)
        self.token = token
        self.pipeline = pipeline
        self.shouldSend = shouldSend
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        // Connections start at random points of their first interval, so they do not send in bursts.
        nextDue = DispatchTimeNanoseconds.now + (interval.map { UInt64.random(in: 0..<$0) } ?? 0)
        for _ in 0..<pipeline { sendNext(context: context) }
        context.flush()
        context.fireChannelActive()
    }

    private func sendNext(context: ChannelHandlerContext) {
        guard let interval else { return send(context: context, scheduledAt: DispatchTimeNanoseconds.now) }
        let due = nextDue
        nextDue += interval
        let now = DispatchTimeNanoseconds.now
        guard due > now else { return send(context: context, scheduledAt: due) }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(due - now))) {
            let (connection, context) = loopBound.value
            connection.send(context: context, scheduledAt: due)
            context.flush()
        }
    }

    private func send(context: ChannelHandlerContext, scheduledAt: UInt64) {
        guard shouldSend() else {
            stopping = true
            if sentAt.isEmpty { finish(context: context) }
            return
        }
        let id = nextID
        nextID += 1
        var body = context.channel.allocator.buffer(capacity: prefix.count + 12)
        body.writeBytes(prefix)
        if let sequence { body.writeString(sequence()) }
        body.writeBytes(middle)
        body.writeString(String(id))
        body.writeBytes(suffix)
        var headers = FrameHeaders()
        headers.bearerToken = token
        sentAt[id] = scheduledAt
        context.write(NIOAny(Frame(headers: headers, body: body)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let now = DispatchTimeNanoseconds.now
        guard let id = Self.echoedID(frame.body), let start = sentAt.removeValue(forKey: id) else {
            report.errors += 1
            return
        }
        _ = report.histogram.record(now - start)
        report.completed += 1
        if frame.body.readableBytesView.firstRange(of: Array(#""error":"#.utf8)) != nil { report.errors += 1 }
        if stopping {
            if sentAt.isEmpty { finish(context: context) }
        } else {
            sendNext(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(report)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        report.errors += 1
        context.close(promise: nil)
    }

    private func finish(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    /// The numeric id in `{"jsonrpc":"2.0","id":N,…`, read without parsing the JSON.
    static func echoedID(_ body: ByteBuffer) -> Int? {
        let view = body.readableBytesView
        guard let range = view.firstRange(of: Array(#""id":"#.utf8)) else { return nil }
        var value = 0
        var index = range.upperBound
        var digits = 0
        while index < view.endIndex, view[index] &- UInt8(ascii: "0") < 10 {
            value = value * 10 + Int(view[index] - UInt8(ascii: "0"))
            index += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}

enum DispatchTimeNanoseconds {
    static var now: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
