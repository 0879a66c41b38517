/// Text widths from an advance-width table (see SansWidths.swift for the source of the numbers) and
/// greedy word wrapping. Used to size node boxes and labels so that the text fits in every renderer.
public struct TextMetrics: Sendable {
    public var fontSize: Double
    public var bold: Bool
    /// Line height as a multiple of the font size.
    public var lineHeight: Double
    /// Beyond Latin Extended-A (U+017F), never less than the per-script estimate: boxes sized this way
    /// also fit the text for a checker or renderer that knows only the estimate (slides use it).
    public var conservative: Bool

    public init(fontSize: Double = 14, bold: Bool = false, lineHeight: Double = 1.25, conservative: Bool = false) {
        self.fontSize = fontSize; self.bold = bold; self.lineHeight = lineHeight; self.conservative = conservative
    }

    /// Advance of one Unicode scalar in ems.
    public func advance(_ s: Unicode.Scalar) -> Double {
        let v = s.value
        if v >= SansWidths.first && v < SansWidths.first + UInt32(SansWidths.regular.count) {
            let w = (bold ? SansWidths.bold : SansWidths.regular)[Int(v - SansWidths.first)]
            if w > 0 {
                if conservative && v > 0x17F && !(0x300...0x36F).contains(v) { return max(Double(w) / 1000, bold ? 0.78 : 0.72) }
                return Double(w) / 1000
            }
            if (0x300...0x36F).contains(v) { return 0 }
        }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if v == 0x200B || (0xFE00...0xFE0F).contains(v) { return 0 }
        if Self.isWide(v) { return 1.0 }
        if s.properties.isEmojiPresentation { return 1.25 }
        // Scripts without a table entry (Arabic, Hebrew, Indic, …): a generous average advance.
        return bold ? 0.78 : 0.72
    }

    /// East Asian wide and fullwidth ranges (CJK, Hangul, kana, fullwidth forms).
    static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// Width of a single line of text in drawing units.
    public func width(_ text: String) -> Double {
        var ems = 0.0
        for s in text.unicodeScalars { ems += advance(s) }
        return ems * fontSize
    }

    /// Height of `lines` lines of text.
    public func height(lines: Int) -> Double { Double(max(lines, 1)) * fontSize * lineHeight }

    /// Wraps `text` into lines no wider than `maxWidth`: lines break between words, or after a hyphen
    /// inside a word ("Distribution-" / "bound"); a piece wider than the limit, or a run of text without
    /// spaces such as CJK, is broken between characters. Whitespace runs (including newlines and tabs)
    /// collapse to single spaces.
    public func wrap(_ text: String, maxWidth: Double) -> [String] {
        // Pieces: words, split after inner hyphens; `spaced` says whether a space precedes the piece.
        var pieces: [(String, Bool)] = []
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            var cur = ""
            var first = true
            for ch in word {
                cur.append(ch)
                if ch == "-" && cur.count > 1 { pieces.append((cur, first)); first = false; cur = "" }
            }
            if !cur.isEmpty { pieces.append((cur, first)) }
        }
        if pieces.isEmpty { return [""] }
        var lines: [String] = []
        var current = ""
        let space = width(" ")
        var currentWidth = 0.0
        for (piece, spaced) in pieces {
            let w = width(piece)
            let sep = spaced ? space : 0
            if current.isEmpty {
                if w <= maxWidth { current = piece; currentWidth = w; continue }
            } else if currentWidth + sep + w <= maxWidth {
                current += (spaced ? " " : "") + piece; currentWidth += sep + w; continue
            } else {
                lines.append(current); current = ""; currentWidth = 0
                if w <= maxWidth { current = piece; currentWidth = w; continue }
            }
            // The piece alone is too wide: break it between characters (grapheme clusters).
            for ch in piece {
                let cw = width(String(ch))
                if !current.isEmpty && currentWidth + cw > maxWidth {
                    lines.append(current); current = ""; currentWidth = 0
                }
                current.append(ch); currentWidth += cw
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Width of the widest piece `wrap` would keep whole (a word, or a part of it up to a hyphen).
    public func widestPiece(_ text: String) -> Double {
        var best = 0.0
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            var cur = ""
            for ch in word {
                cur.append(ch)
                if ch == "-" && cur.count > 1 { best = max(best, width(cur)); cur = "" }
            }
            best = max(best, width(cur))
        }
        return best
    }
}
