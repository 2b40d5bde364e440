import Analysis
import CoreFile
import GoRuntime

/// Opens a core for heap analysis and prints the warnings gathered on the way when the command finishes.
struct AnalysisSession {
    let process: DumpedProcess
    let analysis: HeapAnalysis

    var heap: GoHeap { analysis.heap }

    /// `graph`: the command needs the object graph (it is then built alongside type propagation).
    init(options: CoreOptions, graph: Bool = true, sharedRegion: Bool = false) throws {
        process = try options.open()
        analysis = try HeapAnalysis(process: process, buildGraph: graph, sharedRegion: sharedRegion)
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
