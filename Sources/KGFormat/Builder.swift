import Foundation
import KGCore

/// Builds a `Graph` from parsed statements, streaming: nodes and edges are added as statements
/// arrive; checks that need the whole input (schema, forward references) run at the end.
final class Builder {
    let graph = Graph()
    var diags: [Diagnostic] = []
    var docs: [Document] = []
    var lineStarts: [Int: [Int]] = [:]

    var nodeOrigins: [UInt64] = []
    var edgeOrigins: [UInt64] = []

    struct Decl<T> { var decl: T; var doc: Int; var line: Int; var columns: [Int] }
    var kinds: [Decl<KindDecl>] = []
    var kindIndex: [String: Int] = [:]
    var relTypes: [Decl<RelationDecl>] = []
    var relIndex: [String: Int] = [:]

    var readingIDs: Set<String> = []
    /// Concept nodes and the kind they were declared with.
    var concepts: [(node: NodeID, kind: String, doc: Int, line: Int, kindColumn: Int)] = []
    /// Alias/name key → concept that claims it, and whether as its name.
    var nameClaims: [String: (node: Int32, asName: Bool)] = [:]

    struct PendingEdge {
        var source: String, type: Symbol, target: String
        var props: PropertyMap, evidence: [Evidence], origin: EdgeOrigin?
        var doc: Int, line: Int, columns: [Int]
        var slot: Int
    }
    var pending: [PendingEdge] = []
    /// Edge slots: final edge ids are assigned at the end so edges keep file order even when
    /// some waited for a later declaration.
    var curDoc = 0
    var lastTypeName = ""
    var lastType = Symbol.none

    let symID: Symbol, symName: Symbol, symTitle: Symbol, symAliases: Symbol, symSummary: Symbol
    let symReading: Symbol

    init() {
        symID = graph.strings.intern("id")
        symName = graph.strings.intern("name")
        symTitle = graph.strings.intern("title")
        symAliases = graph.strings.intern("aliases")
        symSummary = graph.strings.intern("summary")
        symReading = graph.strings.intern("Reading")
    }

    // MARK: Diagnostics

    func lineText(doc: Int, line: Int) -> String {
        guard doc >= 0, doc < docs.count, line >= 1 else { return "" }
        let bytes = docs[doc].bytes
        let starts: [Int]
        if let s = lineStarts[doc] { starts = s } else {
            var s = [0]
            for (i, c) in bytes.enumerated() where c == 0x0A { s.append(i + 1) }
            lineStarts[doc] = s
            starts = s
        }
        guard line <= starts.count else { return "" }
        let a = starts[line - 1]
        var e = line < starts.count ? starts[line] - 1 : bytes.count
        if e > a, bytes[e - 1] == 0x0D { e -= 1 }
        if a >= e { return "" }
        return String(decoding: bytes[a..<e], as: UTF8.self)
    }

    func report(_ sev: Diagnostic.Severity, _ msg: String, doc: Int, line: Int, column: Int,
                suggestion: String? = nil, notes: [String] = [], code: String) {
        let path = doc >= 0 && doc < docs.count ? docs[doc].path : ""
        diags.append(Diagnostic(sev, msg, file: path, line: line, column: column,
                                sourceLine: lineText(doc: doc, line: line), suggestion: suggestion, notes: notes, code: code))
    }

    func place(doc: Int, line: Int) -> String { "\(docs[doc].path):\(line)" }

    @inline(__always) func pack(_ doc: Int, _ line: Int) -> UInt64 { UInt64(doc + 1) << 32 | UInt64(line) }

    // MARK: Build

    func build(_ inputs: [(path: String, bytes: [UInt8])], extra: [Diagnostic], readings: String?, directory: String?) -> LoadedGraph {
        graph.beginBulkLoad()
        var docsOut: [Document] = []
        for input in inputs { docsOut.append(ingest(path: input.path, bytes: input.bytes, keep: true)) }
        return finish(documents: docsOut, extra: extra, readings: readings, directory: directory)
    }

    /// Reads, parses and builds one file at a time, keeping no file's bytes in memory.
    func build(filePaths: [String], extra: [Diagnostic], readings: String?, directory: String?) -> LoadedGraph {
        graph.beginBulkLoad()
        var docsOut: [Document] = []
        var more = extra
        for path in filePaths {
            guard let data = FileManager.default.contents(atPath: path) else {
                more.append(Diagnostic(.error, "cannot read file", file: path, code: "io"))
                continue
            }
            docsOut.append(ingest(path: path, bytes: [UInt8](data), keep: false))
        }
        return finish(documents: docsOut, extra: more, readings: readings, directory: directory)
    }

