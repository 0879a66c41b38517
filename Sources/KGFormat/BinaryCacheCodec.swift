import KGCore

/// Binary encoding of a `Graph` for the derived load cache (see `GraphCache`).
///
/// The encoding is a dump of the store, not of the .kg text: the interned strings in symbol order,
/// the schema, then nodes and edges in id order with their symbols as integers. Decoding interns
/// the strings in the same order, so every `Symbol` keeps its raw value, then rebuilds the graph
/// through the public `Graph` API (bulk load), which also rebuilds the key, label and name
/// indexes. Decoding never trusts the input: every length and symbol is range-checked and any
/// inconsistency throws `GraphCacheCodec.Failure`.
enum GraphCacheCodec {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    // MARK: Encoding

    /// Encodes the graph; nil when it cannot be represented faithfully (deleted nodes or edges,
    /// which a freshly loaded graph never has).
    static func encode(_ g: Graph, into w: inout ByteWriter) -> Bool {
        guard g.nodeCapacity == g.nodeCount, g.edgeCapacity == g.edgeCount else { return false }
        let strings = g.strings
        w.varint(UInt64(strings.count))
        for i in 1..<max(strings.count, 1) { w.string(strings[Symbol(raw: Int32(i))]) }
        // Schema
        w.varint(UInt64(g.schema.kinds.count))
        for (_, k) in g.schema.kinds {
            w.string(k.name); w.optString(k.parent); w.optString(k.doc)
        }
        w.varint(UInt64(g.schema.relations.count))
        for (_, r) in g.schema.relations {
            w.string(r.name); w.optString(r.domain); w.optString(r.range); w.optString(r.inverse)
            w.byte((r.symmetric ? 1 : 0) | (r.transitive ? 2 : 0) | (r.undirected ? 4 : 0) | (r.finding ? 8 : 0))
            w.optString(r.doc)
            w.varint(UInt64(r.cues.count))
            for c in r.cues { w.string(c) }
        }
        // Nodes
        let n = g.nodeCapacity
        w.varint(UInt64(n))
        for i in 0..<n {
            let id = NodeID(i)
            w.varint(UInt64(g.nodeKeys[i].raw))
            let labels = g.nodeLabels[i]
            w.varint(UInt64(labels.count))
            for l in labels { w.varint(UInt64(l.raw)) }
            props(g.properties(of: id), &w)
        }
        // Edges
        let m = g.edgeCapacity
        w.varint(UInt64(m))
        for i in 0..<m {
            let e = EdgeID(i)
            w.varint(UInt64(g.edgeSrc[i]))
            w.varint(UInt64(g.edgeDst[i]))
            w.varint(UInt64(g.type(of: e).raw))
            props(g.storedProperties(of: e), &w)
            let ev = g.evidence(of: e)
            w.varint(UInt64(ev.count))
            for x in ev {
                w.string(x.reading)
                if let l = x.locator {
                    w.byte(l.unit == .line ? 1 : 2)
                    w.varint(UInt64(l.start)); w.varint(UInt64(l.end))
                } else {
                    w.byte(0)
                }
                w.optString(x.note)
                w.byte(UInt8(Modality.allCases.firstIndex(of: x.modality)!))
            }
            if let o = g.origin(of: e) {
                w.byte(1); w.string(o.tool); w.string(o.date); w.string(o.fingerprint)
            } else {
                w.byte(0)
            }
        }
        return true
    }

    private static func props(_ p: PropertyMap, _ w: inout ByteWriter) {
        w.varint(UInt64(p.count))
        for (k, v) in p {
            w.varint(UInt64(k.raw))
            value(v, &w)
        }
    }

    private static func value(_ v: Value, _ w: inout ByteWriter) {
        switch v {
        case .null: w.byte(0)
        case .bool(let b): w.byte(b ? 2 : 1)
        case .int(let i): w.byte(3); w.u64(UInt64(bitPattern: i))
        case .float(let d): w.byte(4); w.u64(d.bitPattern)
        case .string(let s): w.byte(5); w.string(s)
        case .list(let l):
            w.byte(6)
            w.varint(UInt64(l.count))
            for x in l { value(x, &w) }
        case .temporal(let t):
            w.byte(7)
            w.byte(UInt8(TemporalValue.Kind.allCases.firstIndex(of: t.kind)!))
            w.string(t.text)
        }
    }

