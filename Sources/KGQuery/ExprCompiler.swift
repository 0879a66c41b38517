import Foundation
import KGCore

/// How aggregate calls are treated while compiling an expression.
enum AggMode {
    /// Aggregates are not allowed here (WHERE, SET, …).
    case forbidden(String)
    /// Aggregates read their result from the given slots (keyed by canonical text).
    case slots([String: Int])
}

extension Compiler {
    func isAggregateCall(_ e: Expr) -> Bool {
        switch e {
        case .countStar: return true
        case .function(let n, _, _, _): return aggregateNames.contains(n.lowercased())
        default: return false
        }
    }

    /// Calls `visit` for every subexpression (not descending into aggregate arguments when
    /// `intoAggregates` is false).
    func containsAggregate(_ e: Expr) -> Bool {
        var found = false
        walk(e) { x in if isAggregateCall(x) { found = true; return false }; return true }
        return found
    }

    /// Visits `e` and its subexpressions in pre-order, left to right, without recursion; `visit`
    /// returns false to skip a subexpression's children. Patterns are not entered (a pattern
    /// comprehension's predicate and projection are).
    func walk(_ e: Expr, _ visit: (Expr) -> Bool) {
        var stack = [e]
        while let x = stack.popLast() {
            guard visit(x) else { continue }
            let kids: [Expr]
            switch x {
            case .pattern: kids = []
            case .patternComprehension(_, _, let p, let m): kids = [p].compactMap { $0 } + [m]
            default: kids = x.children
            }
            stack.append(contentsOf: kids.reversed())
        }
    }

    /// Variables an expression reads (free variables; approximate for scoped constructs).
    func freeVariables(_ e: Expr) -> [(String, SourcePos)] {
        var out: [(String, SourcePos)] = []
        walk(e) { x in
            switch x {
            case .variable(let n, let p): out.append((n, p))
            case .mapProjection(let n, let p, _): out.append((n, p))
            case .listComprehension, .quantifier, .reduce, .patternComprehension, .pattern: return false
            default: break
            }
            return true
        }
        return out
    }

    func staticType(_ e: Expr, _ scope: Scope) -> String? {
        switch e {
        case .literal(let v): return v.isNull ? "NULL" : v.typeName
        case .list, .listComprehension, .patternComprehension: return "LIST"
        case .map, .mapProjection: return "MAP"
        case .variable(let n, _):
            switch scope.kinds[n] {
            case .node: return "NODE"
            case .rel: return "RELATIONSHIP"
            case .path: return "PATH"
            case .relList: return "LIST"
            default: return scope.types[n]
            }
        case .isNull, .hasLabels, .pattern, .quantifier: return "BOOLEAN"
        case .unary(.not, _): return "BOOLEAN"
        case .binary(let op, _, _):
            switch op {
            case .and, .or, .xor, .eq, .ne, .lt, .gt, .le, .ge, .in, .startsWith, .endsWith, .contains, .regex: return "BOOLEAN"
            default: return nil
            }
        default: return nil
        }
    }

    func staticCheck(_ e: Expr, _ scope: Scope, allowed: Set<String>, _ what: String) throws {
        if let t = staticType(e, scope), t != "NULL", !allowed.contains(t) {
            throw CypherError(.syntax, "InvalidArgumentType", "\(what) cannot take a \(t)", exprPos(e))
        }
    }

    func exprPos(_ e: Expr) -> SourcePos {
        var p = SourcePos.none
        walk(e) { x in
            guard p.line == 0 else { return false }
            switch x {
            case .variable(_, let q), .parameter(_, let q), .countStar(let q), .mapProjection(_, let q, _): p = q
            case .function(_, _, _, let q): p = q
            default: break
            }
            return true
        }
        return p
    }

