import ArgumentParser
import Foundation
import KGQuery

/// The options of `kg serve`, shared by the `kg serve` command (which parses them, shows the help
/// and starts the server program) and `kg-serve` (the server program). The server lives in a program
/// of its own so that building `kg` does not build the HTTP library (docs/SERVE.md).
public struct ServeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Graph folder: every *.kg file under it forms the graph (default ./Graph, env KG_GRAPH).",
                                            valueName: "dir"))
    public var graph: String?

    @Option(name: .long, help: ArgumentHelp("Folder of the reading texts (default: env KG_READINGS, else 'readings' in <graph>/kg.conf).",
                                            valueName: "dir"))
    public var readings: String?

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "n"))
    public var port: Int = 8484

    @Option(help: ArgumentHelp("Address to listen on: 127.0.0.1, ::1, or e.g. 0.0.0.0 to let other machines in.", valueName: "address"))
    public var host: String = "127.0.0.1"

    @Flag(help: "Open the page in the default browser (xdg-open).")
    public var open = false

    @Flag(name: .customLong("allow-writes"), help: "Let the page change the graph files (Cypher updates, applying reviewed readings).")
    public var allowWrites = false

    @Option(help: ArgumentHelp("Stop a query after this many seconds (0: no limit).", valueName: "s"))
    public var timeout: Double = ServeOptions.defaultQueryTimeout

    @Option(name: .customLong("max-rows"), help: ArgumentHelp("Stop a query that holds more than this many rows at once.", valueName: "n"))
    public var maxRows: Int = QueryLimits().maxRows

    @Option(name: .customLong("max-upload"), help: ArgumentHelp("Largest request (a pasted or uploaded reading), in bytes.", valueName: "bytes"))
    public var maxUpload: Int = 8 << 20

    public init() {}

    /// `kg query`'s default time limit when it has one, else 60 seconds: a page must never wait forever.
    public static var defaultQueryTimeout: Double {
        if let t = QueryLimits().timeout, t > 0 { return t }
        return 60
    }

    public static let discussion = """
        Starts a web server on 127.0.0.1 (this machine only, unless --host names another address) and \
        prints its URL. The page needs no network: every script and style comes from kg itself. When a \
        .kg file changes on disk the page reloads the graph, or shows the errors if it no longer loads.

        The server is read-only unless --allow-writes is given: then Cypher updates are saved as \
        `kg query --save` saves them, and the reviewed proposals of a new reading are written as \
        `kg link --apply` writes them. Queries have the limits of `kg query` (--timeout, --max-rows). \
        Stop the server with Ctrl-C. See docs/SERVE.md for the pages and the JSON API.
        """

    public mutating func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        if timeout < 0 { throw ValidationError("--timeout must be 0 or more") }
        if maxRows < 1 { throw ValidationError("--max-rows must be at least 1") }
        if maxUpload < 1024 { throw ValidationError("--max-upload must be at least 1024 bytes") }
    }

    /// The graph folder in effect (as every command: --graph, else KG_GRAPH, else ./Graph).
    public var graphDirectory: String {
        if let g = graph { return g }
        if let e = ProcessInfo.processInfo.environment["KG_GRAPH"], !e.isEmpty { return e }
        return "Graph"
    }

    /// The options as arguments again, every one explicit: what `kg serve` hands to `kg-serve`.
    public var arguments: [String] {
        var a = ["--graph", graphDirectory]
        if let r = readings { a += ["--readings", r] }
        a += ["--port", String(port), "--host", host, "--timeout", String(timeout), "--max-rows", String(maxRows),
              "--max-upload", String(maxUpload)]
        if open { a.append("--open") }
        if allowWrites { a.append("--allow-writes") }
        return a
    }
}
