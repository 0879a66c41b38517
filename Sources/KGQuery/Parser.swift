import Foundation

/// Recursive-descent parser for openCypher statements.
public struct Parser {
    var toks: [Token]
    var p = 0
    var depth = 0
    static let maxDepth = 400
    /// The deepest expression tree accepted (operator chains count one level per operator).
    static let maxHeight = 500
    let src: [Unicode.Scalar]

    public init(_ text: String) throws {
        var lx = Lexer(text)
        toks = try lx.tokenize()
        src = lx.src
    }

    /// Parses one statement (an optional trailing `;` is allowed).
    public static func parse(_ text: String) throws -> Statement {
        var ps = try Parser(text)
        let s = try ps.statement()
        if ps.cur.isSymbol(";") { ps.p += 1 }
        guard case .eof = ps.cur.kind else { throw ps.unexpected() }
        return s
    }

    /// Parses a single expression (used by tests and the printer round trip).
    public static func parseExpression(_ text: String) throws -> Expr {
        var ps = try Parser(text)
        let e = try ps.expr()
        guard case .eof = ps.cur.kind else { throw ps.unexpected() }
        return e
    }

    var cur: Token { toks[p] }
    func la(_ k: Int) -> Token { toks[min(p + k, toks.count - 1)] }

    func unexpected(_ what: String? = nil) -> CypherError {
        let t = cur
        let found = t.kind == .eof ? "end of input" : "'\(t.text)'"
        return CypherError(.syntax, "UnexpectedSyntax", what.map { "expected \($0), found \(found)" } ?? "unexpected \(found)", t.pos)
    }

    mutating func kw(_ k: String) -> Bool {
        if cur.isKeyword(k) { p += 1; return true }
        return false
    }
    mutating func expectKw(_ k: String) throws { if !kw(k) { throw unexpected(k) } }
    mutating func sym(_ s: String) -> Bool {
        if cur.isSymbol(s) { p += 1; return true }
        return false
    }
    mutating func expectSym(_ s: String) throws { if !sym(s) { throw unexpected("'\(s)'") } }

    static let reserved: Set<String> = [
        "MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "CREATE", "MERGE", "SET", "REMOVE", "DELETE",
        "DETACH", "ORDER", "BY", "SKIP", "LIMIT", "UNION", "AS", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL",
        "TRUE", "FALSE", "CASE", "WHEN", "THEN", "ELSE", "END", "DISTINCT", "ON", "STARTS", "ENDS", "CONTAINS",
        "ASC", "DESC", "ASCENDING", "DESCENDING", "CALL", "YIELD",
    ]

    /// A symbolic name (variable, label, key): bare identifier or quoted.
    mutating func name(_ what: String = "a name") throws -> String {
        let t = cur
        switch t.kind {
        case .ident, .quotedIdent: p += 1; return t.text
        default: throw unexpected(what)
        }
    }

    mutating func variableName() throws -> (String, SourcePos) {
        let t = cur
        if t.kind == .ident && Parser.reserved.contains(t.text.uppercased()) { throw unexpected("a variable") }
        return (try name("a variable"), t.pos)
    }

    func text(from start: Int, to end: Int) -> String {
        String(String.UnicodeScalarView(src[start..<end]))
    }
    var prevEnd: Int { p > 0 ? toks[p - 1].end : 0 }

    // MARK: Statements

    mutating func statement() throws -> Statement {
        var parts = [try singleQuery()]
        var all: [Bool] = []
        var poss: [SourcePos] = []
        while cur.isKeyword("UNION") {
            let pos = cur.pos
            poss.append(pos)
            p += 1
            all.append(kw("ALL"))
            if all.count > 1 && all.last != all.first {
                throw CypherError(.syntax, "InvalidClauseComposition", "UNION and UNION ALL cannot be mixed in one query", pos)
            }
            parts.append(try singleQuery())
        }
        return Statement(parts: parts, unionAll: all, unionPos: poss)
    }

