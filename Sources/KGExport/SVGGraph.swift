import KGCore

/// Builds the `SVGDiagram` of a subgraph of the knowledge base: node label = display name, kind =
/// first label, tooltip = name, kind and summary; edge label = the relation type in words, tooltip =
/// the relation and its evidence (reading, locator, note). Styles follow the schema's declaration
/// order, so a kind or relation type looks the same in every diagram.
public enum SVGGraph {
    /// "PERSISTS_THROUGH" → "persists through".
    public static func words(_ type: String) -> String {
        type.lowercased().replacingOccurrences(of: "_", with: " ")
    }

    /// The drawing of `sub`: its nodes with their kinds' styles and tooltips, its relations with
    /// labels and evidence.
    ///
    /// - Parameters:
    ///   - graph: the graph `sub` is part of.
    ///   - sub: what to draw.
    ///   - emphasise: nodes drawn emphasised.
    ///   - edgeLabels: whether relations carry their type as a label.
    ///   - focus: the centre of a neighbourhood view (emphasised; a slide puts it in the middle).
    ///   - nodeOrder: the order to draw nodes in (a story's argument order); the subgraph's own
    ///     nodes missing from it follow in id order.
    ///   - edgeOrder: the same for relations.
    ///   - story: the order is an argument to read left to right, top to bottom.
    public static func diagram(_ graph: Graph, _ sub: Subgraph, emphasise: Set<NodeID> = [],
                               edgeLabels: Bool = true, focus: NodeID? = nil, nodeOrder: [NodeID]? = nil,
                               edgeOrder: [EdgeID]? = nil, story: Bool = false) -> SVGDiagram {
        var d = SVGDiagram()
        d.kindOrder = Array(graph.schema.kinds.keys)
        d.typeOrder = Array(graph.schema.relations.keys)
        d.story = story
        var index: [NodeID: Int] = [:]
        func ordered<T: Hashable>(_ all: [T], _ first: [T]?) -> [T] {
            guard let first else { return all }
            let members = Set(all)
            var seen = Set<T>()
            var out: [T] = []
            for x in first where members.contains(x) && seen.insert(x).inserted { out.append(x) }
            for x in all where seen.insert(x).inserted { out.append(x) }
            return out
        }
        for n in ordered(sub.nodes, nodeOrder) {
            index[n] = d.nodes.count
            let name = graph.displayName(of: n)
            let kind = graph.kind(of: n) ?? "Concept"
            var tip = "\(name) (\(kind))"
            let summary = graph.property(n, "summary")?.stringValue
            if let s = summary, !s.isEmpty { tip += "\n" + s }
            var node = SVGDiagram.Node(id: graph.key(of: n), label: name, kind: kind, tooltip: tip)
            node.summary = summary
            node.emphasised = emphasise.contains(n) || n == focus
            d.nodes.append(node)
        }
        if let f = focus { d.focus = index[f] }
        for e in ordered(sub.edges, edgeOrder) {
            guard let s = index[graph.source(of: e)], let t = index[graph.target(of: e)] else { continue }
            let type = graph.typeName(of: e)
            var tip = "\(graph.displayName(of: graph.source(of: e))) —\(type)→ \(graph.displayName(of: graph.target(of: e)))"
            for ev in graph.evidence(of: e) {
                var line = "@" + ev.reading
                if let l = ev.locator { line += " " + l.description }
                if let note = ev.note, !note.isEmpty { line += ": " + note }
                tip += "\n" + line
            }
            d.edges.append(SVGDiagram.Edge(source: s, target: t, type: type, label: edgeLabels ? words(type) : nil, tooltip: tip))
            d.typeNames[type] = words(type)
        }
        return d
    }
}
