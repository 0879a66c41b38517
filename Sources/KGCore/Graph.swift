/// Dense integer handle of a node. Ids are never reused within one `Graph`, even after deletion.
public struct NodeID: Hashable, Comparable, Sendable {
    public let raw: Int32
    public init(_ raw: Int32) { self.raw = raw }
    public init(_ raw: Int) { self.raw = Int32(raw) }
    public var index: Int { Int(raw) }
    public static func < (a: NodeID, b: NodeID) -> Bool { a.raw < b.raw }
}

/// Dense integer handle of an edge. Ids are never reused within one `Graph`.
public struct EdgeID: Hashable, Comparable, Sendable {
    public let raw: Int32
    public init(_ raw: Int32) { self.raw = raw }
    public init(_ raw: Int) { self.raw = Int32(raw) }
    public var index: Int { Int(raw) }
    public static func < (a: EdgeID, b: EdgeID) -> Bool { a.raw < b.raw }
}

public enum GraphError: Error, Equatable, CustomStringConvertible {
    case duplicateKey(String)
    case nodeHasEdges(NodeID, count: Int)
    case deleted

    public var description: String {
        switch self {
        case .duplicateKey(let k): return "a node with id '\(k)' already exists"
        case .nodeHasEdges(_, let n): return "node still has \(n) relationship(s); use DETACH DELETE"
        case .deleted: return "the entity was deleted"
        }
    }
}

/// The concept graph: nodes with labels and properties, typed directed edges with properties and
/// provenance, a schema, and the indexes queries need.
///
/// Storage is struct-of-arrays indexed by `NodeID`/`EdgeID`. Each node keeps its outgoing and
/// incoming edge ids sorted by (relation type, edge id), so the edges of one type are a
/// contiguous slice found by binary search: per-relation-type adjacency without a table per type.
/// Strings that repeat (labels, property keys, relation types, node keys) are interned.
public final class Graph {
    public let strings: Interner
    public var schema: Schema

    // Nodes
    public private(set) var nodeKeys: [Symbol] = []
    public private(set) var nodeLabels: [[Symbol]] = []
    public private(set) var nodeProps: [PropertyMap] = []
    public private(set) var nodeAlive: [Bool] = []
    @usableFromInline var outAdj: [[Int32]] = []
    @usableFromInline var inAdj: [[Int32]] = []

    // Edges
    public private(set) var edgeSrc: [Int32] = []
    public private(set) var edgeDst: [Int32] = []
    public private(set) var edgeType: [Symbol] = []
    public private(set) var edgeProps: [PropertyMap] = []
    public private(set) var edgeEvidence: [[Evidence]] = []
    public private(set) var edgeAlive: [Bool] = []
    /// Where relations proposed by a tool and accepted came from (sparse: most edges have none).
    public private(set) var toolOrigins: [Int32: EdgeOrigin] = [:]

    // Indexes
    private var keyIndex: [Symbol: Int32] = [:]
    private var labelIndex: [Symbol: [Int32]] = [:]
    private var nameIndex: [String: [Int32]] = [:]

    public private(set) var nodeCount = 0
    public private(set) var edgeCount = 0
    private var bulk = false

    /// Property keys that an edge exposes from its first piece of evidence.
    /// (`modality` is absent when the evidence is asserted, as in the .kg text.)
    public static let provenanceKeys: Set<String> = ["reading", "locator", "note", "modality"]
    /// Node properties that feed the name/alias index.
    public static let nameKeys: Set<String> = ["name", "aliases"]

    public let symName: Symbol
    public let symAliases: Symbol

    public init(schema: Schema = Schema(), strings: Interner = Interner()) {
        self.schema = schema
        self.strings = strings
        symName = strings.intern("name")
        symAliases = strings.intern("aliases")
    }

    public var nodeCapacity: Int { nodeKeys.count }
    public var edgeCapacity: Int { edgeSrc.count }

