/// Names for the structs the linker synthesizes in DWARF for maps and channels (`hash<K,V>`,
/// `bucket<K,V>`, `map<K,V>`, `table<K,V>`, `hchan<T>`, `noalg.map.group[K]V`), rewritten the way Go
/// itself writes the corresponding runtime types (`map.bucket[K]V`, `map.group[K]V`), so a histogram
/// reads in Go's words.
enum TypeDisplayNames {
    static func rewrite(_ name: String) -> String? {
        if name.hasPrefix("noalg.") { return String(name.dropFirst(6)) }
        guard name.hasSuffix(">"), let open = name.firstIndex(of: "<") else { return nil }
        let head = name[..<open]
        let args = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
        func kv() -> (String, String)? {
            // Split "K,V" at the top-level comma.
            var depth = 0
            for (i, c) in args.enumerated() {
                switch c {
                case "[", "(", "{", "<": depth += 1
                case "]", ")", "}", ">": depth -= 1
                case "," where depth == 0:
                    let k = String(args.prefix(i)), v = String(args.dropFirst(i + 1))
                    return (k, v)
                default: break
                }
            }
            return nil
        }
        switch head {
        case "hash", "map":
            guard let (k, v) = kv() else { return nil }
            return "map[\(k)]\(v)"
        case "bucket":
            guard let (k, v) = kv() else { return nil }
            return "map.bucket[\(k)]\(v)"
        case "table":
            guard let (k, v) = kv() else { return nil }
            return "map.table[\(k)]\(v)"
        case "groupReference":
            guard let (k, v) = kv() else { return nil }
            return "map.groupReference[\(k)]\(v)"
        case "hchan":
            return "chan \(args)"
        case "waitq":
            return "chan.waitq[\(args)]"
        case "sudog":
            return "runtime.sudog[\(args)]"
        default:
            return nil
        }
    }
}
