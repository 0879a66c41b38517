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
        // The server of `kg serve`, a program of its own so that building kg stays quick (docs/SERVE.md).
        .executable(name: "kg-serve", targets: ["kg-serve"]),
        .library(name: "KGCore", targets: ["KGCore"]),
        .library(name: "KGFormat", targets: ["KGFormat"]),
        .library(name: "KGQuery", targets: ["KGQuery"]),
        .library(name: "KGLayout", targets: ["KGLayout"]),
        .library(name: "KGExport", targets: ["KGExport"]),
        .library(name: "KGReadings", targets: ["KGReadings"]),
        .library(name: "KGServe", targets: ["KGServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // DocC catalogues of the library products: swift package generate-documentation (a
        // command plugin; nothing of it is built by swift build or swift test).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Sockets of `kg serve` (FlyingSocks, FlyingFox's socket layer; docs/SERVE.md): small, no further dependencies.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
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
        .target(name: "KGReadings", dependencies: ["KGCore", "KGFormat", "CLibXML2"]),
        // `kg serve`: the knowledge base in the browser (docs/SERVE.md); page files in Resources/.
        .target(name: "KGServe", dependencies: [
            "KGCore", "KGFormat", "KGQuery", "KGLayout", "KGExport", "KGReadings",
            .product(name: "FlyingSocks", package: "FlyingFox"),
        ], resources: [.copy("Resources")]),
        // The options of `kg serve`, shared by the kg command and the kg-serve program.
        .target(name: "KGServeOptions", dependencies: [
            "KGQuery", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "kg-serve", dependencies: [
            "KGServe", "KGServeOptions", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/kg-serve"),
        .executableTarget(name: "kg", dependencies: [
            "KGCore", "KGFormat", "KGQuery", "KGLayout", "KGExport", "KGReadings", "KGServeOptions",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["EmbedCourseSchema"]),
        // Graph/schema.kg embedded in kg at build time (kg init --schema course).
        .executableTarget(name: "kg-embed-schema", path: "Sources/KGEmbedSchema"),
        .plugin(name: "EmbedCourseSchema", capability: .buildTool(), dependencies: ["kg-embed-schema"]),
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
            .product(name: "PropertyBased", package: "swift-property-based")],
            exclude: ["Evaluation"]),
        .testTarget(name: "KGCLITests", dependencies: ["KGCore", "KGFormat", "KGQuery"]),
        .testTarget(name: "KGServeTests", dependencies: ["KGCore", "KGFormat", "KGServe"]),
    ],
    swiftLanguageModes: [.v5]
)
