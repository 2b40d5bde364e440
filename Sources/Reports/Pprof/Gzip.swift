import CElfutils

/// Gzip compression via zlib; the only file that touches zlib.
///
/// Holds no state: `compress` owns its `z_stream` for the duration of one call.
public enum Gzip {
    /// A zlib call failed with return code `code`.
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public let operation: String
        public let code: Int32
        public var description: String { "zlib \(operation) failed (\(code))" }
    }

    /// Compresses `bytes` into a single gzip member (RFC 1952).
    public static func compress(_ bytes: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws -> [UInt8] {
        var stream = z_stream()
        // deflateInit2 is a C macro; call its function form. windowBits 15 + 16 selects the gzip wrapper.
        var rc = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw Error(operation: "deflateInit2", code: rc) }
        defer { deflateEnd(&stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try bytes.withUnsafeBufferPointer { inBuf in
            var consumed = 0
            repeat {
                let available = min(inBuf.count - consumed, Int(UInt32.max))
                stream.next_in = inBuf.baseAddress.map { UnsafeMutablePointer(mutating: $0 + consumed) }
                stream.avail_in = UInt32(available)
                let flush = consumed + available == inBuf.count ? Z_FINISH : Z_NO_FLUSH
                repeat {
                    let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        rc = deflate(&stream, flush)
                        return out.count - Int(stream.avail_out)
                    }
                    guard rc != Z_STREAM_ERROR else { throw Error(operation: "deflate", code: rc) }
                    output.append(contentsOf: chunk[0 ..< produced])
                } while stream.avail_out == 0
                consumed += available - Int(stream.avail_in)
            } while rc != Z_STREAM_END
        }
        return output
    }
}
