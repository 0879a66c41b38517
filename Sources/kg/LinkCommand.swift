import ArgumentParser
import Foundation
import KGCore
import KGFormat
import KGReadings

/// `kg link`: reads new readings against the graph, shows what they mention and state, and
/// (with --apply) records each one as `<graph>/readings/<id>.kg`. See docs/LINKING.md.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Link new readings to the graph: mentions, proposed relations and new concepts.",
        discussion: """
            Readings are plain text, Markdown, HTML (its main text) or PDF (through pdftotext, from \
            poppler-utils). Without --apply this is a dry run: it prints what the reading mentions, the \
            relations its sentences state (each with the sentence and how strongly it says so: asserted, \
            hedged, negated or reported), new terms, and the exact .kg text it would add. --apply writes \
            one file per reading, <graph>/readings/<id>.kg, and keeps the reading's text in the \
            knowledge base's own readings folder, <graph>/readings, named by its hash (a file already in \
            the configured readings folder stays where it is); nothing is ever written outside the graph \
            folder.

            Which proposals to keep: --accept all | none | mentions | relations[:N,…] | relations:N=TYPE \
            | concepts[:N,…] (repeatable; all and relations take the typed ones that are not negated, and \
            say what they skipped). Without it, --apply asks for each proposal on a terminal, else keeps \
            the mentions only. --write-proposals FILE writes the proposals as a file to tick in an \
            editor; --accept-from FILE applies the ticked file.

            Reading files must be regular files: symbolic links, devices and FIFOs are refused, and \
            folders are searched without following links. Linking stops at --timeout seconds.

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions
    @OptionGroup(title: "Writing (with --apply)") var writeOptions: WriteOptions

    @Argument(help: ArgumentHelp("Reading files (plain text, Markdown, HTML or PDF) or folders of them.", valueName: "file"))
    var files: [String]

    @Option(name: .long, help: "Title of the reading (default: its first heading, else first line, else file name). One file only.")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Id of the reading node (default: from the file name). One file only.", valueName: "id"))
    var id: String?

    @Option(name: .long, help: ArgumentHelp("Kind of source the reading is, recorded on it: primary, secondary, lesson, notes or tertiary.", valueName: "kind"))
    var source: String?

    @Flag(name: .long, help: "Write the accepted proposals into the graph folder.")
    var apply = false

    @Flag(name: .long, help: "Relink a reading that is already in the graph (same SHA-256, or same path with a changed text).")
    var update = false

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Proposals to keep: all, none, mentions, relations[:N,…], relations:N=TYPE, concepts[:N,…].", valueName: "what"))
    var accept: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write the proposals to this file, to tick in an editor (one reading only).", valueName: "file"))
    var writeProposals: String?

    @Option(name: .long, help: ArgumentHelp("Keep the proposals ticked in this file (written by --write-proposals; one reading only).", valueName: "file"))
    var acceptFrom: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp("Refuse reading files larger than this many bytes.", valueName: "bytes"))
    var maxBytes: Int = ReadingSource.defaultMaxBytes

    @Option(name: .long, help: ArgumentHelp("Stop linking a reading after this many seconds (0: no limit).", valueName: "seconds"))
    var timeout: Double = 60

    @Option(name: .long, help: ArgumentHelp("Kind given to accepted new concepts.", valueName: "kind"))
    var newKind: String = "Concept"

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    static let sourceKinds = ["primary", "secondary", "tertiary", "lesson", "notes"]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one reading file or folder") }
        if maxBytes <= 0 { throw ValidationError("--max-bytes must be positive") }
        if timeout < 0 || !timeout.isFinite { throw ValidationError("--timeout must be 0 (no limit) or a positive number of seconds") }
        if let i = id, !Self.isIdentifier(i) { throw ValidationError("--id '\(i)' is not an identifier ([A-Za-z0-9_][A-Za-z0-9_.-]*)") }
        if let s = source, !Self.sourceKinds.contains(s) {
            throw ValidationError("--source '\(s)': expected one of \(Self.sourceKinds.joined(separator: ", "))")
        }
        if acceptFrom != nil && !accept.isEmpty { throw ValidationError("--accept and --accept-from cannot be used together") }
        if writeProposals != nil && apply { throw ValidationError("--write-proposals writes a file to review; run --apply --accept-from FILE afterwards") }
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
        /// Where the reading's text is stored (nil: it stays where it is).
        var storeAt: String?
        var accepted: String
    }

    func run() throws {
        let deadline = Deadline(seconds: timeout)
        let paths: [String]
        do { paths = try ReadingSource.expand(paths: files) { eprint($0) } } catch { eprint("\(error)"); throw ExitCode(1) }
        let single = paths.count == 1
        if !single && (title != nil || id != nil || writeProposals != nil || acceptFrom != nil) {
            eprint("error: --title, --id, --write-proposals and --accept-from apply to a single reading, but \(paths.count) were given")
            throw ExitCode.validationFailure
        }
        // Files named on the command line (not found in a folder).
        let explicit = Set(files.filter { p in
            var st = stat()
            return lstat(p, &st) == 0 && st.st_mode & S_IFMT != S_IFDIR
        })
        // Every reading is checked before anything else happens.
        var sources: [ReadingSource] = []
        var failed = false
        for p in paths {
            do { sources.append(try ReadingSource.load(path: p, maxBytes: maxBytes, timeout: timeout)) } catch { eprint("\(error)"); failed = true }
        }
        if failed { throw ExitCode(1) }

        var acceptance: Acceptance? = nil
        if !accept.isEmpty {
            do { acceptance = try Acceptance.parse(accept) } catch { eprint("\(error)"); throw ExitCode.validationFailure }
        }
        var acceptText: String? = nil
        if let f = acceptFrom {
            do { acceptText = try Self.readText(f) } catch { eprint("\(f): error: cannot read the proposal file: \(error)"); throw ExitCode(1) }
        }

        let loaded = apply ? try graphOptions.loadForWriting(writeOptions) : try graphOptions.load(showWarnings: false)
        let graphDir = graphOptions.graphDirectory
        let readingsDir = loaded.readingsDirectory.map { Self.absolute($0) }
        let storeDir = Self.absolute(graphDir + "/readings")
        let interactive = apply && acceptance == nil && acceptText == nil && isatty(STDIN_FILENO) != 0 && isatty(STDERR_FILENO) != 0 && format == .text

        let schema = loaded.graph.schema
        if !schema.isEmpty && (schema.relation("MENTIONS") == nil || schema.kind("Reading") == nil) {
            eprint("error: the schema of \(graphDir) must declare `kind Reading` and `relation MENTIONS  Reading -> Concept` for kg link to record readings")
            throw ExitCode(1)
        }
        var linker = Linker(graph: loaded.graph)
        var usedIDs = Set(loaded.graph.nodes.map { loaded.graph.key(of: $0) })
        var planned: [Planned] = []
        var plannedFiles = Set<String>()
        let date = Provenance.today()
        for src in sources {
            let sha = SHA256.hex(of: src.bytes)
            // Where the reading's text lives: referenced where it is (a text file already in the
            // readings folder or the store), else stored in <graph>/readings under its hash.
            let abs = Self.absolute(src.path)
            let plainText = src.format == .text || src.format == .markdown
            var relPath: String
            var storeAt: String? = nil
            var status = ""
            if plainText, let rd = readingsDir, abs.hasPrefix(rd + "/") {
                relPath = String(abs.dropFirst(rd.count + 1))
            } else if plainText, abs.hasPrefix(storeDir + "/") {
                relPath = String(abs.dropFirst(storeDir.count + 1))
            } else {
                let base = Linker.slug(((src.path as NSString).lastPathComponent as NSString).deletingPathExtension)
                relPath = "\(base)-\(sha.prefix(12)).\(src.storedExtension)"
                let dest = storeDir + "/" + relPath
                if let existing = FileManager.default.contents(atPath: dest) {
                    if [UInt8](existing) != src.bytes {
                        eprint("\(src.path): error: \(dest) exists with another text; move it away first")
                        throw ExitCode(1)
                    }
                    status = "its text is already stored as \(dest)"
                } else {
                    storeAt = dest
                    status = (src.format == .text || src.format == .markdown ? "" : "the \(src.format.rawValue.uppercased()) text ") + "goes to the knowledge base's readings folder: \(dest)"
                }
            }
            // Already linked?
            let g = loaded.graph
            var readingID = id
            var declare = true
            var linkGraph = g
            var existingNode: NodeID? = nil
            for n in g.nodes(withLabel: "Reading") where g.property(n, "sha256")?.stringValue == sha { existingNode = n; break }
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
                        eprint("\(src.path): already linked as '\(rid)', skipped (pass --update to relink)")
                        continue
                    }
                    eprint("\(LinkError.alreadyLinked(path: src.path, readingID: rid, file: origin))")
                    throw ExitCode(1)
                }
                readingID = rid
                if let p = g.property(n, "path")?.stringValue, g.property(n, "sha256")?.stringValue == sha { relPath = p; storeAt = nil }
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
            opts.deadline = deadline
            opts.progressLabel = "kg link \(src.path)"
            let result: LinkResult
            do { result = try linker.link(src, options: opts) } catch {
                eprint("\(src.path): error: \(error)")
                throw ExitCode(1)
            }
            if linkGraph !== loaded.graph { linker = Linker(graph: loaded.graph) }

            if let wp = writeProposals {
                var cmd = "kg link \(Self.shellQuote(src.path)) --apply --accept-from \(Self.shellQuote(wp))"
                if let g = graphOptions.graph { cmd += " --graph \(Self.shellQuote(g))" }
                do { try AtomicWrite.write(ProposalFile.write(result, command: cmd), to: wp) } catch {
                    eprint("\(wp): error: cannot write the proposal file: \(error)")
                    throw ExitCode(1)
                }
                eprint("kg link: wrote the proposals for \(src.path) to \(wp); tick them, then run: \(cmd)")
            }

            // Choose proposals.
            var acc = acceptance ?? .mentionsOnly
            if let text = acceptText {
                do { acc = try ProposalFile.read(text, file: acceptFrom!, for: result, schema: linkGraph.schema) } catch {
                    eprint("\(error)")
                    throw ExitCode(1)
                }
            } else if interactive {
                acc = review(result, schema: linkGraph.schema)
            }
            if acc.concepts.contains(where: { $0 > result.candidates.count }) {
                eprint("\(LinkError.noSuchProposal("\(src.path) has \(result.candidates.count) concept candidates, not \(acc.concepts.max()!)"))")
                throw ExitCode.validationFailure
            }
            let chosen: [Acceptance.Chosen]
            let skipped: [String]
            do {
                (chosen, skipped) = try acc.chooseRelations(result, schema: linkGraph.schema) { key in
                    linkGraph.node(key: key).flatMap { linkGraph.kind(of: $0) }
                }
            } catch let e as LinkError {
                eprint("\(src.path): \(e)")
                throw (acceptText != nil ? ExitCode(1) : ExitCode.validationFailure)
            }
            if result.candidates.contains(where: { $0.aliasOf == nil && acc.keeps(concept: $0.number) }),
               !linkGraph.schema.isEmpty && linkGraph.schema.kind(newKind) == nil {
                eprint("error: the schema declares no kind '\(newKind)' for new concepts (choose one with --new-kind)")
                throw ExitCode(1)
            }
            let fields = KGEmitter.ReadingFields(source: source,
                                                 original: src.format == .html || src.format == .pdf ? (src.path as NSString).lastPathComponent : nil)
            let kg = acc.keepsAnything || declare || !chosen.isEmpty
                ? KGEmitter.emit(result, accept: acc, relations: chosen, graph: linkGraph, declareReading: declare,
                                 newConceptKind: newKind, date: date, fields: fields) : ""
            var summary: [String] = []
            if acc.mentions { summary.append("the mentions") }
            if !chosen.isEmpty { summary.append("\(chosen.count) relation\(chosen.count == 1 ? "" : "s") (\(chosen.map { String($0.proposal.number) }.joined(separator: ", ")))") }
            let nc = result.candidates.filter { acc.keeps(concept: $0.number) }.count
            if nc > 0 { summary.append("\(nc) new concept\(nc == 1 ? "" : "s")") }
            var accepted = "accepting " + (summary.isEmpty ? "nothing but the reading" : summary.joined(separator: ", "))
            if !skipped.isEmpty { accepted += "; skipped " + skipped.joined(separator: " and ") }
            plannedFiles.insert(targetFile)
            planned.append(Planned(source: src, result: result, kg: kg, file: targetFile, status: status, storeAt: storeAt, accepted: accepted))
        }

        if planned.isEmpty {
            eprint("kg link: nothing new to link")
            return
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
                out += LinkReport.text(p.result, status: p.status.isEmpty ? nil : p.status, color: Terminal.stdoutColor)
                out += "\n" + (apply ? "Wrote \(p.file):" : "Dry run: --apply would write \(p.file):") + "\n\n"
                out += p.kg
            }
            writeStdout(out)
        }
        if apply || acceptance != nil || acceptText != nil {
            for p in planned { eprint("kg link: \(p.source.path): \(p.accepted)") }
        }

        guard apply else { return }
        // One transaction: the stored reading texts and the .kg files are written together.
        var writes: [(path: String, bytes: [UInt8])] = []
        for p in planned { if let dest = p.storeAt { writes.append((dest, p.source.bytes)) } }
        for p in planned { writes.append((p.file, Array(p.kg.utf8))) }
        do {
            try AtomicWrite.writeAll(writes)
        } catch {
            eprint("error: writing failed: \(error)")
            throw ExitCode(1)
        }
        if format == .text { eprint("kg link: wrote \(writes.count) file\(writes.count == 1 ? "" : "s"); run `kg check --strict` to verify") }
    }

    static func readText(_ path: String) throws -> String {
        let bytes = try ReadingSource.readRegularFile(path: path, maxBytes: 16 << 20)
        if let bad = UTF8Validation.firstInvalid(bytes) {
            let (l, c) = ReadingSource.lineColumn(bytes, bad)
            throw LinkError.other("line \(l), column \(c) is not valid UTF-8")
        }
        if bytes.contains(0) { throw LinkError.other("it holds a NUL byte (a binary file?)") }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func shellQuote(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Asks for each proposal on the terminal, showing its sentences with both concepts marked.
    func review(_ r: LinkResult, schema: Schema) -> Acceptance {
        var a = Acceptance(mentions: true)
        let color = Terminal.stderrColor
        func ask(_ q: String) -> String? {
            eprint(q, terminator: "")
            guard let line = readLine() else { return nil }
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.lowercased() == "q" ? nil : t
        }
        func mark(_ ev: ProposalEvidence) -> String {
            color ? ev.marked("\u{1B}[1;4m", "\u{1B}[0m") : ev.marked("[", "]")
        }
        eprint("Reading \(r.reading.id): \(r.mentions.count) mentioned concepts. Answer y or n (Enter: n), q to stop asking.")
        guard let m = ask("Record the mentions (MENTIONS edges)? [y/N/q] ") else { return a }
        a.mentions = m.lowercased().hasPrefix("y")
        let numbered = r.relations.filter { !$0.known }
        for p in numbered {
            eprint("")
            eprint("Relation \(p.number) of \(numbered.count)" + (p.type == nil ? " (untyped)" : "") + ": \(p.source) -\(p.type ?? "?")-> \(p.target)   \(p.modality.rawValue)")
            eprint("  \(p.type == nil ? "untyped: " : "")\(p.why)")
            for ev in p.evidence.prefix(3) {
                var l = "  S\(ev.sentence): " + mark(ev)
                if ev.modality != .asserted { l += "  (\(ev.modality.rawValue)" + (ev.markers.isEmpty ? "" : ": " + ev.markers.joined(separator: ", ")) + ")" }
                eprint(l)
            }
            if p.type == nil {
                while true {
                    guard let t = ask("Type to record it with (Enter: skip, ? lists types, q stops): ") else { return a }
                    if t.isEmpty { break }
                    if t == "?" { eprint("  " + schema.relations.keys.sorted().joined(separator: " ")); continue }
                    if schema.relation(t) != nil || schema.isEmpty {
                        a.relations.insert(p.number)
                        a.relationTypes[p.number] = t
                        break
                    }
                    eprint("  the schema declares no relation type \(t)" + (Suggest.nearest(t, in: Set(schema.relations.keys), limit: 1).first.map { "; did you mean \($0)?" } ?? ""))
                }
            } else {
                guard let y = ask("Accept? [y/N/q] ") else { return a }
                if y.lowercased().hasPrefix("y") { a.relations.insert(p.number) }
            }
        }
        for c in r.candidates {
            eprint("")
            let line = c.aliasOf != nil ? "Alias \(c.acronym ?? c.name) for \(c.aliasOf!) (written as a comment)"
                : "New concept \(c.number): \(c.name)\(c.acronym.map { $0 == c.name ? "" : " (\($0))" } ?? ""), \(c.count)× (\(c.reason.rawValue))"
            eprint(line)
            if !c.sentence.isEmpty { eprint("  " + String(c.sentence.prefix(300))) }
            guard let y = ask("Accept? [y/N/q] ") else { return a }
            if y.lowercased().hasPrefix("y") { a.concepts.insert(c.number) }
        }
        return a
    }

    static func absolute(_ p: String) -> String {
        let url = p.hasPrefix("/") ? URL(fileURLWithPath: p) : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(p)
        return url.standardizedFileURL.path
    }
}