    mutating func singleQuery() throws -> SingleQuery {
        var clauses: [Clause] = []
        while true {
            let t = cur
            if t.isKeyword("MATCH") || t.isKeyword("OPTIONAL") {
                let optional = kw("OPTIONAL")
                try expectKw("MATCH")
                let pats = try patternList()
                let pred = kw("WHERE") ? try expr() : nil
                clauses.append(.match(optional: optional, patterns: pats, predicate: pred, pos: t.pos))
            } else if kw("UNWIND") {
                let e = try expr()
                try expectKw("AS")
                let (v, _) = try variableName()
                clauses.append(.unwind(e, v, t.pos))
            } else if kw("WITH") {
                let proj = try projection(t.pos)
                let pred = kw("WHERE") ? try expr() : nil
                clauses.append(.with(proj, predicate: pred))
            } else if kw("RETURN") {
                clauses.append(.return(try projection(t.pos)))
            } else if kw("CREATE") {
                clauses.append(.create(try patternList(), t.pos))
            } else if kw("MERGE") {
                let part = try patternPart()
                var onCreate: [SetItem] = [], onMatch: [SetItem] = []
                while cur.isKeyword("ON") {
                    p += 1
                    if kw("CREATE") { try expectKw("SET"); onCreate += try setItems() }
                    else if kw("MATCH") { try expectKw("SET"); onMatch += try setItems() }
                    else { throw unexpected("CREATE or MATCH") }
                }
                clauses.append(.merge(part, onCreate: onCreate, onMatch: onMatch, pos: t.pos))
            } else if kw("SET") {
                clauses.append(.set(try setItems(), t.pos))
            } else if kw("REMOVE") {
                var items: [RemoveItem] = []
                repeat {
                    let e = try postfix()
                    switch e {
                    case .property(let target, let key): items.append(.property(target, key))
                    case .hasLabels(.variable(let v, let vp), let labels): items.append(.labels(v, vp, labels))
                    default: throw CypherError(.syntax, "UnexpectedSyntax", "REMOVE expects a property or labels", t.pos)
                    }
                } while sym(",")
                clauses.append(.remove(items, t.pos))
            } else if t.isKeyword("DELETE") || t.isKeyword("DETACH") {
                let detach = kw("DETACH")
                try expectKw("DELETE")
                var es = [try expr()]
                while sym(",") { es.append(try expr()) }
                clauses.append(.delete(es, detach: detach, pos: t.pos))
            } else {
                break
            }
        }
        if clauses.isEmpty { throw unexpected("a clause") }
        return SingleQuery(clauses: clauses)
    }

    mutating func setItems() throws -> [SetItem] {
        var items: [SetItem] = []
        repeat {
            let start = cur.pos
            let e = try postfix()
            switch e {
            case .property(let target, let key):
                try expectSym("=")
                items.append(.property(target, key, try expr()))
            case .hasLabels(.variable(let v, let vp), let labels):
                items.append(.labels(v, vp, labels))
            case .variable(let v, let vp):
                if sym("=") { items.append(.replace(v, vp, try expr())) }
                else if sym("+=") { items.append(.merge(v, vp, try expr())) }
                else { throw unexpected("'=' or '+='") }
            default:
                throw CypherError(.syntax, "UnexpectedSyntax", "invalid SET item", start)
            }
        } while sym(",")
        return items
    }

    mutating func projection(_ pos: SourcePos) throws -> Projection {
        var proj = Projection()
        proj.pos = pos
        proj.distinct = kw("DISTINCT")
        if sym("*") {
            proj.star = true
            if sym(",") { proj.items = try returnItems() }
        } else {
            proj.items = try returnItems()
        }
        if cur.isKeyword("ORDER") {
            p += 1
            try expectKw("BY")
            repeat {
                let e = try expr()
                var asc = true
                if kw("DESC") || kw("DESCENDING") { asc = false } else { _ = kw("ASC") || kw("ASCENDING") }
                proj.order.append(SortItem(expr: e, ascending: asc))
            } while sym(",")
        }
        if kw("SKIP") { proj.skip = try expr() }
        if kw("LIMIT") { proj.limit = try expr() }
        return proj
    }

