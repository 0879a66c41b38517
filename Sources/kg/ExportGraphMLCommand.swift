import ArgumentParser
import Foundation
import KGCore
import KGExport
import KGLayout

/// `kg export graphml`: GraphML for yEd, Gephi, Cytoscape, NetworkX and igraph.
struct ExportGraphMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphml", abstract: "Export GraphML (whole graph, a neighbourhood, or a query's result).",
        discussion: """
        Keys: node 'label' (display name), 'kind', one key per property and value type; edge 'type', \
        'reading', 'locator', 'note' (provenance) and one key per property. Lists are JSON text in \
        string keys whose id ends in '.list'. See docs/EXCHANGE.md. \
        --flavor yed adds yEd's shapes, labels, colours and a layered layout.
        """)

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: "plain (schema-valid GraphML) or yed (adds yEd graphics).")
    var flavor: String = "plain"

    @Flag(name: .customLong("no-indent"), help: "Write without line breaks and indentation.")
    var noIndent = false

    @Flag(help: "Print load, selection and write times (and MB/s) to standard error.")
    var timings = false

    func validate() throws {
        guard GraphMLOptions.Flavor(rawValue: flavor) != nil else {
            throw ValidationError("unknown --flavor '\(flavor)'; use plain or yed")
        }
    }

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let graph = try io.loadGraph()
        let t1 = DispatchTime.now().uptimeNanoseconds
        let sub = try select.select(from: graph)
        let t2 = DispatchTime.now().uptimeNanoseconds
        var opts = GraphMLOptions(flavor: GraphMLOptions.Flavor(rawValue: flavor)!, indent: !noIndent)
        opts.progress = ProgressReporter("writing GraphML", unit: "elements")
        var bytes = 0
        if let path = io.output {
            try GraphMLWriter.write(graph, sub, options: opts, toFile: path)
            bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        } else {
            let data = try GraphMLWriter.data(graph, sub, options: opts)
            bytes = data.count
            try io.emit(data)
        }
        let t3 = DispatchTime.now().uptimeNanoseconds
        if timings {
            func s(_ a: UInt64, _ b: UInt64) -> Double { Double(b - a) / 1e9 }
            let mb = Double(bytes) / 1e6
            eprint(String(format: "load %.3f s, select %.3f s, write %.3f s (%.1f MB, %.1f MB/s)",
                          s(t0, t1), s(t1, t2), s(t2, t3), mb, mb / max(s(t2, t3), 1e-9)))
        }
    }
}
