import Foundation
import KGCore

/// Why a reading cannot be linked. Each case names the file (and the place in it, where there is one).
public enum ReadingInputError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case binary(path: String, offset: Int)
    case notUTF8(path: String, line: Int, column: Int)
    case tooLarge(path: String, bytes: Int, limit: Int)
    case noReadings(path: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "\(p): error: cannot read the file: \(r)"
        case .empty(let p): return "\(p): error: the file is empty (nothing to link)"
        case .binary(let p, let o): return "\(p): error: this looks like a binary file (NUL byte at offset \(o)); kg link reads UTF-8 plain text or Markdown"
        case .notUTF8(let p, let l, let c): return "\(p):\(l):\(c): error: the file is not valid UTF-8 here; convert it to UTF-8 first (e.g. iconv -t UTF-8)"
        case .tooLarge(let p, let b, let l): return "\(p): error: the file has \(b) bytes, more than the limit of \(l) bytes (raise it with --max-bytes)"
        case .noReadings(let p): return "\(p): error: the folder holds no .txt, .md or .markdown file"
        }
    }
}

/// A reading loaded for linking: its bytes, the text, and the bytes the matcher scans (Markdown
/// syntax blanked out, same length, so offsets, lines and columns stay those of the file).
public struct ReadingSource {
    public var path: String
    public var bytes: [UInt8]
    public var text: String
    public var isMarkdown: Bool
    /// `bytes` with Markdown syntax (and URLs) replaced by spaces; line breaks kept.
    public var scan: [UInt8]

    public static let defaultMaxBytes = 64 << 20
    public static let extensions: Set<String> = ["txt", "text", "md", "markdown", "mdown"]

    public init(path: String, bytes: [UInt8], markdown: Bool? = nil, maxBytes: Int = defaultMaxBytes) throws {
        if bytes.count > maxBytes { throw ReadingInputError.tooLarge(path: path, bytes: bytes.count, limit: maxBytes) }
        if let z = bytes.firstIndex(of: 0) { throw ReadingInputError.binary(path: path, offset: z) }
        if let bad = Self.firstInvalidUTF8(bytes) {
            let (l, c) = Self.lineColumn(bytes, bad)
            throw ReadingInputError.notUTF8(path: path, line: l, column: c)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw ReadingInputError.empty(path: path) }
        self.path = path
        self.bytes = bytes
        self.text = String(decoding: bytes, as: UTF8.self)
        let ext = (path as NSString).pathExtension.lowercased()
        self.isMarkdown = markdown ?? (ext == "md" || ext == "markdown" || ext == "mdown")
        self.scan = MarkdownMask.mask(bytes, markdown: isMarkdown)
    }

    /// Reads a file; errors name the path.
    public static func load(path: String, maxBytes: Int = defaultMaxBytes) throws -> ReadingSource {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ReadingInputError.unreadable(path: path, reason: "no such file")
        }
        if isDir.boolValue { throw ReadingInputError.unreadable(path: path, reason: "is a folder") }
        if let attrs = try? FileManager.default.attributesOfItem(atPath: path),
           let size = (attrs[.size] as? NSNumber)?.intValue, size > maxBytes {
            throw ReadingInputError.tooLarge(path: path, bytes: size, limit: maxBytes)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadingInputError.unreadable(path: path, reason: "permission denied or not a regular file")
        }
        return try ReadingSource(path: path, bytes: [UInt8](data), maxBytes: maxBytes)
    }

    /// Expands folders into their .txt/.md files (recursively, sorted); files are kept as given.
    public static func expand(paths: [String]) throws -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                throw ReadingInputError.unreadable(path: p, reason: "no such file or folder")
            }
            if !isDir.boolValue { out.append(p); continue }
            var found: [String] = []
            if let e = FileManager.default.enumerator(atPath: p) {
                for case let rel as String in e {
                    let ext = (rel as NSString).pathExtension.lowercased()
                    if extensions.contains(ext) && !(rel as NSString).lastPathComponent.hasPrefix(".") {
                        found.append((p as NSString).appendingPathComponent(rel))
                    }
                }
            }
            if found.isEmpty { throw ReadingInputError.noReadings(path: p) }
            out.append(contentsOf: found.sorted())
        }
        return out
    }

    /// Offset of the first byte that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ b: [UInt8]) -> Int? { UTF8Validation.firstInvalid(b) }

    /// 1-based line and column (in characters) of a byte offset.
    public static func lineColumn(_ b: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1, col = 1
        var i = 0
        while i < offset && i < b.count {
            if b[i] == 0x0A { line += 1; col = 1 } else if b[i] & 0xC0 != 0x80 { col += 1 }
            i += 1
        }
        return (line, col)
    }
}

