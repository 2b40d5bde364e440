/// The profile's distinct frames: each is one `Location` with one `Line`
/// pointing at one `Function` of the same id.
///
/// Invariants: ids are dense, `1...count`, and frame `id` is stored at
/// `frames[id - 1]`; a (name, file) pair occurs once. Names and files are
/// string-table indices of the owning profile's `StringTable`.
struct FrameTable: Sendable {
    /// A frame as string-table indices; also the deduplication key.
    struct Frame: Hashable, Sendable {
        var name: Int64
        var file: Int64
    }

    private(set) var frames: [Frame] = []
    private var ids: [Frame: UInt64] = [:]

    var count: Int { frames.count }

    /// Returns the id of `frame`, assigning the next id if new.
    mutating func id(for frame: Frame) -> UInt64 {
        if let id = ids[frame] { return id }
        frames.append(frame)
        let id = UInt64(frames.count)
        ids[frame] = id
        return id
    }

    /// Whether `id` names a frame in this table.
    func contains(_ id: UInt64) -> Bool {
        id >= 1 && id <= UInt64(frames.count)
    }
}
