import CLibXML2
import Foundation
import KGCore

/// An import failure located in the input: renders as `file:line: error: message`.
public struct GraphMLImportError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { "\(file):\(line): error: \(message)" }
}

/// Options of the GraphML reader.
public struct GraphMLImportOptions {
    /// `attr.name` of the node key whose value becomes the concept's display name. Default: `label`,
    /// else `name`, else yEd's `y:NodeLabel`, else the node id.
    public var labelKey: String?
    /// `attr.name` of the edge key whose value becomes the relation type. Default: `type`, else
    /// TinkerPop's `labelE`, Cytoscape's `interaction`, the edge `label` (Gephi, Neo4j APOC),
    /// Gephi's `Edge Label`, APOC's `label` attribute, yEd's `y:EdgeLabel`, else `defaultRelation`.
    public var typeKey: String?
    /// Kind of nodes without a `kind` value.
    public var defaultKind = "Concept"
    public var defaultRelation = "RELATED_TO"
    /// Deepest element nesting accepted.
    public var maxDepth = 64
    /// Longest text of one `<data>` value, in bytes.
    public var maxValueBytes = 8 << 20
    /// Most nodes plus edges accepted.
    public var maxElements = 50_000_000
    /// Most XML attributes on one element (libxml2's duplicate-attribute check is quadratic).
    public var maxAttributes = 10_000
    /// Most `<data>` values on one node or edge.
    public var maxValuesPerElement = 10_000
    /// Most `<key>` declarations.
    public var maxKeys = 1_000_000
    /// Shows the bytes read (a bar on a terminal, nothing otherwise).
    public var progress: ProgressReporter?

    public init(labelKey: String? = nil, typeKey: String? = nil) {
        self.labelKey = labelKey
        self.typeKey = typeKey
    }
}

/// The result of an import: a graph in the shape the .kg format builds (concept nodes with key,
/// one kind label, properties `id`, `name`, then the others; `Reading` nodes; edges with
/// evidence), its schema (every kind and relation type used, undirected ones flagged), plus
/// warnings (`file:line: warning: …`) and the GraphML line of every node and edge.
public struct GraphMLImport {
    public var graph: Graph
    public var warnings: [String]
    /// GraphML line of each node, indexed by `NodeID.index`.
    public var nodeLines: [Int32]
    /// GraphML line of each edge, indexed by `EdgeID.index`.
    public var edgeLines: [Int32]
    /// The file read.
    public var file: String
}

/// Streaming GraphML reader on libxml2's SAX2 push parser, building straight into `Graph`'s bulk
/// API.
///
/// Safe against hostile input: no network (`XML_PARSE_NONET`), never entity substitution, DTD
/// loading or attribute defaulting, no `XML_PARSE_HUGE`; any document type declaration is refused
/// (GraphML needs none), so no entity can be declared; XInclude and external locators are refused
/// (never fetched). Element depth, attributes per element, values per element, value size, key and
/// element counts are bounded. Memory stays proportional to the graph built, not to the file.
///
/// Tolerated deviations of real producers, each reported once (with its first line and count):
/// no GraphML namespace, a key id declared for several domains, `<data>` for an undeclared key or
/// a key of another domain, duplicate edge ids, a missing `edgedefault`, unknown `attr.type`s,
/// values that do not parse as their type (kept as text), Latin-1 text (declared, or undeclared
/// bytes that are not UTF-8).
public enum GraphMLReader {
    public static func read(path: String, options: GraphMLImportOptions = GraphMLImportOptions()) throws -> GraphMLImport {
        LibXML.ensureInitialized()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              FileManager.default.isReadableFile(atPath: path) else {
            throw GraphMLImportError(file: path, line: 0, message: "cannot read the file")
        }
        do {
            return try SAXReader.run(file: path, options: options, latin1: false)
        } catch let e as NotUTF8 {
            var r = try SAXReader.run(file: path, options: options, latin1: true)
            r.warnings.insert("\(path):\(e.line): warning: the file is not UTF-8 (\(e.detail)) and was read as ISO-8859-1 (Latin-1); "
                + "declare the encoding in the XML declaration", at: 0)
            return r
        }
    }
}

/// Thrown internally when the bytes are not UTF-8 and no other encoding was declared: the reader
/// starts again reading them as Latin-1.
struct NotUTF8: Error {
    var line: Int
    var detail: String
}

private enum KeyDomain: UInt8 { case node, edge, graph, graphml, all, port, hyperedge, endpoint, other }

private enum KeyType: Equatable {
    case string, int, double, boolean, json
    /// graph-tool's `vector_*` types: comma-separated values of one type.
    indirect case vector(KeyType)
}

private struct KeyInfo {
    var id: String
    var domain: KeyDomain
    var attrName: String?
    /// Property name: `attr.name`, else the id (keys without either role: yEd's graphics keys).
    var name: String?
    var type: KeyType
    var typeText: String
    var defaultValue: [UInt8]?
    var line: Int
    var yfiles: Bool
}

/// What a node key's value is for.
private enum NodeRole: Equatable { case label, name, kind, kgLabels, apocLabels, aliases, property, ignore }
/// What an edge key's value is for.
private enum EdgeRole: Equatable { case type, reading, locator, note, modality, evidence, property, ignore }

private enum Frame: UInt8 {
    case graphml, key, keyDefault, graph, node, edge, data, inData, label, inLabel, skip, other
}

/// One deviation kind: warned once, with its first line and how often it occurred.
private struct Deviation {
    var line: Int
    var count: Int
    var message: String
    var plural: String
}

private struct PendingEdge {
    var source: String
    var target: String
    var line: Int32
    var type: Symbol
    var directed: Bool
    var props: PropertyMap
    var evidence: [Evidence]
}

/// Counts XML attributes per start tag in the raw bytes before libxml2 sees them: libxml2 2.9's
/// duplicate-attribute check is quadratic, so an element with a million attributes would run for
/// hours. Skips quoted values, comments, CDATA sections, processing instructions and end tags.
private struct AttributeScanner {
    enum State { case text, open, bang, bangDash, cdataOpen(Int), tag, quote(UInt8), endTag, comment(Int), cdata(Int), pi(Bool), decl }
    var state = State.text
    var count = 0
    var offset = 0

    /// Scans a chunk; returns the absolute offset of a tag with more than `limit` attributes.
    mutating func scan(_ buf: UnsafeBufferPointer<UInt8>, limit: Int) -> Int? {
        guard let base = buf.baseAddress else { return nil }
        let n = buf.count
        var i = 0
        defer { offset += n }
        while i < n {
            switch state {
            case .text:
                guard let p = memchr(base + i, 0x3C, n - i) else { return nil }
                i = base.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1
                state = .open
                continue
            case .open:
                let b = base[i]
                if b == 0x2F { state = .endTag } else if b == 0x3F { state = .pi(false) } else if b == 0x21 { state = .bang } else {
                    state = .tag
                    count = 0
                    continue
                }
            case .bang:
                let b = base[i]
                if b == 0x2D { state = .bangDash } else if b == 0x5B { state = .cdataOpen(1) } else { state = .decl; continue }
            case .bangDash:
                state = base[i] == 0x2D ? .comment(0) : .decl
            case .cdataOpen(let k):
                // "[CDATA[" : 7 bytes, the first already seen.
                if k == 6 { state = .cdata(0); continue }
                state = .cdataOpen(k + 1)
            case .tag:
                let b = base[i]
                if b == 0x3E { state = .text } else if b == 0x22 || b == 0x27 { state = .quote(b) } else if b == 0x3D {
                    count += 1
                    if count > limit { return offset + i }
                }
            case .quote(let q):
                guard let p = memchr(base + i, Int32(q), n - i) else { return nil }
                i = base.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1
                state = .tag
                continue
            case .endTag, .decl:
                guard let p = memchr(base + i, 0x3E, n - i) else { return nil }
                i = base.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1
                state = .text
                continue
            case .comment(let dashes):
                let b = base[i]
                if b == 0x2D { state = .comment(dashes + 1) } else if b == 0x3E && dashes >= 2 { state = .text } else { state = .comment(0) }
            case .cdata(let br):
                let b = base[i]
                if b == 0x5D { state = .cdata(br + 1) } else if b == 0x3E && br >= 2 { state = .text } else { state = .cdata(0) }
            case .pi(let q):
                let b = base[i]
                if b == 0x3E && q { state = .text } else { state = .pi(b == 0x3F) }
            }
            i += 1
        }
        return nil
    }
}

