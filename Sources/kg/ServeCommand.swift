import ArgumentParser
import Foundation
import KGServeOptions

/// `kg serve`: the knowledge base in the browser (docs/SERVE.md). The server is the program
/// `kg-serve`, built beside `kg` (`swift build`), so that building `kg` alone stays quick; this
/// command checks the options and replaces itself with that program.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the knowledge base as a local web page: find, concept cards with drawings, evidence to the sentence, Cypher, review of new readings.",
        discussion: ServeOptions.discussion + "\n\n" + """
            The server is the program kg-serve next to kg; `swift build` builds both (`swift build --product kg-serve` \
            only the server).

            \(KGExit.help)
            """)

    @OptionGroup var options: ServeOptions

    static func ownPath() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(cString: Array(buf[0..<n]) + [0]) : CommandLine.arguments[0]
    }

    /// Where `kg-serve` is: `KG_SERVE`, else next to this executable, else on the PATH.
    static func serverProgram() -> (path: String?, looked: [String]) {
        var looked: [String] = []
        if let e = ProcessInfo.processInfo.environment["KG_SERVE"], !e.isEmpty { looked.append(e) }
        looked.append(((ownPath() as NSString).deletingLastPathComponent as NSString).appendingPathComponent("kg-serve"))
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { looked.append(String(dir) + "/kg-serve") }
        return (looked.first { FileManager.default.isExecutableFile(atPath: $0) }, looked)
    }

    func run() throws {
        let (found, looked) = Self.serverProgram()
        guard let path = found else {
            eprint("""
                error: kg serve runs the server program kg-serve, which is not built (looked at \(looked[0])).
                Build it with `swift build --product kg-serve` (or `swift build`), then run kg serve again; \
                or run it directly: `swift run kg-serve`.
                """)
            throw ExitCode(1)
        }
        // The server runs this kg for `kg link` (reviewing and applying readings).
        let args = ["kg-serve"] + options.arguments + ["--kg", Self.ownPath()]
        var cargs = args.map { strdup($0) }
        cargs.append(nil)
        fflush(stdout)
        execv(path, cargs)
        eprint("error: cannot start \(path): \(String(cString: strerror(errno)))")
        throw ExitCode(1)
    }
}
