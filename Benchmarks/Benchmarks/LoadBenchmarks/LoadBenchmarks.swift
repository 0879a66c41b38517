import Benchmark
import Foundation
import KGBenchSupport
import KGFormat

// Parse + build of the generated 100k-node / 1M-edge graph (Benchmarks/data/medium.kg, the graph
// of ../shared/bench/gen_graph.py --preset medium written as .kg by compare.py --prepare-only).
// Goals (issue 12): load from text <= 1.5 s, from the binary cache <= 0.3 s, <= 150 MB resident.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal]
    let dir = orExit { try requireData("medium.kg") }.path

    Benchmark("load medium.kg: parse + build (100k nodes, 1M edges)",
              configuration: .init(metrics: metrics, warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 5)) {
        benchmark in
        for _ in benchmark.scaledIterations { blackHole(orExit { try LoadWorkload.load(directory: dir) }) }
    }

    Benchmark("load medium.kg from the binary cache",
              configuration: .init(metrics: metrics, warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 5,
                                   setup: { _ = orExit { try LoadWorkload.loadCached(directory: dir) } })) { benchmark in
        for _ in benchmark.scaledIterations {
            guard let g = GraphCache.loadGraph(directory: URL(fileURLWithPath: dir, isDirectory: true)) else {
                benchmark.error("the binary cache was not valid after the set-up stored it")
                return
            }
            blackHole(g)
        }
    }
}
