import Dispatch

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
/// Storage is columnar, indexed by `NodeID`/`EdgeID`:
/// - nodes: key, kind (first label; further labels aside), a property *shape* and one column per
///   property key (`PropertyTable`);
/// - edges: source, target and type columns, a property shape and columns, and the evidence as
///   columns (`EvidenceStore`);
/// - adjacency: CSR per direction (`Adjacency`), each node's edges sorted by (relation type, edge
///   id), so the edges of one type are a contiguous slice; edits after the build go to an overlay
///   until `compactAdjacency()`;
/// - strings (keys, labels, types, string values) interned in one `Interner`;
/// - the name/alias index as one sorted array (`NameIndex`), node keys as a dense array by symbol.
///
/// A bulk load (`beginBulkLoad` … `endBulkLoad`) appends to the columns and builds the CSR and the
/// name index once at the end: one pass plus one sort.
public final class Graph {
    public let strings: Interner
    public var schema: Schema

    // Nodes
    public private(set) var nodeKeys: [Symbol] = []
    /// First label of each node (`.none` for a node without labels).
    var nodeKind: [Symbol] = []
    /// Labels after the first, for the rare node with several.
    var extraLabels: [Int32: [Symbol]] = [:]
    let nodeTable: PropertyTable
    public private(set) var nodeAlive: [Bool] = []

    // Edges
    public private(set) var edgeSrc: [Int32] = []
    public private(set) var edgeDst: [Int32] = []
    public private(set) var edgeType: [Symbol] = []
    let edgeTable: PropertyTable
    let evidenceStore: EvidenceStore
    public private(set) var edgeAlive: [Bool] = []
    /// Where relations proposed by a tool and accepted came from (sparse: most edges have none).
    public private(set) var toolOrigins: [Int32: EdgeOrigin] = [:]

    // Adjacency
    public private(set) var outAdjacency = Adjacency()
    public private(set) var inAdjacency = Adjacency()

    // Indexes
    /// Node id by key symbol (indexed by the symbol's raw value; -1 for none).
    var keyNode: [Int32] = []
    var labelIndexStorage: [Symbol: [Int32]] = [:]
    /// Set while a bulk load appends nodes without indexing their labels.
    private var labelIndexStale = false
    var labelIndex: [Symbol: [Int32]] {
        get {
            if labelIndexStale { rebuildLabelIndex() }
            return labelIndexStorage
        }
    }
    let names: NameIndex