    public func reserve(nodes: Int, edges: Int) {
        nodeKeys.reserveCapacity(nodes); nodeLabels.reserveCapacity(nodes)
        nodeProps.reserveCapacity(nodes); nodeAlive.reserveCapacity(nodes)
        outAdj.reserveCapacity(nodes); inAdj.reserveCapacity(nodes)
        edgeSrc.reserveCapacity(edges); edgeDst.reserveCapacity(edges); edgeType.reserveCapacity(edges)
        edgeProps.reserveCapacity(edges); edgeEvidence.reserveCapacity(edges); edgeAlive.reserveCapacity(edges)
    }

    // MARK: Bulk loading

    /// While a bulk load is open, edges are appended to adjacency lists unsorted; `endBulkLoad`
    /// sorts every list once. Loading N edges costs O(N log d) instead of O(N·d).
    public func beginBulkLoad() { bulk = true }

    public func endBulkLoad() {
        guard bulk else { return }
        bulk = false
        let types = edgeType
        for i in 0..<outAdj.count {
            if outAdj[i].count > 1 { outAdj[i].sort { Self.adjLess($0, $1, types) } }
            if inAdj[i].count > 1 { inAdj[i].sort { Self.adjLess($0, $1, types) } }
        }
    }

    @inline(__always)
    static func adjLess(_ a: Int32, _ b: Int32, _ types: [Symbol]) -> Bool {
        let ta = types[Int(a)].raw, tb = types[Int(b)].raw
        return ta != tb ? ta < tb : a < b
    }

    // MARK: Nodes

    /// Adds a node. `key` is the node's .kg id (nil or empty for nodes created by a query).
    @discardableResult
    public func addNode(key: String? = nil, labels: [String] = [], properties: [(String, Value)] = []) throws -> NodeID {
        var props = PropertyMap()
        for (k, v) in properties where !v.isNull { props[strings.intern(k)] = v }
        return try addNode(key: key.map { strings.intern($0) } ?? .none,
                           labels: labels.map { strings.intern($0) }, properties: props)
    }

    @discardableResult
    public func addNode(key: Symbol, labels: [Symbol], properties: PropertyMap) throws -> NodeID {
        if key != .none, keyIndex[key] != nil { throw GraphError.duplicateKey(strings[key]) }
        let id = Int32(nodeKeys.count)
        var uniq: [Symbol] = []
        for l in labels where !uniq.contains(l) { uniq.append(l) }
        nodeKeys.append(key)
        nodeLabels.append(uniq)
        nodeProps.append(properties)
        nodeAlive.append(true)
        outAdj.append([])
        inAdj.append([])
        if key != .none { keyIndex[key] = id }
        for l in uniq { labelIndex[l, default: []].append(id) }
        indexNames(id, add: true)
        nodeCount += 1
        return NodeID(id)
    }

    public func isAlive(_ n: NodeID) -> Bool { n.index >= 0 && n.index < nodeAlive.count && nodeAlive[n.index] }
    public func isAlive(_ e: EdgeID) -> Bool { e.index >= 0 && e.index < edgeAlive.count && edgeAlive[e.index] }

    /// All live nodes in id order.
    public var nodes: LazyFilterSequence<LazyMapSequence<Range<Int>, NodeID>> {
        (0..<nodeKeys.count).lazy.map { NodeID($0) }.filter { [nodeAlive] in nodeAlive[$0.index] }
    }

    /// All live edges in id order.
    public var edges: LazyFilterSequence<LazyMapSequence<Range<Int>, EdgeID>> {
        (0..<edgeSrc.count).lazy.map { EdgeID($0) }.filter { [edgeAlive] in edgeAlive[$0.index] }
    }

    public func key(of n: NodeID) -> String { strings[nodeKeys[n.index]] }

    public func node(key: String) -> NodeID? {
        guard let s = strings.lookup(key), let id = keyIndex[s], nodeAlive[Int(id)] else { return nil }
        return NodeID(id)
    }