    mutating func returnItems() throws -> [ReturnItem] {
        var items: [ReturnItem] = []
        repeat {
            let start = cur
            let e = try expr()
            var t = text(from: start.pos.offset, to: prevEnd)
            if t.contains(where: { $0.isNewline }) {
                // keep one line per column name: a line break and its indentation read as one space
                t = t.split(whereSeparator: { $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            }
            var alias: String? = nil
            if kw("AS") { alias = try variableName().0 }
            items.append(ReturnItem(expr: e, alias: alias, text: t, pos: start.pos))
        } while sym(",")
        return items
    }

    // MARK: Patterns

    mutating func patternList() throws -> [PatternPart] {
        var out = [try patternPart()]
        while sym(",") { out.append(try patternPart()) }
        return out
    }

    mutating func patternPart() throws -> PatternPart {
        let start = cur.pos
        var pathVar: String? = nil
        if (cur.kind == .ident || cur.kind == .quotedIdent) && la(1).isSymbol("=") {
            pathVar = try variableName().0
            p += 1
        }
        if cur.kind == .ident, cur.text.lowercased() == "shortestpath" || cur.text.lowercased() == "allshortestpaths", la(1).isSymbol("(") {
            let all = cur.text.lowercased() == "allshortestpaths"
            p += 2
            var part = try patternChain()
            try expectSym(")")
            part.shortest = all
            part.pathVariable = pathVar
            part.pos = start
            return part
        }
        var part = try patternChain()
        part.pathVariable = pathVar
        part.pos = start
        return part
    }

    mutating func patternChain() throws -> PatternPart {
        if cur.isSymbol("("), la(1).isSymbol("(") {
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth { throw CypherError(.syntax, "ExpressionTooDeep", "pattern nested more than \(Parser.maxDepth) levels deep", cur.pos) }
            // parenthesised pattern
            p += 1
            let inner = try patternChain()
            try expectSym(")")
            return inner
        }
        var nodes = [try nodePattern()]
        var rels: [RelPattern] = []
        while cur.isSymbol("-") || cur.isSymbol("<-") || cur.isSymbol("<") {
            rels.append(try relPattern())
            nodes.append(try nodePattern())
        }
        return PatternPart(pathVariable: nil, shortest: nil, nodes: nodes, rels: rels, pos: nodes[0].pos)
    }

    mutating func nodePattern() throws -> NodePattern {
        let pos = cur.pos
        try expectSym("(")
        var v: String? = nil
        if cur.kind == .ident || cur.kind == .quotedIdent { v = try variableName().0 }
        var labels: [String] = []
        while sym(":") { labels.append(try name("a label")) }
        var props: Expr? = nil
        if cur.isSymbol("{") { props = try mapLiteral() } else if case .param(let n) = cur.kind { props = .parameter(n, cur.pos); p += 1 }
        try expectSym(")")
        return NodePattern(variable: v, labels: labels, properties: props, pos: pos)
    }

    mutating func relPattern() throws -> RelPattern {
        let pos = cur.pos
        var left = false
        if sym("<-") { left = true } else if sym("<") { left = true; try expectSym("-") } else { try expectSym("-") }
        var v: String? = nil
        var types: [String] = []
        var props: Expr? = nil
        var varLen: (Int?, Int?)? = nil
        if sym("[") {
            if cur.kind == .ident || cur.kind == .quotedIdent { v = try variableName().0 }
            if sym(":") {
                types.append(try name("a relationship type"))
                while sym("|") { _ = sym(":"); types.append(try name("a relationship type")) }
            }
            if sym("*") {
                var lo: Int? = nil, hi: Int? = nil
                func bound() throws -> Int? {
                    guard case .int(let i) = cur.kind else { return nil }
                    guard let v = i else {
                        throw CypherError(.syntax, "IntegerOverflow", "the length bound \(cur.text) of a variable-length relationship is too large", cur.pos)
                    }
                    p += 1
                    return Int(v)
                }
                lo = try bound()
                if sym("..") {
                    hi = try bound()
                } else {
                    hi = lo
                }
                varLen = (lo, hi)
            }
            if cur.isSymbol("{") { props = try mapLiteral() } else if case .param(let n) = cur.kind { props = .parameter(n, cur.pos); p += 1 }
            try expectSym("]")
        }
        var right = false
        if sym("->") { right = true } else {
            try expectSym("-")
            if sym(">") { right = true }
        }
        let dir: Direction = left == right ? .both : (left ? .in : .out)
        return RelPattern(variable: v, types: types, direction: dir, properties: props, varLength: varLen.map { (min: $0.0, max: $0.1) }, pos: pos)
    }

    // MARK: Expressions

    public mutating func expr() throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth {
            throw CypherError(.syntax, "ExpressionTooDeep", "expression nested more than \(Parser.maxDepth) levels deep", cur.pos)
        }
        let start = cur.pos
        let e = try orExpr()
        // Long operator chains parse without recursion but nest as deeply as they are long;
        // everything after the parser walks expressions recursively, so the depth is bounded here.
        if depth == 1 {
            let h = e.height
            if h > Parser.maxHeight {
                throw CypherError(.syntax, "ExpressionTooDeep",
                                  "this expression nests \(h) levels deep; at most \(Parser.maxHeight) are allowed (a long chain of + or OR can be written with reduce(), a list or IN)", start)
            }
        }
        return e
    }

    mutating func orExpr() throws -> Expr {
        var l = try xorExpr()
        while kw("OR") { l = .binary(.or, l, try xorExpr()) }
        return l
    }
    mutating func xorExpr() throws -> Expr {
        var l = try andExpr()
        while kw("XOR") { l = .binary(.xor, l, try andExpr()) }
        return l
    }
    mutating func andExpr() throws -> Expr {
        var l = try notExpr()
        while kw("AND") { l = .binary(.and, l, try notExpr()) }
        return l
    }
    mutating func notExpr() throws -> Expr {
        if kw("NOT") {
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth { throw CypherError(.syntax, "ExpressionTooDeep", "expression nested more than \(Parser.maxDepth) levels deep", cur.pos) }
            return .unary(.not, try notExpr())
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let first = try predicateExpr()
        var terms: [Expr] = []
        var prev = first
        while true {
            let op: BinOp
            if sym("=") { op = .eq } else if sym("<>") || sym("!=") { op = .ne } else if sym("<=") { op = .le }
            else if sym(">=") { op = .ge } else if cur.isSymbol("<") && !la(1).isSymbol("-") { p += 1; op = .lt }
            else if sym("<") { op = .lt } else if sym(">") { op = .gt } else { break }
            let r = try predicateExpr()
            terms.append(.binary(op, prev, r))
            prev = r
        }
        if terms.isEmpty { return first }
        return terms.dropFirst().reduce(terms[0]) { .binary(.and, $0, $1) }
    }

    mutating func predicateExpr() throws -> Expr {
        var l = try addSub()
        while true {
            if cur.isKeyword("IS") {
                p += 1
                let neg = kw("NOT")
                try expectKw("NULL")
                l = .isNull(l, negated: neg)
            } else if cur.isKeyword("STARTS") && la(1).isKeyword("WITH") {
                p += 2; l = .binary(.startsWith, l, try addSub())
            } else if cur.isKeyword("ENDS") && la(1).isKeyword("WITH") {
                p += 2; l = .binary(.endsWith, l, try addSub())
            } else if kw("CONTAINS") {
                l = .binary(.contains, l, try addSub())
            } else if kw("IN") {
                l = .binary(.in, l, try addSub())
            } else if sym("=~") {
                l = .binary(.regex, l, try addSub())
            } else { break }
        }
        return l
    }

    mutating func addSub() throws -> Expr {
        var l = try mulDiv()
        while true {
            if sym("+") { l = .binary(.add, l, try mulDiv()) }
            else if sym("-") { l = .binary(.sub, l, try mulDiv()) }
            else { break }
        }
        return l
    }
    mutating func mulDiv() throws -> Expr {
        var l = try power()
        while true {
            if sym("*") { l = .binary(.mul, l, try power()) }
            else if sym("/") { l = .binary(.div, l, try power()) }
            else if sym("%") { l = .binary(.mod, l, try power()) }
            else { break }
        }
        return l
    }
    mutating func power() throws -> Expr {
        var l = try unary()
        while sym("^") { l = .binary(.pow, l, try unary()) }
        return l
    }
    mutating func unary() throws -> Expr {
        if cur.isSymbol("-") {
            p += 1
            if case .int(nil) = cur.kind {
                let clean = cur.text.replacingOccurrences(of: "_", with: "").lowercased()
                if clean == "9223372036854775808" || clean == "0x8000000000000000" || clean == "0o1000000000000000000000" {
                    p += 1
                    return try postfixOps(.literal(.int(Int64.min)))
                }
            }
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth { throw CypherError(.syntax, "ExpressionTooDeep", "expression nested more than \(Parser.maxDepth) levels deep", cur.pos) }
            return .unary(.neg, try unary())
        }
        if sym("+") {
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth { throw CypherError(.syntax, "ExpressionTooDeep", "expression nested more than \(Parser.maxDepth) levels deep", cur.pos) }
            return .unary(.pos, try unary())
        }
        return try postfix()
    }

    mutating func postfix() throws -> Expr {
        try postfixOps(try atom())
    }

    mutating func postfixOps(_ base: Expr) throws -> Expr {
        var e = base
        while true {
            if cur.isSymbol("."), la(1).kind == .ident || la(1).kind == .quotedIdent {
                p += 1
                e = .property(e, try name())
            } else if cur.isSymbol("[") {
                p += 1
                if sym("..") {
                    let hi = cur.isSymbol("]") ? nil : try expr()
                    try expectSym("]")
                    e = .slice(e, nil, hi)
                } else {
                    let i = try expr()
                    if sym("..") {
                        let hi = cur.isSymbol("]") ? nil : try expr()
                        try expectSym("]")
                        e = .slice(e, i, hi)
                    } else {
                        try expectSym("]")
                        e = .index(e, i)
                    }
                }
            } else if cur.isSymbol(":"), la(1).kind == .ident || la(1).kind == .quotedIdent {
                var labels: [String] = []
                while sym(":") { labels.append(try name("a label")) }
                e = .hasLabels(e, labels)
            } else { break }
        }
        return e
    }

    mutating func mapLiteral() throws -> Expr {
        try expectSym("{")
        var entries: [(String, Expr)] = []
        if !cur.isSymbol("}") {
            repeat {
                let k = try name("a map key")
                try expectSym(":")
                entries.append((k, try expr()))
            } while sym(",")
        }
        try expectSym("}")
        return .map(entries)
    }

    mutating func atom() throws -> Expr {
        let t = cur
        switch t.kind {
        case .int(let v):
            p += 1
            guard let v else { throw CypherError(.syntax, "IntegerOverflow", "integer literal is too large: \(t.text)", t.pos) }
            return .literal(.int(v))
        case .float(let d): p += 1; return .literal(.float(d))
        case .string(let s): p += 1; return .literal(.string(s))
        case .param(let n): p += 1; return .parameter(n, t.pos)
        case .symbol("("):
            let save = p
            if let part = try? patternChain(), !part.rels.isEmpty {
                return .pattern(part)
            }
            p = save + 1
            let e = try expr()
            try expectSym(")")
            return e
        case .symbol("["):
            return try listAtom()
        case .symbol("{"):
            return try mapLiteral()
        case .ident, .quotedIdent:
            if t.kind == .ident {
                let u = t.text.uppercased()
                switch u {
                case "TRUE": p += 1; return .literal(.bool(true))
                case "FALSE": p += 1; return .literal(.bool(false))
                case "NULL": p += 1; return .literal(.null)
                case "CASE": p += 1; return try caseExpr()
                case "COUNT" where la(1).isSymbol("(") && la(2).isSymbol("*") && la(3).isSymbol(")"):
                    p += 4; return .countStar(t.pos)
                // all/any/none/single are also ordinary names: a quantifier only when `(x IN` follows.
                case "ALL", "ANY", "NONE", "SINGLE":
                    guard la(1).isSymbol("("), la(2).kind == .ident || la(2).kind == .quotedIdent, la(3).isKeyword("IN") else { break }
                    p += 2
                    let (v, _) = try variableName()
                    try expectKw("IN")
                    let l = try expr()
                    let pred = kw("WHERE") ? try expr() : nil
                    try expectSym(")")
                    return .quantifier(QuantKind(rawValue: u.lowercased())!, variable: v, list: l, predicate: pred, pos: t.pos)
                case "REDUCE" where la(1).isSymbol("("):
                    p += 2
                    let (acc, _) = try variableName()
                    try expectSym("=")
                    let initial = try expr()
                    try expectSym(",")
                    let (v, _) = try variableName()
                    try expectKw("IN")
                    let l = try expr()
                    try expectSym("|")
                    let body = try expr()
                    try expectSym(")")
                    return .reduce(acc: acc, initial: initial, variable: v, list: l, body: body)
                default: break
                }
            }
            // function call: name(.name)* '('
            var k = 1
            while la(k).isSymbol("."), la(k + 1).kind == .ident || la(k + 1).kind == .quotedIdent { k += 2 }
            if la(k).isSymbol("(") {
                var fname = t.text
                p += 1
                while cur.isSymbol(".") && !(la(1).isSymbol("(")) { p += 1; fname += "." + cur.text; p += 1 }
                try expectSym("(")
                let distinct = kw("DISTINCT")
                var args: [Expr] = []
                if !cur.isSymbol(")") {
                    repeat { args.append(try expr()) } while sym(",")
                }
                try expectSym(")")
                return .function(name: fname, distinct: distinct, args: args, pos: t.pos)
            }
            if t.kind == .ident && Parser.reserved.contains(t.text.uppercased()) { throw unexpected("an expression") }
            p += 1
            if cur.isSymbol("{") {
                // map projection
                p += 1
                var items: [MapProjItem] = []
                if !cur.isSymbol("}") {
                    repeat {
                        if sym(".") {
                            if sym("*") { items.append(.allProperties) } else { items.append(.property(try name("a property key"))) }
                        } else {
                            let nt = cur
                            let k = try name("a map key")
                            if sym(":") { items.append(.literal(k, try expr())) } else { items.append(.variable(k, nt.pos)) }
                        }
                    } while sym(",")
                }
                try expectSym("}")
                return .mapProjection(t.text, t.pos, items)
            }
            return .variable(t.text, t.pos)
        default:
            throw unexpected("an expression")
        }
    }

    mutating func listAtom() throws -> Expr {
        let start = p
        p += 1
        // list comprehension
        if (cur.kind == .ident || cur.kind == .quotedIdent), la(1).isKeyword("IN") {
            let save = p
            if let (v, _) = try? variableName(), kw("IN") {
                let l = try expr()
                let pred = kw("WHERE") ? try expr() : nil
                let m = sym("|") ? try expr() : nil
                try expectSym("]")
                return .listComprehension(variable: v, list: l, predicate: pred, map: m)
            }
            p = save
        }
        // pattern comprehension
        if cur.isSymbol("(") || ((cur.kind == .ident || cur.kind == .quotedIdent) && la(1).isSymbol("=")) {
            let save = p
            var pathVar: String? = nil
            if !cur.isSymbol("(") { pathVar = cur.text; p += 2 }
            if let part = try? patternChain(), !part.rels.isEmpty, cur.isKeyword("WHERE") || cur.isSymbol("|") {
                let pred = kw("WHERE") ? try expr() : nil
                try expectSym("|")
                let m = try expr()
                try expectSym("]")
                return .patternComprehension(pathVar: pathVar, pattern: part, predicate: pred, map: m)
            }
            p = save
        }
        _ = start
        var items: [Expr] = []
        if !cur.isSymbol("]") {
            repeat { items.append(try expr()) } while sym(",")
        }
        try expectSym("]")
        return .list(items)
    }

    mutating func caseExpr() throws -> Expr {
        var subject: Expr? = nil
        if !cur.isKeyword("WHEN") { subject = try expr() }
        var whens: [(Expr, Expr)] = []
        while kw("WHEN") {
            let w = try expr()
            try expectKw("THEN")
            whens.append((w, try expr()))
        }
        if whens.isEmpty { throw unexpected("WHEN") }
        let other = kw("ELSE") ? try expr() : nil
        try expectKw("END")
        return .caseExpr(subject: subject, whens: whens, otherwise: other)
    }
}

/// Splits a script into statements at `;` outside strings, comments and quoted names.
public func splitStatements(_ script: String) -> [(text: String, line: Int)] {
    var out: [(String, Int)] = []
    var curText = String.UnicodeScalarView()
    var line = 1, startLine = 1
    let s = Array(script.unicodeScalars)
    var i = 0
    var quote: Unicode.Scalar? = nil
    while i < s.count {
        let c = s[i]
        if let q = quote {
            curText.append(c)
            if c == "\\" && q != "`" && i + 1 < s.count { i += 1; curText.append(s[i]); if s[i] == "\n" { line += 1 } }
            else if c == q { quote = nil }
            if c == "\n" { line += 1 }
            i += 1; continue
        }
        if c == "'" || c == "\"" || c == "`" { quote = c; curText.append(c); i += 1; continue }
        if c == "/" && i + 1 < s.count && s[i + 1] == "/" {
            while i < s.count && s[i] != "\n" { curText.append(s[i]); i += 1 }
            continue
        }
        if c == "/" && i + 1 < s.count && s[i + 1] == "*" {
            curText.append(c); curText.append(s[i + 1]); i += 2
            while i < s.count && !(s[i] == "*" && i + 1 < s.count && s[i + 1] == "/") {
                if s[i] == "\n" { line += 1 }
                curText.append(s[i]); i += 1
            }
            if i < s.count { curText.append("*"); curText.append("/"); i += 2 }
            continue
        }
        if c == ";" {
            let t = String(curText)
            if !t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append((t, startLine)) }
            curText = String.UnicodeScalarView()
            i += 1
            startLine = line
            continue
        }
        if c == "\n" { line += 1 }
        curText.append(c)
        i += 1
    }
    let t = String(curText)
    if !t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append((t, startLine)) }
    return out
}
