import Foundation
import KGCore

func typeError(_ msg: String, _ detail: String = "InvalidArgumentType") -> CypherError {
    CypherError(.type, detail, msg)
}

func typeMismatch(_ fn: String, _ v: QueryValue) -> CypherError {
    typeError("\(fn): unexpected argument of type \(v.typeName)")
}

/// Scalar functions: name (lowercase) → (min args, max args, implementation).
struct ScalarFunction {
    let minArgs: Int
    let maxArgs: Int
    let impl: ([QueryValue], ExecContext) throws -> QueryValue
}

let aggregateNames: Set<String> = ["count", "collect", "sum", "avg", "min", "max", "stdev", "stdevp", "percentilecont", "percentiledisc"]

func stringArg(_ fn: String, _ v: QueryValue) throws -> String? {
    switch v {
    case .null: return nil
    case .string(let s): return s
    default: throw typeMismatch(fn, v)
    }
}

func intArg(_ fn: String, _ v: QueryValue) throws -> Int64? {
    switch v {
    case .null: return nil
    case .int(let i): return i
    default: throw typeMismatch(fn, v)
    }
}

func numArg(_ fn: String, _ v: QueryValue) throws -> Double? {
    switch v {
    case .null: return nil
    case .int(let i): return Double(i)
    case .float(let d): return d
    default: throw typeMismatch(fn, v)
    }
}

func checkAlive(_ v: QueryValue, _ ctx: ExecContext) throws {
    switch v {
    case .node(let n): if !ctx.graph.isAlive(n) && ctx.deletedNodes.contains(n) { throw CypherError(.entityNotFound, "DeletedEntityAccess", "the node was deleted") }
    case .relationship(let r): if !ctx.graph.isAlive(r) && ctx.deletedRels.contains(r) { throw CypherError(.entityNotFound, "DeletedEntityAccess", "the relationship was deleted") }
    default: break
    }
}

func propertiesMap(_ v: QueryValue, _ ctx: ExecContext) -> QueryMap {
    let g = ctx.graph
    switch v {
    case .node(let n):
        var m = QueryMap()
        for (k, val) in g.properties(of: n) { m.entries.append((g.strings[k], QueryValue(val))) }
        return m
    case .relationship(let r):
        var m = QueryMap()
        for (k, val) in g.properties(of: r) { m.entries.append((k, QueryValue(val))) }
        return m
    case .map(let m): return m
    default: return QueryMap()
    }
}

func toStringValue(_ v: QueryValue) -> String? {
    switch v {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .float(let d): return QueryValue.formatFloat(d)
    case .bool(let b): return b ? "true" : "false"
    default: return nil
    }
}

func roundHalfUp(_ d: Double) -> Double {
    // Cypher rounds half towards positive infinity.
    let f = (d).rounded(.down)
    return d - f >= 0.5 ? f + 1 : f
}

