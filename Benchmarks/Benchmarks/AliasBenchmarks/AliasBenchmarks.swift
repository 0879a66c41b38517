import Benchmark
import Foundation
import KGBenchSupport

// Alias matching as `kg link` does it: 10,018 aliases over 10 MB of English-like text (the corpus
// of ../shared/bench/bench_aho.py --write-corpus, written by `compare.py --prepare-only`).
// pyahocorasick manages about 21 MB/s here for whole-word leftmost-longest matching; the goal is
// ten times that. Throughput is reported as scans per second: multiply by the corpus size (10 MB).
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal]
    let workload = orExit { try AliasWorkload(corpus: try requireData("aho")) }
    let matcher = workload.build()

    Benchmark("alias matcher build (10,018 aliases)",
              configuration: .init(metrics: metrics, maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(workload.build()) }
    }

    Benchmark("alias scan, 10 MB (tokenize + leftmost-longest match)",
              configuration: .init(metrics: metrics, maxDuration: .seconds(15), maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(workload.scan(matcher)) }
    }
}
