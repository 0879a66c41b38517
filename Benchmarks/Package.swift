// swift-tools-version:6.1
// Benchmarks of kg, kept out of the main package so that its builds and CI do not pay for
// ordo-one/benchmark. Release builds only:
//
//   cd Benchmarks && swift package -c release benchmark --no-progress          # ordo-one suites
//   swift build -c release --package-path Benchmarks --product kg-bench        # compare.py's helper
//   swift build -c release --package-path Benchmarks --product kg-layout-bench # layout vs dot
//
// See ../BENCHMARKS.md for the numbers and the side-by-side comparison (compare.py).
import Foundation
import PackageDescription

// The main package is a path dependency, and a path dependency's identity is the name of the
// folder that holds it, which differs between clones (`main`, `kg`, `kg-review`, ...): derive it
// from this manifest's location instead of hard-coding it.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let kg = mainPackage.lastPathComponent

func kgProducts(_ names: String...) -> [Target.Dependency] {
    names.map { .product(name: $0, package: kg) }
}

let benchmarkDeps: [Target.Dependency] = [
    "KGBenchSupport",
    .product(name: "Benchmark", package: "benchmark"),
]
let benchmarkPlugins: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "kg-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // MallocInterposer only: the default RuntimeInterposer trait (ARC counters) crashes here,
        // see ../shared/design/SWIFT-NOTES.md.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The workloads, shared by the ordo-one suites and by kg-bench (so both time the same code).
        .target(
            name: "KGBenchSupport",
            dependencies: kgProducts("KGCore", "KGFormat", "KGQuery", "KGLayout", "KGExport", "KGReadings"),
            path: "Sources/KGBenchSupport"),
        // Times single work items in isolation for compare.py (load, warm queries, GraphML write/read
        // without the load, the matcher alone) and prints one JSON object.
        .executableTarget(name: "kg-bench", dependencies: ["KGBenchSupport"], path: "Sources/kg-bench"),
        // Layout + SVG of one bench graph with the Graphviz baseline's style, for crossings.py and
        // the side-by-side with dot (../docs/LAYOUT.md, ../BENCHMARKS.md).
        .executableTarget(name: "kg-layout-bench", dependencies: kgProducts("KGLayout", "KGExport"),
                          path: "Sources/kg-layout-bench"),
        .executableTarget(name: "LoadBenchmarks", dependencies: benchmarkDeps,
                          path: "Benchmarks/LoadBenchmarks", plugins: benchmarkPlugins),
        .executableTarget(name: "QueryBenchmarks", dependencies: benchmarkDeps,
                          path: "Benchmarks/QueryBenchmarks", plugins: benchmarkPlugins),
        .executableTarget(name: "GraphMLBenchmarks", dependencies: benchmarkDeps,
                          path: "Benchmarks/GraphMLBenchmarks", plugins: benchmarkPlugins),
        .executableTarget(name: "LayoutBenchmarks", dependencies: benchmarkDeps,
                          path: "Benchmarks/LayoutBenchmarks", plugins: benchmarkPlugins),
        .executableTarget(name: "AliasBenchmarks", dependencies: benchmarkDeps,
                          path: "Benchmarks/AliasBenchmarks", plugins: benchmarkPlugins),
    ],
    swiftLanguageModes: [.v5]
)
