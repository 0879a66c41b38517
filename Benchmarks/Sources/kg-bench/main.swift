import Foundation
import KGBenchSupport
import KGCore
import KGQuery

// kg-bench: times one work item in isolation through kg's library APIs and prints one JSON object
// on stdout, for Benchmarks/compare.py. Not a user command (the user commands are in `kg`).
//
//   kg-bench load --graph DIR [--cache]                  parse + build (or binary cache) of a folder
//   kg-bench query --graph DIR --query TEXT [--params JSON] [--cache]   cold start: load + one query
//   kg-bench queries --graph DIR --queries FILE [--repeats N]   warm query workload, per query
//   kg-bench graphml-write --graph DIR --out FILE        GraphML write only (graph loaded first)
//   kg-bench graphml-read --file FILE [--label-key K --type-key K]   GraphML read only
//   kg-bench layout --data DIR --name layoutN --out FILE      layout + SVG (library path of kg export svg)
//   kg-bench match --aliases FILE --text FILE [--repeats N]     alias matcher build and scan

let usage = """
    usage: kg-bench load --graph DIR [--cache]
           kg-bench query --graph DIR --query TEXT [--params JSON] [--cache]
           kg-bench queries --graph DIR --queries FILE [--repeats N]
           kg-bench graphml-write --graph DIR --out FILE
           kg-bench graphml-read --file FILE [--label-key K] [--type-key K]
           kg-bench match --aliases FILE --text FILE [--repeats N]
           kg-bench layout --data DIR --name layoutN --out FILE
    """

struct Args {
    var command = ""
    var options: [String: String] = [:]
    var flags: Set<String> = []

    init(_ argv: [String]) throws {
        guard argv.count >= 2 else { throw WorkloadError(usage) }
        command = argv[1]
        var i = 2
        while i < argv.count {
            let a = argv[i]
            guard a.hasPrefix("--") else { throw WorkloadError("unexpected argument '\(a)'\n\(usage)") }
            let key = String(a.dropFirst(2))
            if key == "cache" {
                flags.insert(key)
                i += 1
            } else {
                guard i + 1 < argv.count else { throw WorkloadError("--\(key) needs a value") }
                options[key] = argv[i + 1]
                i += 2
            }
        }
    }

    func need(_ k: String) throws -> String {
        guard let v = options[k] else { throw WorkloadError("--\(k) is required\n\(usage)") }
        return v
    }

    func int(_ k: String, default d: Int) throws -> Int {
        guard let s = options[k] else { return d }
        guard let v = Int(s), v > 0 else { throw WorkloadError("--\(k) must be a positive integer") }
        return v
    }
}

func loadGraph(_ args: Args) throws -> (Graph, Double, Bool) {
    let dir = try args.need("graph")
    if args.flags.contains("cache") {
        let ((g, hit), dt) = try Measure.time { try LoadWorkload.loadCached(directory: dir) }
        return (g, dt, hit)
    }
    let (lg, dt) = try Measure.time { try LoadWorkload.load(directory: dir) }
    return (lg.graph, dt, false)
}

func run() throws {
    let args = try Args(CommandLine.arguments)
    switch args.command {
    case "load":
        let (g, dt, hit) = try loadGraph(args)
        printJSON(["load_seconds": dt, "cache_hit": hit, "nodes": g.nodeCount, "edges": g.edgeCount,
                   "rss_peak_mb": Measure.peakRSSMB(), "rss_now_mb": Measure.currentRSSMB() ?? -1])

    case "query":
        let (g, loadDt, hit) = try loadGraph(args)
        let params = try QueryValue.parameters(fromJSON: args.options["params"] ?? "{}")
        let q = BenchQuery(name: "query", text: try args.need("query"), parameters: params)
        let (r, dt) = try Measure.time { try q.run(CypherEngine(graph: g)) }
        printJSON(["load_seconds": loadDt, "query_seconds": dt, "cache_hit": hit, "result": summarize(r, graph: g),
                   "rss_peak_mb": Measure.peakRSSMB()])

    case "queries":
        let (g, loadDt, _) = try loadGraph(args)
        let queries = try BenchQuery.read(URL(fileURLWithPath: try args.need("queries")))
        let repeats = try args.int("repeats", default: 5)
        let engine = CypherEngine(graph: g)
        var out: [String: Any] = ["load_seconds": loadDt, "nodes": g.nodeCount, "edges": g.edgeCount]
        for q in queries {
            do {
                let first = try q.run(engine)  // warm-up, like the Kuzu harness
                var runs: [Double] = []
                for _ in 0..<repeats {
                    let (_, dt) = try Measure.time { try q.run(engine) }
                    runs.append(dt)
                }
                out[q.name] = ["runs": runs, "median": Measure.median(runs), "min": runs.min()!, "query": q.text,
                               "rows": first.rows.count, "result": summarize(first, graph: g)] as [String: Any]
            } catch {
                out[q.name] = ["error": "\(error)", "query": q.text]
            }
        }
        out["rss_peak_mb"] = Measure.peakRSSMB()
        printJSON(out)

    case "graphml-write":
        let (g, loadDt, _) = try loadGraph(args)
        let path = try args.need("out")
        let (bytes, dt) = try Measure.time { try GraphMLWorkload.write(g, to: path) }
        printJSON(["seconds": dt, "bytes": bytes, "load_seconds": loadDt, "nodes": g.nodeCount, "edges": g.edgeCount,
                   "rss_peak_mb": Measure.peakRSSMB()])

    case "graphml-read":
        let path = try args.need("file")
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        let before = Measure.peakRSSMB()
        let (imp, dt) = try Measure.time {
            try GraphMLWorkload.read(path: path, labelKey: args.options["label-key"], typeKey: args.options["type-key"])
        }
        printJSON(["seconds": dt, "bytes": size, "nodes": imp.graph.nodeCount, "edges": imp.graph.edgeCount,
                   "warnings": imp.warnings.count, "rss_before_mb": before, "rss_peak_mb": Measure.peakRSSMB()])

    case "layout":
        let w = try LayoutWorkload(directory: URL(fileURLWithPath: try args.need("data"), isDirectory: true),
                                   name: try args.need("name"))
        let (r, dt) = try Measure.time { try w.render() }
        let out = try args.need("out")
        try Data(r.svg.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        printJSON(["seconds": dt, "nodes": w.diagram.nodes.count, "edges": w.diagram.edges.count,
                   "rss_peak_mb": Measure.peakRSSMB()])

    case "match":
        let corpusAliases = URL(fileURLWithPath: try args.need("aliases"))
        let corpusText = URL(fileURLWithPath: try args.need("text"))
        let aliases = try String(contentsOf: corpusAliases, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let text = Array(try Data(contentsOf: corpusText))
        let w = AliasWorkload(aliases: aliases, text: text)
        let (m, buildDt) = Measure.time { w.build() }
        let repeats = try args.int("repeats", default: 3)
        var runs: [Double] = []
        var matches = 0
        for _ in 0..<repeats {
            let (n, dt) = Measure.time { w.scan(m) }
            runs.append(dt)
            matches = n
        }
        printJSON(["build_seconds": buildDt, "runs": runs, "seconds": Measure.median(runs), "matches": matches,
                   "MB": w.megabytes, "aliases": aliases.count, "rss_peak_mb": Measure.peakRSSMB()])

    default:
        throw WorkloadError("unknown command '\(args.command)'\n\(usage)")
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("kg-bench: \(error)\n".utf8))
    exit(1)
}