private let graphMLNamespace = "http://graphml.graphdrawing.org/xmlns"
private let xincludeNamespaces = ["http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"]

/// The reader's state. A struct reached through one `UnsafeMutablePointer` from the SAX
/// callbacks: its fields are then plain stored properties of an inout `self`, with none of the
/// dynamic exclusivity checks that class properties need (they cost 15 % of the read).
private struct SAXReader {
    let file: String
    let options: GraphMLImportOptions
    let latin1: Bool
    var ctxt: xmlParserCtxtPtr?
    let graph = Graph()
    var error: GraphMLImportError?
    var notUTF8: NotUTF8?

    // Deviations, in order of first occurrence.
    var deviations: [String: Deviation] = [:]
    var deviationOrder: [String] = []
    var notes: [String] = []

    // Keys.
    var keyList: [KeyInfo] = []
    /// Key id → index into `keyIDs`, whose entry holds the key index per domain.
    var keyTable = ByteTable()
    var keyIDs: [[KeyDomain: Int32]] = []
    var nodeRoles: [NodeRole] = []
    var edgeRoles: [EdgeRole] = []
    /// Rank of each key among the edge keys that can name the relation type (-1: none).
    var typeRank: [Int8] = []
    var propSyms: [Symbol] = []
    var rolesValid = false
    var nodeDefaults: [Int] = []
    var edgeDefaults: [Int] = []
    var labelKeySeen = false, typeKeySeen = false
    var graphDataKeys: [String] = []

    // Element state.
    var stack: [Frame] = []
    var gmlURI: [UInt8]?
    var sawRoot = false
    var currentKey: KeyInfo?
    var defaultText: [UInt8] = []
    var graphDepth = 0
    var edgeDefaultDirected: [Bool] = []
    var elements = 0

    // The node or edge being read (nodes and edges never nest inside each other's data).
    var itemSerial: Int32 = 0
    var keySeen: [Int32] = []
    struct ItemValue { var key: Int32; var start: Int32; var line: Int32 }
    /// The data values of the current item; their text is in `arena`, each ended by a NUL.
    var itemValues: [ItemValue] = []
    var arena: [UInt8] = []
    var itemID: [UInt8] = []
    var itemLine = 0
    var itemYLabel: [UInt8]?
    var itemSource: [UInt8] = []
    var itemTarget: [UInt8] = []
    var itemDirected = true
    var itemAttrLabel: [UInt8]?
    var itemAttrLabels: [UInt8]?
    var itemIsEdge = false
    var inItem = false
    var dataKey: Int32 = -1
    var dataStart = 0
    var dataLine = 0
    var dataTooLong = false
    var labelText: [UInt8] = []

    // Graph building.
    var nodeTable = ByteTable()
    var usedKeys: Set<String> = []
    var nodeLines: [Int32] = []
    var edgeLines: [Int32] = []
    var pending: [PendingEdge] = []
    var typeTable = ByteTable()
    /// Per relation type symbol: bit 1 directed edges seen, bit 2 undirected.
    var typeDirections: [Int32: UInt8] = [:]
    /// The same bits, indexed by symbol (the per-edge update avoids hashing).
    var typeBits: [UInt8] = []
    var typeOrder: [Symbol] = []
    var undirectedEdges: [Int32: [Int32]] = [:]
    var kindOrder: [String] = []
    var kindSeen: Set<String> = []
    // Edge ids: `e0`, `e1`, … in order need no table; others go into `edgeIDs`.
    var sequentialEdgeIDs = 0
    var sequentialOnly = true
    var edgeIDs = ByteTable()
    let symName: Symbol, symID: Symbol, symTitle: Symbol

    init(file: String, options: GraphMLImportOptions, latin1: Bool) {
        self.file = file
        self.options = options
        self.latin1 = latin1
        symID = graph.strings.intern("id")
        symName = graph.strings.intern("name")
        symTitle = graph.strings.intern("title")
    }

    // MARK: Reporting

    var line: Int {
        guard let c = ctxt, let input = c.pointee.input else { return 0 }
        return Int(input.pointee.line)
    }

    mutating func fail(_ message: String, line: Int? = nil) {
        guard error == nil else { return }
        error = GraphMLImportError(file: file, line: line ?? self.line, message: message)
        if let c = ctxt { xmlStopParser(c) }
    }

    var failed: Bool { error != nil || notUTF8 != nil }

    /// Records a deviation: one warning per kind, naming its first line and the count.
    mutating func deviate(_ kind: String, _ message: @autoclosure () -> String, plural: String = "times", line: Int? = nil) {
        if deviations[kind] != nil {
            deviations[kind]!.count += 1
            return
        }
        deviations[kind] = Deviation(line: line ?? self.line, count: 1, message: message(), plural: plural)
        deviationOrder.append(kind)
    }

    var warnings: [String] {
        deviationOrder.map { k in
            let d = deviations[k]!
            let more = d.count > 1 ? " (\(d.count) \(d.plural) in all)" : ""
            return "\(file):\(d.line): warning: \(d.message)\(more)"
        } + notes
    }

    mutating func recordXMLError(_ e: xmlError) {
        guard !failed, e.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var msg = e.message.map { String(cString: $0) } ?? "malformed XML"
        while msg.last == "\n" || msg.last == " " { msg.removeLast() }
        if !latin1, msg.contains("not proper UTF-8") {
            let declared = ctxt?.pointee.encoding.map { String(cString: $0).uppercased() }
            if declared == nil || declared == "UTF-8" || declared == "UTF8" {
                let bytes = msg.range(of: "Bytes: ").map { String(msg[$0.upperBound...].prefix(4)) } ?? ""
                notUTF8 = NotUTF8(line: Int(e.line), detail: bytes.isEmpty ? "invalid bytes" : "byte \(bytes)")
                if let c = ctxt { xmlStopParser(c) }
                return
            }
        }
        msg = msg.replacingOccurrences(of: "\n", with: " ")
        error = GraphMLImportError(file: file, line: Int(e.line), message: "malformed XML: \(msg)")
        if let c = ctxt { xmlStopParser(c) }
    }

    // MARK: Driving the parser

