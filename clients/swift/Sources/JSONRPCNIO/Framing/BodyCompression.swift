public import NIOCore
import CompressNIO

/// `Content-Encoding: deflate` bodies: zlib-wrapped deflate (RFC 1950), as HTTP uses the name.
public enum BodyCompression {
    /// Answers at least this large are compressed when the caller accepts deflate.
    public static let defaultThreshold = 1_024

    public enum Failure: Error, Sendable, Equatable {
        case corrupt
        case tooLarge(limit: Int)
    }

    /// Inflates `body`, refusing to produce more than `limit` bytes (a small body must not expand
    /// into a large allocation).
    ///
    /// CompressNIO's `maxSize` bounds what it allocates only roughly: it grows its output by buffers whose
    /// capacity the allocator rounds up, so it can return somewhat more than `maxSize` (never more than
    /// twice). The limit itself is held here, on what comes back.
    public static func decompress(_ body: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        var input = body
        let inflated: ByteBuffer
        do {
            inflated = try input.decompress(with: .zlib(), maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge(limit: limit)
        } catch {
            throw .corrupt
        }
        guard inflated.readableBytes <= limit else { throw .tooLarge(limit: limit) }
        return inflated
    }

    public static func compress(_ body: ByteBuffer) -> ByteBuffer? {
        var input = body
        return try? input.compress(with: .zlib())
    }
}
