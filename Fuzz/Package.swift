// swift-tools-version:6.0
// libFuzzer targets of kg, kept out of the main package so that its builds and CI's `swift test`
// do not pay for them. Build and run them with the script beside this file:
//
//   Fuzz/run.sh TARGET SECONDS      # e.g. Fuzz/run.sh cypher 60; TARGET all runs every target
//
// which does (see docs/RELIABILITY.md, "Fuzzing"):
//
//   swift build -c release --package-path Fuzz --scratch-path .build-fuzz \
//       --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --product FuzzCypher
//   SWIFT_BACKTRACE=enable=no .build-fuzz/release/FuzzCypher CORPUS SEEDS -max_total_time=60 ...
//
// Each target is an executable with one file and a `@_cdecl("LLVMFuzzerTestOneInput")` function
// (no `@main`; `-parse-as-library` would break the link). Built without `--sanitize fuzzer`, they
// are harmless binaries that do nothing. Not `--sanitize fuzzer --sanitize address`: swiftc gets
// two `-sanitize=` flags and keeps only the last, so nothing is instrumented for coverage.
import Foundation
import PackageDescription

// The main package is a path dependency, whose identity is the name of the folder that holds it
// (`main`, `kg`, `reliability`, ...): derive it from this manifest's location.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let kg = mainPackage.lastPathComponent

func kgProducts(_ names: String...) -> [Target.Dependency] {
    names.map { .product(name: $0, package: kg) }
}

let package = Package(
    name: "kg-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        // The .kg parser, printer (fmt) and loader.
        .executableTarget(name: "FuzzKGFormat", dependencies: kgProducts("KGCore", "KGFormat"), path: "Sources/FuzzKGFormat"),
        // The Cypher parser, compiler and executor on a small graph, and the result formats.
        .executableTarget(name: "FuzzCypher", dependencies: kgProducts("KGCore", "KGFormat", "KGQuery"), path: "Sources/FuzzCypher"),
        // The GraphML reader (libxml2's streaming reader with kg's options and limits).
        .executableTarget(name: "FuzzGraphML", dependencies: kgProducts("KGCore", "KGFormat", "KGExport"), path: "Sources/FuzzGraphML"),
        // Reading input, normaliser, tokenizer, alias matcher and linker, and the .kg it emits.
        .executableTarget(name: "FuzzReadings", dependencies: kgProducts("KGCore", "KGFormat", "KGReadings"), path: "Sources/FuzzReadings"),
    ],
    swiftLanguageModes: [.v5]
)
