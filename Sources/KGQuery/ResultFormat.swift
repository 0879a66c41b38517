import Foundation
import KGCore

/// Output formats of query results.
public enum ResultFormat: String, CaseIterable, Sendable {
    case table, json, csv, markdown, cypher

    public func render(_ result: QueryResult, graph: Graph, width: Int = 120) -> String {
        switch self {
        case .cypher: return ResultFormat.cypherText(result, graph)
        case .table: return ResultFormat.table(result, graph, width: width)
        case .json: return ResultFormat.json(result, graph)
        case .csv: return ResultFormat.csv(result, graph)
        case .markdown: return ResultFormat.markdown(result, graph)
        }
    }

    static func cypherText(_ r: QueryResult, _ g: Graph) -> String {
        var out = r.columns.joined(separator: " | ") + "\n"
        for row in r.rows { out += row.map { $0.literal(in: g) }.joined(separator: " | ") + "\n" }
        return out
    }

    /// Human text of a value: strings bare, everything else in literal notation.
    public static func display(_ v: QueryValue, _ g: Graph) -> String {
        if case .string(let s) = v { return s }
        if case .temporal(let t) = v { return t.text }
        return v.literal(in: g)
    }

    static func table(_ r: QueryResult, _ g: Graph, width: Int) -> String {
        let n = r.columns.count
        if n == 0 { return r.rows.isEmpty ? "(no rows)\n" : "" }
        var cells = r.rows.map { $0.map { display($0, g).replacingOccurrences(of: "\n", with: "\\n") } }
        var widths = (0..<n).map { i in max(r.columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
        // Shrink the widest columns until the table fits the terminal.
        let overhead = 3 * n + 1
        while widths.reduce(0, +) + overhead > width, let m = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[m] > 8 {
            widths[m] -= 1
        }
        func fit(_ s: String, _ w: Int) -> String {
            if s.count <= w { return s + String(repeating: " ", count: w - s.count) }
            return String(s.prefix(max(0, w - 1))) + "…"
        }
        for i in cells.indices { for j in 0..<n { cells[i][j] = fit(cells[i][j], widths[j]) } }
        let sep = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        var out = sep + "| " + (0..<n).map { fit(r.columns[$0], widths[$0]) }.joined(separator: " | ") + " |\n" + sep
        for row in cells { out += "| " + row.joined(separator: " | ") + " |\n" }
        out += sep + "\(r.rows.count) row\(r.rows.count == 1 ? "" : "s")\n"
        return out
    }

    static func csv(_ r: QueryResult, _ g: Graph) -> String {
        func q(_ s: String) -> String {
            if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        var out = r.columns.map(q).joined(separator: ",") + "\r\n"
        for row in r.rows {
            out += row.map { v -> String in v.isNull ? "" : q(display(v, g)) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func markdown(_ r: QueryResult, _ g: Graph) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>")
        }
        if r.columns.isEmpty { return "" }
        var out = "| " + r.columns.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + r.columns.map { _ in " --- |" }.joined() + "\n"
        for row in r.rows { out += "| " + row.map { esc(display($0, g)) }.joined(separator: " | ") + " |\n" }
        return out
    }

    static func json(_ r: QueryResult, _ g: Graph) -> String {
        var out = "{\"columns\": [" + r.columns.map(jsonString).joined(separator: ", ") + "], \"rows\": ["
        out += r.rows.map { row in "[" + row.map { jsonValue($0, g) }.joined(separator: ", ") + "]" }.joined(separator: ",\n  ")
        return out + "]}\n"
    }

    public static func jsonString(_ s: String) -> String { JSONText.quote(s) }

    public static func jsonValue(_ v: QueryValue, _ g: Graph) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return d.isFinite ? "\(d)" : jsonString(QueryValue.formatFloat(d))
        case .string(let s): return jsonString(s)
        case .temporal(let t): return jsonString(t.text)
        case .list(let l): return "[" + l.map { jsonValue($0, g) }.joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.entries.map { jsonString($0.key) + ": " + jsonValue($0.value, g) }.joined(separator: ", ") + "}"
        case .node(let n):
            let props = g.properties(of: n).map { jsonString(g.strings[$0.key]) + ": " + jsonValue(QueryValue($0.value), g) }
            var s = "{\"id\": \(n.raw)"
            let key = g.key(of: n)
            if !key.isEmpty { s += ", \"key\": " + jsonString(key) }
            return s + ", \"labels\": [" + g.labels(of: n).map(jsonString).joined(separator: ", ") + "], \"properties\": {" + props.joined(separator: ", ") + "}}"
        case .relationship(let e):
            let props = g.properties(of: e).map { jsonString($0.key) + ": " + jsonValue(QueryValue($0.value), g) }
            return "{\"id\": \(e.raw), \"type\": " + jsonString(g.typeName(of: e)) + ", \"start\": \(g.source(of: e).raw), \"end\": \(g.target(of: e).raw), \"properties\": {" + props.joined(separator: ", ") + "}}"
        case .path(let p):
            return "{\"nodes\": [" + p.nodes.map { jsonValue(.node($0), g) }.joined(separator: ", ") + "], \"relationships\": [" + p.rels.map { jsonValue(.relationship($0), g) }.joined(separator: ", ") + "]}"
        }
    }
}
