import KGCore

/// A Mermaid flowchart for Markdown slide tools (Marp, reveal.js, Slidev, GitHub).
///
/// Node ids are `n0`, `n1`, … in node order (safe: never a Mermaid keyword, never needs
/// quoting); labels are double-quoted with Mermaid's entity codes for the characters that would
/// end or confuse them (`"` `#` `<` `>` `&` `|` and backtick); line breaks become spaces and other
/// control characters are dropped. Each kind gets a `classDef` with its colour.
public enum MermaidWriter {
    public static func label(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "|": out += "#124;"
            case "`": out += "#96;"
            // `%%{init: …}%%` directives and `{…}` shapes are inert once their characters are codes.
            case "%": out += "#37;"
            case "{": out += "#123;"
            case "}": out += "#125;"
            case "[": out += "#91;"
            case "]": out += "#93;"
            case "\n", "\r", "\t": out += " "
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Class name for a kind: `k_` and the kind's identifier characters.
    static func className(_ kind: String) -> String {
        "k_" + String(kind.unicodeScalars.map { u -> Character in
            (u.properties.isAlphabetic && u.isASCII) || ("0"..."9").contains(u) || u == "_" ? Character(u) : "_"
        })
    }

    public static func write(_ graph: Graph, _ sub: Subgraph, direction: String = "LR", progress: ProgressReporter? = nil) -> String {
        defer { progress?.finish() }
        var out = "flowchart \(direction)\n"
        var index: [NodeID: Int] = [:]
        var kinds: [String] = []
        var byKind: [String: [Int]] = [:]
        for (i, n) in sub.nodes.enumerated() {
            index[n] = i
            let kind = graph.kind(of: n)
            let text = label(graph.displayName(of: n))
            if let k = kind, ExportKindStyle.dotShape(of: k, schema: graph.schema).shape == "note" {
                out += "  n\(i)[/\"\(text)\"/]\n"
            } else {
                out += "  n\(i)(\"\(text)\")\n"
            }
            if let k = kind {
                if byKind[k] == nil { kinds.append(k) }
                byKind[k, default: []].append(i)
            }
        }
        for (i, e) in sub.edges.enumerated() {
            if i & 4095 == 0 { progress?.update(i, total: sub.edges.count) }
            let s = index[graph.source(of: e)]!, t = index[graph.target(of: e)]!
            let arrow = graph.schema.relation(graph.typeName(of: e))?.undirected == true ? "---" : "-->"
            out += "  n\(s) \(arrow)|\"\(label(graph.typeName(of: e)))\"| n\(t)\n"
        }
        kinds.sort()
        for k in kinds {
            out += "  classDef \(className(k)) fill:\(ExportKindStyle.colour(of: k)),stroke:#555555,color:#000000\n"
        }
        for k in kinds {
            out += "  class " + byKind[k]!.map { "n\($0)" }.joined(separator: ",") + " \(className(k))\n"
        }
        return out
    }
}