    /// Pattern expressions are predicates: allowed in WHERE and exists(), not as values.
    func rejectPatternExpressions(_ e: Expr) throws {
        var bad: PatternPart? = nil
        func visit(_ x: Expr) -> Bool {
            if case .pattern(let p) = x, bad == nil { bad = p }
            if case .function(let n, _, let args, _) = x, n.lowercased() == "exists" {
                for a in args { if case .pattern = a { continue }; walk(a, visit) }
                return false
            }
            return true
        }
        walk(e, visit)
        if let p = bad {
            throw CypherError(.syntax, "UnexpectedSyntax", "a pattern expression can only be used as a predicate (in WHERE or exists())", p.pos)
        }
    }

    /// Compiles an expression to a closure. Each kind of expression has its own method, so one
    /// level of nesting costs little stack (expressions nest up to `Parser.maxHeight` deep).
    func compile(_ e: Expr, _ scope: Scope, _ agg: AggMode = .forbidden("")) throws -> Eval {
        switch e {
        case .literal:
            return compileLiteral(e)
        case .parameter:
            return try compileParameter(e, scope, agg)
        case .variable:
            return try compileVariable(e, scope, agg)
        case .property:
            return try compileProperty(e, scope, agg)
        case .index:
            return try compileIndex(e, scope, agg)
        case .slice:
            return try compileSlice(e, scope, agg)
        case .list:
            return try compileList(e, scope, agg)
        case .map:
            return try compileMap(e, scope, agg)
        case .unary:
            return try compileUnary(e, scope, agg)
        case .binary:
            return try compileBinaryExpr(e, scope, agg)
        case .isNull:
            return try compileIsNull(e, scope, agg)
        case .hasLabels:
            return try compileHasLabels(e, scope, agg)
        case .countStar:
            return try compileCountStar(e, scope, agg)
        case .function:
            return try compileCall(e, scope, agg)
        case .caseExpr:
            return try compileCase(e, scope, agg)
        case .listComprehension:
            return try compileListComprehension(e, scope, agg)
        case .quantifier:
            return try compileQuantifier(e, scope, agg)
        case .reduce:
            return try compileReduce(e, scope, agg)
        case .pattern:
            return try compilePatternPredicate(e, scope, agg)
        case .patternComprehension:
            return try compilePatternComprehension(e, scope, agg)
        case .mapProjection:
            return try compileMapProjection(e, scope, agg)
        }
    }

    func compileLiteral(_ e: Expr) -> Eval {
        guard case .literal(let v) = e else { preconditionFailure() }
        return { _, _ in v }
    }

    func compileCountStar(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .countStar(let pos) = e else { preconditionFailure() }
        guard case .slots(let s) = agg else { throw invalidAgg(agg, pos) }
        let slot = s[e.description]!
        return { r, _ in r[slot] }
    }

    func compileParameter(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .parameter(let name, let pos) = e else { preconditionFailure() }
        return { _, ctx in
            guard let v = ctx.params[name] else { throw CypherError(.semantic, "ParameterMissing", "expected a parameter named $\(name)", pos) }
            return v
        }
    }

    func compileVariable(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .variable(let name, let pos) = e else { preconditionFailure() }
        guard let slot = scope.slots[name] else { throw CypherError(.syntax, "UndefinedVariable", "variable `\(name)` is not defined", pos) }
        return { r, _ in slot < r.count ? r[slot] : .null }
    }

    func compileProperty(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .property(let target, let key) = e else { preconditionFailure() }
        if staticType(target, scope) == "PATH" {
            throw CypherError(.syntax, "InvalidArgumentType", "a path has no properties", exprPos(target))
        }
        let t = try compile(target, scope, agg)
        return { r, ctx in try Compiler.propertyOf(try t(r, ctx), key, ctx) }
    }

    func compileIndex(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .index(let a, let b) = e else { preconditionFailure() }
        let ea = try compile(a, scope, agg), eb = try compile(b, scope, agg)
        return { r, ctx in try Compiler.index(try ea(r, ctx), try eb(r, ctx), ctx) }
    }

