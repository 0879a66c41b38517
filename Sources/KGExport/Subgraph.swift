import KGCore

/// The part of a graph an exporter writes: live node and edge ids, each sorted ascending, every
/// edge's endpoints among the nodes. Deterministic for the same graph and the same selection.
public struct Subgraph: Equatable, Sendable {
    public var nodes: [NodeID]
    public var edges: [EdgeID]

    /// Builds a subgraph from explicit sets. Dead ids are dropped; endpoints of the edges are
    /// added to the nodes so no edge dangles.
    public init(graph: Graph, nodes: some Sequence<NodeID>, edges: some Sequence<EdgeID>) {
        var ns = Set<NodeID>()
        for n in nodes where graph.isAlive(n) { ns.insert(n) }
        var es = Set<EdgeID>()
        for e in edges where graph.isAlive(e) {
            es.insert(e)
            ns.insert(graph.source(of: e))
            ns.insert(graph.target(of: e))
        }
        self.nodes = ns.sorted()
        self.edges = es.sorted()
    }

    /// Uses the arrays as given (they must be sorted, live and closed); for callers that built them.
    public init(sortedNodes: [NodeID], sortedEdges: [EdgeID]) {
        self.nodes = sortedNodes
        self.edges = sortedEdges
    }

    /// The whole graph.
    public static func whole(_ graph: Graph) -> Subgraph {
        Subgraph(sortedNodes: Array(graph.nodes), sortedEdges: Array(graph.edges))
    }

    /// Every node within `depth` steps of `center`, following edges in both directions, and
    /// every edge between two of those nodes (the induced subgraph).
    public static func neighbourhood(_ graph: Graph, of center: NodeID, depth: Int) -> Subgraph {
        guard graph.isAlive(center) else { return Subgraph(sortedNodes: [], sortedEdges: []) }
        var seen: Set<NodeID> = [center]
        var frontier = [center]
        var d = 0
        while d < max(0, depth), !frontier.isEmpty {
            var next: [NodeID] = []
            for n in frontier {
                for e in graph.outEdges(n) {
                    let m = graph.target(of: EdgeID(e))
                    if seen.insert(m).inserted { next.append(m) }
                }
                for e in graph.inEdges(n) {
                    let m = graph.source(of: EdgeID(e))
                    if seen.insert(m).inserted { next.append(m) }
                }
            }
            frontier = next
            d += 1
        }
        return induced(graph, nodes: seen)
    }

    /// The nodes given and every live edge whose two endpoints are among them.
    public static func induced(_ graph: Graph, nodes: Set<NodeID>) -> Subgraph {
        var edges: [EdgeID] = []
        for n in nodes {
            for e in graph.outEdges(n) where nodes.contains(graph.target(of: EdgeID(e))) {
                edges.append(EdgeID(e))
            }
        }
        return Subgraph(sortedNodes: nodes.filter { graph.isAlive($0) }.sorted(), sortedEdges: edges.sorted())
    }

    /// Keeps only edges whose relation type is in `relations` (when non-nil) and nodes whose
    /// kind (own label, or a parent kind the schema implies) is in `kinds` (when non-nil).
    /// Edges lose their place when an endpoint is filtered out. With a relation filter, nodes
    /// left without any kept edge are dropped too, unless `keepIsolated` is set.
    public func filtered(_ graph: Graph, relations: Set<String>? = nil, kinds: Set<String>? = nil,
                         keepIsolated: Bool = false) -> Subgraph {
        var ns = nodes
        if let kinds {
            ns = ns.filter { n in graph.labels(of: n).contains { kinds.contains($0) } }
        }
        let nodeSet = Set(ns)
        var es = edges.filter { nodeSet.contains(graph.source(of: $0)) && nodeSet.contains(graph.target(of: $0)) }
        if let relations {
            // Inverse names select the stored relation type.
            var types = relations
            for r in relations { if let base = graph.schema.relationWithInverse(r) { types.insert(base.name) } }
            es = es.filter { types.contains(graph.typeName(of: $0)) }
            if !keepIsolated {
                var used = Set<NodeID>()
                for e in es { used.insert(graph.source(of: e)); used.insert(graph.target(of: e)) }
                ns = ns.filter { used.contains($0) }
            }
        }
        return Subgraph(sortedNodes: ns, sortedEdges: es)
    }

    public var isEmpty: Bool { nodes.isEmpty && edges.isEmpty }

    /// This subgraph without Reading nodes and MENTIONS relations (what a slide leaves out unless
    /// asked for).
    public func withoutReadings(in graph: Graph) -> Subgraph {
        let ns = nodes.filter { !graph.labels(of: $0).contains("Reading") }
        let keep = Set(ns)
        let es = edges.filter {
            graph.typeName(of: $0) != "MENTIONS" && keep.contains(graph.source(of: $0)) && keep.contains(graph.target(of: $0))
        }
        return Subgraph(sortedNodes: ns, sortedEdges: es)
    }

    /// Whether a selection asks for readings on a slide: its focus is a Reading, or its kind or
    /// relation filter names Reading or MENTIONS (MENTIONED_IN).
    public static func asksForReadings(_ graph: Graph, focus: NodeID?, kinds: Set<String>?, relations: Set<String>?) -> Bool {
        if let f = focus, graph.labels(of: f).contains("Reading") { return true }
        if kinds?.contains("Reading") == true { return true }
        if let r = relations, r.contains("MENTIONS") || r.contains("MENTIONED_IN") { return true }
        return false
    }
}
