/// One sentence of a text, as `Sentences.split` finds it.
///
/// Numbers and lines are 1-based, so they can be written as locators (`S3`, `L14-L16`).
/// `range` is in UTF-8 bytes of the text (`text.utf8`), `characterRange` in `Character`s;
/// both exclude the white space around the sentence.
public struct SentenceSpan: Hashable, Sendable {
    /// 1-based position of the sentence in the text.
    public var number: Int
    /// Byte range in `text.utf8`, white space around the sentence excluded.
    public var range: Range<Int>
    /// The same range counted in `Character`s (extended grapheme clusters).
    public var characterRange: Range<Int>
    /// 1-based line on which the sentence starts.
    public var startLine: Int
    /// 1-based line on which the sentence ends (inclusive).
    public var endLine: Int
    /// The sentence as written (inner line breaks kept).
    public var text: String

    public init(number: Int, range: Range<Int>, characterRange: Range<Int>, startLine: Int, endLine: Int, text: String) {
        self.number = number
        self.range = range
        self.characterRange = characterRange
        self.startLine = startLine
        self.endLine = endLine
        self.text = text
    }

    /// The sentence as a locator: `S<number>`.
    public var sentenceLocator: Locator { Locator(unit: .sentence, start: number) }
    /// The lines of the sentence as a locator: `L<start>` or `L<start>-L<end>`.
    public var lineLocator: Locator { Locator(unit: .line, start: startLine, end: endLine) }
}

/// A rule-based sentence splitter for English prose in plain text or Markdown.
///
/// Rules, in order:
/// - A blank line ends a paragraph and the sentence in it.
/// - A Markdown heading (`# …`), a list item (`- `, `* `, `+ `, `1. `, `1) `), a block quote
///   line starting a new paragraph, a table row and each line of a fenced code block start a new
///   sentence; a heading, table row and code line are one sentence each, whatever they contain.
/// - Inside a paragraph, line breaks are white space: a sentence may run over several lines.
/// - `.`, `!`, `?` (and `…`), optionally followed by closing quotes or brackets, end a sentence
///   when white space or the end of the text follows and the next word does not start with a
///   lower-case letter. A `.` does not end a sentence after a known abbreviation ("e.g.", "i.e.",
///   "Dr.", "vs.", "cf.", "Fig.", …), after a single capital initial ("J. Smith"), or inside a
///   number ("3.14", "v1.2"); "et al." and "etc." end one only when a capitalised word follows;
///   an ellipsis ends one only when a capitalised word or the end of the paragraph follows.
public enum Sentences {
    /// Splits `text` into sentences, numbered from 1 in text order. Empty or blank text gives [].
    public static func split(_ text: String) -> [SentenceSpan] {
        let bytes = Array(text.utf8)
        let raw = rawSpans(bytes)
        if raw.isEmpty { return [] }
        // Map byte offsets to lines and character offsets in one forward pass.
        var out: [SentenceSpan] = []
        out.reserveCapacity(raw.count)
        var line = 1
        var chars = 0
        var pos = 0
        let utf8 = text.utf8
        var charIndex = text.startIndex
        func advance(to target: Int) {
            // Move `pos` (bytes) to `target`, counting lines and characters.
            while pos < target {
                if bytes[pos] == 0x0A { line += 1 }
                pos += 1
            }
            let idx = utf8.index(utf8.startIndex, offsetBy: target)
            if let aligned = idx.samePosition(in: text) {
                chars += text.distance(from: charIndex, to: aligned)
                charIndex = aligned
            }
        }
        for (i, r) in raw.enumerated() {
            advance(to: r.lowerBound)
            let startLine = line
            let startChar = chars
            // Lines inside the sentence: count newlines without moving the shared cursor.
            var endLine = line
            var k = r.lowerBound
            while k < r.upperBound { if bytes[k] == 0x0A { endLine += 1 }; k += 1 }
            advance(to: r.upperBound)
            let s = String(decoding: bytes[r], as: UTF8.self)
            out.append(SentenceSpan(number: i + 1, range: r, characterRange: startChar..<chars,
                                    startLine: startLine, endLine: endLine, text: s))
        }
        return out
    }

