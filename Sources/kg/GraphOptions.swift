import ArgumentParser
import Foundation
import KGCore
import KGFormat

/// Exit codes of every kg command.
enum KGExit {
    static let help = """
        Exit codes: 0 success; 1 errors in the graph or the input (diagnostics on stderr); \
        64 usage errors (unknown option, bad argument; ArgumentParser's EX_USAGE).
        """
}

/// Options that pick the graph folder (and the readings folder) for commands that load a graph.
struct GraphOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Graph folder: every *.kg file under it forms the graph (default ./Graph, else the nearest folder upwards with a kg.conf; env KG_GRAPH).",
                                            valueName: "dir"))
    var graph: String?

    @Option(name: .long, help: ArgumentHelp("Folder of the reading texts (default: env KG_READINGS, else 'readings' in <graph>/kg.conf).",
                                            valueName: "dir"))
    var readings: String?

    /// The graph folder in effect.
    var graphDirectory: String {
        if let g = graph { return g }
        if let e = ProcessInfo.processInfo.environment["KG_GRAPH"], !e.isEmpty { return e }
        return Self.defaultDirectory
    }

    /// ./Graph; else, inside a knowledge base (`kg init`), the nearest folder upwards holding a
    /// kg.conf ("." or "../.."); else "Graph".
    static var defaultDirectory: String {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: "Graph", isDirectory: &isDir), isDir.boolValue { return "Graph" }
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath).standardizedFileURL
        for up in 0..<64 {
            if fm.fileExists(atPath: dir.appendingPathComponent("kg.conf").path) {
                return up == 0 ? "." : Array(repeating: "..", count: up).joined(separator: "/")
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return "Graph"
    }

    /// Loads the graph, printing diagnostics to stderr; throws `ExitCode(1)` when there are errors.
    ///
    /// Starts from the derived binary cache (`GraphCache`) when it matches the source files, else
    /// parses the text and stores the cache for the next start (`KG_NO_CACHE=1` turns it off).
    /// A cached load is the whole `LoadedGraph` — documents, origins, warnings — so editing
    /// commands work from it too: their edits re-read and re-parse the files they change.
    func load(showWarnings: Bool = true) throws -> LoadedGraph {
        let loaded = loadUnchecked()
        printDiagnostics(loaded.diagnostics, warnings: showWarnings)
        if loaded.hasErrors { throw ExitCode(1) }
        return loaded
    }

    /// Loads the graph for a command that only reads it (query without --save, path, shell);
    /// warnings are not printed.
    func loadForReading() throws -> LoadedGraph { try load(showWarnings: false) }

    /// The graph, from the cache or the text, with its diagnostics (errors included; nothing printed).
    func loadUnchecked() -> LoadedGraph {
        let dir = graphDirectory
        if let cached = GraphCache.load(directory: dir, readings: readings) { return cached }
        let key = GraphCache.isDisabled ? nil : try? GraphCache.fingerprint(directory: URL(fileURLWithPath: dir, isDirectory: true))
        let loaded = GraphLoader.load(directory: dir, readings: readings)
        if let key { _ = try? GraphCache.store(loaded, fingerprint: key) }
        return loaded
    }
}

/// Prints diagnostics to stderr (at most `limit`, then a count of the rest) and a summary line.
func printDiagnostics(_ diags: [Diagnostic], warnings: Bool = true, limit: Int = 500) {
    let shown = warnings ? diags : diags.filter(\.isError)
    guard !shown.isEmpty else { return }
    let color = Terminal.stderrColor
    var out = ""
    for d in shown.prefix(limit) { out += d.rendered(color: color) + "\n" }
    if shown.count > limit { out += "… and \(shown.count - limit) more\n" }
    let e = shown.filter(\.isError).count, w = shown.count - e
    var parts: [String] = []
    if e > 0 { parts.append("\(e) error\(e == 1 ? "" : "s")") }
    if w > 0 { parts.append("\(w) warning\(w == 1 ? "" : "s")") }
    out += parts.joined(separator: ", ") + "\n"
    eprint(out, terminator: "")
}
