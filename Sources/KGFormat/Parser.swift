import KGCore

/// Parses .kg text (docs/FORMAT.md) into a `Document`, on bytes. Errors do not stop the parse:
/// a line with an error is skipped (with the continuation lines of a broken header) and every
/// error of the file is reported.
public enum KGParser {
    public static func parse(path: String, text: String) -> (Document, [Diagnostic]) {
        parse(path: path, bytes: Array(text.utf8))
    }

    public static func parse(path: String, bytes: [UInt8]) -> (Document, [Diagnostic]) {
        var items: [DocumentItem] = []
        var diags: [Diagnostic] = []
        stream(path: path, bytes: bytes, onItem: { items.append($0) }, onDiagnostic: { diags.append($0) })
        return (Document(path: path, items: items, bytes: bytes), diags)
    }

    /// Parses and hands over each item as soon as it is complete (statements with their spans).
    public static func stream(path: String, bytes: [UInt8], onItem: (DocumentItem) -> Void,
                              onDiagnostic: (Diagnostic) -> Void) {
        withoutActuallyEscaping(onItem) { onItem in
            withoutActuallyEscaping(onDiagnostic) { onDiagnostic in
                bytes.withUnsafeBufferPointer { buf in
                    var p = LineParser(path: path, b: buf, onItem: onItem, onDiagnostic: onDiagnostic)
                    p.run()
                }
            }
        }
    }

    /// Parses one header line on its own (used to find the columns of a statement's words).
    static func parseHeaderLine(_ line: String) -> Statement? {
        var out: Statement?
        stream(path: "", bytes: Array(line.utf8), onItem: { item in
            if case .statement(let s) = item, out == nil { out = s }
        }, onDiagnostic: { _ in })
        return out
    }

    static let keywords = ["kind", "relation", "reading", "concept"]

    static func isIdentifier(_ s: Substring.UTF8View) -> Bool {
        guard let f = s.first, isIdentStart(f) else { return false }
        for c in s.dropFirst() where !(isIdentStart(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")) { return false }
        return true
    }
    public static func isIdentifier(_ s: String) -> Bool { isIdentifier(Substring(s).utf8) }
    public static func isName(_ s: String) -> Bool {
        let u = s.utf8
        guard let f = u.first, isNameStart(f) else { return false }
        for c in u.dropFirst() where !isIdentStart(c) { return false }
        return true
    }
    @inline(__always) static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }
    @inline(__always) static func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }
}

private struct Tok {
    enum Kind { case word, string, comma, lbracket, rbracket, colon }
    var kind: Kind
    var start: Int
    var end: Int
    var value: String = ""
}

private struct ParseFailure: Error {}

private struct LineParser {
    let path: String
    let b: UnsafeBufferPointer<UInt8>
    let onItem: (DocumentItem) -> Void
    let onDiagnostic: (Diagnostic) -> Void

    // Current line
    var lineNo = 0
    var ls = 0
    var le = 0
    var lineASCII = true

    // Current statement
    var cur: Statement?
    var curStart = 0
    var curEnd = 0
    var curEndLine = 0
    var curFailed = false
    var pending: [(text: String, indent: Int, end: Int, line: Int)] = []
    var seenKeys: [String] = []
    /// A blank line seen and not yet emitted: blank lines are emitted only between two other items,
    /// so leading and trailing blank lines and runs of them do not appear in the items.
    var blankPending = false
    var anyItem = false

    init(path: String, b: UnsafeBufferPointer<UInt8>, onItem: @escaping (DocumentItem) -> Void,
         onDiagnostic: @escaping (Diagnostic) -> Void) {
        self.path = path
        self.b = b
        self.onItem = onItem
        self.onDiagnostic = onDiagnostic
    }

    mutating func run() {
        var i = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        let n = b.count
        while i < n {
            var e = i
            var ascii = true
            while e < n, b[e] != 0x0A { if b[e] >= 0x80 { ascii = false }; e += 1 }
            let next = e < n ? e + 1 : e
            lineNo += 1
            ls = i
            le = e > i && b[e - 1] == 0x0D ? e - 1 : e
            lineASCII = ascii
            handleLine(lineEndWithBreak: next)
            i = next
        }
        flush()
    }

    // MARK: Diagnostics

