/// Every way coreview can refuse an input, each with its own process exit code.
///
/// The CLI prints `description` as one line on stderr and exits with `exitCode`. The codes are documented
/// in the README; keep the two in step.
public enum CoreviewError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file does not exist or cannot be read.
    case cannotOpen(path: String, reason: String)
    /// The file is not an ELF file at all.
    case notELF(path: String)
    /// An ELF file of another type (an executable or library passed as the core).
    case notCore(path: String, elfType: String)
    /// An ELF core of a machine coreview does not read (only x86-64 little-endian today).
    case unsupportedArchitecture(path: String, machine: String)
    /// The executable is not an ELF executable.
    case notExecutable(path: String, reason: String)
    /// The executable could not be found: neither `--exe` nor a readable file named in the core.
    case executableNotFound(String)
    /// The executable's build id differs from the one recorded in the core.
    case executableMismatch(core: String, executable: String)
    /// The core is not of a Go process (no Go runtime in it or in the executable).
    case notGo(String)
    /// The executable has no DWARF, which the asked analysis needs.
    case noDWARF(path: String, needed: String)
    /// The Go version of the dumped process is not one coreview decodes.
    case unsupportedGoVersion(found: String, supported: String)
    /// Runtime structures in the core do not decode, so no trustworthy answer can be given.
    case corruptRuntime(String)
    /// The query (a type, an address, a root) matched nothing or more than one thing.
    case queryNotFound(String)
    /// Bad arguments that the parser could not catch.
    case usage(String)

    /// The process exit code; 0 is success and 1 is reserved for internal errors.
    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .cannotOpen: return 3
        case .notELF: return 4
        case .notCore: return 5
        case .unsupportedArchitecture: return 9
        case .notExecutable: return 5
        case .executableNotFound: return 3
        case .notGo: return 6
        case .executableMismatch: return 7
        case .noDWARF: return 8
        case .unsupportedGoVersion: return 9
        case .corruptRuntime: return 11
        case .queryNotFound: return 12
        }
    }

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .notELF(path): return "\(path) is not an ELF file"
        case let .notCore(path, type): return "\(path) is not a core file (it is an ELF \(type)); pass the core first and the executable with --exe"
        case let .unsupportedArchitecture(path, machine): return "\(path) is a core for \(machine); coreview reads x86-64 Linux cores only"
        case let .notExecutable(path, reason): return "\(path) is not a usable executable: \(reason)"
        case let .executableNotFound(message): return message
        case let .executableMismatch(core, exe): return "the executable does not belong to this core: the core has build id \(core), the executable \(exe) (use --force to read it anyway)"
        case let .notGo(message): return message
        case let .noDWARF(path, needed): return "\(path) has no DWARF debug info, which \(needed) needs; rebuild without -ldflags=-w or -s (the overview works without it)"
        case let .unsupportedGoVersion(found, supported): return "unsupported Go version \(found): coreview reads \(supported)"
        case let .corruptRuntime(message): return "the Go runtime's structures in this core do not decode: \(message)"
        case let .queryNotFound(message): return message
        case let .usage(message): return message
        }
    }
}
