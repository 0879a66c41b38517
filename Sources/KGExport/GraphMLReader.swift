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
    /// `label`, else yEd's `y:EdgeLabel`, else `defaultRelation`.
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

    public init(labelKey: String? = nil, typeKey: String? = nil) {
        self.labelKey = labelKey
        self.typeKey = typeKey
    }
}

/// The result of an import: a graph in the shape the .kg format builds (concept nodes with key,
/// one kind label, properties `id`, `name`, then the others; `Reading` nodes; edges with
/// evidence), plus warnings (`file:line: warning: …`).
public struct GraphMLImport {
    public var graph: Graph
    public var warnings: [String]
}

/// Streaming GraphML reader over libxml2's xmlTextReader.
///
/// Safe against hostile input: no network (`XML_PARSE_NONET`), never entity substitution, DTD
/// loading or attribute defaulting, no `XML_PARSE_HUGE`; any document type declaration is refused
/// (GraphML needs none), so no entity can be declared; element depth, value size and element count
/// are bounded. Memory stays proportional to the graph built, not to the file.
public enum GraphMLReader {
    public static func read(path: String, options: GraphMLImportOptions = GraphMLImportOptions()) throws -> GraphMLImport {
        LibXML.ensureInitialized()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw GraphMLImportError(file: path, line: 0, message: "cannot read the file")
        }
        let opts = Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOCDATA.rawValue)
        guard let reader = xmlReaderForFile(path, nil, opts) else {
            throw GraphMLImportError(file: path, line: 0, message: "cannot open the file for reading")
        }
        defer { xmlFreeTextReader(reader) }
        try refuseDoctype(path)
        let state = ReaderState(file: path, options: options, reader: reader)
        let ctx = Unmanaged.passUnretained(state).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { ctx, err in
            guard let ctx, let err else { return }
            let st = Unmanaged<ReaderState>.fromOpaque(ctx).takeUnretainedValue()
            st.recordXMLError(err.pointee)
        }, ctx)
        try state.run()
        return GraphMLImport(graph: state.graph, warnings: state.warnings)
    }
}

extension GraphMLReader {
    /// Refuses a document type declaration before parsing starts, naming its line (the reader
    /// reports it only after the parser has read past it).
    static func refuseDoctype(_ path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { return }
        defer { try? h.close() }
        let head = [UInt8]((try? h.read(upToCount: 1 << 16)) ?? Data())
        let pattern = Array("<!DOCTYPE".utf8)
        var line = 1
        var i = 0
        while i + pattern.count <= head.count {
            let b = head[i]
            if b == 0x0A { line += 1 }
            if b == UInt8(ascii: "<") {
                if Array(head[i..<i + pattern.count]) == pattern {
                    throw GraphMLImportError(file: path, line: line,
                                             message: "document type declarations are not accepted in GraphML (possible entity attack)")
                }
                // Past the prologue: the first element starts.
                if i + 1 < head.count, head[i + 1] != UInt8(ascii: "?"), head[i + 1] != UInt8(ascii: "!") { return }
            }
            i += 1
        }
    }
}

private enum KeyDomain { case node, edge, graph, all, other }

private enum KeyType {
    case string, int, double, boolean, list
}

private struct KeyInfo {
    var id: String
    var domain: KeyDomain
    var name: String?
    var type: KeyType
    var defaultValue: String?
    var line: Int
}

private enum Frame {
    case graphml, key, keyDefault, graph, node, edge, data, label, other
}

private struct PendingItem {
    var id: String
    var line: Int
    var data: [(key: Int, text: String, line: Int)] = []
    var yLabel: String?
    var source = ""
    var target = ""
    var directed = true
}

private struct PendingEdge {
    var source: Symbol
    var target: Symbol
    var line: Int
    var type: String
    var props: [(String, Value)]
    var evidence: [Evidence]
}

private final class ReaderState {
    let file: String
    let options: GraphMLImportOptions
    let reader: xmlTextReaderPtr
    let graph = Graph()
    var warnings: [String] = []
    var firstError: GraphMLImportError?

