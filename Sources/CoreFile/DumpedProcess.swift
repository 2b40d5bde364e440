#if canImport(Glibc)
import Glibc
#endif

/// A core opened with its executable: the pair checked to belong together, and the process's memory.
///
/// Invariant: if `executable` is set, its build id matched the core's copy of it (or the core did not
/// hold those bytes, or the caller forced the pairing; `buildIDCheck` says which).
public final class DumpedProcess: @unchecked Sendable {
    public let core: CoreDump
    public let executable: Executable?
    public let memory: AddressSpace
    public let buildIDCheck: BuildIDCheck
    public private(set) var warnings: [String]

    /// How the executable was matched against the core.
    public enum BuildIDCheck: Sendable, Equatable {
        case matched(String)
        /// The core does not hold the bytes where the build id would be (nothing to compare).
        case notInCore
        /// The executable has no build id note.
        case noBuildID
        /// The ids differ but `--force` was given.
        case forced(core: String, executable: String)
        /// No executable.
        case noExecutable
    }

    /// Opens the core and its executable: `executablePath`, else the main executable NT_FILE names.
    /// With `requireExecutable` false, a missing executable is a warning rather than an error.
    public init(corePath: String, executablePath: String?, force: Bool = false,
                requireExecutable: Bool = true) throws {
        let core = try CoreDump(path: corePath)
        self.core = core
        var warnings = core.warnings
        var exe: Executable?
        if let path = executablePath {
            exe = try Executable(path: path)
        } else if let recorded = core.executablePathFromCore, access(recorded, R_OK) == 0 {
            exe = try Executable(path: recorded)
        } else if requireExecutable {
            let recorded = core.executablePathFromCore.map { " (the core names \($0), which is not readable here)" } ?? ""
            throw CoreviewError.executableNotFound("the executable of this core was not found\(recorded); pass it with --exe")
        } else {
            warnings.append("no executable: text and read-only data the core left out cannot be read")
        }
        let memory = AddressSpace(core: core, executable: exe)
        self.memory = memory
        var check = BuildIDCheck.noExecutable
        if let exe {
            check = try DumpedProcess.checkBuildID(exe: exe, memory: memory, force: force)
            if case let .forced(c, e) = check {
                warnings.append("the executable's build id \(e) differs from the core's \(c); reading anyway (--force)")
            }
        }
        self.buildIDCheck = check
        self.executable = exe
        self.warnings = warnings
    }

    public func addWarning(_ message: String) { warnings.append(message) }

    /// Compares the executable's Go (or GNU) build id with the bytes at the same address in the core.
    static func checkBuildID(exe: Executable, memory: AddressSpace, force: Bool) throws -> BuildIDCheck {
        let candidates: [(String?, (address: UInt64, count: Int)?, Bool)] = [
            (exe.goBuildID, exe.goBuildIDLocation, false),
            (exe.gnuBuildID, exe.gnuBuildIDLocation, true),
        ]
        var sawID = false
        for (id, location, isHex) in candidates {
            guard let id, let location else { continue }
            sawID = true
            guard let bytes = memory.readFromCoreOnly(location.address &+ memory.loadBias, count: location.count) else {
                continue
            }
            let coreID = isHex ? bytes.map { String(format2: $0) }.joined()
                               : String(decoding: bytes, as: UTF8.self)
            if coreID == id { return .matched(id) }
            if force { return .forced(core: printable(coreID), executable: id) }
            throw CoreviewError.executableMismatch(core: printable(coreID), executable: id)
        }
        return sawID ? .notInCore : .noBuildID
    }

    private static func printable(_ s: String) -> String {
        let clean = s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        return clean && !s.isEmpty ? s : "(unreadable bytes)"
    }
}
