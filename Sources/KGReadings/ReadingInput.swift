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
    /// A symbolic link: never followed (name the file it points to instead).
    case symlink(path: String, target: String)
    /// A device, FIFO or socket.
    case notRegular(path: String, what: String)
    /// An HTML page or PDF without text.
    case noText(path: String, why: String)
    /// A PDF, but `pdftotext` is not installed.
    case needsPDFTool(path: String)
    case converterFailed(path: String, message: String)
    case timeLimit(path: String, seconds: Double)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "\(p): error: cannot read the file: \(r)"
        case .empty(let p): return "\(p): error: the file is empty (nothing to link)"
        case .binary(let p, let o): return "\(p): error: this looks like a binary file (NUL byte at offset \(o)); kg link reads UTF-8 plain text, Markdown, HTML or PDF"
        case .notUTF8(let p, let l, let c): return "\(p):\(l):\(c): error: the file is not valid UTF-8 here; convert it to UTF-8 first (e.g. iconv -t UTF-8)"
        case .tooLarge(let p, let b, let l): return "\(p): error: the file has \(b) bytes, more than the limit of \(l) bytes (raise it with --max-bytes)"
        case .noReadings(let p): return "\(p): error: the folder holds no reading (.txt, .md, .markdown, .html, .htm or .pdf file)"
        case .symlink(let p, let t): return "\(p): error: this is a symbolic link (to \(t)); kg link does not follow links: name the file itself if you mean it"
        case .notRegular(let p, let w): return "\(p): error: this is \(w), not a regular file; kg link reads regular files only"
        case .noText(let p, let w): return "\(p): error: \(w)"
        case .needsPDFTool(let p): return "\(p): error: reading a PDF needs pdftotext, which is not installed (it is in poppler-utils: apt-get install poppler-utils, brew install poppler); or convert the PDF to text yourself"
        case .converterFailed(let p, let m): return "\(p): error: pdftotext could not read it: \(m)"
        case .timeLimit(let p, let s): return "\(p): error: reading it took longer than the time limit of \(Self.seconds(s)) (raise it with --timeout, 0 for none)"
        }
    }

    static func seconds(_ s: Double) -> String {
        if s == s.rounded() && s < 1e15 { return "\(Int(s)) s" }
        var t = String(format: "%.3f", s)
        while t.hasSuffix("0") { t.removeLast() }
        return t + " s"
    }
}

/// The kind of file a reading came from.
public enum ReadingFormat: String, Sendable {
    case text, markdown, html, pdf

    /// By file name extension; nil for an extension kg link does not read.
    public init?(extension ext: String) {
        switch ext.lowercased() {
        case "txt", "text": self = .text
        case "md", "markdown", "mdown": self = .markdown
        case "html", "htm", "xhtml": self = .html
        case "pdf": self = .pdf
        default: return nil
        }
    }
}

/// A reading loaded for linking: the text that is linked and stored (for HTML, its main text as
/// Markdown; for PDF, its text), and the bytes the matcher scans (Markdown syntax blanked out,
/// same length, so offsets, lines and columns stay those of the stored text).
public struct ReadingSource {
    public var path: String
    /// The text, UTF-8.
    public var bytes: [UInt8]
    public var text: String
    public var isMarkdown: Bool
    /// `bytes` with Markdown syntax (and URLs) replaced by spaces; line breaks kept.
    public var scan: [UInt8]
    /// What the file was.
    public var format: ReadingFormat = .text
    /// A title found in the file (an HTML page's `<title>`).
    public var documentTitle: String? = nil

    public static let defaultMaxBytes = 64 << 20
    public static let extensions: Set<String> = ["txt", "text", "md", "markdown", "mdown", "html", "htm", "xhtml", "pdf"]

    /// The extension of the stored text: `md` for Markdown (and HTML, kept as Markdown), else `txt`.
    public var storedExtension: String { isMarkdown ? "md" : "txt" }

