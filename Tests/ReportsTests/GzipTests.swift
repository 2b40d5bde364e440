import CElfutils
import Testing
@testable import Reports

/// Gzip output must be a valid gzip stream that inflates back to the input.
@Suite struct GzipTests {
    /// Inflates a gzip stream with zlib (windowBits 15 + 16: gzip only).
    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        struct InflateError: Error { let code: Int32 }
        var stream = z_stream()
        var rc = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw InflateError(code: rc) }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            repeat {
                let n = chunk.withUnsafeMutableBufferPointer { buf -> Int in
                    stream.next_out = buf.baseAddress
                    stream.avail_out = UInt32(buf.count)
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return buf.count - Int(stream.avail_out)
                }
                guard rc == Z_OK || rc == Z_STREAM_END else { throw InflateError(code: rc) }
                out += chunk[0 ..< n]
            } while rc != Z_STREAM_END
            guard stream.avail_in == 0 else { throw InflateError(code: -100) }  // trailing garbage
        }
        return out
    }

    @Test(arguments: [0, 1, 1000, 300_000])
    func roundTrip(size: Int) throws {
        // Mildly compressible pseudo-random data, larger than one 64 KiB output chunk.
        var state: UInt64 = 0x1234_5678
        let input: [UInt8] = (0 ..< size).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 59)
        }
        let compressed = try Gzip.compress(input)
        #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08])  // gzip magic + deflate
        #expect(try Self.gunzip(compressed) == input)
    }

    @Test func incompressibleInputSpansManyChunks() throws {
        var state: UInt64 = 99
        let input: [UInt8] = (0 ..< 400_000).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        #expect(try Self.gunzip(try Gzip.compress(input)) == input)
    }
}