let scalarFunctions: [String: ScalarFunction] = {
    var f: [String: ScalarFunction] = [:]
    func def(_ name: String, _ lo: Int, _ hi: Int, _ impl: @escaping ([QueryValue], ExecContext) throws -> QueryValue) {
        f[name] = ScalarFunction(minArgs: lo, maxArgs: hi, impl: impl)
    }
    def("id", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .node(let n): return .int(Int64(n.raw))
        case .relationship(let r): return .int(Int64(r.raw))
        default: throw typeMismatch("id", a[0])
        }
    }
    def("labels", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .node(let n): try checkAlive(a[0], ctx); return .list(ctx.graph.labels(of: n).map { .string($0) })
        default: throw typeError("labels: expected a node, got \(a[0].typeName)", "InvalidArgumentValue")
        }
    }
    def("type", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .relationship(let r): return .string(ctx.graph.typeName(of: r))
        default: throw typeError("type: expected a relationship, got \(a[0].typeName)", "InvalidArgumentValue")
        }
    }
    def("properties", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .node, .relationship: try checkAlive(a[0], ctx); return .map(propertiesMap(a[0], ctx))
        case .map: return a[0]
        default: throw typeMismatch("properties", a[0])
        }
    }
    def("keys", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .node, .relationship: try checkAlive(a[0], ctx); return .list(propertiesMap(a[0], ctx).keys.map { .string($0) })
        case .map(let m): return .list(m.keys.map { .string($0) })
        default: throw typeMismatch("keys", a[0])
        }
    }
    def("startnode", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .relationship(let r): return .node(ctx.graph.source(of: r))
        default: throw typeMismatch("startNode", a[0])
        }
    }
    def("endnode", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .relationship(let r): return .node(ctx.graph.target(of: r))
        default: throw typeMismatch("endNode", a[0])
        }
    }
    def("nodes", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .path(let p): return .list(p.nodes.map { .node($0) })
        default: throw typeMismatch("nodes", a[0])
        }
    }
    def("relationships", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .path(let p): return .list(p.rels.map { .relationship($0) })
        default: throw typeMismatch("relationships", a[0])
        }
    }
    f["rels"] = f["relationships"]
    def("length", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .path(let p): return .int(Int64(p.rels.count))
        default: throw typeMismatch("length", a[0])
        }
    }
    def("size", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .list(let l): return .int(Int64(l.count))
        case .string(let s): return .int(Int64(s.count))
        case .map(let m): return .int(Int64(m.count))
        default: throw typeMismatch("size", a[0])
        }
    }
    def("head", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .list(let l): return l.first ?? .null
        default: throw typeMismatch("head", a[0])
        }
    }
    def("last", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .list(let l): return l.last ?? .null
        default: throw typeMismatch("last", a[0])
        }
    }
    def("tail", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .list(let l): return .list(Array(l.dropFirst()))
        default: throw typeMismatch("tail", a[0])
        }
    }
    def("range", 2, 3) { a, ctx in
        if a.contains(where: \.isNull) { return .null }
        // openCypher: arguments of the wrong type are an ArgumentError, not a TypeError.
        func int(_ v: QueryValue, _ what: String) throws -> Int64 {
            guard case .int(let i) = v else {
                throw CypherError(.argument, "InvalidArgumentType", "range(): the \(what) must be an integer, got \(v.typeName)")
            }
            return i
        }
        let lo = try int(a[0], "start"), hi = try int(a[1], "end")
        let step = a.count == 3 ? try int(a[2], "step") : 1
        if step == 0 { throw CypherError(.argument, "NumberOutOfRange", "range: step must not be zero") }
        let span = ((Double(hi) - Double(lo)) / Double(step)).rounded(.down) + 1
        let count = span < 1 ? 0 : Int(min(span, 1e15))
        try ctx.checkAllocation(ExecContext.listBytes(count))
        var out: [QueryValue] = []
        out.reserveCapacity(count)
        var i = lo
        if step > 0 { while i <= hi { try ctx.tick(); out.append(.int(i)); let (n, o) = i.addingReportingOverflow(step); if o { break }; i = n } }
        else { while i >= hi { try ctx.tick(); out.append(.int(i)); let (n, o) = i.addingReportingOverflow(step); if o { break }; i = n } }
        return .list(out)
    }
    def("reverse", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .list(let l): return .list(l.reversed())
        case .string(let s): return .string(String(s.reversed()))
        default: throw typeMismatch("reverse", a[0])
        }
    }
    def("coalesce", 1, Int.max) { a, _ in a.first { !$0.isNull } ?? .null }
    def("tostring", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .string, .int, .float, .bool: return .string(toStringValue(a[0])!)
        case .temporal(let t): return .string(t.text)
        default: throw typeError("toString: cannot convert a \(a[0].typeName)", "InvalidArgumentValue")
        }
    }
    def("tointeger", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .int: return a[0]
        case .float(let d):
            if d.isNaN || d.isInfinite || d >= 9.3e18 || d <= -9.3e18 { return .null }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            if let i = Int64(t) { return .int(i) }
            if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .int(Int64(d.rounded(.towardZero))) }
            return .null
        case .bool(let b): return .int(b ? 1 : 0)
        default: throw typeError("toInteger: cannot convert a \(a[0].typeName)", "InvalidArgumentValue")
        }
    }
    def("tofloat", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .float: return a[0]
        case .int(let i): return .float(Double(i))
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.lowercased() == "nan" || t.lowercased().contains("inf") { return .null }
            return Double(t).map { .float($0) } ?? .null
        default: throw typeError("toFloat: cannot convert a \(a[0].typeName)", "InvalidArgumentValue")
        }
    }
    def("toboolean", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .bool: return a[0]
        case .string(let s):
            switch s.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .null
            }
        case .int(let i): return .bool(i != 0)
        default: throw typeError("toBoolean: cannot convert a \(a[0].typeName)", "InvalidArgumentValue")
        }
    }
    def("tolower", 1, 1) { a, _ in try stringArg("toLower", a[0]).map { .string($0.lowercased()) } ?? .null }
    def("toupper", 1, 1) { a, _ in try stringArg("toUpper", a[0]).map { .string($0.uppercased()) } ?? .null }
    f["lower"] = f["tolower"]; f["upper"] = f["toupper"]
    def("trim", 1, 1) { a, _ in try stringArg("trim", a[0]).map { .string($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? .null }
    def("ltrim", 1, 1) { a, _ in
        try stringArg("ltrim", a[0]).map { .string(String($0.drop { $0.isWhitespace })) } ?? .null
    }
    def("rtrim", 1, 1) { a, _ in
        try stringArg("rtrim", a[0]).map { s in
            var t = Substring(s)
            while let l = t.last, l.isWhitespace { t = t.dropLast() }
            return .string(String(t))
        } ?? .null
    }
    def("split", 2, 2) { a, ctx in
        guard let s = try stringArg("split", a[0]), let d = try stringArg("split", a[1]) else { return .null }
        try ctx.checkAllocation(s.utf8.count &+ ExecContext.listBytes(d.isEmpty ? s.utf8.count : s.utf8.count / max(1, d.utf8.count) + 1))
        if d.isEmpty { return .list(s.map { .string(String($0)) }) }
        return .list(s.components(separatedBy: d).map { .string($0) })
    }
    def("replace", 3, 3) { a, ctx in
        guard let s = try stringArg("replace", a[0]), let x = try stringArg("replace", a[1]), let y = try stringArg("replace", a[2]) else { return .null }
        if x.isEmpty { return .string(s) }
        if y.utf8.count > x.utf8.count {
            // Each occurrence grows the string; check the result's size before building it.
            let bound = s.utf8.count &+ (s.utf8.count / x.utf8.count) &* (y.utf8.count - x.utf8.count)
            if bound > 1 << 20 {
                var n = 0
                var r = s.startIndex..<s.endIndex
                while let f = s.range(of: x, options: .literal, range: r) { n += 1; r = f.upperBound..<s.endIndex; if n & 0xFFF == 0 { try ctx.tick() } }
                try ctx.checkAllocation(s.utf8.count &+ n &* (y.utf8.count - x.utf8.count))
            }
        }
        return .string(s.replacingOccurrences(of: x, with: y))
    }
    def("substring", 2, 3) { a, _ in
        guard let s = try stringArg("substring", a[0]) else { return .null }
        guard let start = try intArg("substring", a[1]) else { throw typeError("substring: start must be an integer") }
        if start < 0 { throw CypherError(.argument, "NumberOutOfRange", "substring: negative start") }
        let chars = Array(s)
        var len = Int64(chars.count)
        if a.count == 3 {
            guard let l = try intArg("substring", a[2]) else { throw typeError("substring: length must be an integer") }
            if l < 0 { throw CypherError(.argument, "NumberOutOfRange", "substring: negative length") }
            len = l
        }
        let st = Int(min(start, Int64(chars.count)))
        let en = Int(min(Int64(st) + min(len, Int64(chars.count)), Int64(chars.count)))
        return .string(String(chars[st..<en]))
    }
    def("left", 2, 2) { a, _ in
        guard let s = try stringArg("left", a[0]) else { return .null }
        guard let n = try intArg("left", a[1]) else { throw typeError("left: length must be an integer") }
        if n < 0 { throw CypherError(.argument, "NumberOutOfRange", "left: negative length") }
        return .string(String(s.prefix(Int(min(n, Int64(Int32.max))))))
    }
    def("right", 2, 2) { a, _ in
        guard let s = try stringArg("right", a[0]) else { return .null }
        guard let n = try intArg("right", a[1]) else { throw typeError("right: length must be an integer") }
        if n < 0 { throw CypherError(.argument, "NumberOutOfRange", "right: negative length") }
        return .string(String(s.suffix(Int(min(n, Int64(Int32.max))))))
    }
    def("abs", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .int(let i): return .int(i == Int64.min ? i : abs(i))
        case .float(let d): return .float(abs(d))
        default: throw typeMismatch("abs", a[0])
        }
    }
    def("sign", 1, 1) { a, _ in
        switch a[0] {
        case .null: return .null
        case .int(let i): return .int(i.signum())
        case .float(let d): return .int(d > 0 ? 1 : (d < 0 ? -1 : 0))
        default: throw typeMismatch("sign", a[0])
        }
    }
    def("ceil", 1, 1) { a, _ in try numArg("ceil", a[0]).map { .float($0.rounded(.up)) } ?? .null }
    def("floor", 1, 1) { a, _ in try numArg("floor", a[0]).map { .float($0.rounded(.down)) } ?? .null }
    def("round", 1, 1) { a, _ in try numArg("round", a[0]).map { .float(roundHalfUp($0)) } ?? .null }
    def("sqrt", 1, 1) { a, _ in try numArg("sqrt", a[0]).map { .float($0.squareRoot()) } ?? .null }
    def("exp", 1, 1) { a, _ in try numArg("exp", a[0]).map { .float(Foundation.exp($0)) } ?? .null }
    def("log", 1, 1) { a, _ in try numArg("log", a[0]).map { .float(Foundation.log($0)) } ?? .null }
    def("log10", 1, 1) { a, _ in try numArg("log10", a[0]).map { .float(Foundation.log10($0)) } ?? .null }
    def("sin", 1, 1) { a, _ in try numArg("sin", a[0]).map { .float(Foundation.sin($0)) } ?? .null }
    def("cos", 1, 1) { a, _ in try numArg("cos", a[0]).map { .float(Foundation.cos($0)) } ?? .null }
    def("tan", 1, 1) { a, _ in try numArg("tan", a[0]).map { .float(Foundation.tan($0)) } ?? .null }
    def("pi", 0, 0) { _, _ in .float(Double.pi) }
    def("e", 0, 0) { _, _ in .float(M_E) }
    def("rand", 0, 0) { _, _ in .float(Double.random(in: 0..<1)) }
    def("exists", 1, 1) { a, _ in .bool(!a[0].isNull) }
    for (name, fn) in temporalFunctions() { f[name] = fn }
    return f
}()
