import ArgumentParser
import Foundation
import KGCore
import KGExport
import KGFormat

/// `kg import graphml FILE`: GraphML from yEd, Gephi, Cytoscape, NetworkX, igraph or kg into .kg.
struct ImportGraphMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphml", abstract: "Import GraphML into a new .kg file.",
        discussion: """
        Reads the file with libxml2's streaming SAX parser (no network, no entities, no DTD, no \
        XInclude) and writes one .kg file, by default Graph/imported/<name>.kg. Node label: the \
        'label' key, else 'name', else yEd's node label, else the id (--map-label KEY picks another \
        key). Kind: 'kind', TinkerPop's 'labelV' or Neo4j's 'labels'. Relation type: the 'type' key, \
        else TinkerPop's 'labelE', Cytoscape's 'interaction', the edge 'label' (Gephi, Neo4j), yEd's \
        edge label, else RELATED_TO (--map-type KEY). Undirected graphs and edges give relation \
        types declared undirected. Deviations from GraphML that real tools produce (no namespace, \
        reused or undeclared key ids, duplicate edge ids, Latin-1 text) are read, each with one \
        warning naming its line. Kinds and relation types the graph does not declare yet are \
        declared in the new file. The result is checked together with the graph folder before \
        anything is written; errors point into the GraphML file, nothing is written and the exit \
        status is 1.
        """)

    @Argument(help: ArgumentHelp("The GraphML file.", valueName: "file"))
    var file: String

    @OptionGroup var graphOptions: GraphOptions
    @OptionGroup(title: "Writing") var writeOptions: WriteOptions

    @Option(help: ArgumentHelp("Folder for the new .kg file (default: <graph>/imported).", valueName: "dir"))
    var into: String?

    @Option(name: .customLong("map-label"), help: ArgumentHelp("Node key (attr.name) to use as the concept name.", valueName: "key"))
    var mapLabel: String?

    @Option(name: .customLong("map-type"), help: ArgumentHelp("Edge key (attr.name) to use as the relation type.", valueName: "key"))
    var mapType: String?

    @Option(help: ArgumentHelp("Kind of nodes that have no 'kind' value.", valueName: "kind"))
    var kind: String = "Concept"

    @Flag(help: "Replace the output file when it exists.")
    var force = false

    @Flag(help: "Print the GraphML read time (and MB/s) to standard error.")
    var timings = false

    @Flag(name: .customLong("dry-run"), help: "Read and check the GraphML file as for a real import, report counts and warnings, write nothing.")
    var dryRun = false

    func run() throws {
        var opts = GraphMLImportOptions(labelKey: mapLabel, typeKey: mapType)
        opts.defaultKind = kind
        opts.progress = ProgressReporter("reading GraphML", unit: "bytes")
        let imported: GraphMLImport
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            imported = try GraphMLReader.read(path: file, options: opts)
        } catch let e as GraphMLImportError {
            eprint(e.description)
            throw ExitCode(1)
        }
        if timings {
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let mb = Double((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) / 1e6
            eprint(String(format: "read %.3f s (%.1f MB, %.1f MB/s): %d nodes, %d edges",
                          secs, mb, mb / max(secs, 1e-9), imported.graph.nodeCount, imported.graph.edgeCount))
        }
        for w in imported.warnings { eprint(w) }
        try finish(imported)
    }

    /// One statement of the generated file and the GraphML line it comes from.
    struct Origin {
        var kgLine: Int
        var graphmlLine: Int
        var what: String
    }

    /// Checks and writes the imported graph.
    func finish(_ imported: GraphMLImport) throws {
        var imported = imported
        let g = imported.graph
        try graphOptions.lockForWriting(writeOptions)

        // Where the file goes, and whether it joins the graph folder.
        let graphDir = URL(fileURLWithPath: graphOptions.graphDirectory).standardizedFileURL.path
        let dir = URL(fileURLWithPath: into ?? graphDir + "/imported").standardizedFileURL.path
        var base = KGPrinter.slug(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        if base.isEmpty { base = "imported" }
        let out = dir + "/" + base + ".kg"
        if FileManager.default.fileExists(atPath: out) && !force && !dryRun {
            eprint("error: \(out) already exists (use --force to replace it)")
            throw ExitCode(1)
        }
        let joins = FileManager.default.fileExists(atPath: graphDir) && (dir == graphDir || dir.hasPrefix(graphDir + "/"))

        // Existing files of the graph folder (the new file is checked together with them).
        var files: [(path: String, text: String)] = []
        var current: Graph?
        if joins {
            for rel in GraphLoader.kgFiles(in: graphDir) {
                let p = graphDir + "/" + rel
                if p == out { continue }
                guard let d = FileManager.default.contents(atPath: p) else { continue }
                files.append((p, String(decoding: d, as: UTF8.self)))
            }
            let loaded = GraphLoader.load(files: files).graph
            current = loaded
            var clashes: [(String, Int)] = []
            for n in g.nodes where loaded.node(key: g.key(of: n)) != nil { clashes.append((g.key(of: n), imported.line(of: n))) }
            if !clashes.isEmpty {
                eprint("\(file):\(clashes[0].1): error: \(clashes.count) imported id\(clashes.count == 1 ? "" : "s") already exist in \(graphDir): "
                    + clashes.prefix(8).map(\.0).joined(separator: ", ") + (clashes.count > 8 ? ", …" : "")
                    + "; import into a separate folder with --into")
                throw ExitCode(1)
            }
        }
        for w in imported.makeLoadable(existing: current) { eprint(w) }
        current = nil

        // The text, statement by statement, remembering where each came from.
        var text = "# Imported from \(URL(fileURLWithPath: file).lastPathComponent) by kg import graphml.\n"
        var origins: [Origin] = []
        var lineNo = 2
        func append(_ s: String, graphmlLine: Int, what: String) {
            origins.append(Origin(kgLine: lineNo, graphmlLine: graphmlLine, what: what))
            text += s
            lineNo += s.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        }
        for (_, k) in g.schema.kinds {
            append(KGPrinter.print(Statement(.kind(name: k.name, parent: k.parent, doc: nil))), graphmlLine: 0, what: "kind \(k.name)")
        }
        for (_, r) in g.schema.relations {
            let firstLine = g.edges.first { g.typeName(of: $0) == r.name }.map { imported.line(of: $0) } ?? 0
            append(KGPrinter.print(Statement(.relationType(name: r.name, domain: r.domain, range: r.range, inverse: r.inverse,
                                                           flags: RelationFlags(r)))),
                   graphmlLine: firstLine, what: "relation type \(r.name)")
        }
        let keys = KGPrinter.nodeKeys(g)
        let nodes = KGPrinter.nodeOrder(g, keys: keys)
        if !nodes.isEmpty { text += "\n"; lineNo += 1 }
        for n in nodes {
            append(KGPrinter.print(KGPrinter.statement(node: n, in: g, key: keys[n]!)), graphmlLine: imported.line(of: n),
                   what: "node '\(keys[n]!)'")
        }
        let edges = KGPrinter.edgeOrder(g, keys: keys)
        if !edges.isEmpty { text += "\n"; lineNo += 1 }
        for e in edges {
            append(KGPrinter.print(KGPrinter.statement(edge: e, in: g, keys: { keys[$0]! })), graphmlLine: imported.line(of: e),
                   what: "edge \(keys[g.source(of: e)]!) -\(g.typeName(of: e))-> \(keys[g.target(of: e)]!)")
        }
        let readings = g.nodes.filter { g.kind(of: $0) == "Reading" }.count
        let undirected = g.schema.relations.values.filter(\.undirected).map(\.name)
        var summary = "imported \(g.nodeCount - readings) concepts, \(readings) readings and \(g.edgeCount) relations"
        if !undirected.isEmpty { summary += " (undirected: \(undirected.joined(separator: ", ")))" }
        try check(text: text, origins: origins, files: files, out: out, dir: dir, summary: summary)
    }

    func check(text: String, origins: [Origin], files: [(path: String, text: String)], out: String, dir: String, summary: String) throws {
        var files = files

        // Check the result before writing anything; errors in the new text point into the GraphML file.
        files.append((out, text))
        let check = GraphLoader.load(files: files)
        let errors = check.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            for d in errors.prefix(20) {
                if d.file == out {
                    let o = origins.last { $0.kgLine <= d.line }
                    let gl = o?.graphmlLine ?? 0
                    eprint("\(file):\(gl): error: \(d.message) (in the \(o?.what ?? "text") this file becomes)")
                } else {
                    eprint(d.description)
                }
            }
            if errors.count > 20 { eprint("… and \(errors.count - 20) more") }
            eprint("error: the imported graph does not check; nothing was written")
            throw ExitCode(1)
        }
        if dryRun {
            eprint(summary + " from \(file); nothing written (--dry-run)")
            return
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do { try AtomicWrite.write(text, to: out) } catch { eprint("error: \(error)"); throw ExitCode(1) }
        eprint(summary + " into \(out)")
    }
}
