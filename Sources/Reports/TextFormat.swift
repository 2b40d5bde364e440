/// Helpers for text meant for people: human sizes, thousands separators, aligned tables.

/// Bytes as people read them: "512 B", "1.2 KiB", "3.4 MiB", "2.0 GiB".
public func humanBytes(_ bytes: UInt64) -> String {
    var out: [UInt8] = []
    var buffer = OutputBuffer(capacity: 16) { out.append(contentsOf: $0) }
    buffer.appendHumanBytes(bytes)
    buffer.flush()
    return String(decoding: out, as: UTF8.self)
}

func formatOneDecimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

/// A percentage with one decimal: "12.5%".
public func percent(_ part: UInt64, of whole: UInt64) -> String {
    guard whole > 0 else { return "0.0%" }
    return formatOneDecimal(Double(part) * 100 / Double(whole)) + "%"
}

/// 1234567 -> "1,234,567"
public func grouped(_ n: some BinaryInteger) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

/// A table of text columns rendered with aligned columns. Columns marked numeric are right-aligned.
public struct TextTable {
    public var headers: [String]
    public var rightAligned: Set<Int>
    public var rows: [[String]] = []

    public init(headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func rendered(indent: String = "") -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                if i == cells.count - 1 && !rightAligned.contains(i) {
                    parts.append(cell)
                } else {
                    parts.append(rightAligned.contains(i) ? pad + cell : cell + pad)
                }
            }
            var line = indent + parts.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
        var out = line(headers) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}
