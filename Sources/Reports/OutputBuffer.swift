/// Bytes on their way to an output, flushed in large chunks; with allocation-free formatting of the
/// numbers the dominator-tree export prints millions of (a `String` per line would dominate the time).
///
/// Invariant: `bytes` holds what has not been flushed yet; `flush()` hands it to `sink` and empties it.
public struct OutputBuffer {
    private var bytes: [UInt8] = []
    private let sink: (UnsafeRawBufferPointer) -> Void
    public static let chunk = 1 << 20

    /// `capacity`: bytes reserved up front (a full chunk for streams; small for one short string).
    public init(capacity: Int = OutputBuffer.chunk + 4096, sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.sink = sink
        bytes.reserveCapacity(capacity)
    }

    public mutating func flush() {
        bytes.withUnsafeBytes { sink($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private mutating func flushIfFull() { if bytes.count >= OutputBuffer.chunk { flush() } }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
        flushIfFull()
    }

    public mutating func append(byte: UInt8) { bytes.append(byte) }

    public mutating func spaces(_ n: Int) {
        for _ in 0..<n { bytes.append(0x20) }
    }

    /// Decimal digits of `v`, with a comma every three digits when `grouped`.
    public mutating func append(_ v: UInt64, grouped: Bool = false) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { tmp in
            var n = 0
            var x = v
            var digits = 0
            repeat {
                if grouped && digits > 0 && digits % 3 == 0 { tmp[n] = 0x2C; n += 1 }
                tmp[n] = UInt8(truncatingIfNeeded: x % 10) + 0x30
                n += 1
                x /= 10
                digits += 1
            } while x > 0
            while n > 0 { n -= 1; bytes.append(tmp[n]) }
        }
    }

    /// Lowercase hexadecimal digits of `v` (no prefix).
    public mutating func appendHex(_ v: UInt64) {
        let hex: StaticString = "0123456789abcdef"
        var shift = max(0, (63 - v.leadingZeroBitCount) / 4 * 4)
        hex.withUTF8Buffer { digits in
            while shift >= 0 {
                bytes.append(digits[Int((v >> UInt64(shift)) & 0xf)])
                shift -= 4
            }
        }
    }

    /// `humanBytes(v)` without building a String: "512 B", "1.2 KiB", "345 MiB".
    public mutating func appendHumanBytes(_ v: UInt64) {
        if v < 1024 {
            append(v)
            append(" B")
            return
        }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        // The unit keeps the value below 1024 (as humanBytes does), rounding to tenths below 100.
        var unit = 0
        var scale: UInt64 = 1024
        while unit < units.count - 1, (v / scale) + ((v % scale) >= scale / 2 ? 1 : 0) >= 1024 {
            unit += 1
            scale *= 1024
        }
        let tenths = (v / scale) * 10 + ((v % scale) * 10 + scale / 2) / scale
        if tenths >= 1000 {
            append((v + scale / 2) / scale)
        } else {
            append(tenths / 10)
            append(byte: 0x2E)
            append(tenths % 10)
        }
        append(byte: 0x20)
        append(units[unit])
    }
}
