import CoreFile
#if canImport(Glibc)
import Glibc
#endif

/// Where commands write: stdout for the answer, stderr for warnings and errors (one line each).
enum Output {
    /// The exit status to end with once the answer is written (10 when the core was damaged).
    nonisolated(unsafe) static var exitStatus: Int32 = 0

    static func write(_ text: String) {
        var text = text
        text.withUTF8 { buf in _ = fwrite(buf.baseAddress, 1, buf.count, stdout) }
    }

    static func error(_ message: String) {
        FileHandleOutput.stderr("coreview: " + message + "\n")
    }

    /// Prints each warning on stderr; a damaged core makes the exit status 10.
    static func warn(_ warnings: [String], damaged: Bool = false) {
        for w in warnings { FileHandleOutput.stderr("coreview: warning: " + w + "\n") }
        if damaged { exitStatus = 10 }
    }
}

enum FileHandleOutput {
    static func stderr(_ text: String) {
        var text = text
        text.withUTF8 { buf in _ = fwrite(buf.baseAddress, 1, buf.count, Glibc.stderr) }
        fflush(Glibc.stderr)
    }
}
