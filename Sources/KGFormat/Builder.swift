import Foundation
import KGCore

/// Builds a `Graph` from parsed file segments (`FileChunk`s), merged in file order: nodes and
/// edges go straight into the store's columns (bulk mode); checks that need the whole input
/// (schema, forward references, domains and ranges, evidence readings) run at the end.
///
/// A broken kind or relation type is reported once: the relations and concepts that fail only
/// because of it are counted into that one diagnostic ("and 35 relations that use it") instead
/// of being reported one by one.
final class Builder {
    let graph = Graph()
    var diags: [Diagnostic] = []
    var docs: [Document] = []
    var lineStarts: [Int: [Int]] = [:]

    var nodeOrigins = OriginColumn()
    var edgeOrigins = OriginColumn()

    struct Decl<T> { var decl: T; var doc: Int; var line: Int; var columns: [Int] }
    var kinds: [Decl<KindDecl>] = []
    var kindIndex: [String: Int] = [:]
    var relTypes: [Decl<RelationDecl>] = []
    var relIndex: [String: Int] = [:]

    /// Per global symbol: whether it is the id of a reading.
    var isReading: [Bool] = []
    /// Concept nodes, the kind they were declared with, and where.
    var concepts: [(node: Int32, kind: Symbol, doc: Int32, line: Int32, kindColumn: Int32)] = []
    /// Per normalised-name symbol: the concept that claims it (node << 1 | 1 when as its name), or -1.
    var claims: [Int32] = []

    /// A chunk being merged: its local symbols map to the graph's lazily (strings that only
    /// ever become text-column values are never interned in the graph).
    final class Merged {
        let chunk: FileChunk
        var map: [Int32]
        let doc: Int
        let lineOffset: Int
        let strings: Interner
        init(chunk: FileChunk, doc: Int, lineOffset: Int, strings: Interner) {
            self.chunk = chunk
            self.map = [Int32](repeating: -1, count: chunk.strings.count)
            self.doc = doc
            self.lineOffset = lineOffset
            self.strings = strings
        }

        /// The graph's symbol for local symbol `l`.
        @inline(__always)
        func sym(_ l: Int32) -> Symbol {
            let m = map[Int(l)]
            if m >= 0 { return Symbol(raw: m) }
            let g = chunk.strings.withBytes(Symbol(raw: l)) { strings.intern(bytes: $0) }
            map[Int(l)] = g.raw
            return g
        }

        /// Local symbol `l` as a property value: the graph's symbol when it has one, else its bytes
        /// (valid while the chunk lives; its interner is finished).
        @inline(__always)
        func value(_ l: Int32) -> ColumnValue {
            let m = map[Int(l)]
            if m >= 0 { return .symbol(Symbol(raw: m)) }
            return .bytes(chunk.strings.unsafeBytes(Symbol(raw: l)))
        }
    }
    var pending: [(merged: Merged, index: Int)] = []
    /// Segments merged from the fast scanner and from the full parser (tests and timings).
    var fastSegments = 0, fullParses = 0

    // Scratch buffers for properties.
    private var keys: [Symbol] = []
    private var values: [ColumnValue] = []

    let symID: Symbol, symName: Symbol, symTitle: Symbol, symAliases: Symbol, symSummary: Symbol