    func compileSlice(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .slice(let a, let lo, let hi) = e else { preconditionFailure() }
        let ea = try compile(a, scope, agg)
        let el = try lo.map { try compile($0, scope, agg) }
        let eh = try hi.map { try compile($0, scope, agg) }
        return { r, ctx in
            let v = try ea(r, ctx)
            let l = try el?(r, ctx), h = try eh?(r, ctx)
            guard case .list(let list) = v else {
                if v.isNull { return .null }
                throw typeError("slicing needs a list, got \(v.typeName)")
            }
            if l?.isNull == true || h?.isNull == true { return .null }
            let n = Int64(list.count)
            func norm(_ x: QueryValue?, _ def: Int64) throws -> Int64 {
                guard let x else { return def }
                guard case .int(let i) = x else { throw typeError("list slice bounds must be integers") }
                let j = i < 0 ? n + i : i
                return max(0, min(n, j))
            }
            let s = try norm(l, 0), t = try norm(h, n)
            return s >= t ? .list([]) : .list(Array(list[Int(s)..<Int(t)]))
        }
    }

    func compileList(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .list(let items) = e else { preconditionFailure() }
        let es = try items.map { try compile($0, scope, agg) }
        return { r, ctx in .list(try es.map { try $0(r, ctx) }) }
    }

    func compileMap(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .map(let entries) = e else { preconditionFailure() }
        let es = try entries.map { ($0.0, try compile($0.1, scope, agg)) }
        return { r, ctx in
            var m = QueryMap()
            for (k, ev) in es { m[k] = try ev(r, ctx) }
            return .map(m)
        }
    }

    func compileUnary(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .unary(let op, let x) = e else { preconditionFailure() }
        let ex = try compile(x, scope, agg)
        if op == .not { try staticCheck(x, scope, allowed: ["BOOLEAN"], "NOT") }
        else { try staticCheck(x, scope, allowed: ["INTEGER", "FLOAT"], "unary \(op.rawValue)") }
        switch op {
        case .not:
            return { r, ctx in
                switch try ex(r, ctx) {
                case .null: return .null
                case .bool(let b): return .bool(!b)
                case let v: throw typeError("NOT needs a boolean, got \(v.typeName)")
                }
            }
        case .neg:
            return { r, ctx in
                switch try ex(r, ctx) {
                case .null: return .null
                case .int(let i):
                    if i == Int64.min { throw CypherError(.argument, "NumberOutOfRange", "integer overflow") }
                    return .int(-i)
                case .float(let d): return .float(-d)
                case .temporal(.duration(let d)): return .temporal(.duration(try checked { try d.negated() }))
                case let v: throw typeError("cannot negate a \(v.typeName)")
                }
            }
        case .pos:
            return { r, ctx in
                let v = try ex(r, ctx)
                switch v {
                case .null, .int, .float: return v
                default: throw typeError("unary + needs a number, got \(v.typeName)")
                }
            }
        }
    }

    func compileBinaryExpr(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .binary(let op, let a, let b) = e else { preconditionFailure() }
        let ea = try compile(a, scope, agg), eb = try compile(b, scope, agg)
        switch op {
        case .and, .or, .xor:
            try staticCheck(a, scope, allowed: ["BOOLEAN"], op.rawValue)
            try staticCheck(b, scope, allowed: ["BOOLEAN"], op.rawValue)
        case .in: try staticCheck(b, scope, allowed: ["LIST"], "IN")
        case .sub, .mul, .div, .mod, .pow:
            try staticCheck(a, scope, allowed: ["INTEGER", "FLOAT"], op.rawValue)
            try staticCheck(b, scope, allowed: ["INTEGER", "FLOAT"], op.rawValue)
        case .add:
            let ta = staticType(a, scope), tb = staticType(b, scope)
            if ta != "LIST" && tb != "LIST" {
                try staticCheck(a, scope, allowed: ["INTEGER", "FLOAT", "STRING"], "+")
                try staticCheck(b, scope, allowed: ["INTEGER", "FLOAT", "STRING"], "+")
            }
        default: break
        }
        return try compileBinary(op, ea, eb)
    }

