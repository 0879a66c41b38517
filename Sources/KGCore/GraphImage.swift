extension Symbol: BitwiseCopyable {}

/// The store of a `Graph` as a binary image: every column, the CSR adjacency, the interned
/// strings (with their hash table) and the name index, each written as one section straight from
/// its array and read back straight into a new array — no per-element rebuild. The binary graph
/// cache (`KGFormat.GraphCache`) is a header plus this image.
///
/// Reading never trusts the input: besides the per-section checksums, every symbol, node id,
/// edge id and offset is range-checked (linear scans), so a damaged image throws `ImageError`
/// and never crashes or builds an inconsistent graph.
public enum GraphImage {
    /// Bumped whenever the layout below changes.
    public static let version: UInt64 = 1

    /// Whether `g` can be written: no node or edge was deleted (a freshly loaded graph never has
    /// deletions; ids must stay dense for the image).
    public static func canWrite(_ g: Graph) -> Bool {
        g.nodeCapacity == g.nodeCount && g.edgeCapacity == g.edgeCount
    }

    // MARK: Writing

    public static func write(_ g: Graph, to w: ImageWriter) throws {
        precondition(canWrite(g), "GraphImage.write needs a graph without deletions")
        g.compactForImage()
        var m = ByteWriter()
        m.u64(version)
        m.varint(UInt64(g.strings.count))
        m.varint(UInt64(g.nodeCapacity))
        m.varint(UInt64(g.edgeCapacity))
        m.varint(UInt64(g.schema.kinds.count))
        for (_, k) in g.schema.kinds {
            m.string(k.name); m.optString(k.parent); m.optString(k.doc)
        }
        m.varint(UInt64(g.schema.relations.count))
        for (_, r) in g.schema.relations {
            m.string(r.name); m.optString(r.domain); m.optString(r.range); m.optString(r.inverse)
            m.byte((r.symmetric ? 1 : 0) | (r.transitive ? 2 : 0) | (r.undirected ? 4 : 0) | (r.finding ? 8 : 0))
            m.optString(r.doc)
            m.varint(UInt64(r.cues.count))
            for c in r.cues { m.string(c) }
        }
        m.varint(UInt64(g.extraLabels.count))
        for (n, ls) in g.extraLabels.sorted(by: { $0.key < $1.key }) {
            m.varint(UInt64(n))
            m.varint(UInt64(ls.count))
            for l in ls { m.varint(UInt64(l.raw)) }
        }
        m.varint(UInt64(g.toolOrigins.count))
        for (e, o) in g.toolOrigins.sorted(by: { $0.key < $1.key }) {
            m.varint(UInt64(e)); m.string(o.tool); m.string(o.date); m.string(o.fingerprint)
        }
        m.varint(UInt64(g.evidenceStore.bigLocators.count))
        for (r, l) in g.evidenceStore.bigLocators.sorted(by: { $0.key < $1.key }) {
            m.varint(UInt64(r)); m.byte(l.unit == .line ? 1 : 2)
            m.u64(UInt64(bitPattern: Int64(l.start))); m.u64(UInt64(bitPattern: Int64(l.end)))
        }
        for t in [g.nodeTable, g.edgeTable] {
            m.varint(UInt64(t.shapes.count))
            for s in t.shapes {
                m.varint(UInt64(s.count))
                for k in s { m.varint(UInt64(k.raw)) }
            }
            m.varint(UInt64(t.columns.count))
            for c in t.columns {
                m.varint(UInt64(c.key.raw))
                m.byte(c.kind.rawValue)
                if c.kind == .any {
                    m.varint(UInt64(c.values.count))
                    for v in c.values { m.value(v) }
                }
            }
        }
        try w.bytes(m)

        try g.strings.withParts { pool, ends, hashes, table in
            try w.buffer(pool); try w.buffer(ends); try w.buffer(hashes); try w.buffer(table)
        }
        try w.array(g.nodeKeys); try w.array(g.nodeKind); try w.array(g.nodeAlive)
        try writeTable(g.nodeTable, w)
        try w.array(g.edgeSrc); try w.array(g.edgeDst); try w.array(g.edgeType); try w.array(g.edgeAlive)
        try writeTable(g.edgeTable, w)
        let ev = g.evidenceStore
        try w.array(ev.offsets); try w.array(ev.reading); try w.array(ev.locStart); try w.array(ev.locEnd)
        try w.array(ev.flags); try w.array(ev.note)
        for a in [g.outAdjacency, g.inAdjacency] {
            try w.array(a.off); try w.array(a.edge); try w.array(a.nbr); try w.array(a.type)
        }
        try w.array(g.keyNode)
        try w.array(g.names.entries)
    }

