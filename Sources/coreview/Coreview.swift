import Analysis
import ArgumentParser
import CoreFile
#if canImport(Glibc)
import Glibc
#endif

/// The command line: one subcommand per question coreview answers.
@main
struct Coreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coreview",
        abstract: "Find what keeps memory alive in a Go program, from a core dump.",
        discussion: """
        Exit codes: 0 success; 1 internal error; 2 usage; 3 file missing or unreadable; 4 not ELF; \
        5 not a core (or not an executable); 6 not a Go process; 7 executable does not match the core; \
        8 executable has no DWARF; 9 unsupported Go version or architecture; 10 answered, but the core is \
        damaged (see warnings); 11 runtime structures do not decode; 12 query matched nothing.
        """,
        subcommands: [OverviewCommand.self, HistogramCommand.self, GoroutinesCommand.self, RetainersCommand.self, PathCommand.self, TopCommand.self, DominatorsCommand.self],
        defaultSubcommand: nil)

    /// Runs the command, mapping coreview's errors to one line on stderr and their exit codes.
    static func main() {
        setvbuf(stdout, nil, _IOFBF, 1 << 16)
        StageTimer.start()
        do {
            var command = try parseAsRoot()
            try command.run()
            fflush(stdout)
            StageTimer.finish()
            Glibc.exit(Output.exitStatus)
        } catch let error as CoreviewError {
            fflush(stdout)
            Output.error(error.description)
            Glibc.exit(error.exitCode)
        } catch {
            fflush(stdout)
            let code = exitCode(for: error)
            if code == .success || code.rawValue == 0 {
                exit(withError: error)
            }
            // Usage errors from the parser: its message, our code 2.
            let message = fullMessage(for: error)
            FileHandleOutput.stderr(message.hasSuffix("\n") ? message : message + "\n")
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Options every command that reads a core takes.
struct CoreOptions: ParsableArguments {
    @Argument(help: "The core file.")
    var core: String

    @Option(name: .long, help: "The executable of the dumped process (default: the one the core names).")
    var exe: String?

    @Flag(name: .long, help: "Read the core even if the executable's build id does not match.")
    var force = false

    func open(requireExecutable: Bool = true) throws -> DumpedProcess {
        try DumpedProcess(corePath: core, executablePath: exe, force: force, requireExecutable: requireExecutable)
    }
}
