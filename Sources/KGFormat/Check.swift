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

    /// Loads the text of reading node `n` from the readings folder; nil when it has no `path` or the file is missing.
    public static func load(node n: NodeID, graph g: Graph, readingsDirectory: String?) -> ReadingText? {
        guard let dir = readingsDirectory, let p = g.property(n, "path")?.stringValue else { return nil }
        let full = p.hasPrefix("/") ? p : dir + "/" + p
        guard let d = FileManager.default.contents(atPath: full) else { return nil }
        return ReadingText(id: g.key(of: n), path: full, bytes: [UInt8](d))
    }
}

/// The `kg check` rules beyond what loading reports: evidence, orphans, reading texts.
public enum GraphChecker {
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
            guard let path = g.property(n, "path")?.stringValue else { continue }
            guard let dir = loaded.readingsDirectory else {
                if !warnedNoFolder {
                    warnedNoFolder = true
                    warn("reading '\(id)' has a path but no readings folder is set", at: loaded.origin(of: n), code: "missing-reading",
                         notes: ["set 'readings = DIR' in kg.conf, or pass --readings DIR, or set KG_READINGS"])
                }
                continue
            }
            let pl = propLine("path")
            guard let t = ReadingText.load(node: n, graph: g, readingsDirectory: dir) else {
                warn("reading file '\(dir)/\(path)' of '\(id)' not found", at: loaded.origin(of: n), line: pl?.0,
                     column: (pl?.1 ?? 1) + 5, code: "missing-reading")
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
