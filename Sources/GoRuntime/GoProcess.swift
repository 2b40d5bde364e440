import CoreFile
import GoDWARF

/// A dumped Go process: the core and executable, their DWARF, the Go version, and the runtime's
/// top-level structures located in memory. Everything higher up (heap, goroutines, roots) reads
/// through this.
///
/// Invariant: `version` is supported and `dwarf` is loaded; `modules` holds at least the first module.
public final class GoProcess: @unchecked Sendable {
    public let process: DumpedProcess
    public let executable: Executable
    public let dwarf: DWARFIndex
    public let version: GoVersion
    public let memory: AddressSpace
    public let modules: [ModuleData]
    private var layoutCache: [String: StructLayout] = [:]
    public private(set) var warnings: [String] = []

    public var types: TypeTable { dwarf.types }
    public var bias: UInt64 { memory.loadBias }

    public init(_ process: DumpedProcess) throws {
        self.process = process
        guard let exe = process.executable else {
            throw CoreviewError.executableNotFound("the executable is needed to analyse the heap; pass it with --exe")
        }
        guard exe.isGo else {
            throw CoreviewError.notGo("\(process.core.path) is not the core of a Go process: \(exe.path) has no Go runtime")
        }
        executable = exe
        memory = process.memory
        guard let (version, _) = process.goVersion() else {
            throw CoreviewError.notGo("no Go version found in \(process.core.path) or \(exe.path)")
        }
        guard version.isSupported else {
            throw CoreviewError.unsupportedGoVersion(found: version.raw, supported: GoVersion.supportedText)
        }
        self.version = version
        dwarf = try DWARFIndex.load(exe)
        warnings = process.warnings

        // The module list starts at runtime.firstmoduledata.
        guard let moduleLayout = StructLayout(dwarf.types, "runtime.moduledata") else {
            throw CoreviewError.corruptRuntime("DWARF has no runtime.moduledata")
        }
        guard let first = GoProcess.globalAddress("runtime.firstmoduledata", dwarf: dwarf, exe: exe, bias: process.memory.loadBias) else {
            throw CoreviewError.corruptRuntime("no runtime.firstmoduledata in the executable")
        }
        var modules: [ModuleData] = []
        var address = first
        do {
            while address != 0 && modules.count < 64 {
                let m = try ModuleData.read(at: address, layout: moduleLayout, memory: process.memory)
                modules.append(m)
                address = m.next
            }
        } catch let e as RuntimeDecodeError {
            if modules.isEmpty { throw CoreviewError.corruptRuntime(e.description) }
            warnings.append("module list cut short: \(e.description)")
        }
        self.modules = modules
    }

    static func globalAddress(_ name: String, dwarf: DWARFIndex, exe: Executable, bias: UInt64) -> UInt64? {
        if let s = exe.symbol(named: name) { return s.address &+ bias }
        if let g = dwarf.global(named: name) { return g.address &+ bias }
        return nil
    }

    /// The run-time address of a package-level variable or symbol.
    public func address(of name: String) -> UInt64? {
        GoProcess.globalAddress(name, dwarf: dwarf, exe: executable, bias: bias)
    }

    public func requireAddress(of name: String) throws -> UInt64 {
        guard let a = address(of: name) else { throw RuntimeDecodeError.missingSymbol(name) }
        return a
    }

    /// The DWARF layout of a runtime struct, trying each name in turn (names moved between versions).
    public func layout(_ names: String...) throws -> StructLayout {
        let key = names.joined(separator: "|")
        if let l = layoutCache[key] { return l }
        for name in names {
            if let l = StructLayout(dwarf.types, name) {
                layoutCache[key] = l
                return l
            }
        }
        throw RuntimeDecodeError.missingType(names.joined(separator: " or "))
    }

    /// An integer constant the compiler recorded in DWARF ("runtime.mallocHeaderSize").
    public func constant(_ name: String) -> Int64? { dwarf.constants[name] }

    public func warn(_ message: String) { warnings.append(message) }

    /// Reads a word, throwing a decode error that names what was being read.
    public func word(_ address: UInt64, _ what: @autoclosure () -> String) throws -> UInt64 {
        guard let v = memory.u64(address) else { throw RuntimeDecodeError.unreadable(what(), address) }
        return v
    }

    /// The build settings' experiments as the linker recorded them in runtime.buildVersion (" X:greenteagc").
    public var experimentSuffix: String {
        let raw = version.raw
        guard let r = raw.split(separator: " ").first(where: { $0.hasPrefix("X:") }) else { return "" }
        return String(r.dropFirst(2))
    }

    public func experimentEnabled(_ name: String, defaultOn: Bool) -> Bool {
        if let c = constant("internal/goexperiment.\(name)Int") { return c != 0 }
        let list = experimentSuffix.split(separator: ",").map(String.init)
        if list.contains(name.lowercased()) { return true }
        if list.contains("no" + name.lowercased()) { return false }
        return defaultOn
    }
}
