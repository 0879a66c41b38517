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

        Against a graph with a schema, a label, relationship type or property key the graph does \
        not know is reported as a warning on stderr with the nearest known names (the exit status \
        stays 0); --strict makes such warnings errors.

        Limits: a statement stops after 60 seconds (--timeout; 0 for none) and when it would hold \
        more than 1 GiB of rows, lists and strings (--max-memory; 0 for none), with a 'Timeout' or \
        'ResourceLimit: MemoryLimitExceeded' error.
        """)

    @Argument(help: "The query text (or use --file).")
    var query: String?

    @Option(name: .customLong("file"), help: ArgumentHelp("Read the statements from a script file.", valueName: "script"))
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

    @OptionGroup var checks: QueryCheckOptions

    @Option(name: .customLong("max-rows"), help: "Stop a statement that holds more than this many rows at once.")
    var maxRows: Int = 10_000_000

    @Flag(help: "Print the plan of the (last) statement instead of running it.")
    var explain = false

    func validate() throws {
        if query != nil && file != nil { throw ValidationError("give the query as an argument or with --file, not both") }
        if query == nil && file == nil { throw ValidationError("give a query or --file SCRIPT") }
        if save && empty { throw ValidationError("--save needs a graph; it cannot be used with --empty") }
        guard ResultFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; use table, json, csv, markdown or cypher")
        }
    }

    func run() throws {
        let fmt = ResultFormat(rawValue: format)!
        let text = try file.map { try QueryLimitOptions.readScript($0) } ?? query!
        var parameters: [String: QueryValue] = [:]
        if let p = params {
            do { parameters = try QueryValue.parameters(fromJSON: p) } catch let e as CypherError {
                throw ValidationError(e.message)
            }
        }
        let statements = splitStatements(text)
        if statements.isEmpty {
            if let f = file { eprint("error: the script '\(f)' holds no statement"); throw ExitCode(1) }
            throw ValidationError("no statement to run")
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
        engine.limits = QueryLimits(timeout: checks.timeLimit, maxRows: maxRows, maxMemory: try checks.memoryLimit())
        var last: QueryResult? = nil
        for (i, st) in statements.enumerated() {
            let isLast = i == statements.count - 1
            func fail(_ e: CypherError) throws -> Never {
                var msg = e.rendered(query: st.text)
                if statements.count > 1 {
                    msg += "\n  (in statement \(i + 1) of the script" + (e.line > 0 ? ", script line \(st.line + e.line - 1))" : ")")
                }
                eprint(msg)
                throw ExitCode(1)
            }
            do {
                for n in try engine.notifications(for: st.text) {
                    if checks.strict { try fail(n.asError) }
                    eprint(n.rendered(query: st.text))
                }
                if explain && isLast {
                    print(try engine.explain(st.text).joined(separator: "\n"))
                    return
                }
                last = try engine.run(st.text, parameters: parameters, collectStats: stats && isLast)
            } catch let e as CypherError {
                try fail(e)
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

/// The options `kg query` and `kg shell` share: strict mode and the limits of a statement.
struct QueryCheckOptions: ParsableArguments {
    @Flag(help: "Treat unknown labels, relationship types and property keys as errors: the statement does not run (kg query exits 1 and saves nothing).")
    var strict = false

    @Option(help: ArgumentHelp("Stop a statement after this many seconds (0 for no limit).", valueName: "seconds"))
    var timeout: Double = QueryLimitOptions.defaultTimeout

    @Option(name: .customLong("max-memory"),
            help: ArgumentHelp("Memory budget of a statement: bytes, or with a K, M or G suffix (0 for no limit).", valueName: "size"))
    var maxMemory: String = "1G"

    func validate() throws {
        if timeout < 0 || !timeout.isFinite { throw ValidationError("--timeout must be a number of seconds (0 for no limit)") }
        _ = try QueryLimitOptions.memory(maxMemory)
    }

    var timeLimit: Double? { timeout > 0 ? timeout : nil }
    func memoryLimit() throws -> Int? { try QueryLimitOptions.memory(maxMemory) }
}

/// The defaults of the limits and how their option values are read.
enum QueryLimitOptions {
    static let defaultTimeout: Double = 60

    /// `1G`, `512M`, `64k`, `1048576`, `1.5G`; 0 means no limit (nil).
    static func memory(_ text: String) throws -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let gib = 1_073_741_824.0, mib = 1_048_576.0, kib = 1024.0
        let units: [(String, Double)] = [("GIB", gib), ("MIB", mib), ("KIB", kib), ("GB", gib), ("MB", mib), ("KB", kib),
                                         ("G", gib), ("M", mib), ("K", kib), ("B", 1)]
        var number = Substring(t), factor = 1.0
        for (suffix, f) in units where t.hasSuffix(suffix) { number = t.dropLast(suffix.count); factor = f; break }
        guard let v = Double(number.trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
            throw ValidationError("--max-memory takes a size such as 512M, 2G or 1048576 (0 for no limit), not '\(text)'")
        }
        let bytes = v * factor
        if bytes == 0 { return nil }
        guard bytes < 9e18 else { throw ValidationError("--max-memory '\(text)' is too large") }
        return max(1, Int(bytes))
    }

    /// The text of a script file; a file that cannot be read or is not UTF-8 is an input error
    /// (exit 1) naming the file, not a usage error.
    static func readScript(_ path: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            var isDir: ObjCBool = false
            let reason: String
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) { reason = "no such file" }
            else if isDir.boolValue { reason = "it is a directory" }
            else if !FileManager.default.isReadableFile(atPath: path) { reason = "permission denied" }
            else { reason = error.localizedDescription }
            eprint("error: cannot read the script file '\(path)': \(reason)")
            throw ExitCode(1)
        }
        let bytes = [UInt8](data)
        if let bad = UTF8Validation.firstInvalid(bytes) {
            let line = bytes[..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            eprint("error: the script file '\(path)' is not valid UTF-8: byte \(bad) (line \(line)) does not start a valid character")
            throw ExitCode(1)
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}

func terminalWidth() -> Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"], let w = Int(c), w > 20 { return w }
    var ws = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 20 { return Int(ws.ws_col) }
    return 120
}
