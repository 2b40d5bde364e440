/// An append-only buffer of protobuf wire-format bytes.
///
/// Holds `bytes`, a concatenation of complete, canonically encoded fields
/// (minimal varints, tag = field number << 3 | wire type). Every public
/// writer appends exactly one field (a packed repeated field is one field),
/// so `bytes` is a valid message body after each call. Field numbers must be
/// in 1...(2^29 - 1).
public struct ProtobufWriter: Sendable {
    /// Protobuf wire types used by this writer.
    enum WireType: UInt64 {
        case varint = 0
        case lengthDelimited = 2
    }

    /// The encoded message body so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Empties the buffer, keeping its storage for reuse.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    // MARK: Scalars

    /// Writes a varint field holding `value`.
    public mutating func uint64(_ field: Int, _ value: UInt64) {
        tag(field, .varint)
        appendVarint(value)
    }

    /// Writes an `int64` field: negative values are sign-extended to 64 bits
    /// and therefore take ten bytes (protobuf's `int64`, not `sint64`).
    public mutating func int64(_ field: Int, _ value: Int64) {
        uint64(field, UInt64(bitPattern: value))
    }

    /// Writes a `bool` field as varint 0 or 1.
    public mutating func bool(_ field: Int, _ value: Bool) {
        uint64(field, value ? 1 : 0)
    }

    // MARK: Length-delimited

    /// Writes a length-delimited field holding raw `value` bytes.
    public mutating func bytes(_ field: Int, _ value: some Collection<UInt8>) {
        tag(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a length-delimited field holding `value` as UTF-8.
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, value.utf8)
    }

    /// Writes a nested message: `body` appends the inner fields to this same
    /// writer, then the length prefix is inserted in front of them. Cost is
    /// one move of the inner bytes per nesting level, with no temporary
    /// buffer.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        tag(field, .lengthDelimited)
        let start = bytes.count
        body(&self)
        let length = bytes.count - start
        let prefixSize = Self.varintSize(UInt64(length))
        bytes.append(contentsOf: repeatElement(0, count: prefixSize))
        bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress! + start
            // Shift the body right by prefixSize; copy backwards (regions overlap).
            var j = length
            while j > 0 { j -= 1; base[j + prefixSize] = base[j] }
            var i = 0
            Self.encodeVarint(UInt64(length)) { base[i] = $0; i += 1 }
        }
    }

    // MARK: Packed repeated

    /// Writes a packed repeated `uint64` field (omitted when `values` is empty,
    /// as protobuf encoders do for empty packed fields).
    public mutating func packedUInt64(_ field: Int, _ values: some Collection<UInt64>) {
        guard !values.isEmpty else { return }
        var length = 0
        for v in values { length += Self.varintSize(v) }
        tag(field, .lengthDelimited)
        appendVarint(UInt64(length))
        for v in values { appendVarint(v) }
    }

    /// Writes a packed repeated `int64` field (two's complement varints;
    /// omitted when `values` is empty).
    public mutating func packedInt64(_ field: Int, _ values: some Collection<Int64>) {
        packedUInt64(field, values.lazy.map { UInt64(bitPattern: $0) })
    }

    // MARK: Primitives

    /// Number of bytes the minimal varint encoding of `value` takes (1...10).
    public static func varintSize(_ value: UInt64) -> Int {
        let bits = 64 - value.leadingZeroBitCount
        return bits == 0 ? 1 : (bits + 6) / 7
    }

    /// Appends the minimal varint encoding of `value` (no tag).
    public mutating func appendVarint(_ value: UInt64) {
        Self.encodeVarint(value) { bytes.append($0) }
    }

    private static func encodeVarint(_ value: UInt64, _ emit: (UInt8) -> Void) {
        var v = value
        while v >= 0x80 {
            emit(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        emit(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ type: WireType) {
        precondition(field > 0 && field < (1 << 29), "invalid protobuf field number \(field)")
        appendVarint(UInt64(field) << 3 | type.rawValue)
    }
}
