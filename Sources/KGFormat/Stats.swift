import KGCore

/// Node counts by kind and edge counts by relation type, in a deterministic order
/// (descending count, then name).
public struct GraphStats: Equatable {
    public var nodes: Int
    public var edges: Int
    public var byKind: [(name: String, count: Int)]
    public var byRelation: [(name: String, count: Int)]
    public var readings: Int
    public var evidencedEdges: Int

    public static func == (a: GraphStats, b: GraphStats) -> Bool {
        a.nodes == b.nodes && a.edges == b.edges && a.byKind.map(\.name) == b.byKind.map(\.name)
            && a.byKind.map(\.count) == b.byKind.map(\.count) && a.byRelation.map(\.name) == b.byRelation.map(\.name)
            && a.byRelation.map(\.count) == b.byRelation.map(\.count)
    }

    public init(_ g: Graph) {
        var kinds: [Symbol: Int] = [:]
        var noKind = 0
        let kindCol = g.kindColumn
        var lastKind = Symbol.none, run = 0
        let nodeAlive = g.nodeAlive
        for n in 0..<g.nodeCapacity where nodeAlive[n] {
            let l = kindCol[n]
            if l == .none { noKind += 1; continue }
            if l == lastKind { run += 1; continue }
            if run > 0 { kinds[lastKind, default: 0] += run }
            lastKind = l
            run = 1
        }
        if run > 0 { kinds[lastKind, default: 0] += run }
        // Edges by type: a counting pass over the type column.
        var counts: [Int32: Int] = [:]
        var dense: [Int] = []
        var denseSym: [Int32] = []
        var slotOf: [Int32: Int] = [:]
        var evidenced = 0
        let types = g.edgeType, alive = g.edgeAlive
        let (offsets, _) = g.evidenceColumns
        let replaced = g.edgesWithReplacedEvidence
        var lastType: Int32 = -1, lastSlot = 0
        for e in 0..<types.count where alive[e] {
            let t = types[e].raw
            if t != lastType {
                if let s = slotOf[t] { lastSlot = s } else {
                    lastSlot = dense.count
                    slotOf[t] = lastSlot
                    dense.append(0)
                    denseSym.append(t)
                }
                lastType = t
            }
            dense[lastSlot] += 1
            if replaced.isEmpty || !replaced.contains(Int32(e)) {
                if offsets[e + 1] > offsets[e] { evidenced += 1 }
            } else if g.hasEvidence(EdgeID(e)) {
                evidenced += 1
            }
        }
        for (i, t) in denseSym.enumerated() { counts[t] = dense[i] }
        var rels: [Symbol: Int] = [:]
        for (t, c) in counts { rels[Symbol(raw: t)] = c }
        func sorted(_ d: [Symbol: Int]) -> [(name: String, count: Int)] {
            d.map { (g.strings[$0.key], $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        }
        nodes = g.nodeCount
        edges = g.edgeCount
        byKind = sorted(kinds)
        if noKind > 0 { byKind.append(("(no kind)", noKind)) }
        byRelation = sorted(rels)
        readings = g.strings.lookup("Reading").flatMap { kinds[$0] } ?? 0
        evidencedEdges = evidenced
    }

    public func text() -> String {
        let width = max(byKind.map(\.name.count).max() ?? 0, byRelation.map(\.name.count).max() ?? 0, 5)
        func row(_ name: String, _ n: Int) -> String {
            "  " + name + String(repeating: " ", count: width - name.count + 2) + String(n) + "\n"
        }
        var s = "nodes \(nodes)\n"
        for k in byKind { s += row(k.name, k.count) }
        s += "edges \(edges) (\(evidencedEdges) with evidence)\n"
        for r in byRelation { s += row(r.name, r.count) }
        return s
    }

    public func json() -> String {
        func obj(_ list: [(name: String, count: Int)]) -> String {
            list.isEmpty ? "{}" : "{\n" + list.map { "    \(JSON.quote($0.name)): \($0.count)" }.joined(separator: ",\n") + "\n  }"
        }
        return "{\n  \"nodes\": \(nodes),\n  \"edges\": \(edges),\n  \"edgesWithEvidence\": \(evidencedEdges),\n"
            + "  \"kinds\": \(obj(byKind)),\n  \"relations\": \(obj(byRelation))\n}\n"
    }
}

/// JSON string quoting for KGFormat's JSON output (see `JSONText` in KGCore).
public enum JSON {
    public static func quote(_ s: String) -> String { JSONText.quote(s) }
}
