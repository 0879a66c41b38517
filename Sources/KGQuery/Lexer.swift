import Foundation

/// A position in the query text: 1-based line and column, and the scalar offset.
public struct SourcePos: Sendable, Equatable {
    public var line: Int
    public var column: Int
    public var offset: Int
    public init(line: Int, column: Int, offset: Int) { self.line = line; self.column = column; self.offset = offset }
    public static let none = SourcePos(line: 0, column: 0, offset: 0)
}

enum TokenKind: Equatable {
    case ident          // bare identifier or keyword
    case quotedIdent    // `escaped`
    case int(Int64?)    // nil: too large
    case float(Double)
    case string(String)
    case param(String)
    case symbol(String)
    case eof
}

struct Token {
    var kind: TokenKind
    var text: String
    var pos: SourcePos
    var end: Int  // scalar offset after the token
    func isKeyword(_ k: String) -> Bool { kind == .ident && text.caseInsensitiveCompare(k) == .orderedSame }
    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
}

/// Splits query text into tokens; comments and whitespace are skipped.
struct Lexer {
    let src: [Unicode.Scalar]
    var i = 0
    var line = 1
    var col = 1

    init(_ text: String) { src = Array(text.unicodeScalars) }

    func err(_ msg: String, _ p: SourcePos, detail: String = "UnexpectedSyntax") -> CypherError {
        CypherError(.syntax, detail, msg, p)
    }