    func ingest(path: String, bytes: [UInt8], keep: Bool) -> Document {
        let doc = keep ? Document(path: path, bytes: bytes) : Document(path: path, parsedFrom: bytes)
        docs.append(doc)
        curDoc = docs.count - 1
        if let bad = Self.invalidUTF8(bytes) {
            let line = bytes[..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let ls = bytes[..<bad].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let col = bytes[ls..<bad].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
            diags.append(Diagnostic(.error, "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))",
                                    file: path, line: line, column: col, code: "encoding"))
            return doc
        }
        KGParser.stream(path: path, bytes: bytes, onItem: { item in
            if case .statement(let s) = item { self.add(s) }
        }, onDiagnostic: { self.diags.append($0) })
        return doc
    }

    static func invalidUTF8(_ b: [UInt8]) -> Int? { UTF8Validation.firstInvalid(b) }

    func add(_ s: Statement) {
        let line = s.span.line
        switch s.header {
        case .kind(let name, let parent, let doc):
            var d = KindDecl(name: name, parent: parent, doc: doc)
            for c in s.continuations { if case .doc(let t) = c.entry { d.doc = t } }
            if let first = kindIndex[name] {
                report(.error, "duplicate kind '\(name)'", doc: curDoc, line: line, column: s.columns[0],
                       notes: ["first declared at \(place(doc: kinds[first].doc, line: kinds[first].line))"], code: "duplicate-kind")
                return
            }
            kindIndex[name] = kinds.count
            kinds.append(Decl(decl: d, doc: curDoc, line: line, columns: s.columns))
        case .relationType(let name, let domain, let range, let inverse, let flags):
            var d = RelationDecl(name: name, domain: domain, range: range, inverse: inverse,
                                 symmetric: flags.contains(.symmetric), transitive: flags.contains(.transitive),
                                 undirected: flags.contains(.undirected), finding: flags.contains(.finding))
            for c in s.continuations {
                switch c.entry {
                case .doc(let t): d.doc = t
                case .cue(let cs): d.cues += cs
                default: break
                }
            }
            if let first = relIndex[name] {
                report(.error, "duplicate relation type '\(name)'", doc: curDoc, line: line, column: s.columns[0],
                       notes: ["first declared at \(place(doc: relTypes[first].doc, line: relTypes[first].line))"], code: "duplicate-relation-type")
                return
            }
            relIndex[name] = relTypes.count
            relTypes.append(Decl(decl: d, doc: curDoc, line: line, columns: s.columns))
        case .reading(let id, let title):
            var props = PropertyMap()
            props[symID] = .string(id)
            props[symName] = .string(title)
            props[symTitle] = .string(title)
            for (k, v) in s.properties where !v.isNull { props[graph.strings.intern(k)] = v }
            guard addNode(id, label: symReading, props: props, s) != nil else { return }
            readingIDs.insert(id)
        case .concept(let id, let name, let kind):
            var props = PropertyMap()
            props[symID] = .string(id)
            props[symName] = .string(name)
            let aliases = s.aliases
            if !aliases.isEmpty { props[symAliases] = .list(aliases.map(Value.string)) }
            if let sum = s.summary { props[symSummary] = .string(sum) }
            for (k, v) in s.properties where !v.isNull { props[graph.strings.intern(k)] = v }
            guard let n = addNode(id, label: graph.strings.intern(kind), props: props, s) else { return }
            concepts.append((n, kind, curDoc, line, s.columns[2]))
            claimNames(n, name: name, s)
        case .relation(let src, let type, let dst, let first):
            var props = PropertyMap()
            var ev: [Evidence] = []
            var origin: EdgeOrigin?
            if let f = first { ev.append(f.evidence) }
            for c in s.continuations {
                switch c.entry {
                case .property(let k, let v) where !v.isNull: props[graph.strings.intern(k)] = v
                case .evidence(let e): ev.append(e.evidence)
                case .origin(let o): origin = o
                default: break
                }
            }
            let t: Symbol
            if type == lastTypeName { t = lastType } else {
                t = graph.strings.intern(type)
                lastTypeName = type
                lastType = t
            }
            if let a = graph.node(key: src), let b = graph.node(key: dst), pending.isEmpty {
                let e = graph.addEdge(from: a, to: b, type: t, properties: props, evidence: ev)
                if let origin { graph.setOrigin(e, origin) }
                edgeOrigins.append(pack(curDoc, line))
            } else {
                pending.append(PendingEdge(source: src, type: t, target: dst, props: props, evidence: ev, origin: origin,
                                           doc: curDoc, line: line, columns: s.columns, slot: 0))
            }
        }
    }

    func addNode(_ id: String, label: Symbol, props: PropertyMap, _ s: Statement) -> NodeID? {
        if let other = graph.node(key: id) {
            let o = nodeOrigins[other.index]
            report(.error, "duplicate id '\(id)'", doc: curDoc, line: s.span.line, column: s.columns[0],
                   notes: ["'\(id)' is already declared at \(place(doc: Int(o >> 32) - 1, line: Int(o & 0xFFFF_FFFF)))"],
                   code: "duplicate-id")
            return nil
        }
        do {
            let n = try graph.addNode(key: graph.strings.intern(id), labels: [label], properties: props)
            nodeOrigins.append(pack(curDoc, s.span.line))
            return n
        } catch {
            return nil
        }
    }

    func claimNames(_ n: NodeID, name: String, _ s: Statement) {
        let nameKey = NameKey.normalize(name)
        var mine: Set<String> = [nameKey]
        if let prev = nameClaims[nameKey], !prev.asName {
            let o = nodeOrigins[Int(prev.node)]
            report(.error, "name '\(name)' is already an alias of '\(graph.key(of: NodeID(prev.node)))'",
                   doc: curDoc, line: s.span.line, column: s.columns[1],
                   notes: ["'\(graph.key(of: NodeID(prev.node)))' is declared at \(place(doc: Int(o >> 32) - 1, line: Int(o & 0xFFFF_FFFF)))"],
                   code: "alias-conflict")
        } else if nameClaims[nameKey] == nil {
            nameClaims[nameKey] = (n.raw, true)
        }
        for c in s.continuations {
            guard case .aka(let list) = c.entry else { continue }
            for a in list {
                let k = NameKey.normalize(a)
                if mine.contains(k) { continue }
                mine.insert(k)
                if let prev = nameClaims[k], prev.node != n.raw {
                    let other = graph.key(of: NodeID(prev.node))
                    let o = nodeOrigins[Int(prev.node)]
                    report(.error, "alias '\(a)' is already \(prev.asName ? "the name" : "an alias") of '\(other)'",
                           doc: curDoc, line: c.line, column: c.column,
                           notes: ["'\(other)' is declared at \(place(doc: Int(o >> 32) - 1, line: Int(o & 0xFFFF_FFFF)))",
                                   "an alias must lead to one concept; remove it from one of them"],
                           code: "alias-conflict")
                } else {
                    nameClaims[k] = (n.raw, false)
                }
            }
        }
    }

    /// Parses every input without building anything (for measuring the parser alone).
    static func parseOnly(_ inputs: [(path: String, bytes: [UInt8])]) -> (statements: Int, errors: Int) {
        var n = 0, e = 0
        for input in inputs {
            KGParser.stream(path: input.path, bytes: input.bytes, onItem: { item in
                if case .statement = item { n += 1 }
            }, onDiagnostic: { _ in e += 1 })
        }
        return (n, e)
    }

    // MARK: Whole-input checks

    func finish(documents: [Document], extra: [Diagnostic], readings: String?, directory: String?) -> LoadedGraph {
        buildSchema()
        checkConceptKinds()
        resolvePending()
        graph.endBulkLoad()
        checkEdges()
        var all = extra + diags
        // Stable sort by document order, then line, then column.
        let order = Dictionary(documents.enumerated().map { ($0.element.path, $0.offset) }, uniquingKeysWith: { a, _ in a })
        all = all.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            let fa = order[a.file] ?? -1, fb = order[b.file] ?? -1
            if fa != fb { return fa < fb }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return x.offset < y.offset
        }.map(\.element)
        return LoadedGraph(graph: graph, documents: documents, diagnostics: all, readingsDirectory: readings,
                           directory: directory, nodeOrigins: nodeOrigins, edgeOrigins: edgeOrigins,
                           kindOrigins: Dictionary(kinds.map { ($0.decl.name, SourceLocation(file: docs[$0.doc].path, line: $0.line, column: 1)) }, uniquingKeysWith: { a, _ in a }),
                           relationTypeOrigins: Dictionary(relTypes.map { ($0.decl.name, SourceLocation(file: docs[$0.doc].path, line: $0.line, column: 1)) }, uniquingKeysWith: { a, _ in a }))
    }

