import Foundation
import KGCore

/// The loader's fast path: reads the statements that make up almost every graph file — concepts,
/// readings and relations with their `aka`, `summary`, evidence and scalar property lines — from
/// bytes straight into a `FileChunk`, without tokens as values, syntax trees or per-line strings.
///
/// It accepts exactly what `KGParser` accepts for these statements and builds the same records
/// (`LoaderTests` checks both paths agree). Anything else — a schema statement, an `origin` line,
/// a temporal value, a nested list, a `\u{…}` escape, a rare locator form, and every syntax error —
/// makes it give up (`run` returns false), and the loader parses the whole file with `KGParser`,
/// which also reports the errors with their positions.
final class FastScanner {
    private struct Tok {
        enum Kind: UInt8 { case word, string, comma, lbracket, rbracket, colon }
        var kind: Kind
        var start: Int
        var end: Int
        /// Strings: whether the body has escapes (then `start`/`end` delimit the quotes' inside).
        var escaped: Bool
    }

    private let b: UnsafePointer<UInt8>
    private let end: Int
    private var i: Int
    private var lineNo: Int
    private let chunk: FileChunk

    // Current line
    private var ls = 0
    private var le = 0
    /// Offset of the first non-ASCII byte of the line (le when none).
    private var firstHigh = 0

    private enum Cur { case none, concept, reading, relation }
    private var cur: Cur = .none
    private var seenKeys: [Int32] = []
    /// Tokens of the current line (a fixed buffer; a line with more tokens goes to the full parser).
    private let toks = UnsafeMutablePointer<Tok>.allocate(capacity: 256)
    private var ntok = 0
    private var scratch: [UInt8] = []
    private var readingSym: Int32 = 0
    private var summarySym: Int32 = 0
    private var akaSym: Int32 = 0

    /// Scans `bytes[start..<end]`, whose first line is line `firstLine` of its file.
    init(bytes: UnsafePointer<UInt8>, start: Int, end: Int, firstLine: Int, into chunk: FileChunk) {
        b = bytes
        self.end = end
        i = start
        lineNo = firstLine - 1
        self.chunk = chunk
        scratch.reserveCapacity(256)
    }