    /// Sets the .kg id of a node that has none yet (used when saving nodes created by a query).
    public func assignKey(_ key: String, to n: NodeID) throws {
        let s = strings.intern(key)
        if let other = keyIndex[s], other != n.raw { throw GraphError.duplicateKey(key) }
        let old = nodeKeys[n.index]
        if old != .none { keyIndex[old] = nil }
        nodeKeys[n.index] = s
        keyIndex[s] = n.raw
    }

    /// The labels stored on the node (its kind, or the labels a query gave it).
    public func ownLabels(of n: NodeID) -> [String] { nodeLabels[n.index].map { strings[$0] } }

    /// Labels including the parent kinds the schema implies: a `Study` is also a `Concept`.
    public func labels(of n: NodeID) -> [String] {
        var out: [String] = []
        for l in nodeLabels[n.index] {
            for k in schema.lineage(of: strings[l]) where !out.contains(k) { out.append(k) }
        }
        return out
    }

    /// The node's kind: its first stored label, or nil.
    public func kind(of n: NodeID) -> String? { nodeLabels[n.index].first.map { strings[$0] } }

    public func hasLabel(_ n: NodeID, _ label: String) -> Bool {
        for l in nodeLabels[n.index] {
            let s = strings[l]
            if s == label || (!schema.kinds.isEmpty && schema.isKind(s, a: label)) { return true }
        }
        return false
    }

    /// Live nodes carrying `label`, directly or through a sub-kind, in id order.
    public func nodes(withLabel label: String) -> [NodeID] {
        let kinds = schema.kinds[label] != nil ? schema.descendants(of: label) : [label]
        if kinds.count == 1 {
            guard let s = strings.lookup(label), let ids = labelIndex[s] else { return [] }
            return ids.compactMap { nodeAlive[Int($0)] ? NodeID($0) : nil }
        }
        var all: [Int32] = []
        for k in kinds { if let s = strings.lookup(k), let ids = labelIndex[s] { all.append(contentsOf: ids) } }
        all.sort()
        var out: [NodeID] = []
        var last: Int32 = -1
        for id in all where id != last && nodeAlive[Int(id)] { out.append(NodeID(id)); last = id }
        return out
    }

    /// Number of live nodes with the label (cheap estimate for the planner: may count deleted ones).
    public func labelCardinality(_ label: String) -> Int {
        let kinds = schema.kinds[label] != nil ? schema.descendants(of: label) : [label]
        return kinds.reduce(0) { acc, k in acc + (strings.lookup(k).flatMap { labelIndex[$0]?.count } ?? 0) }
    }

    @discardableResult
    public func addLabel(_ label: String, to n: NodeID) -> Bool {
        let s = strings.intern(label)
        guard !nodeLabels[n.index].contains(s) else { return false }
        nodeLabels[n.index].append(s)
        var ids = labelIndex[s, default: []]
        let pos = ids.partitioningIndex { $0 >= n.raw }
        ids.insert(n.raw, at: pos)
        labelIndex[s] = ids
        return true
    }

    @discardableResult
    public func removeLabel(_ label: String, from n: NodeID) -> Bool {
        guard let s = strings.lookup(label), let i = nodeLabels[n.index].firstIndex(of: s) else { return false }
        nodeLabels[n.index].remove(at: i)
        if var ids = labelIndex[s] {
            let pos = ids.partitioningIndex { $0 >= n.raw }
            if pos < ids.count, ids[pos] == n.raw { ids.remove(at: pos) }
            labelIndex[s] = ids
        }
        return true
    }

    // MARK: Node properties

    public func properties(of n: NodeID) -> PropertyMap { nodeProps[n.index] }

    public func property(_ n: NodeID, _ key: String) -> Value? {
        guard let s = strings.lookup(key) else { return nil }
        return nodeProps[n.index][s]
    }

