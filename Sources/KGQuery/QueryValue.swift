import Foundation
import KGCore

/// An insertion-ordered map of query values (Cypher maps are small; a linear scan is fine).
public struct QueryMap: Sendable {
    public var entries: [(key: String, value: QueryValue)] = []
    public init() {}
    public init(_ entries: [(String, QueryValue)]) { for (k, v) in entries { self[k] = v } }
    public subscript(key: String) -> QueryValue? {
        get { for e in entries where e.key == key { return e.value }; return nil }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue { entries.append((key, v)) }
        }
    }
    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
}

/// A path: alternating nodes and relationships, `nodes.count == rels.count + 1`.
public struct PathValue: Hashable, Sendable {
    public var nodes: [NodeID]
    public var rels: [EdgeID]
    public init(nodes: [NodeID], rels: [EdgeID]) { self.nodes = nodes; self.rels = rels }
}

/// A runtime value of the query language.
public enum QueryValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([QueryValue])
    case map(QueryMap)
    case node(NodeID)
    case relationship(EdgeID)
    case path(PathValue)
    /// A date, time, date-time or duration (openCypher's temporal types).
    case temporal(Temporal)

    public var isNull: Bool { if case .null = self { return true }; return false }

    public init(_ v: Value) {
        switch v {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(l.map(QueryValue.init))
        case .temporal(let t): self = QueryValue.stored(t)
        }
    }

    /// A stored temporal value. Stored texts are canonical (checked when the .kg file or the query
    /// that wrote them was read), so parsing cannot fail; should a hand-made `Value` carry bad
    /// text anyway, it reads as that text rather than stopping the query.
    static func stored(_ t: TemporalValue) -> QueryValue {
        if let v = try? t.parsed() { return .temporal(v) }
        return .string(t.text)
    }

    /// The storable form (nil when the value cannot be a property).
    public var storable: Value? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .temporal(let t): return .temporal(t.stored)
        case .list(let l):
            var out: [Value] = []
            for e in l {
                switch e {
                case .bool, .int, .float, .string, .temporal: out.append(e.storable!)
                default: return nil
                }
            }
            return .list(out)
        default: return nil
        }
    }

    public var typeName: String {
        switch self {
        case .null: return "NULL"
        case .bool: return "BOOLEAN"
        case .int: return "INTEGER"
        case .float: return "FLOAT"
        case .string: return "STRING"
        case .list: return "LIST"
        case .map: return "MAP"
        case .node: return "NODE"
        case .relationship: return "RELATIONSHIP"
        case .path: return "PATH"
        case .temporal(let t):
            switch t.kind {
            case .date: return "DATE"
            case .localtime: return "LOCAL TIME"
            case .time: return "ZONED TIME"
            case .localdatetime: return "LOCAL DATETIME"
            case .datetime: return "ZONED DATETIME"
            case .duration: return "DURATION"
            }
        }
    }
}

// MARK: Equality (three-valued) and equivalence

extension QueryValue {
    /// Cypher `=`: nil means null (unknown).
    public static func cypherEquals(_ a: QueryValue, _ b: QueryValue) -> Bool? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int(let x), .float(let y)): return Double(x) == y
        case (.float(let x), .int(let y)): return x == Double(y)
        case (.string(let x), .string(let y)): return x == y
        case (.node(let x), .node(let y)): return x == y
        case (.relationship(let x), .relationship(let y)): return x == y
        case (.path(let x), .path(let y)): return x == y
        case (.temporal(let x), .temporal(let y)): return x == y
        case (.list(let x), .list(let y)):
            if x.count != y.count { return false }
            var unknown = false
            for (p, q) in zip(x, y) {
                switch cypherEquals(p, q) {
                case .some(false): return false
                case .none: unknown = true
                default: break
                }
            }
            return unknown ? nil : true
        case (.map(let x), .map(let y)):
            if Set(x.keys) != Set(y.keys) { return false }
            var unknown = false
            for e in x.entries {
                switch cypherEquals(e.value, y[e.key]!) {
                case .some(false): return false
                case .none: unknown = true
                default: break
                }
            }
            return unknown ? nil : true
        default: return false
        }
    }
}

