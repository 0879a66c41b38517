import ArgumentParser
import Foundation
import KGCore
import KGFormat
import KGQuery

/// `kg query`: run Cypher statements against the knowledge graph or an empty graph.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run Cypher queries.",
        discussion: """
        A script (--file) may hold several statements separated by ';'. They run in order against \
        one graph; only the last statement's result is printed. Errors go to stderr as \
        'ErrorClass: DetailCode: message' followed by the query line and a caret; the exit status \
        is then 1 and nothing is saved.
        """)

    @Argument(help: "The query text (or use --file).")
    var query: String?

    @Option(name: .customLong("file"), help: "Read the statements from a script file.")
    var file: String?

    @Flag(help: "Start from an empty in-memory graph instead of loading Graph/.")
    var empty = false

    @OptionGroup var graphOptions: GraphOptions
    @OptionGroup(title: "Writing (with --save)") var writeOptions: WriteOptions

    @Option(help: "Parameters as a JSON object, e.g. '{\"name\": \"x\"}'.")
    var params: String?

    @Option(help: "Output format: table, json, csv, markdown or cypher.")
    var format: String = "table"

    @Flag(help: "Write changes back to the graph files (only when every statement succeeded; new nodes and relations go to <graph>/new-facts.kg).")
    var save = false

    @Flag(help: "Print the side effects of the last statement to stderr.")
    var stats = false

    @Option(help: "Stop a statement after this many seconds.")
    var timeout: Double?

    @Option(name: .customLong("max-rows"), help: "Stop a statement that holds more than this many rows at once.")
    var maxRows: Int = 10_000_000

    @Flag(help: "Print the plan of the (last) statement instead of running it.")
    var explain = false

    func run() throws {
        guard let fmt = ResultFormat(rawValue: format) else {
            throw ValidationError("unknown format '\(format)'; use table, json, csv, markdown or cypher")
        }
        var text: String
        if let f = file {
            guard let data = FileManager.default.contents(atPath: f), let s = String(data: data, encoding: .utf8) else {
                throw ValidationError("cannot read script file '\(f)'")
            }
            text = s
        } else if let q = query {
            text = q
        } else {
            throw ValidationError("give a query or --file SCRIPT")
        }
        if save && empty { throw ValidationError("--save needs a graph; it cannot be used with --empty") }
        var parameters: [String: QueryValue] = [:]
        if let p = params {
            do { parameters = try QueryValue.parameters(fromJSON: p) } catch let e as CypherError {
                throw ValidationError(e.message)
            }
        }
        let g: Graph
        var loaded: LoadedGraph? = nil
        if empty {
            g = Graph()
        } else {
            let l = save ? try graphOptions.loadForWriting(writeOptions) : try graphOptions.loadForReading()
            loaded = l
            g = l.graph
        }
        let engine = CypherEngine(graph: g)
        engine.limits = QueryLimits(timeout: timeout, maxRows: maxRows)
        let statements = splitStatements(text)
        if statements.isEmpty { throw ValidationError("no statement to run") }
        var last: QueryResult? = nil
        for (i, st) in statements.enumerated() {
            let isLast = i == statements.count - 1
            do {
                if explain && isLast {
                    print(try engine.explain(st.text).joined(separator: "\n"))
                    return
                }
                last = try engine.run(st.text, parameters: parameters, collectStats: stats && isLast)
            } catch let e as CypherError {
                var msg = e.rendered(query: st.text)
                if statements.count > 1 {
                    msg += "\n  (in statement \(i + 1) of the script" + (e.line > 0 ? ", script line \(st.line + e.line - 1))" : ")")
                }
                FileHandle.standardError.write((msg + "\n").data(using: .utf8)!)
                throw ExitCode(1)
            }
        }
        if save, let l = loaded {
            do {
                let dir = graphOptions.graphDirectory
                let report = try GraphSaver.save(original: l, current: g, newFactsFile: (dir as NSString).appendingPathComponent("new-facts.kg"))
                eprint("saved: " + report.summary)
            } catch {
                eprint("error: nothing was saved: \(error)")
                throw ExitCode(1)
            }
        }
        guard let result = last else { return }
        let width = terminalWidth()
        FileHandle.standardOutput.write(fmt.render(result, graph: g, width: width).data(using: .utf8)!)
        if stats {
            let lines = result.stats.lines
            if !lines.isEmpty { FileHandle.standardError.write((lines.joined(separator: "\n") + "\n").data(using: .utf8)!) }
        }
    }
}

func terminalWidth() -> Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"], let w = Int(c), w > 20 { return w }
    var ws = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 20 { return Int(ws.ws_col) }
    return 120
}
