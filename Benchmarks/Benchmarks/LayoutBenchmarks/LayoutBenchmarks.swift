import Benchmark
import Foundation
import KGBenchSupport

// Layered layout + SVG of the seeded 30/100/300-node concept graphs of ../shared/bench/graphs
// (copied into Benchmarks/data by compare.py --prepare-only via gen_graph.py, checked identical).
// Graphviz dot 2.43 takes 0.03 / 0.13 / 3.6 s on them with edge labels and leaves 15 / 183 / 1739
// crossings; the goal is at most 0.8x its crossings in no more time. The crossing counts are
// measured by compare.py with ../shared/bench/crossings.py; this suite measures time and memory.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal]
    let data = benchDataDirectory()
    for n in [30, 100, 300] {
        let w = orExit { try LayoutWorkload(directory: data, name: "layout\(n)") }
        Benchmark("layout + SVG, layout\(n) (\(w.diagram.nodes.count) nodes, \(w.diagram.edges.count) edges)",
                  configuration: .init(metrics: metrics, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 20)) {
            benchmark in
            for _ in benchmark.scaledIterations { blackHole(orExit { try w.render() }) }
        }
    }
}