    private static func writeTable(_ t: PropertyTable, _ w: ImageWriter) throws {
        try w.array(t.shapeOf)
        for c in t.columns {
            switch c.kind {
            case .empty, .any: break
            case .string: try w.array(c.symbols)
            case .int, .bool: try w.array(c.integers)
            case .float: try w.array(c.floats)
            case .stringList: try w.array(c.listRanges); try w.array(c.listItems)
            case .text: try w.array(c.textRanges); try w.array(c.textBytes)
            }
        }
    }

    // MARK: Reading

    public static func read(from r: inout ImageReader) throws -> Graph {
        let meta = try r.bytes()
        return try meta.withUnsafeBytes { raw -> Graph in
            var m = ByteReader(raw)
            guard try m.u64() == version else { throw ImageError("other image version") }
            let nStrings = try m.small(), nNodes = try m.small(), nEdges = try m.small()
            func sym(_ v: UInt64) throws -> Symbol {
                guard v < UInt64(nStrings) else { throw ImageError("symbol out of range") }
                return Symbol(raw: Int32(v))
            }
            var schema = Schema()
            for _ in 0..<(try m.count(limit: m.remaining)) {
                schema.declare(KindDecl(name: try m.string(), parent: try m.optString(), doc: try m.optString()))
            }
            for _ in 0..<(try m.count(limit: m.remaining)) {
                let name = try m.string(), dom = try m.optString(), rng = try m.optString(), inv = try m.optString()
                let flags = try m.byte()
                let doc = try m.optString()
                var cues: [String] = []
                for _ in 0..<(try m.count(limit: m.remaining)) { cues.append(try m.string()) }
                schema.declare(RelationDecl(name: name, domain: dom, range: rng, inverse: inv,
                                            symmetric: flags & 1 != 0, transitive: flags & 2 != 0,
                                            undirected: flags & 4 != 0, finding: flags & 8 != 0, doc: doc, cues: cues))
            }
            var extra: [Int32: [Symbol]] = [:]
            for _ in 0..<(try m.count(limit: m.remaining)) {
                let n = try m.small()
                guard n < nNodes else { throw ImageError("node out of range") }
                var ls: [Symbol] = []
                for _ in 0..<(try m.count(limit: m.remaining)) { ls.append(try sym(try m.varint())) }
                extra[Int32(n)] = ls
            }
            var origins: [Int32: EdgeOrigin] = [:]
            for _ in 0..<(try m.count(limit: m.remaining)) {
                let e = try m.small()
                guard e < nEdges else { throw ImageError("edge out of range") }
                origins[Int32(e)] = EdgeOrigin(tool: try m.string(), date: try m.string(), fingerprint: try m.string())
            }
            var big: [Int32: Locator] = [:]
            for _ in 0..<(try m.count(limit: m.remaining)) {
                let row = try m.small()
                let unit: Locator.Unit = try m.byte() == 1 ? .line : .sentence
                let a = Int(Int64(bitPattern: try m.u64())), b = Int(Int64(bitPattern: try m.u64()))
                big[Int32(row)] = Locator(unit: unit, start: a, end: b)
            }
            var tables: [(shapes: [[Symbol]], columns: [(Symbol, PropertyColumn.Kind, [Value])])] = []
            for _ in 0..<2 {
                var shapes: [[Symbol]] = []
                for _ in 0..<(try m.count(limit: m.remaining)) {
                    var keys: [Symbol] = []
                    for _ in 0..<(try m.count(limit: m.remaining)) { keys.append(try sym(try m.varint())) }
                    shapes.append(keys)
                }
                var cols: [(Symbol, PropertyColumn.Kind, [Value])] = []
                for _ in 0..<(try m.count(limit: m.remaining)) {
                    let key = try sym(try m.varint())
                    guard let kind = PropertyColumn.Kind(rawValue: try m.byte()) else { throw ImageError("bad column kind") }
                    var values: [Value] = []
                    if kind == .any {
                        for _ in 0..<(try m.count(limit: m.remaining)) { values.append(try m.value()) }
                    }
                    cols.append((key, kind, values))
                }
                tables.append((shapes, cols))
            }
            guard m.remaining == 0 else { throw ImageError("trailing metadata") }

            // Strings.
            let pool = try r.rawBuffer(UInt8.self)
            guard let ends = try? r.rawBuffer(Int.self, maxCount: nStrings) else { pool.free(); throw ImageError("strings") }
            guard let hashes = try? r.rawBuffer(UInt32.self, maxCount: nStrings) else {
                pool.free(); ends.free(); throw ImageError("strings")
            }
            guard let table = try? r.rawBuffer(Int32.self) else { pool.free(); ends.free(); hashes.free(); throw ImageError("strings") }
            guard ends.count == nStrings else { pool.free(); ends.free(); hashes.free(); table.free(); throw ImageError("strings") }
            guard let strings = Interner(pool: pool, ends: ends, hashes: hashes, table: table) else { throw ImageError("bad string table") }

            func checkSymbols(_ a: [Symbol]) throws {
                for s in a where s.raw < 0 || Int(s.raw) >= nStrings { throw ImageError("symbol out of range") }
            }
            func checkRange(_ a: [Int32], _ lo: Int32, _ hi: Int) throws {
                for x in a where x < lo || Int(x) >= hi { throw ImageError("value out of range") }
            }
            // Nodes.
            let nodeKeys = try r.array(Symbol.self), nodeKind = try r.array(Symbol.self), nodeAlive = try r.array(Bool.self)
            guard nodeKeys.count == nNodes, nodeKind.count == nNodes, nodeAlive.count == nNodes else { throw ImageError("node columns") }
            try checkSymbols(nodeKeys); try checkSymbols(nodeKind)
            let nodeTable = try readTable(&r, tables[0], entities: nNodes, strings: nStrings)
            // Edges.
            let src = try r.array(Int32.self), dst = try r.array(Int32.self)
            let types = try r.array(Symbol.self), edgeAlive = try r.array(Bool.self)
            guard src.count == nEdges, dst.count == nEdges, types.count == nEdges, edgeAlive.count == nEdges else {
                throw ImageError("edge columns")
            }
            try checkRange(src, 0, nNodes); try checkRange(dst, 0, nNodes); try checkSymbols(types)
            let edgeTable = try readTable(&r, tables[1], entities: nEdges, strings: nStrings)
            // Evidence.
            let ev = EvidenceStore()
            ev.offsets = try r.array(Int32.self, maxCount: nEdges + 1)
            ev.reading = try r.array(Int32.self); ev.locStart = try r.array(Int32.self); ev.locEnd = try r.array(Int32.self)
            ev.flags = try r.array(UInt8.self); ev.note = try r.array(Int32.self)
            let rows = ev.reading.count
            guard ev.offsets.count == nEdges + 1, ev.offsets[0] == 0, Int(ev.offsets[nEdges]) == rows,
                  ev.locStart.count == rows, ev.locEnd.count == rows, ev.flags.count == rows, ev.note.count == rows
            else { throw ImageError("evidence columns") }
            for i in 0..<nEdges where ev.offsets[i] > ev.offsets[i + 1] { throw ImageError("evidence offsets") }
            try checkRange(ev.reading, 0, nStrings); try checkRange(ev.note, -1, nStrings)
            for (row, _) in big where Int(row) >= rows { throw ImageError("locator row out of range") }
            ev.bigLocators = big
            // Adjacency.
            var adj: [Adjacency] = []
            for _ in 0..<2 {
                let off = try r.array(Int32.self, maxCount: nNodes + 1)
                let edge = try r.array(Int32.self, maxCount: nEdges), nbr = try r.array(Int32.self, maxCount: nEdges)
                let type = try r.array(Int32.self, maxCount: nEdges)
                guard off.count == nNodes + 1, off[0] == 0, Int(off[nNodes]) == edge.count, nbr.count == edge.count,
                      type.count == edge.count
                else { throw ImageError("adjacency") }
                for i in 0..<nNodes where off[i] > off[i + 1] { throw ImageError("adjacency offsets") }
                try checkRange(edge, 0, nEdges); try checkRange(nbr, 0, nNodes); try checkRange(type, 0, nStrings)
                adj.append(Adjacency(off: off, edge: edge, nbr: nbr, type: type))
            }
            let keyNode = try r.array(Int32.self, maxCount: nStrings)
            try checkRange(keyNode, -1, nNodes)
            let entries = try r.array(UInt64.self)
            for e in entries where Int(e >> 32) >= nStrings || Int((e & 0xFFFF_FFFF) >> 1) >= nNodes {
                throw ImageError("name index out of range")
            }
            for (i, e) in entries.enumerated() where i > 0 && entries[i - 1] > e { throw ImageError("name index order") }
            return Graph(schema: schema, strings: strings, nodeKeys: nodeKeys, nodeKind: nodeKind, extraLabels: extra,
                         nodeAlive: nodeAlive, nodeTable: nodeTable, edgeSrc: src, edgeDst: dst, edgeType: types,
                         edgeAlive: edgeAlive, edgeTable: edgeTable, evidence: ev, toolOrigins: origins,
                         out: adj[0], in: adj[1], keyNode: keyNode, names: NameIndex(entries: entries))
        }
    }