    /// Sets (or, with `.null`/nil, removes) a node property, keeping the name index current.
    public func setProperty(_ n: NodeID, _ key: String, _ value: Value?) {
        let s = strings.intern(key)
        let isName = s == symName || s == symAliases
        if isName { indexNames(n.raw, add: false) }
        nodeProps[n.index][s] = (value?.isNull ?? true) ? nil : value
        if isName { indexNames(n.raw, add: true) }
    }

    /// Replaces all properties of a node.
    public func replaceProperties(_ n: NodeID, _ props: PropertyMap) {
        indexNames(n.raw, add: false)
        nodeProps[n.index] = props
        indexNames(n.raw, add: true)
    }

    /// Display name: the `name` property, else the key, else `#id`.
    public func displayName(of n: NodeID) -> String {
        if let s = nodeProps[n.index][symName]?.stringValue { return s }
        let k = nodeKeys[n.index]
        return k == .none ? "#\(n.raw)" : strings[k]
    }

    public func aliases(of n: NodeID) -> [String] { nodeProps[n.index][symAliases]?.stringList ?? [] }

    // MARK: Name index

    private func nameKeys(of id: Int32) -> [String] {
        var out: [String] = []
        let p = nodeProps[Int(id)]
        if let n = p[symName]?.stringValue { out.append(NameKey.normalize(n)) }
        for a in p[symAliases]?.stringList ?? [] { out.append(NameKey.normalize(a)) }
        let k = nodeKeys[Int(id)]
        if k != .none { out.append(NameKey.normalize(strings[k])) }
        var uniq: [String] = []
        for s in out where !s.isEmpty && !uniq.contains(s) { uniq.append(s) }
        return uniq
    }

    private func indexNames(_ id: Int32, add: Bool) {
        for k in nameKeys(of: id) {
            if add {
                nameIndex[k, default: []].append(id)
            } else if var list = nameIndex[k] {
                list.removeAll { $0 == id }
                nameIndex[k] = list.isEmpty ? nil : list
            }
        }
    }

    /// Nodes whose name, alias or key matches `name` case-insensitively (under `NameKey`).
    /// Exact names rank before aliases; ties in id order.
    public func resolve(name: String) -> [NodeID] {
        let k = NameKey.normalize(name)
        guard let ids = nameIndex[k] else { return [] }
        var live = ids.filter { nodeAlive[Int($0)] }
        live.sort()
        var uniq: [Int32] = []
        for id in live where uniq.last != id { uniq.append(id) }
        let exact = uniq.filter { id in nodeProps[Int(id)][symName]?.stringValue.map(NameKey.normalize) == k }
        let rest = uniq.filter { !exact.contains($0) }
        return (exact + rest).map(NodeID.init)
    }

    /// True when `n` is known under `name` (its name, an alias or its key).
    public func isNamed(_ n: NodeID, _ name: String) -> Bool {
        nameKeys(of: n.raw).contains(NameKey.normalize(name))
    }

    /// Every indexed name key (normalised), for "did you mean" suggestions and matchers.
    public var indexedNames: Dictionary<String, [Int32]>.Keys { nameIndex.keys }

    // MARK: Edges

    @discardableResult
    public func addEdge(from src: NodeID, to dst: NodeID, type: String,
                        properties: [(String, Value)] = [], evidence: [Evidence] = []) -> EdgeID {
        var props = PropertyMap()
        var ev = evidence
        for (k, v) in properties where !v.isNull {
            if Self.provenanceKeys.contains(k) { Self.setProvenance(&ev, k, v) } else { props[strings.intern(k)] = v }
        }
        return addEdge(from: src, to: dst, type: strings.intern(type), properties: props, evidence: ev)
    }

