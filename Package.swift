// swift-tools-version:6.0
import PackageDescription

// Release builds of the modules with the hot paths (store, loader, query executor) skip the
// run-time exclusivity checks on class properties, which cost ~40 % of the loader's instructions;
// debug builds (and so the tests) keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "kg",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kg", targets: ["kg"]),
        .library(name: "KGCore", targets: ["KGCore"]),
        .library(name: "KGFormat", targets: ["KGFormat"]),
        .library(name: "KGQuery", targets: ["KGQuery"]),
        .library(name: "KGLayout", targets: ["KGLayout"]),
        .library(name: "KGExport", targets: ["KGExport"]),
        .library(name: "KGReadings", targets: ["KGReadings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]),
        .target(name: "KGCore", dependencies: [
            .product(name: "OrderedCollections", package: "swift-collections"),
        ], swiftSettings: hotPath),
        .target(name: "KGFormat", dependencies: ["KGCore"], swiftSettings: hotPath),
        .target(name: "KGQuery", dependencies: ["KGCore"], swiftSettings: hotPath),
        .target(name: "KGLayout"),
        .target(name: "KGExport", dependencies: ["KGCore", "KGLayout", "CLibXML2"]),
        .target(name: "KGReadings", dependencies: ["KGCore", "KGFormat"]),
        .executableTarget(name: "kg", dependencies: [
            "KGCore", "KGFormat", "KGQuery", "KGLayout", "KGExport", "KGReadings",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Layout benchmark against Graphviz on ../shared/bench/graphs (docs/LAYOUT.md).
        .executableTarget(name: "kg-layout-bench", dependencies: ["KGLayout", "KGExport"],
                          path: "Sources/KGLayoutBench"),
        .testTarget(name: "KGCoreTests", dependencies: ["KGCore",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KGFormatTests", dependencies: ["KGCore", "KGFormat",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KGQueryTests", dependencies: ["KGCore", "KGQuery", "KGFormat",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KGLayoutTests", dependencies: ["KGLayout"]),
        .testTarget(name: "KGExportTests", dependencies: ["KGCore", "KGExport", "KGFormat", "KGLayout", "KGQuery", "CLibXML2",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KGReadingsTests", dependencies: ["KGCore", "KGReadings", "KGFormat",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "KGCLITests", dependencies: ["KGCore", "KGFormat", "KGQuery"]),
    ],
    swiftLanguageModes: [.v5]
)
