import KGCore

/// A query error with the openCypher error class, detail code and position.
public struct CypherError: Error, CustomStringConvertible {
    public enum Class: String, Sendable {
        case syntax = "SyntaxError", type = "TypeError", argument = "ArgumentError", semantic = "SemanticError"
        case entityNotFound = "EntityNotFound", constraint = "ConstraintVerificationFailed"
        case timeout = "Timeout", limit = "ResourceLimit"
    }
    public var errorClass: Class
    public var detail: String
    public var message: String
    public var pos: SourcePos
    public var line: Int { pos.line }
    public var column: Int { pos.column }

    public init(_ c: Class, _ detail: String, _ message: String, _ pos: SourcePos = .none) {
        errorClass = c; self.detail = detail; self.message = message; self.pos = pos
    }

    public var description: String {
        detail.isEmpty ? "\(errorClass.rawValue): \(message)" : "\(errorClass.rawValue): \(detail): \(message)"
    }

    /// The error line plus the query line and a caret under the column (when known). A long line
    /// is cut to a window around the column, marked with `…`.
    public func rendered(query: String) -> String {
        var out = description
        if pos.line > 0 {
            let lines = query.split(separator: "\n", omittingEmptySubsequences: false)
            if pos.line <= lines.count {
                let l = Array(lines[pos.line - 1].unicodeScalars)
                let width = 100
                var from = 0, to = l.count
                if l.count > width {
                    from = max(0, min(pos.column - 1 - width / 2, l.count - width))
                    to = min(l.count, from + width)
                }
                let shown = (from > 0 ? "…" : "") + String(String.UnicodeScalarView(l[from..<to])) + (to < l.count ? "…" : "")
                let caret = max(0, pos.column - 1 - from) + (from > 0 ? 1 : 0)
                out += "\n  at line \(pos.line), column \(pos.column)\n  " + shown + "\n  " + String(repeating: " ", count: caret) + "^"
            }
        }
        return out
    }
}

public enum BinOp: String, Sendable {
    case or = "OR", xor = "XOR", and = "AND"
    case eq = "=", ne = "<>", lt = "<", gt = ">", le = "<=", ge = ">="
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case `in` = "IN", startsWith = "STARTS WITH", endsWith = "ENDS WITH", contains = "CONTAINS", regex = "=~"
}

public enum UnOp: String, Sendable { case not = "NOT", neg = "-", pos = "+" }

public enum QuantKind: String, Sendable { case all, any, none, single }

public indirect enum Expr {
    case literal(QueryValue)
    case parameter(String, SourcePos)
    case variable(String, SourcePos)
    case property(Expr, String)
    case index(Expr, Expr)
    case slice(Expr, Expr?, Expr?)
    case list([Expr])
    case map([(String, Expr)])
    case unary(UnOp, Expr)
    case binary(BinOp, Expr, Expr)
    case isNull(Expr, negated: Bool)
    case hasLabels(Expr, [String])
    case function(name: String, distinct: Bool, args: [Expr], pos: SourcePos)
    case countStar(SourcePos)
    case caseExpr(subject: Expr?, whens: [(Expr, Expr)], otherwise: Expr?)
    case listComprehension(variable: String, list: Expr, predicate: Expr?, map: Expr?)
    case quantifier(QuantKind, variable: String, list: Expr, predicate: Expr?, pos: SourcePos)
    case reduce(acc: String, initial: Expr, variable: String, list: Expr, body: Expr)
    case patternComprehension(pathVar: String?, pattern: PatternPart, predicate: Expr?, map: Expr)
    case pattern(PatternPart)
    case mapProjection(String, SourcePos, [MapProjItem])
}

public enum MapProjItem {
    case property(String)
    case allProperties
    case variable(String, SourcePos)
    case literal(String, Expr)
}

public enum Direction: Sendable { case out, `in`, both }

public struct NodePattern {
    public var variable: String?
    public var labels: [String]
    public var properties: Expr?
    public var pos: SourcePos
}

public struct RelPattern {
    public var variable: String?
    public var types: [String]
    public var direction: Direction
    public var properties: Expr?
    /// nil: a single relationship; otherwise (min, max) hops, max nil for unbounded.
    public var varLength: (min: Int?, max: Int?)?
    public var pos: SourcePos
}

public struct PatternPart {
    public var pathVariable: String?
    /// nil: plain; false: shortestPath; true: allShortestPaths
    public var shortest: Bool?
    public var nodes: [NodePattern]
    public var rels: [RelPattern]
    public var pos: SourcePos
}

