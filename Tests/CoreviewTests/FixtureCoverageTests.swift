import Testing

/// The fixtures themselves: every supported Go version is present with every scenario.
@Suite struct FixtureCoverageTests {
    @Test func everyVersionHasEveryScenario() {
        let programs = ["globalmap", "goroutines", "linkedlist", "shared", "zoo", "busy"]
        for v in FixtureStore.requiredVersions {
            for p in programs {
                #expect(FixtureStore.all.contains { $0.version == v && $0.program == p }, "missing fixture \(v)/\(p)")
            }
        }
    }
}