    func compileIsNull(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .isNull(let x, let neg) = e else { preconditionFailure() }
        let ex = try compile(x, scope, agg)
        return { r, ctx in .bool(try ex(r, ctx).isNull != neg) }
    }

    func compileHasLabels(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .hasLabels(let x, let labels) = e else { preconditionFailure() }
        let ex = try compile(x, scope, agg)
        return { r, ctx in
            switch try ex(r, ctx) {
            case .null: return .null
            case .node(let n):
                return .bool(labels.allSatisfy { ctx.hasLabel(n, $0) })
            case let v: throw typeError("label predicate needs a node, got \(v.typeName)")
            }
        }
    }

    func compileCall(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .function(let name, let distinct, let args, let pos) = e else { preconditionFailure() }
        let lname = name.lowercased()
        if aggregateNames.contains(lname) {
            guard case .slots(let s) = agg else { throw invalidAgg(agg, pos) }
            _ = distinct
            guard let slot = s[e.description] else { throw CypherError(.syntax, "InvalidAggregation", "aggregation is not allowed here", pos) }
            return { r, _ in r[slot] }
        }
        return try compileFunction(lname, name, args, pos, scope, agg)
    }

    func compileCase(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .caseExpr(let subject, let whens, let other) = e else { preconditionFailure() }
        let es = try subject.map { try compile($0, scope, agg) }
        let ws = try whens.map { (try compile($0.0, scope, agg), try compile($0.1, scope, agg)) }
        let eo = try other.map { try compile($0, scope, agg) }
        return { r, ctx in
            if let es {
                let v = try es(r, ctx)
                for (w, t) in ws where QueryValue.cypherEquals(v, try w(r, ctx)) == true { return try t(r, ctx) }
            } else {
                for (w, t) in ws { if case .bool(true) = try w(r, ctx) { return try t(r, ctx) } }
            }
            return try eo?(r, ctx) ?? .null
        }
    }

    func compileListComprehension(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .listComprehension(let v, let list, let pred, let map) = e else { preconditionFailure() }
        let el = try compile(list, scope, agg)
        var inner = scope
        let slot = inner.add(v, .value)
        inner.types[v] = elementType(list, scope)
        let ep = try pred.map { try compile($0, inner, .forbidden("")) }
        let em = try map.map { try compile($0, inner, .forbidden("")) }
        return { r, ctx in
            let lv = try el(r, ctx)
            guard case .list(let items) = lv else {
                if lv.isNull { return .null }
                throw typeError("list comprehension needs a list, got \(lv.typeName)")
            }
            var row = r
            while row.count <= slot { row.append(.null) }
            var out: [QueryValue] = []
            var bytes = 0
            for it in items {
                try ctx.tick()
                row[slot] = it
                if let ep { guard case .bool(true) = try ep(row, ctx) else { continue } }
                let v = try em?(row, ctx) ?? it
                if em != nil {
                    bytes &+= v.shallowBytes
                    try ctx.checkAllocation(bytes)
                }
                out.append(v)
            }
            return .list(out)
        }
    }

    func compileQuantifier(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .quantifier(let kind, let v, let list, let pred, _) = e else { preconditionFailure() }
        let el = try compile(list, scope, agg)
        var inner = scope
        let slot = inner.add(v, .value)
        inner.types[v] = elementType(list, scope)
        let ep = try pred.map { try compile($0, inner, .forbidden("")) } ?? { r, _ in r[slot] }
        return { r, ctx in
            let lv = try el(r, ctx)
            guard case .list(let items) = lv else {
                if lv.isNull { return .null }
                throw typeError("\(kind.rawValue)() needs a list, got \(lv.typeName)")
            }
            var row = r
            while row.count <= slot { row.append(.null) }
            var trues = 0, nulls = 0
            for it in items {
                try ctx.tick()
                row[slot] = it
                switch try ep(row, ctx) {
                case .bool(true): trues += 1
                case .bool(false): break
                case .null: nulls += 1
                case let x: throw typeError("quantifier predicate must be boolean, got \(x.typeName)")
                }
            }
            let falses = items.count - trues - nulls
            switch kind {
            case .all: return falses > 0 ? .bool(false) : (nulls > 0 ? .null : .bool(true))
            case .any: return trues > 0 ? .bool(true) : (nulls > 0 ? .null : .bool(false))
            case .none: return trues > 0 ? .bool(false) : (nulls > 0 ? .null : .bool(true))
            case .single:
                if trues > 1 { return .bool(false) }
                if nulls > 0 { return .null }
                return .bool(trues == 1)
            }
        }
    }

