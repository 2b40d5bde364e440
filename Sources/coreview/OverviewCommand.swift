import Analysis
import ArgumentParser
import CoreFile
import GoRuntime
import Reports

/// `coreview overview`: the process, its threads and mappings, and its Go version.
struct OverviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: "Go version, executable, process, threads and mappings of a core.")

    @OptionGroup var options: CoreOptions

    @Flag(name: .long, help: "List every mapping.")
    var mappings = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let process = try options.open()
        guard let exe = process.executable, exe.isGo else {
            throw CoreviewError.notGo("\(options.core) is not the core of a Go process: \(process.executable?.path ?? "its executable") has no Go runtime")
        }
        let overview = Overview(process: process)
        if overview.goVersion == nil {
            throw CoreviewError.notGo("no Go version found in \(options.core) or \(exe.path)")
        }
        // The heap section needs DWARF and a supported version; without them the overview still answers.
        var heap: HeapSummary?
        var analysis: HeapAnalysis?
        var note: String?
        if !exe.hasDWARF {
            note = "heap not analysed: \(exe.path) has no DWARF"
        } else {
            do {
                let a = try HeapAnalysis(process: process, buildGraph: true)
                analysis = a
                heap = HeapSummary(analysis: a, corePath: options.core, exePath: options.exe)
            } catch let e as CoreviewError {
                note = "heap not analysed: \(e.description)"
            }
        }
        if json {
            guard case let .object(fields) = OverviewReport.json(overview) else { return }
            var all = fields
            if let heap { all += OverviewReport.heapJSON(heap) }
            if let note { all.append(("heapNote", .string(note))) }
            Output.write(JSON.object(all).rendered() + "\n")
        } else {
            Output.write(OverviewReport.text(overview, showMappings: mappings))
            if let heap { Output.write(OverviewReport.heapText(heap)) }
            if let note { Output.write("\n" + note + "\n") }
        }
        Output.warn(analysis?.warnings ?? process.warnings, damaged: !process.core.missingRanges.isEmpty)
    }
}
