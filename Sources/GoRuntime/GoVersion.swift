import CoreFile

/// A Go release as the runtime names itself ("go1.22.10"), ordered by (major, minor, patch).
public struct GoVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// The string as found ("go1.22.10", "go1.23rc1", "devel go1.24-abcdef ...").
    public var raw: String

    public init(major: Int, minor: Int, patch: Int = 0, raw: String? = nil) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.raw = raw ?? "go\(major).\(minor)" + (patch > 0 ? ".\(patch)" : "")
    }

    /// Parses "go1.22.10", "go1.23rc1", "go1.21.0 X:nocoverageredesign", "devel go1.24-abc +0000".
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        let needle = Array("go1.".utf8)
        guard chars.count >= needle.count,
              let at = (0...(chars.count - needle.count)).first(where: { Array(chars[$0..<($0 + needle.count)]) == needle })
        else { return nil }
        let rest = String(decoding: chars[(at + needle.count)...], as: UTF8.self)
        let digits = rest.prefix { $0.isNumber || $0 == "." }
        let parts = digits.split(separator: ".").compactMap { Int($0) }
        guard let minor = parts.first else { return nil }
        self.init(major: 1, minor: minor, patch: parts.count > 1 ? parts[1] : 0, raw: text)
    }

    public var description: String { raw }
    /// "1.22"
    public var series: String { "\(major).\(minor)" }

    public static func < (a: GoVersion, b: GoVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    /// The release series coreview decodes (1.20 shares 1.21's layouts but has no fixture).
    public static let supportedSeries = (19...27).map { GoVersion(major: 1, minor: $0) }
    public static let supportedText = "Go 1.19 to 1.27 (linux/amd64)"

    public var isSupported: Bool { major == 1 && (19...27).contains(minor) }

    public func atLeast(_ minor: Int) -> Bool { major > 1 || (major == 1 && self.minor >= minor) }
}

/// Where the Go version of a dumped process was read.
public enum GoVersionSource: String, Sendable {
    /// `runtime.buildVersion` in the core's memory.
    case runtimeBuildVersion = "runtime.buildVersion"
    /// The executable's `.go.buildinfo`.
    case buildInfo = ".go.buildinfo"
}

extension DumpedProcess {
    /// The Go version: `runtime.buildVersion` read from the process's memory, falling back to the
    /// executable's build info. Nil if neither names a Go version.
    public func goVersion() -> (version: GoVersion, source: GoVersionSource)? {
        if let exe = executable, let sym = exe.symbol(named: "runtime.buildVersion"),
           let ptr = memory.u64(sym.address &+ memory.loadBias),
           let len = memory.u64(sym.address &+ memory.loadBias &+ 8),
           len > 0, len < 256, let text = memory.string(at: ptr, length: len), let v = GoVersion(text) {
            return (v, .runtimeBuildVersion)
        }
        if let text = executable?.buildInfoVersion, let v = GoVersion(text) {
            return (v, .buildInfo)
        }
        return nil
    }
}