    func isKnownKind(_ k: String) -> Bool { kindIndex[k] != nil || k == "Reading" }

    func buildSchema() {
        var schema = Schema()
        let kindNames = kinds.map(\.decl.name)
        for k in kinds {
            if let p = k.decl.parent, kindIndex[p] == nil {
                report(.error, "unknown parent kind '\(p)'", doc: k.doc, line: k.line, column: k.columns.count > 1 ? k.columns[1] : 1,
                       suggestion: Suggest.nearest(p, in: kindNames), code: "unknown-kind")
            }
            schema.declare(k.decl)
        }
        // Cycles in the kind hierarchy.
        for k in kinds {
            var seen: Set<String> = [k.decl.name]
            var cur = k.decl.parent
            while let p = cur, let idx = kindIndex[p] {
                if p == k.decl.name {
                    report(.error, "kind '\(p)' is its own ancestor", doc: k.doc, line: k.line, column: k.columns.count > 1 ? k.columns[1] : 1,
                           code: "kind-cycle")
                    break
                }
                if !seen.insert(p).inserted { break }
                cur = kinds[idx].decl.parent
            }
        }
        var inverses: [String: String] = [:]
        for r in relTypes {
            for (slot, k) in [(1, r.decl.domain), (2, r.decl.range)] {
                if let k, !isKnownKind(k) {
                    report(.error, "unknown kind '\(k)' in the \(slot == 1 ? "domain" : "range") of '\(r.decl.name)'",
                           doc: r.doc, line: r.line, column: r.columns[slot], suggestion: Suggest.nearest(k, in: kindNames), code: "unknown-kind")
                }
            }
            if let inv = r.decl.inverse {
                if relIndex[inv] != nil {
                    report(.error, "inverse name '\(inv)' of '\(r.decl.name)' is already a relation type", doc: r.doc, line: r.line,
                           column: r.columns[3], code: "inverse-conflict")
                } else if let other = inverses[inv] {
                    report(.error, "inverse name '\(inv)' is already the inverse of '\(other)'", doc: r.doc, line: r.line,
                           column: r.columns[3], code: "inverse-conflict")
                } else {
                    inverses[inv] = r.decl.name
                }
            }
            schema.declare(r.decl)
        }
        graph.schema = schema
    }