/// Equivalence used for grouping, DISTINCT and hashing: null equals null, NaN equals NaN,
/// 1 equals 1.0.
public struct GroupKey: Hashable {
    public let value: QueryValue
    public init(_ v: QueryValue) { value = v }
    public static func == (a: GroupKey, b: GroupKey) -> Bool { equivalent(a.value, b.value) }
    public func hash(into h: inout Hasher) { hashValue(value, &h) }

    static func equivalent(_ a: QueryValue, _ b: QueryValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
        case (.map(let x), .map(let y)):
            return x.count == y.count && x.entries.allSatisfy { e in y[e.key].map { equivalent(e.value, $0) } ?? false }
        default: return QueryValue.cypherEquals(a, b) == true
        }
    }

    private func hashValue(_ v: QueryValue, _ h: inout Hasher) {
        switch v {
        case .null: h.combine(0)
        case .bool(let b): h.combine(1); h.combine(b)
        case .int(let i): h.combine(2); h.combine(Double(i))
        case .float(let d): h.combine(2); if d.isNaN { h.combine(-1) } else { h.combine(d) }
        case .string(let s): h.combine(3); h.combine(s)
        case .list(let l): h.combine(4); h.combine(l.count); for e in l { hashValue(e, &h) }
        case .map(let m):
            h.combine(5)
            var acc = 0
            for e in m.entries { var hh = Hasher(); hh.combine(e.key); hashValue(e.value, &hh); acc ^= hh.finalize() }
            h.combine(acc)
        case .node(let n): h.combine(6); h.combine(n)
        case .relationship(let r): h.combine(7); h.combine(r)
        case .path(let p): h.combine(8); h.combine(p)
        case .temporal(let t): h.combine(9); h.combine(t)
        }
    }
}

// MARK: Ordering

extension QueryValue {
    /// Rank of the type in Cypher's global sort order (ascending).
    var orderRank: Int {
        switch self {
        case .map: return 0
        case .node: return 1
        case .relationship: return 2
        case .list: return 3
        case .path: return 4
        case .temporal(let t):
            switch t.kind {
            case .datetime: return 5
            case .localdatetime: return 6
            case .date: return 7
            case .time: return 8
            case .localtime: return 9
            case .duration: return 10
            }
        case .string: return 11
        case .bool: return 12
        case .int, .float: return 13
        case .null: return 15
        }
    }

    /// Total order used by ORDER BY, min and max: Cypher's orderability.
    public static func orderCompare(_ a: QueryValue, _ b: QueryValue) -> Int {
        let ra = a.orderRank, rb = b.orderRank
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.map(let x), .map(let y)):
            let kx = x.keys.sorted(), ky = y.keys.sorted()
            for (p, q) in zip(kx, ky) { if p != q { return p < q ? -1 : 1 } }
            if kx.count != ky.count { return kx.count < ky.count ? -1 : 1 }
            for k in kx { let c = orderCompare(x[k]!, y[k]!); if c != 0 { return c } }
            return 0
        case (.node(let x), .node(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.relationship(let x), .relationship(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) { let c = orderCompare(p, q); if c != 0 { return c } }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        case (.path(let x), .path(let y)):
            return orderCompare(.list(x.nodes.map { .node($0) }), .list(y.nodes.map { .node($0) }))
        case (.string(let x), .string(let y)): return x == y ? 0 : (x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.null, .null): return 0
        case (.temporal(let x), .temporal(let y)): return Temporal.compare(x, y) ?? 0
        default:
            let x = a.numeric!, y = b.numeric!
            if x.isNaN || y.isNaN { return x.isNaN == y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
            if case .int(let i) = a, case .float = b, Double(i) == y { return 0 }
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    var numeric: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    /// Cypher comparison `<` etc.: nil when the values are not comparable.
    public static func comparability(_ a: QueryValue, _ b: QueryValue) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.int, .float), (.float, .int), (.float, .float):
            let x = a.numeric!, y = b.numeric!
            if x.isNaN || y.isNaN { return nil }
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.string, .string), (.bool, .bool): return orderCompare(a, b)
        case (.temporal(let x), .temporal(let y)):
            // Durations have no order of their own in openCypher; the other kinds compare within a kind.
            if case .duration = x { return nil }
            return Temporal.compare(x, y)
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) {
                guard let c = comparability(p, q) else { return nil }
                if c != 0 { return c }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default: return nil
        }
    }
}