    // MARK: Decoding

    static func decode(_ r: inout ByteReader) throws -> Graph {
        let nStrings = try r.count(limit: r.remaining + 1)
        guard nStrings >= 1 else { throw Failure("empty string table") }
        let strings = Interner()
        for i in 1..<nStrings {
            let s = try r.string()
            guard strings.intern(s).raw == Int32(i) else { throw Failure("duplicate interned string") }
        }
        func sym(_ raw: UInt64) throws -> Symbol {
            guard raw < UInt64(nStrings) else { throw Failure("symbol \(raw) out of range") }
            return Symbol(raw: Int32(raw))
        }
        var schema = Schema()
        let nk = try r.count(limit: r.remaining)
        for _ in 0..<nk {
            schema.declare(KindDecl(name: try r.string(), parent: try r.optString(), doc: try r.optString()))
        }
        let nr = try r.count(limit: r.remaining)
        for _ in 0..<nr {
            let name = try r.string(), dom = try r.optString(), rng = try r.optString(), inv = try r.optString()
            let flags = try r.byte()
            let doc = try r.optString()
            let nc = try r.count(limit: r.remaining)
            var cues: [String] = []
            cues.reserveCapacity(nc)
            for _ in 0..<nc { cues.append(try r.string()) }
            schema.declare(RelationDecl(name: name, domain: dom, range: rng, inverse: inv,
                                        symmetric: flags & 1 != 0, transitive: flags & 2 != 0,
                                        undirected: flags & 4 != 0, finding: flags & 8 != 0, doc: doc, cues: cues))
        }
        let g = Graph(schema: schema, strings: strings)
        guard g.strings.count == nStrings else { throw Failure("string table lacks the graph's own symbols") }
        let n = try r.count(limit: r.remaining)
        let m0 = r.position
        _ = m0
        g.reserve(nodes: n, edges: 0)
        for i in 0..<n {
            let key = try sym(try r.varint())
            let nl = try r.count(limit: r.remaining)
            var labels: [Symbol] = []
            labels.reserveCapacity(nl)
            for _ in 0..<nl { labels.append(try sym(try r.varint())) }
            let p = try props(&r, sym)
            let id: NodeID
            do { id = try g.addNode(key: key, labels: labels, properties: p) } catch {
                throw Failure("node \(i): \(error)")
            }
            guard id.index == i else { throw Failure("node id mismatch") }
        }
        let m = try r.count(limit: r.remaining)
        g.reserve(nodes: n, edges: m)
        g.beginBulkLoad()
        for _ in 0..<m {
            let s = try r.varint(), d = try r.varint()
            guard s < UInt64(n), d < UInt64(n) else { throw Failure("edge endpoint out of range") }
            let t = try sym(try r.varint())
            let p = try props(&r, sym)
            let ne = try r.count(limit: r.remaining)
            var ev: [Evidence] = []
            ev.reserveCapacity(ne)
            for _ in 0..<ne {
                let reading = try r.string()
                let unit = try r.byte()
                var loc: Locator? = nil
                if unit != 0 {
                    guard unit <= 2 else { throw Failure("bad locator unit") }
                    let a = try r.varint(), b = try r.varint()
                    guard a <= UInt64(Int.max), b <= UInt64(Int.max) else { throw Failure("bad locator") }
                    loc = Locator(unit: unit == 1 ? .line : .sentence, start: Int(a), end: Int(b))
                }
                let note = try r.optString()
                let m = Int(try r.byte())
                guard m < Modality.allCases.count else { throw Failure("bad modality") }
                ev.append(Evidence(reading: reading, locator: loc, note: note, modality: Modality.allCases[m]))
            }
            let e = g.addEdge(from: NodeID(Int(s)), to: NodeID(Int(d)), type: t, properties: p, evidence: ev)
            switch try r.byte() {
            case 0: break
            case 1: g.setOrigin(e, EdgeOrigin(tool: try r.string(), date: try r.string(), fingerprint: try r.string()))
            default: throw Failure("bad origin flag")
            }
        }
        g.endBulkLoad()
        return g
    }

