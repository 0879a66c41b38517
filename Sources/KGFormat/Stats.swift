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
        for n in g.nodes {
            if let l = g.nodeLabels[n.index].first { kinds[l, default: 0] += 1 } else { noKind += 1 }
        }
        var rels: [Symbol: Int] = [:]
        var evidenced = 0
        for e in g.edges {
            rels[g.type(of: e), default: 0] += 1
            if !g.edgeEvidence[e.index].isEmpty { evidenced += 1 }
        }
        func sorted(_ d: [Symbol: Int]) -> [(name: String, count: Int)] {
            d.map { (g.strings[$0.key], $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        }
        nodes = g.nodeCount
        edges = g.edgeCount
        byKind = sorted(kinds)
        if noKind > 0 { byKind.append(("(no kind)", noKind)) }
        byRelation = sorted(rels)
        readings = kinds[g.strings.intern("Reading")] ?? 0
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
