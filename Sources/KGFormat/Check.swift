import Foundation
import KGCore

/// A reading's text as found on disk, with its line and sentence structure.
public final class ReadingText {
    public let id: String
    public let path: String
    public let bytes: [UInt8]
    public lazy var text: String = String(decoding: bytes, as: UTF8.self)
    public lazy var lineStarts: [Int] = Sentences.lineStarts(bytes)
    public lazy var sentences: [SentenceSpan] = Sentences.split(text)
    public lazy var sha256: String = SHA256.hex(of: bytes)

    public init(id: String, path: String, bytes: [UInt8]) {
        self.id = id
        self.path = path
        self.bytes = bytes
    }

    /// Number of lines (a final line break does not start another line).
    public var lineCount: Int {
        if bytes.isEmpty { return 0 }
        return bytes.last == 0x0A ? lineStarts.count - 1 : lineStarts.count
    }

    /// Text of line `n` (1-based), without its line break.
    public func line(_ n: Int) -> String? {
        guard n >= 1, n <= lineCount else { return nil }
        let a = lineStarts[n - 1]
        var e = n < lineStarts.count ? lineStarts[n] - 1 : bytes.count
        if e > a, bytes[e - 1] == 0x0D { e -= 1 }
        return String(decoding: bytes[a..<max(a, e)], as: UTF8.self)
    }

    /// The passage a locator points at: the lines, or the sentences, joined; nil when outside the text.
    public func passage(_ loc: Locator) -> [String]? {
        switch loc.unit {
        case .line:
            guard loc.end <= lineCount else { return nil }
            return (loc.start...loc.end).compactMap { line($0) }
        case .sentence:
            guard loc.end <= sentences.count else { return nil }
            return (loc.start...loc.end).map { sentences[$0 - 1].text }
        }
    }

    /// Where the text of a reading with `path` is looked for: the readings folder, then the
    /// knowledge base's own readings folder `<graph>/readings` (where `kg link` stores texts).
    public static func candidates(path p: String, readingsDirectory: String?, graphDirectory: String?) -> [String] {
        if p.hasPrefix("/") { return [p] }
        var out: [String] = []
        if let d = readingsDirectory { out.append(d + "/" + p) }
        if let g = graphDirectory {
            let own = g + "/readings/" + p
            if !out.contains(own) { out.append(own) }
        }
        return out
    }

    /// Loads the text of reading node `n` (see `candidates`); nil when it has no `path` or the file is missing.
    public static func load(node n: NodeID, graph g: Graph, readingsDirectory: String?, graphDirectory: String? = nil) -> ReadingText? {
        guard let p = g.property(n, "path")?.stringValue else { return nil }
        for full in candidates(path: p, readingsDirectory: readingsDirectory, graphDirectory: graphDirectory) {
            if let d = FileManager.default.contents(atPath: full) { return ReadingText(id: g.key(of: n), path: full, bytes: [UInt8](d)) }
        }
        return nil
    }
}

/// The `kg check` rules beyond what loading reports: evidence, orphans, reading texts, the kind
/// of source of readings, and claim strength (findings only secondary sources state, relations
/// only hedged evidence backs).
public enum GraphChecker {
    /// The values of a reading's `source`.
    public static let sourceKinds = ["primary", "secondary", "tertiary", "lesson", "notes"]

