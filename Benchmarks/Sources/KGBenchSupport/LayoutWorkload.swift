import Foundation
import KGExport
import KGLayout

/// Layout + SVG of the 30/100/300-node graphs of ../shared/bench/graphs (the graphs Graphviz `dot`
/// was timed on), through the same renderer `kg export svg` uses, with the Graphviz-like
/// benchmark style (10 pt node labels, 8 pt edge labels = relation types, no legend).
public struct LayoutWorkload {
    public let name: String
    public let diagram: SVGDiagram

    /// Reads `NAME.nodes.csv` (id,label,name,aliases,year) and `NAME.edges.csv`
    /// (src,dst,type,source,weight) from `directory`.
    public init(directory: URL, name: String) throws {
        self.name = name
        let nodes = try readCSV(directory.appendingPathComponent("\(name).nodes.csv"))
        let edges = try readCSV(directory.appendingPathComponent("\(name).edges.csv"))
        var d = SVGDiagram()
        var index: [String: Int] = [:]
        for r in nodes.dropFirst() {
            guard r.count >= 3 else { throw WorkloadError("\(name).nodes.csv: short row \(r)") }
            index[r[0]] = d.nodes.count
            d.nodes.append(SVGDiagram.Node(id: "n\(r[0])", label: r[2], kind: r[1], tooltip: r[2]))
        }
        for r in edges.dropFirst() {
            guard r.count >= 3, let s = index[r[0]], let t = index[r[1]] else {
                throw WorkloadError("\(name).edges.csv: bad row \(r)")
            }
            d.edges.append(SVGDiagram.Edge(source: s, target: t, type: r[2], label: r[2], tooltip: r[2]))
        }
        diagram = d
    }

    public func render() throws -> SVGRenderResult {
        try SVGRenderer(style: .benchmark).render(diagram)
    }
}

/// RFC 4180 CSV (quoted fields, doubled quotes), enough for gen_graph.py's output.
func readCSV(_ url: URL) throws -> [[String]] {
    let text = try String(contentsOf: url, encoding: .utf8)
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var inQuotes = false
    var it = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    while let c = pending ?? it.next() {
        pending = nil
        if inQuotes {
            if c == "\"" {
                if let n = it.next() {
                    if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                } else {
                    inQuotes = false
                }
            } else {
                field.unicodeScalars.append(c)
            }
        } else if c == "\"" {
            inQuotes = true
        } else if c == "," {
            row.append(field); field = ""
        } else if c == "\n" {
            row.append(field); field = ""
            rows.append(row); row = []
        } else if c != "\r" {
            field.unicodeScalars.append(c)
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}
