import Foundation
import KGCore

/// Side effects of a statement, counted as the openCypher TCK counts them: what a later query
/// can observe (label names present in the graph, (entity, key, value) property triples).
public struct SideEffects: Equatable, Sendable {
    public var nodesCreated = 0, nodesDeleted = 0
    public var relationshipsCreated = 0, relationshipsDeleted = 0
    public var propertiesSet = 0, propertiesRemoved = 0
    public var labelsAdded = 0, labelsRemoved = 0
    public init() {}

    public var isEmpty: Bool { self == SideEffects() }

    /// Lines `+nodes 1` etc., zero counters left out.
    public var lines: [String] {
        var out: [String] = []
        func add(_ k: String, _ v: Int) { if v != 0 { out.append("\(k) \(v)") } }
        add("+nodes", nodesCreated); add("-nodes", nodesDeleted)
        add("+relationships", relationshipsCreated); add("-relationships", relationshipsDeleted)
        add("+properties", propertiesSet); add("-properties", propertiesRemoved)
        add("+labels", labelsAdded); add("-labels", labelsRemoved)
        return out
    }
}

public struct QueryResult {
    public var columns: [String]
    public var rows: [[QueryValue]]
    public var stats: SideEffects
}

/// The openCypher engine over a `Graph`.
///
/// ```swift
/// let engine = CypherEngine(graph: graph)
/// let result = try engine.run("MATCH (n:Concept) RETURN n.name LIMIT 10")
/// ```
public final class CypherEngine {
    public let graph: Graph
    public var limits = QueryLimits()
    /// Whether read-only statements may use the store-level plans (`Planner`); off, every
    /// statement runs on the row executor (tests compare the two).
    var usePlanner = true

    public init(graph: Graph) { self.graph = graph }

    /// Parses, checks and runs one statement. Throws `CypherError`.
    public func run(_ query: String, parameters: [String: QueryValue] = [:], timeout: Double? = nil,
                    collectStats: Bool = true) throws -> QueryResult {
        var lim = limits
        if let t = timeout { lim.timeout = t }
        let st = try Parser.parse(query)
        let (op, columns) = try plan(st)
        // Only statements with update clauses can have side effects.
        let before = collectStats && Compiler.hasUpdates(st) ? Snapshot(graph) : nil
        let ctx = ExecContext(graph: graph, params: parameters, limits: lim)
        var rows: [[QueryValue]] = []
        while let r = try op.next(ctx) {
            // The result rows are held until the statement ends: charge them to its budget.
            try ctx.charge(rowBytes(r))
            rows.append(r)
            if rows.count > lim.maxRows { try ctx.checkRows(rows.count) }
        }
        let stats = before.map { $0.diff(Snapshot(graph)) } ?? SideEffects()
        return QueryResult(columns: columns, rows: rows, stats: stats)
    }

    /// Streams the rows of a read query: `body` returns false to stop early.
    public func stream(_ query: String, parameters: [String: QueryValue] = [:], timeout: Double? = nil,
                       _ body: ([String], [QueryValue]) throws -> Bool) throws {
        var lim = limits
        if let t = timeout { lim.timeout = t }
        let st = try Parser.parse(query)
        let (op, columns) = try plan(st)
        let ctx = ExecContext(graph: graph, params: parameters, limits: lim)
        while let r = try op.next(ctx) { if !(try body(columns, r)) { return } }
    }

    /// The operator tree the statement compiles to, one operator per line (root first).
    public func explain(_ query: String) throws -> [String] {
        let st = try Parser.parse(query)
        let (op, _) = try plan(st)
        return op.explain()
    }

    /// Compiles a statement (all compile-time errors first), then lets the planner use what the
    /// store knows for read-only statements (`Planner`). A read-only statement first folds any
    /// edits made since the graph was loaded back into the CSR adjacency.
    func plan(_ st: Statement) throws -> (Op, [String]) {
        let (op, columns) = try Compiler(graph: graph).compile(st)
        guard !Compiler.hasUpdates(st) else { return (op, columns) }
        graph.compactAdjacency()
        return (usePlanner ? Planner.optimize(st, op, graph) : op, columns)
    }
}

/// Estimated bytes one row holds while buffered: the array, its slots and what its values own.
@inline(__always)
func rowBytes(_ r: Row) -> Int {
    var b = 48 + 8 * r.count
    for v in r { b += v.estimatedBytes }
    return b
}

/// What a later query can observe of a graph, for counting side effects.
struct Snapshot {
    var nodes: Set<Int32> = []
    var edges: Set<Int32> = []
    var labels: Set<String> = []
    var props: Set<PropTriple> = []

    struct PropTriple: Hashable {
        var isNode: Bool
        var id: Int32
        var key: String
        var value: Value
    }

