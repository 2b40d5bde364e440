/// A set of node ids drawn from `0..<capacity`, stored as a bit set (1 bit per possible id).
///
/// Invariants: `words.count == (capacity + 63) / 64`; bits at positions `>= capacity` are zero;
/// `count` equals the number of set bits. Iterating yields members in increasing order.
public struct NodeSet: Sendable, Equatable, Sequence {
    /// The bits, 64 ids per word, id `i` at bit `i % 64` of word `i / 64`.
    public private(set) var words: [UInt64]
    /// The size of the universe: members are `< capacity`.
    public let capacity: Int
    /// The number of members.
    public private(set) var count: Int

    /// An empty set over the ids `0..<count`.
    public init(count: Int) {
        precondition(count >= 0)
        capacity = count
        words = [UInt64].hugePaged(repeating: 0, count: (count + 63) >> 6)
        self.count = 0
    }

    /// Wraps precomputed bits; `count` must be their population count.
    internal init(capacity: Int, words: [UInt64], count: Int) {
        precondition(words.count == (capacity + 63) >> 6)
        self.capacity = capacity
        self.words = words
        self.count = count
    }

    /// True when the set has no members.
    public var isEmpty: Bool { count == 0 }

    /// Is `node` a member? Ids outside `0..<capacity` are not.
    @inlinable
    public func contains(_ node: UInt32) -> Bool {
        let i = Int(node)
        guard i < capacity else { return false }
        return words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Adds `node` (which must be `< capacity`); returns true if it was not yet a member.
    @discardableResult
    public mutating func insert(_ node: UInt32) -> Bool {
        let i = Int(node)
        precondition(i < capacity, "NodeSet.insert: \(node) out of range")
        let bit: UInt64 = 1 << UInt64(i & 63)
        let w = words[i >> 6]
        if w & bit != 0 { return false }
        words[i >> 6] = w | bit
        count += 1
        return true
    }

    /// Removes `node`; returns true if it was a member.
    @discardableResult
    public mutating func remove(_ node: UInt32) -> Bool {
        let i = Int(node)
        guard i < capacity else { return false }
        let bit: UInt64 = 1 << UInt64(i & 63)
        let w = words[i >> 6]
        if w & bit == 0 { return false }
        words[i >> 6] = w & ~bit
        count -= 1
        return true
    }

    /// Iterates the members in increasing order.
    public struct Iterator: IteratorProtocol, Sendable {
        private let words: [UInt64]
        private var wordIndex: Int
        private var current: UInt64

        fileprivate init(words: [UInt64]) {
            self.words = words
            wordIndex = 0
            current = words.first ?? 0
        }

        public mutating func next() -> UInt32? {
            while current == 0 {
                wordIndex += 1
                guard wordIndex < words.count else { return nil }
                current = words[wordIndex]
            }
            let bit = current.trailingZeroBitCount
            current &= current &- 1
            return UInt32(truncatingIfNeeded: wordIndex << 6 | bit)
        }
    }

    public func makeIterator() -> Iterator { Iterator(words: words) }

    public var underestimatedCount: Int { count }
}