    private static func readTable(_ r: inout ImageReader, _ meta: (shapes: [[Symbol]], columns: [(Symbol, PropertyColumn.Kind, [Value])]),
                                  entities: Int, strings: Int) throws -> PropertyTable {
        let t = PropertyTable()
        t.shapeOf = try r.array(UInt32.self, maxCount: entities)
        guard t.shapeOf.count == entities, !meta.shapes.isEmpty, meta.shapes[0].isEmpty else { throw ImageError("shapes") }
        for s in t.shapeOf where Int(s) >= meta.shapes.count { throw ImageError("shape out of range") }
        for (key, kind, values) in meta.columns {
            func ints(_ a: [Int32], _ lo: Int32) throws -> [Int32] {
                for x in a where x < lo || Int(x) >= strings { throw ImageError("column symbol out of range") }
                return a
            }
            var symbols: [Int32] = [], integers: [Int64] = [], floats: [Double] = [], ranges: [UInt64] = [], items: [Int32] = []
            var textRanges: [UInt64] = [], textBytes: [UInt8] = []
            switch kind {
            case .empty, .any: break
            case .string: symbols = try ints(try r.array(Int32.self, maxCount: entities), 0)
            case .int, .bool: integers = try r.array(Int64.self, maxCount: entities)
            case .float: floats = try r.array(Double.self, maxCount: entities)
            case .stringList:
                ranges = try r.array(UInt64.self, maxCount: entities)
                items = try ints(try r.array(Int32.self), 0)
                for x in ranges where Int(x >> 32) + Int(x & 0xFFFF_FFFF) > items.count { throw ImageError("list out of range") }
            case .text:
                textRanges = try r.array(UInt64.self, maxCount: entities)
                textBytes = try r.array(UInt8.self)
                for x in textRanges where Int(x >> 24) + Int(x & 0xFF_FFFF) > textBytes.count { throw ImageError("text out of range") }
                // Each slot must hold whole UTF-8: the heap was written from valid strings.
            }
            guard values.count <= entities, t.columnOf[key] == nil else { throw ImageError("columns") }
            t.columnOf[key] = Int32(t.columns.count)
            t.columns.append(PropertyColumn(key: key, kind: kind, symbols: symbols, integers: integers, floats: floats,
                                            listRanges: ranges, listItems: items, values: values,
                                            textRanges: textRanges, textBytes: textBytes))
        }
        t.shapes = []
        t.shapeSlots = []
        t.shapeIndex = [:]
        for keys in meta.shapes {
            var seen: Set<Symbol> = []
            for k in keys where t.columnOf[k] == nil || !seen.insert(k).inserted { throw ImageError("shape key without column") }
            t.shapes.append(keys)
            t.shapeSlots.append(keys.map { t.columnOf[$0]! })
            t.shapeIndex[keys] = UInt32(t.shapes.count - 1)
        }
        return t
    }
}
