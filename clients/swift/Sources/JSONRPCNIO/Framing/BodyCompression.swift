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
    public static func decompress(_ body: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        var input = body
        do {
            return try input.decompress(with: .zlib(), maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge(limit: limit)
        } catch {
            throw .corrupt
        }
    }

    public static func compress(_ body: ByteBuffer) -> ByteBuffer? {
        var input = body
        return try? input.compress(with: .zlib())
    }
}