    @discardableResult
    public func addEdge(from src: NodeID, to dst: NodeID, type: Symbol, properties: PropertyMap,
                        evidence: [Evidence]) -> EdgeID {
        let id = Int32(edgeSrc.count)
        edgeSrc.append(src.raw)
        edgeDst.append(dst.raw)
        edgeType.append(type)
        edgeProps.append(properties)
        edgeEvidence.append(evidence)
        edgeAlive.append(true)
        if bulk {
            outAdj[src.index].append(id)
            inAdj[dst.index].append(id)
        } else {
            insertAdj(&outAdj[src.index], id)
            insertAdj(&inAdj[dst.index], id)
        }
        edgeCount += 1
        return EdgeID(id)
    }

    private func insertAdj(_ list: inout [Int32], _ id: Int32) {
        let types = edgeType
        if let last = list.last, !Self.adjLess(id, last, types) {
            list.append(id)
            return
        }
        let pos = list.partitioningIndex { !Self.adjLess($0, id, types) }
        list.insert(id, at: pos)
    }

    private func removeAdj(_ list: inout [Int32], _ id: Int32) {
        let types = edgeType
        let pos = list.partitioningIndex { !Self.adjLess($0, id, types) }
        if pos < list.count, list[pos] == id { list.remove(at: pos) } else { list.removeAll { $0 == id } }
    }

    public func source(of e: EdgeID) -> NodeID { NodeID(edgeSrc[e.index]) }
    public func target(of e: EdgeID) -> NodeID { NodeID(edgeDst[e.index]) }
    public func typeName(of e: EdgeID) -> String { strings[edgeType[e.index]] }
    public func type(of e: EdgeID) -> Symbol { edgeType[e.index] }
    public func evidence(of e: EdgeID) -> [Evidence] { edgeEvidence[e.index] }

    public func setEvidence(_ e: EdgeID, _ ev: [Evidence]) { edgeEvidence[e.index] = ev }

    /// The tool and acceptance record of a relation proposed by a tool (`kg link`), if any.
    public func origin(of e: EdgeID) -> EdgeOrigin? { toolOrigins[e.raw] }
    public func setOrigin(_ e: EdgeID, _ origin: EdgeOrigin?) { toolOrigins[e.raw] = origin }

    /// Outgoing edge ids of `n`, all or of one relation type, sorted by (type, id).
    public func outEdges(_ n: NodeID, type: Symbol? = nil) -> ArraySlice<Int32> {
        slice(outAdj[n.index], type)
    }

    /// Incoming edge ids of `n`, all or of one relation type, sorted by (type, id).
    public func inEdges(_ n: NodeID, type: Symbol? = nil) -> ArraySlice<Int32> {
        slice(inAdj[n.index], type)
    }

    public func outDegree(_ n: NodeID) -> Int { outAdj[n.index].count }
    public func inDegree(_ n: NodeID) -> Int { inAdj[n.index].count }
    public func degree(_ n: NodeID) -> Int { outAdj[n.index].count + inAdj[n.index].count }

    private func slice(_ list: [Int32], _ type: Symbol?) -> ArraySlice<Int32> {
        guard let t = type else { return list[...] }
        let types = edgeType
        let lo = list.partitioningIndex { types[Int($0)].raw >= t.raw }
        let hi = list[lo...].partitioningIndex { types[Int($0)].raw > t.raw }
        return list[lo..<hi]
    }

    /// Edge properties as a query sees them: the stored properties plus `reading`, `locator` and
    /// `note` from the first piece of evidence.
    public func properties(of e: EdgeID) -> [(key: String, value: Value)] {
        var out: [(key: String, value: Value)] = []
        if let ev = edgeEvidence[e.index].first {
            out.append(("reading", .string(ev.reading)))
            if let l = ev.locator { out.append(("locator", .string(l.description))) }
            if let n = ev.note { out.append(("note", .string(n))) }
            if ev.modality != .asserted { out.append(("modality", .string(ev.modality.rawValue))) }
        }
        for (k, v) in edgeProps[e.index] { out.append((strings[k], v)) }
        return out
    }

    public func storedProperties(of e: EdgeID) -> PropertyMap { edgeProps[e.index] }