    public private(set) var nodeCount = 0
    public private(set) var edgeCount = 0
    private var bulk = false
    private var normScratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)

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
        names = NameIndex()
        nodeTable = PropertyTable()
        edgeTable = PropertyTable()
        evidenceStore = EvidenceStore()
    }

    /// Restores a graph from its stores (`GraphImage`).
    init(schema: Schema, strings: Interner, nodeKeys: [Symbol], nodeKind: [Symbol], extraLabels: [Int32: [Symbol]],
         nodeAlive: [Bool], nodeTable: PropertyTable, edgeSrc: [Int32], edgeDst: [Int32], edgeType: [Symbol], edgeAlive: [Bool],
         edgeTable: PropertyTable, evidence: EvidenceStore, toolOrigins: [Int32: EdgeOrigin], out: Adjacency, in inAdj: Adjacency,
         keyNode: [Int32], names: NameIndex) {
        self.nodeTable = nodeTable
        self.edgeTable = edgeTable
        self.evidenceStore = evidence
        self.schema = schema
        self.strings = strings
        symName = strings.intern("name")
        symAliases = strings.intern("aliases")
        self.nodeKeys = nodeKeys
        self.nodeKind = nodeKind
        self.extraLabels = extraLabels
        self.nodeAlive = nodeAlive
        self.edgeSrc = edgeSrc
        self.edgeDst = edgeDst
        self.edgeType = edgeType
        self.edgeAlive = edgeAlive
        self.toolOrigins = toolOrigins
        self.outAdjacency = out
        self.inAdjacency = inAdj
        self.keyNode = keyNode
        self.names = names
        nodeCount = nodeAlive.reduce(0) { $0 + ($1 ? 1 : 0) }
        edgeCount = edgeAlive.reduce(0) { $0 + ($1 ? 1 : 0) }
        builtEdges = edgeSrc.count
        rebuildLabelIndex()
    }

    deinit { normScratch.deallocate() }

    public var nodeCapacity: Int { nodeKeys.count }
    public var edgeCapacity: Int { edgeSrc.count }

    public func reserve(nodes: Int, edges: Int) {
        nodeKeys.reserveCapacity(nodes); nodeKind.reserveCapacity(nodes); nodeAlive.reserveCapacity(nodes)
        nodeTable.reserve(nodes)
        edgeSrc.reserveCapacity(edges); edgeDst.reserveCapacity(edges); edgeType.reserveCapacity(edges)
        edgeTable.reserve(edges); edgeAlive.reserveCapacity(edges)
        evidenceStore.reserve(edges: edges, rows: edges)
    }

    // MARK: Column views (source compatibility with the former stored arrays)

    /// The labels of every node, by node index.
    public var nodeLabels: NodeLabelsView { NodeLabelsView(kinds: nodeKind, extra: extraLabels) }
    /// The properties of every node, by node index.
    public var nodeProps: PropertyMapsView { PropertyMapsView(table: nodeTable, strings: strings) }
    /// The stored (non-provenance) properties of every edge, by edge index.
    public var edgeProps: PropertyMapsView { PropertyMapsView(table: edgeTable, strings: strings) }
    /// The evidence of every edge, by edge index.
    public var edgeEvidence: EvidenceListsView { EvidenceListsView(store: evidenceStore, strings: strings) }

    // MARK: Bulk loading

    /// While a bulk load is open, edges are appended to the columns only; `endBulkLoad` builds the
    /// adjacency (CSR) and the name index once: O(N + E) plus one sort.
    public func beginBulkLoad() { bulk = true }

    public func endBulkLoad() {
        guard bulk else { return }
        bulk = false
        compactAdjacency(force: true)
        names.finishBulk()
        if labelIndexStale { rebuildLabelIndex() }
    }

    /// True while no edits sit on top of the CSR adjacency (see `Adjacency`).
    public var adjacencyIsCompact: Bool {
        outAdjacency.isCompact && inAdjacency.isCompact && outAdjacency.builtNodes == nodeKeys.count
            && inAdjacency.builtNodes == nodeKeys.count && builtEdges == edgeSrc.count
    }
    private var builtEdges = 0

    /// Rebuilds the CSR adjacency when edits made it partial (no-op otherwise). Both directions
    /// are built in parallel.
    public func compactAdjacency(force: Bool = false) {
        if !force && adjacencyIsCompact { return }
        let n = nodeKeys.count
        var out = Adjacency(), inn = Adjacency()
        let src = edgeSrc, dst = edgeDst, types = edgeType, alive = edgeAlive
        if src.count > 50_000 {
            let lock = NSLockLite()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let a = i == 0 ? Adjacency.build(nodeCount: n, from: src, to: dst, types: types, alive: alive)
                    : Adjacency.build(nodeCount: n, from: dst, to: src, types: types, alive: alive)
                lock.withLock { if i == 0 { out = a } else { inn = a } }
            }
        } else {
            out = Adjacency.build(nodeCount: n, from: src, to: dst, types: types, alive: alive)
            inn = Adjacency.build(nodeCount: n, from: dst, to: src, types: types, alive: alive)
        }
        outAdjacency = out
        inAdjacency = inn
        builtEdges = src.count
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
        if key != .none, nodeID(forKey: key) != nil { throw GraphError.duplicateKey(strings[key]) }
        let id = appendNode(key: key, labels: labels)
        nodeTable.replace(Int(id), properties, strings)
        indexNames(id, add: true)
        return NodeID(id)
    }

    /// Appends a node without properties (the loader sets them column by column).
    func appendNode(key: Symbol, labels: [Symbol]) -> Int32 {
        let id = Int32(nodeKeys.count)
        var uniq: [Symbol] = []
        for l in labels where !uniq.contains(l) { uniq.append(l) }
        nodeKeys.append(key)
        nodeKind.append(uniq.first ?? .none)
        if uniq.count > 1 { extraLabels[id] = Array(uniq.dropFirst()) }
        nodeTable.appendEntity()
        nodeAlive.append(true)
        if key != .none { setKeyNode(key, id) }
        if bulk || labelIndexStale { labelIndexStale = true } else { for l in uniq { labelIndexStorage[l, default: []].append(id) } }
        nodeCount += 1
        return id
    }

    /// `appendNode` for one label (or none), without arrays.
    func appendNodeOneLabel(key: Symbol, label: Symbol) -> Int32 {
        let id = Int32(nodeKeys.count)
        nodeKeys.append(key)
        nodeKind.append(label)
        nodeTable.appendEntity()
        nodeAlive.append(true)
        if key != .none { setKeyNode(key, id) }
        if bulk || labelIndexStale { labelIndexStale = true } else if label != .none { labelIndexStorage[label, default: []].append(id) }
        nodeCount += 1
        return id
    }

    @inline(__always)
    func nodeID(forKey key: Symbol) -> Int32? {
        let k = Int(key.raw)
        guard k < keyNode.count else { return nil }
        let id = keyNode[k]
        return id >= 0 ? id : nil
    }

    private func setKeyNode(_ key: Symbol, _ id: Int32) {
        let k = Int(key.raw)
        if k >= keyNode.count { keyNode.extend(to: max(k + 1, strings.count), with: -1) }
        keyNode[k] = id
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
        guard let s = strings.lookup(key), let id = nodeID(forKey: s), nodeAlive[Int(id)] else { return nil }
        return NodeID(id)
    }

    /// The live node with the key symbol `key`.
    public func node(keySymbol key: Symbol) -> NodeID? {
        guard let id = nodeID(forKey: key), nodeAlive[Int(id)] else { return nil }
        return NodeID(id)
    }

    /// Sets the .kg id of a node that has none yet (used when saving nodes created by a query).
    public func assignKey(_ key: String, to n: NodeID) throws {
        let s = strings.intern(key)
        if let other = nodeID(forKey: s), other != n.raw { throw GraphError.duplicateKey(key) }
        indexNames(n.raw, add: false)
        let old = nodeKeys[n.index]
        if old != .none, nodeID(forKey: old) == n.raw { keyNode[Int(old.raw)] = -1 }
        nodeKeys[n.index] = s
        setKeyNode(s, n.raw)
        indexNames(n.raw, add: true)
    }

    /// The labels stored on the node, as symbols (its kind first).
    public func labelSymbols(of n: NodeID) -> LabelList { LabelList(first: nodeKind[n.index], rest: extraLabels[n.raw]) }

    /// The labels stored on the node (its kind, or the labels a query gave it).
    public func ownLabels(of n: NodeID) -> [String] { labelSymbols(of: n).map { strings[$0] } }

    /// Labels including the parent kinds the schema implies: a `Study` is also a `Concept`.
    public func labels(of n: NodeID) -> [String] {
        var out: [String] = []
        for l in labelSymbols(of: n) {
            for k in schema.lineage(of: strings[l]) where !out.contains(k) { out.append(k) }
        }
        return out
    }

    /// The node's kind: its first stored label, or nil.
    public func kind(of n: NodeID) -> String? {
        let k = nodeKind[n.index]
        return k == .none ? nil : strings[k]
    }

    /// The node's kind as a symbol (`.none` when it has no label).
    public func kindSymbol(of n: NodeID) -> Symbol { nodeKind[n.index] }

    public func hasLabel(_ n: NodeID, _ label: String) -> Bool {
        for l in labelSymbols(of: n) {
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

    /// Ids of the nodes stored with the label symbol `label` (exactly; no sub-kinds), ascending,
    /// possibly including deleted nodes.
    public func nodeIDs(withLabelSymbol label: Symbol) -> [Int32] { labelIndex[label] ?? [] }

    /// Number of live nodes with the label (cheap estimate for the planner: may count deleted ones).
    public func labelCardinality(_ label: String) -> Int {
        let kinds = schema.kinds[label] != nil ? schema.descendants(of: label) : [label]
        return kinds.reduce(0) { acc, k in acc + (strings.lookup(k).flatMap { labelIndex[$0]?.count } ?? 0) }
    }

    @discardableResult
    public func addLabel(_ label: String, to n: NodeID) -> Bool {
        let s = strings.intern(label)
        guard !labelSymbols(of: n).contains(s) else { return false }
        if nodeKind[n.index] == .none { nodeKind[n.index] = s } else { extraLabels[n.raw, default: []].append(s) }
        if labelIndexStale { rebuildLabelIndex() }
        var ids = labelIndexStorage[s, default: []]
        let pos = ids.partitioningIndex { $0 >= n.raw }
        ids.insert(n.raw, at: pos)
        labelIndexStorage[s] = ids
        return true
    }

    @discardableResult
    public func removeLabel(_ label: String, from n: NodeID) -> Bool {
        guard let s = strings.lookup(label) else { return false }
        var all = Array(labelSymbols(of: n))
        guard let i = all.firstIndex(of: s) else { return false }
        all.remove(at: i)
        nodeKind[n.index] = all.first ?? .none
        extraLabels[n.raw] = all.count > 1 ? Array(all.dropFirst()) : nil
        if labelIndexStale { rebuildLabelIndex() }
        if var ids = labelIndexStorage[s] {
            let pos = ids.partitioningIndex { $0 >= n.raw }
            if pos < ids.count, ids[pos] == n.raw { ids.remove(at: pos) }
            labelIndexStorage[s] = ids
        }
        return true
    }

    private func rebuildLabelIndex() {
        var slot: [Symbol: Int] = [:]
        var lists: [[Int32]] = []
        var last = Symbol.none, lastSlot = -1
        for i in 0..<nodeKind.count {
            let k = nodeKind[i]
            if k == .none { continue }
            if k != last {
                if let s = slot[k] { lastSlot = s } else {
                    lastSlot = lists.count
                    slot[k] = lastSlot
                    lists.append([])
                }
                last = k
            }
            lists[lastSlot].append(Int32(i))
        }
        if !extraLabels.isEmpty {
            for (n, ls) in extraLabels.sorted(by: { $0.key < $1.key }) {
                for l in ls {
                    if let s = slot[l] { lists[s].append(n) } else {
                        slot[l] = lists.count
                        lists.append([n])
                    }
                }
            }
            for i in lists.indices where zip(lists[i], lists[i].dropFirst()).contains(where: { $0 >= $1 }) { lists[i].sort() }
        }
        var idx: [Symbol: [Int32]] = [:]
        for (k, s) in slot { idx[k] = lists[s] }
        labelIndexStale = false
        labelIndexStorage = idx
    }

    // MARK: Node properties

    public func properties(of n: NodeID) -> PropertyMap { nodeTable.map(n.index, strings) }

    public func property(_ n: NodeID, _ key: String) -> Value? {
        guard let s = strings.lookup(key) else { return nil }
        return nodeTable.get(n.index, s, strings)
    }

    /// A node property by key symbol.
    public func property(_ n: NodeID, key s: Symbol) -> Value? { nodeTable.get(n.index, s, strings) }

    /// True when the node has the property.
    public func hasProperty(_ n: NodeID, key s: Symbol) -> Bool { nodeTable.has(n.index, s) }

    /// The column of a node property key (nil when no node ever had it). With `hasProperty`, lets a
    /// scan read interned symbols or numbers without building `Value`s.
    public func nodeColumn(_ key: Symbol) -> PropertyColumn? { nodeTable.column(key) }

    /// Sets (or, with `.null`/nil, removes) a node property, keeping the name index current.
    public func setProperty(_ n: NodeID, _ key: String, _ value: Value?) {
        let s = strings.intern(key)
        let isName = s == symName || s == symAliases
        if isName { indexNames(n.raw, add: false) }
        nodeTable.set(n.index, s, value, strings)
        if isName { indexNames(n.raw, add: true) }
    }

    /// Replaces all properties of a node.
    public func replaceProperties(_ n: NodeID, _ props: PropertyMap) {
        indexNames(n.raw, add: false)
        nodeTable.replace(n.index, props, strings)
        indexNames(n.raw, add: true)
    }

    /// Display name: the `name` property, else the key, else `#id`.
    public func displayName(of n: NodeID) -> String {
        if let s = nodeTable.get(n.index, symName, strings)?.stringValue { return s }
        let k = nodeKeys[n.index]
        return k == .none ? "#\(n.raw)" : strings[k]
    }

    public func aliases(of n: NodeID) -> [String] { nodeTable.get(n.index, symAliases, strings)?.stringList ?? [] }

    // MARK: Name index

    /// The normal form of an interned string, interned.
    func normalizedSymbol(_ s: Symbol) -> Symbol {
        if let same = strings.withBytes(s, { p -> Bool? in
            if case .alreadyNormal = NameKeyBytes.normalizeASCII(p, into: normScratchFor(p.count)) { return true }
            return nil
        }), same {
            return s
        }
        return strings.withBytes(s) { normalizedSymbol(bytes: $0) }
    }

    private func normScratchFor(_ n: Int) -> UnsafeMutableBufferPointer<UInt8> {
        if n > normScratch.count {
            normScratch.deallocate()
            normScratch = UnsafeMutableBufferPointer.allocate(capacity: max(n, 2 * normScratch.count))
        }
        return normScratch
    }

    /// The interned normal form of UTF-8 bytes (which must not point into `strings`' storage when
    /// they need interning: the pool may move).
    func normalizedSymbol(bytes p: UnsafeRawBufferPointer) -> Symbol {
        let scratch = normScratchFor(p.count)
        switch NameKeyBytes.normalizeASCII(p, into: scratch) {
        case .alreadyNormal:
            let copy = Array(p)
            return copy.withUnsafeBytes { strings.intern(bytes: $0) }
        case .normalized(let n): return strings.intern(bytes: UnsafeRawBufferPointer(start: scratch.baseAddress, count: n))
        case .notASCII: return strings.intern(NameKey.normalize(String(decoding: p, as: UTF8.self)))
        }
    }

    /// Normalised name keys of a node (name first), without duplicates or empty keys.
    private func nameKeySymbols(of id: Int32) -> [(key: Symbol, isName: Bool)] {
        var out: [(key: Symbol, isName: Bool)] = []
        func add(_ k: Symbol, _ isName: Bool) {
            if k == .none || out.contains(where: { $0.key == k }) { return }
            out.append((k, isName))
        }
        let i = Int(id)
        if nodeTable.has(i, symName), let col = nodeTable.column(symName) {
            if let s = col.symbol(at: i) { add(normalizedSymbol(s), true) }
            else if let s = col.get(i, strings).stringValue { add(strings.intern(NameKey.normalize(s)), true) }
        }
        if nodeTable.has(i, symAliases), let col = nodeTable.column(symAliases) {
            if col.kind == .stringList {
                for a in col.listSymbols(i) { add(normalizedSymbol(Symbol(raw: a)), false) }
            } else {
                for a in col.get(i, strings).stringList { add(strings.intern(NameKey.normalize(a)), false) }
            }
        }
        let k = nodeKeys[i]
        if k != .none { add(normalizedSymbol(k), false) }
        return out
    }

    private func indexNames(_ id: Int32, add: Bool) {
        for (k, isName) in nameKeySymbols(of: id) {
            if add {
                if bulk { names.bulkAppend(k, id, isName) } else { names.add(k, id, isName) }
            } else {
                names.remove(k, id, isName)
            }
        }
    }

    /// Adds node `id`'s names to the index (the loader calls it after setting the properties).
    func indexNamesOf(_ id: Int32) { indexNames(id, add: true) }

    /// Nodes whose name, alias or key matches `name` case-insensitively (under `NameKey`).
    /// Exact names rank before aliases; ties in id order.
    public func resolve(name: String) -> [NodeID] {
        let k = NameKey.normalize(name)
        guard let sym = strings.lookup(k) else { return [] }
        var hits = names.lookup(sym).filter { nodeAlive[Int($0.node)] }
        hits.sort { $0.node < $1.node }
        var exact: [Int32] = [], rest: [Int32] = []
        var i = 0
        while i < hits.count {
            let id = hits[i].node
            var isName = false
            while i < hits.count && hits[i].node == id { isName = isName || hits[i].isName; i += 1 }
            if isName { exact.append(id) } else { rest.append(id) }
        }
        return (exact + rest).map(NodeID.init)
    }

    /// True when `n` is known under `name` (its name, an alias or its key).
    public func isNamed(_ n: NodeID, _ name: String) -> Bool {
        guard let sym = strings.lookup(NameKey.normalize(name)) else { return false }
        return nameKeySymbols(of: n.raw).contains { $0.key == sym }
    }

    /// Every indexed name key (normalised), for "did you mean" suggestions and matchers.
    public var indexedNames: [String] { names.keys().map { strings[$0] } }

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
        let id = appendEdge(src: src.raw, dst: dst.raw, type: type)
        if !properties.isEmpty { edgeTable.replace(Int(id), properties, strings) }
        evidenceStore.append(evidence, strings)
        linkEdge(id)
        return EdgeID(id)
    }

    /// Appends an edge's endpoint and type columns (the caller appends its evidence rows, closes
    /// them, and calls `linkEdge`).
    func appendEdge(src: Int32, dst: Int32, type: Symbol) -> Int32 {
        let id = Int32(edgeSrc.count)
        edgeSrc.append(src)
        edgeDst.append(dst)
        edgeType.append(type)
        edgeTable.appendEntity()
        edgeAlive.append(true)
        edgeCount += 1
        return id
    }

    /// Puts a new edge into the adjacency overlay (nothing during a bulk load).
    func linkEdge(_ id: Int32) {
        guard !bulk else { return }
        outAdjacency.insert(Int(edgeSrc[Int(id)]), id, edgeType)
        inAdjacency.insert(Int(edgeDst[Int(id)]), id, edgeType)
    }

    public func source(of e: EdgeID) -> NodeID { NodeID(edgeSrc[e.index]) }
    public func target(of e: EdgeID) -> NodeID { NodeID(edgeDst[e.index]) }
    public func typeName(of e: EdgeID) -> String { strings[edgeType[e.index]] }
    public func type(of e: EdgeID) -> Symbol { edgeType[e.index] }
    public func evidence(of e: EdgeID) -> [Evidence] { evidenceStore.get(e.index, strings) }
    /// Whether the edge has any evidence (no `Evidence` values built).
    public func hasEvidence(_ e: EdgeID) -> Bool { !evidenceStore.isEmpty(e.index) }
    /// The reading ids of the edge's evidence as symbols (nil after its evidence was replaced).
    public func evidenceReadingSymbols(of e: EdgeID) -> ArraySlice<Int32>? { evidenceStore.readingSymbols(e.index) }

    public func setEvidence(_ e: EdgeID, _ ev: [Evidence]) { evidenceStore.set(e.index, ev) }

    /// The tool and acceptance record of a relation proposed by a tool (`kg link`), if any.
    public func origin(of e: EdgeID) -> EdgeOrigin? { toolOrigins[e.raw] }
    public func setOrigin(_ e: EdgeID, _ origin: EdgeOrigin?) { toolOrigins[e.raw] = origin }

    /// Outgoing edge ids of `n`, all or of one relation type, sorted by (type, id).
    public func outEdges(_ n: NodeID, type: Symbol? = nil) -> ArraySlice<Int32> {
        if bulk { return bulkEdges(n, type, out: true) }
        return outAdjacency.edges(n.index, type, edgeType)
    }

    /// Incoming edge ids of `n`, all or of one relation type, sorted by (type, id).
    public func inEdges(_ n: NodeID, type: Symbol? = nil) -> ArraySlice<Int32> {
        if bulk { return bulkEdges(n, type, out: false) }
        return inAdjacency.edges(n.index, type, edgeType)
    }

    /// Adjacency read during an open bulk load (rare: a linear scan; the CSR comes at the end).
    private func bulkEdges(_ n: NodeID, _ type: Symbol?, out: Bool) -> ArraySlice<Int32> {
        let ends = out ? edgeSrc : edgeDst
        var list: [Int32] = []
        for e in 0..<ends.count where ends[e] == n.raw && edgeAlive[e] && (type == nil || edgeType[e] == type!) {
            list.append(Int32(e))
        }
        let types = edgeType
        list.sort { Adjacency.less($0, $1, types) }
        return list[...]
    }

    public func outDegree(_ n: NodeID) -> Int { bulk ? bulkEdges(n, nil, out: true).count : outAdjacency.degree(n.index) }
    public func inDegree(_ n: NodeID) -> Int { bulk ? bulkEdges(n, nil, out: false).count : inAdjacency.degree(n.index) }
    public func degree(_ n: NodeID) -> Int { outDegree(n) + inDegree(n) }

    /// Edge properties as a query sees them: the stored properties plus `reading`, `locator` and
    /// `note` from the first piece of evidence.
    public func properties(of e: EdgeID) -> [(key: String, value: Value)] {
        var out: [(key: String, value: Value)] = []
        if let ev = evidenceStore.first(e.index, strings) {
            out.append(("reading", .string(ev.reading)))
            if let l = ev.locator { out.append(("locator", .string(l.description))) }
            if let n = ev.note { out.append(("note", .string(n))) }
            if ev.modality != .asserted { out.append(("modality", .string(ev.modality.rawValue))) }
        }
        for (k, v) in edgeTable.map(e.index, strings) { out.append((strings[k], v)) }
        return out
    }

    public func storedProperties(of e: EdgeID) -> PropertyMap { edgeTable.map(e.index, strings) }

    /// The column of an edge property key (nil when no edge ever had it); see `nodeColumn`.
    public func edgeColumn(_ key: Symbol) -> PropertyColumn? { edgeTable.column(key) }

    /// True when the edge has the stored property.
    public func hasProperty(_ e: EdgeID, key s: Symbol) -> Bool { edgeTable.has(e.index, s) }

    public func property(_ e: EdgeID, _ key: String) -> Value? {
        if Self.provenanceKeys.contains(key) {
            guard let ev = evidenceStore.first(e.index, strings) else { return nil }
            switch key {
            case "reading": return .string(ev.reading)
            case "locator": return ev.locator.map { .string($0.description) }
            case "modality": return ev.modality == .asserted ? nil : .string(ev.modality.rawValue)
            default: return ev.note.map { .string($0) }
            }
        }
        guard let s = strings.lookup(key) else { return nil }
        return edgeTable.get(e.index, s, strings)
    }

    /// Sets or removes an edge property; `reading`, `locator` and `note` edit the first evidence.
    public func setProperty(_ e: EdgeID, _ key: String, _ value: Value?) {
        if Self.provenanceKeys.contains(key) {
            var ev = evidence(of: e)
            Self.setProvenance(&ev, key, value ?? .null)
            evidenceStore.set(e.index, ev)
            return
        }
        edgeTable.set(e.index, strings.intern(key), value, strings)
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
        edgeTable.replace(e.index, PropertyMap(), strings)
        evidenceStore.set(e.index, [])
        for (k, v) in props { setProperty(e, k, v) }
    }

    // MARK: Deletion

    public func removeEdge(_ e: EdgeID) {
        guard isAlive(e) else { return }
        edgeAlive[e.index] = false
        if !bulk {
            outAdjacency.remove(Int(edgeSrc[e.index]), e.raw, edgeType)
            inAdjacency.remove(Int(edgeDst[e.index]), e.raw, edgeType)
        }
        edgeCount -= 1
    }

    /// Removes a node. Without `detach`, fails when the node still has edges.
    public func removeNode(_ n: NodeID, detach: Bool = false) throws {
        guard isAlive(n) else { return }
        let attached = outDegree(n) + inDegree(n)
        if attached > 0 {
            guard detach else { throw GraphError.nodeHasEdges(n, count: attached) }
            for e in Array(outEdges(n)) + Array(inEdges(n)) { removeEdge(EdgeID(e)) }
        }
        indexNames(n.raw, add: false)
        for l in labelSymbols(of: n) {
            if labelIndexStale { rebuildLabelIndex() }
            if var ids = labelIndexStorage[l] {
                ids.removeAll { $0 == n.raw }
                labelIndexStorage[l] = ids
            }
        }
        let k = nodeKeys[n.index]
        if k != .none, nodeID(forKey: k) == n.raw { keyNode[Int(k.raw)] = -1 }
        nodeAlive[n.index] = false
        nodeCount -= 1
    }

    // MARK: Memory

    /// Bytes held by the store's columns and indexes (estimate, for benchmarks and limits).
    public var memoryBytes: Int {
        var b = strings.memoryBytes
        b += nodeKeys.capacity * 4 + nodeKind.capacity * 4 + nodeAlive.capacity + nodeTable.memoryBytes
        b += edgeSrc.capacity * 4 + edgeDst.capacity * 4 + edgeType.capacity * 4 + edgeAlive.capacity
        b += edgeTable.memoryBytes + evidenceStore.memoryBytes
        b += outAdjacency.memoryBytes + inAdjacency.memoryBytes + keyNode.capacity * 4 + names.memoryBytes
        return b
    }
}

/// A tiny lock for the two build threads (no Foundation in the hot path).
final class NSLockLite: @unchecked Sendable {
    private let q = DispatchQueue(label: "kg.graph.lock")
    func withLock<T>(_ body: () -> T) -> T { q.sync(execute: body) }
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
