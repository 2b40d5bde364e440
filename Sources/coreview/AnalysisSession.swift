import Analysis
import CoreFile
import GoRuntime

/// Opens a core for heap analysis and prints the warnings gathered on the way when the command finishes.
struct AnalysisSession {
    let process: DumpedProcess
    let analysis: HeapAnalysis

    var heap: GoHeap { analysis.heap }

    init(options: CoreOptions) throws {
        process = try options.open()
        analysis = try HeapAnalysis(process: process)
    }

    func stacks() throws -> ProcessStacks {
        guard let s = analysis.stacks else {
            throw CoreviewError.corruptRuntime("the goroutines of this core could not be read")
        }
        return s
    }

    func finish() {
        Output.warn(analysis.warnings, damaged: !process.core.missingRanges.isEmpty)
    }
}