    var pos: SourcePos { SourcePos(line: line, column: col, offset: i) }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < src.count ? src[i + k] : nil }

    mutating func advance() {
        if src[i] == "\n" { line += 1; col = 1 } else { col += 1 }
        i += 1
    }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || CharacterSet.letters.contains(c)
    }
    static func isIdentPart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || CharacterSet.alphanumerics.contains(c) || c == "$"
    }

    mutating func skipTrivia() throws {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || CharacterSet.whitespacesAndNewlines.contains(c) { advance(); continue }
            if c == "/" && peek(1) == "/" { while let d = peek(), d != "\n" { _ = d; advance() }; continue }
            if c == "/" && peek(1) == "*" {
                let p = pos
                advance(); advance()
                while true {
                    guard let d = peek() else { throw err("unterminated comment", p) }
                    if d == "*" && peek(1) == "/" { advance(); advance(); break }
                    advance()
                }
                continue
            }
            break
        }
    }

    mutating func tokenize() throws -> [Token] {
        var out: [Token] = []
        while true {
            try skipTrivia()
            let p = pos
            guard let c = peek() else {
                out.append(Token(kind: .eof, text: "", pos: p, end: i)); return out
            }
            let start = i
            func text() -> String { String(String.UnicodeScalarView(src[start..<i])) }
            if Lexer.isIdentStart(c) {
                while let d = peek(), Lexer.isIdentPart(d) { advance() }
                out.append(Token(kind: .ident, text: text(), pos: p, end: i))
            } else if c == "`" {
                advance()
                var s = String.UnicodeScalarView()
                while true {
                    guard let d = peek() else { throw err("unterminated quoted name", p) }
                    advance()
                    if d == "`" {
                        if peek() == "`" { advance(); s.append("`"); continue }
                        break
                    }
                    s.append(d)
                }
                out.append(Token(kind: .quotedIdent, text: String(s), pos: p, end: i))
            } else if c.properties.numericType != nil && ("0"..."9").contains(c) || (c == "." && peek(1).map { ("0"..."9").contains($0) } == true) {
                out.append(try number(p))
            } else if c == "'" || c == "\"" {
                out.append(try string(p, quote: c))
            } else if c == "$" {
                advance()
                if peek() == "`" {
                    var t = try tokenize1QuotedAt()
                    t.pos = p
                    out.append(Token(kind: .param(t.text), text: "$" + t.text, pos: p, end: i))
                } else {
                    let s = i
                    while let d = peek(), Lexer.isIdentPart(d) { advance() }
                    if s == i { throw err("expected a parameter name after $", p) }
                    let name = String(String.UnicodeScalarView(src[s..<i]))
                    out.append(Token(kind: .param(name), text: "$" + name, pos: p, end: i))
                }
            } else {
                let three = ["..."]
                let two = ["<>", "<=", ">=", "=~", "+=", "..", "->", "<-", "!="]
                var sym: String? = nil
                for s in three + two {
                    let sc = Array(s.unicodeScalars)
                    if i + sc.count <= src.count && Array(src[i..<i + sc.count]) == sc { sym = s; break }
                }
                if sym == "..." { sym = ".." }
                if sym == nil {
                    let singles: Set<Unicode.Scalar> = ["(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "|", "*", "+", "-", "/", "%", "^", "=", "<", ">", "!"]
                    if singles.contains(c) { sym = String(c) }
                    // Unicode dashes and arrows used in patterns
                    else if ["\u{2212}", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{FE58}", "\u{FE63}", "\u{FF0D}", "\u{00AD}"].contains(c) {
                        throw err("invalid character '\(c)' (U+\(String(c.value, radix: 16, uppercase: true))); use the ASCII hyphen-minus '-'", p, detail: "InvalidUnicodeCharacter")
                    }
                    else if ["\u{27E8}", "\u{3008}", "\u{FE64}", "\u{FF1C}"].contains(c) { sym = "<" }
                    else if ["\u{27E9}", "\u{3009}", "\u{FE65}", "\u{FF1E}"].contains(c) { sym = ">" }
                }
                guard let s = sym else { throw err("unexpected character '\(c)'", p) }
                let n = (s == ".." && i + 2 < src.count && src[i + 2] == ".") ? 3 : (s.unicodeScalars.count == 1 ? 1 : s.unicodeScalars.count)
                for _ in 0..<n { advance() }
                out.append(Token(kind: .symbol(s), text: s, pos: p, end: i))
            }
        }
    }

    mutating func tokenize1QuotedAt() throws -> Token {
        let p = pos
        advance()
        var s = String.UnicodeScalarView()
        while true {
            guard let d = peek() else { throw err("unterminated quoted name", p) }
            advance()
            if d == "`" { if peek() == "`" { advance(); s.append("`"); continue }; break }
            s.append(d)
        }
        return Token(kind: .quotedIdent, text: String(s), pos: p, end: i)
    }

    mutating func number(_ p: SourcePos) throws -> Token {
        let start = i
        func digits(_ ok: (Unicode.Scalar) -> Bool) { while let d = peek(), ok(d) || d == "_" { _ = d; advance() } }
        let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        if peek() == "0", let x = peek(1), x == "x" || x == "X" || x == "o" || x == "O" {
            advance(); advance()
            let ds = i
            let hex = x == "x" || x == "X"
            while let d = peek(), Lexer.isIdentPart(d) { advance() }
            let body = String(String.UnicodeScalarView(src[ds..<i])).replacingOccurrences(of: "_", with: "")
            let t = String(String.UnicodeScalarView(src[start..<i]))
            guard !body.isEmpty, let v = UInt64(body, radix: hex ? 16 : 8) else {
                if !body.isEmpty, body.allSatisfy({ hex ? $0.isHexDigit : ("0"..."7").contains($0) }) {
                    return Token(kind: .int(nil), text: t, pos: p, end: i)
                }
                throw err("invalid number literal '\(t)'", p, detail: "InvalidNumberLiteral")
            }
            return Token(kind: .int(v <= UInt64(Int64.max) ? Int64(v) : nil), text: t, pos: p, end: i)
        }
        digits(isDigit)
        var isFloat = false
        if peek() == ".", let d = peek(1), isDigit(d) { isFloat = true; advance(); digits(isDigit) }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let s = peek(1), s == "+" || s == "-" { k = 2 }
            if let d = peek(k), isDigit(d) {
                isFloat = true
                for _ in 0..<k { advance() }
                digits(isDigit)
            }
        }
        if let d = peek(), Lexer.isIdentStart(d) {
            while let d = peek(), Lexer.isIdentPart(d) { advance() }
            throw err("invalid number literal '\(String(String.UnicodeScalarView(src[start..<i])))'", p, detail: "InvalidNumberLiteral")
        }
        let t = String(String.UnicodeScalarView(src[start..<i]))
        let clean = t.replacingOccurrences(of: "_", with: "")
        if isFloat {
            guard let d = Double(clean) else { throw err("invalid number literal '\(t)'", p, detail: "InvalidNumberLiteral") }
            if d.isInfinite { throw err("floating point number is too large: \(t)", p, detail: "FloatingPointOverflow") }
            return Token(kind: .float(d), text: t, pos: p, end: i)
        }
        if clean.count > 1 && clean.hasPrefix("0") {
            // legacy octal
            if let v = Int64(clean.dropFirst(), radix: 8) { return Token(kind: .int(v), text: t, pos: p, end: i) }
            if clean.allSatisfy({ ("0"..."7").contains($0) }) { return Token(kind: .int(nil), text: t, pos: p, end: i) }
            throw err("invalid number literal '\(t)'", p, detail: "InvalidNumberLiteral")
        }
        if let v = Int64(clean) { return Token(kind: .int(v), text: t, pos: p, end: i) }
        return Token(kind: .int(nil), text: t, pos: p, end: i)
    }

    mutating func string(_ p: SourcePos, quote: Unicode.Scalar) throws -> Token {
        let start = i
        advance()
        var s = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw err("unterminated string literal", p) }
            advance()
            if c == quote { break }
            if c == "\\" {
                guard let e = peek() else { throw err("unterminated string literal", p) }
                let ep = pos
                advance()
                switch e {
                case "\\": s.append("\\")
                case "'": s.append("'")
                case "\"": s.append("\"")
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "b": s.append("\u{8}")
                case "f": s.append("\u{C}")
                case "u", "U":
                    let n = e == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<n {
                        guard let h = peek(), h.properties.isASCIIHexDigit else {
                            throw err("invalid unicode escape", ep, detail: "InvalidUnicodeLiteral")
                        }
                        hex.unicodeScalars.append(h); advance()
                    }
                    guard let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) else {
                        throw err("invalid unicode escape", ep, detail: "InvalidUnicodeLiteral")
                    }
                    s.append(u)
                default:
                    throw err("invalid escape sequence '\\\(e)' in a string (valid: \\\\ \\' \\\" \\n \\t \\r \\b \\f \\uXXXX \\UXXXXXXXX)", SourcePos(line: ep.line, column: ep.column - 1, offset: ep.offset - 1))
                }
                continue
            }
            s.append(c)
        }
        return Token(kind: .string(String(s)), text: String(String.UnicodeScalarView(src[start..<i])), pos: p, end: i)
    }
}
