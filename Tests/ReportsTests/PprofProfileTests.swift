import Testing
@testable import Reports

/// Decodes what `PprofProfile` writes and checks it against profile.proto.
@Suite struct PprofProfileTests {
    static func sampleProfile() -> PprofProfile {
        var p = PprofProfile(sampleTypes: [("retained_space", "bytes"), ("retained_objects", "count")],
                             defaultSampleType: "retained_space")
        let root = p.location(named: "root")
        let cache = p.location(named: "main.cache", file: "main.go")
        let map = p.location(named: "map")
        let block = p.location(named: "*main.Block")
        p.addSample(stack: [block, map, cache, root], values: [4096, 4])
        p.addSample(stack: [cache, root], values: [100, 1])
        p.addSample(stack: [root], values: [8, 1])
        return p
    }

    @Test func stringTableStartsEmptyAndHasNoDuplicates() throws {
        let d = try DecodedProfile(Self.sampleProfile().serialized())
        #expect(d.stringTable.first == "")
        #expect(Set(d.stringTable).count == d.stringTable.count)
    }

    @Test func sampleTypesAndDefault() throws {
        let d = try DecodedProfile(Self.sampleProfile().serialized())
        #expect(d.sampleTypes.map { "\($0.type)/\($0.unit)" } == ["retained_space/bytes", "retained_objects/count"])
        #expect(d.defaultSampleType == "retained_space")
    }

    @Test func samplesLocationsAndFunctions() throws {
        let d = try DecodedProfile(Self.sampleProfile().serialized())
        #expect(d.samples.count == 3)
        #expect(d.names(d.samples[0]) == ["*main.Block", "map", "main.cache", "root"])
        #expect(d.samples[0].values == [4096, 4])
        #expect(d.names(d.samples[2]) == ["root"])
        #expect(d.locations.count == 4 && d.functions.count == 4)
        #expect(d.locations.keys.sorted() == [1, 2, 3, 4])  // ids are non-zero
        #expect(d.functions.values.first { $0.name == "main.cache" }?.file == "main.go")
    }

    @Test func locationIDsAreInterned() {
        var p = PprofProfile(sampleTypes: [("x", "count")])
        let a = p.location(named: "f")
        #expect(p.location(named: "f") == a)
        #expect(p.location(named: "g") != a)
        #expect(p.location(named: "f", file: "other.go") != a)  // a different frame
    }

    @Test func identicalSamplesMerge() throws {
        var p = PprofProfile(sampleTypes: [("a", "bytes"), ("b", "count")])
        let f = p.location(named: "f"), g = p.location(named: "g")
        p.addSample(stack: [f, g], values: [1, 10])
        p.addSample(stack: [f, g], values: [2, 20])
        p.addSample(stack: [g, f], values: [4, 40])  // different order: distinct
        p.addSample(stack: [f], values: [8, 80])  // prefix: distinct
        p.addSample(stack: [f, g], values: [16, 160], labels: [("k", "v")])  // labels: distinct
        p.addSample(stack: [f, g], values: [32, 320], labels: [("k", "v")])
        #expect(p.sampleCount == 4)
        let d = try DecodedProfile(p.serialized())
        let byKey = Dictionary(uniqueKeysWithValues: d.samples.map { (d.names($0).joined(separator: ";") + "|\($0.labels)", $0.values) })
        #expect(byKey["f;g|[:]"] == [3, 30])
        #expect(byKey["g;f|[:]"] == [4, 40])
        #expect(byKey["f|[:]"] == [8, 80])
        #expect(byKey["f;g|[\"k\": \"v\"]"] == [48, 480])
    }

    @Test func labelOrderDoesNotMatter() throws {
        var p = PprofProfile(sampleTypes: [("a", "bytes")])
        let f = p.location(named: "f")
        p.addSample(stack: [f], values: [1], labels: [("type", "T"), ("kind", "map")])
        p.addSample(stack: [f], values: [2], labels: [("kind", "map"), ("type", "T")])
        let d = try DecodedProfile(p.serialized())
        #expect(d.samples.count == 1)
        #expect(d.samples[0].values == [3])
        #expect(d.samples[0].labels == ["type": "T", "kind": "map"])
    }

    @Test func negativeValuesAndCommentsAndTime() throws {
        var p = PprofProfile(sampleTypes: [("a", "bytes")])
        p.comments = ["core: core.1234", "go1.25"]
        p.timeNanos = 1_700_000_000_000_000_000
        p.addSample(stack: [p.location(named: "f")], values: [-5])
        let d = try DecodedProfile(p.serialized())
        #expect(d.samples[0].values == [-5])
        #expect(d.comments == ["core: core.1234", "go1.25"])
        #expect(d.timeNanos == 1_700_000_000_000_000_000)
        #expect(d.defaultSampleType == "")  // unset
        #expect(d.stringTable.first == "")
    }

    @Test func emptyProfileIsValid() throws {
        let d = try DecodedProfile(PprofProfile(sampleTypes: [("a", "bytes")]).serialized())
        #expect(d.samples.isEmpty && d.stringTable == ["", "a", "bytes"])
    }

    @Test func gzippedInflatesToSerialized() throws {
        let p = Self.sampleProfile()
        #expect(try GzipTests.gunzip(p.gzipped()) == p.serialized())
    }

    /// Many samples over a deep, shared tree: merging must stay linear.
    @Test func manySamplesScale() throws {
        var p = PprofProfile(sampleTypes: [("a", "bytes"), ("b", "count")])
        let ids = (0 ..< 1000).map { p.location(named: "f\($0)") }
        var stack: [UInt64] = []
        stack.reserveCapacity(64)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for i in 0 ..< 100_000 {
                stack.removeAll(keepingCapacity: true)
                var x = i
                for _ in 0 ..< 48 { stack.append(ids[x % 1000]); x = x / 3 + 7 }
                p.addSample(stack: stack, values: [Int64(i % 97), 1])
                if i % 2 == 0 { p.addSample(stack: stack, values: [1, 1]) }  // merges
            }
        }
        #expect(p.sampleCount == 100_000)
        var bytes: [UInt8] = []
        let encodeTime = clock.measure { bytes = p.serialized() }
        let d = try DecodedProfile(bytes)
        #expect(d.samples.count == 100_000)
        #expect(d.samples.reduce(0) { $0 + $1.values[1] } == 150_000)
        print("150k addSample (48 frames): \(elapsed); serialize \(bytes.count) bytes: \(encodeTime)")
    }
}
