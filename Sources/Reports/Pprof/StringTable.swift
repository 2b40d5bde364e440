/// The profile's interned strings (profile.proto `string_table`).
///
/// Invariants: `strings[0] == ""`; every string occurs once; `index[s] == i`
/// exactly when `strings[i] == s`. Indices are what profile.proto fields
/// store in place of strings.
struct StringTable: Sendable {
    private(set) var strings: [String] = [""]
    private var index: [String: Int64] = ["": 0]

    /// Returns the index of `s`, adding it if new.
    mutating func intern(_ s: String) -> Int64 {
        if let i = index[s] { return i }
        let i = Int64(strings.count)
        strings.append(s)
        index[s] = i
        return i
    }
}