    public static func check(_ loaded: LoadedGraph) -> [Diagnostic] {
        let g = loaded.graph
        var out: [Diagnostic] = []
        func lineText(_ loc: SourceLocation, _ line: Int) -> String {
            loaded.documents.first { $0.path == loc.file }?.line(line) ?? ""
        }
        func warn(_ msg: String, at loc: SourceLocation?, line: Int? = nil, column: Int = 1, code: String, notes: [String] = []) {
            guard let loc else { return }
            let l = line ?? loc.line
            out.append(Diagnostic(.warning, msg, file: loc.file, line: l, column: column, sourceLine: lineText(loc, l),
                                  notes: notes, code: code))
        }

        // Readings: file present, hash current.
        var texts: [String: ReadingText] = [:]
        var warnedNoFolder = false
        for n in g.nodes(withLabel: "Reading") {
            let id = g.key(of: n)
            let st = loaded.statement(of: n)
            func propLine(_ key: String) -> (Int, Int)? {
                for c in st?.continuations ?? [] {
                    if case .property(let k, _) = c.entry, k == key { return (c.line, c.column) }
                }
                return nil
            }
            // The kind of source: a known word.
            if let v = g.property(n, "source") {
                let sl = propLine("source")
                if let sv = v.stringValue {
                    if !Self.sourceKinds.contains(sv) {
                        let near = Suggest.nearest(sv, in: Set(Self.sourceKinds), limit: 1).first
                        warn("reading '\(id)' has source \"\(sv)\", which is not a kind of source", at: loaded.origin(of: n), line: sl?.0,
                             column: (sl?.1 ?? 1) + 7, code: "bad-source",
                             notes: (near.map { ["did you mean '\($0)'?"] } ?? []) + ["kinds of source: " + Self.sourceKinds.joined(separator: ", ")])
                    }
                } else {
                    warn("reading '\(id)': source must be a string (one of \(Self.sourceKinds.joined(separator: ", ")))", at: loaded.origin(of: n),
                         line: sl?.0, column: (sl?.1 ?? 1) + 7, code: "bad-source")
                }
            }
            guard let path = g.property(n, "path")?.stringValue else { continue }
            let dir = loaded.readingsDirectory
            if dir == nil && loaded.directory == nil {
                if !warnedNoFolder {
                    warnedNoFolder = true
                    warn("reading '\(id)' has a path but no readings folder is set", at: loaded.origin(of: n), code: "missing-reading",
                         notes: ["set 'readings = DIR' in kg.conf, or pass --readings DIR, or set KG_READINGS"])
                }
                continue
            }
            let pl = propLine("path")
            guard let t = ReadingText.load(node: n, graph: g, readingsDirectory: dir, graphDirectory: loaded.directory) else {
                let tried = ReadingText.candidates(path: path, readingsDirectory: dir, graphDirectory: loaded.directory)
                warn("reading file '\(tried.first ?? path)' of '\(id)' not found", at: loaded.origin(of: n), line: pl?.0,
                     column: (pl?.1 ?? 1) + 5, code: "missing-reading",
                     notes: tried.count > 1 ? ["also looked in " + tried.dropFirst().joined(separator: ", ")] : [])
                continue
            }
            texts[id] = t
            if let want = g.property(n, "sha256")?.stringValue, want.lowercased() != t.sha256 {
                let sl = propLine("sha256")
                warn("reading '\(id)' changed since its evidence was recorded: its text hashes to \(t.sha256)",
                     at: loaded.origin(of: n), line: sl?.0, column: (sl?.1 ?? 1) + 7, code: "stale-reading",
                     notes: ["check the locators of its evidence, then update sha256"])
            }
        }

        // Edges: evidence present and inside the reading.
        for e in g.edges {
            let evs = g.evidence(of: e)
            if evs.isEmpty {
                warn("relation \(g.key(of: g.source(of: e))) -\(g.typeName(of: e))-> \(g.key(of: g.target(of: e))) has no evidence",
                     at: loaded.origin(of: e), code: "no-evidence", notes: ["add '@reading locator \"note\"' saying where a reading supports it"])
                continue
            }
            for ev in evs {
                guard let loc = ev.locator, let t = texts[ev.reading] else { continue }
                let limit = loc.unit == .line ? t.lineCount : t.sentences.count
                guard loc.end > limit else { continue }
                var line: Int? = nil, col = 1
                if let st = loaded.statement(of: e) {
                    let clauses = st.evidence
                    if let i = clauses.firstIndex(where: { $0.reading == ev.reading && $0.locator == loc }) {
                        col = clauses[i].locatorColumn
                        if case .relation(_, _, _, let h) = st.header, h != nil, i == 0 { line = st.span.line } else {
                            var k = (st.header.hasHeaderEvidence ? 1 : 0)
                            for c in st.continuations {
                                if case .evidence = c.entry {
                                    if k == i { line = c.line; break }
                                    k += 1
                                }
                            }
                        }
                    }
                }
                warn("locator \(loc) is outside reading '\(ev.reading)', which has \(limit) \(loc.unit == .line ? "line" : "sentence")\(limit == 1 ? "" : "s")",
                     at: loaded.origin(of: e), line: line, column: col, code: "locator-out-of-range")
            }
        }

        // Claim strength: a finding that only secondary sources state (and not as theirs), and a
        // relation that only hedged evidence backs while it is stated without hedge.
        var sourceOf: [String: String] = [:]
        for n in g.nodes(withLabel: "Reading") { if let s = g.property(n, "source")?.stringValue { sourceOf[g.key(of: n)] = s } }
        for e in g.edges {
            let evs = g.evidence(of: e)
            guard !evs.isEmpty else { continue }
            let type = g.typeName(of: e)
            let desc = "\(g.key(of: g.source(of: e))) -\(type)-> \(g.key(of: g.target(of: e)))"
            if g.schema.relation(type)?.finding == true,
               evs.allSatisfy({ sourceOf[$0.reading] == "secondary" }), !evs.allSatisfy({ $0.modality == .reported }) {
                let readings = Array(Set(evs.map(\.reading))).sorted().joined(separator: ", ")
                warn("\(desc) records a finding, but only secondary sources state it (\(readings))", at: loaded.origin(of: e), code: "secondary-finding",
                     notes: ["cite the primary source, or mark the evidence 'reported' so it reads as the summary's claim, not the study's finding"])
            }
            if !evs.contains(where: { $0.modality == .asserted }), evs.contains(where: { $0.modality == .hedged }) {
                var qualified = false
                if let h = g.property(e, "hedge"), !(h.stringValue ?? "x").isEmpty { qualified = true }
                if evs.contains(where: { ($0.note.map(HedgeWords.qualifies) ?? false) }) { qualified = true }
                if !qualified {
                    let hedged = evs.filter { $0.modality == .hedged }.map { "@\($0.reading)\($0.locator.map { " \($0)" } ?? "")" }.joined(separator: ", ")
                    warn("\(desc) is stated without hedge, but its evidence only hedges it (\(hedged))", at: loaded.origin(of: e), code: "hedged-evidence",
                         notes: ["say how far it holds: add 'hedge \"…\"' to the relation (e.g. hedge \"sometimes\") or in the evidence note, or cite a source that states it plainly"])
                }
            }
        }

        // Orphan concepts.
        for n in g.nodes where g.degree(n) == 0 && g.kind(of: n) != "Reading" {
            let o = loaded.origin(of: n)
            var col = 1
            if let o, let st = KGParser.parseHeaderLine(lineText(o, o.line)), let c = st.columns.first { col = c }
            warn("concept '\(g.key(of: n))' has no relations", at: o, column: col, code: "orphan-concept")
        }
        return out.sorted { a, b in
            if a.file != b.file { return a.file.utf8.lexicographicallyPrecedes(b.file.utf8) }
            if a.line != b.line { return a.line < b.line }
            return a.column < b.column
        }
    }
}

extension Header {
    var hasHeaderEvidence: Bool {
        if case .relation(_, _, _, let e) = self { return e != nil }
        return false
    }
}