    var keys: [String: Int] = [:]
    var keyList: [KeyInfo] = []
    /// Keys with a default value, per domain (computed when the first graph starts).
    var nodeDefaults: [Int]?
    var edgeDefaults: [Int]?
    var stack: [Frame] = []
    var nodeStack: [PendingItem] = []
    var edgeStack: [PendingItem] = []
    var currentKey: KeyInfo?
    var defaultText = ""
    var dataKey = -1
    var dataLine = 0
    var dataText: [UInt8] = []
    var dataTooLong = false
    var labelText: [UInt8] = []
    var labelTaken = false
    var graphDepth = 0
    var edgeDefaultDirected: [Bool] = []
    var warnedNested = false, warnedUndirected = false, warnedPort = false, warnedHyper = false
    var elements = 0
    var sawGraphML = false

    // GraphML id → node, key string of each node, pending edges.
    var nodeByID: [String: NodeID] = [:]
    var usedKeys: Set<String> = []
    var pendingEdges: [PendingEdge] = []
    let ids = Interner()

    init(file: String, options: GraphMLImportOptions, reader: xmlTextReaderPtr) {
        self.file = file
        self.options = options
        self.reader = reader
    }

    /// Line of the node the reader is on (the parser itself may have read ahead).
    var line: Int {
        if let n = xmlTextReaderCurrentNode(reader) {
            let l = xmlGetLineNo(n)
            if l > 0 { return Int(l) }
        }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    func fail(_ message: String, line: Int? = nil) -> GraphMLImportError {
        GraphMLImportError(file: file, line: line ?? self.line, message: message)
    }

    func warn(_ message: String, line: Int? = nil) {
        warnings.append("\(file):\(line ?? self.line): warning: \(message)")
    }

    func recordXMLError(_ e: xmlError) {
        guard firstError == nil, e.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var msg = e.message.map { String(cString: $0) } ?? "malformed XML"
        while msg.last == "\n" || msg.last == " " { msg.removeLast() }
        firstError = GraphMLImportError(file: file, line: Int(e.line), message: "malformed XML: \(msg)")
    }

    // MARK: Parsing

    func run() throws {
        graph.beginBulkLoad()
        while true {
            let rc = xmlTextReaderRead(reader)
            if rc == 0 { break }
            if rc < 0 {
                throw firstError ?? fail("malformed XML (the file may be truncated)")
            }
            if let e = firstError { throw e }
            let type = xmlTextReaderNodeType(reader)
            switch type {
            case 1: try startElement()
            case 15: try endElement()
            case 3, 4, 13, 14: text()
            case 10: throw fail("document type declarations are not accepted in GraphML (possible entity attack)")
            case 5: throw fail("entity references are not accepted")
            default: break
            }
        }
        if let e = firstError { throw e }
        guard sawGraphML else { throw fail("not a GraphML document: no <graphml> root element", line: 1) }
        try resolveEdges()
        graph.endBulkLoad()
    }

    @inline(__always) func localName() -> UnsafePointer<xmlChar>? { xmlTextReaderConstLocalName(reader) }

    @inline(__always) func nameIs(_ p: UnsafePointer<xmlChar>?, _ s: StaticString) -> Bool {
        guard let p else { return false }
        let n = s.utf8CodeUnitCount
        return memcmp(p, s.utf8Start, n) == 0 && p[n] == 0
    }

    /// Attributes of the current element as (local name, value) strings.
    func attributes() -> [(String, String)] {
        var out: [(String, String)] = []
        guard xmlTextReaderHasAttributes(reader) == 1 else { return out }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            let n = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            let v = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            out.append((n, v))
        }
        xmlTextReaderMoveToElement(reader)
        return out
    }

    func attribute(_ attrs: [(String, String)], _ name: String) -> String? {
        for (k, v) in attrs where k == name { return v }
        return nil
    }

    func inGraphMLNamespace() -> Bool {
        guard let ns = xmlTextReaderConstNamespaceUri(reader) else { return true }
        return nameIs(ns, "http://graphml.graphdrawing.org/xmlns")
    }