// MARK: Literal notation

extension QueryValue {
    /// Cypher literal notation, as `--format cypher` prints values.
    public func literal(in graph: Graph) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return QueryValue.formatFloat(d)
        case .string(let s): return QueryValue.quote(s)
        case .list(let l): return "[" + l.map { $0.literal(in: graph) }.joined(separator: ", ") + "]"
        case .map(let m):
            return "{" + m.entries.map { "\(QueryValue.key($0.key)): \($0.value.literal(in: graph))" }.joined(separator: ", ") + "}"
        case .node(let n): return QueryValue.nodeLiteral(n, graph)
        case .relationship(let r): return "[" + QueryValue.relBody(r, graph) + "]"
        case .path(let p):
            var s = "<" + QueryValue.nodeLiteral(p.nodes[0], graph)
            for (i, r) in p.rels.enumerated() {
                let from = p.nodes[i]
                let forward = graph.source(of: r) == from
                s += forward ? "-[" + QueryValue.relBody(r, graph) + "]->" : "<-[" + QueryValue.relBody(r, graph) + "]-"
                s += QueryValue.nodeLiteral(p.nodes[i + 1], graph)
            }
            return s + ">"
        case .temporal(let t): return QueryValue.quote(t.text)
        }
    }

    static func nodeLiteral(_ n: NodeID, _ g: Graph) -> String {
        guard n.index < g.nodeCapacity else { return "()" }
        var s = "("
        for l in g.labels(of: n) { s += ":" + key(l) }
        let props = g.properties(of: n)
        if !props.isEmpty {
            if s.count > 1 { s += " " }
            s += "{" + props.map { "\(key(g.strings[$0.key])): \(QueryValue($0.value).literal(in: g))" }.joined(separator: ", ") + "}"
        }
        return s + ")"
    }

    static func relBody(_ r: EdgeID, _ g: Graph) -> String {
        var s = ":" + key(g.typeName(of: r))
        let props = g.properties(of: r)
        if !props.isEmpty {
            s += " {" + props.map { "\(key($0.key)): \(QueryValue($0.value).literal(in: g))" }.joined(separator: ", ") + "}"
        }
        return s
    }

    static func key(_ k: String) -> String {
        if let f = k.unicodeScalars.first, f == "_" || CharacterSet.letters.contains(f),
           k.unicodeScalars.allSatisfy({ $0 == "_" || CharacterSet.alphanumerics.contains($0) }) { return k }
        return "`" + k.replacingOccurrences(of: "`", with: "``") + "`"
    }

    public static func quote(_ s: String) -> String {
        var out = "'"
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "'"
    }

    public static func formatFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return "\(d)"
    }
}

// MARK: Memory estimate

extension QueryValue {
    /// What the value owns at its top level (a string's bytes, a list's element slots): O(1), for
    /// charging values as they are built one by one.
    var shallowBytes: Int {
        switch self {
        case .string(let s): return 16 &+ s.utf8.count
        case .list(let l): return 16 &+ ExecContext.listBytes(l.count)
        case .map(let m): return 16 &+ m.count &* 48
        case .path(let p): return 16 &+ 4 &* (p.nodes.count &+ p.rels.count)
        default: return 16
        }
    }

    /// A rough count of the bytes this value holds, for the per-statement memory budget
    /// (`QueryLimits.maxMemory`, `ExecContext.charge`): the value's slot plus what its string, list,
    /// map or path owns on the heap. Iterative, so deeply nested values cannot exhaust the stack.
    public var estimatedBytes: Int {
        var total = 0
        var stack: [QueryValue] = [self]
        while let v = stack.popLast() {
            total += 16
            switch v {
            case .string(let s): total += s.utf8.count
            case .list(let l): total += 8; stack.append(contentsOf: l)
            case .map(let m):
                for e in m.entries { total += 16 + e.key.utf8.count; stack.append(e.value) }
            case .path(let p): total += 4 * (p.nodes.count + p.rels.count)
            case .temporal(let t): if case .dateTime(_, _, _, let z?) = t { total += z.utf8.count }; total += 24
            default: break
            }
        }
        return total
    }
}