    init(_ g: Graph) {
        for n in g.nodes {
            nodes.insert(n.raw)
            for l in g.labels(of: n) { labels.insert(l) }
            for (k, v) in g.properties(of: n) { props.insert(PropTriple(isNode: true, id: n.raw, key: g.strings[k], value: v)) }
        }
        for e in g.edges {
            edges.insert(e.raw)
            for (k, v) in g.properties(of: e) { props.insert(PropTriple(isNode: false, id: e.raw, key: k, value: v)) }
        }
    }

    func diff(_ after: Snapshot) -> SideEffects {
        var s = SideEffects()
        s.nodesCreated = after.nodes.subtracting(nodes).count
        s.nodesDeleted = nodes.subtracting(after.nodes).count
        s.relationshipsCreated = after.edges.subtracting(edges).count
        s.relationshipsDeleted = edges.subtracting(after.edges).count
        s.labelsAdded = after.labels.subtracting(labels).count
        s.labelsRemoved = labels.subtracting(after.labels).count
        s.propertiesSet = after.props.subtracting(props).count
        s.propertiesRemoved = props.subtracting(after.props).count
        return s
    }
}

// MARK: Parameters from JSON

extension QueryValue {
    /// Parses a JSON object of parameters, keeping the integer/float distinction of the text.
    public static func parameters(fromJSON text: String) throws -> [String: QueryValue] {
        var p = JSONValueParser(Array(text.utf8))
        let v = try p.parseTop()
        guard case .map(let m) = v else { throw CypherError(.argument, "", "parameters must be a JSON object") }
        var out: [String: QueryValue] = [:]
        for e in m.entries { out[e.key] = e.value }
        return out
    }
}

/// A small JSON parser that keeps integers and floats apart (Foundation's does not, reliably).
struct JSONValueParser {
    let b: [UInt8]
    var i = 0
    /// Nesting of the value being read; bounded so deep input cannot overflow the stack.
    var depth = 0
    init(_ b: [UInt8]) { self.b = b }

    func fail(_ m: String) -> CypherError { CypherError(.argument, "", "invalid JSON parameters at byte \(i): \(m)") }

    mutating func ws() { while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 } }

    mutating func parseTop() throws -> QueryValue {
        let v = try value()
        ws()
        if i != b.count { throw fail("trailing characters") }
        return v
    }

    mutating func value() throws -> QueryValue {
        ws()
        guard i < b.count else { throw fail("unexpected end") }
        let container = b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[")
        if container {
            depth += 1
            if depth > 500 { throw fail("lists and objects nested more than 500 deep") }
        }
        defer { if container { depth -= 1 } }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var m = QueryMap()
            ws()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
            while true {
                ws()
                guard case .string(let k) = try value() else { throw fail("expected a key") }
                ws()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                m[k] = try value()
                ws()
                guard i < b.count else { throw fail("unexpected end") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var l: [QueryValue] = []
            ws()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .list(l) }
            while true {
                l.append(try value())
                ws()
                guard i < b.count else { throw fail("unexpected end") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .list(l) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            i += 1
            var out: [UInt8] = []
            while i < b.count, b[i] != UInt8(ascii: "\"") {
                if b[i] == UInt8(ascii: "\\") {
                    i += 1
                    guard i < b.count else { throw fail("bad escape") }
                    let c = b[i]
                    switch c {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 < b.count, let v = UInt32(String(decoding: b[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else { throw fail("bad \\u escape") }
                        i += 4
                        var scalar = v
                        if (0xD800..<0xDC00).contains(v), i + 6 < b.count, b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u"),
                           let lo = UInt32(String(decoding: b[(i + 3)...(i + 6)], as: UTF8.self), radix: 16) {
                            scalar = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                            i += 6
                        }
                        out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "?").utf8))
                    default: out.append(c)
                    }
                    i += 1
                } else { out.append(b[i]); i += 1 }
            }
            guard i < b.count else { throw fail("unterminated string") }
            i += 1
            return .string(String(decoding: out, as: UTF8.self))
        case UInt8(ascii: "t"): try lit("true"); return .bool(true)
        case UInt8(ascii: "f"): try lit("false"); return .bool(false)
        case UInt8(ascii: "n"): try lit("null"); return .null
        default:
            let s = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            let t = String(decoding: b[s..<i], as: UTF8.self)
            if t.isEmpty { throw fail("unexpected character") }
            if t.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                guard let d = Double(t) else { throw fail("bad number") }
                return .float(d)
            }
            if let v = Int64(t) { return .int(v) }
            guard let d = Double(t) else { throw fail("bad number") }
            return .float(d)
        }
    }

    mutating func lit(_ s: String) throws {
        let u = Array(s.utf8)
        guard i + u.count <= b.count, Array(b[i..<i + u.count]) == u else { throw fail("unexpected literal") }
        i += u.count
    }
}