    /// Reads the file with a fresh state.
    static func run(file: String, options: GraphMLImportOptions, latin1: Bool) throws -> GraphMLImport {
        let r = UnsafeMutablePointer<SAXReader>.allocate(capacity: 1)
        r.initialize(to: SAXReader(file: file, options: options, latin1: latin1))
        defer {
            r.deinitialize(count: 1)
            r.deallocate()
        }
        // The parser calls back into r.pointee; no access to it is open while xmlParseChunk runs.
        let file = r.pointee.file, options = r.pointee.options

        guard let fh = FileHandle(forReadingAtPath: file) else {
            throw GraphMLImportError(file: file, line: 0, message: "cannot open the file for reading")
        }
        defer { try? fh.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, local, _, uri, _, _, nAttrs, _, attrs in
            let r = ctx!.assumingMemoryBound(to: SAXReader.self)
            if !r.pointee.failed { r.pointee.start(local!, uri, Int(nAttrs), attrs) }
        }
        sax.endElementNs = { ctx, _, _, _ in
            let r = ctx!.assumingMemoryBound(to: SAXReader.self)
            if !r.pointee.failed { r.pointee.end() }
        }
        sax.characters = { ctx, ch, len in
            let r = ctx!.assumingMemoryBound(to: SAXReader.self)
            if !r.pointee.failed { r.pointee.characters(ch!, Int(len)) }
        }
        sax.cdataBlock = sax.characters
        sax.internalSubset = { ctx, _, _, _ in
            let r = ctx!.assumingMemoryBound(to: SAXReader.self)
            r.pointee.fail("document type declarations are not accepted in GraphML (possible entity attack)")
        }
        sax.externalSubset = sax.internalSubset
        sax.entityDecl = { ctx, _, _, _, _, _ in
            let r = ctx!.assumingMemoryBound(to: SAXReader.self)
            r.pointee.fail("entity declarations are not accepted in GraphML")
        }
        sax.reference = { ctx, _ in
            let r = ctx!.assumingMemoryBound(to: SAXReader.self)
            r.pointee.fail("entity references are not accepted")
        }
        sax.serror = { ctx, err in
            guard let ctx, let err else { return }
            ctx.assumingMemoryBound(to: SAXReader.self).pointee.recordXMLError(err.pointee)
        }
        let me = UnsafeMutableRawPointer(r)
        guard let c = xmlCreatePushParserCtxt(&sax, me, nil, 0, file) else {
            throw GraphMLImportError(file: file, line: 0, message: "cannot create an XML parser")
        }
        r.pointee.ctxt = c
        defer {
            r.pointee.ctxt = nil
            xmlFreeParserCtxt(c)
        }
        var opts = Int32(XML_PARSE_NONET.rawValue)
        if latin1 { opts |= Int32(XML_PARSE_IGNORE_ENC.rawValue) }

        r.pointee.graph.beginBulkLoad()
        var scanner = AttributeScanner()
        let chunkSize = 1 << 18
        var first = true
        var done = 0
        while !r.pointee.failed {
            let data = fh.readData(ofLength: chunkSize)
            let last = data.count < chunkSize
            data.withUnsafeBytes { raw in
                let buf = raw.bindMemory(to: UInt8.self)
                if let at = scanner.scan(buf, limit: options.maxAttributes) {
                    r.pointee.fail("an element has more than \(options.maxAttributes) attributes", line: Self.lineOf(offset: at, in: file))
                    return
                }
                let p = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
                if first {
                    first = false
                    xmlCtxtResetPush(c, p, Int32(raw.count), file, latin1 ? "ISO-8859-1" : nil)
                    xmlCtxtUseOptions(c, opts)
                    if last && !r.pointee.failed { xmlParseChunk(c, nil, 0, 1) }
                } else {
                    xmlParseChunk(c, p, Int32(raw.count), last ? 1 : 0)
                }
            }
            done += data.count
            options.progress?.update(done, total: size)
            if last { break }
        }
        options.progress?.finish()
        if let u = r.pointee.notUTF8 { throw u }
        if let e = r.pointee.error { throw e }
        if c.pointee.wellFormed == 0 {
            throw GraphMLImportError(file: file, line: r.pointee.line, message: "malformed XML (the file may be truncated)")
        }
        guard r.pointee.sawRoot else { throw GraphMLImportError(file: file, line: 1, message: "not a GraphML document: no <graphml> root element") }
        if !r.pointee.stack.isEmpty { throw GraphMLImportError(file: file, line: r.pointee.line, message: "malformed XML: the file ends inside an element (truncated?)") }
        try r.pointee.finish()
        return GraphMLImport(graph: r.pointee.graph, warnings: r.pointee.warnings, nodeLines: r.pointee.nodeLines,
                             edgeLines: r.pointee.edgeLines, file: file)
    }