    /// The 1-based line number of every byte offset is `lineStarts` + binary search; this returns
    /// the byte offset where each line starts (line 1 starts at 0).
    public static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        return starts
    }

    /// The 1-based line holding byte `offset`, given `lineStarts`.
    public static func line(ofByte offset: Int, lineStarts: [Int]) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// The sentence holding byte `offset` (or the nearest one before it), by binary search over
    /// spans sorted by position; nil when `offset` precedes the first sentence.
    public static func sentence(atByte offset: Int, in spans: [SentenceSpan]) -> SentenceSpan? {
        var lo = 0, hi = spans.count - 1
        var found: Int? = nil
        while lo <= hi {
            let mid = (lo + hi) / 2
            if spans[mid].range.lowerBound <= offset { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found.map { spans[$0] }
    }

    // MARK: - Implementation

    /// Abbreviations whose period never ends a sentence (lower-cased, without the final period).
    static let abbreviations: Set<String> = [
        "e.g", "i.e", "cf", "vs", "viz", "dr", "mr", "mrs", "ms", "prof", "st", "sr", "jr", "fig", "figs",
        "no", "nos", "eq", "eqs", "sec", "secs", "ch", "chap", "vol", "vols", "pp", "p", "ed", "eds",
        "approx", "ca", "resp", "inc", "ltd", "co", "corp", "dept", "univ", "est", "gen", "gov", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.k.a",
        "ph.d", "b.sc", "m.sc", "mt", "rev", "op", "cit", "ibid", "al.,", "e.g.,", "i.e.,", "min", "max",
        "ref", "refs", "tab", "app", "def", "thm", "lem", "prop", "cor",
    ]
    /// Abbreviations that end a sentence only when a capitalised word follows.
    static let softAbbreviations: Set<String> = ["al", "etc"]

    private enum LineKind { case blank, heading, listItem, quoteStart, tableRow, fence, code, text }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A || b == 0x0C || b == 0x0B }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    private static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }

    /// Sentence byte ranges, trimmed, in order.
    static func rawSpans(_ bytes: [UInt8]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        // Split into lines [start, end) without the newline (and without a trailing CR).
        var lines: [(start: Int, end: Int)] = []
        var s = 0
        let n = bytes.count
        var i = 0
        while i <= n {
            if i == n || bytes[i] == 0x0A {
                var e = i
                if e > s && bytes[e - 1] == 0x0D { e -= 1 }
                if !(i == n && s == n && !lines.isEmpty) || n == 0 { lines.append((s, e)) }
                s = i + 1
            }
            i += 1
        }
        var inFence = false
        var fenceMarker: UInt8 = 0
        var para: [(start: Int, end: Int)] = []  // lines of the current prose block
        func flushPara() {
            if !para.isEmpty { splitProse(bytes, para, into: &spans) }
            para.removeAll(keepingCapacity: true)
        }
        for ln in lines {
            let kind = classify(bytes, ln.start, ln.end, inFence: inFence, fenceMarker: fenceMarker)
            switch kind {
            case .fence:
                flushPara()
                if inFence { inFence = false } else {
                    inFence = true
                    fenceMarker = bytes[firstNonSpace(bytes, ln.start, ln.end)]
                }
            case .code:
                flushPara()
                if let t = trim(bytes, ln.start, ln.end) { spans.append(t) }
            case .blank:
                flushPara()
            case .heading, .tableRow:
                flushPara()
                if let t = trim(bytes, ln.start, ln.end) { spans.append(t) }
            case .listItem, .quoteStart:
                flushPara()
                para.append(ln)
            case .text:
                // A list item continues only on indented lines; a short title-like line (no
                // closing punctuation, capitalised) ends before a line that starts a new sentence.
                if let first = para.first {
                    let firstKind = classify(bytes, first.start, first.end, inFence: false, fenceMarker: 0)
                    let indented = ln.end > ln.start && (bytes[ln.start] == 0x20 || bytes[ln.start] == 0x09)
                    let limit = first.start == 0 ? 100 : 60  // the first line of a text is often its title
                    if (firstKind == .listItem && !indented)
                        || (para.count == 1 && isTitleLine(bytes, first, limit: limit) && startsSentence(bytes, ln)) {
                        flushPara()
                    }
                }
                para.append(ln)
            }
        }
        flushPara()
        return spans
    }

    /// A line such as "Key Finding" or "Methodology": at most `limit` bytes, starts with a capital,
    /// does not end with sentence or clause punctuation.
    private static func isTitleLine(_ b: [UInt8], _ ln: (start: Int, end: Int), limit: Int) -> Bool {
        guard let t = trim(b, ln.start, ln.end), t.count <= limit, isUpper(b[t.lowerBound]) || isDigit(b[t.lowerBound]) else { return false }
        let last = b[t.upperBound - 1]
        return !(last == 0x2E || last == 0x2C || last == 0x3B || last == 0x3A || last == 0x21 || last == 0x3F || last == 0x2D)
    }

    /// The line starts with a capital letter (or a digit, or a non-ASCII letter).
    private static func startsSentence(_ b: [UInt8], _ ln: (start: Int, end: Int)) -> Bool {
        let i = firstNonSpace(b, ln.start, ln.end)
        guard i < ln.end else { return false }
        return isUpper(b[i]) || isDigit(b[i]) || b[i] >= 0xC0
    }

    private static func firstNonSpace(_ b: [UInt8], _ s: Int, _ e: Int) -> Int {
        var i = s
        while i < e && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        return i
    }

    private static func trim(_ b: [UInt8], _ s: Int, _ e: Int) -> Range<Int>? {
        var lo = s, hi = e
        while lo < hi && isSpace(b[lo]) { lo += 1 }
        while hi > lo && isSpace(b[hi - 1]) { hi -= 1 }
        return lo < hi ? lo..<hi : nil
    }

    private static func classify(_ b: [UInt8], _ s: Int, _ e: Int, inFence: Bool, fenceMarker: UInt8) -> LineKind {
        let i = firstNonSpace(b, s, e)
        if i >= e { return inFence ? .code : .blank }
        let c = b[i]
        // Fences: ``` or ~~~ (three or more).
        if (c == 0x60 || c == 0x7E) && i + 2 < e && b[i + 1] == c && b[i + 2] == c {
            if !inFence || c == fenceMarker { return .fence }
        }
        if inFence { return .code }
        let indent = i - s
        if c == 0x23 && indent < 4 {  // '#'
            var j = i
            while j < e && b[j] == 0x23 { j += 1 }
            if j - i <= 6 && (j == e || b[j] == 0x20 || b[j] == 0x09) { return .heading }
        }
        if (c == 0x2D || c == 0x2A || c == 0x2B) && i + 1 < e && (b[i + 1] == 0x20 || b[i + 1] == 0x09) {
            return .listItem
        }
        if isDigit(c) {
            var j = i
            while j < e && isDigit(b[j]) && j - i < 9 { j += 1 }
            if j < e && (b[j] == 0x2E || b[j] == 0x29) && (j + 1 == e || b[j + 1] == 0x20 || b[j + 1] == 0x09) {
                return .listItem
            }
        }
        if c == 0x3E { return .quoteStart }  // '>'
        if c == 0x7C { return .tableRow }  // '|'
        return .text
    }

    /// Splits the lines of one prose block at sentence ends.
    private static func splitProse(_ b: [UInt8], _ lines: [(start: Int, end: Int)], into spans: inout [Range<Int>]) {
        let blockStart = lines[0].start
        let blockEnd = lines[lines.count - 1].end
        var sentStart = blockStart
        var i = blockStart
        func emit(_ end: Int) {
            if let t = trim(b, sentStart, end) { spans.append(t) }
            sentStart = end
        }
        while i < blockEnd {
            let c = b[i]
            var termEnd = -1  // byte after the terminator (and closers)
            var isEllipsis = false
            var isPeriod = false
            if c == 0x21 || c == 0x3F {  // ! ?
                var j = i + 1
                while j < blockEnd && (b[j] == 0x21 || b[j] == 0x3F) { j += 1 }
                termEnd = j
            } else if c == 0x2E {  // .
                var j = i + 1
                while j < blockEnd && b[j] == 0x2E { j += 1 }
                isEllipsis = j - i >= 3
                isPeriod = j - i == 1
                termEnd = j
            } else if c == 0xE2 && i + 2 < blockEnd && b[i + 1] == 0x80 && b[i + 2] == 0xA6 {  // …
                termEnd = i + 3
                isEllipsis = true
            }
            if termEnd < 0 { i += 1; continue }
            // Closing quotes and brackets after the terminator.
            var j = termEnd
            while j < blockEnd {
                if b[j] == 0x22 || b[j] == 0x27 || b[j] == 0x29 || b[j] == 0x5D || b[j] == 0x2A || b[j] == 0x5F {
                    j += 1
                } else if b[j] == 0xE2 && j + 2 < blockEnd && b[j + 1] == 0x80 && (b[j + 2] == 0x99 || b[j + 2] == 0x9D) {
                    j += 3  // ’ ”
                } else { break }
            }
            let afterClosers = j
            // Must be followed by white space or the end of the block.
            if afterClosers < blockEnd && !isSpace(b[afterClosers]) { i = max(termEnd, i + 1); continue }
            // Next word.
            var k = afterClosers
            while k < blockEnd && isSpace(b[k]) { k += 1 }
            let atEnd = k >= blockEnd
            var nextLower = false, nextUpper = false, nextDigit = false
            if !atEnd {
                var m = k
                // Skip opening quotes/brackets/emphasis before the word.
                while m < blockEnd && (b[m] == 0x22 || b[m] == 0x27 || b[m] == 0x28 || b[m] == 0x5B || b[m] == 0x2A || b[m] == 0x5F) { m += 1 }
                if m + 2 < blockEnd && b[m] == 0xE2 && b[m + 1] == 0x80 && (b[m + 2] == 0x98 || b[m + 2] == 0x9C) { m += 3 }
                if m < blockEnd {
                    nextLower = isLower(b[m])
                    nextUpper = isUpper(b[m]) || b[m] >= 0xC0  // non-ASCII letters: assume a new sentence may start
                    nextDigit = isDigit(b[m])
                }
            }
            var ends = true
            if !atEnd && nextLower { ends = false }
            if ends && isEllipsis && !atEnd && !nextUpper { ends = false }
            if ends && isPeriod && !atEnd {
                // The word before the period.
                var w = i
                while w > blockStart && !isSpace(b[w - 1]) && b[w - 1] != 0x28 && b[w - 1] != 0x22 { w -= 1 }
                var word = ""
                word.unicodeScalars.reserveCapacity(i - w)
                for x in b[w..<i] {
                    let y = isUpper(x) ? x + 0x20 : x
                    word.unicodeScalars.append(Unicode.Scalar(y))
                }
                if abbreviations.contains(word) {
                    ends = false
                } else if softAbbreviations.contains(word) {
                    ends = nextUpper
                } else if i - w == 1 && isUpper(b[w]) {
                    ends = false  // an initial: "J. Smith"
                } else if i - w >= 3 && i - w <= 5 && word.contains(".") && !word.hasSuffix(".") && word.utf8.allSatisfy({ $0 == 0x2E || isLower($0) }) {
                    ends = false  // short dotted abbreviations: "a.m.", "p.m."
                }
                if !ends && nextDigit { ends = false }
            }
            if ends {
                emit(afterClosers)
                i = afterClosers
            } else {
                i = max(termEnd, i + 1)
            }
        }
        emit(blockEnd)
    }
}
