/// Distinct samples in flat storage, merging samples with equal keys.
///
/// A sample's key is its stack (location ids, leaf first; stored as `UInt32`
/// to halve memory for deep stacks) plus its labels
/// (string-table index pairs, sorted so order does not matter). Sample `i`
/// owns `stacks[stackStart[i] ..< stackStart[i + 1]]`,
/// `labels[labelStart[i] ..< labelStart[i + 1]]` (key, value, key, value …)
/// and `values[i * width ..< (i + 1) * width]`.
///
/// Invariants: `stackStart` and `labelStart` have `count + 1` ascending
/// entries starting at 0; no two samples have equal keys; `slots` is an
/// open-addressing hash table (power-of-two size, at most half full) whose
/// non-negative entries are sample indices, and `hashes[i]` is sample `i`'s
/// key hash. Adding a sample is amortized O(stack depth + labels).
struct SampleTable: Sendable {
    /// Number of values per sample (one per sample type).
    let width: Int

    private(set) var stacks: [UInt32] = []
    private(set) var stackStart: [Int] = [0]
    private(set) var labels: [Int64] = []
    private(set) var labelStart: [Int] = [0]
    private(set) var values: [Int64] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32] = Array(repeating: -1, count: 16)

    init(width: Int) {
        self.width = width
    }

    var count: Int { hashes.count }

    func stack(_ i: Int) -> LazyMapSequence<ArraySlice<UInt32>, UInt64> {
        stacks[stackStart[i] ..< stackStart[i + 1]].lazy.map(UInt64.init)
    }
    func labelPairs(_ i: Int) -> ArraySlice<Int64> { labels[labelStart[i] ..< labelStart[i + 1]] }
    func values(_ i: Int) -> ArraySlice<Int64> { values[i * width ..< (i + 1) * width] }

    /// Adds `sampleValues` to the sample keyed by (`stack`, `labelPairs`),
    /// creating it if new. `labelPairs` must already be sorted by pair, and
    /// location ids must fit in `UInt32`.
    mutating func add(stack: [UInt64], labelPairs: [Int64], values sampleValues: [Int64]) {
        precondition(sampleValues.count == width, "expected \(width) values, got \(sampleValues.count)")
        let hash = Self.hash(stack, labelPairs)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let i = Int(slots[slot])
            if i < 0 { break }
            if hashes[i] == hash, stackEquals(i, stack), self.labelPairs(i).elementsEqual(labelPairs) {
                for k in 0 ..< width { values[i * width + k] += sampleValues[k] }
                return
            }
            slot = (slot + 1) & mask
        }
        let i = count
        precondition(i < Int32.max, "too many distinct samples")
        slots[slot] = Int32(i)
        hashes.append(hash)
        for id in stack {
            precondition(id <= UInt32.max, "location id \(id) exceeds UInt32")
            stacks.append(UInt32(truncatingIfNeeded: id))
        }
        stackStart.append(stacks.count)
        labels.append(contentsOf: labelPairs)
        labelStart.append(labels.count)
        values.append(contentsOf: sampleValues)
        if count * 2 > slots.count { grow() }
    }

    private func stackEquals(_ i: Int, _ stack: [UInt64]) -> Bool {
        let start = stackStart[i]
        guard stackStart[i + 1] - start == stack.count else { return false }
        for (k, id) in stack.enumerated() where UInt64(stacks[start + k]) != id { return false }
        return true
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (i, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    /// A fast, non-cryptographic hash of a key (multiply–xorshift mixing).
    private static func hash(_ stack: [UInt64], _ labelPairs: [Int64]) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(stack.count)
        @inline(__always) func mix(_ x: UInt64) {
            h = (h ^ x) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        for id in stack { mix(id) }
        mix(0xFFFF_FFFF_FFFF_FFFF)  // separates stack from labels
        for s in labelPairs { mix(UInt64(bitPattern: s)) }
        h = (h ^ (h >> 30)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
