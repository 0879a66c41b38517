import KGCore

/// Kind styling shared by the text exporters: a stable colour per kind (FNV-1a of the name, not
/// Swift's per-process seeded hash) and a shape.
public enum ExportKindStyle {
    public static let palette = ["#FFE8A3", "#B9E3F9", "#C8F0C0", "#F9C9C0", "#E2D2F5", "#FCD9B0", "#D0E8E2", "#F5D0E6"]

    public static func colour(of kind: String?) -> String {
        guard let k = kind else { return "#EEEEEE" }
        var h: UInt32 = 2166136261
        for b in k.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        return palette[Int(h % UInt32(palette.count))]
    }

    /// Graphviz shape of a kind: readings are notes, studies boxes, the rest rounded boxes.
    public static func dotShape(of kind: String?, schema: Schema) -> (shape: String, style: String) {
        guard let k = kind else { return ("box", "rounded,filled") }
        if schema.isKind(k, a: "Reading") || k == "Reading" { return ("note", "filled") }
        if schema.isKind(k, a: "Study") || k == "Study" { return ("box", "filled") }
        return ("box", "rounded,filled")
    }
}

/// Graphviz DOT: `digraph`, every id and label double-quoted and escaped, kinds as shapes and
/// fill colours, relation types as edge labels, provenance as edge tooltips.
public enum DotWriter {
    /// A DOT double-quoted string: `"` and `\` escaped, line breaks as `\n`, other control
    /// characters dropped, and `&` written as `&amp;`: Graphviz decodes HTML entities in every
    /// label, so a label that contains the text `&amp;` (or `&lt;`, `&#38;`) would otherwise show
    /// `&`, `<`; with `&` escaped it shows exactly what the graph holds.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "&": out += "&amp;"
            case "\n": out += "\\n"
            case "\r", "\t": out += " "
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// `digraph`, or `graph` with `--` edges when every relation is of an undirected type; in a
    /// `digraph`, edges of undirected types get `dir=none`.
    public static func write(_ graph: Graph, _ sub: Subgraph, rankdir: String = "LR", progress: ProgressReporter? = nil) -> String {
        defer { progress?.finish() }
        let undirected = sub.edges.map { graph.schema.relation(graph.typeName(of: $0))?.undirected == true }
        let plainGraph = !undirected.isEmpty && !undirected.contains(false)
        var out = plainGraph ? "graph kg {\n" : "digraph kg {\n"
        out += "  graph [rankdir=\(rankdir), fontname=\"Helvetica\", fontsize=12];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", fillcolor=\"#EEEEEE\"];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n"
        let ids = GraphMLIDs(graph: graph)
        for n in sub.nodes {
            let kind = graph.kind(of: n)
            let (shape, style) = ExportKindStyle.dotShape(of: kind, schema: graph.schema)
            out += "  \(quoted(ids.id(of: n))) [label=\(quoted(graph.displayName(of: n)))"
            out += ", shape=\(shape), style=\(quoted(style)), fillcolor=\(quoted(ExportKindStyle.colour(of: kind)))"
            if let k = kind { out += ", tooltip=\(quoted(k))" }
            out += "];\n"
        }
        for (i, e) in sub.edges.enumerated() {
            if i & 4095 == 0 { progress?.update(i, total: sub.edges.count) }
            out += "  \(quoted(ids.id(of: graph.source(of: e)))) \(plainGraph ? "--" : "->") \(quoted(ids.id(of: graph.target(of: e))))"
            out += " [label=\(quoted(graph.typeName(of: e)))"
            if undirected[i] && !plainGraph { out += ", dir=none" }
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
