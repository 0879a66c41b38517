import KGCore

/// Deterministic JSON text for property values, shared by the JSON Graph writer and the GraphML
/// list encoding.
///
/// - Integers print as integers, floats always with a `.` or an exponent (`1.0`, `1e+20`), so a
///   reader can tell them apart; non-finite floats print as `NaN`, `Infinity`, `-Infinity` (the
///   extension Python's `json` module reads and writes).
/// - Strings escape `"` `\` and every C0 control as `\n`, `\t`, … or `\u00XX`, and U+FFFE/U+FFFF as
///   `\ufffe`/`\uffff`, so the text is safe inside XML and the value survives exactly.
public enum JSONText {
    public static func append(_ v: Value, to out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .float(let d): out.append(contentsOf: formatDouble(d).utf8)
        case .string(let s): appendString(s, to: &out)
        case .temporal(let t): appendString(t.text, to: &out)
        case .list(let l):
            out.append(UInt8(ascii: "["))
            for (i, x) in l.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                append(x, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    public static func string(_ v: Value) -> String {
        var out: [UInt8] = []
        append(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Shortest round-trip text of a finite double with a `.` or exponent; `NaN`/`Infinity`.
    public static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        let s = "\(d)"
        if s.contains(".") || s.contains("e") || s.contains("E") { return s }
        return s + ".0"
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { u in
            var i = 0
            while i < u.count {
                let b = u[i]
                switch b {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0x0A: out.append(contentsOf: "\\n".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                case 0x0D: out.append(contentsOf: "\\r".utf8)
                case 0..<0x20:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
                case 0xEF where i + 2 < u.count && u[i + 1] == 0xBF && (u[i + 2] == 0xBE || u[i + 2] == 0xBF):
                    out.append(contentsOf: (u[i + 2] == 0xBE ? "\\ufffe" : "\\uffff").utf8)
                    i += 2
                default: out.append(b)
                }
                i += 1
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A small strict JSON reader for the values `JSONText` writes (used by the GraphML importer to
/// decode list-typed keys). Accepts `NaN`, `Infinity`, `-Infinity`.
public struct JSONValueParser {
    private let u: [UInt8]
    private var i = 0

    public struct Failure: Error, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "\(message) at character \(offset + 1)" }
    }

    public init(_ text: String) { u = Array(text.utf8) }

    /// Parses a complete document into a `Value` (objects are not supported: they are rejected).
    public static func parse(_ text: String) throws -> Value {
        var p = JSONValueParser(text)
        p.skipWS()
        let v = try p.value(depth: 0)
        p.skipWS()
        guard p.i == p.u.count else { throw Failure(offset: p.i, message: "unexpected text after the value") }
        return v
    }

    private mutating func skipWS() {
        while i < u.count, u[i] == 0x20 || u[i] == 0x09 || u[i] == 0x0A || u[i] == 0x0D { i += 1 }
    }

    private func fail(_ m: String) -> Failure { Failure(offset: i, message: m) }

    private mutating func lit(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard i + b.count <= u.count, Array(u[i..<i + b.count]) == b else { return false }
        i += b.count
        return true
    }

    private mutating func value(depth: Int) throws -> Value {
        guard depth < 64 else { throw fail("lists nested too deeply") }
        guard i < u.count else { throw fail("unexpected end of JSON") }
        switch u[i] {
        case UInt8(ascii: "["):
            i += 1
            var out: [Value] = []
            skipWS()
            if i < u.count, u[i] == UInt8(ascii: "]") { i += 1; return .list(out) }
            while true {
                skipWS()
                out.append(try value(depth: depth + 1))
                skipWS()
                guard i < u.count else { throw fail("unterminated list") }
                if u[i] == UInt8(ascii: ",") { i += 1; continue }
                if u[i] == UInt8(ascii: "]") { i += 1; return .list(out) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): if lit("true") { return .bool(true) }
        case UInt8(ascii: "f"): if lit("false") { return .bool(false) }
        case UInt8(ascii: "n"): if lit("null") { return .null }
        case UInt8(ascii: "N"): if lit("NaN") { return .float(.nan) }
        case UInt8(ascii: "I"): if lit("Infinity") { return .float(.infinity) }
        default:
            if lit("-Infinity") { return .float(-.infinity) }
            return try number()
        }
        throw fail("invalid JSON value")
    }

    private mutating func number() throws -> Value {
        let start = i
        var isFloat = false
        if i < u.count, u[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < u.count {
            let c = u[i]
            if c >= 0x30 && c <= 0x39 { digits += 1; i += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && i > start
                    && (u[i - 1] == UInt8(ascii: "e") || u[i - 1] == UInt8(ascii: "E"))) {
                isFloat = true; i += 1; continue
            }
            break
        }
        guard digits > 0 else { throw fail("invalid JSON value") }
        let text = String(decoding: u[start..<i], as: UTF8.self)
        if !isFloat, let n = Int64(text) { return .int(n) }
        guard let d = Double(text) else { throw Failure(offset: start, message: "invalid number '\(text)'") }
        return .float(d)
    }

    private mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < u.count else { break }
                let e = u[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var cp = try hex4()
                    if cp >= 0xD800 && cp < 0xDC00 {
                        guard lit("\\u") else { throw fail("lone surrogate in string") }
                        let lo = try hex4()
                        guard lo >= 0xDC00 && lo < 0xE000 else { throw fail("lone surrogate in string") }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    } else if cp >= 0xDC00 && cp < 0xE000 {
                        throw fail("lone surrogate in string")
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(cp)!)).utf8)
                default: throw fail("invalid escape in string")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= u.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = u[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