    func checkConceptKinds() {
        let names = kinds.map(\.decl.name)
        for c in concepts where !isKnownKind(c.kind) {
            report(.error, "unknown kind '\(c.kind)'", doc: c.doc, line: c.line, column: c.kindColumn,
                   suggestion: Suggest.nearest(c.kind, in: names), code: "unknown-kind")
        }
    }

    lazy var allKeys: [String] = graph.nodes.map { graph.key(of: $0) }
    var suggestionBudget = 200

    func suggestKey(_ k: String) -> String? {
        guard suggestionBudget > 0 else { return nil }
        suggestionBudget -= 1
        return Suggest.nearest(k, in: allKeys)
    }

    func resolvePending() {
        for p in pending {
            let a = graph.node(key: p.source), b = graph.node(key: p.target)
            if let a, let b {
                let e = graph.addEdge(from: a, to: b, type: p.type, properties: p.props, evidence: p.evidence)
                if let o = p.origin { graph.setOrigin(e, o) }
                edgeOrigins.append(pack(p.doc, p.line))
                continue
            }
            for (missing, col) in [(a == nil ? p.source : nil, p.columns[0]), (b == nil ? p.target : nil, p.columns[2])] {
                guard let m = missing else { continue }
                report(.error, "unknown id '\(m)': no concept or reading declares it", doc: p.doc, line: p.line, column: col,
                       suggestion: suggestKey(m), code: "dangling-reference")
            }
        }
        pending = []
    }

