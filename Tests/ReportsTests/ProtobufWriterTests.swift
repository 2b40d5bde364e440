import Testing
@testable import Reports

/// Byte-level checks against encodings from the protobuf encoding spec
/// (https://protobuf.dev/programming-guides/encoding/) or computed by hand.
@Suite struct ProtobufWriterTests {
    private func encode(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        body(&w)
        return w.bytes
    }

    @Test func varintFields() {
        #expect(encode { $0.uint64(1, 0) } == [0x08, 0x00])
        #expect(encode { $0.uint64(1, 1) } == [0x08, 0x01])
        #expect(encode { $0.uint64(1, 150) } == [0x08, 0x96, 0x01])  // spec example
        #expect(encode { $0.uint64(1, 300) } == [0x08, 0xAC, 0x02])
        #expect(encode { $0.uint64(2, UInt64.max) } == [0x10] + Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(encode { $0.bool(3, true) } == [0x18, 0x01])
    }

    @Test func tagsAboveFifteenTakeTwoBytes() {
        #expect(encode { $0.uint64(15, 1) } == [0x78, 0x01])
        #expect(encode { $0.uint64(16, 1) } == [0x80, 0x01, 0x01])
    }

    @Test func int64IsTwosComplementTenBytes() {
        #expect(encode { $0.int64(1, -1) } == [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(encode { $0.int64(1, -2) } == [0x08, 0xFE] + Array(repeating: 0xFF, count: 8) + [0x01])
        #expect(encode { $0.int64(1, Int64.min) } == [0x08] + Array(repeating: 0x80, count: 9) + [0x01])
        #expect(encode { $0.int64(1, 150) } == [0x08, 0x96, 0x01])
    }

    @Test func varintSize() {
        for (value, size) in [(0, 1), (127, 1), (128, 2), (16383, 2), (16384, 3)] as [(UInt64, Int)] {
            #expect(ProtobufWriter.varintSize(value) == size)
        }
        #expect(ProtobufWriter.varintSize(UInt64.max) == 10)
    }

    @Test func stringsAndBytes() {
        // Spec example: field 2, "testing".
        #expect(encode { $0.string(2, "testing") } == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
        #expect(encode { $0.string(6, "") } == [0x32, 0x00])
        #expect(encode { $0.bytes(1, [0xDE, 0xAD]) } == [0x0A, 0x02, 0xDE, 0xAD])
        #expect(encode { $0.string(1, "é") } == [0x0A, 0x02, 0xC3, 0xA9])
    }

    @Test func nestedMessages() {
        // Spec example: field 3 holding a message with field 1 = 150.
        #expect(encode { $0.message(3) { $0.uint64(1, 150) } } == [0x1A, 0x03, 0x08, 0x96, 0x01])
        #expect(encode { $0.message(1) { _ in } } == [0x0A, 0x00])
        // Two levels, with fields before and after.
        let bytes = encode { w in
            w.uint64(1, 1)
            w.message(2) { m in
                m.message(3) { $0.uint64(1, 2) }
                m.uint64(4, 5)
            }
            w.uint64(5, 6)
        }
        #expect(bytes == [0x08, 0x01, 0x12, 0x06, 0x1A, 0x02, 0x08, 0x02, 0x20, 0x05, 0x28, 0x06])
    }

    @Test func nestedMessageWithTwoByteLength() {
        let payload = [UInt8](repeating: 0x41, count: 200)
        let bytes = encode { w in w.message(1) { $0.bytes(2, payload) } }
        // Inner: 0x12, 0xC8 0x01, 200 bytes = 203 bytes -> length 0xCB 0x01.
        #expect(bytes == [0x0A, 0xCB, 0x01, 0x12, 0xC8, 0x01] + payload)
    }

    @Test func packedRepeated() {
        // Spec example: field 4, packed [3, 270, 86942].
        #expect(encode { $0.packedUInt64(4, [3, 270, 86942]) } == [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])
        #expect(encode { $0.packedInt64(2, [1, -1]) }
            == [0x12, 0x0B, 0x01] + Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(encode { $0.packedUInt64(1, []) } == [])
        #expect(encode { $0.packedUInt64(1, [1, 2, 3][1...]) } == [0x0A, 0x02, 0x02, 0x03])
    }

    @Test func roundTripThroughDecoder() throws {
        let bytes = encode { w in
            w.uint64(1, 42)
            w.int64(2, -7)
            w.string(3, "hello")
            w.packedUInt64(4, [1, 1 << 40, .max])
            w.message(5) { $0.string(1, "inner") }
        }
        let fields = try ProtobufDecoder.fields(of: bytes)
        #expect(fields.map(\.number) == [1, 2, 3, 4, 5])
        #expect(fields[0].varint == 42)
        #expect(Int64(bitPattern: fields[1].varint!) == -7)
        #expect(String(decoding: fields[2].bytes!, as: UTF8.self) == "hello")
        #expect(try fields[3].repeatedVarints() == [1, 1 << 40, .max])
        let inner = try ProtobufDecoder.fields(of: fields[4].bytes!)
        #expect(inner.count == 1 && String(decoding: inner[0].bytes!, as: UTF8.self) == "inner")
    }
}
