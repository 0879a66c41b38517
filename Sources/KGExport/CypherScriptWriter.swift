import KGCore

/// A Cypher script of `UNWIND … CREATE` statements that recreates a (sub)graph in an empty Cypher
/// database (Neo4j, Memgraph, FalkorDB) or in kg itself.
///
/// - Nodes are created in batches of `batchSize` rows per statement, one statement shape per label
///   set: `UNWIND [{…}, …] AS p CREATE (n:Study:Concept) SET n = p;`. Nodes carry their kind and
///   the parent kinds the schema implies as labels, and all properties (including `id`, the
///   concept key, added when missing).
/// - Relationships follow, grouped by (type, source kind, target kind):
///   `UNWIND [{s: "a", t: "b", p: {…}}, …] AS r MATCH (a:Study {id: r.s}), (b:Concept {id: r.t})
///   CREATE (a)-[e:STUDIES]->(b) SET e = r.p;`. Properties include the first evidence as
///   `reading`, `locator`, `note`; further evidence as the parallel lists `more_readings`,
///   `more_locators`, `more_notes` ("" where absent).
/// - With an index dialect, an index on `id` per kind is created first so the MATCHes are cheap.
/// - Lists that are nested or mix types (which Cypher databases cannot store) are written as their
///   JSON text.
/// - Non-finite floats are written as `0.0/0.0`, `1.0/0.0`, `-1.0/0.0`.
public enum CypherScriptWriter {
    public enum IndexDialect: String, CaseIterable, Sendable {
        case neo4j, memgraph, falkordb, none
    }

    public static func write(_ graph: Graph, _ sub: Subgraph, index: IndexDialect = .neo4j, batchSize: Int = 500,
                             progress: ProgressReporter? = nil) -> String {
        let batch = max(1, batchSize)
        let total = sub.nodes.count + sub.edges.count
        var done = 0
        defer { progress?.finish() }
        var out = "// kg export: \(sub.nodes.count) nodes, \(sub.edges.count) relationships.\n"
        out += "// Run against an empty database; statements end with ';'.\n"
        let ids = GraphMLIDs(graph: graph)
        var nodeID: [NodeID: String] = [:]
        // Group nodes by label set, in order of first appearance.
        var groups: [[String]] = []
        var members: [[String]: [NodeID]] = [:]
        for n in sub.nodes {
            let labels = graph.labels(of: n)
            if members[labels] == nil { groups.append(labels) }
            members[labels, default: []].append(n)
            if case .string(let s)? = graph.property(n, "id") { nodeID[n] = s } else { nodeID[n] = ids.id(of: n) }
        }
        var kinds: [String] = []
        for n in sub.nodes { if let k = graph.kind(of: n), !kinds.contains(k) { kinds.append(k) } }
        kinds.sort()
        for k in kinds {
            switch index {
            case .neo4j: out += "CREATE INDEX IF NOT EXISTS FOR (n:\(name(k))) ON (n.id);\n"
            case .memgraph: out += "CREATE INDEX ON :\(name(k))(id);\n"
            case .falkordb: out += "CREATE INDEX FOR (n:\(name(k))) ON (n.id);\n"
            case .none: break
            }
        }
        for labels in groups {
            let ns = members[labels]!
            let labelText = labels.map { ":" + name($0) }.joined()
            var i = 0
            while i < ns.count {
                let chunk = ns[i..<min(i + batch, ns.count)]
                out += "UNWIND ["
                for (j, n) in chunk.enumerated() {
                    if j > 0 { out += ",\n  " }
                    var entries: [(String, Value)] = graph.properties(of: n).map { (graph.strings[$0.key], $0.value) }
                    if graph.property(n, "id") == nil { entries.insert(("id", .string(nodeID[n]!)), at: 0) }
                    out += map(entries)
                }
                out += "] AS p CREATE (n\(labelText)) SET n = p;\n"
                i += batch
                done += chunk.count
                progress?.update(done, total: total)
            }
        }
        // Relationships grouped by (type, source kind, target kind).
        struct EdgeGroup: Hashable { var type: String; var src: String?; var dst: String? }
        var egroups: [EdgeGroup] = []
        var emembers: [EdgeGroup: [EdgeID]] = [:]
        for e in sub.edges {
            let g = EdgeGroup(type: graph.typeName(of: e), src: graph.kind(of: graph.source(of: e)),
                              dst: graph.kind(of: graph.target(of: e)))
            if emembers[g] == nil { egroups.append(g) }
            emembers[g, default: []].append(e)
        }
        for g in egroups {
            let es = emembers[g]!
            var i = 0
            while i < es.count {
                let chunk = es[i..<min(i + batch, es.count)]
                out += "UNWIND ["
                for (j, e) in chunk.enumerated() {
                    if j > 0 { out += ",\n  " }
                    out += "{s: " + string(nodeID[graph.source(of: e)]!) + ", t: " + string(nodeID[graph.target(of: e)]!)
                    out += ", p: " + map(edgeProperties(graph, e)) + "}"
                }
                let a = g.src.map { ":" + name($0) } ?? "", b = g.dst.map { ":" + name($0) } ?? ""
                out += "] AS r MATCH (a\(a) {id: r.s}), (b\(b) {id: r.t}) CREATE (a)-[e:\(name(g.type))]->(b) SET e = r.p;\n"
                i += batch
                done += chunk.count
                progress?.update(done, total: total)
            }
        }
        return out
    }