    /// A reading from text bytes (plain text or Markdown).
    public init(path: String, bytes: [UInt8], markdown: Bool? = nil, maxBytes: Int = defaultMaxBytes) throws {
        if bytes.count > maxBytes { throw ReadingInputError.tooLarge(path: path, bytes: bytes.count, limit: maxBytes) }
        if let z = bytes.firstIndex(of: 0) { throw ReadingInputError.binary(path: path, offset: z) }
        if let bad = Self.firstInvalidUTF8(bytes) {
            let (l, c) = Self.lineColumn(bytes, bad)
            throw ReadingInputError.notUTF8(path: path, line: l, column: c)
        }
        if Self.isBlank(bytes) { throw ReadingInputError.empty(path: path) }
        self.path = path
        self.bytes = bytes
        self.text = String(decoding: bytes, as: UTF8.self)
        let ext = (path as NSString).pathExtension.lowercased()
        self.isMarkdown = markdown ?? (ext == "md" || ext == "markdown" || ext == "mdown")
        self.format = isMarkdown ? .markdown : .text
        self.scan = MarkdownMask.mask(bytes, markdown: isMarkdown)
    }

    /// True when the text holds nothing but white space (any Unicode space, a byte order mark,
    /// zero-width spaces).
    public static func isBlank(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0B || b == 0x0C { i += 1; continue }
            if b < 0x80 { return false }
            // decode one scalar
            var v: UInt32 = 0, len = 1
            if b & 0xE0 == 0xC0, i + 1 < n { v = (UInt32(b & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F); len = 2 }
            else if b & 0xF0 == 0xE0, i + 2 < n { v = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F); len = 3 }
            else if b & 0xF8 == 0xF0, i + 3 < n { v = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12) | (UInt32(bytes[i + 2] & 0x3F) << 6) | UInt32(bytes[i + 3] & 0x3F); len = 4 }
            else { return false }
            let spaces: Set<UInt32> = [0x85, 0xA0, 0x1680, 0x180E, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060]
            if !(spaces.contains(v) || (v >= 0x2000 && v <= 0x200A)) { return false }
            i += len
        }
        return true
    }

    /// Reads a reading file safely: a regular file only (a symbolic link, device, FIFO or socket
    /// is refused, and opening never blocks or follows a link), at most `maxBytes` bytes; HTML
    /// and PDF are turned into text. Errors name the path.
    public static func load(path: String, maxBytes: Int = defaultMaxBytes, timeout: Double = 0) throws -> ReadingSource {
        let raw = try readRegularFile(path: path, maxBytes: maxBytes)
        let ext = (path as NSString).pathExtension.lowercased()
        var format = ReadingFormat(extension: ext) ?? .text
        // What the bytes say wins over a wrong extension.
        if raw.starts(with: Array("%PDF-".utf8)) { format = .pdf }
        else if format == .text && looksLikeHTML(raw) { format = .html }
        switch format {
        case .text, .markdown:
            return try ReadingSource(path: path, bytes: raw, markdown: format == .markdown, maxBytes: maxBytes)
        case .html:
            if let z = raw.firstIndex(of: 0) { throw ReadingInputError.binary(path: path, offset: z) }
            let r = HTMLText.convert(raw, url: (path as NSString).lastPathComponent)
            let bytes = Array(r.markdown.utf8)
            if isBlank(bytes) {
                throw ReadingInputError.noText(path: path, why: "the HTML page has no main text (only scripts, styles, navigation or nothing at all)")
            }
            var s = try ReadingSource(path: path, bytes: bytes, markdown: true, maxBytes: maxBytes)
            s.format = .html
            s.documentTitle = r.title
            return s
        case .pdf:
            let text: String
            do {
                text = try PDFText.extract(path: path, timeout: timeout, maxBytes: maxBytes)
            } catch let f as PDFText.Failure {
                switch f {
                case .missingTool: throw ReadingInputError.needsPDFTool(path: path)
                case .failed(let m): throw ReadingInputError.converterFailed(path: path, message: m)
                case .timedOut(let t): throw ReadingInputError.timeLimit(path: path, seconds: t)
                case .tooLarge(let l): throw ReadingInputError.tooLarge(path: path, bytes: l + 1, limit: l)
                }
            }
            let bytes = Array(text.utf8)
            if isBlank(bytes) {
                throw ReadingInputError.noText(path: path, why: "the PDF has no text layer (a scanned document?); run OCR on it first, e.g. with ocrmypdf")
            }
            var s = try ReadingSource(path: path, bytes: bytes, markdown: false, maxBytes: maxBytes)
            s.format = .pdf
            return s
        }
    }

    /// The start of an HTML document: `<!DOCTYPE html`, `<html`, or a `<head>`/`<body>` tag near the top.
    static func looksLikeHTML(_ b: [UInt8]) -> Bool {
        var i = 0
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < b.count && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
        let head = String(decoding: b[i..<min(b.count, i + 512)], as: UTF8.self).lowercased()
        return head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || (head.hasPrefix("<") && (head.contains("<head") || head.contains("<body")))
    }

    /// The bytes of a regular file, opened without following a symbolic link and without
    /// blocking (a FIFO or device is refused before anything is read).
    public static func readRegularFile(path: String, maxBytes: Int) throws -> [UInt8] {
        var st = stat()
        if lstat(path, &st) != 0 {
            throw ReadingInputError.unreadable(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        let fmt = st.st_mode & S_IFMT
        if fmt == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw ReadingInputError.symlink(path: path, target: target)
        }
        if fmt == S_IFDIR { throw ReadingInputError.unreadable(path: path, reason: "is a folder") }
        if fmt != S_IFREG { throw ReadingInputError.notRegular(path: path, what: describe(fmt)) }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd < 0 {
            if errno == ELOOP { throw ReadingInputError.symlink(path: path, target: (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?") }
            throw ReadingInputError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        // The file opened must still be the regular file checked above.
        var fst = stat()
        guard fstat(fd, &fst) == 0 else { throw ReadingInputError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        if fst.st_mode & S_IFMT != S_IFREG { throw ReadingInputError.notRegular(path: path, what: describe(fst.st_mode & S_IFMT)) }
        if Int(fst.st_size) > maxBytes { throw ReadingInputError.tooLarge(path: path, bytes: Int(fst.st_size), limit: maxBytes) }
        var out = [UInt8](repeating: 0, count: Int(fst.st_size))
        var got = 0
        while true {
            if got == out.count {
                if out.count > maxBytes { throw ReadingInputError.tooLarge(path: path, bytes: out.count, limit: maxBytes) }
                out.append(contentsOf: [UInt8](repeating: 0, count: max(4096, out.count / 2)))
            }
            let n = out.withUnsafeMutableBytes { p in read(fd, p.baseAddress! + got, p.count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadingInputError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            got += n
        }
        out.removeLast(out.count - got)
        if out.count > maxBytes { throw ReadingInputError.tooLarge(path: path, bytes: out.count, limit: maxBytes) }
        return out
    }

    static func describe(_ fmt: mode_t) -> String {
        switch fmt {
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// Expands folders into the readings they hold (recursively, sorted; hidden files, symbolic
    /// links and special files skipped, so nothing outside the folder is reached); files named
    /// here are kept as given. `skipped` receives a note for each file left out.
    public static func expand(paths: [String], skipped: ((String) -> Void)? = nil) throws -> [String] {
        var out: [String] = []
        for p in paths {
            var st = stat()
            guard lstat(p, &st) == 0 else { throw ReadingInputError.unreadable(path: p, reason: "no such file or folder") }
            if st.st_mode & S_IFMT != S_IFDIR { out.append(p); continue }
            var found: [String] = []
            var stack = [p]
            while let dir = stack.popLast() {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                    throw ReadingInputError.unreadable(path: dir, reason: "cannot list the folder")
                }
                for name in names.sorted() where !name.hasPrefix(".") {
                    let full = (dir as NSString).appendingPathComponent(name)
                    var s = stat()
                    guard lstat(full, &s) == 0 else { continue }
                    switch s.st_mode & S_IFMT {
                    case S_IFDIR: stack.append(full)
                    case S_IFREG:
                        if extensions.contains((name as NSString).pathExtension.lowercased()) { found.append(full) }
                    case S_IFLNK:
                        if extensions.contains((name as NSString).pathExtension.lowercased()) || true {
                            skipped?("\(full): skipped: a symbolic link (kg link does not follow links found in a folder)")
                        }
                    default:
                        skipped?("\(full): skipped: \(describe(s.st_mode & S_IFMT)), not a regular file")
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
                // Link text and targets are searched over at most 2,000 bytes each, so a line of
                // unmatched brackets costs linear time, not quadratic.
                var q = i + 1
                var depth = 1
                let qEnd = min(e, i + 2_000)
                while q < qEnd && depth > 0 { if b[q] == 0x5B { depth += 1 } else if b[q] == 0x5D { depth -= 1 }; if depth > 0 { q += 1 } }
                if q < qEnd && q + 1 < e && (b[q + 1] == 0x28 || b[q + 1] == 0x5B) {
                    let close: UInt8 = b[q + 1] == 0x28 ? 0x29 : 0x5D
                    var r = q + 2
                    let rEnd = min(e, q + 2_002)
                    while r < rEnd && b[r] != close { r += 1 }
                    if r >= rEnd { r = e }
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
