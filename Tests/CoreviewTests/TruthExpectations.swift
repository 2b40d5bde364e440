import Foundation

/// How a planted entry of truth.json shows up in coreview's answers.
extension Truth.Planted {
    /// Planted as one heap array of `count` elements ("[1048576]uint8", or a note saying so).
    var isOneHeapArray: Bool { type.hasPrefix("[") || (note ?? "").contains("one heap array") }

    /// Stored inline in another object (map values): no objects of its own.
    var isInline: Bool { sampleAddresses.isEmpty }

    /// The type name coreview's histogram gives the objects: "[]T" for a heap array of T.
    var histogramType: String {
        if type.hasPrefix("["), let close = type.firstIndex(of: "]") { return "[]" + type[type.index(after: close)...] }
        return isOneHeapArray ? "[]" + type : type
    }

    /// The number of heap objects this entry is.
    var objectCount: Int { isOneHeapArray ? 1 : count }

    /// Whether DWARF says enough to name these objects:
    /// - captured closure variables get types only from Go 1.23's DWARF (DW_AT_go_closure_offset);
    /// - Go 1.19's DWARF does not locate `work` in main.spin's loop (its location list ends right after
    ///   the assignment), so the spinning goroutines' Work objects cannot be named there.
    func isTypeable(goVersion: String) -> Bool {
        let minor = Int(goVersion.dropFirst(4).prefix { $0.isNumber }) ?? 0
        if root.name == "main.callback" && type == "main.Captured" && minor < 23 { return false }
        if root.function == "main.spin" && minor < 21 { return false }
        return true
    }
}

extension Fixture {
    var minor: Int { Int(version.dropFirst(4).prefix { $0.isNumber }) ?? 0 }
}