    init() {
        symID = graph.strings.intern("id")
        symName = graph.strings.intern("name")
        symTitle = graph.strings.intern("title")
        symAliases = graph.strings.intern("aliases")
        symSummary = graph.strings.intern("summary")
        graph.beginBulkLoad()
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

    @discardableResult
    func report(_ sev: Diagnostic.Severity, _ msg: String, doc: Int, line: Int, column: Int,
                suggestion: String? = nil, notes: [String] = [], code: String) -> Int {
        let path = doc >= 0 && doc < docs.count ? docs[doc].path : ""
        diags.append(Diagnostic(sev, msg, file: path, line: line, column: column,
                                sourceLine: lineText(doc: doc, line: line), suggestion: suggestion, notes: notes, code: code))
        return diags.count - 1
    }

    func place(doc: Int, line: Int) -> String { "\(docs[doc].path):\(line)" }

    @inline(__always) func pack(_ doc: Int, _ line: Int) -> UInt64 { UInt64(doc + 1) << 32 | UInt64(line) }

    // MARK: Causes (one diagnostic for a broken declaration and what it breaks)

    struct Cause {
        var diag: Int
        /// Further uses reported as a count: (what, count, first places).
        var uses: [String: (count: Int, places: [String])] = [:]
        var order: [String] = []
    }
    var causes: [String: Cause] = [:]

    func addCause(_ key: String, diag: Int) { causes[key] = Cause(diag: diag) }

    /// Counts one more consequence of `key` ("relations that use it", …); false when there is no such cause.
    @discardableResult
    func attribute(_ key: String, _ what: String, doc: Int, line: Int) -> Bool {
        guard var c = causes[key] else { return false }
        var u = c.uses[what] ?? (0, [])
        if u.count == 0 { c.order.append(what) }
        u.count += 1
        if u.places.count < 3 { u.places.append(place(doc: doc, line: line)) }
        c.uses[what] = u
        causes[key] = c
        return true
    }

    func closeCauses() {
        for (_, c) in causes.sorted(by: { $0.value.diag < $1.value.diag }) {
            for what in c.order {
                guard let u = c.uses[what] else { continue }
                let more = u.count > u.places.count ? ", …" : ""
                diags[c.diag].notes.append("and \(u.count) \(what) (\(u.places.joined(separator: ", "))\(more))")
            }
        }
    }

    // MARK: Build

    /// Builds from in-memory files (tests, `GraphLoader.load(files:)`).
    func build(_ inputs: [(path: String, bytes: [UInt8])], extra: [Diagnostic], readings: String?, directory: String?,
               fullParser: Bool = false, segmentSize: Int = ParallelLoad.segmentSize) -> LoadedGraph {
        let sources = inputs.map { SourceText(path: $0.path, bytes: $0.bytes) }
        let load = ParallelLoad(builder: self, sources: sources, keepBytes: true, segmentSize: segmentSize)
        load.fullParserOnly = fullParser
        return load.run(extra: extra, readings: readings, directory: directory)
    }

    // MARK: Merging chunks

    /// Merges one parsed segment of document `doc` whose first line is `lineOffset + 1`.
    func merge(_ c: FileChunk, doc: Int, lineOffset: Int) {
        for var d in c.diagnostics {
            d.line += d.line > 0 ? lineOffset : 0
            diags.append(d)
        }
        let m = Merged(chunk: c, doc: doc, lineOffset: lineOffset, strings: graph.strings)
        for k in c.kinds { addKind(k, doc: doc, lineOffset: lineOffset) }
        for r in c.relTypes { addRelType(r, doc: doc, lineOffset: lineOffset) }
        var propStart = 0, aliasStart = 0
        for i in 0..<c.nodeCount {
            addNode(m, i, props: propStart..<Int(c.nodePropEnd[i]), aliases: aliasStart..<Int(c.nodeAliasEnd[i]))
            propStart = Int(c.nodePropEnd[i])
            aliasStart = Int(c.nodeAliasEnd[i])
        }
        for i in 0..<c.edgeCount {
            if pending.isEmpty, let a = graph.bulkNode(forKey: m.sym(c.edgeSrc[i])), let b = graph.bulkNode(forKey: m.sym(c.edgeDst[i])) {
                addEdge(m, i, a, b)
            } else {
                pending.append((m, i))
            }
        }
    }

    func addKind(_ k: FileChunk.KindRec, doc: Int, lineOffset: Int) {
        let line = k.line + lineOffset
        if let first = kindIndex[k.decl.name] {
            report(.error, "duplicate kind '\(k.decl.name)'", doc: doc, line: line, column: k.columns[0],
                   notes: ["first declared at \(place(doc: kinds[first].doc, line: kinds[first].line))"], code: "duplicate-kind")
            return
        }
        kindIndex[k.decl.name] = kinds.count
        kinds.append(Decl(decl: k.decl, doc: doc, line: line, columns: k.columns))
    }

    func addRelType(_ r: FileChunk.RelTypeRec, doc: Int, lineOffset: Int) {
        let line = r.line + lineOffset
        if let first = relIndex[r.decl.name] {
            report(.error, "duplicate relation type '\(r.decl.name)'", doc: doc, line: line, column: r.columns[0],
                   notes: ["first declared at \(place(doc: relTypes[first].doc, line: relTypes[first].line))"],
                   code: "duplicate-relation-type")
            return
        }
        relIndex[r.decl.name] = relTypes.count
        relTypes.append(Decl(decl: r.decl, doc: doc, line: line, columns: r.columns))
    }

    private func chunkValue(_ v: ChunkValue, _ m: Merged) -> ColumnValue {
        switch v {
        case .sym(let l): return m.value(l)
        case .int(let x): return .int(x)
        case .float(let x): return .float(x)
        case .bool(let x): return .bool(x)
        case .syms(let l): return .symbols(l.map { m.sym($0) })
        case .value(let v): return .value(v)
        }
    }

    private func setProp(_ k: Symbol, _ v: ColumnValue) {
        if let j = keys.firstIndex(of: k) { values[j] = v } else {
            keys.append(k)
            values.append(v)
        }
    }

    private func growDense(_ a: inout [Int32], _ n: Int) {
        a.extend(to: max(n, graph.strings.count), with: -1)
    }

    func addNode(_ m: Merged, _ i: Int, props: Range<Int>, aliases: Range<Int>) {
        let c = m.chunk, doc = m.doc
        let line = Int(c.nodeLine[i]) + m.lineOffset
        let key = m.sym(c.nodeKey[i])
        if let other = graph.bulkNode(forKey: key) {
            let o = nodeOrigins[Int(other)]
            report(.error, "duplicate id '\(graph.strings[key])'", doc: doc, line: line, column: Int(c.nodeColumns[3 * i]),
                   notes: ["'\(graph.strings[key])' is already declared at \(place(doc: Int(o >> 32) - 1, line: Int(o & 0xFFFF_FFFF)))"],
                   code: "duplicate-id")
            return
        }
        let label = m.sym(c.nodeKind[i])
        let nameLocal = c.nodeName[i]
        let nameBytes = c.strings.unsafeBytes(Symbol(raw: nameLocal))
        let isConcept = c.nodeIsConcept[i]
        let id = graph.bulkAppendNode(key: key, label: label)
        nodeOrigins.append(pack(doc, line))
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        keys.append(symID); values.append(.symbol(key))
        keys.append(symName); values.append(m.value(nameLocal))
        var aliasSyms: [Symbol] = []
        if isConcept {
            if !aliases.isEmpty {
                aliasSyms = aliases.map { m.sym(c.aliasSym[$0]) }
                keys.append(symAliases); values.append(.symbols(aliasSyms))
            }
            if c.nodeSummary[i] >= 0 { keys.append(symSummary); values.append(m.value(c.nodeSummary[i])) }
        } else {
            keys.append(symTitle); values.append(m.value(nameLocal))
        }
        for j in props { setProp(m.sym(c.nodePropKey[j]), chunkValue(c.nodePropValue[j], m)) }
        graph.bulkSetProperties(node: id, keys: keys, values: values)

        // Name index: name, aliases, key.
        let nameKey = graph.normalizedNameSymbol(bytes: nameBytes)
        graph.bulkIndexName(nameKey, node: id, isName: true)
        var aliasKeys: [Symbol] = []
        aliasKeys.reserveCapacity(aliasSyms.count)
        for a in aliasSyms {
            let k = graph.normalizedNameSymbol(a)
            aliasKeys.append(k)
            graph.bulkIndexName(k, node: id, isName: false)
        }
        graph.bulkIndexName(graph.normalizedNameSymbol(key), node: id, isName: false)

        if isConcept {
            concepts.append((id, label, Int32(doc), Int32(line), c.nodeColumns[3 * i + 2]))
            claimNames(id, name: String(decoding: nameBytes, as: UTF8.self), nameKey: nameKey, aliasKeys: aliasKeys,
                       aliasSyms: aliasSyms, c, aliases, doc: doc, line: line, nameColumn: Int(c.nodeColumns[3 * i + 1]),
                       lineOffset: m.lineOffset)
        } else {
            isReading.extend(to: max(Int(key.raw) + 1, graph.strings.count), with: false)
            isReading[Int(key.raw)] = true
        }
    }

    func claimNames(_ n: Int32, name: String, nameKey: Symbol, aliasKeys: [Symbol], aliasSyms: [Symbol], _ c: FileChunk,
                    _ aliases: Range<Int>, doc: Int, line: Int, nameColumn: Int, lineOffset: Int) {
        var maxKey = nameKey.raw
        for k in aliasKeys where k.raw > maxKey { maxKey = k.raw }
        if Int(maxKey) >= claims.count { growDense(&claims, Int(maxKey) + 1) }
        var mine: [Symbol] = [nameKey]
        let prev = claims[Int(nameKey.raw)]
        if prev >= 0, prev & 1 == 0 {
            let other = prev >> 1
            let o = nodeOrigins[Int(other)]
            let otherKey = graph.key(of: NodeID(other))
            report(.error, "name '\(name)' is already an alias of '\(otherKey)'",
                   doc: doc, line: line, column: nameColumn,
                   notes: ["'\(otherKey)' is declared at \(place(doc: Int(o >> 32) - 1, line: Int(o & 0xFFFF_FFFF)))"],
                   code: "alias-conflict")
        } else if prev < 0 {
            claims[Int(nameKey.raw)] = n << 1 | 1
        }
        for (j, k) in aliasKeys.enumerated() {
            if mine.contains(k) { continue }
            mine.append(k)
            let p = claims[Int(k.raw)]
            if p >= 0, p >> 1 != n {
                let other = p >> 1
                let otherKey = graph.key(of: NodeID(other))
                let o = nodeOrigins[Int(other)]
                let r = aliases.lowerBound + j
                report(.error, "alias '\(graph.strings[aliasSyms[j]])' is already \(p & 1 == 1 ? "the name" : "an alias") of '\(otherKey)'",
                       doc: doc, line: Int(c.aliasLine[r]) + lineOffset, column: Int(c.aliasColumn[r]),
                       notes: ["'\(otherKey)' is declared at \(place(doc: Int(o >> 32) - 1, line: Int(o & 0xFFFF_FFFF)))",
                               "an alias must lead to one concept; remove it from one of them"],
                       code: "alias-conflict")
            } else {
                claims[Int(k.raw)] = n << 1
            }
        }
    }

    func addEdge(_ m: Merged, _ i: Int, _ a: Int32, _ b: Int32) {
        let c = m.chunk
        let e = graph.bulkAppendEdge(src: a, dst: b, type: m.sym(c.edgeType[i]))
        let p0 = i == 0 ? 0 : Int(c.edgePropEnd[i - 1]), p1 = Int(c.edgePropEnd[i])
        if p1 > p0 {
            keys.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            for j in p0..<p1 { setProp(m.sym(c.edgePropKey[j]), chunkValue(c.edgePropValue[j], m)) }
            graph.bulkSetProperties(edge: e, keys: keys, values: values)
        }
        let v0 = i == 0 ? 0 : Int(c.edgeEvEnd[i - 1]), v1 = Int(c.edgeEvEnd[i])
        for r in v0..<v1 {
            let note = c.evNote[r]
            graph.bulkAppendEvidence(reading: m.sym(c.evReading[r]), locator: c.evLocator[r],
                                     note: note < 0 ? nil : m.sym(note), modality: c.evModality[r])
        }
        graph.bulkCloseEdge(e)
        if !c.edgeOrigins.isEmpty, let o = c.edgeOrigins[Int32(i)] { graph.setOrigin(EdgeID(e), o) }
        edgeOrigins.append(pack(m.doc, Int(c.edgeLine[i]) + m.lineOffset))
    }

    // MARK: Whole-input checks

    func finish(documents: [Document], extra: [Diagnostic], readings: String?, directory: String?) -> LoadedGraph {
        buildSchema()
        checkConceptKinds()
        resolvePending()
        graph.endBulkLoad()
        checkEdges()
        closeCauses()
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

    /// Kind declarations whose lineage is broken (unknown parent, cycle), by kind name: the
    /// kind whose declaration carries the error.
    var brokenLineage: [String: String] = [:]

    func buildSchema() {
        var schema = Schema()
        let kindNames = kinds.map(\.decl.name)
        var badParent: Set<String> = []
        for k in kinds {
            if let p = k.decl.parent, kindIndex[p] == nil {
                let d = report(.error, "unknown parent kind '\(p)'", doc: k.doc, line: k.line, column: k.columns.count > 1 ? k.columns[1] : 1,
                               suggestion: Suggest.nearest(p, in: kindNames), code: "unknown-kind")
                addCause("kinddecl:\(k.decl.name)", diag: d)
                badParent.insert(k.decl.name)
            }
            schema.declare(k.decl)
        }
        // Cycles in the kind hierarchy.
        for k in kinds {
            var seen: Set<String> = [k.decl.name]
            var cur = k.decl.parent
            while let p = cur, let idx = kindIndex[p] {
                if p == k.decl.name {
                    let d = report(.error, "kind '\(p)' is its own ancestor", doc: k.doc, line: k.line, column: k.columns.count > 1 ? k.columns[1] : 1,
                                   code: "kind-cycle")
                    addCause("kinddecl:\(k.decl.name)", diag: d)
                    badParent.insert(k.decl.name)
                    break
                }
                if !seen.insert(p).inserted { break }
                cur = kinds[idx].decl.parent
            }
        }
        // Which kinds inherit a broken declaration.
        for k in kinds {
            var seen: Set<String> = []
            var cur: String? = k.decl.name
            while let c = cur, seen.insert(c).inserted {
                if badParent.contains(c) { brokenLineage[k.decl.name] = c; break }
                cur = kindIndex[c].map { kinds[$0].decl.parent } ?? nil
            }
        }
        var inverses: [String: String] = [:]
        for r in relTypes {
            for (slot, k) in [(1, r.decl.domain), (2, r.decl.range)] {
                if let k, !isKnownKind(k) {
                    let d = report(.error, "unknown kind '\(k)' in the \(slot == 1 ? "domain" : "range") of '\(r.decl.name)'",
                                   doc: r.doc, line: r.line, column: r.columns[slot], suggestion: Suggest.nearest(k, in: kindNames),
                                   code: "unknown-kind")
                    addCause("reldecl:\(r.decl.name):\(slot)", diag: d)
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
        var known: [Symbol: Bool] = [:]
        for c in concepts {
            let ok: Bool
            if let k = known[c.kind] { ok = k } else {
                ok = isKnownKind(graph.strings[c.kind])
                known[c.kind] = ok
            }
            if ok { continue }
            let kind = graph.strings[c.kind]
            if attribute("kind:\(kind)", "more concepts of this kind", doc: Int(c.doc), line: Int(c.line)) { continue }
            let d = report(.error, "unknown kind '\(kind)'", doc: Int(c.doc), line: Int(c.line), column: Int(c.kindColumn),
                           suggestion: Suggest.nearest(kind, in: names), code: "unknown-kind")
            addCause("kind:\(kind)", diag: d)
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
        for (m, i) in pending {
            let c = m.chunk
            let srcKey = m.sym(c.edgeSrc[i]), dstKey = m.sym(c.edgeDst[i])
            let a = graph.bulkNode(forKey: srcKey), b = graph.bulkNode(forKey: dstKey)
            if let a, let b {
                addEdge(m, i, a, b)
                continue
            }
            let line = Int(c.edgeLine[i]) + m.lineOffset
            for (missing, col) in [(a == nil ? srcKey : nil, c.edgeColumns[3 * i]), (b == nil ? dstKey : nil, c.edgeColumns[3 * i + 2])] {
                guard let k = missing else { continue }
                let name = graph.strings[k]
                report(.error, "unknown id '\(name)': no concept or reading declares it", doc: m.doc, line: line, column: Int(col),
                       suggestion: suggestKey(name), code: "dangling-reference")
            }
        }
        pending = []
    }

    /// Relation types, domain/range and evidence readings of every edge.
    func checkEdges() {
        let schema = graph.schema
        let relNames = Array(schema.relations.keys)
        let strings = graph.strings
        var requiredSym: [String: Symbol] = [:]
        var kindIs: [UInt64: Bool] = [:]
        func isA(_ label: Symbol, _ kind: String?) -> Bool {
            guard let kind else { return true }
            guard label != .none else { return false }
            let ks: Symbol
            if let s = requiredSym[kind] { ks = s } else { ks = strings.intern(kind); requiredSym[kind] = ks }
            let key = UInt64(UInt32(bitPattern: label.raw)) << 32 | UInt64(UInt32(bitPattern: ks.raw))
            if let v = kindIs[key] { return v }
            let v = schema.isKind(strings[label], a: kind)
            kindIs[key] = v
            return v
        }
        var knownKind: [Int32: Bool] = [:]
        func isKnown(_ label: Symbol) -> Bool {
            if let v = knownKind[label.raw] { return v }
            let v = label != .none && isKnownKind(strings[label])
            knownKind[label.raw] = v
            return v
        }
        checkEvidenceReadings()
        let src = graph.edgeSrc, dst = graph.edgeDst, types = graph.edgeType, alive = graph.edgeAlive
        let kindCol = graph.kindColumn
        // Dense numbers for relation types (per symbol: -2 not seen yet, -1 undeclared, else an
        // index into `decls`) and for node kinds, so the per-edge checks are array reads.
        var maxType: Int32 = 0
        for t in types where t.raw > maxType { maxType = t.raw }
        var declOf = [Int32](repeating: -2, count: Int(maxType) + 1)
        var decls: [RelationDecl] = []
        var maxKind: Int32 = 0
        for k in kindCol where k.raw > maxKind { maxKind = k.raw }
        var kindDense = [Int32](repeating: -1, count: Int(maxKind) + 1)
        var kinds = 0
        for k in kindCol where kindDense[Int(k.raw)] < 0 {
            kindDense[Int(k.raw)] = Int32(kinds)
            kinds += 1
        }
        // Per (declaration, source kind, target kind): 0 not checked yet, 1 valid, 2 not.
        var verdicts: [UInt8] = []
        var verdictSet: [Int: UInt8] = [:]
        let useArray = schema.relations.count * kinds * kinds <= 4_000_000
        if useArray { verdicts = [UInt8](repeating: 0, count: max(1, schema.relations.count * kinds * kinds)) }
        for ei in 0..<src.count where alive[ei] {
            let t = types[ei]
            var di = declOf[Int(t.raw)]
            if di == -2 {
                if let d = schema.relation(strings[t]) {
                    di = Int32(decls.count)
                    decls.append(d)
                } else {
                    di = -1
                }
                declOf[Int(t.raw)] = di
            }
            guard di >= 0 else {
                let e = EdgeID(ei)
                let (doc, line) = origin(e)
                let name = strings[t]
                if attribute("type:\(name)", "more relations that use it", doc: doc, line: line) { continue }
                let d: Int
                if let base = schema.relationWithInverse(name) {
                    d = report(.error, "'\(name)' is the inverse name of '\(base.name)': store the edge as 'target -\(base.name)-> source'",
                               doc: doc, line: line, column: columns(doc, line)[1], code: "unknown-relation")
                } else {
                    d = report(.error, "unknown relation type '\(name)'", doc: doc, line: line, column: columns(doc, line)[1],
                               suggestion: Suggest.nearest(name, in: relNames), code: "unknown-relation")
                }
                addCause("type:\(name)", diag: d)
                continue
            }
            let s = Int(src[ei]), d = Int(dst[ei])
            let sl = kindCol[s], dl = kindCol[d]
            let slot = (Int(di) * kinds + Int(kindDense[Int(sl.raw)])) * kinds + Int(kindDense[Int(dl.raw)])
            let known = useArray ? verdicts[slot] : (verdictSet[slot] ?? 0)
            if known == 1 { continue }
            let decl = decls[Int(di)]
            let domainOK = isA(sl, decl.domain), rangeOK = isA(dl, decl.range)
            if known == 0 {
                let v: UInt8 = domainOK && rangeOK ? 1 : 2
                if useArray { verdicts[slot] = v } else { verdictSet[slot] = v }
                if v == 1 { continue }
            }
            let (doc, line) = origin(EdgeID(ei))
            /// The broken declaration a failed check comes from, if any.
            func cause(_ label: Symbol, _ slot: Int) -> String? {
                if label != .none, !isKnown(label) { return "kind:\(strings[label])" }
                let required = slot == 1 ? decl.domain! : decl.range!
                if !isKnownKind(required) { return "reldecl:\(decl.name):\(slot)" }
                if label != .none, let b = brokenLineage[strings[label]] { return "kinddecl:\(b)" }
                return nil
            }
            var attributed: Set<String> = []
            if !domainOK {
                if let c = cause(sl, 1), causes[c] != nil {
                    attributed.insert(c)
                } else {
                    report(.error, "'\(graph.key(of: NodeID(s)))' is a \(sl == .none ? "node without kind" : strings[sl]), but \(decl.name) needs a \(decl.domain!) as source",
                           doc: doc, line: line, column: columns(doc, line)[0], code: "domain-violation")
                }
            }
            if !rangeOK {
                if let c = cause(dl, 2), causes[c] != nil {
                    attributed.insert(c)
                } else {
                    report(.error, "'\(graph.key(of: NodeID(d)))' is a \(dl == .none ? "node without kind" : strings[dl]), but \(decl.name) needs a \(decl.range!) as target",
                           doc: doc, line: line, column: columns(doc, line)[2], code: "range-violation")
                }
            }
            for c in attributed.sorted() {
                attribute(c, c.hasPrefix("reldecl:") ? "relations of this type that cannot be checked" : "relations that use it",
                          doc: doc, line: line)
            }
        }
    }

    /// Evidence that cites something other than a reading: one pass over the reading column, then
    /// a diagnostic (with the evidence's position) for each edge that has such evidence.
    func checkEvidenceReadings() {
        let (offsets, readings) = graph.evidenceColumns
        let replaced = graph.edgesWithReplacedEvidence
        let alive = graph.edgeAlive
        var badEdges: [Int] = []
        var lastBadEdge = -1
        for r in 0..<readings.count {
            let s = Int(readings[r])
            if s < isReading.count && isReading[s] { continue }
            // The edge whose rows contain r.
            let e = offsets.partitioningIndex { Int($0) > r } - 1
            if e != lastBadEdge, e >= 0, e < alive.count, alive[e] {
                badEdges.append(e)
                lastBadEdge = e
            }
        }
        for e in replaced.sorted() where alive[Int(e)] && !badEdges.contains(Int(e)) { badEdges.append(Int(e)) }
        guard !badEdges.isEmpty else { return }
        let readingList = (0..<isReading.count).filter { isReading[$0] }.map { graph.strings[Symbol(raw: Int32($0))] }.sorted()
        for e in badEdges.sorted() { checkEvidence(EdgeID(e), readingList) }
    }

    /// (source kind, target kind, relation type) symbols already found valid.
    struct Triple: Hashable { var s: Int32; var d: Int32; var t: Int32 }

    func checkEvidence(_ e: EdgeID, _ readingList: [String]) {
        let (doc, line) = origin(e)
        for ev in graph.evidence(of: e) {
            if let s = graph.strings.lookup(ev.reading), Int(s.raw) < isReading.count, isReading[Int(s.raw)] { continue }
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