    func compileReduce(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .reduce(let acc, let initial, let v, let list, let body) = e else { preconditionFailure() }
        let ei = try compile(initial, scope, agg)
        let el = try compile(list, scope, agg)
        var inner = scope
        let accSlot = inner.add(acc, .value)
        let vSlot = inner.add(v, .value)
        let eb = try compile(body, inner, agg)
        return { r, ctx in
            let lv = try el(r, ctx)
            guard case .list(let items) = lv else {
                if lv.isNull { return .null }
                throw typeError("reduce needs a list, got \(lv.typeName)")
            }
            var row = r
            while row.count <= vSlot { row.append(.null) }
            row[accSlot] = try ei(r, ctx)
            var nesting = NestingTracker()
            for it in items {
                try ctx.tick()
                row[vSlot] = it
                let next = try eb(row, ctx)
                switch next {
                case .list, .map: try nesting.update(next)
                default: break
                }
                row[accSlot] = next
            }
            return row[accSlot]
        }
    }

    func compilePatternPredicate(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .pattern(let part) = e else { preconditionFailure() }
        var inner = scope
        let m = try compileMatch([part], &inner, optional: false, predicate: nil, context: .expression)
        return { r, ctx in .bool(try m.exists(r, ctx)) }
    }

    func compilePatternComprehension(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .patternComprehension(let pathVar, let part0, let pred, let map) = e else { preconditionFailure() }
        var part = part0
        part.pathVariable = pathVar
        var inner = scope
        let m = try compileMatch([part], &inner, optional: false, predicate: pred, context: .match)
        let em = try compile(map, inner, agg)
        return { r, ctx in
            var out: [QueryValue] = []
            var bytes = 0
            try m.forEach(r, ctx) { row in
                try ctx.tick()
                let v = try em(row, ctx)
                bytes &+= v.shallowBytes
                try ctx.checkAllocation(bytes)
                out.append(v)
                return true
            }
            return .list(out)
        }
    }

    func compileMapProjection(_ e: Expr, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        guard case .mapProjection(let v, let pos, let items) = e else { preconditionFailure() }
        guard let slot = scope.slots[v] else { throw CypherError(.syntax, "UndefinedVariable", "variable `\(v)` is not defined", pos) }
        var parts: [(MapProjItem, Eval?)] = []
        for it in items {
            switch it {
            case .variable(let n, let p):
                parts.append((it, try compile(.variable(n, p), scope, agg)))
            case .literal(_, let x): parts.append((it, try compile(x, scope, agg)))
            default: parts.append((it, nil))
            }
        }
        return { r, ctx in
            let base = slot < r.count ? r[slot] : .null
            if base.isNull { return .null }
            switch base {
            case .node, .relationship, .map: break
            default: throw typeError("map projection needs a node, relationship or map, got \(base.typeName)")
            }
            try checkAlive(base, ctx)
            var m = QueryMap()
            for (it, ev) in parts {
                switch it {
                case .property(let k): m[k] = try Compiler.propertyOf(base, k, ctx)
                case .allProperties: for e in propertiesMap(base, ctx).entries { m[e.key] = e.value }
                case .variable(let n, _): m[n] = try ev!(r, ctx)
                case .literal(let k, _): m[k] = try ev!(r, ctx)
                }
            }
            return .map(m)
        }
    }
    func elementType(_ list: Expr, _ scope: Scope) -> String? {
        guard case .list(let items) = list, !items.isEmpty else { return nil }
        let ts = items.map { staticType($0, scope) }
        guard let f = ts[0], f != "NULL", ts.allSatisfy({ $0 == f }) else { return nil }
        return f
    }