public struct ReturnItem {
    public var expr: Expr
    public var alias: String?
    public var text: String
    public var pos: SourcePos
    public var name: String { alias ?? text }
}

public struct SortItem { public var expr: Expr; public var ascending: Bool }

public struct Projection {
    public var distinct = false
    public var star = false
    public var items: [ReturnItem] = []
    public var order: [SortItem] = []
    public var skip: Expr?
    public var limit: Expr?
    public var pos: SourcePos = .none
}

public enum SetItem {
    case property(Expr, String, Expr)         // target.key = value
    case replace(String, SourcePos, Expr)     // n = map
    case merge(String, SourcePos, Expr)       // n += map
    case labels(String, SourcePos, [String])  // n:A:B
}

public enum RemoveItem {
    case property(Expr, String)
    case labels(String, SourcePos, [String])
}

public enum Clause {
    case match(optional: Bool, patterns: [PatternPart], predicate: Expr?, pos: SourcePos)
    case unwind(Expr, String, SourcePos)
    case with(Projection, predicate: Expr?)
    case `return`(Projection)
    case create([PatternPart], SourcePos)
    case merge(PatternPart, onCreate: [SetItem], onMatch: [SetItem], pos: SourcePos)
    case set([SetItem], SourcePos)
    case remove([RemoveItem], SourcePos)
    case delete([Expr], detach: Bool, pos: SourcePos)
}

public struct SingleQuery { public var clauses: [Clause] }

public struct Statement {
    public var parts: [SingleQuery]
    /// unionAll[i] tells whether parts[i] and parts[i+1] are joined by UNION ALL.
    public var unionAll: [Bool]
    public var unionPos: [SourcePos]
}

// MARK: Shape

extension Expr {
    /// The direct subexpressions (one level; pattern property maps included).
    var children: [Expr] {
        func patternExprs(_ p: PatternPart) -> [Expr] { p.nodes.compactMap(\.properties) + p.rels.compactMap(\.properties) }
        switch self {
        case .literal, .parameter, .variable, .countStar: return []
        case .property(let e, _): return [e]
        case .index(let a, let b): return [a, b]
        case .slice(let a, let b, let c): return [a] + [b, c].compactMap { $0 }
        case .list(let l): return l
        case .map(let m): return m.map(\.1)
        case .unary(_, let e), .isNull(let e, _), .hasLabels(let e, _): return [e]
        case .binary(_, let a, let b): return [a, b]
        case .function(_, _, let args, _): return args
        case .caseExpr(let s, let ws, let o): return [s].compactMap { $0 } + ws.flatMap { [$0.0, $0.1] } + [o].compactMap { $0 }
        case .listComprehension(_, let l, let p, let m): return [l] + [p, m].compactMap { $0 }
        case .quantifier(_, _, let l, let p, _): return [l] + [p].compactMap { $0 }
        case .reduce(_, let i, _, let l, let b): return [i, l, b]
        case .patternComprehension(_, let part, let p, let m): return patternExprs(part) + [p].compactMap { $0 } + [m]
        case .pattern(let part): return patternExprs(part)
        case .mapProjection(_, _, let items): return items.compactMap { if case .literal(_, let e) = $0 { return e } else { return nil } }
        }
    }

    /// How deeply the expression nests (a leaf is 1), computed without recursion.
    var height: Int {
        var best = 0
        var stack: [(Expr, Int)] = [(self, 1)]
        while let (e, h) = stack.popLast() {
            best = max(best, h)
            for c in e.children { stack.append((c, h + 1)) }
        }
        return best
    }
}

// MARK: Printer (canonical text; parse ∘ print is stable)

