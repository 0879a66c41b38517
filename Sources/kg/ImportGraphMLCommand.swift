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
        Reads the file with libxml2's streaming reader (no network, no entities, no DTD) and writes \
        one .kg file, by default Graph/imported/<name>.kg. Node label: the 'label' key, else 'name', \
        else yEd's node label, else the id (--map-label KEY picks another key). Relation type: the \
        'type' key, else the edge 'label', else yEd's edge label, else RELATED_TO (--map-type KEY). \
        Kinds and relation types the graph does not declare yet are declared in the new file. \
        The result is checked together with the graph folder before anything is written; on any \
        error nothing is written and the exit status is 1.
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

    @Flag(name: .customLong("dry-run"), help: "Read and check the GraphML file, report counts and warnings, write nothing.")
    var dryRun = false

    func run() throws {
        var opts = GraphMLImportOptions(labelKey: mapLabel, typeKey: mapType)
        opts.defaultKind = kind
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
        if dryRun {
            eprint("read \(imported.graph.nodeCount) nodes and \(imported.graph.edgeCount) edges from \(file); nothing written (--dry-run)")
            return
        }
        try finish(imported)
    }

    /// Checks and writes the imported graph (a separate function so the graph is freed before the
    /// check loads the text again).
    func finish(_ imported: GraphMLImport) throws {
        let g = imported.graph
        try graphOptions.lockForWriting(writeOptions)

        // Where the file goes, and whether it joins the graph folder.
        let graphDir = URL(fileURLWithPath: graphOptions.graphDirectory).standardizedFileURL.path
        let dir = URL(fileURLWithPath: into ?? graphDir + "/imported").standardizedFileURL.path
        var base = KGPrinter.slug(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        if base.isEmpty { base = "imported" }
        let out = dir + "/" + base + ".kg"
        if FileManager.default.fileExists(atPath: out) && !force {
            eprint("error: \(out) already exists (use --force to replace it)")
            throw ExitCode(1)
        }
        let joins = FileManager.default.fileExists(atPath: graphDir) && (dir == graphDir || dir.hasPrefix(graphDir + "/"))

        // Existing files of the graph folder (the new file is checked together with them).
        var files: [(path: String, text: String)] = []
        var existing = Schema()
        if joins {
            for rel in GraphLoader.kgFiles(in: graphDir) {
                let p = graphDir + "/" + rel
                if p == out { continue }
                guard let d = FileManager.default.contents(atPath: p) else { continue }
                files.append((p, String(decoding: d, as: UTF8.self)))
            }
            let current = GraphLoader.load(files: files)
            existing = current.graph.schema
            var clashes: [String] = []
            for n in g.nodes where current.graph.node(key: g.key(of: n)) != nil { clashes.append(g.key(of: n)) }
            if !clashes.isEmpty {
                eprint("error: \(clashes.count) imported id\(clashes.count == 1 ? "" : "s") already exist in \(graphDir): "
                    + clashes.prefix(8).joined(separator: ", ") + (clashes.count > 8 ? ", …" : "")
                    + "; import into a separate folder with --into")
                throw ExitCode(1)
            }
        }

        // Declare the kinds and relation types the graph does not know yet.
        var kinds: [String] = [], types: [String] = []
        for n in g.nodes { for l in g.ownLabels(of: n) where !kinds.contains(l) { kinds.append(l) } }
        for e in g.edges { let t = g.typeName(of: e); if !types.contains(t) { types.append(t) } }
        for k in kinds.sorted() where existing.kinds[k] == nil { g.schema.declare(KindDecl(name: k)) }
        for t in types.sorted() where existing.relations[t] == nil && existing.relationWithInverse(t) == nil {
            g.schema.declare(RelationDecl(name: t))
        }

        let header = "# Imported from \(URL(fileURLWithPath: file).lastPathComponent) by kg import graphml.\n"
        let text = header + KGPrinter.render(graph: g)
        let readings = g.nodes.filter { g.kind(of: $0) == "Reading" }.count
        let summary = "imported \(g.nodeCount - readings) concepts, \(readings) readings and \(g.edgeCount) relations into \(out)"
        try check(text: text, files: files, out: out, dir: dir, summary: summary)
    }

    func check(text: String, files: [(path: String, text: String)], out: String, dir: String, summary: String) throws {
        var files = files

        // Check the result before writing anything.
        files.append((out, text))
        let check = GraphLoader.load(files: files)
        let errors = check.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            printDiagnostics(errors, warnings: false, limit: 20)
            eprint("error: the imported graph does not check; nothing was written")
            throw ExitCode(1)
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do { try AtomicWrite.write(text, to: out) } catch { eprint("error: \(error)"); throw ExitCode(1) }
        eprint(summary)
    }
}
