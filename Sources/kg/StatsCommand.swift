import ArgumentParser
import Foundation
import KGCore
import KGFormat

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count nodes by kind and edges by relation type.",
        discussion: KGExit.help)

    @OptionGroup var graphOptions: GraphOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Also measure loading (read, parse alone, parse + build) and print the timings to stderr.")
    var timings = false

    func run() throws {
        if timings {
            let t = GraphLoader.measure(directory: graphOptions.graphDirectory, readings: graphOptions.readings)
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            func rate(_ s: Double) -> String { String(Int(Double(t.edges) / max(s, 1e-9))) }
            let build = max(t.loadSeconds - t.parseSeconds, 0)
            eprint("files \(t.files), \(t.bytes) bytes, \(t.statements) statements, \(t.nodes) nodes, \(t.edges) edges")
            eprint("read \(f(t.readSeconds)) s; parse alone \(f(t.parseSeconds)) s (\(rate(t.parseSeconds)) edges/s); "
                + "parse + build \(f(t.loadSeconds)) s (\(rate(t.loadSeconds)) edges/s); build alone ~\(f(build)) s (\(rate(build)) edges/s)")
        }
        let loaded = try graphOptions.load()
        if timings {
            let report = loaded.graph.memoryReport
            let total = report.reduce(0) { $0 + $1.bytes }
            eprint("store: \(String(format: "%.1f", Double(total) / 1_048_576)) MiB\(loaded.fromCache ? " (from the binary cache)" : "")")
            for r in report where r.bytes >= 1 << 20 { eprint("  \(String(format: "%7.1f", Double(r.bytes) / 1_048_576)) MiB  \(r.part)") }
        }
        let stats = GraphStats(loaded.graph)
        writeStdout(format == .json ? stats.json() : stats.text())
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