extension Expr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .literal(let v): return v.canonicalLiteral
        case .parameter(let n, _): return "$" + QueryValue.key(n)
        case .variable(let n, _): return QueryValue.key(n)
        case .property(let e, let k): return "\(e.atomText).\(QueryValue.key(k))"
        case .index(let e, let i): return "\(e.atomText)[\(i)]"
        case .slice(let e, let a, let b): return "\(e.atomText)[\(a.map { "\($0)" } ?? "")..\(b.map { "\($0)" } ?? "")]"
        case .list(let l): return "[" + l.map { "\($0)" }.joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\(QueryValue.key($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        case .unary(let op, let e): return op == .not ? "(NOT \(e))" : "(\(op.rawValue)\(e))"
        case .binary(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .isNull(let e, let neg): return "(\(e) IS \(neg ? "NOT " : "")NULL)"
        case .hasLabels(let e, let ls): return e.atomText + ls.map { ":" + QueryValue.key($0) }.joined()
        case .function(let n, let d, let args, _):
            return n + "(" + (d ? "DISTINCT " : "") + args.map { "\($0)" }.joined(separator: ", ") + ")"
        case .countStar: return "count(*)"
        case .caseExpr(let s, let ws, let o):
            var t = "CASE"
            if let s { t += " \(s)" }
            for (w, th) in ws { t += " WHEN \(w) THEN \(th)" }
            if let o { t += " ELSE \(o)" }
            return t + " END"
        case .listComprehension(let v, let l, let p, let m):
            return "[\(QueryValue.key(v)) IN \(l)" + (p.map { " WHERE \($0)" } ?? "") + (m.map { " | \($0)" } ?? "") + "]"
        case .quantifier(let k, let v, let l, let p, _):
            return "\(k.rawValue)(\(QueryValue.key(v)) IN \(l)" + (p.map { " WHERE \($0)" } ?? "") + ")"
        case .reduce(let acc, let i, let v, let l, let b):
            return "reduce(\(QueryValue.key(acc)) = \(i), \(QueryValue.key(v)) IN \(l) | \(b))"
        case .patternComprehension(let pv, let part, let p, let m):
            return "[" + (pv.map { QueryValue.key($0) + " = " } ?? "") + part.description + (p.map { " WHERE \($0)" } ?? "") + " | \(m)]"
        case .pattern(let part): return part.description
        case .mapProjection(let v, _, let items):
            return QueryValue.key(v) + "{" + items.map { it -> String in
                switch it {
                case .property(let k): return "." + QueryValue.key(k)
                case .allProperties: return ".*"
                case .variable(let n, _): return QueryValue.key(n)
                case .literal(let k, let e): return "\(QueryValue.key(k)): \(e)"
                }
            }.joined(separator: ", ") + "}"
        }
    }

    var atomText: String {
        switch self {
        case .variable, .parameter, .property, .index, .function, .literal, .list, .map, .countStar, .mapProjection: return description
        default: return "(\(description))"
        }
    }
}

extension PatternPart: CustomStringConvertible {
    public var description: String {
        var s = ""
        func node(_ n: NodePattern) -> String {
            var t = "(" + (n.variable.map { QueryValue.key($0) } ?? "")
            t += n.labels.map { ":" + QueryValue.key($0) }.joined()
            if let p = n.properties { t += (t.count > 1 ? " " : "") + "\(p)" }
            return t + ")"
        }
        s += node(nodes[0])
        for (i, r) in rels.enumerated() {
            var body = r.variable.map { QueryValue.key($0) } ?? ""
            if !r.types.isEmpty { body += ":" + r.types.map { QueryValue.key($0) }.joined(separator: "|") }
            if let vl = r.varLength { body += "*" + (vl.min.map(String.init) ?? "") + ".." + (vl.max.map(String.init) ?? "") }
            if let p = r.properties { body += " \(p)" }
            let mid = body.isEmpty ? "-" : "-[\(body)]-"
            switch r.direction {
            case .out: s += mid + ">"
            case .in: s += "<" + mid
            case .both: s += mid
            }
            s += node(nodes[i + 1])
        }
        if let sh = shortest { s = (sh ? "allShortestPaths(" : "shortestPath(") + s + ")" }
        if let pv = pathVariable { s = QueryValue.key(pv) + " = " + s }
        return s
    }
}

extension QueryValue {
    /// Literal text that parses back to the same value (used by the expression printer).
    var canonicalLiteral: String {
        switch self {
        case .float(let d):
            if d.isNaN { return "(0.0 / 0.0)" }
            if d.isInfinite { return d < 0 ? "(-1.0 / 0.0)" : "(1.0 / 0.0)" }
            return "\(d)"
        case .int(let i): return i < 0 ? "(\(i))" : String(i)
        case .string(let s): return QueryValue.quote(s)
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return "[" + l.map(\.canonicalLiteral).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.entries.map { "\(QueryValue.key($0.key)): \($0.value.canonicalLiteral)" }.joined(separator: ", ") + "}"
        case .temporal(let t): return t.kind.rawValue + "(" + QueryValue.quote(t.text) + ")"
        default: return "null"
        }
    }
}