    func startElement() throws {
        let depth = Int(xmlTextReaderDepth(reader))
        if depth >= options.maxDepth { throw fail("elements nested deeper than \(options.maxDepth) levels") }
        let empty = xmlTextReaderIsEmptyElement(reader) == 1
        let name = localName()
        let parent = stack.last
        var frame = Frame.other
        let gml = inGraphMLNamespace()

        if stack.isEmpty {
            guard nameIs(name, "graphml") else {
                throw fail("not a GraphML document: the root element is <\(name.map { String(cString: $0) } ?? "")>")
            }
            sawGraphML = true
            frame = .graphml
        } else if gml && nameIs(name, "key") && parent == .graphml {
            let a = attributes()
            guard let id = attribute(a, "id") else { throw fail("<key> without an id") }
            if keys[id] != nil { throw fail("key '\(id)' is declared twice") }
            let domain: KeyDomain
            switch attribute(a, "for") ?? "all" {
            case "node": domain = .node
            case "edge": domain = .edge
            case "graph": domain = .graph
            case "all": domain = .all
            default: domain = .other
            }
            let type: KeyType
            switch attribute(a, "attr.type") ?? "string" {
            case "string": type = id.hasSuffix(".list") ? .list : .string
            case "int", "long": type = .int
            case "float", "double": type = .double
            case "boolean": type = .boolean
            case let t: throw fail("key '\(id)' has an unknown attr.type '\(t)'")
            }
            currentKey = KeyInfo(id: id, domain: domain, name: attribute(a, "attr.name"), type: type,
                                 defaultValue: nil, line: line)
            frame = .key
        } else if gml && nameIs(name, "default") && parent == .key {
            defaultText = ""
            frame = .keyDefault
        } else if gml && nameIs(name, "graph") && (parent == .graphml || parent == .node || parent == .edge) {
            graphDepth += 1
            if graphDepth > 1 && !warnedNested {
                warn("nested graph flattened: its nodes and edges are imported into the top-level graph")
                warnedNested = true
            }
            let a = attributes()
            let ed = attribute(a, "edgedefault") ?? "directed"
            guard ed == "directed" || ed == "undirected" else { throw fail("edgedefault must be 'directed' or 'undirected', not '\(ed)'") }
            edgeDefaultDirected.append(ed == "directed")
            frame = .graph
        } else if gml && nameIs(name, "node") && parent == .graph {
            let a = attributes()
            guard let id = attribute(a, "id") else { throw fail("<node> without an id") }
            elements += 1
            if elements > options.maxElements { throw fail("more than \(options.maxElements) nodes and edges") }
            nodeStack.append(PendingItem(id: id, line: line))
            frame = .node
        } else if gml && nameIs(name, "edge") && parent == .graph {
            let a = attributes()
            guard let s = attribute(a, "source"), let t = attribute(a, "target") else {
                throw fail("<edge> without source or target")
            }
            elements += 1
            if elements > options.maxElements { throw fail("more than \(options.maxElements) nodes and edges") }
            var item = PendingItem(id: attribute(a, "id") ?? "", line: line)
            item.source = s
            item.target = t
            if let d = attribute(a, "directed") {
                guard d == "true" || d == "false" else { throw fail("edge attribute directed must be true or false") }
                item.directed = d == "true"
            } else {
                item.directed = edgeDefaultDirected.last ?? true
            }
            if !item.directed && !warnedUndirected {
                warn("undirected edges are imported as relations from source to target")
                warnedUndirected = true
            }
            if (attribute(a, "sourceport") != nil || attribute(a, "targetport") != nil) && !warnedPort {
                warn("ports are not supported: edges are attached to the nodes themselves")
                warnedPort = true
            }
            edgeStack.append(item)
            frame = .edge
        } else if gml && nameIs(name, "data") && (parent == .node || parent == .edge || parent == .graph || parent == .graphml) {
            let a = attributes()
            guard let k = attribute(a, "key") else { throw fail("<data> without a key") }
            guard let idx = keys[k] else { throw fail("data refers to the undeclared key '\(k)'") }
            dataKey = parent == .graph || parent == .graphml ? -1 : idx
            if dataKey >= 0 {
                let info = keyList[idx]
                let ok = info.domain == .all || (parent == .node ? info.domain == .node : info.domain == .edge)
                if !ok { throw fail("key '\(k)' is declared for \(info.domain) data, not \(parent == .node ? "node" : "edge")") }
            }
            dataLine = line
            dataText.removeAll(keepingCapacity: true)
            dataTooLong = false
            frame = .data
        } else if gml && nameIs(name, "hyperedge") {
            if !warnedHyper { warn("hyperedges are not supported and were skipped"); warnedHyper = true }
            frame = .other
        } else if gml && nameIs(name, "port") {
            if !warnedPort { warn("ports are not supported: edges are attached to the nodes themselves"); warnedPort = true }
            frame = .other
        } else if (nameIs(name, "NodeLabel") || nameIs(name, "EdgeLabel")) && stack.contains(.data) {
            labelText.removeAll(keepingCapacity: true)
            frame = .label
        } else if gml && (nameIs(name, "graph") || nameIs(name, "node") || nameIs(name, "edge") || nameIs(name, "key")) {
            throw fail("<\(String(cString: name!))> is not allowed here")
        }
        stack.append(frame)
        if empty { try endElement() }
    }