    /// Line of a byte offset (for errors found before libxml2 parses the bytes).
    static func lineOf(offset: Int, in path: String) -> Int {
        guard let fh = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? fh.close() }
        var line = 1, pos = 0
        while pos < offset {
            let d = fh.readData(ofLength: min(1 << 20, offset - pos))
            if d.isEmpty { break }
            d.withUnsafeBytes { for b in $0 where b == 0x0A { line += 1 } }
            pos += d.count
        }
        return line
    }

    // MARK: Names and attributes

    @inline(__always) static func eq(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        return memcmp(p, s.utf8Start, n) == 0 && p[n] == 0
    }

    @inline(__always) static func eq(_ p: UnsafePointer<UInt8>, _ n: Int, _ s: StaticString) -> Bool {
        n == s.utf8CodeUnitCount && memcmp(p, s.utf8Start, n) == 0
    }

    static func string(_ p: UnsafePointer<UInt8>) -> String { String(cString: p) }

    /// Value bytes of attribute `name` (no namespace) among SAX2's (local, prefix, URI, value, end) tuples.
    @inline(__always)
    static func attr(_ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ n: Int, _ name: StaticString)
        -> UnsafeBufferPointer<UInt8>? {
        guard let attrs else { return nil }
        for i in 0..<n {
            let b = i * 5
            guard let l = attrs[b], attrs[b + 2] == nil else { continue }
            if eq(l, name), let v = attrs[b + 3], let e = attrs[b + 4] {
                return UnsafeBufferPointer(start: v, count: v.distance(to: e))
            }
        }
        return nil
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }

    /// The last namespace URI pointer found to be GraphML's (libxml2 interns URIs in its
    /// dictionary, so the same namespace comes back as the same pointer).
    var gmlURIPointer: UnsafePointer<UInt8>?

    mutating func isGraphML(_ uri: UnsafePointer<UInt8>?) -> Bool {
        guard let uri else { return gmlURI == nil }
        if uri == gmlURIPointer { return true }
        guard let g = gmlURI else { return false }
        let same = g.withUnsafeBufferPointer { b in strlen(UnsafeRawPointer(uri).assumingMemoryBound(to: CChar.self)) == b.count && memcmp(uri, b.baseAddress!, b.count) == 0 }
        if same { gmlURIPointer = uri }
        return same
    }

    // MARK: SAX events

    mutating func start(_ local: UnsafePointer<UInt8>, _ uri: UnsafePointer<UInt8>?, _ nAttrs: Int,
               _ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        if stack.count >= options.maxDepth { fail("elements nested deeper than \(options.maxDepth) levels"); return }
        let parent = stack.last
        if let uri, uri != gmlURIPointer, xincludeNamespaces.contains(Self.string(uri)) {
            fail("XInclude (<\(Self.string(local))>) is not supported: the included content would be missing; "
                 + "inline it into the file first")
            return
        }
        if stack.isEmpty {
            startRoot(local, uri)
            return
        }
        switch parent {
        case .skip?: stack.append(.skip); return
        case .label?, .inLabel?: stack.append(.inLabel); return
        case .data?, .inData?:
            // Element content of a data value: yEd's graphics. Its labels name nodes and edges.
            if !isGraphML(uri), Self.eq(local, "NodeLabel") || Self.eq(local, "EdgeLabel") {
                labelText.removeAll(keepingCapacity: true)
                stack.append(.label)
            } else {
                stack.append(.inData)
            }
            return
        default: break
        }
        let gml = isGraphML(uri)
        var frame = Frame.other
        switch parent {
        case .graphml where gml && Self.eq(local, "key"):
            startKey(nAttrs, attrs)
            frame = .key
        case .key where gml && Self.eq(local, "default"):
            defaultText.removeAll(keepingCapacity: true)
            frame = .keyDefault
        case .graphml where gml && Self.eq(local, "graph"), .node where gml && Self.eq(local, "graph"),
             .edge where gml && Self.eq(local, "graph"):
            startGraph(nAttrs, attrs)
            frame = .graph
        case .graph where gml && Self.eq(local, "node"):
            startNode(nAttrs, attrs)
            frame = .node
        case .graph where gml && Self.eq(local, "edge"):
            startEdge(nAttrs, attrs)
            frame = .edge
        case .node where gml && Self.eq(local, "data"), .edge where gml && Self.eq(local, "data"):
            startData(nAttrs, attrs, owner: parent!)
            frame = .data
        case .graph where gml && Self.eq(local, "data"), .graphml where gml && Self.eq(local, "data"):
            if let k = Self.attr(attrs, nAttrs, "key") {
                let id = Self.text(k)
                let info = keyIndex(k, domain: parent == .graph ? .graph : .graphml).map { keyList[Int($0)] }
                if info?.yfiles != true, !graphDataKeys.contains(id), graphDataKeys.count < 8 { graphDataKeys.append(info?.attrName ?? id) }
            }
            frame = .skip
        case .graph where gml && Self.eq(local, "hyperedge"):
            deviate("hyperedge", "hyperedges are not supported and were skipped", plural: "hyperedges")
            frame = .skip
        case .node where gml && Self.eq(local, "port"):
            deviate("port", "ports are not supported: edges are attached to the nodes themselves", plural: "ports and port references")
            frame = .skip
        case .graph where gml && Self.eq(local, "locator"):
            fail("the graph's content is in an external file (<locator>), which is never fetched; import that file instead")
            return
        default:
            if gml && (Self.eq(local, "graph") || Self.eq(local, "node") || Self.eq(local, "edge") || Self.eq(local, "key")) {
                fail("<\(Self.string(local))> is not allowed inside <\(parentName(parent))>")
                return
            }
            frame = .skip
        }
        if !failed { stack.append(frame) }
    }

    mutating func parentName(_ f: Frame?) -> String {
        switch f {
        case .graphml: return "graphml"
        case .key: return "key"
        case .graph: return "graph"
        case .node: return "node"
        case .edge: return "edge"
        case .data: return "data"
        default: return "another element"
        }
    }

    mutating func startRoot(_ local: UnsafePointer<UInt8>, _ uri: UnsafePointer<UInt8>?) {
        guard Self.eq(local, "graphml") else {
            fail("not a GraphML document: the root element is <\(Self.string(local))>")
            return
        }
        sawRoot = true
        if let uri {
            let u = Self.string(uri)
            if u != graphMLNamespace {
                deviate("namespace", "the root element is in the namespace '\(u)', not GraphML's (\(graphMLNamespace)); read as GraphML")
            }
            gmlURI = Array(u.utf8)
        } else {
            deviate("namespace", "no GraphML namespace (xmlns=\"\(graphMLNamespace)\"); read as GraphML")
        }
        if let enc = ctxt?.pointee.encoding.map({ String(cString: $0) }), !latin1 {
            let u = enc.uppercased()
            if u != "UTF-8" && u != "UTF8" && u != "US-ASCII" && u != "ASCII" {
                deviate("encoding", "the file is encoded in \(enc), not UTF-8; its text was converted", line: 1)
            }
        }
        stack.append(.graphml)
    }

    // MARK: Keys

    mutating func startKey(_ nAttrs: Int, _ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        guard let idb = Self.attr(attrs, nAttrs, "id") else { fail("<key> without an id"); return }
        if keyList.count >= options.maxKeys { fail("more than \(options.maxKeys) <key> declarations"); return }
        let id = Self.text(idb)
        let domain: KeyDomain
        let forText = Self.attr(attrs, nAttrs, "for").map(Self.text) ?? "all"
        switch forText {
        case "node": domain = .node
        case "edge": domain = .edge
        case "graph": domain = .graph
        case "graphml": domain = .graphml
        case "all": domain = .all
        case "port": domain = .port
        case "hyperedge": domain = .hyperedge
        case "endpoint": domain = .endpoint
        default: domain = .other
        }
        let attrName = Self.attr(attrs, nAttrs, "attr.name").map(Self.text)
        let typeText = Self.attr(attrs, nAttrs, "attr.type").map(Self.text) ?? "string"
        let yfiles = Self.attr(attrs, nAttrs, "yfiles.type") != nil
        var type = Self.keyType(typeText, list: id.hasSuffix(".list"))
        if type == nil {
            deviate("attr.type", "key '\(id)' has the attr.type '\(typeText)', which GraphML does not define; its values are read as text",
                    plural: "keys")
            type = .string
        }
        currentKey = KeyInfo(id: id, domain: domain, attrName: attrName, name: attrName ?? (yfiles ? nil : id), type: type!,
                             typeText: typeText, defaultValue: nil, line: line, yfiles: yfiles)
    }

    static func keyType(_ t: String, list: Bool) -> KeyType? {
        switch t {
        case "string": return list ? .json : .string
        case "int", "long", "short", "int8_t", "int16_t", "int32_t", "int64_t": return .int
        case "float", "double", "long double": return .double
        case "boolean", "bool": return .boolean
        default:
            if t.hasPrefix("vector_"), let inner = keyType(String(t.dropFirst(7)), list: false), inner != .json {
                return .vector(inner)
            }
            return nil
        }
    }

    mutating func endKey() {
        guard let k = currentKey else { return }
        currentKey = nil
        let idx = Int32(keyList.count)
        var slot: Int32
        if let f = keyTable.find(k.id) {
            slot = f
        } else {
            slot = Int32(keyIDs.count)
            keyIDs.append([:])
            keyTable.insert(k.id, slot)
        }
        if let prev = keyIDs[Int(slot)][k.domain] {
            let p = keyList[Int(prev)]
            deviate("key-twice", "key '\(k.id)' is declared twice for \(Self.domainName(k.domain)) data (first at line \(p.line)); "
                    + "the later declaration is used", plural: "keys")
        } else if !keyIDs[Int(slot)].isEmpty {
            let others = keyIDs[Int(slot)].keys.map { Self.domainName($0) }.sorted().joined(separator: ", ")
            deviate("key-domains", "key id '\(k.id)' is declared for \(others) data and again for \(Self.domainName(k.domain)) data "
                    + "(key ids must be unique); each <data> uses the declaration for its element", plural: "such declarations")
        }
        keyIDs[Int(slot)][k.domain] = idx
        keyList.append(k)
        rolesValid = false
    }

    static func domainName(_ d: KeyDomain) -> String {
        switch d {
        case .node: return "node"
        case .edge: return "edge"
        case .graph: return "graph"
        case .graphml: return "graphml"
        case .all: return "all"
        case .port: return "port"
        case .hyperedge: return "hyperedge"
        case .endpoint: return "endpoint"
        case .other: return "unknown-domain"
        }
    }

    /// The key a `<data key="…">` on an element of `domain` refers to.
    mutating func keyIndex(_ id: UnsafeBufferPointer<UInt8>, domain: KeyDomain) -> Int32? {
        guard let base = id.baseAddress ?? UnsafePointer(bitPattern: 1) else { return nil }
        guard let slot = keyTable.find(base, id.count) else { return nil }
        let m = keyIDs[Int(slot)]
        if let k = m[domain] ?? m[.all] { return k }
        // Declared for another domain only: read with that declaration.
        guard let other = m[.node] ?? m[.edge] ?? m[.graph] ?? m[.graphml] ?? m.values.min() else { return nil }
        let otherDomain = keyList[Int(other)].domain
        deviate("key-wrong-domain", "key '\(Self.text(id))' is declared for \(Self.domainName(otherDomain)) data "
                + "but used on \(domain == .node ? "a node" : domain == .edge ? "an edge" : "the graph"); read with that declaration",
                plural: "values")
        return other
    }

    /// Declares a key for data that refers to an undeclared id: a text property named after it.
    mutating func undeclaredKey(_ id: UnsafeBufferPointer<UInt8>, domain: KeyDomain) -> Int32 {
        let name = Self.text(id)
        deviate("undeclared-key", "data for the undeclared key '\(name)'; read as a text property named '\(name)'",
                plural: "undeclared keys")
        currentKey = KeyInfo(id: name, domain: domain, attrName: name, name: name, type: .string, typeText: "string",
                             defaultValue: nil, line: line, yfiles: false)
        let valid = rolesValid
        endKey()
        rolesValid = valid
        return Int32(keyList.count - 1)
    }

    /// Roles, property symbols and defaults of every key (recomputed when keys change).
    /// The node key that names concepts (set by `computeRoles`).
    var labelName: String?
    /// Edge keys that can name the relation type, best first: each edge takes the best it has.
    lazy var typeNames: [String] = options.typeKey.map { [$0] }
        ?? ["type", "labelE", "interaction", "label", "Edge Label", "edgelabel", "relationship", "relation"]

    mutating func computeRoles() {
        rolesValid = true
        nodeRoles = []
        edgeRoles = []
        propSyms = []
        nodeDefaults = []
        edgeDefaults = []
        typeRank = []
        let names = keyList.map { $0.name }
        let nodeNames = Set(keyList.indices.filter { keyList[$0].domain == .node || keyList[$0].domain == .all }.compactMap { names[$0] })
        let edgeNames = Set(keyList.indices.filter { keyList[$0].domain == .edge || keyList[$0].domain == .all }.compactMap { names[$0] })
        labelName = options.labelKey ?? ["label", "name"].first { nodeNames.contains($0) }
        for i in keyList.indices { appendRoles(i) }
        labelKeySeen = options.labelKey.map { nodeNames.contains($0) } ?? true
        typeKeySeen = options.typeKey.map { edgeNames.contains($0) } ?? true
    }

    /// Roles of key `i` (the next one), from `labelName` and `typeNames`.
    mutating func appendRoles(_ i: Int) {
        let k = keyList[i]
        do {
            let n = k.name
            var nr = NodeRole.property, er = EdgeRole.property
            if n == nil || k.yfiles { nr = .ignore; er = .ignore }
            if let n, !k.yfiles {
                if n == labelName { nr = .label } else if n == "name" { nr = .name } else if n == "kind" || n == "labelV" { nr = .kind }
                else if n == "labels" { nr = k.type == .json ? .kgLabels : .apocLabels } else if n == "aliases" { nr = .aliases }
                if let r = typeNames.firstIndex(of: n) { er = .type; typeRank.append(Int8(r)) } else {
                    switch n {
                    case "reading": er = .reading
                    case "locator": er = .locator
                    case "note": er = .note
                    case "modality": er = .modality
                    case "evidence" where k.type == .json: er = .evidence
                    default: break
                    }
                }
            }
            if er != .type { typeRank.append(-1) }
            nodeRoles.append(nr)
            edgeRoles.append(er)
            var pn = n ?? k.id
            if pn.hasPrefix("property:") { pn = String(pn.dropFirst("property:".count)) }
            propSyms.append(graph.strings.intern(Self.name(pn)))
            if k.defaultValue != nil {
                if k.domain == .node || k.domain == .all { nodeDefaults.append(i) }
                if k.domain == .edge || k.domain == .all { edgeDefaults.append(i) }
            }
        }
    }

    // MARK: Graphs, nodes, edges

    mutating func startGraph(_ nAttrs: Int, _ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        graphDepth += 1
        if graphDepth > 1 {
            deviate("nested", "nested graph flattened: its nodes and edges are imported into the top-level graph", plural: "nested graphs")
        }
        var directed = true
        if let ed = Self.attr(attrs, nAttrs, "edgedefault") {
            if Self.eq(ed.baseAddress!, ed.count, "undirected") { directed = false } else if !Self.eq(ed.baseAddress!, ed.count, "directed") {
                fail("edgedefault must be 'directed' or 'undirected', not '\(Self.text(ed))'")
                return
            }
        } else if graphDepth == 1 {
            deviate("edgedefault", "the graph has no edgedefault: its edges are read as directed (GraphML's default; "
                    + "NetworkX would read them as undirected)")
        } else {
            directed = edgeDefaultDirected.last ?? true
        }
        edgeDefaultDirected.append(directed)
    }

    mutating func beginItem(edge: Bool) {
        if !rolesValid { computeRoles() }
        elements += 1
        if elements > options.maxElements { fail("more than \(options.maxElements) nodes and edges"); return }
        if inItem {
            // A node inside an edge's or node's nested graph: the outer item is finished first.
            fail("a node or edge inside another node's data is not supported")
            return
        }
        inItem = true
        itemIsEdge = edge
        itemSerial &+= 1
        if keySeen.count < keyList.count { keySeen.append(contentsOf: repeatElement(0, count: keyList.count - keySeen.count)) }
        itemValues.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        itemYLabel = nil
        itemAttrLabel = nil
        itemAttrLabels = nil
        itemLine = line
    }

    mutating func startNode(_ nAttrs: Int, _ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        guard let id = Self.attr(attrs, nAttrs, "id") else { fail("<node> without an id"); return }
        if id.isEmpty { fail("a node id must not be empty"); return }
        if inItem {
            // Nested graph inside a node: finish the outer node now so its nested nodes can follow.
            finishOpenNode()
            if failed { return }
        }
        beginItem(edge: false)
        itemID.removeAll(keepingCapacity: true)
        itemID.append(contentsOf: id)
        if let l = Self.attr(attrs, nAttrs, "labels") { itemAttrLabels = Array(l) }
    }

    /// The node whose nested graph starts: built from what it has so far.
    mutating func finishOpenNode() {
        guard inItem, !itemIsEdge else {
            if inItem { fail("a graph nested in an edge is not supported") }
            return
        }
        finishNode()
        inItem = false
        // Its end tag comes after the nested graph: nothing is left to do then.
        if let i = stack.lastIndex(of: .node) { stack[i] = .other }
    }

    mutating func startEdge(_ nAttrs: Int, _ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        // One pass over the attributes.
        var src: UnsafeBufferPointer<UInt8>?, dst: UnsafeBufferPointer<UInt8>?, dir: UnsafeBufferPointer<UInt8>?
        var label: UnsafeBufferPointer<UInt8>?, id: UnsafeBufferPointer<UInt8>?
        var port = false
        if let attrs {
            for i in 0..<nAttrs {
                let b = i * 5
                guard let l = attrs[b], attrs[b + 2] == nil, let v = attrs[b + 3], let e = attrs[b + 4] else { continue }
                let val = UnsafeBufferPointer(start: v, count: v.distance(to: e))
                switch l[0] {
                case 0x73 /* s */:
                    if Self.eq(l, "source") { src = val } else if Self.eq(l, "sourceport") { port = true }
                case 0x74 /* t */:
                    if Self.eq(l, "target") { dst = val } else if Self.eq(l, "targetport") { port = true }
                case 0x64 /* d */: if Self.eq(l, "directed") { dir = val }
                case 0x6C /* l */: if Self.eq(l, "label") { label = val }
                case 0x69 /* i */: if Self.eq(l, "id") { id = val }
                default: break
                }
            }
        }
        guard let s = src, let t = dst else {
            fail("<edge> without source or target")
            return
        }
        if inItem && !itemIsEdge { finishOpenNode(); if failed { return } }
        beginItem(edge: true)
        if failed { return }
        itemSource.removeAll(keepingCapacity: true)
        itemSource.append(contentsOf: s)
        itemTarget.removeAll(keepingCapacity: true)
        itemTarget.append(contentsOf: t)
        if let d = dir {
            if Self.eq(d.baseAddress!, d.count, "true") { itemDirected = true } else if Self.eq(d.baseAddress!, d.count, "false") { itemDirected = false } else {
                fail("the edge attribute directed must be true or false, not '\(Self.text(d))'")
                return
            }
        } else {
            itemDirected = edgeDefaultDirected.last ?? true
        }
        if port {
            deviate("port", "ports are not supported: edges are attached to the nodes themselves", plural: "ports and port references")
        }
        if let l = label { itemAttrLabel = Array(l) }
        if let id { checkEdgeID(id) }
    }

    /// Duplicate edge ids are tolerated (kg does not keep them) with one warning.
    mutating func checkEdgeID(_ id: UnsafeBufferPointer<UInt8>) {
        guard let p = id.baseAddress else {
            deviate("edge-id-empty", "an edge has an empty id (ignored)", plural: "edges")
            return
        }
        // Parse `e<decimal>`.
        var num = -1
        if id.count >= 2, p[0] == 0x65, id.count <= 12, p[1] != 0x30 || id.count == 2 {
            var v = 0
            var ok = true
            for i in 1..<id.count {
                let d = Int(p[i]) - 0x30
                if d < 0 || d > 9 { ok = false; break }
                v = v * 10 + d
            }
            if ok { num = v }
        }
        if sequentialOnly && num == sequentialEdgeIDs {
            sequentialEdgeIDs += 1
            return
        }
        sequentialOnly = false
        if (num >= 0 && num < sequentialEdgeIDs) || edgeIDs.insert(p, id.count, 0) != nil {
            deviate("edge-id", "duplicate edge id '\(Self.text(id))' (kg does not keep edge ids; every edge is imported)",
                    plural: "duplicate edge ids")
        }
    }

    mutating func startData(_ nAttrs: Int, _ attrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, owner: Frame) {
        guard let k = Self.attr(attrs, nAttrs, "key") else { fail("<data> without a key"); return }
        let domain: KeyDomain = owner == .node ? .node : .edge
        var idx = keyIndex(k, domain: domain) ?? -1
        if idx < 0 {
            idx = undeclaredKey(k, domain: domain)
            if labelName == nil, domain == .node, let n = keyList[Int(idx)].name, n == "label" || n == "name" { labelName = n }
            if rolesValid { appendRoles(Int(idx)) } else { computeRoles() }
            keySeen.append(contentsOf: repeatElement(0, count: keyList.count - keySeen.count))
        }
        if keySeen[Int(idx)] == itemSerial {
            fail("two values for key '\(keyList[Int(idx)].id)' on one \(owner == .node ? "node" : "edge")")
            return
        }
        keySeen[Int(idx)] = itemSerial
        if itemValues.count >= options.maxValuesPerElement {
            fail("more than \(options.maxValuesPerElement) data values on one \(owner == .node ? "node" : "edge")")
            return
        }
        dataKey = idx
        dataStart = arena.count
        dataLine = line
        dataTooLong = false
    }

    mutating func characters(_ ch: UnsafePointer<UInt8>, _ len: Int) {
        guard let f = stack.last else { return }
        switch f {
        case .data:
            if arena.count - dataStart + len <= options.maxValueBytes {
                arena.append(contentsOf: UnsafeBufferPointer(start: ch, count: len))
            } else {
                dataTooLong = true
            }
        case .label:
            if labelText.count + len <= options.maxValueBytes { labelText.append(contentsOf: UnsafeBufferPointer(start: ch, count: len)) }
        case .keyDefault:
            if defaultText.count + len <= options.maxValueBytes { defaultText.append(contentsOf: UnsafeBufferPointer(start: ch, count: len)) }
        default: break
        }
    }

    mutating func end() {
        guard let frame = stack.popLast() else { return }
        switch frame {
        case .key: endKey()
        case .keyDefault: currentKey?.defaultValue = defaultText
        case .graph:
            graphDepth -= 1
            edgeDefaultDirected.removeLast()
        case .data:
            if dataTooLong { fail("a data value is longer than \(options.maxValueBytes) bytes", line: dataLine); return }
            itemValues.append(ItemValue(key: dataKey, start: Int32(dataStart), line: Int32(dataLine)))
            arena.append(0)
        case .label:
            if itemYLabel == nil {
                var t = Self.trimmed(labelText)
                if t.count >= 6, String(decoding: t.prefix(6), as: UTF8.self).lowercased() == "<html>" {
                    // yEd's HTML label: its text, without the markup (kg never renders labels as HTML).
                    t = Array(Self.htmlText(String(decoding: t, as: UTF8.self)).utf8)
                }
                if !t.isEmpty { itemYLabel = t }
            }
        case .node:
            finishNode()
            inItem = false
        case .edge:
            finishEdge()
            inItem = false
        default: break
        }
    }

    /// The text of an HTML fragment: tags dropped (`<br>` and block ends as spaces), the common
    /// entities decoded, white space collapsed.
    static func htmlText(_ html: String) -> String {
        var out = ""
        var inTag = false
        var tag = ""
        for c in html {
            if inTag {
                if c == ">" {
                    inTag = false
                    let t = tag.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
                    if ["br", "p", "div", "li", "tr"].contains(where: { t.hasPrefix($0) }) { out += " " }
                } else { tag.append(c) }
            } else if c == "<" {
                inTag = true
                tag = ""
            } else {
                out.append(c)
            }
        }
        for (e, r) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: e, with: r)
        }
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func trimmed(_ b: [UInt8]) -> [UInt8] {
        var s = 0, e = b.count
        while s < e, b[s] == 0x20 || b[s] == 0x0A || b[s] == 0x0D || b[s] == 0x09 { s += 1 }
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x0A || b[e - 1] == 0x0D || b[e - 1] == 0x09 { e -= 1 }
        return Array(b[s..<e])
    }

    // MARK: Values

    /// The bytes of value `i` of the current item (without the terminating NUL).
    @inline(__always) func valueBytes(_ i: Int) -> ArraySlice<UInt8> {
        let s = Int(itemValues[i].start)
        let e = i + 1 < itemValues.count ? Int(itemValues[i + 1].start) - 1 : arena.count - 1
        return arena[s..<e]
    }

    mutating func typed(_ bytes: ArraySlice<UInt8>, _ key: KeyInfo, line: Int) -> Value {
        switch key.type {
        case .string: return .string(String(decoding: bytes, as: UTF8.self))
        default: break
        }
        if let v = Self.parse(bytes, key.type) { return v }
        let text = String(decoding: bytes, as: UTF8.self)
        deviate("bad-value", "value '\(Self.clip(text))' of key '\(key.attrName ?? key.id)' is not a \(Self.typeWord(key.type)); kept as text",
                plural: "values", line: line)
        return .string(text)
    }

    static func typeWord(_ t: KeyType) -> String {
        switch t {
        case .string: return "string"
        case .int: return "whole number"
        case .double: return "number"
        case .boolean: return "boolean"
        case .json: return "JSON list"
        case .vector(let e): return "list of \(typeWord(e))s"
        }
    }

    static func parse(_ bytes: ArraySlice<UInt8>, _ type: KeyType) -> Value? {
        var s = bytes.startIndex, e = bytes.endIndex
        while s < e, bytes[s] <= 0x20 { s += 1 }
        while e > s, bytes[e - 1] <= 0x20 { e -= 1 }
        let t = bytes[s..<e]
        switch type {
        case .string: return .string(String(decoding: bytes, as: UTF8.self))
        case .int:
            guard !t.isEmpty else { return nil }
            var i = t.startIndex
            var neg = false
            if t[i] == 0x2D || t[i] == 0x2B { neg = t[i] == 0x2D; i += 1 }
            guard i < t.endIndex else { return nil }
            var v: Int64 = 0
            while i < t.endIndex {
                let d = Int64(t[i]) - 0x30
                guard d >= 0 && d <= 9 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = neg ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                if o1 || o2 { return nil }
                v = a
                i += 1
            }
            return .int(v)
        case .double:
            guard !t.isEmpty, t.count < 64 else { return nil }
            var buf = [CChar](repeating: 0, count: t.count + 1)
            for (j, b) in t.enumerated() { buf[j] = CChar(bitPattern: b) }
            switch String(cString: buf).lowercased() {
            case "nan", "-nan", "+nan": return .float(.nan)
            case "inf", "+inf", "infinity", "+infinity": return .float(.infinity)
            case "-inf", "-infinity": return .float(-.infinity)
            default: break
            }
            var end: UnsafeMutablePointer<CChar>?
            let v = buf.withUnsafeMutableBufferPointer { p -> Double in
                let r = strtod(p.baseAddress!, &end)
                if end != p.baseAddress! + t.count { end = nil }
                return r
            }
            return end == nil ? nil : .float(v)
        case .boolean:
            switch String(decoding: t, as: UTF8.self).lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: return nil
            }
        case .json:
            guard let v = try? JSONValueParser.parse(String(decoding: bytes, as: UTF8.self)), case .list = v else { return nil }
            return v
        case .vector(let et):
            if t.isEmpty { return .list([]) }
            var out: [Value] = []
            for part in t.split(separator: 0x2C, omittingEmptySubsequences: false) {
                guard let v = parse(part, et) else { return nil }
                out.append(v)
            }
            return .list(out)
        }
    }

    static func clip(_ s: String) -> String { s.count > 40 ? String(s.prefix(40)) + "…" : s }

    // MARK: Building

    static func isIdentChar(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// A .kg identifier for a GraphML node id: ids kg wrote are unescaped; others keep their
    /// `[A-Za-z0-9_.-]` characters, the rest become `-`; clashes get `-2`, `-3`, ….
    mutating func kgKey(for id: String) -> String {
        // Fast path: an id that is already a usable key.
        let u = id.utf8
        if let f = u.first, f != 0x2E, f != 0x2D, u.last != 0x2E,
           u.allSatisfy({ Self.isIdentChar($0) || $0 == 0x2E || $0 == 0x2D }), !usedKeys.contains(id) {
            return id
        }
        var base = id
        if id.contains(":"), let u = GraphMLIDs.unescape(id) { base = u }
        var bytes: [UInt8] = []
        for b in base.utf8 {
            bytes.append(Self.isIdentChar(b) || b == 0x2E || b == 0x2D ? b : 0x2D)
        }
        while let f = bytes.first, f == 0x2E || f == 0x2D { bytes.removeFirst() }
        while let l = bytes.last, l == 0x2E { bytes.removeLast() }
        var key = String(decoding: bytes, as: UTF8.self)
        if key.isEmpty { key = "node" }
        if usedKeys.contains(key) {
            var i = 2
            while usedKeys.contains("\(key)-\(i)") { i += 1 }
            key = "\(key)-\(i)"
        }
        return key
    }

    /// `[A-Za-z_][A-Za-z0-9_]*` for kinds, relation types and property keys.
    static func name(_ s: String, upper: Bool = false) -> String {
        var bytes: [UInt8] = []
        var lastUnderscore = false
        for b in s.utf8 {
            if isIdentChar(b) {
                bytes.append(upper && b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
                lastUnderscore = b == 0x5F
            } else if !lastUnderscore && !bytes.isEmpty {
                bytes.append(0x5F)
                lastUnderscore = true
            }
        }
        while bytes.last == 0x5F && bytes.count > 1 { bytes.removeLast() }
        if let f = bytes.first, f >= 0x30 && f <= 0x39 { bytes.insert(0x5F, at: 0) }
        return bytes.isEmpty ? "_" : String(decoding: bytes, as: UTF8.self)
    }

    static func text(of v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let d): return JSONText.formatDouble(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        case .list: return JSONText.string(v)
        case .temporal(let t): return t.text
        }
    }

    /// Aliases from a value: a list, JSON list text, `[a,b]` or `a|b` text; empty ones dropped.
    static func aliases(_ v: Value) -> [String] {
        if case .string(let s) = v {
            // The common cases without String slicing: empty, one alias, `a|b|c`.
            var str = s
            let simple: [String]? = str.withUTF8 { b -> [String]? in
                if b.isEmpty { return [] }
                if b.contains(0x5B) { return nil }
                var out: [String] = []
                var start = 0
                for i in 0...b.count {
                    if i == b.count || b[i] == 0x7C {
                        var a = start, e = i
                        while a < e, b[a] <= 0x20 { a += 1 }
                        while e > a, b[e - 1] <= 0x20 { e -= 1 }
                        if e > a {
                            let t = String(decoding: UnsafeBufferPointer(rebasing: b[a..<e]), as: UTF8.self)
                            if !out.contains(t) { out.append(t) }
                        }
                        start = i + 1
                    }
                }
                return out
            }
            if let simple { return simple }
        }
        var out: [String] = []
        switch v {
        case .list(let l): out = l.map { text(of: $0) }
        case .string(let s):
            let t = trim(s)
            if t.hasPrefix("["), t.hasSuffix("]") {
                if let j = try? JSONValueParser.parse(t), case .list(let l) = j {
                    out = l.map { text(of: $0) }
                } else {
                    out = t.dropFirst().dropLast().split(separator: ",").map(String.init)
                }
            } else if t.utf8.contains(0x7C) {
                out = t.split(separator: "|").map(String.init)
            } else {
                out = [t]
            }
        default: out = [text(of: v)]
        }
        var kept: [String] = []
        for a in out {
            let t = trim(a)
            if !t.isEmpty && !kept.contains(t) { kept.append(t) }
        }
        return kept
    }

    /// `s` without leading and trailing ASCII white space.
    static func trim(_ s: String) -> String {
        let u = s.utf8
        guard let f = u.first, let l = u.last, f <= 0x20 || l <= 0x20 else { return s }
        var a = u.startIndex, b = u.endIndex
        while a < b, u[a] <= 0x20 { a = u.index(after: a) }
        while b > a, u[u.index(before: b)] <= 0x20 { b = u.index(before: b) }
        return String(s[a..<b])
    }

    mutating func noteKind(_ k: String) {
        if kindSeen.insert(k).inserted { kindOrder.append(k) }
    }

    mutating func finishNode() {
        let id = itemID
        let idString = String(decoding: id, as: UTF8.self)
        let exists = id.withUnsafeBufferPointer { nodeTable.find($0.baseAddress!, $0.count) } != nil
        if exists { fail("duplicate node id '\(idString)'", line: itemLine); return }
        var label: String?, nameValue: Value?
        var kind = options.defaultKind
        var extraLabels: [String] = []
        var aliases: [String] = []
        var props: [(Symbol, Value)] = []
        var seen: Set<Symbol> = []
        func add(_ i: Int, _ v: Value) {
            switch nodeRoles[i] {
            case .label: if label == nil { label = Self.text(of: v) }
            case .name: if nameValue == nil { nameValue = v }
            case .kind:
                let k = Self.name(Self.text(of: v))
                if k != "_" { kind = k }
            case .kgLabels:
                extraLabels = (v.listValue ?? []).compactMap(\.stringValue).map { Self.name($0) }
            case .apocLabels:
                // Neo4j APOC: ":User:Person".
                let ls = Self.text(of: v).split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                if let f = ls.first { kind = Self.name(f); extraLabels = ls.dropFirst().map { Self.name($0) } }
            case .aliases: aliases += Self.aliases(v)
            case .ignore: break
            case .property:
                let sym = propSyms[i]
                if seen.insert(sym).inserted { props.append((sym, v)) }
            }
        }
        for i in 0..<itemValues.count {
            let k = Int(itemValues[i].key)
            add(k, typed(valueBytes(i), keyList[k], line: Int(itemValues[i].line)))
        }
        for k in nodeDefaults where keySeen[k] != itemSerial {
            let key = keyList[k]
            add(k, typed(key.defaultValue![...], key, line: key.line))
        }
        if kind == options.defaultKind, let l = itemAttrLabels {
            let ls = String(decoding: l, as: UTF8.self).split(separator: ":").filter { !$0.isEmpty }
            if let f = ls.first { kind = Self.name(String(f)); extraLabels = ls.dropFirst().map { Self.name(String($0)) } }
        }
        if label == nil, let nv = nameValue { label = Self.text(of: nv); nameValue = nil }
        if label == nil, let y = itemYLabel { label = String(decoding: y, as: UTF8.self) }
        if let nv = nameValue, Self.text(of: nv) != label {
            let s = graph.strings.intern("name_")
            if seen.insert(s).inserted { props.append((s, nv)) }
        }
        let key = kgKey(for: idString)
        var pm = PropertyMap()
        pm[symID] = .string(key)
        pm[symName] = .string(label ?? key)
        if kind == "Reading", !seen.contains(symTitle) { pm[symTitle] = .string(label ?? key) }
        if !aliases.isEmpty { pm[graph.strings.intern("aliases")] = .list(aliases.map { .string($0) }) }
        for (s, v) in props where s != symID && s != symName { pm[s] = v }
        usedKeys.insert(key)
        noteKind(kind)
        for l in extraLabels { noteKind(l) }
        do {
            let n = try graph.addNode(key: graph.strings.intern(key), labels: ([kind] + extraLabels).map { graph.strings.intern($0) },
                                      properties: pm)
            id.withUnsafeBufferPointer { _ = nodeTable.insert($0.baseAddress!, $0.count, n.raw) }
            nodeLines.append(Int32(itemLine))
        } catch {
            fail("cannot add node '\(idString)': \(error)", line: itemLine)
        }
    }

    mutating func relationType(_ bytes: ArraySlice<UInt8>?) -> Symbol {
        guard let bytes, !bytes.isEmpty else { return typeSymbol(options.defaultRelation) }
        if let s = bytes.withUnsafeBufferPointer({ typeTable.find($0.baseAddress!, $0.count) }) { return Symbol(raw: s) }
        let name = Self.name(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), upper: true)
        let sym = typeSymbol(name == "_" ? options.defaultRelation : name)
        bytes.withUnsafeBufferPointer { _ = typeTable.insert($0.baseAddress!, $0.count, sym.raw) }
        return sym
    }

    mutating func typeSymbol(_ name: String) -> Symbol {
        let s = graph.strings.intern(name)
        if typeDirections[s.raw] == nil { typeDirections[s.raw] = 0; typeOrder.append(s) }
        if typeBits.count <= Int(s.raw) { typeBits.append(contentsOf: repeatElement(0, count: Int(s.raw) + 1 - typeBits.count)) }
        return s
    }

    mutating func finishEdge() {
        var typeBytes: ArraySlice<UInt8>?
        var evidence: [Evidence] = []
        var first = Evidence(reading: "")
        var hasFirst = false
        var props = PropertyMap()
        // The best type key this edge has a value for.
        var best: Int8 = .max, bestKey = -1
        for i in 0..<itemValues.count {
            let k = Int(itemValues[i].key)
            if edgeRoles[k] == .type, typeRank[k] < best { best = typeRank[k]; bestKey = k; typeBytes = valueBytes(i) }
        }
        for k in edgeDefaults where keySeen[k] != itemSerial && edgeRoles[k] == .type && typeRank[k] < best {
            best = typeRank[k]; bestKey = k; typeBytes = keyList[k].defaultValue![...]
        }
        func add(_ i: Int, _ bytes: ArraySlice<UInt8>, line: Int) {
            let role = edgeRoles[i]
            if i == bestKey || role == .ignore { return }
            let v = typed(bytes, keyList[i], line: line)
            switch role {
            case .reading: first.reading = Self.text(of: v); hasFirst = true
            case .locator:
                let t = Self.text(of: v)
                if let l = Locator(t) { first.locator = l; hasFirst = true } else {
                    deviate("locator", "'\(Self.clip(t))' is not a locator (L<n>, L<n>-L<m>, S<n>, S<n>-S<m>); dropped", plural: "values", line: line)
                }
            case .note: first.note = Self.text(of: v); hasFirst = true
            case .modality:
                let t = Self.text(of: v)
                if let m = Modality(rawValue: t) { first.modality = m; hasFirst = true } else {
                    deviate("modality", "'\(Self.clip(t))' is not a modality (asserted, hedged, negated, reported); read as asserted",
                            plural: "values", line: line)
                }
            case .type:
                // A type key this edge did not take its type from: kept as a property unless it repeats it.
                if let tb = typeBytes, tb.elementsEqual(bytes) { return }
                if props[propSyms[i]] == nil, !v.isNull { props[propSyms[i]] = v }
            case .evidence:
                for it in v.listValue ?? [] {
                    guard case .list(let parts) = it, parts.count == 3 || parts.count == 4, let r = parts[0].stringValue else {
                        deviate("evidence", "malformed evidence list; dropped", plural: "values", line: line)
                        continue
                    }
                    var x = Evidence(reading: r, locator: parts[1].stringValue.flatMap(Locator.init), note: parts[2].stringValue)
                    if parts.count == 4, let m = parts[3].stringValue.flatMap(Modality.init(rawValue:)) { x.modality = m }
                    evidence.append(x)
                }
            default:
                if props[propSyms[i]] == nil, !v.isNull { props[propSyms[i]] = v }
            }
        }
        for i in 0..<itemValues.count { add(Int(itemValues[i].key), valueBytes(i), line: Int(itemValues[i].line)) }
        for k in edgeDefaults where keySeen[k] != itemSerial { add(k, keyList[k].defaultValue![...], line: keyList[k].line) }
        if hasFirst { evidence.insert(first, at: 0) }
        if typeBytes == nil, let a = itemAttrLabel { typeBytes = a[...] }
        if typeBytes == nil, let y = itemYLabel { typeBytes = y[...] }
        let type = relationType(typeBytes)
        let src = itemSource.withUnsafeBufferPointer { b in b.isEmpty ? nil : nodeTable.find(b.baseAddress!, b.count) }
        let dst = itemTarget.withUnsafeBufferPointer { b in b.isEmpty ? nil : nodeTable.find(b.baseAddress!, b.count) }
        if let src, let dst {
            addEdge(NodeID(src), NodeID(dst), type, props, evidence, directed: itemDirected, line: Int32(itemLine))
        } else {
            pending.append(PendingEdge(source: String(decoding: itemSource, as: UTF8.self), target: String(decoding: itemTarget, as: UTF8.self),
                                       line: Int32(itemLine), type: type, directed: itemDirected, props: props, evidence: evidence))
        }
    }

    mutating func addEdge(_ s: NodeID, _ t: NodeID, _ type: Symbol, _ props: PropertyMap, _ ev: [Evidence], directed: Bool, line: Int32) {
        let e = graph.addEdge(from: s, to: t, type: type, properties: props, evidence: ev)
        while edgeLines.count < e.index { edgeLines.append(0) }
        edgeLines.append(line)
        typeBits[Int(type.raw)] |= directed ? 1 : 2
        if !directed { undirectedEdges[type.raw, default: []].append(e.raw) }
    }

    /// After the last element: forward references, mixed directions, the schema.
    mutating func finish() throws {
        for p in pending {
            guard let s = nodeTable.find(p.source) else { throw GraphMLImportError(file: file, line: Int(p.line), message: "edge source '\(p.source)' is not a node of the graph") }
            guard let t = nodeTable.find(p.target) else { throw GraphMLImportError(file: file, line: Int(p.line), message: "edge target '\(p.target)' is not a node of the graph") }
            addEdge(NodeID(s), NodeID(t), p.type, p.props, p.evidence, directed: p.directed, line: p.line)
        }
        pending = []
        // A type with directed and undirected edges: the undirected ones become TYPE_UNDIRECTED.
        var declared: [(String, Bool)] = []
        for t in typeOrder {
            let bits = typeBits[Int(t.raw)]
            if bits == 0 { continue }
            let name = graph.strings[t]
            if bits == 3 {
                let list = undirectedEdges[t.raw] ?? []
                var split = name + "_UNDIRECTED"
                while graph.strings.lookup(split).map({ typeDirections[$0.raw] != nil }) == true { split += "_" }
                let sym = graph.strings.intern(split)
                let firstLine = list.first.map { Int(edgeLines[Int($0)]) } ?? 0
                let count = list.count
                deviate("mixed-\(name)", "relation type \(name) has directed and undirected edges: its \(count) undirected "
                        + "edge\(count == 1 ? "" : "s") (the first here) become \(split), declared undirected", line: firstLine)
                for raw in list {
                    let e = EdgeID(raw)
                    let line = edgeLines[Int(raw)]
                    let s = graph.source(of: e), d = graph.target(of: e)
                    let props = graph.storedProperties(of: e), ev = graph.evidence(of: e)
                    graph.removeEdge(e)
                    let ne = graph.addEdge(from: s, to: d, type: sym, properties: props, evidence: ev)
                    while edgeLines.count < ne.index { edgeLines.append(0) }
                    edgeLines.append(line)
                }
                declared.append((name, false))
                declared.append((split, true))
            } else {
                declared.append((name, bits == 2))
            }
        }
        graph.endBulkLoad()
        for k in kindOrder { graph.schema.declare(KindDecl(name: k)) }
        for (name, undirected) in declared { graph.schema.declare(RelationDecl(name: name, undirected: undirected)) }
        if !labelKeySeen, let k = options.labelKey {
            notes.append("\(file):1: warning: no node key is named '\(k)' (--map-label); names come from the usual keys")
        }
        if !typeKeySeen, let k = options.typeKey {
            notes.append("\(file):1: warning: no edge key is named '\(k)' (--map-type); types come from the usual keys")
        }
        if !graphDataKeys.isEmpty {
            notes.append("\(file):1: warning: graph-level data is not imported (keys: \(graphDataKeys.joined(separator: ", ")))")
        }
    }
}
