import Testing
@testable import Reports

/// The allocation-free formatting agrees with the String formatting it replaces.
@Suite struct OutputBufferTests {
    static func render(_ body: (inout OutputBuffer) -> Void) -> String {
        var out: [UInt8] = []
        var b = OutputBuffer { out.append(contentsOf: $0) }
        body(&b)
        b.flush()
        return String(decoding: out, as: UTF8.self)
    }

    @Test func humanBytesReadsWell() {
        #expect(humanBytes(0) == "0 B")
        #expect(humanBytes(1023) == "1023 B")
        #expect(humanBytes(1024) == "1.0 KiB")
        #expect(humanBytes(1536) == "1.5 KiB")
        #expect(humanBytes(102_349) == "100 KiB")
        #expect(humanBytes(1_048_575) == "1.0 MiB")
        #expect(humanBytes(345 << 20) == "345 MiB")
        #expect(humanBytes(3 << 40) == "3.0 TiB")
    }

    @Test func humanBytesMatches() {
        var values: [UInt64] = [0, 1, 1023, 1024, 1025, 1535, 1536, 10239, 10240, 102_349, 102_350, 1_048_575,
                                1_048_576, 1_572_864, 104_857_599, 1 << 30, 3 << 40, 1 << 50, 1 << 60]
        var x: UInt64 = 7
        for _ in 0..<5000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            values.append(x >> (x % 60))
        }
        for v in values {
            #expect(OutputBufferTests.render { $0.appendHumanBytes(v) } == humanBytes(v), "value \(v)")
        }
    }

    @Test func groupedNumbersMatch() {
        for v: UInt64 in [0, 7, 999, 1000, 12345, 1_000_000, 123_456_789, UInt64.max] {
            #expect(OutputBufferTests.render { $0.append(v, grouped: true) } == grouped(v))
            #expect(OutputBufferTests.render { $0.append(v) } == String(v))
        }
    }
}

extension OutputBufferTests {
    @Test func hexMatchesStringFormatting() {
        var values: [UInt64] = [0, 1, 0xf, 0x10, 0xc000_0100_08, UInt64.max]
        var x: UInt64 = 11
        for _ in 0..<2000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            values.append(x >> (x % 64))
        }
        for v in values {
            #expect(OutputBufferTests.render { $0.appendHex(v) } == String(v, radix: 16), "value \(v)")
        }
    }
}
