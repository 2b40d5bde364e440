// swift-tools-version:6.0
import PackageDescription

/// The heap walk, graph and dominator code run over hundreds of millions of words: release builds skip
/// the dynamic exclusivity checks on their class state (the code is single-threaded per instance).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "coreview",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "coreview", targets: ["coreview"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // elfutils (libelf, libdw) and zlib, as a system library.
        .systemLibrary(name: "CElfutils", pkgConfig: "libdw",
                       providers: [.apt(["libelf-dev", "libdw-dev", "zlib1g-dev"])]),
        // The prefetch hint the hot loops use.
        .target(name: "CPrefetch"),
        // ELF core files, executables, the address space of the dumped process.
        .target(name: "CoreFile", dependencies: ["CElfutils"], swiftSettings: hotPath),
        // Go's DWARF: types, globals, frame variables.
        .target(name: "GoDWARF", dependencies: ["CElfutils", "CoreFile"]),
        // The Go runtime's structures in a core: version, heap, goroutines, roots, types.
        .target(name: "GoRuntime", dependencies: ["CElfutils", "CPrefetch", "CoreFile", "GoDWARF", "HeapGraph"], swiftSettings: hotPath),
        // Graphs of integers: CSR edges, reachability, dominators. Knows nothing of Go.
        .target(name: "HeapGraph", dependencies: ["CPrefetch"], swiftSettings: hotPath),
        // Analyses ready to render: overview, histogram, retainers, top, paths.
        .target(name: "Analysis", dependencies: ["CoreFile", "GoDWARF", "GoRuntime", "HeapGraph"], swiftSettings: hotPath),
        // Renderers: text tables, JSON, pprof, DOT.
        .target(name: "Reports", dependencies: ["Analysis", "CElfutils"]),
        .executableTarget(name: "coreview", dependencies: [
            "CoreFile", "GoRuntime", "Analysis", "Reports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "HeapGraphTests", dependencies: ["HeapGraph"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "CElfutils"]),
        .testTarget(name: "CoreviewTests", dependencies: [
            "CoreFile", "GoDWARF", "GoRuntime", "HeapGraph", "Analysis", "Reports", "coreview",
        ], swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
