import KGCore

/// Canonical .kg text (docs/FORMAT.md, "Canonical form"): of a statement, a document, or a whole graph.
public enum KGPrinter {
    // MARK: Values

    /// A string literal, escaped minimally: `"` `\` line breaks, tab and other control characters.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
        return out
    }

    /// A value as .kg writes it; floats in shortest round-trip form (`0.8`, `1e-05`, `nan`, `-inf`).
    public static func value(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            return d.description
        case .string(let s): return quote(s)
        case .list(let l): return "[" + l.map(value).joined(separator: ", ") + "]"
        case .temporal(let t): return t.kind.rawValue + " " + quote(t.text)
        }
    }

    public static func evidence(_ e: EvidenceClause) -> String {
        var s = "@" + e.reading
        if let l = e.locator { s += " " + l.description }
        if e.modality != .asserted { s += " " + e.modality.rawValue }
        if let n = e.note { s += " " + quote(n) }
        return s
    }

    // MARK: Statements

    public static func header(_ h: Header) -> String {
        switch h {
        case .kind(let name, let parent, let doc):
            var s = "kind " + name
            if let p = parent { s += " : " + p }
            if let d = doc { s += " " + quote(d) }
            return s
        case .relationType(let name, let domain, let range, let inverse, let relFlags):
            var s = "relation " + name + "  " + (domain ?? "*") + " -> " + (range ?? "*")
            var flags: [String] = []
            if let i = inverse { flags.append("inverse " + i) }
            for (f, word) in RelationFlags.keywords where relFlags.contains(f) { flags.append(word) }
            if !flags.isEmpty { s += "  " + flags.joined(separator: "  ") }
            return s
        case .reading(let id, let title):
            return "reading " + id + " " + quote(title)
        case .concept(let id, let name, let kind):
            return "concept " + id + " " + quote(name) + " : " + kind
        case .relation(let src, let type, let dst, let ev):
            var s = src + " -" + type + "-> " + dst
            if let e = ev { s += "  " + evidence(e) }
            return s
        }
    }

    public static func entry(_ e: Entry) -> String {
        switch e {
        case .doc(let s): return "doc " + quote(s)
        case .cue(let l): return "cue " + l.map(quote).joined(separator: ", ")
        case .aka(let l): return "aka " + l.map(quote).joined(separator: ", ")
        case .summary(let s): return "summary " + quote(s)
        case .property(let k, let v): return k + " " + value(v)
        case .evidence(let ev): return evidence(ev)
        case .origin(let o): return "origin " + o.tool + " " + quote(o.date) + " " + quote(o.fingerprint)
        }
    }

    static let readingFields = ["author", "date", "source", "path", "sha256"]

    static func rank(_ e: Entry) -> Int {
        switch e {
        case .doc: return 0
        case .cue: return 1
        case .aka: return 2
        case .summary: return 3
        case .property(let k, _):
            if let i = readingFields.firstIndex(of: k) { return 4 + i }
            return 10
        case .origin: return 11
        case .evidence: return 12
        }
    }

    /// Continuation lines in canonical order (stable within a group). Reading fields lead only under a reading.
    public static func canonicalOrder(_ s: Statement) -> [Continuation] {
        let isReading: Bool = { if case .reading = s.header { return true } else { return false } }()
        return s.continuations.enumerated().sorted { a, b in
            var ra = rank(a.element.entry), rb = rank(b.element.entry)
            if !isReading { if ra >= 4 && ra < 10 { ra = 10 }; if rb >= 4 && rb < 10 { rb = 10 } }
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    /// A statement in canonical form, each line ending with a line break.
    public static func print(_ s: Statement) -> String {
        var out = header(s.header)
        if let c = s.trailingComment { out += "  " + comment(c) }
        out += "\n"
        for c in canonicalOrder(s) {
            for l in c.leadingComments { out += "  " + comment(l) + "\n" }
            out += "  " + entry(c.entry)
            if let t = c.trailingComment { out += "  " + comment(t) }
            out += "\n"
        }
        for l in s.closingComments { out += "  " + comment(l) + "\n" }
        return out
    }

    /// A comment's text without carriage returns at its end: printed before a line break, the last
    /// of them would be read back as part of a CRLF line end, so each `kg fmt` would drop one more.
    static func comment(_ text: String) -> String {
        var t = Substring(text)
        while t.unicodeScalars.last == "\r" { t = Substring(t.unicodeScalars.dropLast()) }
        return String(t)
    }

    /// A whole document in canonical form: statements in their order, comments kept, runs of blank
    /// lines collapsed to one, no blank lines at the end.
    public static func print(_ doc: Document) -> String { print(items: doc.items) }

    public static func print(items: [DocumentItem]) -> String {
        var out = ""
        var lastBlank = true  // drop blank lines at the start of the file
        var pendingBlank = false
        for item in items {
            switch item {
            case .blank:
                if !lastBlank { pendingBlank = true }
                continue
            case .comment(let text, let indent):
                if pendingBlank { out += "\n"; pendingBlank = false }
                out += String(repeating: " ", count: indent) + comment(text) + "\n"
            case .statement(let s):
                if pendingBlank { out += "\n"; pendingBlank = false }
                out += print(s)
            }
            lastBlank = false
        }
        return out
    }

    // MARK: Graphs

    /// A valid .kg key for a free-form name: lower case, runs of other characters as `-`.
    public static func slug(_ s: String) -> String {
        var out = ""
        var dash = false
        for u in s.unicodeScalars {
            let v = u.value
            if (v >= 0x30 && v <= 0x39) || (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || v == 0x5F {
                if dash && !out.isEmpty { out += "-" }
                dash = false
                out.unicodeScalars.append(Unicode.Scalar(v >= 0x41 && v <= 0x5A ? v + 32 : v)!)
            } else {
                dash = true
            }
        }
        return out
    }

    /// A valid property key or kind/relation name for `s` (`[A-Za-z_][A-Za-z0-9_]*`).
    public static func nameToken(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let v = u.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || v == 0x5F
            out += ok ? String(u) : "_"
        }
        if out.isEmpty || out.first!.isNumber { out = "_" + out }
        return out
    }

    /// The order `print(graph:)` writes nodes in: readings first, then by key (bytewise).
    public static func nodeOrder(_ g: Graph, keys: [NodeID: String]) -> [NodeID] {
        g.nodes.sorted { a, b in
            let ra = g.kind(of: a) == "Reading", rb = g.kind(of: b) == "Reading"
            if ra != rb { return ra }
            return keys[a]!.utf8.lexicographicallyPrecedes(keys[b]!.utf8)
        }
    }

    /// The order `print(graph:)` writes relations in: by source key, type, target key, then id.
    public static func edgeOrder(_ g: Graph, keys: [NodeID: String]) -> [EdgeID] {
        g.edges.sorted { a, b in
            let sa = keys[g.source(of: a)]!, sb = keys[g.source(of: b)]!
            if sa != sb { return sa.utf8.lexicographicallyPrecedes(sb.utf8) }
            let ta = g.typeName(of: a), tb = g.typeName(of: b)
            if ta != tb { return ta.utf8.lexicographicallyPrecedes(tb.utf8) }
            let da = keys[g.target(of: a)]!, db = keys[g.target(of: b)]!
            if da != db { return da.utf8.lexicographicallyPrecedes(db.utf8) }
            return a < b
        }
    }

    /// Keys for every live node: its own key when it is a valid id, else a unique slug of its name.
    public static func nodeKeys(_ g: Graph) -> [NodeID: String] {
        var used: Set<String> = []
        var out: [NodeID: String] = [:]
        var later: [NodeID] = []
        for n in g.nodes {
            let k = g.key(of: n)
            if !k.isEmpty, KGParser.isIdentifier(k), !used.contains(k) {
                used.insert(k)
                out[n] = k
            } else {
                later.append(n)
            }
        }
        for n in later {
            var base = slug(g.key(of: n).isEmpty ? (g.property(n, "name")?.stringValue ?? "") : g.key(of: n))
            if base.isEmpty { base = "node" }
            var k = base
            var i = 2
            while used.contains(k) { k = base + "-" + String(i); i += 1 }
            used.insert(k)
            out[n] = k
        }
        return out
    }

    /// The statement that declares node `n` (a reading when its kind is `Reading`, else a concept).
    public static func statement(node n: NodeID, in g: Graph, key: String) -> Statement {
        let kind = g.kind(of: n) ?? "Concept"
        let props = g.properties(of: n)
        func str(_ k: String) -> String? { g.property(n, k)?.stringValue }
        var conts: [Continuation] = []
        let header: Header
        var skip: Set<String> = ["id", "name"]
        if kind == "Reading" {
            header = .reading(id: key, title: str("title") ?? str("name") ?? key)
            skip.insert("title")
        } else {
            header = .concept(id: key, name: str("name") ?? key, kind: nameToken(kind))
            let aliases = g.property(n, "aliases")?.stringList ?? []
            if !aliases.isEmpty { conts.append(Continuation(.aka(aliases))) }
            if let s = str("summary") { conts.append(Continuation(.summary(s))) }
            skip.formUnion(["aliases", "summary"])
        }
        // Keys the header or special lines already carry, and keys the format reserves.
        let reserved: Set<String> = kind == "Reading" ? ["id", "name", "title"] : ["id", "name", "kind", "aliases", "summary", "aka"]
        for (k, v) in props {
            let name = g.strings[k]
            if skip.contains(name) {
                let consumed: Bool
                switch name {
                case "id": consumed = true
                case "aliases": consumed = v.stringValue != nil || (v.listValue?.allSatisfy { $0.stringValue != nil } ?? false)
                default: consumed = v.stringValue != nil
                }
                if consumed { continue }
            }
            var key = nameToken(name)
            while reserved.contains(key) || props.contains(where: { g.strings[$0.key] == key && $0.key != k }) { key += "_" }
            conts.append(Continuation(.property(key: key, value: v)))
        }
        return Statement(header, conts)
    }

    /// The statement that declares edge `e`.
    public static func statement(edge e: EdgeID, in g: Graph, keys: (NodeID) -> String) -> Statement {
        var evs = g.evidence(of: e).filter { KGParser.isIdentifier($0.reading) }.map(EvidenceClause.init)
        let first = evs.isEmpty ? nil : evs.removeFirst()
        var conts: [Continuation] = []
        for (k, v) in g.storedProperties(of: e) {
            conts.append(Continuation(.property(key: nameToken(g.strings[k]), value: v)))
        }
        if let o = g.origin(of: e) { conts.append(Continuation(.origin(o))) }
        for ev in evs { conts.append(Continuation(.evidence(ev))) }
        return Statement(.relation(source: keys(g.source(of: e)), type: nameToken(g.typeName(of: e)),
                                   target: keys(g.target(of: e)), evidence: first), conts)
    }

    /// The whole graph as one .kg text, deterministic: kinds and relation types in schema order,
    /// readings, then concepts by key, then relations by (source, type, target, edge id).
    public static func render(graph g: Graph) -> String {
        var out = ""
        let schema = g.schema
        for (_, k) in schema.kinds {
            var s = Statement(.kind(name: k.name, parent: k.parent, doc: nil))
            if let d = k.doc { s.continuations.append(Continuation(.doc(d))) }
            out += print(s)
        }
        for (_, r) in schema.relations {
            var s = Statement(.relationType(name: r.name, domain: r.domain, range: r.range, inverse: r.inverse,
                                            flags: RelationFlags(r)))
            if let d = r.doc { s.continuations.append(Continuation(.doc(d))) }
            if !r.cues.isEmpty { s.continuations.append(Continuation(.cue(r.cues))) }
            out += print(s)
        }
        let keys = nodeKeys(g)
        let nodes = nodeOrder(g, keys: keys)
        if !out.isEmpty && !nodes.isEmpty { out += "\n" }
        for n in nodes { out += print(statement(node: n, in: g, key: keys[n]!)) }
        let edges = edgeOrder(g, keys: keys)
        if !out.isEmpty && !edges.isEmpty { out += "\n" }
        for e in edges { out += print(statement(edge: e, in: g, keys: { keys[$0]! })) }
        return out
    }
}
