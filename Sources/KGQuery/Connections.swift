import KGCore

/// One step of a connection between two concepts.
public struct ConnectionStep: Equatable, Sendable {
    public var from: NodeID
    public var to: NodeID
    public var edge: EdgeID
    /// True when the stored edge points from `from` to `to`.
    public var forward: Bool

    /// The relation as read in the direction walked: the type, or its inverse name (or the type
    /// marked as reversed) when the edge is walked backwards; symmetric relations read the same.
    public func relationName(in g: Graph) -> String {
        let t = g.typeName(of: edge)
        if forward { return t }
        if let decl = g.schema.relation(t) {
            if decl.symmetric || decl.undirected { return t }
            if let inv = decl.inverse { return inv }
        }
        return "<-\(t)-"
    }
}

/// Shortest connections between two nodes over every relation type, in both directions.
public enum Connections {
    /// All shortest paths (up to `limit`) of at most `maxLength` steps from `a` to `b`.
    /// Deterministic: neighbours are visited in edge-id order.
    public static func shortestPaths(in g: Graph, from a: NodeID, to b: NodeID, maxLength: Int = 6, limit: Int = 20) -> [[ConnectionStep]] {
        if a == b { return [[]] }
        var dist: [Int32: Int] = [a.raw: 0]
        var preds: [Int32: [ConnectionStep]] = [:]
        var frontier = [a.raw]
        var depth = 0
        while !frontier.isEmpty && depth < maxLength && dist[b.raw] == nil {
            depth += 1
            var next: [Int32] = []
            for u in frontier {
                let un = NodeID(u)
                var steps: [ConnectionStep] = []
                for e in g.outEdges(un) { steps.append(ConnectionStep(from: un, to: g.target(of: EdgeID(e)), edge: EdgeID(e), forward: true)) }
                for e in g.inEdges(un) { steps.append(ConnectionStep(from: un, to: g.source(of: EdgeID(e)), edge: EdgeID(e), forward: false)) }
                steps.sort { $0.edge < $1.edge || ($0.edge == $1.edge && $0.forward && !$1.forward) }
                for s in steps {
                    let v = s.to.raw
                    if let d = dist[v] {
                        if d == depth { preds[v, default: []].append(s) }
                    } else {
                        dist[v] = depth
                        preds[v] = [s]
                        next.append(v)
                    }
                }
            }
            frontier = next
        }
        guard dist[b.raw] != nil else { return [] }
        var out: [[ConnectionStep]] = []
        func back(_ v: Int32, _ suffix: [ConnectionStep]) {
            if out.count >= limit { return }
            if v == a.raw { out.append(suffix); return }
            for s in preds[v] ?? [] { back(s.from.raw, [s] + suffix) }
        }
        back(b.raw, [])
        return out
    }
}
