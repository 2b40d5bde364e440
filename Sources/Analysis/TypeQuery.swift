import CoreFile
import GoRuntime

/// Resolves a type given on the command line against the types present in the heap: an exact Go name
/// ("main.Block", "[]*main.Block", "net/http.Request"), or a unique unqualified name ("Block",
/// "http.Request") of a named type.
public enum TypeQuery {
    public static func resolve(_ query: String, among names: some Collection<String>) throws -> String {
        if names.contains(query) { return query }
        let matches = names.filter { name in
            let tail = qualifiedTail(name)
            return tail.name == query || tail.package + "." + tail.name == query
        }.sorted()
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            throw CoreviewError.queryNotFound("no type named \(query) in the heap (try `coreview histogram` for the types present)")
        }
        throw CoreviewError.queryNotFound("\(query) is ambiguous: \(matches.prefix(10).joined(separator: ", ")); give the full name")
    }

    /// The package's last path element and the type's own name of a named type:
    /// "example.com/x/y.Block" -> ("y", "Block"), "main.G[int]" -> ("main", "G[int]"); composite types
    /// ("[]main.Block", "map[string]*main.Block", "map.table[...]...") give an empty name.
    static func qualifiedTail(_ name: String) -> (package: String, name: String) {
        guard let first = name.first, first != "[", first != "*", !name.hasPrefix("map"), !name.hasPrefix("chan "),
              !name.hasPrefix("func"), !name.hasPrefix("struct"), !name.hasPrefix("interface"), !name.hasPrefix("<") else {
            return ("", "")
        }
        // The last '.' outside brackets separates package path and type name.
        var depth = 0
        var dot: String.Index?
        for i in name.indices {
            switch name[i] {
            case "[", "(", "{": depth += 1
            case "]", ")", "}": depth -= 1
            case "." where depth == 0: dot = i
            default: break
            }
        }
        guard let dot else { return ("", name) }
        let path = name[..<dot]
        let package = path.split(separator: "/").last.map(String.init) ?? String(path)
        return (package, String(name[name.index(after: dot)...]))
    }
}
