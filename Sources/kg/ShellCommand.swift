import ArgumentParser
import Foundation
import KGCore
import KGFormat
import KGQuery

/// `kg shell`: an interactive Cypher REPL with line editing and history (libedit).
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive Cypher shell.",
        discussion: """
        Statements end with ';' and may span several lines. Commands: :help, :format FORMAT, \
        :params JSON, :timeout SECONDS|off, :strict on|off, :explain QUERY, :quit. History is kept \
        in ~/.kg_history. Without a terminal, statements are read from standard input. Unknown \
        labels, relationship types and property keys are reported as warnings (errors with \
        --strict). A statement stops after 60 seconds and at a 1 GiB memory budget unless \
        --timeout and --max-memory say otherwise.
        """)

    @Flag(help: "Start from an empty in-memory graph instead of loading Graph/.")
    var empty = false

    @OptionGroup var graphOptions: GraphOptions

    @Option(help: "Output format: table, json, csv, markdown or cypher.")
    var format: String = "table"

    @OptionGroup var checks: QueryCheckOptions

    func run() throws {
        guard var fmt = ResultFormat(rawValue: format) else { throw ValidationError("unknown format '\(format)'") }
        let g = empty ? Graph() : try graphOptions.loadForReading().graph
        let engine = CypherEngine(graph: g)
        engine.limits.maxMemory = try checks.memoryLimit()
        var params: [String: QueryValue] = [:]
        var timeout = checks.timeLimit
        var strict = checks.strict
        let interactive = isatty(STDIN_FILENO) != 0
        let historyFile = (NSHomeDirectory() as NSString).appendingPathComponent(".kg_history")
        let editor = interactive ? LineEditor() : nil
        if let editor {
            if let why = editor.unavailableReason { eprint("note: \(why)") }
            editor.readHistory(historyFile)
            print("kg shell — \(g.nodeCount) nodes, \(g.edgeCount) relationships. End statements with ';', :help for help.")
        }
        var buffer = ""
        func readLine(_ prompt: String) -> String? {
            if let editor { return editor.readLine(prompt: prompt) }
            return Swift.readLine(strippingNewline: true)
        }
        func runStatement(_ text: String) {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                for n in try engine.notifications(for: text) {
                    if strict { throw n.asError }
                    eprint(n.rendered(query: text))
                }
                let r = try engine.run(text, parameters: params, timeout: timeout)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                writeStdout(fmt.render(r, graph: g, width: terminalWidth()))
                let effects = r.stats.lines
                print((effects.isEmpty ? "" : effects.joined(separator: ", ") + "; ") + String(format: "%.1f ms", ms))
            } catch let e as CypherError {
                eprint(e.rendered(query: text))
            } catch {
                eprint("error: \(error)")
            }
        }
        while let line = readLine(buffer.isEmpty ? "kg> " : "... ") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if buffer.isEmpty && trimmed.hasPrefix(":") {
                editor?.addHistory(line)
                let parts = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
                let arg = parts.count > 1 ? parts[1] : ""
                switch parts[0] {
                case ":help", ":h":
                    print("""
                    Enter Cypher statements ending with ';' (several lines are fine).
                      :format table|json|csv|markdown|cypher   output format (now \(fmt.rawValue))
                      :params {"name": "value"}                set parameters (JSON object)
                      :params                                  show parameters
                      :timeout SECONDS | off                   stop long statements (now \(timeout.map { "\($0) s" } ?? "off"))
                      :strict on | off                         unknown names are errors (now \(strict ? "on" : "off"))
                      :explain QUERY                           show the plan of a query
                      :quit                                    leave (also Ctrl-D)
                    """)
                case ":format":
                    if let f = ResultFormat(rawValue: arg) { fmt = f } else { eprint("unknown format '\(arg)'") }
                case ":params":
                    if arg.isEmpty {
                        for k in params.keys.sorted() { print("$\(k) = \(params[k]!.literal(in: g))") }
                    } else {
                        do { params = try QueryValue.parameters(fromJSON: arg) } catch let e as CypherError { eprint(e.message) } catch {}
                    }
                case ":timeout":
                    if arg.isEmpty { print("timeout: " + (timeout.map { "\($0) s" } ?? "off")) }
                    else if arg == "off" || arg == "0" { timeout = nil }
                    else if let t = Double(arg), t > 0, t.isFinite { timeout = t }
                    else { eprint("give a number of seconds or off, not '\(arg)'") }
                case ":strict":
                    if arg == "on" { strict = true } else if arg == "off" { strict = false } else if arg.isEmpty { print("strict: \(strict ? "on" : "off")") }
                    else { eprint("give on or off, not '\(arg)'") }
                case ":explain":
                    do { print(try engine.explain(arg).joined(separator: "\n")) } catch let e as CypherError { eprint(e.rendered(query: arg)) } catch {}
                case ":quit", ":q", ":exit":
                    editor?.writeHistory(historyFile)
                    return
                default:
                    eprint("unknown command \(parts[0]); :help lists the commands")
                }
                continue
            }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            let statements = splitStatements(buffer)
            // Run every complete statement; keep an unterminated tail for the next line.
            let endsWithSemicolon = buffer.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";")
            if endsWithSemicolon || statements.count > 1 {
                let complete = endsWithSemicolon ? statements : Array(statements.dropLast())
                editor?.addHistory(buffer)
                for st in complete { runStatement(st.text) }
                buffer = endsWithSemicolon ? "" : (statements.last?.text ?? "")
            }
        }
        // End of input: run what is left.
        if !buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            for st in splitStatements(buffer) { runStatement(st.text) }
        }
        if let editor { editor.writeHistory(historyFile); print("") }
    }
}
