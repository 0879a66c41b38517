import ArgumentParser
import Foundation
import KGCore
import KGFormat
import KGReadings

/// `kg link`: reads new readings against the graph, shows what they mention and propose, and
/// (with --apply) records each one as `Graph/readings/<id>.kg`. See docs/LINKING.md.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Link new readings to the graph: mentions, proposed relations and new concepts.",
        discussion: """
            Without --apply this is a dry run: it prints a summary table and the exact .kg text it would add. \
            --apply writes one file per reading, <graph>/readings/<id>.kg, atomically, and nothing else \
            (a reading outside the readings folder is copied into it; see docs/LINKING.md).

            Which proposals to keep: --accept all | none | mentions | relations[:N,…] | concepts[:N,…] \
            (repeatable). Without it, --apply asks y/n on a terminal, else keeps the mentions only.

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions
    @OptionGroup(title: "Writing (with --apply)") var writeOptions: WriteOptions

    @Argument(help: ArgumentHelp("Reading files (UTF-8 plain text or Markdown) or folders of them.", valueName: "file"))
    var files: [String]

    @Option(name: .long, help: "Title of the reading (default: its first heading, else first line, else file name). One file only.")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Id of the reading node (default: from the file name). One file only.", valueName: "id"))
    var id: String?

    @Flag(name: .long, help: "Write the accepted proposals into the graph folder.")
    var apply = false

    @Flag(name: .long, help: "Relink a reading that is already in the graph (same SHA-256, or same path with a changed text).")
    var update = false

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Proposals to keep: all, none, mentions, relations[:N,…], concepts[:N,…].", valueName: "what"))
    var accept: [String] = []

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp("Refuse reading files larger than this many bytes.", valueName: "bytes"))
    var maxBytes: Int = ReadingSource.defaultMaxBytes

    @Option(name: .long, help: ArgumentHelp("Kind given to accepted new concepts.", valueName: "kind"))
    var newKind: String = "Concept"

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one reading file or folder") }
        if maxBytes <= 0 { throw ValidationError("--max-bytes must be positive") }
        if let i = id, !Self.isIdentifier(i) { throw ValidationError("--id '\(i)' is not an identifier ([A-Za-z0-9_][A-Za-z0-9_.-]*)") }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.isASCII, f.properties.isAlphabetic || ("0"..."9").contains(f) || f == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }

    /// One reading, ready to write.
    struct Planned {
        var source: ReadingSource
        var result: LinkResult
        var kg: String
        var file: String
        var status: String
        var copyTo: String?
    }

    func run() throws {
        let paths: [String]
        do { paths = try ReadingSource.expand(paths: files) } catch { eprint("\(error)"); throw ExitCode(1) }
        if paths.count > 1 && (title != nil || id != nil) {
            eprint("error: --title and --id apply to a single reading, but \(paths.count) were given")
            throw ExitCode.validationFailure
        }
        // Files named on the command line (not found in a folder).
        let explicit = Set(files.filter { p in
            var d: ObjCBool = false
            return FileManager.default.fileExists(atPath: p, isDirectory: &d) && !d.boolValue
        })
        // Every reading is checked before anything else happens.
        var sources: [ReadingSource] = []
        var failed = false
        for p in paths {
            do { sources.append(try ReadingSource.load(path: p, maxBytes: maxBytes)) } catch { eprint("\(error)"); failed = true }
        }
        if failed { throw ExitCode(1) }

        let loaded = apply ? try graphOptions.loadForWriting(writeOptions) : try graphOptions.load(showWarnings: false)
        let graphDir = graphOptions.graphDirectory
        let readingsDir = loaded.readingsDirectory.map { Self.absolute($0) }
        var acceptance: Acceptance? = nil
        if !accept.isEmpty {
            do { acceptance = try Acceptance.parse(accept) } catch { eprint("\(error)"); throw ExitCode.validationFailure }
        }
        let interactive = apply && acceptance == nil && isatty(STDIN_FILENO) != 0 && isatty(STDERR_FILENO) != 0 && format == .text

        let schema = loaded.graph.schema
        if !schema.isEmpty && (schema.relation("MENTIONS") == nil || schema.kind("Reading") == nil) {
            eprint("error: the schema of \(graphDir) must declare `kind Reading` and `relation MENTIONS  Reading -> Concept` for kg link to record readings")
            throw ExitCode(1)
        }
        var linker = Linker(graph: loaded.graph)
        var usedIDs = Set(loaded.graph.nodes.map { loaded.graph.key(of: $0) })
        var planned: [Planned] = []
        var plannedFiles = Set<String>()
        for src in sources {
            let sha = SHA256.hex(of: src.bytes)
            // Where the reading lives, relative to the readings folder.
            let abs = Self.absolute(src.path)
            var relPath = (abs as NSString).lastPathComponent
            var copyTo: String? = nil
            var status = ""
            if let rd = readingsDir, abs.hasPrefix(rd + "/") {
                relPath = String(abs.dropFirst(rd.count + 1))
            } else if let rd = readingsDir {
                let dest = rd + "/" + relPath
                if let existing = FileManager.default.contents(atPath: dest) {
                    if [UInt8](existing) != src.bytes {
                        eprint("\(src.path): error: the file lies outside the readings folder \(rd), and a different file named \(relPath) is already there; rename one of them")
                        throw ExitCode(1)
                    }
                    status = "same text as \(dest) in the readings folder"
                } else {
                    copyTo = dest
                    status = "outside the readings folder: --apply copies it to \(dest)"
                }
            } else if apply {
                eprint("\(src.path): error: no readings folder is configured; set 'readings = <dir>' in \(graphDir)/kg.conf, or pass --readings or KG_READINGS")
                throw ExitCode(1)
            } else {
                status = "no readings folder configured: the path would be \(relPath)"
            }
            // Already linked?
            let g = loaded.graph
            var readingID = id
            var declare = true
            var linkGraph = g
            var existingNode: NodeID? = nil
            for n in g.nodes(withLabel: "Reading") {
                if g.property(n, "sha256")?.stringValue == sha { existingNode = n; break }
            }
            if existingNode == nil {
                for n in g.nodes(withLabel: "Reading") where g.property(n, "path")?.stringValue == relPath {
                    existingNode = n
                    if !update { eprint("\(LinkError.changedReading(path: src.path, readingID: g.key(of: n)))"); throw ExitCode(1) }
                }
            }
            var targetFile: String
            if let n = existingNode {
                let rid = g.key(of: n)
                let origin = loaded.origin(of: n)?.file
                if !update {
                    if !explicit.contains(src.path) && g.property(n, "sha256")?.stringValue == sha {
                        // Found in a folder: skip it, say so.
                        eprint("\(src.path): already linked as '\(rid)', skipped (pass --update to relink)")
                        continue
                    }
                    eprint("\(LinkError.alreadyLinked(path: src.path, readingID: rid, file: origin))")
                    throw ExitCode(1)
                }
                readingID = rid
                targetFile = graphDir + "/readings/" + rid + ".kg"
                if let o = origin, Self.absolute(o) == Self.absolute(targetFile) {
                    // Our own file: relink against the graph without it, and rewrite it whole.
                    var inputs: [(path: String, text: String)] = []
                    for rel in GraphLoader.kgFiles(in: graphDir) {
                        let p = graphDir + "/" + rel
                        if Self.absolute(p) == Self.absolute(targetFile) { continue }
                        inputs.append((p, String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self)))
                    }
                    let reduced = GraphLoader.load(files: inputs)
                    if reduced.hasErrors { printDiagnostics(reduced.diagnostics, warnings: false); throw ExitCode(1) }
                    linkGraph = reduced.graph
                    status = "relinking \(rid): \(targetFile) is rewritten"
                } else {
                    // Defined by hand elsewhere: add the mentions in our own file, keep the reading statement where it is.
                    declare = false
                    if let o = origin { status = "reading \(rid) is defined in \(o); only its mentions go to \(targetFile)" }
                    if let old = g.property(n, "sha256")?.stringValue, old != sha {
                        eprint("\(src.path): error: reading '\(rid)' is defined in \(origin ?? "the graph") with another SHA-256; update its sha256 there to \(sha) first")
                        throw ExitCode(1)
                    }
                }
            } else {
                let base = readingID ?? Linker.slug(((src.path as NSString).lastPathComponent as NSString).deletingPathExtension)
                if id != nil, usedIDs.contains(base) { eprint("\(LinkError.idTaken(base))"); throw ExitCode(1) }
                var rid = base
                var k = 2
                while usedIDs.contains(rid) || plannedFiles.contains(graphDir + "/readings/" + rid + ".kg")
                        || FileManager.default.fileExists(atPath: graphDir + "/readings/" + rid + ".kg") {
                    rid = "\(base)-\(k)"
                    k += 1
                }
                readingID = rid
                targetFile = graphDir + "/readings/" + rid + ".kg"
            }
            usedIDs.insert(readingID!)
            if linkGraph !== linker.graph { linker = Linker(graph: linkGraph) }
            var opts = LinkOptions(path: relPath, sha256: sha, title: title, readingID: readingID)
            opts.maxRelations = 30
            let progress = Progress(label: src.path)
            let result = linker.link(src, options: opts, progress: progress.report)
            progress.done()
            if linkGraph !== loaded.graph { linker = Linker(graph: loaded.graph) }

            // Choose proposals.
            var acc = acceptance ?? .mentionsOnly
            if interactive { acc = review(result) }
            for n in acc.relations where n > result.relations.count {
                eprint("\(LinkError.noSuchProposal("\(src.path) has \(result.relations.count) relation proposals, not \(n)"))")
                throw ExitCode.validationFailure
            }
            for n in acc.concepts where n > result.candidates.count {
                eprint("\(LinkError.noSuchProposal("\(src.path) has \(result.candidates.count) concept candidates, not \(n)"))")
                throw ExitCode.validationFailure
            }
            if result.relations.contains(where: { $0.type == nil && acc.keeps(relation: $0.number) }),
               linkGraph.schema.relation("RELATED_TO") == nil && !linkGraph.schema.isEmpty {
                eprint("error: an untyped relation was accepted, but the schema declares no RELATED_TO; accept typed ones only or declare RELATED_TO")
                throw ExitCode(1)
            }
            if result.candidates.contains(where: { $0.aliasOf == nil && acc.keeps(concept: $0.number) }),
               !linkGraph.schema.isEmpty && linkGraph.schema.kind(newKind) == nil {
                eprint("error: the schema declares no kind '\(newKind)' for new concepts (choose one with --new-kind)")
                throw ExitCode(1)
            }
            let kg = acc.keepsAnything || declare
                ? KGEmitter.emit(result, accept: acc, graph: linkGraph, declareReading: declare, newConceptKind: newKind) : ""
            plannedFiles.insert(targetFile)
            planned.append(Planned(source: src, result: result, kg: kg, file: targetFile, status: status, copyTo: copyTo))
        }

        if planned.isEmpty {
            eprint("kg link: nothing new to link")
            return
        }
        if apply, let rd = readingsDir, planned.contains(where: { $0.copyTo != nil }) {
            var d: ObjCBool = false
            if !FileManager.default.fileExists(atPath: rd, isDirectory: &d) || !d.boolValue {
                eprint("error: the readings folder \(rd) does not exist; create it, or point 'readings' in \(graphDir)/kg.conf (or --readings) at the right folder")
                throw ExitCode(1)
            }
        }
        // The graph with the new files must still load without errors.
        var inputs: [(path: String, text: String)] = []
        let replaced = Set(planned.map { Self.absolute($0.file) })
        for rel in GraphLoader.kgFiles(in: graphDir) {
            let p = graphDir + "/" + rel
            if replaced.contains(Self.absolute(p)) { continue }
            inputs.append((p, String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self)))
        }
        for p in planned { inputs.append((p.file, p.kg)) }
        let after = GraphLoader.load(files: inputs)
        if after.hasErrors {
            eprint("error: the generated .kg text does not load together with the graph; nothing was written:")
            printDiagnostics(after.diagnostics, warnings: false)
            throw ExitCode(1)
        }

        // Report.
        switch format {
        case .json:
            writeStdout(LinkReport.json(planned.map { ($0.result, kg: $0.kg, file: $0.file, status: apply ? "written" : "dry run") }))
        case .text:
            var out = ""
            for (i, p) in planned.enumerated() {
                if i > 0 { out += "\n" + String(repeating: "=", count: 72) + "\n\n" }
                out += LinkReport.text(p.result, status: p.status.isEmpty ? nil : p.status)
                out += "\n" + (apply ? "Wrote \(p.file):" : "Dry run: --apply would write \(p.file):") + "\n\n"
                out += p.kg
            }
            writeStdout(out)
        }

        guard apply else { return }
        // One transaction: the copied readings and the .kg files are written and renamed together.
        var files: [(path: String, bytes: [UInt8])] = []
        for p in planned { if let dest = p.copyTo { files.append((dest, p.source.bytes)) } }
        for p in planned { files.append((p.file, Array(p.kg.utf8))) }
        do {
            try AtomicWrite.writeAll(files)
        } catch {
            eprint("error: writing failed: \(error)")
            throw ExitCode(1)
        }
        if format == .text { eprint("kg link: wrote \(planned.count) file\(planned.count == 1 ? "" : "s"); run `kg check --strict` to verify") }
    }

    /// Asks y/n for each proposal on the terminal.
    func review(_ r: LinkResult) -> Acceptance {
        var a = Acceptance(mentions: true)
        func ask(_ q: String) -> Bool? {
            eprint(q + " [y/N/q] ", terminator: "")
            guard let line = readLine() else { return nil }
            let t = line.trimmingCharacters(in: .whitespaces).lowercased()
            if t == "q" { return nil }
            return t == "y" || t == "yes"
        }
        eprint("Reading \(r.reading.id): \(r.mentions.count) mentioned concepts.")
        guard let m = ask("Record the mentions (MENTIONS edges)?") else { return a }
        a.mentions = m
        for p in r.relations {
            let line = "Relation \(p.number): \(p.source) -\(p.type ?? "RELATED_TO")-> \(p.target)"
                + (p.cue.map { " (cue \u{201C}\($0)\u{201D})" } ?? " (no cue)") + ", sentences \(p.sentences.map { "S\($0)" }.joined(separator: ","))?"
            guard let y = ask(line) else { return a }
            if y { a.relations.insert(p.number) }
        }
        for c in r.candidates {
            let line = c.aliasOf != nil ? "Alias \(c.acronym ?? c.name) for \(c.aliasOf!) (written as a comment)?"
                : "New concept \(c.number): \(c.name)\(c.acronym.map { " (\($0))" } ?? ""), \(c.count)×?"
            guard let y = ask(line) else { return a }
            if y { a.concepts.insert(c.number) }
        }
        return a
    }

    static func absolute(_ p: String) -> String {
        let url = p.hasPrefix("/") ? URL(fileURLWithPath: p) : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(p)
        return url.standardizedFileURL.path
    }

}

/// Progress on stderr, only on a terminal and only once a run has taken more than a second.
final class Progress {
    let label: String
    let start = Date()
    var shown = false
    let enabled = isatty(STDERR_FILENO) != 0
    init(label: String) { self.label = label }
    func report(_ fraction: Double) {
        guard enabled, Date().timeIntervalSince(start) > 1 else { return }
        shown = true
        eprint("\rkg link: \(label): \(Int(fraction * 100))%", terminator: "")
    }
    func done() { if shown { eprint("\rkg link: \(label): done      ") } }
}
