import Foundation
import KGCore
import KGLayout

/// Options of the GraphML writer.
public struct GraphMLOptions {
    public enum Flavor: String, CaseIterable, Sendable {
        /// Plain GraphML, valid against the GraphML 1.0 schema.
        case plain
        /// Adds yEd's graphics extension (shapes, labels, positions, arrows).
        case yed
    }
    public var flavor: Flavor = .plain
    /// Newlines and two-space indentation (the default); off gives one long line per document.
    public var indent: Bool = true
    /// Lays out the subgraph for the yEd flavour. When nil, KGLayout's layered layout is used
    /// for subgraphs of at most `layeredLayoutLimit` nodes, and a grid beyond that.
    public var layout: ((LayoutGraph) -> LayoutResult)?
    public var layeredLayoutLimit = 2000
    /// Shows the nodes and edges written (a bar on a terminal after a second, nothing otherwise).
    public var progress: ProgressReporter?

    public init(flavor: Flavor = .plain, indent: Bool = true, layout: ((LayoutGraph) -> LayoutResult)? = nil) {
        self.flavor = flavor
        self.indent = indent
        self.layout = layout
    }
}

/// Writes a (sub)graph as GraphML through libxml2's xmlTextWriter.
///
/// The document shape (documented in docs/EXCHANGE.md):
/// - node ids are the concept keys (already XML NMTOKENs), escaped by `GraphMLIDs` otherwise;
///   edge ids are `e0`, `e1`, … in edge order;
/// - node keys `label` (display name), `kind` (first label), `labels` (further labels, when any
///   node has them), then one key per (property, value type); edge keys `type`, `reading`,
///   `locator`, `note` (first evidence), `evidence` (further evidence, when any), then one key per
///   (property, value type);
/// - key ids are `n.<attr.name>.<type>` / `e.<attr.name>.<type>` with type `string`, `long`,
///   `double`, `boolean` or `list`; a `list` key has `attr.type="string"` and holds the list as
///   JSON text (see `JSONText`);
/// - a property whose name collides with one of the fixed keys is declared with
///   `attr.name="property:<name>"`.
///
/// Element bodies are serialised into a byte buffer by hand and passed to the writer in large
/// raw chunks: the per-call overhead of xmlTextWriter dominated otherwise.
public enum GraphMLWriter {
    public static let namespace = "http://graphml.graphdrawing.org/xmlns"
    public static let yedNamespace = "http://www.yworks.com/xml/graphml"

    /// The GraphML document as bytes.
    public static func data(_ graph: Graph, _ sub: Subgraph, options: GraphMLOptions = GraphMLOptions()) throws -> Data {
        let w = XMLWriter(indent: false)
        try write(graph, sub, options: options, to: w)
        return w.data
    }

    /// Writes the document to `path` atomically (temporary file, then rename).
    public static func write(_ graph: Graph, _ sub: Subgraph, options: GraphMLOptions = GraphMLOptions(),
                             toFile path: String) throws {
        try AtomicFile.write(to: path) { tmp in
            let w = try XMLWriter(path: tmp, indent: false)
            try write(graph, sub, options: options, to: w)
        }
    }

    /// Writes the whole document (prologue to end) into `writer`, which must be fresh and have
    /// indentation off (the writer indents itself).
    public static func write(_ graph: Graph, _ sub: Subgraph, options: GraphMLOptions, to writer: XMLWriter) throws {
        var s = Serializer(graph: graph, sub: sub, options: options, writer: writer)
        try s.run()
    }

    // MARK: Keys

    enum ValueTag: Int, Comparable {
        case string, long, double, boolean, list
        static func < (a: ValueTag, b: ValueTag) -> Bool { a.rawValue < b.rawValue }
        init(_ v: Value) {
            switch v {
            case .string, .null, .temporal: self = .string
            case .int: self = .long
            case .float: self = .double
            case .bool: self = .boolean
            case .list: self = .list
            }
        }
        var name: String { ["string", "long", "double", "boolean", "list"][rawValue] }
        var attrType: String { self == .list ? "string" : name }
    }

    static let reservedNodeNames: Set<String> = ["label", "kind", "labels"]
    static let reservedEdgeNames: Set<String> = ["type", "reading", "locator", "note", "evidence"]

    struct PropKey: Hashable {
        var sym: Symbol
        var tag: ValueTag
    }