    func column(_ offset: Int) -> Int {
        if lineASCII { return offset - ls + 1 }
        var col = 1
        var k = ls
        while k < offset && k < le {
            if b[k] & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        // Count the scalar we started in only once.
        return col
    }

    var lineText: String { String(decoding: UnsafeBufferPointer(rebasing: b[ls..<le]), as: UTF8.self) }

    func error(_ msg: String, at offset: Int, suggestion: String? = nil, notes: [String] = [], code: String = "syntax") {
        onDiagnostic(Diagnostic(.error, msg, file: path, line: lineNo, column: column(offset), sourceLine: lineText,
                                suggestion: suggestion, notes: notes, code: code))
    }

    func str(_ t: Tok) -> String {
        t.kind == .string ? t.value : String(decoding: UnsafeBufferPointer(rebasing: b[t.start..<t.end]), as: UTF8.self)
    }

    func shown(_ t: Tok) -> String {
        switch t.kind {
        case .string: return "\"" + t.value + "\""
        default: return str(t)
        }
    }

    // MARK: Lines

    mutating func handleLine(lineEndWithBreak: Int) {
        var k = ls
        var tabAt = -1
        while k < le, b[k] == 0x20 || b[k] == 0x09 {
            if b[k] == 0x09 && tabAt < 0 { tabAt = k }
            k += 1
        }
        let indent = k - ls
        if k == le {  // blank
            flush()
            if anyItem { blankPending = true }
            return
        }
        if b[k] == UInt8(ascii: "#") {
            var e = le
            while e > k, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[k..<e]), as: UTF8.self)
            if cur != nil || curFailed {
                pending.append((text, indent, lineEndWithBreak, lineNo))
            } else {
                emit(.comment(text, indent: indent))
            }
            return
        }
        if tabAt >= 0 {
            error("tab character in indentation; indent with spaces", at: tabAt)
        }
        if indent == 0 {
            flush()
            curStart = ls
            curFailed = false
            seenKeys = []
            guard let toks = tokenize(from: k) else { curFailed = true; return }
            if let s = parseHeader(toks.0, comment: toks.1) {
                cur = s
                curEnd = lineEndWithBreak
                curEndLine = lineNo
            } else {
                curFailed = true
            }
            return
        }
        // Continuation line
        if cur == nil {
            if !curFailed {
                error("indented line continues no statement", at: k,
                      notes: ["indentation marks a line that continues the statement above; a blank line ends a statement"])
            }
            return
        }
        guard let toks = tokenize(from: k) else { return }
        if let c = parseContinuation(toks.0, comment: toks.1, column: column(k)) {
            var c = c
            if !pending.isEmpty {
                c.leadingComments = pending.map(\.text)
                pending = []
            }
            cur!.continuations.append(c)
            curEnd = lineEndWithBreak
            curEndLine = lineNo
        } else {
            pending = []
        }
    }

    mutating func emit(_ item: DocumentItem) {
        if blankPending { onItem(.blank); blankPending = false }
        anyItem = true
        onItem(item)
    }

    mutating func flush() {
        if var s = cur {
            var closing: [String] = []
            var rest = pending[...]
            while let f = rest.first, f.indent > 0 {
                closing.append(f.text)
                curEnd = f.end
                curEndLine = f.line
                rest = rest.dropFirst()
            }
            s.closingComments = closing
            s.span = SourceSpan(file: path, line: s.span.line, column: 1, endLine: curEndLine, byteRange: curStart..<curEnd)
            emit(.statement(s))
            for p in rest { emit(.comment(p.text, indent: p.indent)) }
        } else {
            for p in pending { emit(.comment(p.text, indent: p.indent)) }
        }
        cur = nil
        curFailed = false
        pending = []
    }

    // MARK: Tokens

    /// Tokens of the current line from `start`, and the trailing comment; nil after reporting an error.
    func tokenize(from start: Int) -> ([Tok], String?)? {
        var toks: [Tok] = []
        toks.reserveCapacity(8)
        var i = start
        while i < le {
            let c = b[i]
            switch c {
            case 0x20:
                i += 1
            case 0x09:
                error("tab character; separate words with spaces", at: i)
                return nil
            case UInt8(ascii: "#"):
                var e = le
                while e > i, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
                return (toks, String(decoding: UnsafeBufferPointer(rebasing: b[i..<e]), as: UTF8.self))
            case UInt8(ascii: ","): toks.append(Tok(kind: .comma, start: i, end: i + 1)); i += 1
            case UInt8(ascii: "["): toks.append(Tok(kind: .lbracket, start: i, end: i + 1)); i += 1
            case UInt8(ascii: "]"): toks.append(Tok(kind: .rbracket, start: i, end: i + 1)); i += 1
            case UInt8(ascii: ":"): toks.append(Tok(kind: .colon, start: i, end: i + 1)); i += 1
            case UInt8(ascii: "\""):
                guard let (s, e) = readString(at: i) else { return nil }
                toks.append(Tok(kind: .string, start: i, end: e, value: s))
                i = e
            default:
                if c < 0x20 || c == 0x7F || c >= 0x80 {
                    let scalarText = c >= 0x80 ? String(decoding: UnsafeBufferPointer(rebasing: b[i..<scalarEnd(i)]), as: UTF8.self)
                        : "\\u{" + String(c, radix: 16, uppercase: true) + "}"
                    error("unexpected character '\(scalarText)' outside a string", at: i,
                          notes: c >= 0x80 ? ["ids and names are ASCII; put text in double quotes"] : [])
                    return nil
                }
                var e = i
                while e < le {
                    let d = b[e]
                    if d <= 0x20 || d >= 0x7F || d == UInt8(ascii: "\"") || d == UInt8(ascii: ",") || d == UInt8(ascii: "[")
                        || d == UInt8(ascii: "]") || d == UInt8(ascii: "#") || d == UInt8(ascii: ":") { break }
                    e += 1
                }
                toks.append(Tok(kind: .word, start: i, end: e))
                i = e
            }
        }
        return (toks, nil)
    }

    func scalarEnd(_ i: Int) -> Int {
        var e = i + 1
        while e < le, b[e] & 0xC0 == 0x80 { e += 1 }
        return e
    }

    /// Reads a string starting at the quote at `q`; returns its value and the offset after the closing quote.
    func readString(at q: Int) -> (String, Int)? {
        var out: [UInt8] = []
        var i = q + 1
        while i < le {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                return (String(decoding: out, as: UTF8.self), i + 1)
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < le else { break }
                let d = b[i + 1]
                switch d {
                case UInt8(ascii: "\""): out.append(d); i += 2
                case UInt8(ascii: "\\"): out.append(d); i += 2
                case UInt8(ascii: "n"): out.append(0x0A); i += 2
                case UInt8(ascii: "t"): out.append(0x09); i += 2
                case UInt8(ascii: "r"): out.append(0x0D); i += 2
                case UInt8(ascii: "u"):
                    guard i + 2 < le, b[i + 2] == UInt8(ascii: "{") else {
                        error("bad unicode escape: expected \\u{XXXX} with 1 to 6 hex digits", at: i)
                        return nil
                    }
                    var j = i + 3
                    var v: UInt32 = 0
                    var digits = 0
                    while j < le, let h = hexValue(b[j]) {
                        v = v &* 16 &+ UInt32(h)
                        digits += 1
                        j += 1
                    }
                    guard j < le, b[j] == UInt8(ascii: "}"), digits >= 1, digits <= 6 else {
                        error("bad unicode escape: expected \\u{XXXX} with 1 to 6 hex digits", at: i)
                        return nil
                    }
                    guard let sc = Unicode.Scalar(v) else {
                        error("unicode escape \\u{\(String(v, radix: 16, uppercase: true))} is not a Unicode scalar value", at: i)
                        return nil
                    }
                    out.append(contentsOf: String(sc).utf8)
                    i = j + 1
                default:
                    let shownEsc = d >= 0x80 ? "" : String(decoding: [d], as: UTF8.self)
                    error("unknown escape '\\\(shownEsc)' in string", at: i,
                          notes: ["escapes are \\\" \\\\ \\n \\t \\r \\u{XXXX}"])
                    return nil
                }
                continue
            }
            out.append(c)
            i += 1
        }
        error("unterminated string", at: q, notes: ["a string ends with \" on the same line"])
        return nil
    }

    func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    // MARK: Headers

    func isWord(_ toks: [Tok], _ i: Int) -> Bool { i < toks.count && toks[i].kind == .word }

    func wordEquals(_ t: Tok, _ s: StaticString) -> Bool {
        guard t.kind == .word, t.end - t.start == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for k in 0..<(t.end - t.start) where b[t.start + k] != p[k] { return false }
        return true
    }

    /// `-TYPE->`
    func isTypedArrow(_ t: Tok) -> Bool {
        t.kind == .word && t.end - t.start >= 4 && b[t.start] == UInt8(ascii: "-")
            && b[t.end - 2] == UInt8(ascii: "-") && b[t.end - 1] == UInt8(ascii: ">")
    }

    /// "a kind name" → "kind name".
    func bare(_ what: String) -> String {
        if what.hasPrefix("a ") { return String(what.dropFirst(2)) }
        if what.hasPrefix("an ") { return String(what.dropFirst(3)) }
        return what
    }

    func expectEnd(_ toks: [Tok], _ i: Int, after what: String) throws {
        if i < toks.count {
            error("unexpected '\(shown(toks[i]))' after \(what)", at: toks[i].start)
            throw ParseFailure()
        }
    }

    /// The word token at `i`, or an error naming what was expected there.
    func word(_ toks: [Tok], _ i: Int, what: String, after: String) throws -> Tok {
        guard i < toks.count else {
            error("expected \(what) after \(after)", at: le)
            throw ParseFailure()
        }
        let t = toks[i]
        guard t.kind == .word else {
            error("expected \(what) after \(after), found '\(shown(t))'", at: t.start)
            throw ParseFailure()
        }
        return t
    }

    func identifier(_ toks: [Tok], _ i: Int, what: String, after: String) throws -> String {
        let t = try word(toks, i, what: what, after: after)
        let s = str(t)
        guard KGParser.isIdentifier(Substring(s).utf8) else {
            error("invalid \(bare(what)) '\(s)': ids are letters, digits and _ followed by letters, digits, _ . -", at: t.start)
            throw ParseFailure()
        }
        return s
    }

    func name(_ toks: [Tok], _ i: Int, what: String, after: String) throws -> String {
        let t = try word(toks, i, what: what, after: after)
        let s = str(t)
        guard KGParser.isName(s) else {
            error("invalid \(bare(what)) '\(s)': names are a letter or _ followed by letters, digits and _", at: t.start)
            throw ParseFailure()
        }
        return s
    }

    func string(_ toks: [Tok], _ i: Int, what: String, after: String) throws -> String {
        guard i < toks.count else {
            error("expected \(what) (a quoted string) after \(after)", at: le)
            throw ParseFailure()
        }
        guard toks[i].kind == .string else {
            let s = shown(toks[i])
            error("expected \(what) (a quoted string) after \(after), found '\(s)'", at: toks[i].start,
                  suggestion: toks[i].kind == .word ? "\"\(s)\"" : nil)
            throw ParseFailure()
        }
        return toks[i].value
    }

    func parseHeader(_ toks: [Tok], comment: String?) -> Statement? {
        guard !toks.isEmpty else { return nil }
        do {
            var st: Statement
            if toks.count >= 2, isTypedArrow(toks[1]) {
                st = try parseRelation(toks)
            } else if wordEquals(toks[0], "kind") {
                st = try parseKind(toks)
            } else if wordEquals(toks[0], "relation") {
                st = try parseRelationType(toks)
            } else if wordEquals(toks[0], "reading") {
                let id = try identifier(toks, 1, what: "a reading id", after: "'reading'")
                let title = try string(toks, 2, what: "a title", after: "the reading id")
                try expectEnd(toks, 3, after: "the reading title")
                st = Statement(.reading(id: id, title: title))
                st.columns = [column(toks[1].start), column(toks[2].start)]
            } else if wordEquals(toks[0], "concept") {
                let id = try identifier(toks, 1, what: "a concept id", after: "'concept'")
                let nm = try string(toks, 2, what: "a display name", after: "the concept id")
                guard toks.count > 3, toks[3].kind == .colon else {
                    error(toks.count > 3 ? "expected ':' before the kind, found '\(shown(toks[3]))'" : "missing kind: expected ': Kind' after the concept name",
                          at: toks.count > 3 ? toks[3].start : le)
                    throw ParseFailure()
                }
                let kind = try name(toks, 4, what: "a kind", after: "':'")
                try expectEnd(toks, 5, after: "the kind")
                st = Statement(.concept(id: id, name: nm, kind: kind))
                st.columns = [column(toks[1].start), column(toks[2].start), column(toks[4].start)]
            } else {
                let t = toks[0]
                let w = shown(t)
                if toks.count >= 2, t.kind == .word, toks[1].kind == .word, str(toks[1]).hasPrefix("-") {
                    error("malformed relation arrow '\(str(toks[1]))': write src -TYPE-> dst", at: toks[1].start)
                } else {
                    let sug = t.kind == .word ? Suggest.nearest(w, in: KGParser.keywords) : nil
                    error("unknown statement '\(w)'", at: t.start, suggestion: sug,
                          notes: ["a statement starts with kind, relation, reading or concept, or is a relation 'src -TYPE-> dst'"])
                }
                throw ParseFailure()
            }
            st.trailingComment = comment
            st.span = SourceSpan(file: path, line: lineNo, column: 1, endLine: lineNo, byteRange: ls..<le)
            return st
        } catch {
            return nil
        }
    }

    func parseKind(_ toks: [Tok]) throws -> Statement {
        let nm = try name(toks, 1, what: "a kind name", after: "'kind'")
        var i = 2
        var parent: String?
        var cols = [column(toks[1].start)]
        if i < toks.count, toks[i].kind == .colon {
            parent = try name(toks, i + 1, what: "a parent kind", after: "':'")
            cols.append(column(toks[i + 1].start))
            i += 2
        }
        var doc: String?
        if i < toks.count, toks[i].kind == .string {
            doc = toks[i].value
            i += 1
        }
        try expectEnd(toks, i, after: "the kind declaration")
        var st = Statement(.kind(name: nm, parent: parent, doc: doc))
        st.columns = cols
        return st
    }

    func parseRelationType(_ toks: [Tok]) throws -> Statement {
        let nm = try name(toks, 1, what: "a relation type name", after: "'relation'")
        var cols = [column(toks[1].start), 0, 0, 0]
        var i = 2
        var domain: String?, range: String?
        func endpoint(_ t: Tok, _ slot: Int) throws -> String? {
            let s = str(t)
            if s == "*" { return nil }
            guard t.kind == .word, KGParser.isName(s) else {
                error("expected a kind or '*' in the relation type's \(slot == 1 ? "domain" : "range"), found '\(shown(t))'", at: t.start)
                throw ParseFailure()
            }
            cols[slot] = column(t.start)
            return s
        }
        let flagWords: Set<String> = Set(["inverse"] + RelationFlags.keywords.map(\.1))
        if i < toks.count, wordEquals(toks[i], "->") {
            i += 1
        } else if i + 1 < toks.count, wordEquals(toks[i + 1], "->") {
            domain = try endpoint(toks[i], 1)
            i += 2
        } else if i < toks.count, !flagWords.contains(str(toks[i])) {
            let t = toks[i]
            error("expected 'Domain -> Range' after the relation type name, found '\(shown(t))'", at: t.start)
            throw ParseFailure()
        }
        if i > 2, i < toks.count, !flagWords.contains(str(toks[i])) || toks[i].kind != .word {
            range = try endpoint(toks[i], 2)
            i += 1
        }
        var inverse: String?
        var flags: RelationFlags = []
        while i < toks.count {
            let t = toks[i]
            if wordEquals(t, "inverse") {
                inverse = try name(toks, i + 1, what: "an inverse name", after: "'inverse'")
                cols[3] = column(toks[i + 1].start)
                i += 2
            } else if t.kind == .word, let flag = RelationFlags.keywords.first(where: { str(t) == $0.1 })?.0 {
                flags.insert(flag)
                i += 1
            } else {
                let w = shown(t)
                let words = ["inverse"] + RelationFlags.keywords.map(\.1)
                error("unexpected '\(w)' in relation type declaration", at: t.start,
                      suggestion: t.kind == .word ? Suggest.nearest(w, in: words) : nil,
                      notes: ["after 'Domain -> Range' come 'inverse NAME', " + RelationFlags.keywords.map { "'\($0.1)'" }.joined(separator: ", ")])
                throw ParseFailure()
            }
        }
        var st = Statement(.relationType(name: nm, domain: domain, range: range, inverse: inverse, flags: flags))
        st.columns = cols
        return st
    }

    func parseRelation(_ toks: [Tok]) throws -> Statement {
        let src = try identifier(toks, 0, what: "a source id", after: "the start of the line")
        let arrow = toks[1]
        let inner = String(decoding: UnsafeBufferPointer(rebasing: b[(arrow.start + 1)..<(arrow.end - 2)]), as: UTF8.self)
        guard KGParser.isName(inner) else {
            error("invalid relation type '\(inner)' in arrow: names are a letter or _ followed by letters, digits and _",
                  at: arrow.start + 1)
            throw ParseFailure()
        }
        let dst = try identifier(toks, 2, what: "a target id", after: "'\(str(arrow))'")
        var ev: EvidenceClause?
        var i = 3
        if i < toks.count {
            guard toks[i].kind == .word, b[toks[i].start] == UInt8(ascii: "@") else {
                error("unexpected '\(shown(toks[i]))' after the relation target; evidence starts with '@reading'", at: toks[i].start)
                throw ParseFailure()
            }
            ev = try parseEvidence(toks, &i)
            try expectEnd(toks, i, after: "the evidence")
        }
        var st = Statement(.relation(source: src, type: inner, target: dst, evidence: ev))
        st.columns = [column(toks[0].start), column(arrow.start + 1), column(toks[2].start)]
        return st
    }

    /// `@reading [locator] [modality] ["note"]` starting at `toks[i]`.
    func parseEvidence(_ toks: [Tok], _ i: inout Int) throws -> EvidenceClause {
        let t = toks[i]
        let rd = String(decoding: UnsafeBufferPointer(rebasing: b[(t.start + 1)..<t.end]), as: UTF8.self)
        guard !rd.isEmpty else {
            error("expected a reading id after '@'", at: t.start)
            throw ParseFailure()
        }
        guard KGParser.isIdentifier(Substring(rd).utf8) else {
            error("invalid reading id '\(rd)' after '@'", at: t.start + 1)
            throw ParseFailure()
        }
        var ev = EvidenceClause(reading: rd)
        ev.column = column(t.start)
        i += 1
        if i < toks.count, toks[i].kind == .word, Modality(rawValue: str(toks[i])) == nil {
            let lt = str(toks[i])
            guard let loc = fastLocator(toks[i]) ?? Locator(lt) else {
                error("bad locator '\(lt)': \(locatorProblem(lt))", at: toks[i].start,
                      notes: ["locators are L<n>, L<n>-L<m> (lines) or S<n>, S<n>-S<m> (sentences), 1-based"])
                throw ParseFailure()
            }
            ev.locator = loc
            ev.locatorColumn = column(toks[i].start)
            i += 1
        }
        if i < toks.count, toks[i].kind == .word {
            let w = str(toks[i])
            guard let m = Modality(rawValue: w) else {
                error("unexpected '\(w)' in evidence: expected a modality or a quoted note", at: toks[i].start,
                      suggestion: Suggest.nearest(w, in: Modality.allCases.map(\.rawValue)),
                      notes: ["evidence is '@reading [locator] [modality] [\"note\"]'; modality is asserted (the default), hedged, negated or reported"])
                throw ParseFailure()
            }
            ev.modality = m
            i += 1
        }
        if i < toks.count, toks[i].kind == .string {
            ev.note = toks[i].value
            i += 1
        }
        return ev
    }

    /// `L12`, `L12-L14`, `S3-S5` straight from the bytes (nil for anything else, including `L12-14`).
    func fastLocator(_ t: Tok) -> Locator? {
        var i = t.start
        let u = b[i]
        guard u == UInt8(ascii: "L") || u == UInt8(ascii: "S") else { return nil }
        i += 1
        func number() -> Int? {
            var v = 0
            let s0 = i
            while i < t.end, b[i] >= 0x30, b[i] <= 0x39, i - s0 < 18 { v = v * 10 + Int(b[i] - 0x30); i += 1 }
            return i > s0 ? v : nil
        }
        guard let a = number(), a >= 1 else { return nil }
        let unit: Locator.Unit = u == UInt8(ascii: "L") ? .line : .sentence
        if i == t.end { return Locator(unit: unit, start: a) }
        guard b[i] == UInt8(ascii: "-"), i + 1 < t.end, b[i + 1] == u else { return nil }
        i += 2
        guard let e = number(), i == t.end, e >= a else { return nil }
        return Locator(unit: unit, start: a, end: e)
    }

    func locatorProblem(_ s: String) -> String {
        guard let f = s.first, f == "L" || f == "S" else { return "expected L or S followed by a number" }
        let parts = s.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
        if parts.count > 2 { return "expected at most one '-'" }
        guard let a = Int(parts[0]) else { return "expected a number after '\(f)'" }
        if a < 1 { return "\(f == "L" ? "lines" : "sentences") are numbered from 1" }
        if parts.count == 2 {
            var p = parts[1]
            if p.first == f { p = p.dropFirst() } else if p.first == "L" || p.first == "S" { return "a range cannot mix lines and sentences" }
            guard let e = Int(p) else { return "expected a number after '-'" }
            if e < a { return "the range ends before it starts" }
        }
        return "expected L<n>, L<n>-L<m>, S<n> or S<n>-S<m>"
    }

    // MARK: Continuations

    mutating func parseContinuation(_ toks: [Tok], comment: String?, column col: Int) -> Continuation? {
        guard let st = cur, !toks.isEmpty else { return nil }
        do {
            var c: Continuation
            let t0 = toks[0]
            if t0.kind == .word, b[t0.start] == UInt8(ascii: "@") {
                guard case .relation = st.header else {
                    error("evidence '@…' belongs under a relation, not under a \(st.header.what)", at: t0.start)
                    throw ParseFailure()
                }
                var i = 0
                let ev = try parseEvidence(toks, &i)
                try expectEnd(toks, i, after: "the evidence")
                c = Continuation(.evidence(ev))
            } else {
                guard t0.kind == .word else {
                    error("expected a property key, found '\(shown(t0))'", at: t0.start)
                    throw ParseFailure()
                }
                let key = str(t0)
                guard KGParser.isName(key) else {
                    error("invalid property key '\(key)': keys are a letter or _ followed by letters, digits and _", at: t0.start)
                    throw ParseFailure()
                }
                c = try parseKeyed(key, toks, header: st.header)
            }
            c.trailingComment = comment
            c.line = lineNo
            c.column = col
            return c
        } catch {
            return nil
        }
    }

    func stringList(_ toks: [Tok], from i0: Int, key: String) throws -> [String] {
        var out: [String] = []
        var i = i0
        while true {
            out.append(try string(toks, i, what: "a string", after: out.isEmpty ? "'\(key)'" : "','"))
            i += 1
            if i == toks.count { return out }
            guard toks[i].kind == .comma else {
                error("expected ',' or end of line after a \(key) string, found '\(shown(toks[i]))'", at: toks[i].start)
                throw ParseFailure()
            }
            i += 1
        }
    }

    mutating func parseKeyed(_ key: String, _ toks: [Tok], header: Header) throws -> Continuation {
        let t0 = toks[0]
        switch header {
        case .kind, .relationType:
            if key == "doc" {
                let s = try string(toks, 1, what: "a description", after: "'doc'")
                try expectEnd(toks, 2, after: "the description")
                return Continuation(.doc(s))
            }
            if key == "cue", case .relationType = header {
                return Continuation(.cue(try stringList(toks, from: 1, key: "cue")))
            }
            let allowed = { if case .kind = header { return ["doc"] } else { return ["doc", "cue"] } }()
            error("unexpected '\(key)' under a \(header.what); expected \(allowed.map { "'\($0)'" }.joined(separator: " or "))",
                  at: t0.start, suggestion: Suggest.nearest(key, in: allowed))
            throw ParseFailure()
        case .concept:
            if key == "aka" { return Continuation(.aka(try stringList(toks, from: 1, key: "aka"))) }
            if key == "summary" {
                let s = try string(toks, 1, what: "a summary", after: "'summary'")
                try expectEnd(toks, 2, after: "the summary")
                if seenKeys.contains(key) { error("duplicate 'summary' line", at: t0.start); throw ParseFailure() }
                seenKeys.append(key)
                return Continuation(.summary(s))
            }
            if ["id", "name", "kind", "aliases"].contains(key) {
                error("'\(key)' is reserved on concepts: \(key == "aliases" ? "write aliases as aka \"alias\", \"alias\"" : "it comes from the 'concept id \"Name\" : Kind' line")", at: t0.start)
                throw ParseFailure()
            }
        case .reading:
            if ["id", "name", "title"].contains(key) {
                error("'\(key)' is reserved on readings: it comes from the 'reading id \"Title\"' line", at: t0.start)
                throw ParseFailure()
            }
        case .relation:
            if ["reading", "locator", "note", "modality"].contains(key) {
                error("'\(key)' is reserved on relations: write evidence as '@reading locator [modality] \"note\"'", at: t0.start)
                throw ParseFailure()
            }
            if key == "origin" {
                // origin TOOL "date" "fingerprint"
                guard toks.count > 1, toks[1].kind == .word, KGParser.isName(str(toks[1])) else {
                    error("expected the proposing tool after 'origin' (e.g. origin link \"2026-01-31\" \"3f9a1c2b\")",
                          at: toks.count > 1 ? toks[1].start : le)
                    throw ParseFailure()
                }
                let date = try string(toks, 2, what: "the date it was accepted", after: "the tool")
                let fp = try string(toks, 3, what: "the fingerprint of the accepted relation", after: "the date")
                try expectEnd(toks, 4, after: "the fingerprint")
                if seenKeys.contains(key) { error("duplicate 'origin' line", at: t0.start); throw ParseFailure() }
                seenKeys.append(key)
                return Continuation(.origin(EdgeOrigin(tool: str(toks[1]), date: date, fingerprint: fp)))
            }
        }
        var i = 1
        let v = try value(toks, &i, key: key)
        if i < toks.count {
            if toks[i].kind == .comma {
                error("expected end of line after the value of '\(key)'; write a list as [a, b]", at: toks[i].start)
            } else {
                error("unexpected '\(shown(toks[i]))' after the value of '\(key)'", at: toks[i].start)
            }
            throw ParseFailure()
        }
        if seenKeys.contains(key) {
            error("duplicate property '\(key)'", at: t0.start)
            throw ParseFailure()
        }
        seenKeys.append(key)
        return Continuation(.property(key: key, value: v))
    }

    func value(_ toks: [Tok], _ i: inout Int, key: String, depth: Int = 0) throws -> Value {
        guard depth < 64 else {
            error("lists nested more than 64 deep", at: toks[i].start)
            throw ParseFailure()
        }
        guard i < toks.count else {
            error("expected a value after '\(key)'", at: le)
            throw ParseFailure()
        }
        let t = toks[i]
        switch t.kind {
        case .string:
            i += 1
            return .string(t.value)
        case .lbracket:
            i += 1
            var items: [Value] = []
            if i < toks.count, toks[i].kind == .rbracket { i += 1; return .list([]) }
            while true {
                items.append(try value(toks, &i, key: key, depth: depth + 1))
                guard i < toks.count else {
                    error("unterminated list: expected ']'", at: t.start, notes: ["a list may not span lines"])
                    throw ParseFailure()
                }
                if toks[i].kind == .rbracket { i += 1; return .list(items) }
                guard toks[i].kind == .comma else {
                    error("expected ',' or ']' in list, found '\(shown(toks[i]))'", at: toks[i].start)
                    throw ParseFailure()
                }
                i += 1
            }
        case .word:
            let s = str(t)
            i += 1
            if let v = Self.scalar(s) { return v }
            if let kind = TemporalValue.Kind(rawValue: s), i < toks.count, toks[i].kind == .string {
                // A temporal literal: the kind, then its ISO 8601 text (`date "2024-05-01"`).
                i += 1
                do { return .temporal(try TemporalValue(validating: kind, text: toks[i - 1].value)) } catch let e as TemporalError {
                    error("invalid \(kind.rawValue): \(e.message)", at: toks[i - 1].start)
                    throw ParseFailure()
                }
            }
            if Self.looksNumeric(s) {
                if Self.isIntegerSyntax(s) {
                    error("integer '\(s)' does not fit in 64 bits", at: t.start)
                } else {
                    error("malformed number '\(s)'", at: t.start)
                }
                throw ParseFailure()
            }
            error("expected a value (string, number, true, false, null or [list]), found '\(s)'", at: t.start,
                  suggestion: "\"\(s)\"")
            throw ParseFailure()
        default:
            error("expected a value, found '\(shown(t))'", at: t.start)
            throw ParseFailure()
        }
    }

    static func looksNumeric(_ s: String) -> Bool {
        guard let f = s.utf8.first else { return false }
        return (f >= 0x30 && f <= 0x39) || (f == UInt8(ascii: "-") && s.utf8.count > 1) || f == UInt8(ascii: "+") || f == UInt8(ascii: ".")
    }

    static func isIntegerSyntax(_ s: String) -> Bool {
        var u = Substring(s).utf8
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        return !u.isEmpty && u.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Parses a bare word as a value: numbers, booleans, null, nan, inf.
    static func scalar(_ s: String) -> Value? {
        switch s {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case "nan": return .float(.nan)
        case "inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        default: break
        }
        if isIntegerSyntax(s) { return Int64(s).map(Value.int) }
        // float: -?[0-9]+\.[0-9]+([eE][+-]?[0-9]+)? | -?[0-9]+[eE][+-]?[0-9]+
        let u = Array(s.utf8)
        var k = 0
        if k < u.count, u[k] == UInt8(ascii: "-") { k += 1 }
        func digits() -> Int { let s0 = k; while k < u.count, u[k] >= 0x30, u[k] <= 0x39 { k += 1 }; return k - s0 }
        guard digits() > 0 else { return nil }
        var hasFrac = false
        if k < u.count, u[k] == UInt8(ascii: ".") {
            k += 1
            guard digits() > 0 else { return nil }
            hasFrac = true
        }
        var hasExp = false
        if k < u.count, u[k] == UInt8(ascii: "e") || u[k] == UInt8(ascii: "E") {
            k += 1
            if k < u.count, u[k] == UInt8(ascii: "+") || u[k] == UInt8(ascii: "-") { k += 1 }
            guard digits() > 0 else { return nil }
            hasExp = true
        }
        guard k == u.count, hasFrac || hasExp, let d = Double(s) else { return nil }
        return .float(d)
    }
}
