import JSONRPC
import JSONRPCNIO
import NIOCore

// libFuzzer calls this with each input: the bytes a peer could send on one connection. They are split
// into frames exactly as the server does (FrameDecoder, small limits so the limit paths are reached too);
// each body is inflated when it says deflate and parsed as a message. Errors are expected; a crash, a
// hang, a leak, or a frame that breaks the limits is a finding.
let limits = FrameLimits(maximumHeaderBytes: 512, maximumBodyBytes: 4_096)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var buffer = ByteBuffer(bytes: UnsafeRawBufferPointer(start: start, count: count))
    var decoder = FrameDecoder(limits: limits)
    while true {
        let frame: Frame
        do {
            guard let next = try decoder.decodeFrame(&buffer) else { break }
            frame = next
        } catch {
            break  // the stream cannot be resynchronised: the server answers once and closes
        }
        precondition(frame.body.readableBytes <= limits.maximumBodyBytes, "a body over the limit was accepted")
        var body = frame.body
        if frame.headers.contentEncoding == .deflate {
            guard let inflated = try? BodyCompression.decompress(frame.body, limit: limits.maximumBodyBytes) else { continue }
            precondition(inflated.readableBytes <= limits.maximumBodyBytes, "an inflated body over the limit was accepted")
            body = inflated
        }
        _ = MessageParser.parse(Array(body.readableBytesView), maximumBatchSize: 16)
    }
    return 0
}
