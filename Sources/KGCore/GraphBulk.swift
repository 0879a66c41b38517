/// A property value handed to the store in bulk: strings as interned symbols, numbers unboxed.
public enum ColumnValue {
    case symbol(Symbol)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case symbols([Symbol])
    case value(Value)
    /// A string as UTF-8 bytes (valid during the call); interned or kept as text by the column.
    case bytes(UnsafeRawBufferPointer)
}

/// The bulk-loading interface of the store, for the .kg loader: nodes and edges are appended
/// column by column with interned strings, and nothing is indexed until `endBulkLoad`. Use it
/// between `beginBulkLoad()` and `endBulkLoad()`.
extension Graph {
    /// Appends a node with one label (`.none` for none) and no properties; returns its id.
    public func bulkAppendNode(key: Symbol, label: Symbol) -> Int32 {
        appendNodeOneLabel(key: key, label: label)
    }

    /// The node with key symbol `key` (live or not), if any.
    public func bulkNode(forKey key: Symbol) -> Int32? { nodeID(forKey: key) }

    private func bulkSet(_ table: PropertyTable, _ i: Int, _ keys: [Symbol], _ values: [ColumnValue]) {
        let shape = table.shapeByTransitions(keys)
        table.shapeOf[i] = shape
        let slots = table.shapeSlots[Int(shape)]
        for j in 0..<keys.count {
            let col = table.columns[Int(slots[j])]
            switch values[j] {
            case .symbol(let s): col.setSymbol(i, s, strings)
            case .int(let x): col.set(i, .int(x), strings)
            case .float(let x): col.set(i, .float(x), strings)
            case .bool(let x): col.set(i, .bool(x), strings)
            case .symbols(let l): col.setSymbolList(i, l, strings)
            case .value(let v): if !v.isNull { col.set(i, v, strings) }
            case .bytes(let p): col.setBytes(i, p, strings)
            }
        }
    }

    /// Sets all properties of node `node` (distinct keys, in order; no null values).
    public func bulkSetProperties(node: Int32, keys: [Symbol], values: [ColumnValue]) {
        bulkSet(nodeTable, Int(node), keys, values)
    }

    /// Sets all stored properties of edge `edge` (distinct keys, in order; no provenance keys).
    public func bulkSetProperties(edge: Int32, keys: [Symbol], values: [ColumnValue]) {
        bulkSet(edgeTable, Int(edge), keys, values)
    }

    /// Appends an edge between existing nodes; then append its evidence and call `bulkCloseEdge`.
    public func bulkAppendEdge(src: Int32, dst: Int32, type: Symbol) -> Int32 {
        appendEdge(src: src, dst: dst, type: type)
    }

    /// Appends one piece of evidence to the edge being appended.
    public func bulkAppendEvidence(reading: Symbol, locator: Locator?, note: Symbol?, modality: Modality) {
        evidenceStore.appendRow(reading: reading, locator: locator, note: note, modality: modality)
    }

    /// Ends the edge being appended (after its evidence).
    public func bulkCloseEdge(_ e: Int32) {
        evidenceStore.closeEdge()
        linkEdge(e)
    }

    /// The interned normal form (`NameKey`) of an interned string.
    public func normalizedNameSymbol(_ s: Symbol) -> Symbol { normalizedSymbol(s) }

    /// The interned normal form (`NameKey`) of a string given as UTF-8 bytes.
    public func normalizedNameSymbol(bytes p: UnsafeRawBufferPointer) -> Symbol { normalizedSymbol(bytes: p) }

    /// Adds `node` under the normalised name `key` to the name index (`isName`: it is the node's
    /// name rather than an alias or its key). The loader adds the name, the aliases and the key of
    /// every node it appends.
    public func bulkIndexName(_ key: Symbol, node: Int32, isName: Bool) {
        guard key != .none else { return }
        names.bulkAppend(key, node, isName)
    }
}

/// Column access for whole-graph scans (stats, load checks, the query executor).
extension Graph {
    /// The evidence reading column: the rows of edge e are `offsets[e]..<offsets[e + 1]` and hold
    /// reading-id symbols in `readings`. Edges in `edgesWithReplacedEvidence` had their evidence
    /// replaced after they were added; read those with `evidence(of:)`.
    public var evidenceColumns: (offsets: [Int32], readings: [Int32]) { (evidenceStore.offsets, evidenceStore.reading) }

    public var edgesWithReplacedEvidence: Set<Int32> { evidenceStore.overridden }

    /// The first label of every node (`.none` for none), by node index.
    public var kindColumn: [Symbol] { nodeKind }
}

extension Graph {
    /// Folds every edit overlay back into the base stores (adjacency CSR, name index, replaced
    /// evidence), as a bulk load would have built them. Changes nothing a query can observe.
    func compactForImage() {
        compactAdjacency()
        names.compact()
        evidenceStore.compact(strings)
    }
}

extension Graph {
    /// Bytes held by each part of the store (capacities), largest first: for `kg stats --timings`
    /// and the benchmarks.
    public var memoryReport: [(part: String, bytes: Int)] {
        var out: [(String, Int)] = []
        out.append(("strings (\(strings.count) interned)", strings.memoryBytes))
        out.append(("node columns (keys, kinds, alive)", nodeKeys.capacity * 4 + nodeKind.capacity * 4 + nodeAlive.capacity))
        for c in nodeTable.columns { out.append(("node property '\(strings[c.key])' (\(c.kind))", c.memoryBytes)) }
        out.append(("node shapes", nodeTable.shapeOf.capacity * 4))
        out.append(("edge columns (source, target, type, alive)", edgeSrc.capacity * 4 + edgeDst.capacity * 4 + edgeType.capacity * 4 + edgeAlive.capacity))
        for c in edgeTable.columns { out.append(("edge property '\(strings[c.key])' (\(c.kind))", c.memoryBytes)) }
        out.append(("edge shapes", edgeTable.shapeOf.capacity * 4))
        out.append(("evidence", evidenceStore.memoryBytes))
        out.append(("adjacency (CSR, both directions)", outAdjacency.memoryBytes + inAdjacency.memoryBytes))
        out.append(("key index", keyNode.capacity * 4))
        out.append(("name index", names.memoryBytes))
        return out.sorted { $0.1 > $1.1 }
    }
}
