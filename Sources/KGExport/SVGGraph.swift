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

    public static func diagram(_ graph: Graph, _ sub: Subgraph, emphasise: Set<NodeID> = [],
                               edgeLabels: Bool = true) -> SVGDiagram {
        var d = SVGDiagram()
        d.kindOrder = Array(graph.schema.kinds.keys)
        d.typeOrder = Array(graph.schema.relations.keys)
        var index: [NodeID: Int] = [:]
        for n in sub.nodes {
            index[n] = d.nodes.count
            let name = graph.displayName(of: n)
            let kind = graph.kind(of: n) ?? "Concept"
            var tip = "\(name) (\(kind))"
            if let s = graph.property(n, "summary")?.stringValue, !s.isEmpty { tip += "\n" + s }
            var node = SVGDiagram.Node(id: graph.key(of: n), label: name, kind: kind, tooltip: tip)
            node.emphasised = emphasise.contains(n)
            d.nodes.append(node)
        }
        for e in sub.edges {
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
