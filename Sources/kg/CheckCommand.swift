import ArgumentParser
import Foundation
import KGCore
import KGFormat

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the graph: syntax, schema, references, evidence and reading texts.",
        discussion: """
            Errors: syntax, unknown kind or relation type, domain/range violation, unknown id \
            (dangling reference), duplicate id, alias claimed by two concepts, unknown reading in evidence. \
            Warnings: relation without evidence, concept without relations, locator outside its reading, \
            reading text changed since its sha256 was recorded, reading file missing. \
            --strict turns warnings into errors.

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    @Option(name: .long, help: "Output format: text (diagnostics on stderr, summary on stdout) or json (on stdout).")
    var format: OutputFormat = .text

    func run() throws {
        let loaded = graphOptions.loadUnchecked()
        var diags = loaded.diagnostics
        // The check rules run on a graph that built cleanly; fix errors first.
        if !loaded.hasErrors {
            diags += GraphChecker.check(loaded)
        }
        if strict { diags = diags.map { var d = $0; d.severity = .error; return d } }
        let errors = diags.filter(\.isError).count
        let warnings = diags.count - errors
        switch format {
        case .json:
            var s = "{\n  \"graph\": \(JSON.quote(graphOptions.graphDirectory)),\n  \"nodes\": \(loaded.graph.nodeCount),\n"
            s += "  \"edges\": \(loaded.graph.edgeCount),\n  \"errors\": \(errors),\n  \"warnings\": \(warnings),\n  \"diagnostics\": ["
            s += diags.map { d in
                var o = "\n    {\"severity\": \(JSON.quote(d.severity.rawValue)), \"code\": \(JSON.quote(d.code)), "
                o += "\"file\": \(JSON.quote(d.file)), \"line\": \(d.line), \"column\": \(d.column), \"message\": \(JSON.quote(d.message))"
                if let sug = d.suggestion { o += ", \"suggestion\": \(JSON.quote(sug))" }
                if !d.notes.isEmpty { o += ", \"notes\": [" + d.notes.map(JSON.quote).joined(separator: ", ") + "]" }
                return o + "}"
            }.joined(separator: ",")
            s += diags.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
            writeStdout(s)
        case .text:
            printDiagnostics(diags, limit: 1000)
            let verdict = errors > 0 ? "failed" : "ok"
            writeStdout("\(verdict): \(loaded.graph.nodeCount) nodes, \(loaded.graph.edgeCount) relations, \(loaded.documents.count) files; \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
        }
        if errors > 0 { throw ExitCode(1) }
    }
}