    /// True when every byte is valid UTF-8.
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        UTF8Validation.firstInvalid(p, start, end) == nil
    }

    deinit { toks.deallocate() }

    @inline(__always)
    private func push(_ t: Tok) -> Bool {
        guard ntok < 256 else { return false }
        toks[ntok] = t
        ntok += 1
        return true
    }

    /// Lines read so far.
    var linesRead: Int { lineNo }

    /// Reads the segment; false when it holds anything the fast path does not take.
    func run() -> Bool {
        readingSym = chunk.strings.intern("Reading").raw
        summarySym = chunk.strings.intern("summary").raw
        akaSym = chunk.strings.intern("aka").raw
        if i == 0, end >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        while i < end {
            let rest = end - i
            let nl = memchr(b + i, 0x0A, rest).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - b } ?? end
            lineNo += 1
            ls = i
            le = nl > i && b[nl - 1] == 0x0D ? nl - 1 : nl
            i = nl < end ? nl + 1 : nl
            guard line() else { return false }
        }
        return true
    }

    private func column(_ off: Int) -> Int32 {
        if off <= firstHigh { return Int32(off - ls + 1) }
        var col = 1
        var k = ls
        while k < off && k < le {
            if b[k] & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        return Int32(col)
    }

    private func line() -> Bool {
        var k = ls
        while k < le, b[k] == 0x20 { k += 1 }
        if k < le, b[k] == 0x09 { return false }
        if k == le {
            cur = .none
            return true
        }
        if b[k] == UInt8(ascii: "#") { return true }
        guard tokenize(from: k) else { return false }
        if k == ls {
            cur = .none
            seenKeys.removeAll(keepingCapacity: true)
            return header()
        }
        guard cur != .none, !(ntok == 0) else { return false }
        return continuation(column: column(k))
    }

    // MARK: Tokens

    private func tokenize(from start: Int) -> Bool {
        ntok = 0
        firstHigh = le
        var i = start
        while i < le {
            let c = b[i]
            switch c {
            case 0x20:
                i += 1
            case UInt8(ascii: "#"):
                return true
            case UInt8(ascii: ","): guard push(Tok(kind: .comma, start: i, end: i + 1, escaped: false)) else { return false }; i += 1
            case UInt8(ascii: "["): guard push(Tok(kind: .lbracket, start: i, end: i + 1, escaped: false)) else { return false }; i += 1
            case UInt8(ascii: "]"): guard push(Tok(kind: .rbracket, start: i, end: i + 1, escaped: false)) else { return false }; i += 1
            case UInt8(ascii: ":"): guard push(Tok(kind: .colon, start: i, end: i + 1, escaped: false)) else { return false }; i += 1
            case UInt8(ascii: "\""):
                var j = i + 1
                var escaped = false
                while j < le {
                    let d = b[j]
                    if d == UInt8(ascii: "\"") { break }
                    if d == UInt8(ascii: "\\") {
                        guard j + 1 < le else { return false }
                        switch b[j + 1] {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "t"), UInt8(ascii: "r"): break
                        default: return false
                        }
                        escaped = true
                        j += 2
                        continue
                    }
                    if d >= 0x80 && firstHigh == le { firstHigh = j }
                    j += 1
                }
                guard j < le else { return false }
                guard push(Tok(kind: .string, start: i + 1, end: j, escaped: escaped)) else { return false }
                i = j + 1
            default:
                if c < 0x20 || c >= 0x7F { return false }
                var e = i
                while e < le && cls[Int(b[e])] & 8 == 0 { e += 1 }
                guard push(Tok(kind: .word, start: i, end: e, escaped: false)) else { return false }
                i = e
            }
        }
        return true
    }

    @inline(__always)
    private func isWord(_ t: Tok, _ s: StaticString) -> Bool {
        guard t.kind == .word, t.end - t.start == s.utf8CodeUnitCount else { return false }
        return memcmp(b + t.start, s.utf8Start, t.end - t.start) == 0
    }

    /// Byte classes: bit 0 letter or `_`, bit 1 digit, bit 2 `.` or `-`, bit 3 ends a word.
    private static let classes: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in 0..<256 {
            var f: UInt8 = 0
            if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F { f |= 1 }
            if c >= 0x30 && c <= 0x39 { f |= 2 }
            if c == 0x2E || c == 0x2D { f |= 4 }
            if c <= 0x20 || c >= 0x7F || c == 0x22 || c == 0x2C || c == 0x5B || c == 0x5D || c == 0x23 || c == 0x3A { f |= 8 }
            t[c] = f
        }
        return t
    }()
    private let cls: UnsafePointer<UInt8> = classes.withUnsafeBufferPointer { UnsafePointer($0.baseAddress!) }

    private func isIdentifier(_ a: Int, _ e: Int) -> Bool {
        guard a < e, cls[Int(b[a])] & 3 != 0 else { return false }
        var k = a + 1
        while k < e {
            if cls[Int(b[k])] & 7 == 0 { return false }
            k += 1
        }
        return true
    }

    private func isName(_ a: Int, _ e: Int) -> Bool {
        guard a < e, cls[Int(b[a])] & 1 != 0 else { return false }
        var k = a + 1
        while k < e {
            if cls[Int(b[k])] & 3 == 0 { return false }
            k += 1
        }
        return true
    }

    @inline(__always)
    private func intern(_ a: Int, _ e: Int) -> Int32 {
        chunk.strings.intern(bytes: UnsafeRawBufferPointer(start: b + a, count: e - a)).raw
    }

    /// The value of a string token, interned.
    private func internString(_ t: Tok) -> Int32 {
        guard t.escaped else { return intern(t.start, t.end) }
        scratch.removeAll(keepingCapacity: true)
        var j = t.start
        while j < t.end {
            let d = b[j]
            if d == UInt8(ascii: "\\") {
                switch b[j + 1] {
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case let x: scratch.append(x)
                }
                j += 2
            } else {
                scratch.append(d)
                j += 1
            }
        }
        return scratch.withUnsafeBytes { chunk.strings.intern(bytes: $0).raw }
    }

    // MARK: Headers

    private func header() -> Bool {
        let n = ntok
        guard n > 0 else { return false }
        if n >= 2, toks[1].kind == .word, toks[1].end - toks[1].start >= 4, b[toks[1].start] == UInt8(ascii: "-"),
           b[toks[1].end - 2] == UInt8(ascii: "-"), b[toks[1].end - 1] == UInt8(ascii: ">") {
            return relation()
        }
        let t0 = toks[0]
        if isWord(t0, "concept") {
            guard n == 5, toks[1].kind == .word, isIdentifier(toks[1].start, toks[1].end), toks[2].kind == .string,
                  toks[3].kind == .colon, toks[4].kind == .word, isName(toks[4].start, toks[4].end)
            else { return false }
            let c = chunk
            c.nodeKey.append(intern(toks[1].start, toks[1].end))
            c.nodeName.append(internString(toks[2]))
            c.nodeKind.append(intern(toks[4].start, toks[4].end))
            c.nodeSummary.append(-1)
            c.nodeLine.append(Int32(lineNo))
            c.nodeColumns.append(column(toks[1].start))
            c.nodeColumns.append(column(toks[2].start - 1))
            c.nodeColumns.append(column(toks[4].start))
            c.nodeIsConcept.append(true)
            c.nodePropEnd.append(Int32(c.nodePropKey.count))
            c.nodeAliasEnd.append(Int32(c.aliasSym.count))
            cur = .concept
            return true
        }
        if isWord(t0, "reading") {
            guard n == 3, toks[1].kind == .word, isIdentifier(toks[1].start, toks[1].end), toks[2].kind == .string
            else { return false }
            let c = chunk
            c.nodeKey.append(intern(toks[1].start, toks[1].end))
            c.nodeName.append(internString(toks[2]))
            c.nodeKind.append(readingSym)
            c.nodeSummary.append(-1)
            c.nodeLine.append(Int32(lineNo))
            c.nodeColumns.append(column(toks[1].start))
            c.nodeColumns.append(column(toks[2].start - 1))
            c.nodeColumns.append(0)
            c.nodeIsConcept.append(false)
            c.nodePropEnd.append(Int32(c.nodePropKey.count))
            c.nodeAliasEnd.append(Int32(c.aliasSym.count))
            cur = .reading
            return true
        }
        // `kind` and `relation` declarations, and everything else: the full parser.
        return false
    }

    private func relation() -> Bool {
        let n = ntok
        guard n >= 3 else { return false }
        let s = toks[0], a = toks[1], d = toks[2]
        guard s.kind == .word, isIdentifier(s.start, s.end), isName(a.start + 1, a.end - 2),
              d.kind == .word, isIdentifier(d.start, d.end)
        else { return false }
        let c = chunk
        c.edgeSrc.append(intern(s.start, s.end))
        c.edgeType.append(intern(a.start + 1, a.end - 2))
        c.edgeDst.append(intern(d.start, d.end))
        c.edgeLine.append(Int32(lineNo))
        c.edgeColumns.append(column(s.start))
        c.edgeColumns.append(column(a.start + 1))
        c.edgeColumns.append(column(d.start))
        if n > 3 {
            guard toks[3].kind == .word, b[toks[3].start] == UInt8(ascii: "@") else { return false }
            var k = 3
            guard evidence(&k), k == n else { return false }
        }
        c.edgePropEnd.append(Int32(c.edgePropKey.count))
        c.edgeEvEnd.append(Int32(c.evReading.count))
        cur = .relation
        return true
    }

    private func modality(_ t: Tok) -> Modality? {
        guard t.kind == .word else { return nil }
        if isWord(t, "asserted") { return .asserted }
        if isWord(t, "hedged") { return .hedged }
        if isWord(t, "negated") { return .negated }
        if isWord(t, "reported") { return .reported }
        return nil
    }

    /// `L12`, `L12-L14`, `S3-S5`: the forms `KGParser.fastLocator` reads (nil for the others).
    private func locator(_ t: Tok) -> Locator? {
        var i = t.start
        let u = b[i]
        guard u == UInt8(ascii: "L") || u == UInt8(ascii: "S") else { return nil }
        i += 1
        var a = 0
        var s0 = i
        while i < t.end, b[i] >= 0x30, b[i] <= 0x39, i - s0 < 18 { a = a * 10 + Int(b[i] - 0x30); i += 1 }
        guard i > s0, a >= 1 else { return nil }
        let unit: Locator.Unit = u == UInt8(ascii: "L") ? .line : .sentence
        if i == t.end { return Locator(unit: unit, start: a) }
        guard b[i] == UInt8(ascii: "-"), i + 1 < t.end, b[i + 1] == u else { return nil }
        i += 2
        var e = 0
        s0 = i
        while i < t.end, b[i] >= 0x30, b[i] <= 0x39, i - s0 < 18 { e = e * 10 + Int(b[i] - 0x30); i += 1 }
        guard i > s0, i == t.end, e >= a else { return nil }
        return Locator(unit: unit, start: a, end: e)
    }

    /// `@reading [locator] [modality] ["note"]` from `toks[k]`; appends one evidence row.
    private func evidence(_ k: inout Int) -> Bool {
        let t = toks[k]
        guard isIdentifier(t.start + 1, t.end) else { return false }
        let c = chunk
        let reading = intern(t.start + 1, t.end)
        k += 1
        var loc: Locator? = nil
        var mod = Modality.asserted
        var note: Int32 = -1
        if k < ntok, toks[k].kind == .word, modality(toks[k]) == nil {
            guard let l = locator(toks[k]) else { return false }
            loc = l
            k += 1
        }
        if k < ntok, toks[k].kind == .word {
            guard let m = modality(toks[k]) else { return false }
            mod = m
            k += 1
        }
        if k < ntok, toks[k].kind == .string {
            note = internString(toks[k])
            k += 1
        }
        c.evReading.append(reading)
        c.evLocator.append(loc)
        c.evNote.append(note)
        c.evModality.append(mod)
        return true
    }

    // MARK: Continuation lines

    private func continuation(column col: Int32) -> Bool {
        let t0 = toks[0]
        let c = chunk
        if t0.kind == .word, b[t0.start] == UInt8(ascii: "@") {
            guard cur == .relation else { return false }
            var k = 0
            guard evidence(&k), k == ntok else { return false }
            c.edgeEvEnd[c.edgeEvEnd.count - 1] = Int32(c.evReading.count)
            return true
        }
        guard t0.kind == .word, isName(t0.start, t0.end) else { return false }
        switch cur {
        case .concept:
            if isWord(t0, "aka") {
                // One or more strings separated by commas, to the end of the line.
                var k = 1
                var first = true
                while true {
                    guard k < ntok, toks[k].kind == .string else { return false }
                    _ = first
                    first = false
                    c.aliasSym.append(internString(toks[k]))
                    c.aliasLine.append(Int32(lineNo))
                    c.aliasColumn.append(col)
                    k += 1
                    if k == ntok { break }
                    guard toks[k].kind == .comma else { return false }
                    k += 1
                }
                c.nodeAliasEnd[c.nodeAliasEnd.count - 1] = Int32(c.aliasSym.count)
                return true
            }
            if isWord(t0, "summary") {
                guard ntok == 2, toks[1].kind == .string, !seenKeys.contains(summarySym) else { return false }
                seenKeys.append(summarySym)
                c.nodeSummary[c.nodeSummary.count - 1] = internString(toks[1])
                return true
            }
            if isWord(t0, "id") || isWord(t0, "name") || isWord(t0, "kind") || isWord(t0, "aliases") { return false }
        case .reading:
            if isWord(t0, "id") || isWord(t0, "name") || isWord(t0, "title") { return false }
        case .relation:
            if isWord(t0, "reading") || isWord(t0, "locator") || isWord(t0, "note") || isWord(t0, "modality")
                || isWord(t0, "origin") { return false }
        case .none:
            return false
        }
        var k = 1
        guard let v = value(&k), k == ntok else { return false }
        let key = intern(t0.start, t0.end)
        if seenKeys.contains(key) { return false }
        seenKeys.append(key)
        if case .value(.null) = v { return true }
        if cur == .relation {
            c.edgePropKey.append(key)
            c.edgePropValue.append(v)
            c.edgePropEnd[c.edgePropEnd.count - 1] = Int32(c.edgePropKey.count)
        } else {
            c.nodePropKey.append(key)
            c.nodePropValue.append(v)
            c.nodePropEnd[c.nodePropEnd.count - 1] = Int32(c.nodePropKey.count)
        }
        return true
    }

    /// A property value from `toks[k]`: a string, a scalar word, or a flat list of those.
    private func value(_ k: inout Int) -> ChunkValue? {
        guard k < ntok else { return nil }
        let t = toks[k]
        switch t.kind {
        case .string:
            k += 1
            return .sym(internString(t))
        case .word:
            k += 1
            return scalar(t)
        case .lbracket:
            k += 1
            var syms: [Int32] = []
            var values: [Value] = []
            var allStrings = true
            if k < ntok, toks[k].kind == .rbracket { k += 1; return .syms([]) }
            while true {
                guard k < ntok else { return nil }
                let e = toks[k]
                k += 1
                switch e.kind {
                case .string:
                    let s = internString(e)
                    syms.append(s)
                    values.append(.string(chunk.strings[Symbol(raw: s)]))
                case .word:
                    guard let v = scalar(e) else { return nil }
                    allStrings = false
                    switch v {
                    case .int(let x): values.append(.int(x))
                    case .float(let x): values.append(.float(x))
                    case .bool(let x): values.append(.bool(x))
                    case .value(let x): values.append(x)
                    default: return nil
                    }
                default:
                    return nil
                }
                guard k < ntok else { return nil }
                if toks[k].kind == .rbracket { k += 1; break }
                guard toks[k].kind == .comma else { return nil }
                k += 1
            }
            return allStrings ? .syms(syms) : .value(.list(values))
        default:
            return nil
        }
    }

    static let powersOfTen: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { x, _ in x * 10 } }

    /// A bare word as a value, as `KGParser` reads it (`true`, `false`, `null`, `nan`, `inf`,
    /// `-inf`, integers, floats); nil for anything else (temporal kinds, errors).
    private func scalar(_ t: Tok) -> ChunkValue? {
        let a = t.start, e = t.end
        let n = e - a
        if isWord(t, "true") { return .bool(true) }
        if isWord(t, "false") { return .bool(false) }
        if isWord(t, "null") { return .value(.null) }
        if isWord(t, "nan") { return .float(.nan) }
        if isWord(t, "inf") { return .float(.infinity) }
        if isWord(t, "-inf") { return .float(-.infinity) }
        var k = a
        let neg = b[k] == UInt8(ascii: "-")
        if neg { k += 1 }
        let d0 = k
        while k < e, b[k] >= 0x30, b[k] <= 0x39 { k += 1 }
        let intDigits = k - d0
        guard intDigits > 0 else { return nil }
        if k == e {
            // Integer syntax.
            if intDigits <= 18 {
                var v: Int64 = 0
                for j in d0..<e { v = v * 10 + Int64(b[j] - 0x30) }
                return .int(neg ? -v : v)
            }
            let s = String(decoding: UnsafeBufferPointer(start: b + a, count: n), as: UTF8.self)
            return Int64(s).map { .int($0) }
        }
        var hasFrac = false, hasExp = false
        if b[k] == UInt8(ascii: ".") {
            k += 1
            let f0 = k
            while k < e, b[k] >= 0x30, b[k] <= 0x39 { k += 1 }
            guard k > f0 else { return nil }
            hasFrac = true
        }
        if k < e, b[k] == UInt8(ascii: "e") || b[k] == UInt8(ascii: "E") {
            k += 1
            if k < e, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") { k += 1 }
            let x0 = k
            while k < e, b[k] >= 0x30, b[k] <= 0x39 { k += 1 }
            guard k > x0 else { return nil }
            hasExp = true
        }
        guard k == e, hasFrac || hasExp else { return nil }
        if !hasExp && n - (neg ? 1 : 0) - 1 <= 15 {
            // At most 15 digits: an exact integer over an exact power of ten, which IEEE division
            // rounds correctly (the value `Double(String)` gives).
            var v: Int64 = 0
            var frac = 0
            var afterDot = false
            for j in d0..<e {
                let c = b[j]
                if c == UInt8(ascii: ".") { afterDot = true; continue }
                v = v * 10 + Int64(c - 0x30)
                if afterDot { frac += 1 }
            }
            let x = Double(v) / Self.powersOfTen[frac]
            return .float(neg ? -x : x)
        }
        let s = String(decoding: UnsafeBufferPointer(start: b + a, count: n), as: UTF8.self)
        return Double(s).map { .float($0) }
    }
}
