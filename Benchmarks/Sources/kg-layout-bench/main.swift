// kg-layout-bench: lays out the seeded benchmark graphs (../shared/bench/graphs/NAME.nodes.csv and
// NAME.edges.csv, node label = name, edge label = relation type, Helvetica 10 / 8 pt like the
// Graphviz baseline) and writes an SVG that ../shared/bench/crossings.py reads.
//   kg-layout-bench NODES.csv EDGES.csv OUT.svg [--repeats N] [--direction TB|LR]
// Prints the wall time of layout + SVG writing (median of N runs) and the layer crossings.
import Foundation
import KGExport
import KGLayout

func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = [], field = "", quoted = false
    var it = text.makeIterator()
    var pending: Character? = nil
    while true {
        let c: Character
        if let p = pending { c = p; pending = nil } else if let n = it.next() { c = n } else { break }
        if quoted {
            if c == "\"" {
                if let n = it.next() { if n == "\"" { field.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true }
        else if c == "," { row.append(field); field = "" }
        else if c == "\n" || c == "\r\n" { row.append(field); field = ""; rows.append(row); row = [] }
        else { field.append(c) }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

var args = Array(CommandLine.arguments.dropFirst())
var repeats = 1
var direction = LayoutDirection.topToBottom
if let i = args.firstIndex(of: "--repeats"), i + 1 < args.count { repeats = Int(args[i + 1]) ?? 1; args.removeSubrange(i...(i + 1)) }
if let i = args.firstIndex(of: "--direction"), i + 1 < args.count {
    direction = LayoutDirection(rawValue: args[i + 1]) ?? .topToBottom; args.removeSubrange(i...(i + 1))
}
guard args.count == 3 else {
    FileHandle.standardError.write("usage: kg-layout-bench NODES.csv EDGES.csv OUT.svg [--repeats N] [--direction TB|LR]\n".data(using: .utf8)!)
    exit(2)
}
let nodeRows = parseCSV(try String(contentsOfFile: args[0], encoding: .utf8)).dropFirst()
let edgeRows = parseCSV(try String(contentsOfFile: args[1], encoding: .utf8)).dropFirst()
var index: [String: Int] = [:]
var diagram = SVGDiagram()
for r in nodeRows where r.count >= 3 {
    index[r[0]] = diagram.nodes.count
    diagram.nodes.append(SVGDiagram.Node(id: "n" + r[0], label: r[2], kind: r[1], tooltip: r[2]))
}
for r in edgeRows where r.count >= 3 {
    guard let s = index[r[0]], let t = index[r[1]] else { continue }
    diagram.edges.append(SVGDiagram.Edge(source: s, target: t, type: r[2], label: r[2], tooltip: r[2]))
}
var style = SVGStyle.benchmark
style.direction = direction
// Experiment knobs (environment): KG_RESTARTS, KG_ITERATIONS, KG_PATIENCE, KG_SIFTING=0/1, KG_SEED,
// KG_DFS_SEEDS (orientations tried), KG_FINALISTS (orientations ordered in full), KG_LAYERER, KG_CYCLES, KG_BK.
let env = ProcessInfo.processInfo.environment
var minimizer = LayerSweepMinimizer()
if let v = env["KG_RESTARTS"].flatMap(Int.init) { minimizer.restarts = v }
if let v = env["KG_ITERATIONS"].flatMap(Int.init) { minimizer.maxIterations = v }
if let v = env["KG_PATIENCE"].flatMap(Int.init) { minimizer.patience = v }
if let v = env["KG_SIFTING"] { minimizer.sifting = v == "1" }
if let v = env["KG_POLISH"] { minimizer.polish = v == "1" }
if let v = env["KG_SEED"].flatMap(UInt64.init) { minimizer.seed = v }
style.layout.crossingMinimizer = minimizer
if env["KG_LAYERER"] == "longest" { style.layout.layerer = LongestPathLayerer() }
if let k = env["KG_BK"].flatMap(Int.init) { style.layout.coordinateAssigner = BrandesKoepfAssigner(only: k) }
if env["KG_CYCLES"] == "dfs" { style.layout.cycleRemover = DFSCycleRemover() }
if let k = env["KG_DFS_SEEDS"].flatMap(Int.init) {
    style.layout.alternativeCycleRemovers = [DFSCycleRemover()] + (0..<k).map { DFSCycleRemover(seed: UInt64($0 + 1)) }
}
if let k = env["KG_FINALISTS"].flatMap(Int.init) { style.layout.orientationFinalists = k }
var times: [Double] = []
var svg = ""
var crossings = 0
for _ in 0..<max(1, repeats) {
    let t0 = Date()
    let r = try SVGRenderer(style: style).render(diagram)
    times.append(Date().timeIntervalSince(t0))
    svg = r.svg; crossings = r.layout.layerCrossings
}
try svg.write(toFile: args[2], atomically: true, encoding: .utf8)
times.sort()
print(String(format: "%@: %d nodes, %d edges, layer crossings %d, time median %.4f s (min %.4f s, %d runs)",
             args[2], diagram.nodes.count, diagram.edges.count, crossings, times[times.count / 2], times[0], times.count))