    func invalidAgg(_ mode: AggMode, _ pos: SourcePos) -> CypherError {
        if case .forbidden(let why) = mode, why == "nested" {
            return CypherError(.syntax, "NestedAggregation", "an aggregate function cannot contain another aggregate function", pos)
        }
        return CypherError(.syntax, "InvalidAggregation", "aggregate functions are not allowed here", pos)
    }

    func compileFunction(_ lname: String, _ name: String, _ args: [Expr], _ pos: SourcePos, _ scope: Scope, _ agg: AggMode) throws -> Eval {
        if lname == "exists" {
            guard args.count == 1 else { throw CypherError(.syntax, "InvalidNumberOfArguments", "exists() takes one argument", pos) }
            switch args[0] {
            case .pattern: return try compile(args[0], scope, agg)
            case .property, .index: break
            default: throw CypherError(.syntax, "InvalidArgumentExpression", "exists() needs a property or a pattern", pos)
            }
            let e = try compile(args[0], scope, agg)
            return { r, ctx in .bool(!(try e(r, ctx)).isNull) }
        }
        if lname == "kg.named" {
            guard args.count == 2 else { throw CypherError(.syntax, "InvalidNumberOfArguments", "kg.named(node, name) takes two arguments", pos) }
            let en = try compile(args[0], scope, agg), es = try compile(args[1], scope, agg)
            return { r, ctx in
                let n = try en(r, ctx), s = try es(r, ctx)
                guard case .node(let id) = n, case .string(let str) = s else {
                    if n.isNull || s.isNull { return .null }
                    throw typeError("kg.named(node, name) needs a node and a string")
                }
                return .bool(ctx.graph.isNamed(id, str))
            }
        }
        if lname == "kg.resolve" {
            guard args.count == 1 else { throw CypherError(.syntax, "InvalidNumberOfArguments", "kg.resolve(name) takes one argument", pos) }
            let es = try compile(args[0], scope, agg)
            return { r, ctx in
                guard case .string(let s) = try es(r, ctx) else { return .null }
                return .list(ctx.graph.resolve(name: s).map { .node($0) })
            }
        }
        guard let fn = scalarFunctions[lname] else {
            throw CypherError(.syntax, "UnknownFunction", "unknown function '\(name)'", pos)
        }
        if args.count < fn.minArgs || args.count > fn.maxArgs {
            throw CypherError(.syntax, "InvalidNumberOfArguments", "\(name)() takes \(fn.minArgs == fn.maxArgs ? "\(fn.minArgs)" : "\(fn.minArgs) to \(fn.maxArgs)") argument(s), got \(args.count)", pos)
        }
        // Compile-time argument type checks where the argument type is known statically.
        switch lname {
        case "labels": try staticCheck(args[0], scope, allowed: ["NODE"], "labels()")
        case "type": try staticCheck(args[0], scope, allowed: ["RELATIONSHIP"], "type()")
        case "properties": try staticCheck(args[0], scope, allowed: ["NODE", "RELATIONSHIP", "MAP"], "properties()")
        case "size":
            if case .pattern(let p) = args[0] { throw CypherError(.syntax, "UnexpectedSyntax", "size() cannot take a pattern expression", p.pos) }
            try staticCheck(args[0], scope, allowed: ["LIST", "STRING", "MAP"], "size()")
        case "length": try staticCheck(args[0], scope, allowed: ["PATH"], "length()")
        case "nodes", "relationships": try staticCheck(args[0], scope, allowed: ["PATH"], "\(name)()")
        default: break
        }
        let es = try args.map { try compile($0, scope, agg) }
        let impl = fn.impl
        if lname == "rand" { return { _, ctx in try impl([], ctx) } }
        if es.count == 1 {
            let a = es[0]
            return { r, ctx in try impl([try a(r, ctx)], ctx) }
        }
        return { r, ctx in try impl(try es.map { try $0(r, ctx) }, ctx) }
    }