    struct KeyDecl {
        var id: String
        var forWhat: String
        var attrName: String
        var attrType: String
        var desc: String?
    }

    struct Serializer {
        let graph: Graph
        let sub: Subgraph
        let options: GraphMLOptions
        let writer: XMLWriter
        var buf: [UInt8] = []
        var depth = 0

        init(graph: Graph, sub: Subgraph, options: GraphMLOptions, writer: XMLWriter) {
            self.graph = graph
            self.sub = sub
            self.options = options
            self.writer = writer
            buf.reserveCapacity(1 << 17)
        }

        mutating func flushIfNeeded() throws {
            if buf.count >= 1 << 16 { try flush() }
        }

        mutating func flush() throws {
            try buf.withUnsafeBufferPointer { try writer.raw($0) }
            buf.removeAll(keepingCapacity: true)
        }

        @inline(__always) mutating func s(_ t: StaticString) {
            buf.append(contentsOf: UnsafeBufferPointer(start: t.utf8Start, count: t.utf8CodeUnitCount))
        }
        @inline(__always) mutating func bytes(_ b: [UInt8]) { buf.append(contentsOf: b) }
        @inline(__always) mutating func str(_ t: String) { buf.append(contentsOf: t.utf8) }
        @inline(__always) mutating func int(_ v: Int) { int64(Int64(v)) }
        /// Decimal digits of `v` without allocating a string.
        mutating func int64(_ v: Int64) {
            if v == .min { s("-9223372036854775808"); return }
            var x = v
            if x < 0 { buf.append(UInt8(ascii: "-")); x = -x }
            var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = 0
            withUnsafeMutableBytes(of: &tmp) { p in
                repeat {
                    p[19 - n] = UInt8(truncatingIfNeeded: x % 10) + 0x30
                    x /= 10
                    n += 1
                } while x > 0
                buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[(20 - n)...]))
            }
        }
        @inline(__always) mutating func attr(_ t: String) { XMLText.appendEscaped(t, attribute: true, to: &buf) }
        @inline(__always) mutating func text(_ t: String) { XMLText.appendEscaped(t, attribute: false, to: &buf) }

        /// Newline and indentation for a line at `level`.
        @inline(__always) mutating func line(_ level: Int) {
            guard options.indent else { return }
            buf.append(0x0A)
            for _ in 0..<level { buf.append(0x20); buf.append(0x20) }
        }

        mutating func run() throws {
            let yed = options.flavor == .yed
            try writer.startDocument()
            // Collect keys.
            var nodeKeys: [PropKey: Int] = [:]
            var edgeKeys: [PropKey: Int] = [:]
            var anyExtraLabels = false
            var anyExtraEvidence = false
            var anyEvidence = false, anyLocator = false, anyNote = false, anyModality = false
            for n in sub.nodes {
                if graph.nodeLabels[n.index].count > 1 { anyExtraLabels = true }
                for (k, v) in graph.properties(of: n) { nodeKeys[PropKey(sym: k, tag: ValueTag(v)), default: 0] += 1 }
            }
            for e in sub.edges {
                let ev = graph.evidence(of: e)
                if let f = ev.first {
                    anyEvidence = true
                    if f.locator != nil { anyLocator = true }
                    if f.note != nil { anyNote = true }
                    if f.modality != .asserted { anyModality = true }
                    if ev.count > 1 { anyExtraEvidence = true }
                }
                for (k, v) in graph.storedProperties(of: e) { edgeKeys[PropKey(sym: k, tag: ValueTag(v)), default: 0] += 1 }
            }
            var decls: [KeyDecl] = [
                KeyDecl(id: "n.label", forWhat: "node", attrName: "label", attrType: "string",
                        desc: "display name of the concept"),
                KeyDecl(id: "n.kind", forWhat: "node", attrName: "kind", attrType: "string",
                        desc: "kind of the concept (its first label)"),
            ]
            if anyExtraLabels {
                decls.append(KeyDecl(id: "n.labels.list", forWhat: "node", attrName: "labels", attrType: "string",
                                     desc: "further labels, as a JSON list"))
            }
            /// Declares one typed key per (property, value type), in `order`; returns each key's
            /// rank and the `<data key="…">` prefix written before its values.
            func declareKeys(_ order: [(PropKey, String)], prefix: String, forWhat: String) -> ([PropKey: Int], [[UInt8]]) {
                var rank: [PropKey: Int] = [:]
                var dataPrefix: [[UInt8]] = []
                for (i, (pk, attrName)) in order.enumerated() {
                    let id = "\(prefix).\(attrName).\(pk.tag.name)"
                    decls.append(KeyDecl(id: id, forWhat: forWhat, attrName: attrName, attrType: pk.tag.attrType,
                                         desc: pk.tag == .list ? "list, as JSON text" : nil))
                    dataPrefix.append(Array("<data key=\"\(id)\">".utf8))
                    rank[pk] = i
                }
                return (rank, dataPrefix)
            }
            let (nodeKeyRank, nodeKeyPrefix) = declareKeys(sortedKeys(nodeKeys, reserved: GraphMLWriter.reservedNodeNames),
                                                           prefix: "n", forWhat: "node")
            decls.append(KeyDecl(id: "e.type", forWhat: "edge", attrName: "type", attrType: "string",
                                 desc: "relation type"))
            if anyEvidence {
                decls.append(KeyDecl(id: "e.reading", forWhat: "edge", attrName: "reading", attrType: "string",
                                     desc: "id of the reading the relation comes from"))
            }
            if anyLocator {
                decls.append(KeyDecl(id: "e.locator", forWhat: "edge", attrName: "locator", attrType: "string",
                                     desc: "where in the reading (L<n>-L<m> lines, S<n>-S<m> sentences)"))
            }
            if anyNote {
                decls.append(KeyDecl(id: "e.note", forWhat: "edge", attrName: "note", attrType: "string",
                                     desc: "note on the evidence"))
            }
            if anyModality {
                decls.append(KeyDecl(id: "e.modality", forWhat: "edge", attrName: "modality", attrType: "string",
                                     desc: "how the reading states it: hedged, negated or reported (absent: asserted)"))
            }
            if anyExtraEvidence {
                decls.append(KeyDecl(id: "e.evidence.list", forWhat: "edge", attrName: "evidence", attrType: "string",
                                     desc: "further evidence, as a JSON list of [reading, locator, note]"))
            }
            let (edgeKeyRank, edgeKeyPrefix) = declareKeys(sortedKeys(edgeKeys, reserved: GraphMLWriter.reservedEdgeNames),
                                                           prefix: "e", forWhat: "edge")

            // Root and keys.
            s("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"")
            s(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
            if yed { s(" xmlns:y=\"http://www.yworks.com/xml/graphml\"") }
            s(" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">")
            for d in decls {
                line(1)
                s("<key id=\""); attr(d.id); s("\" for=\""); str(d.forWhat)
                s("\" attr.name=\""); attr(d.attrName); s("\" attr.type=\""); str(d.attrType); s("\"")
                if let desc = d.desc {
                    s("><desc>"); text(desc); s("</desc></key>")
                } else {
                    s("/>")
                }
            }
            if yed {
                line(1); s("<key id=\"y.nodegraphics\" for=\"node\" yfiles.type=\"nodegraphics\"/>")
                line(1); s("<key id=\"y.edgegraphics\" for=\"edge\" yfiles.type=\"edgegraphics\"/>")
            }
            // Undirected relation types (schema flag): edgedefault="undirected" when every edge is
            // one, else directed="false" on each such edge.
            var undirectedType = [Bool](repeating: false, count: graph.strings.count)
            for (_, r) in graph.schema.relations where r.undirected {
                if let sym = graph.strings.lookup(r.name) { undirectedType[Int(sym.raw)] = true }
            }
            var anyUndirected = false, allUndirected = true
            for e in sub.edges {
                if undirectedType[Int(graph.type(of: e).raw)] { anyUndirected = true } else { allUndirected = false }
            }
            let graphUndirected = anyUndirected && allUndirected
            line(1)
            if graphUndirected { s("<graph id=\"G\" edgedefault=\"undirected\">") } else { s("<graph id=\"G\" edgedefault=\"directed\">") }
            try flush()

            let boxes: [Rect] = yed ? layoutBoxes() : []
            let ids = GraphMLIDs(graph: graph)
            // Escaped id of each node, by node index; escaped relation type bytes, by symbol.
            var nodeIDBytes = [[UInt8]](repeating: [], count: graph.nodeCapacity)
            var typeBytes = [[UInt8]?](repeating: nil, count: graph.strings.count)
            var props: [(rank: Int, value: Value)] = []
            let total = sub.nodes.count + sub.edges.count
            defer { options.progress?.finish() }
            for (ni, n) in sub.nodes.enumerated() {
                if ni & 4095 == 0 { options.progress?.update(ni, total: total) }
                var idb: [UInt8] = []
                XMLText.appendEscaped(ids.id(of: n), attribute: true, to: &idb)
                nodeIDBytes[n.index] = idb
                line(2); s("<node id=\""); bytes(idb); s("\">")
                line(3); s("<data key=\"n.label\">"); text(graph.displayName(of: n)); s("</data>")
                let labels = graph.nodeLabels[n.index]
                if let k = labels.first {
                    line(3); s("<data key=\"n.kind\">"); text(graph.strings[k]); s("</data>")
                }
                if labels.count > 1 {
                    line(3); s("<data key=\"n.labels.list\">")
                    value(.list(labels.dropFirst().map { .string(graph.strings[$0]) }))
                    s("</data>")
                }
                props.removeAll(keepingCapacity: true)
                for (k, v) in graph.properties(of: n) {
                    props.append((nodeKeyRank[PropKey(sym: k, tag: ValueTag(v))]!, v))
                }
                if props.count > 1 { props.sort { $0.rank < $1.rank } }
                for p in props {
                    line(3); bytes(nodeKeyPrefix[p.rank]); value(p.value); s("</data>")
                }
                if yed { yedNode(n, box: boxes[ni]) }
                line(2); s("</node>")
                try flushIfNeeded()
            }
            for (ei, e) in sub.edges.enumerated() {
                if ei & 4095 == 0 { options.progress?.update(sub.nodes.count + ei, total: total) }
                line(2); s("<edge id=\"e"); int(ei); s("\" source=\"")
                bytes(nodeIDBytes[graph.source(of: e).index]); s("\" target=\"")
                bytes(nodeIDBytes[graph.target(of: e).index])
                let sym = graph.type(of: e)
                let undirected = undirectedType[Int(sym.raw)]
                if undirected && !graphUndirected { s("\" directed=\"false\">") } else { s("\">") }
                if typeBytes[Int(sym.raw)] == nil {
                    var tb: [UInt8] = []
                    XMLText.appendEscaped(graph.strings[sym], attribute: false, to: &tb)
                    typeBytes[Int(sym.raw)] = tb
                }
                line(3); s("<data key=\"e.type\">"); bytes(typeBytes[Int(sym.raw)]!); s("</data>")
                let ev = graph.evidence(of: e)
                if let f = ev.first {
                    line(3); s("<data key=\"e.reading\">"); text(f.reading); s("</data>")
                    if let l = f.locator {
                        line(3); s("<data key=\"e.locator\">")
                        buf.append(UInt8(ascii: l.unit == .line ? "L" : "S")); int(l.start)
                        if l.end != l.start { buf.append(UInt8(ascii: "-")); buf.append(UInt8(ascii: l.unit == .line ? "L" : "S")); int(l.end) }
                        s("</data>")
                    }
                    if let note = f.note { line(3); s("<data key=\"e.note\">"); text(note); s("</data>") }
                    if f.modality != .asserted { line(3); s("<data key=\"e.modality\">"); str(f.modality.rawValue); s("</data>") }
                    if ev.count > 1 {
                        line(3); s("<data key=\"e.evidence.list\">")
                        value(.list(ev.dropFirst().map { x in
                            var item: [Value] = [.string(x.reading), x.locator.map { .string($0.description) } ?? .null,
                                                 x.note.map { .string($0) } ?? .null]
                            if x.modality != .asserted { item.append(.string(x.modality.rawValue)) }
                            return .list(item)
                        }))
                        s("</data>")
                    }
                }
                props.removeAll(keepingCapacity: true)
                for (k, v) in graph.storedProperties(of: e) {
                    props.append((edgeKeyRank[PropKey(sym: k, tag: ValueTag(v))]!, v))
                }
                if props.count > 1 { props.sort { $0.rank < $1.rank } }
                for p in props {
                    line(3); bytes(edgeKeyPrefix[p.rank]); value(p.value); s("</data>")
                }
                if yed { yedEdge(graph.strings[sym], undirected: undirected) }
                line(2); s("</edge>")
                try flushIfNeeded()
            }
            line(1); s("</graph>")
            line(0); s("</graphml>")
            if options.indent { buf.append(0x0A) }
            try flush()
            try writer.endDocument()
        }

        /// Property keys in declaration order: by attribute name, then type; with their attr.name.
        func sortedKeys(_ keys: [PropKey: Int], reserved: Set<String>) -> [(PropKey, String)] {
            var out: [(PropKey, String)] = keys.keys.map { pk in
                let name = graph.strings[pk.sym]
                return (pk, reserved.contains(name) ? "property:" + name : name)
            }
            out.sort { a, b in a.1 != b.1 ? a.1 < b.1 : a.0.tag < b.0.tag }
            return out
        }

        mutating func value(_ v: Value) {
            switch v {
            case .null: break
            case .string(let t): text(t)
            case .temporal(let t): text(t.text)
            case .int(let i): int64(i)
            case .float(let d):
                if d.isNaN { s("NaN") } else if d.isInfinite { if d < 0 { s("-INF") } else { s("INF") } } else { str("\(d)") }
            case .bool(let b): if b { s("true") } else { s("false") }
            case .list:
                var j: [UInt8] = []
                JSONText.append(v, to: &j)
                j.withUnsafeBufferPointer { XMLText.appendEscaped($0, attribute: false, to: &buf) }
            }
        }

        // MARK: yEd

        func nodeSize(_ n: NodeID) -> (Double, Double) {
            let m = TextMetrics(fontSize: 12)
            let w = min(max(m.width(graph.displayName(of: n)) + 24, 60), 360)
            return (w.rounded(), 30)
        }

        func layoutBoxes() -> [Rect] {
            let sizes = sub.nodes.map(nodeSize)
            let layout = options.layout
                ?? (sizes.count <= options.layeredLayoutLimit ? { LayeredLayout().layout($0) } : nil)
            if let layout {
                let em = TextMetrics(fontSize: 10)
                var index: [Int32: Int] = [:]
                for (i, n) in sub.nodes.enumerated() { index[n.raw] = i }
                let lg = LayoutGraph(
                    nodes: sizes.map { LayoutNode(width: $0.0, height: $0.1) },
                    edges: sub.edges.map { e in
                        LayoutEdge(source: index[graph.source(of: e).raw]!, target: index[graph.target(of: e).raw]!,
                                   labelWidth: em.width(graph.typeName(of: e)) + 6, labelHeight: em.height(lines: 1))
                    })
                let r = layout(lg)
                if r.nodes.count == sizes.count { return r.nodes }
            }
            // Grid: rows of ceil(sqrt(n)) nodes, 220 × 80 cells.
            let cols = max(1, Int(Double(sizes.count).squareRoot().rounded(.up)))
            return sizes.enumerated().map { i, sz in
                let cx = Double(i % cols) * 220 + 110, cy = Double(i / cols) * 80 + 40
                return Rect(center: Point(x: cx, y: cy), width: sz.0, height: sz.1)
            }
        }

        static let palette = ["#FFE8A3", "#B9E3F9", "#C8F0C0", "#F9C9C0", "#E2D2F5", "#FCD9B0", "#D0E8E2", "#F5D0E6"]

        /// Stable colour of a kind (FNV-1a of its name, not Swift's per-process seeded hash).
        static func colour(of kind: String?) -> String {
            guard let k = kind else { return "#EEEEEE" }
            var h: UInt32 = 2166136261
            for b in k.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
            return palette[Int(h % UInt32(palette.count))]
        }

        static func num(_ d: Double) -> String {
            let r = (d * 10).rounded() / 10
            return r == r.rounded() ? String(Int(r)) + ".0" : "\(r)"
        }

        mutating func yedNode(_ n: NodeID, box: Rect) {
            line(3); s("<data key=\"y.nodegraphics\">")
            line(4); s("<y:ShapeNode>")
            line(5); s("<y:Geometry height=\""); str(Self.num(box.height)); s("\" width=\""); str(Self.num(box.width))
            s("\" x=\""); str(Self.num(box.x)); s("\" y=\""); str(Self.num(box.y)); s("\"/>")
            line(5); s("<y:Fill color=\""); str(Self.colour(of: graph.kind(of: n))); s("\" transparent=\"false\"/>")
            line(5); s("<y:BorderStyle color=\"#555555\" type=\"line\" width=\"1.0\"/>")
            line(5); s("<y:NodeLabel alignment=\"center\" autoSizePolicy=\"content\" fontFamily=\"Dialog\" fontSize=\"12\" modelName=\"internal\" modelPosition=\"c\" textColor=\"#000000\" visible=\"true\">")
            text(Self.inertLabel(graph.displayName(of: n))); s("</y:NodeLabel>")
            line(5); s("<y:Shape type=\""); s(graph.kind(of: n) == "Reading" ? "rectangle" : "roundrectangle"); s("\"/>")
            line(4); s("</y:ShapeNode>")
            line(3); s("</data>")
        }

        /// yEd (like any Java Swing label) renders a label that starts with `<html>` as HTML; a
        /// zero-width space in front keeps such a label plain text and looks the same.
        static func inertLabel(_ s: String) -> String {
            let u = Array(s.utf8.prefix(6))
            if u.count == 6, u[0] == 0x3C, u[5] == 0x3E, String(decoding: u[1..<5], as: UTF8.self).lowercased() == "html" {
                return "\u{200B}" + s
            }
            return s
        }

        mutating func yedEdge(_ type: String, undirected: Bool) {
            line(3); s("<data key=\"y.edgegraphics\">")
            line(4); s("<y:PolyLineEdge>")
            line(5); s("<y:LineStyle color=\"#555555\" type=\"line\" width=\"1.0\"/>")
            line(5); if undirected { s("<y:Arrows source=\"none\" target=\"none\"/>") } else { s("<y:Arrows source=\"none\" target=\"standard\"/>") }
            line(5); s("<y:EdgeLabel alignment=\"center\" fontFamily=\"Dialog\" fontSize=\"10\" modelName=\"centered\" modelPosition=\"center\" preferredPlacement=\"on_edge\" textColor=\"#333333\" visible=\"true\">")
            text(Self.inertLabel(type)); s("</y:EdgeLabel>")
            line(5); s("<y:BendStyle smoothed=\"false\"/>")
            line(4); s("</y:PolyLineEdge>")
            line(3); s("</data>")
        }
    }
}

/// Node ids in GraphML: the concept key when it is a usable NMTOKEN, otherwise an escaped form.
///
/// kg keys (`[A-Za-z0-9_][A-Za-z0-9_.-]*`) are NMTOKENs and are written unchanged. `:` never occurs
/// in a kg key, so it marks the other cases: a node without a key becomes `:n<number>`, and any
/// character outside `[A-Za-z0-9_.-]` in a key becomes `:<hex>:` (`a b` → `a:20:b`).
public struct GraphMLIDs {
    let graph: Graph
    public init(graph: Graph) { self.graph = graph }

    public func id(of n: NodeID) -> String {
        let k = graph.nodeKeys[n.index]
        if k == .none { return ":n\(n.raw)" }
        return Self.escape(graph.strings[k])
    }

    @inline(__always) static func plain(_ v: UInt32) -> Bool {
        (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
            || v == 0x5F || v == 0x2E || v == 0x2D
    }

    public static func escape(_ key: String) -> String {
        if !key.isEmpty, key.utf8.allSatisfy({ plain(UInt32($0)) }) { return key }
        var out = ""
        for u in key.unicodeScalars {
            if plain(u.value) { out.unicodeScalars.append(u) } else { out += ":" + String(u.value, radix: 16) + ":" }
        }
        return out.isEmpty ? ":empty:" : out
    }

    /// Inverse of `escape` for ids kg wrote; nil for `:n<number>` (a keyless node) or a malformed id.
    public static func unescape(_ id: String) -> String? {
        guard id.contains(":") else { return id }
        if id == ":empty:" { return "" }
        if id.hasPrefix(":n"), Int(id.dropFirst(2)) != nil { return nil }
        var out = ""
        var it = id.unicodeScalars.makeIterator()
        while let c = it.next() {
            if c != ":" { out.unicodeScalars.append(c); continue }
            var hex = ""
            while let h = it.next(), h != ":" { hex.unicodeScalars.append(h) }
            guard let v = UInt32(hex, radix: 16), let sc = Unicode.Scalar(v) else { return nil }
            out.unicodeScalars.append(sc)
        }
        return out
    }
}
