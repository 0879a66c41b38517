import ArgumentParser
import Foundation
import KGExport

/// `kg export FORMAT …`, and `kg export --all`: regenerate every file listed in the exports manifest.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the graph (or part of it) as GraphML, SVG/PNG/PDF, a slide deck, DOT, Mermaid, JSON or Cypher.",
        discussion: """
        kg export --all regenerates every file listed in Exports/manifest.json from the graph: each entry \
        names a file, an export subcommand and its arguments, for example {"file": "x.svg", "command": \
        "svg", "args": ["--focus", "x"]}; a slide entry that needs a series names its first slide and is \
        marked {"file": "x-1.svg", "series": true, …}: it writes x-1.svg, x-2.svg, … and \
        removes the numbered files of an earlier, longer series. --check writes them to a temporary folder \
        instead and fails (exit 1) when any committed file differs (a PNG or PDF counts as up to date when \
        it was drawn from the same SVG, whatever librsvg drew it).
        """,
        subcommands: [ExportGraphMLCommand.self, ExportSVGCommand.self, ExportDeckCommand.self, ExportDotCommand.self,
                      ExportMermaidCommand.self, ExportJSONCommand.self, ExportCypherCommand.self])

    @Flag(help: "Regenerate every file listed in the exports manifest.")
    var all = false

    @Flag(help: "With --all: compare instead of writing; exit 1 when a committed export is out of date.")
    var check = false

    @Option(help: ArgumentHelp("Exports folder holding manifest.json (default ./Exports).", valueName: "dir"))
    var exports: String = "Exports"

    @OptionGroup var graphOptions: GraphOptions

    /// A problem with the manifest file: an input error (exit 1), not a usage error.
    struct ManifestError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    struct Manifest: Decodable {
        struct Entry: Decodable {
            /// The file written; for a slide series (`series: true`) its first slide, `NAME-1.svg`
            /// (or `NAME-01.svg`, …), with the others beside it.
            var file: String
            var command: String
            var args: [String]
            var description: String?
            var series: Bool?

            /// The path the export command is given (`-o`): `file`, or for a series `file` without
            /// its slide number (`NAME-1.svg` → `NAME.svg`).
            var output: String {
                guard series == true, let base = Entry.seriesBase(file) else { return file }
                return base
            }

            static func seriesBase(_ file: String) -> String? {
                let ext = (file as NSString).pathExtension
                let stem = (file as NSString).deletingPathExtension
                guard let dash = stem.lastIndex(of: "-") else { return nil }
                let number = stem[stem.index(after: dash)...]
                guard !number.isEmpty, number.allSatisfy({ $0 == "0" || $0 == "1" }), Int(number) == 1 else { return nil }
                return String(stem[..<dash]) + (ext.isEmpty ? "" : "." + ext)
            }
        }
        var exports: [Entry]
    }


    static func readManifest(_ dir: String) throws -> Manifest {
        try readManifest(file: (dir as NSString).appendingPathComponent("manifest.json"))
    }

    static func readManifest(file path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError("\(path): no such file (the exports manifest)")
        }
        do {
            let m = try JSONDecoder().decode(Manifest.self, from: data)
            for e in m.exports {
                if e.file.isEmpty || e.file.contains("/") || e.file.hasPrefix(".") {
                    throw ManifestError("\(path): file '\(e.file)' must be a plain file name inside the exports folder")
                }
                if e.series == true && Manifest.Entry.seriesBase(e.file) == nil {
                    throw ManifestError("\(path): '\(e.file)' is marked as a series, so it must name the first slide (NAME-1.svg)")
                }
            }
            return m
        } catch let e as ManifestError { throw e } catch {
            throw ManifestError("\(path): not a valid manifest: \(error)")
        }
    }

    func run() throws {
        if !all { throw ValidationError("give a format (svg, graphml, dot, mermaid, json, cypher) or --all") }
        do { try runAll() } catch let e as ManifestError {
            eprint("error: \(e)")
            throw ExitCode(1)
        }
    }

    private func runAll() throws {
        let manifest = try Self.readManifest(exports)
        let graph = try graphOptions.load(showWarnings: false).graph
        let fm = FileManager.default
        let outDir: String
        if check {
            outDir = (NSTemporaryDirectory() as NSString).appendingPathComponent("kg-export-check-\(ProcessInfo.processInfo.processIdentifier)")
            try fm.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        } else { outDir = exports }
        defer { if check { try? fm.removeItem(atPath: outDir) } }
        var stale: [String] = []
        for entry in manifest.exports {
            let target = (outDir as NSString).appendingPathComponent(entry.output)
            let args = entry.args + ["-o", target]
            var written: [String] = [target]
            switch entry.command {
            case "svg":
                let cmd = try ExportSVGCommand.parse(args)
                let outputs = try cmd.render(graph, output: target, rasterise: !check, warn: { eprint("\(entry.file): \($0)") })
                let firstName = outputs.first?.path.map { ($0 as NSString).lastPathComponent }
                if entry.series == true, outputs.count < 2 || firstName != entry.file {
                    throw ManifestError("manifest: \(entry.file) is marked as a series, but the export writes \(outputs.count == 1 ? "one slide" : "\(firstName ?? "nothing") first"); drop \"series\" or name the first slide")
                }
                if entry.series != true, outputs.count > 1 {
                    throw ManifestError("manifest: \(entry.file) needs a series of \(outputs.count) slides; name its first slide (\(firstName ?? "")) and add \"series\": true")
                }
                if !check { try ExportSVGCommand.write(outputs, requested: target) }
                written = outputs.compactMap(\.path)
                if check {
                    for o in outputs {
                        let name = (o.path! as NSString).lastPathComponent
                        let committed = (exports as NSString).appendingPathComponent(name)
                        guard let old = fm.contents(atPath: committed) else { stale.append(name); continue }
                        let ext = (name as NSString).pathExtension.lowercased()
                        if ext == "png" || ext == "pdf" {
                            if Rasterizer.sourceDigest(of: old) != Rasterizer.digest(o.svg) { stale.append(name) }
                        } else if old != o.data { stale.append(name) }
                    }
                    // Numbered files of an earlier, longer series still committed.
                    let committedTarget = (exports as NSString).appendingPathComponent(entry.output)
                    let names = Set(outputs.compactMap { $0.path.map { ($0 as NSString).lastPathComponent } })
                    for extra in ExportSVGCommand.staleSeriesFiles(committedTarget, written: Set(names.map { (exports as NSString).appendingPathComponent($0) })) {
                        stale.append((extra as NSString).lastPathComponent + " (no longer written)")
                    }
                }
            case "graphml", "dot", "mermaid", "json", "cypher":
                // The other writers load the graph themselves; point them at the same folder.
                let withGraph = args + ["--graph", graphOptions.graphDirectory] + (graphOptions.readings.map { ["--readings", $0] } ?? [])
                let types: [String: ParsableCommand.Type] = [
                    "graphml": ExportGraphMLCommand.self, "dot": ExportDotCommand.self, "mermaid": ExportMermaidCommand.self,
                    "json": ExportJSONCommand.self, "cypher": ExportCypherCommand.self]
                var cmd = try types[entry.command]!.parseAsRoot(withGraph)
                try cmd.run()
                if check {
                    let committed = (exports as NSString).appendingPathComponent(entry.file)
                    if fm.contents(atPath: committed) != fm.contents(atPath: target) { stale.append(entry.file) }
                }
            default:
                throw ManifestError("manifest: unknown command '\(entry.command)' for \(entry.file)")
            }
            if !check { for w in written { print("wrote \(w)") } }
        }
        if check {
            if stale.isEmpty {
                print("\(manifest.exports.count) exports up to date")
            } else {
                eprint("out of date (run kg export --all): " + stale.joined(separator: ", "))
                throw ExitCode(1)
            }
        }
    }
}