    private static func props(_ r: inout ByteReader, _ sym: (UInt64) throws -> Symbol) throws -> PropertyMap {
        let c = try r.count(limit: r.remaining)
        var p = PropertyMap()
        for _ in 0..<c {
            let k = try sym(try r.varint())
            p[k] = try value(&r, depth: 0)
        }
        return p
    }

    private static func value(_ r: inout ByteReader, depth: Int) throws -> Value {
        guard depth < 64 else { throw Failure("list nesting too deep") }
        switch try r.byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(Int64(bitPattern: try r.u64()))
        case 4: return .float(Double(bitPattern: try r.u64()))
        case 5: return .string(try r.string())
        case 6:
            let c = try r.count(limit: r.remaining)
            var l: [Value] = []
            l.reserveCapacity(c)
            for _ in 0..<c { l.append(try value(&r, depth: depth + 1)) }
            return .list(l)
        case 7:
            let k = Int(try r.byte())
            guard k < TemporalValue.Kind.allCases.count else { throw Failure("bad temporal kind") }
            return .temporal(TemporalValue(kind: TemporalValue.Kind.allCases[k], text: try r.string()))
        default: throw Failure("bad value tag")
        }
    }
}

// MARK: Byte buffers

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func u64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8))) }
    }

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            varint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    mutating func optString(_ s: String?) {
        if let s {
            byte(1)
            string(s)
        } else {
            byte(0)
        }
    }
}

struct ByteReader {
    let base: UnsafeRawBufferPointer
    private(set) var position: Int

    init(_ base: UnsafeRawBufferPointer, position: Int = 0) {
        self.base = base
        self.position = position
    }

    var remaining: Int { base.count - position }

    mutating func byte() throws -> UInt8 {
        guard position < base.count else { throw GraphCacheCodec.Failure("truncated") }
        let b = base[position]
        position += 1
        return b
    }

    mutating func varint() throws -> UInt64 {
        var out: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < base.count else { throw GraphCacheCodec.Failure("truncated") }
            let b = base[position]
            position += 1
            guard shift < 64 else { throw GraphCacheCodec.Failure("varint too long") }
            out |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return out }
            shift += 7
        }
    }

    /// A count that must not exceed `limit` (each counted item takes at least one byte).
    mutating func count(limit: Int) throws -> Int {
        let v = try varint()
        guard v <= UInt64(max(limit, 0)) else { throw GraphCacheCodec.Failure("count \(v) exceeds the data") }
        return Int(v)
    }

    mutating func u64() throws -> UInt64 {
        guard remaining >= 8 else { throw GraphCacheCodec.Failure("truncated") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[position + i]) << (UInt64(i) * 8) }
        position += 8
        return v
    }

    mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw GraphCacheCodec.Failure("truncated") }
        let out = UnsafeRawBufferPointer(rebasing: base[position..<(position + n)])
        position += n
        return out
    }

    mutating func string() throws -> String {
        let n = try count(limit: remaining)
        let b = try bytes(n)
        return String(decoding: b, as: UTF8.self)
    }

    mutating func optString() throws -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        default: throw GraphCacheCodec.Failure("bad optional tag")
        }
    }
}

/// A fast 64-bit checksum (word-wise multiply-xorshift) that detects a corrupted or truncated
/// cache file. Not cryptographic: the cache is a local derived file, and the source files are
/// keyed by SHA-256.
func cacheChecksum(_ p: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
    let words = p.count / 8
    var i = 0
    while i < words {
        let w = p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
        h = (h ^ (w &* 0xBF58_476D_1CE4_E5B9)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        i += 1
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    for j in (words * 8)..<p.count {
        tail |= UInt64(p[j]) << shift
        shift += 8
    }
    h = (h ^ (tail &* 0xBF58_476D_1CE4_E5B9)) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 29
    return h
}