    static func propertyOf(_ v: QueryValue, _ key: String, _ ctx: ExecContext) throws -> QueryValue {
        switch v {
        case .null: return .null
        case .node(let n):
            try checkAlive(v, ctx)
            return ctx.graph.property(n, key).map(QueryValue.init) ?? .null
        case .relationship(let e):
            try checkAlive(v, ctx)
            return ctx.graph.property(e, key).map(QueryValue.init) ?? .null
        case .map(let m): return m[key] ?? .null
        case .temporal(let t): return try temporalField(t, key)
        default: throw typeError("cannot read property '\(key)' of a \(v.typeName)")
        }
    }

    static func index(_ v: QueryValue, _ i: QueryValue, _ ctx: ExecContext) throws -> QueryValue {
        switch (v, i) {
        case (.null, _), (_, .null): return .null
        case (.list(let l), .int(let k)):
            let j = k < 0 ? Int64(l.count) + k : k
            return j >= 0 && j < l.count ? l[Int(j)] : .null
        case (.list, _): throw typeError("list index must be an integer, got \(i.typeName)")
        case (.map(let m), .string(let k)): return m[k] ?? .null
        case (.map, _): throw typeError("map key must be a string, got \(i.typeName)", "MapElementAccessByNonString")
        case (.node, .string(let k)), (.relationship, .string(let k)): return try propertyOf(v, k, ctx)
        case (.node, _), (.relationship, _): throw typeError("property key must be a string, got \(i.typeName)", "MapElementAccessByNonString")
        default: throw typeError("cannot index a \(v.typeName)")
        }
    }

    func compileBinary(_ op: BinOp, _ ea: @escaping Eval, _ eb: @escaping Eval) throws -> Eval {
        switch op {
        case .and, .or, .xor:
            return { r, ctx in
                func bool(_ v: QueryValue) throws -> Bool? {
                    switch v {
                    case .null: return nil
                    case .bool(let b): return b
                    default: throw typeError("\(op.rawValue) needs booleans, got \(v.typeName)")
                    }
                }
                let a = try bool(try ea(r, ctx))
                if op == .and, a == false { _ = try bool(try eb(r, ctx)); return .bool(false) }
                if op == .or, a == true { _ = try bool(try eb(r, ctx)); return .bool(true) }
                let b = try bool(try eb(r, ctx))
                switch op {
                case .and:
                    if b == false { return .bool(false) }
                    if a == nil || b == nil { return .null }
                    return .bool(true)
                case .or:
                    if b == true { return .bool(true) }
                    if a == nil || b == nil { return .null }
                    return .bool(false)
                default:
                    guard let a, let b else { return .null }
                    return .bool(a != b)
                }
            }
        case .eq: return { r, ctx in QueryValue.cypherEquals(try ea(r, ctx), try eb(r, ctx)).map { .bool($0) } ?? .null }
        case .ne: return { r, ctx in QueryValue.cypherEquals(try ea(r, ctx), try eb(r, ctx)).map { .bool(!$0) } ?? .null }
        case .lt, .gt, .le, .ge:
            return { r, ctx in
                let x = try ea(r, ctx), y = try eb(r, ctx)
                if let p = x.numeric, let q = y.numeric, p.isNaN || q.isNaN { return .bool(false) }
                guard let c = QueryValue.comparability(x, y) else { return .null }
                switch op {
                case .lt: return .bool(c < 0)
                case .gt: return .bool(c > 0)
                case .le: return .bool(c <= 0)
                default: return .bool(c >= 0)
                }
            }
        case .add:
            return { r, ctx in
                let a = try ea(r, ctx), b = try eb(r, ctx)
                try ctx.checkConcatenation(a, b)
                return try Compiler.arith(op, a, b)
            }
        case .sub, .mul, .div, .mod, .pow:
            return { r, ctx in try Compiler.arith(op, try ea(r, ctx), try eb(r, ctx)) }
        case .in:
            return { r, ctx in
                let x = try ea(r, ctx), l = try eb(r, ctx)
                guard case .list(let items) = l else {
                    if l.isNull { return .null }
                    throw typeError("IN needs a list on the right, got \(l.typeName)")
                }
                var unknown = false
                for it in items {
                    switch QueryValue.cypherEquals(x, it) {
                    case .some(true): return .bool(true)
                    case .none: unknown = true
                    default: break
                    }
                }
                return unknown ? .null : .bool(false)
            }
        case .startsWith, .endsWith, .contains:
            return { r, ctx in
                guard case .string(let a) = try ea(r, ctx), case .string(let b) = try eb(r, ctx) else { return .null }
                switch op {
                case .startsWith: return .bool(a.unicodeScalars.starts(with: b.unicodeScalars))
                case .endsWith: return .bool(a.unicodeScalars.reversed().starts(with: b.unicodeScalars.reversed()))
                default: return .bool(b.isEmpty || a.range(of: b, options: .literal) != nil)
                }
            }
        case .regex:
            return { r, ctx in
                guard case .string(let a) = try ea(r, ctx), case .string(let pat) = try eb(r, ctx) else { return .null }
                let re: NSRegularExpression
                if let c = ctx.regexCache[pat] { re = c } else {
                    do { re = try NSRegularExpression(pattern: "^(?:" + pat + ")$", options: [.dotMatchesLineSeparators]) }
                    catch { throw CypherError(.argument, "InvalidArgumentValue", "invalid regular expression '\(pat)'") }
                    ctx.regexCache[pat] = re
                }
                let ns = a as NSString
                // Matching can backtrack for a very long time; the progress callback lets the time
                // limit stop it.
                var matched = false, late = false
                re.enumerateMatches(in: a, options: [.reportProgress], range: NSRange(location: 0, length: ns.length)) { m, _, stop in
                    if m != nil { matched = true; stop.pointee = true } else if ctx.pastDeadline { late = true; stop.pointee = true }
                }
                if late { throw ctx.timeoutError() }
                return .bool(matched)
            }
        }
    }

