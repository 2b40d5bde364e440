/// A pprof profile under construction (google/pprof `profile.proto`).
///
/// Holds the sample types, interned strings, frames (one `Location` + one
/// `Function` per distinct name/file, sharing an id) and merged samples.
/// Invariants: every sample has one value per sample type and references
/// only location ids returned by `location(named:file:)`; samples with the
/// same stack and label set are stored once with summed values.
public struct PprofProfile: Sendable {
    private var strings = StringTable()
    private var frames = FrameTable()
    private var samples: SampleTable
    /// (type, unit) string indices, one per value column.
    private let sampleTypes: [(type: Int64, unit: Int64)]
    private let defaultSampleType: Int64

    /// Free-form notes; pprof prints them at the head of text reports and with `-comments`.
    public var comments: [String] = []
    /// Collection time, nanoseconds since the Unix epoch (0 = unset).
    public var timeNanos: Int64 = 0

    /// Creates an empty profile with one value column per sample type,
    /// e.g. `[("retained_space", "bytes"), ("retained_objects", "count")]`.
    /// `defaultSampleType` names the column pprof shows by default (it picks
    /// the last one when unset).
    public init(sampleTypes: [(type: String, unit: String)], defaultSampleType: String? = nil) {
        precondition(!sampleTypes.isEmpty, "a profile needs at least one sample type")
        var strings = StringTable()
        self.sampleTypes = sampleTypes.map { (strings.intern($0.type), strings.intern($0.unit)) }
        self.defaultSampleType = defaultSampleType.map { strings.intern($0) } ?? 0
        self.strings = strings
        self.samples = SampleTable(width: sampleTypes.count)
    }

    /// Number of distinct (merged) samples.
    public var sampleCount: Int { samples.count }

    /// Interns a frame (a function name, optionally a file) and returns its location id; the same name gives the same id.
    public mutating func location(named name: String, file: String = "") -> UInt64 {
        let frame = FrameTable.Frame(name: strings.intern(name), file: strings.intern(file))
        return frames.id(for: frame)
    }

    /// Adds a sample; `stack` is leaf-first (pprof's order) location ids; values per sample type.
    /// Labels are (key, string value) pairs; their order does not matter.
    public mutating func addSample(stack: [UInt64], values: [Int64], labels: [(String, String)] = []) {
        precondition(stack.allSatisfy(frames.contains), "stack references an unknown location id")
        var flat: [Int64] = []
        if !labels.isEmpty {
            var pairs: [(Int64, Int64)] = labels.map { (strings.intern($0.0), strings.intern($0.1)) }
            pairs.sort { $0 < $1 }
            flat.reserveCapacity(pairs.count * 2)
            for (key, value) in pairs { flat.append(key); flat.append(value) }
        }
        samples.add(stack: stack, labelPairs: flat, values: values)
    }

    /// Serialized profile.proto bytes (uncompressed).
    public func serialized() -> [UInt8] {
        typealias P = ProfileProto
        var strings = self.strings
        let commentIndices = comments.map { strings.intern($0) }
        var w = ProtobufWriter()

        for (type, unit) in sampleTypes {
            w.message(P.Profile.sampleType) { v in
                v.int64(P.ValueType.type, type)
                v.int64(P.ValueType.unit, unit)
            }
        }
        for i in 0 ..< samples.count {
            w.message(P.Profile.sample) { s in
                s.packedUInt64(P.Sample.locationID, samples.stack(i))
                s.packedInt64(P.Sample.value, samples.values(i))
                let pairs = samples.labelPairs(i)
                var k = pairs.startIndex
                while k < pairs.endIndex {
                    let (key, str) = (pairs[k], pairs[k + 1])
                    s.message(P.Sample.label) { l in
                        l.int64(P.Label.key, key)
                        l.int64(P.Label.str, str)
                    }
                    k += 2
                }
            }
        }
        for offset in frames.frames.indices {
            let id = UInt64(offset + 1)
            w.message(P.Profile.location) { l in
                l.uint64(P.Location.id, id)
                l.message(P.Location.line) { line in line.uint64(P.Line.functionID, id) }
            }
        }
        for (offset, frame) in frames.frames.enumerated() {
            w.message(P.Profile.function) { f in
                f.uint64(P.Function.id, UInt64(offset + 1))
                f.int64(P.Function.name, frame.name)
                f.int64(P.Function.systemName, frame.name)
                if frame.file != 0 { f.int64(P.Function.filename, frame.file) }
            }
        }
        for s in strings.strings { w.string(P.Profile.stringTable, s) }
        if timeNanos != 0 { w.int64(P.Profile.timeNanos, timeNanos) }
        w.packedInt64(P.Profile.comment, commentIndices)
        if defaultSampleType != 0 { w.int64(P.Profile.defaultSampleType, defaultSampleType) }
        return w.bytes
    }

    /// The gzip-compressed serialized profile, the form `go tool pprof` reads.
    public func gzipped() throws -> [UInt8] {
        try Gzip.compress(serialized())
    }
}