    func text() {
        guard let f = stack.last, f == .data || f == .keyDefault || f == .label else { return }
        guard let v = xmlTextReaderConstValue(reader) else { return }
        let n = strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self))
        let buf = UnsafeBufferPointer(start: v, count: n)
        switch f {
        case .data: if dataText.count + n <= options.maxValueBytes { dataText.append(contentsOf: buf) } else { dataTooLong = true }
        case .label: if labelText.count + n <= options.maxValueBytes { labelText.append(contentsOf: buf) }
        default: defaultText += String(decoding: buf, as: UTF8.self)
        }
    }

    func endElement() throws {
        guard let frame = stack.popLast() else { return }
        switch frame {
        case .key:
            if let k = currentKey {
                keys[k.id] = keyList.count
                keyList.append(k)
            }
            currentKey = nil
        case .keyDefault:
            currentKey?.defaultValue = defaultText
        case .graph:
            graphDepth -= 1
            edgeDefaultDirected.removeLast()
        case .data:
            if dataTooLong {
                throw fail("a data value is longer than \(options.maxValueBytes) bytes", line: dataLine)
            }
            if dataKey >= 0 {
                let text = String(decoding: dataText, as: UTF8.self)
                if stack.last == .node {
                    if nodeStack[nodeStack.count - 1].data.contains(where: { $0.key == dataKey }) {
                        throw fail("two values for key '\(keyList[dataKey].id)' on one node", line: dataLine)
                    }
                    nodeStack[nodeStack.count - 1].data.append((dataKey, text, dataLine))
                } else if stack.last == .edge {
                    if edgeStack[edgeStack.count - 1].data.contains(where: { $0.key == dataKey }) {
                        throw fail("two values for key '\(keyList[dataKey].id)' on one edge", line: dataLine)
                    }
                    edgeStack[edgeStack.count - 1].data.append((dataKey, text, dataLine))
                }
            }
        case .label:
            let t = String(decoding: labelText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if let owner = stack.lastIndex(where: { $0 == .node || $0 == .edge }), !t.isEmpty {
                if stack[owner] == .node, nodeStack[nodeStack.count - 1].yLabel == nil {
                    nodeStack[nodeStack.count - 1].yLabel = t
                } else if stack[owner] == .edge, edgeStack[edgeStack.count - 1].yLabel == nil {
                    edgeStack[edgeStack.count - 1].yLabel = t
                }
            }
        case .node:
            try finishNode(nodeStack.removeLast())
        case .edge:
            try finishEdge(edgeStack.removeLast())
        default: break
        }
    }

    // MARK: Values

    func typed(_ text: String, _ key: KeyInfo, line: Int) throws -> Value {
        if key.type == .string { return .string(text) }
        if key.type == .int, let v = Int64(text) { return .int(v) }
        if key.type == .double, let v = Double(text), !text.isEmpty, text.utf8.first! > 0x20 { return .float(v) }
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch key.type {
        case .string: return .string(text)
        case .int:
            guard let v = Int64(t) else {
                throw fail("value '\(Self.clip(text))' of key '\(key.name ?? key.id)' is not an integer", line: line)
            }
            return .int(v)
        case .double:
            switch t.lowercased() {
            case "nan": return .float(.nan)
            case "inf", "+inf", "infinity", "+infinity": return .float(.infinity)
            case "-inf", "-infinity": return .float(-.infinity)
            default:
                guard !t.isEmpty, let v = Double(t) else {
                    throw fail("value '\(Self.clip(text))' of key '\(key.name ?? key.id)' is not a number", line: line)
                }
                return .float(v)
            }
        case .boolean:
            switch t.lowercased() {
            case "true", "1": return .bool(true)
            case "false", "0": return .bool(false)
            default: throw fail("value '\(Self.clip(text))' of key '\(key.name ?? key.id)' is not a boolean", line: line)
            }
        case .list:
            do {
                let v = try JSONValueParser.parse(text)
                guard case .list = v else { return .string(text) }
                return v
            } catch {
                throw fail("value of list key '\(key.name ?? key.id)' is not a JSON list: \(error)", line: line)
            }
        }
    }

    static func clip(_ s: String) -> String { s.count > 40 ? String(s.prefix(40)) + "…" : s }

    /// The typed values of an item: its data plus the defaults of keys it has no data for.
    func values(of item: PendingItem, domain: KeyDomain) throws -> [(name: String, value: Value, key: KeyInfo)] {
        var out: [(String, Value, KeyInfo)] = []
        out.reserveCapacity(item.data.count)
        for d in item.data {
            let k = keyList[d.key]
            guard let n = k.name else { continue }
            out.append((n, try typed(d.text, k, line: d.line), k))
        }
        let defaults: [Int]
        if domain == .node {
            if nodeDefaults == nil { nodeDefaults = keyList.indices.filter { keyList[$0].defaultValue != nil && (keyList[$0].domain == .node || keyList[$0].domain == .all) } }
            defaults = nodeDefaults!
        } else {
            if edgeDefaults == nil { edgeDefaults = keyList.indices.filter { keyList[$0].defaultValue != nil && (keyList[$0].domain == .edge || keyList[$0].domain == .all) } }
            defaults = edgeDefaults!
        }
        for i in defaults where !item.data.contains(where: { $0.key == i }) {
            let k = keyList[i]
            guard let dv = k.defaultValue, let n = k.name else { continue }
            out.append((n, try typed(dv, k, line: k.line), k))
        }
        return out
    }

    // MARK: Building

    static func isIdentChar(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// A .kg identifier for a GraphML node id: ids kg wrote are unescaped; others keep their
    /// `[A-Za-z0-9_.-]` characters, the rest become `-`; clashes get `-2`, `-3`, ….
    func kgKey(for id: String) -> String {
        var base = id
        if id.contains(":"), let u = GraphMLIDs.unescape(id) { base = u }
        var bytes: [UInt8] = []
        for b in base.utf8 {
            bytes.append(Self.isIdentChar(b) || b == 0x2E || b == 0x2D ? b : 0x2D)
        }
        while let f = bytes.first, f == 0x2E || f == 0x2D { bytes.removeFirst() }
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

    static let reservedNodeProps: Set<String> = ["id", "name", "kind"]

    func finishNode(_ item: PendingItem) throws {
        if nodeByID[item.id] != nil { throw fail("duplicate node id '\(item.id)'", line: item.line) }
        let vals = try values(of: item, domain: .node)
        let labelKey = options.labelKey
        var label: String?
        if let lk = labelKey {
            label = vals.first { $0.name == lk }.map { Self.text(of: $0.value) }
        } else {
            label = (vals.first { $0.name == "label" } ?? vals.first { $0.name == "name" }).map { Self.text(of: $0.value) }
        }
        if label == nil { label = item.yLabel }
        var kind = options.defaultKind
        var extraLabels: [String] = []
        var props: [(String, Value)] = []
        let key = kgKey(for: item.id)
        for v in vals {
            var n = v.name
            if n == (labelKey ?? "label") { continue }
            if n == "kind", case .string(let k) = v.value, !k.isEmpty { kind = Self.name(k); continue }
            if n == "labels", case .list(let l) = v.value, v.key.id == "n.labels.list" {
                extraLabels = l.compactMap(\.stringValue).map { Self.name($0) }
                continue
            }
            if n.hasPrefix("property:") {
                // kg wrote a property whose name collides with a fixed key under this prefix.
                n = Self.name(String(n.dropFirst("property:".count)))
            } else {
                n = Self.name(n)
                if n == "id" { continue }
                if n == "name" {
                    // The display name wins; a separate `name` value is kept when it differs.
                    if label == nil { label = Self.text(of: v.value); continue }
                    if Self.text(of: v.value) == label { continue }
                    n = "name_"
                }
                if n == "kind" { n = "kind_" }
            }
            if props.contains(where: { $0.0 == n }) { continue }
            props.append((n, v.value))
        }
        let name = label ?? key
        var all: [(String, Value)] = [("id", .string(key)), ("name", .string(name))]
        if kind == "Reading", !props.contains(where: { $0.0 == "title" }) { all.append(("title", .string(name))) }
        all.append(contentsOf: props)
        usedKeys.insert(key)
        let n = try graph.addNode(key: key, labels: [kind] + extraLabels, properties: all)
        nodeByID[item.id] = n
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

    func symbol(_ s: String) -> Symbol { ids.intern(s) }

    func finishEdge(_ item: PendingItem) throws {
        let vals = try values(of: item, domain: .edge)
        var type: String?
        if let tk = options.typeKey {
            type = vals.first { $0.name == tk }.map { Self.text(of: $0.value) }
        } else {
            type = (vals.first { $0.name == "type" } ?? vals.first { $0.name == "label" }).map { Self.text(of: $0.value) }
        }
        if type == nil { type = item.yLabel }
        var evidence: [Evidence] = []
        var first = Evidence(reading: "")
        var hasFirst = false
        var props: [(String, Value)] = []
        for v in vals {
            var n = v.name
            if n == (options.typeKey ?? "type") || (options.typeKey == nil && n == "label" && type == Self.text(of: v.value)) { continue }
            switch n {
            case "reading": first.reading = Self.text(of: v.value); hasFirst = true; continue
            case "locator":
                let t = Self.text(of: v.value)
                if let l = Locator(t) { first.locator = l; hasFirst = true } else {
                    warn("'\(Self.clip(t))' is not a locator (L<n>, L<n>-L<m>, S<n>, S<n>-S<m>); dropped", line: item.line)
                }
                continue
            case "note": first.note = Self.text(of: v.value); hasFirst = true; continue
            case "evidence" where v.key.type == .list:
                if case .list(let items) = v.value {
                    for it in items {
                        guard case .list(let parts) = it, parts.count == 3, let r = parts[0].stringValue else {
                            throw fail("malformed evidence list", line: item.line)
                        }
                        evidence.append(Evidence(reading: r, locator: parts[1].stringValue.flatMap(Locator.init),
                                                 note: parts[2].stringValue))
                    }
                }
                continue
            default: break
            }
            if n.hasPrefix("property:") { n = String(n.dropFirst("property:".count)) }
            n = Self.name(n)
            if props.contains(where: { $0.0 == n }) { continue }
            props.append((n, v.value))
        }
        if hasFirst { evidence.insert(first, at: 0) }
        let relType = Self.name(type.map { $0.isEmpty ? options.defaultRelation : $0 } ?? options.defaultRelation, upper: true)
        pendingEdges.append(PendingEdge(source: symbol(item.source), target: symbol(item.target), line: item.line,
                                        type: relType, props: props, evidence: evidence))
    }

    func resolveEdges() throws {
        for e in pendingEdges {
            let s = ids[e.source], t = ids[e.target]
            guard let src = nodeByID[s] else { throw fail("edge source '\(s)' is not a node of the graph", line: e.line) }
            guard let dst = nodeByID[t] else { throw fail("edge target '\(t)' is not a node of the graph", line: e.line) }
            var props = PropertyMap()
            for (k, v) in e.props where !v.isNull { props[graph.strings.intern(k)] = v }
            graph.addEdge(from: src, to: dst, type: graph.strings.intern(e.type), properties: props, evidence: e.evidence)
        }
        pendingEdges = []
    }
}