    static func arith(_ op: BinOp, _ a: QueryValue, _ b: QueryValue) throws -> QueryValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.int(let x), .int(let y)):
            switch op {
            case .add: let (v, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .int(v)
            case .sub: let (v, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .int(v)
            case .mul: let (v, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow() }; return .int(v)
            case .div:
                if y == 0 { throw CypherError(.argument, "DivisionByZero", "/ by zero") }
                let (v, o) = x.dividedReportingOverflow(by: y); if o { throw overflow() }; return .int(v)
            case .mod:
                if y == 0 { throw CypherError(.argument, "DivisionByZero", "% by zero") }
                let (v, o) = x.remainderReportingOverflow(dividingBy: y); if o { throw overflow() }; return .int(v)
            default: return .float(Foundation.pow(Double(x), Double(y)))
            }
        case (.int, .float), (.float, .int), (.float, .float):
            let x = a.numeric!, y = b.numeric!
            switch op {
            case .add: return .float(x + y)
            case .sub: return .float(x - y)
            case .mul: return .float(x * y)
            case .div: return .float(x / y)
            case .mod: return .float(fmod(x, y))
            default: return .float(Foundation.pow(x, y))
            }
        default: break
        }
        if let r = try temporalArith(op, a, b) { return r }
        if op == .add {
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            case (.list(let x), _): return .list(x + [b])
            case (_, .list(let y)): return .list([a] + y)
            case (.string(let x), .int), (.string(let x), .float): return .string(x + toStringValue(b)!)
            case (.int, .string(let y)), (.float, .string(let y)): return .string(toStringValue(a)! + y)
            default: break
            }
        }
        throw typeError("cannot apply \(op.rawValue) to \(a.typeName) and \(b.typeName)")
    }

    static func overflow() -> CypherError { CypherError(.argument, "NumberOutOfRange", "integer overflow") }
}
