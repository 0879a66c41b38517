import Foundation
import KGCore
import KGExport
import KGFormat
import KGQuery

public struct WorkloadError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Loading a graph folder the way `kg` does (GraphLoader: parse every .kg file, then build).
public enum LoadWorkload {
    /// Parses and builds; throws when the graph has errors (the benchmark graph must be clean).
    public static func load(directory: String) throws -> LoadedGraph {
        let lg = GraphLoader.load(directory: directory)
        if lg.hasErrors {
            let first = lg.diagnostics.filter { $0.severity == .error }.prefix(3).map(\.description).joined(separator: "\n")
            throw WorkloadError("\(directory) has errors:\n\(first)")
        }
        return lg
    }

    /// The graph from the binary cache when valid, else parsed (and the cache stored).
    /// Returns the graph and whether it came from the cache.
    public static func loadCached(directory: String) throws -> (Graph, Bool) {
        let dir = URL(fileURLWithPath: directory, isDirectory: true)
        if let g = GraphCache.loadGraph(directory: dir) { return (g, true) }
        let key = try GraphCache.fingerprint(directory: dir)
        let lg = try load(directory: directory)
        try GraphCache.store(lg.graph, directory: dir, fingerprint: key)
        return (lg.graph, false)
    }
}

/// One query of the workload of issue 3, with its parameters.
public struct BenchQuery {
    public var name: String
    public var text: String
    public var parameters: [String: QueryValue]

    public init(name: String, text: String, parameters: [String: QueryValue]) {
        self.name = name
        self.text = text
        self.parameters = parameters
    }

    /// Reads `kg-queries.json` written by compare.py: `[{"name", "query", "params": {..}}]`.
    public static func read(_ url: URL) throws -> [BenchQuery] {
        let data = try Data(contentsOf: url)
        guard let arr = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw WorkloadError("\(url.path): expected a JSON list of queries")
        }
        return try arr.map { o in
            guard let name = o["name"] as? String, let q = o["query"] as? String else {
                throw WorkloadError("\(url.path): a query lacks name or query")
            }
            let pjson = try JSONSerialization.data(withJSONObject: o["params"] ?? [String: Any](), options: [.sortedKeys])
            let params = try QueryValue.parameters(fromJSON: String(decoding: pjson, as: UTF8.self))
            return BenchQuery(name: name, text: q, parameters: params)
        }
    }

    /// Runs the query to completion; returns the rows (read queries: no side-effect snapshot).
    public func run(_ engine: CypherEngine) throws -> QueryResult {
        try engine.run(text, parameters: parameters, collectStats: false)
    }
}

/// A short, comparable rendering of a result (compare.py prints it next to Kuzu's answer).
public func summarize(_ r: QueryResult, graph: Graph) -> String {
    func v(_ x: QueryValue) -> String {
        switch x {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .float(let d): return String(d)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(v).joined(separator: ",") + "]"
        case .map: return "{…}"
        case .node(let n): return graph.displayName(of: n)
        case .relationship(let e): return graph.typeName(of: e)
        case .path(let p): return "<path \(p.rels.count)>"
        case .temporal(let t): return t.text
        }
    }
    if r.rows.count == 1 { return r.rows[0].map(v).joined(separator: " | ") }
    if let first = r.rows.first {
        return "\(r.rows.count) rows, first: " + first.map(v).joined(separator: " | ")
    }
    return "0 rows"
}

/// GraphML write and read through KGExport (libxml2), timing only the call like the peers do.
public enum GraphMLWorkload {
    public static func write(_ g: Graph, to path: String) throws -> Int {
        try GraphMLWriter.write(g, Subgraph.whole(g), options: GraphMLOptions(), toFile: path)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        return (attrs[.size] as? NSNumber)?.intValue ?? 0
    }

    public static func data(_ g: Graph) throws -> Data {
        try GraphMLWriter.data(g, Subgraph.whole(g))
    }

    /// Reads a GraphML file. Files written by networkx from gen_graph.py keep the kind in `label`
    /// and the relation type in `type`.
    public static func read(path: String, labelKey: String? = nil, typeKey: String? = nil) throws -> GraphMLImport {
        try GraphMLReader.read(path: path, options: GraphMLImportOptions(labelKey: labelKey, typeKey: typeKey))
    }
}