/// Blanks out what is markup rather than words, keeping every offset and line break.
public enum MarkdownMask {
    public static func mask(_ src: [UInt8], markdown: Bool) -> [UInt8] {
        var b = src
        let n = b.count
        func blank(_ s: Int, _ e: Int) { var k = s; while k < e && k < n { if b[k] != 0x0A { b[k] = 0x20 }; k += 1 } }
        // URLs in any text.
        var i = 0
        while i + 7 < n {
            if b[i] == 0x68 && (startsWith(b, i, "http://") || startsWith(b, i, "https://")) && (i == 0 || !Tokenizer.isASCIIWord(b[i - 1])) {
                var e = i
                while e < n && b[e] > 0x20 && b[e] != 0x29 && b[e] != 0x3E && b[e] != 0x5D { e += 1 }
                while e > i && (b[e - 1] == 0x2E || b[e - 1] == 0x2C) { e -= 1 }
                blank(i, e)
                i = e
            } else { i += 1 }
        }
        guard markdown else { return b }
        // Block level, line by line.
        var lineStart = 0
        var inFence = false
        var fenceChar: UInt8 = 0
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n && b[lineEnd] != 0x0A { lineEnd += 1 }
            var p = lineStart
            while p < lineEnd && (b[p] == 0x20 || b[p] == 0x09) { p += 1 }
            let isFence = p + 2 < lineEnd && (b[p] == 0x60 || b[p] == 0x7E) && b[p + 1] == b[p] && b[p + 2] == b[p]
            if inFence {
                let closes = isFence && b[p] == fenceChar
                blank(lineStart, lineEnd)
                if closes { inFence = false }
            } else if isFence {
                inFence = true
                fenceChar = b[p]
                blank(lineStart, lineEnd)
            } else {
                // block quote markers
                while p < lineEnd && b[p] == 0x3E { b[p] = 0x20; p += 1; while p < lineEnd && b[p] == 0x20 { p += 1 } }
                if p < lineEnd && b[p] == 0x23 {  // heading
                    var q = p
                    while q < lineEnd && b[q] == 0x23 { q += 1 }
                    if q == lineEnd || b[q] == 0x20 {
                        blank(p, q)
                        var e = lineEnd
                        while e > q && (b[e - 1] == 0x20 || b[e - 1] == 0x23 || b[e - 1] == 0x0D) { e -= 1 }
                        blank(e, lineEnd)
                    }
                } else if p + 1 < lineEnd && (b[p] == 0x2D || b[p] == 0x2A || b[p] == 0x2B) && b[p + 1] == 0x20 {
                    b[p] = 0x20  // list marker
                    if p + 5 < lineEnd && b[p + 2] == 0x5B && b[p + 4] == 0x5D { blank(p + 2, p + 5) }  // [ ] / [x]
                } else if p < lineEnd && b[p] >= 0x30 && b[p] <= 0x39 {
                    var q = p
                    while q < lineEnd && b[q] >= 0x30 && b[q] <= 0x39 { q += 1 }
                    if q < lineEnd && (b[q] == 0x2E || b[q] == 0x29) && (q + 1 == lineEnd || b[q + 1] == 0x20) { blank(p, q + 1) }
                } else if p < lineEnd && b[p] == 0x5B {
                    // link reference definition: [id]: url
                    var q = p + 1
                    while q < lineEnd && b[q] != 0x5D { q += 1 }
                    if q + 1 < lineEnd && b[q + 1] == 0x3A { blank(p, lineEnd) }
                }
                // thematic break
                var onlyRule = true, ruleCount = 0
                for k in p..<lineEnd {
                    if b[k] == 0x2D || b[k] == 0x2A || b[k] == 0x5F || b[k] == 0x3D { ruleCount += 1 }
                    else if b[k] != 0x20 && b[k] != 0x0D { onlyRule = false; break }
                }
                if onlyRule && ruleCount >= 3 { blank(lineStart, lineEnd) }
                maskInline(&b, p, lineEnd)
            }
            lineStart = lineEnd + 1
        }
        return b
    }

    private static func startsWith(_ b: [UInt8], _ i: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where b[i + k] != p[k] { return false }
        return true
    }

    /// Inline markup in one line: emphasis, code ticks, links, images, HTML tags.
    static func maskInline(_ b: inout [UInt8], _ s: Int, _ e: Int) {
        var i = s
        while i < e {
            let c = b[i]
            switch c {
            case 0x2A, 0x7E, 0x60:  // * ~ `
                b[i] = 0x20
                i += 1
            case 0x5F:  // _ at a word edge is emphasis; inside a word it stays (read as a separator anyway)
                let before = i > s && Tokenizer.isASCIIWord(b[i - 1])
                let after = i + 1 < e && Tokenizer.isASCIIWord(b[i + 1])
                if !(before && after) { b[i] = 0x20 }
                i += 1
            case 0x21 where i + 1 < e && b[i + 1] == 0x5B:  // ![
                b[i] = 0x20
                i += 1
            case 0x5B:  // [text](url) or [text][ref]
                var q = i + 1
                var depth = 1
                while q < e && depth > 0 { if b[q] == 0x5B { depth += 1 } else if b[q] == 0x5D { depth -= 1 }; if depth > 0 { q += 1 } }
                if q < e && q + 1 < e && (b[q + 1] == 0x28 || b[q + 1] == 0x5B) {
                    let close: UInt8 = b[q + 1] == 0x28 ? 0x29 : 0x5D
                    var r = q + 2
                    while r < e && b[r] != close { r += 1 }
                    if r < e {
                        b[i] = 0x20
                        for k in q...r { b[k] = 0x20 }
                        i += 1
                        continue
                    }
                }
                i += 1
            case 0x3C:  // <tag ...>, </tag>, <!-- -->, <http://...>
                if i + 1 < e, b[i + 1] == 0x2F || b[i + 1] == 0x21 || (b[i + 1] | 0x20) >= 0x61 && (b[i + 1] | 0x20) <= 0x7A {
                    var q = i + 1
                    while q < e && b[q] != 0x3E && b[q] != 0x3C { q += 1 }
                    if q < e && b[q] == 0x3E {
                        for k in i...q { b[k] = 0x20 }
                        i = q + 1
                        continue
                    }
                }
                i += 1
            default:
                i += 1
            }
        }
    }
}
