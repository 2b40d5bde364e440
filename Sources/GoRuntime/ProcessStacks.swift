import GoDWARF
import CoreFile

/// Every goroutine of the process with its frames and live stack slots, plus the threads.
public final class ProcessStacks: @unchecked Sendable {
    public let process: GoProcess
    public let functions: FunctionTable
    public let threads: [MachineThread]
    public let goroutines: [GoroutineStack]
    public let waitReasons: [String]

    public init(process: GoProcess) throws {
        self.process = process
        guard let module = process.modules.first else { throw RuntimeDecodeError.implausible("no Go module") }
        functions = try FunctionTable(process: process, module: module)
        let reader = GoroutineReader(process: process)
        threads = (try? reader.readThreads()) ?? []
        let scanner = StackScanner(process: process, table: functions, threads: threads)
        goroutines = try reader.readGoroutines().filter { !$0.isDead }.map { scanner.scan($0) }
        waitReasons = reader.waitReasons()
        for g in goroutines where g.problem != nil && g.frames.isEmpty {
            process.warn("goroutine \(g.info.id): no frames (\(g.problem!))")
        }
    }

    public func waitReason(_ g: GoroutineInfo) -> String? {
        guard g.status == 4 || g.waitReason != 0 else { return nil }
        let i = Int(g.waitReason)
        return i < waitReasons.count && !waitReasons[i].isEmpty ? waitReasons[i] : nil
    }

    /// The name of the function containing `pc` ("main.worker"), if any.
    public func functionName(at pc: UInt64) -> String? { functions.function(at: pc)?.name }
}

extension ProcessStacks {
    /// The goroutine as one root, its words labelled by function and variable; and its typed variables
    /// (type, address or reassembled bytes) to seed type propagation.
    public func stackRoot(_ stack: GoroutineStack) -> (root: Root, variables: [(type: TypeID, address: UInt64?, bytes: [UInt8]?, known: [Bool]?)]) {
        let (root, vars) = StackRootNamer(process: process).root(for: stack)
        return (root, vars.map { ($0.type, $0.address, $0.pieces?.bytes, $0.pieces?.known) })
    }
}
