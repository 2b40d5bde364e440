/// A JSON value with object keys kept in the order they were given, so reports read in a stable,
/// meaningful order. Rendered by `JSON.write(to:)`; strings are escaped per RFC 8259.
public indirect enum JSON: Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    case null

    /// An address as Go prints it: "0xc000010000".
    public static func address(_ a: UInt64) -> JSON { .string(hex(a)) }
    public static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }

    /// Renders the value, indented by two spaces a level.
    public func rendered(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : -1)
        return out
    }

    public func write(to out: inout String, indent: Int) {
        let pretty = indent >= 0
        func newline(_ level: Int) {
            if pretty {
                out.append("\n")
                out.append(String(repeating: "  ", count: level))
            }
        }
        switch self {
        case let .object(fields):
            if fields.isEmpty { out.append("{}"); return }
            out.append("{")
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out.append(",") }
                newline(indent + 1)
                JSON.appendEscaped(key, to: &out)
                out.append(pretty ? ": " : ":")
                value.write(to: &out, indent: pretty ? indent + 1 : -1)
            }
            newline(indent)
            out.append("}")
        case let .array(items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, value) in items.enumerated() {
                if i > 0 { out.append(",") }
                newline(indent + 1)
                value.write(to: &out, indent: pretty ? indent + 1 : -1)
            }
            newline(indent)
            out.append("]")
        case let .string(s): JSON.appendEscaped(s, to: &out)
        case let .int(v): out.append(String(v))
        case let .uint(v): out.append(String(v))
        case let .double(v): out.append(v.isFinite ? String(v) : "null")
        case let .bool(v): out.append(v ? "true" : "false")
        case .null: out.append("null")
        }
    }

    public static func appendEscaped(_ s: String, to out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if scalar.value < 0x20 {
                    let h = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - h.count) + h)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }
}

/// "0xc000010000"
public func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