    /// Relation types, domain/range and evidence readings of every edge.
    func checkEdges() {
        let schema = graph.schema
        let relNames = Array(schema.relations.keys)
        var typeInfo: [Symbol: RelationDecl?] = [:]
        var kindIs: [UInt64: Bool] = [:]
        func isA(_ label: Symbol?, _ kind: String?) -> Bool {
            guard let kind else { return true }
            guard let label else { return false }
            let ks = graph.strings.intern(kind)
            let key = UInt64(UInt32(label.raw)) << 32 | UInt64(UInt32(ks.raw))
            if let v = kindIs[key] { return v }
            let v = schema.isKind(graph.strings[label], a: kind)
            kindIs[key] = v
            return v
        }
        let readingList = readingIDs.sorted()
        let labels = graph.nodeLabels
        var okTriples: Set<Triple> = []
        for e in graph.edges {
            let t = graph.type(of: e)
            let decl: RelationDecl?
            if let d = typeInfo[t] { decl = d } else {
                decl = schema.relation(graph.strings[t])
                typeInfo[t] = .some(decl)
            }
            let (doc, line) = origin(e)
            guard let decl else {
                let name = graph.strings[t]
                if let base = schema.relationWithInverse(name) {
                    report(.error, "'\(name)' is the inverse name of '\(base.name)': store the edge as 'target -\(base.name)-> source'",
                           doc: doc, line: line, column: columns(doc, line)[1], code: "unknown-relation")
                } else {
                    report(.error, "unknown relation type '\(name)'", doc: doc, line: line, column: columns(doc, line)[1],
                           suggestion: Suggest.nearest(name, in: relNames), code: "unknown-relation")
                }
                checkEvidence(e, doc, line, readingList)
                continue
            }
            let s = graph.source(of: e), d = graph.target(of: e)
            let sl = labels[s.index].first, dl = labels[d.index].first
            let triple = Triple(s: sl?.raw ?? -1, d: dl?.raw ?? -1, t: t.raw)
            if okTriples.contains(triple) {
                checkEvidence(e, doc, line, readingList)
                continue
            }
            if isA(sl, decl.domain) && isA(dl, decl.range) { okTriples.insert(triple) }
            if !isA(sl, decl.domain) {
                report(.error, "'\(graph.key(of: s))' is a \(sl.map { graph.strings[$0] } ?? "node without kind"), but \(decl.name) needs a \(decl.domain!) as source",
                       doc: doc, line: line, column: columns(doc, line)[0], code: "domain-violation")
            }
            if !isA(dl, decl.range) {
                report(.error, "'\(graph.key(of: d))' is a \(dl.map { graph.strings[$0] } ?? "node without kind"), but \(decl.name) needs a \(decl.range!) as target",
                       doc: doc, line: line, column: columns(doc, line)[2], code: "range-violation")
            }
            checkEvidence(e, doc, line, readingList)
        }
    }

    var lastGoodReading = ""

    /// (source kind, target kind, relation type) symbols already found valid.
    struct Triple: Hashable { var s: Int32; var d: Int32; var t: Int32 }

    func checkEvidence(_ e: EdgeID, _ doc: Int, _ line: Int, _ readingList: [String]) {
        for ev in graph.evidence(of: e) {
            if ev.reading == lastGoodReading { continue }
            if readingIDs.contains(ev.reading) { lastGoodReading = ev.reading; continue }
            var col = 1, evLine = line
            if let st = statementAt(doc, line) {
                for (i, c) in st.evidence.enumerated() where c.reading == ev.reading {
                    col = c.column
                    if i > 0 || { if case .relation(_, _, _, nil) = st.header { return true } else { return false } }() {
                        evLine = st.continuations.first { if case .evidence(let x) = $0.entry { return x.reading == ev.reading } else { return false } }?.line ?? line
                    }
                    break
                }
            }
            let isConcept = graph.node(key: ev.reading) != nil
            report(.error, isConcept ? "'\(ev.reading)' is a concept, not a reading" : "unknown reading '\(ev.reading)' in evidence",
                   doc: doc, line: evLine, column: col, suggestion: Suggest.nearest(ev.reading, in: readingList), code: "unknown-reading")
        }
    }

    func origin(_ e: EdgeID) -> (Int, Int) {
        let o = edgeOrigins[e.index]
        return (Int(o >> 32) - 1, Int(o & 0xFFFF_FFFF))
    }

    func columns(_ doc: Int, _ line: Int) -> [Int] {
        if let st = KGParser.parseHeaderLine(lineText(doc: doc, line: line)), st.columns.count >= 3 { return st.columns }
        return [1, 1, 1]
    }

    /// The whole statement whose header is at `line`, parsed again (header plus indented lines).
    func statementAt(_ doc: Int, _ line: Int) -> Statement? {
        var text = lineText(doc: doc, line: line) + "\n"
        var l = line + 1
        while true {
            let t = lineText(doc: doc, line: l)
            guard t.hasPrefix(" ") else { break }
            text += t + "\n"
            l += 1
        }
        var out: Statement?
        KGParser.stream(path: "", bytes: Array(text.utf8), onItem: { item in
            if case .statement(var s) = item, out == nil {
                for i in s.continuations.indices { s.continuations[i].line += line - 1 }
                out = s
            }
        }, onDiagnostic: { _ in })
        return out
    }
}