    public func property(_ e: EdgeID, _ key: String) -> Value? {
        if Self.provenanceKeys.contains(key) {
            guard let ev = edgeEvidence[e.index].first else { return nil }
            switch key {
            case "reading": return .string(ev.reading)
            case "locator": return ev.locator.map { .string($0.description) }
            case "modality": return ev.modality == .asserted ? nil : .string(ev.modality.rawValue)
            default: return ev.note.map { .string($0) }
            }
        }
        guard let s = strings.lookup(key) else { return nil }
        return edgeProps[e.index][s]
    }

    /// Sets or removes an edge property; `reading`, `locator` and `note` edit the first evidence.
    public func setProperty(_ e: EdgeID, _ key: String, _ value: Value?) {
        if Self.provenanceKeys.contains(key) {
            Self.setProvenance(&edgeEvidence[e.index], key, value ?? .null)
            return
        }
        edgeProps[e.index][strings.intern(key)] = (value?.isNull ?? true) ? nil : value
    }

    private static func setProvenance(_ ev: inout [Evidence], _ key: String, _ value: Value) {
        let text: String? = {
            switch value {
            case .null: return nil
            case .string(let s): return s
            case .int(let i): return String(i)
            case .float(let d): return String(d)
            case .bool(let b): return String(b)
            case .list: return nil
            case .temporal(let t): return t.text
            }
        }()
        if ev.isEmpty {
            guard text != nil else { return }
            ev.append(Evidence(reading: ""))
        }
        switch key {
        case "reading": ev[0].reading = text ?? ""
        case "locator": ev[0].locator = text.flatMap(Locator.init)
        case "modality": ev[0].modality = text.flatMap(Modality.init(rawValue:)) ?? .asserted
        default: ev[0].note = text
        }
        if ev[0].reading.isEmpty && ev[0].locator == nil && ev[0].note == nil { ev.removeFirst() }
    }

    public func replaceProperties(_ e: EdgeID, _ props: [(String, Value)]) {
        edgeProps[e.index] = PropertyMap()
        edgeEvidence[e.index] = []
        for (k, v) in props { setProperty(e, k, v) }
    }

    // MARK: Deletion

    public func removeEdge(_ e: EdgeID) {
        guard isAlive(e) else { return }
        edgeAlive[e.index] = false
        removeAdj(&outAdj[Int(edgeSrc[e.index])], e.raw)
        removeAdj(&inAdj[Int(edgeDst[e.index])], e.raw)
        edgeCount -= 1
    }

    /// Removes a node. Without `detach`, fails when the node still has edges.
    public func removeNode(_ n: NodeID, detach: Bool = false) throws {
        guard isAlive(n) else { return }
        let attached = outAdj[n.index].count + inAdj[n.index].count
        if attached > 0 {
            guard detach else { throw GraphError.nodeHasEdges(n, count: attached) }
            for e in outAdj[n.index] + inAdj[n.index] { removeEdge(EdgeID(e)) }
        }
        indexNames(n.raw, add: false)
        for l in nodeLabels[n.index] {
            if var ids = labelIndex[l] {
                ids.removeAll { $0 == n.raw }
                labelIndex[l] = ids
            }
        }
        let k = nodeKeys[n.index]
        if k != .none, keyIndex[k] == n.raw { keyIndex[k] = nil }
        nodeAlive[n.index] = false
        nodeCount -= 1
    }
}

extension RandomAccessCollection {
    /// Index of the first element for which `pred` is true, assuming the collection is
    /// partitioned (all false then all true). Binary search.
    @inlinable
    public func partitioningIndex(where pred: (Element) throws -> Bool) rethrows -> Index {
        var lo = startIndex
        var n = count
        while n > 0 {
            let half = n / 2
            let mid = index(lo, offsetBy: half)
            if try pred(self[mid]) {
                n = half
            } else {
                lo = index(after: mid)
                n -= half + 1
            }
        }
        return lo
    }
}
