/// A profile.proto message decoded into plain values, for assertions.
///
/// Holds strings already resolved through the string table; stacks are
/// location ids leaf first, exactly as stored. `locations` maps location id
/// to its function ids (one per `Line`); `functions` maps function id to
/// (name, file).
struct DecodedProfile {
    struct Sample {
        var locationIDs: [UInt64] = []
        var values: [Int64] = []
        var labels: [String: String] = [:]
    }

    var stringTable: [String] = []
    var sampleTypes: [(type: String, unit: String)] = []
    var samples: [Sample] = []
    var locations: [UInt64: [UInt64]] = [:]
    var functions: [UInt64: (name: String, file: String)] = [:]
    var comments: [String] = []
    var defaultSampleType: String = ""
    var timeNanos: Int64 = 0

    /// Function names of a sample's stack, leaf first.
    func names(_ sample: Sample) -> [String] {
        sample.locationIDs.flatMap { locations[$0]!.map { functions[$0]!.name } }
    }

    init(_ bytes: [UInt8]) throws {
        typealias D = ProtobufDecoder
        let fields = try D.fields(of: bytes)
        // String indices are resolved after the whole message is read, as
        // the string table may come last.
        var rawSampleTypes: [(UInt64, UInt64)] = []
        var rawSamples: [(Sample, [(UInt64, UInt64)])] = []
        var rawFunctions: [UInt64: (UInt64, UInt64)] = [:]
        var rawComments: [UInt64] = []
        var rawDefault: UInt64 = 0
        for f in fields {
            switch f.number {
            case 1:
                var t: UInt64 = 0, u: UInt64 = 0
                for g in try D.fields(of: f.bytes!) {
                    if g.number == 1 { t = g.varint! } else if g.number == 2 { u = g.varint! }
                }
                rawSampleTypes.append((t, u))
            case 2:
                var s = Sample()
                var labels: [(UInt64, UInt64)] = []
                for g in try D.fields(of: f.bytes!) {
                    switch g.number {
                    case 1: s.locationIDs += try g.repeatedVarints()
                    case 2: s.values += try g.repeatedVarints().map { Int64(bitPattern: $0) }
                    case 3:
                        var k: UInt64 = 0, v: UInt64 = 0
                        for h in try D.fields(of: g.bytes!) {
                            if h.number == 1 { k = h.varint! } else if h.number == 2 { v = h.varint! }
                        }
                        labels.append((k, v))
                    default: break
                    }
                }
                rawSamples.append((s, labels))
            case 4:
                var id: UInt64 = 0
                var fns: [UInt64] = []
                for g in try D.fields(of: f.bytes!) {
                    if g.number == 1 { id = g.varint! }
                    if g.number == 4 {
                        for h in try D.fields(of: g.bytes!) where h.number == 1 { fns.append(h.varint!) }
                    }
                }
                locations[id] = fns
            case 5:
                var id: UInt64 = 0, name: UInt64 = 0, file: UInt64 = 0
                for g in try D.fields(of: f.bytes!) {
                    switch g.number {
                    case 1: id = g.varint!
                    case 2: name = g.varint!
                    case 4: file = g.varint!
                    default: break
                    }
                }
                rawFunctions[id] = (name, file)
            case 6: stringTable.append(String(decoding: f.bytes!, as: UTF8.self))
            case 9: timeNanos = Int64(bitPattern: f.varint!)
            case 13: rawComments += try f.repeatedVarints()
            case 14: rawDefault = f.varint!
            default: break
            }
        }
        let st = stringTable
        sampleTypes = rawSampleTypes.map { (st[Int($0.0)], st[Int($0.1)]) }
        samples = rawSamples.map { s, labels in
            var s = s
            for (k, v) in labels { s.labels[st[Int(k)]] = st[Int(v)] }
            return s
        }
        functions = rawFunctions.mapValues { (st[Int($0.0)], st[Int($0.1)]) }
        comments = rawComments.map { st[Int($0)] }
        defaultSampleType = st[Int(rawDefault)]
    }
}
