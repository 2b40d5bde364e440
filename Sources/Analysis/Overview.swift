import CoreFile
import GoRuntime

/// What `coreview overview` reports about a core: the process, its threads and mappings.
/// Plain values, ready to render; heap figures are added by the heap analysis when it runs.
public struct Overview: Sendable {
    public struct Thread: Sendable {
        public var tid: Int32
        public var pc: UInt64
        public var sp: UInt64
    }

    public struct Mapping: Sendable {
        public var start: UInt64
        public var end: UInt64
        public var permissions: String
        public var file: String?
        public var offset: UInt64?
        /// Bytes of the range stored in the core file itself.
        public var inCore: UInt64
    }

    public var corePath: String
    public var goVersion: String?
    public var goVersionSource: String?
    public var executable: String?
    public var buildID: String?
    public var buildIDCheck: String
    public var pid: Int32?
    public var processName: String?
    public var arguments: String?
    public var signal: String?
    public var threads: [Thread]
    public var mappings: [Mapping]
    public var warnings: [String]

    public var mappedBytes: UInt64 { mappings.reduce(0) { $0 + ($1.end - $1.start) } }
    public var inCoreBytes: UInt64 { mappings.reduce(0) { $0 + $1.inCore } }

    public init(process: DumpedProcess) {
        let core = process.core
        corePath = core.path
        let version = process.goVersion()
        goVersion = version?.version.raw
        goVersionSource = version?.source.rawValue
        executable = process.executable?.path
        buildID = process.executable?.goBuildID ?? process.executable?.gnuBuildID
        switch process.buildIDCheck {
        case .matched: buildIDCheck = "matches the core"
        case .notInCore: buildIDCheck = "not checked: the core does not hold the build id's bytes"
        case .noBuildID: buildIDCheck = "not checked: the executable has no build id"
        case .forced: buildIDCheck = "MISMATCH (forced)"
        case .noExecutable: buildIDCheck = "no executable"
        }
        pid = core.process?.pid ?? core.threads.first.map { $0.tid }
        processName = core.process?.name
        arguments = core.process?.arguments
        signal = core.signal.map { $0.name }
        threads = core.threads.map { Thread(tid: $0.tid, pc: $0.pc, sp: $0.sp) }
        mappings = core.segments.map { segment in
            let file = core.mappings.first { $0.start <= segment.start && segment.start < $0.end }
            return Mapping(start: segment.start, end: segment.end, permissions: segment.header.permissions,
                           file: file?.path, offset: file.map { $0.fileOffset + (segment.start - $0.start) },
                           inCore: segment.presentSize)
        }
        warnings = process.warnings
    }
}
