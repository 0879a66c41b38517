import KGCore

/// Graphviz DOT: `digraph`, every id and label double-quoted and escaped, kinds as shapes and
/// fill colours, relation types as edge labels, provenance as edge tooltips.
public enum DotWriter {
    /// Text of a DOT double-quoted string (without the quotes): `"` and `\` escaped, line breaks
    /// as `\n`, other control characters dropped.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r", "\t": out += " "
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    public static func write(_ graph: Graph, _ sub: Subgraph, rankdir: String = "LR") -> String {
        var out = "digraph kg {\n"
        out += "  graph [rankdir=\(rankdir), fontname=\"Helvetica\", fontsize=12];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", fillcolor=\"#EEEEEE\"];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n"
        let ids = GraphMLIDs(graph: graph)
        for n in sub.nodes {
            let kind = graph.kind(of: n)
            let (shape, style) = ExportKindStyle.dotShape(of: kind, schema: graph.schema)
            out += "  \(quoted(ids.id(of: n))) [label=\(quoted(graph.displayName(of: n)))"
            out += ", shape=\(shape), style=\(quoted(style)), fillcolor=\(quoted(ExportKindStyle.colour(of: kind, schema: graph.schema)))"
            if let k = kind { out += ", tooltip=\(quoted(k))" }
            out += "];\n"
        }
        for e in sub.edges {
            out += "  \(quoted(ids.id(of: graph.source(of: e)))) -> \(quoted(ids.id(of: graph.target(of: e))))"
            out += " [label=\(quoted(graph.typeName(of: e)))"
            let ev = graph.evidence(of: e)
            if !ev.isEmpty {
                let tip = ev.map { x in
                    var t = x.reading
                    if let l = x.locator { t += " " + l.description }
                    if let n = x.note { t += ": " + n }
                    return t
                }.joined(separator: "\n")
                out += ", tooltip=\(quoted(tip))"
            }
            out += "];\n"
        }
        out += "}\n"
        return out
    }
}