    /// The properties a relationship gets: first evidence, further evidence as lists, then its own.
    public static func edgeProperties(_ graph: Graph, _ e: EdgeID) -> [(String, Value)] {
        var out: [(String, Value)] = []
        let ev = graph.evidence(of: e)
        if let f = ev.first {
            out.append(("reading", .string(f.reading)))
            if let l = f.locator { out.append(("locator", .string(l.description))) }
            if let n = f.note { out.append(("note", .string(n))) }
            if f.modality != .asserted { out.append(("modality", .string(f.modality.rawValue))) }
        }
        if ev.count > 1 {
            let more = ev.dropFirst()
            out.append(("more_readings", .list(more.map { .string($0.reading) })))
            out.append(("more_locators", .list(more.map { .string($0.locator?.description ?? "") })))
            out.append(("more_notes", .list(more.map { .string($0.note ?? "") })))
            if more.contains(where: { $0.modality != .asserted }) {
                out.append(("more_modalities", .list(more.map { .string($0.modality.rawValue) })))
            }
        }
        for (k, v) in graph.storedProperties(of: e) { out.append((graph.strings[k], v)) }
        return out
    }

    /// A label, relationship type or property key: bare when it is an identifier, else backquoted.
    public static func name(_ s: String) -> String {
        let u = Array(s.utf8)
        let ok = !u.isEmpty && u.enumerated().allSatisfy { i, b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || (i > 0 && b >= 0x30 && b <= 0x39)
        }
        return ok ? s : "`" + s.replacingOccurrences(of: "`", with: "``") + "`"
    }

    public static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    public static func literal(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return i == .min ? "(-9223372036854775807 - 1)" : String(i)
        case .float(let d):
            if d.isNaN { return "(0.0/0.0)" }
            if d.isInfinite { return d < 0 ? "(-1.0/0.0)" : "(1.0/0.0)" }
            return JSONText.formatDouble(d)
        case .string(let s): return string(s)
        case .list(let l): return "[" + l.map(literal).joined(separator: ", ") + "]"
        case .temporal(let t): return t.kind.rawValue + "(" + string(t.text) + ")"
        }
    }

    static func map(_ entries: [(String, Value)]) -> String {
        "{" + entries.map { name($0.0) + ": " + literal(storable($0.1)) }.joined(separator: ", ") + "}"
    }

    /// The value as a Cypher database can store it: property lists must be flat and of one type,
    /// so any other list is written as its JSON text (a string).
    public static func storable(_ v: Value) -> Value {
        guard case .list(let l) = v, let first = l.first else { return v }
        let tag = first.typeName
        if l.allSatisfy({ $0.typeName == tag && $0.listValue == nil && !$0.isNull }) { return v }
        return .string(JSONText.string(v))
    }
}
