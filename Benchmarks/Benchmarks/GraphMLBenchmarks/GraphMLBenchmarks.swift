import Benchmark
import Foundation
import KGBenchSupport
import KGCore

// GraphML write and read of the generated 100k-node / 1M-edge graph through libxml2 (KGExport).
// Goals (issue 4): write >= 90 % of the plain-C xmlTextWriter ceiling (~80 MB/s here), read >= 46 MB/s
// in <= 500 MB. Throughput is documents per second; MB/s = throughput x file size (printed by
// compare.py, which also runs the peers).
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal]
    let dir = orExit { try requireData("medium.kg") }.path
    let graph = orExit { try LoadWorkload.load(directory: dir) }.graph
    let out = NSTemporaryDirectory() + "kg-bench-medium-\(getpid()).graphml"

    Benchmark("GraphML write, medium, to a file",
              configuration: .init(metrics: metrics, warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 5,
                                   teardown: { try? FileManager.default.removeItem(atPath: out) })) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(orExit { try GraphMLWorkload.write(graph, to: out) }) }
    }

    Benchmark("GraphML read, medium (kg's own file)",
              configuration: .init(metrics: metrics, warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 5,
                                   setup: { _ = orExit { try GraphMLWorkload.write(graph, to: out) } },
                                   teardown: { try? FileManager.default.removeItem(atPath: out) })) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(orExit { try GraphMLWorkload.read(path: out) }) }
    }
}
