import CLibXML2
import Foundation

/// Errors raised while writing XML.
public struct XMLWriterError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// libxml2 is initialised once per process (tests and commands may create writers concurrently).
enum LibXML {
    static let initialized: Bool = {
        xmlInitParser()
        return true
    }()
    @inline(__always) static func ensureInitialized() { _ = initialized }
}

/// A small writer over libxml2's `xmlTextWriter`, to a memory buffer or a file.
///
/// Text and attribute values are made XML 1.0-safe before they reach libxml2, which otherwise
/// writes forbidden characters raw and produces a document no parser accepts: C0 controls other
/// than tab, LF and CR, and the non-characters U+FFFE and U+FFFF, are replaced by `replacement`
/// (U+FFFD by default) or dropped when `replacement` is nil. (Swift strings cannot hold lone
/// surrogates, so those never occur.) libxml2 escapes `<`, `&`, `>`, `"` and, in attributes,
/// tab/LF/CR as character references.
///
/// Usage: `let w = XMLWriter(indent: true); try w.startDocument(); try w.startElement("svg") …
/// try w.endDocument(); let text = w.string`.
public final class XMLWriter {
    private var writer: xmlTextWriterPtr?
    private var buffer: xmlBufferPtr?
    private let path: String?
    private var finished = false
    /// Replacement for characters XML 1.0 cannot hold; nil drops them.
    public var replacement: Unicode.Scalar?

    /// A writer into memory; read the result with `string` or `data` after `endDocument()`.
    public init(indent: Bool = true, indentString: String = "  ", replacement: Unicode.Scalar? = "\u{FFFD}") {
        LibXML.ensureInitialized()
        self.path = nil
        self.replacement = replacement
        buffer = xmlBufferCreate()
        writer = xmlNewTextWriterMemory(buffer, 0)
        configure(indent: indent, indentString: indentString)
    }

    /// A writer into the file at `path` (created or truncated). Callers that need an atomic
    /// result write to a temporary path and rename it (see `AtomicFile`).
    public init(path: String, indent: Bool = true, indentString: String = "  ",
                replacement: Unicode.Scalar? = "\u{FFFD}") throws {
        LibXML.ensureInitialized()
        self.path = path
        self.replacement = replacement
        writer = xmlNewTextWriterFilename(path, 0)
        guard writer != nil else { throw XMLWriterError("\(path): cannot open for writing") }
        configure(indent: indent, indentString: indentString)
    }

    deinit {
        if let w = writer { xmlFreeTextWriter(w) }
        if let b = buffer { xmlBufferFree(b) }
    }

    private func configure(indent: Bool, indentString: String) {
        guard let w = writer, indent else { return }
        xmlTextWriterSetIndent(w, 1)
        xmlTextWriterSetIndentString(w, indentString)
    }

    @inline(__always)
    private func check(_ rc: Int32, _ what: String) throws {
        if rc < 0 { throw XMLWriterError("XML writer failed in \(what)" + (path.map { " (\($0))" } ?? "")) }
    }

    private var w: xmlTextWriterPtr {
        get throws {
            guard let w = writer, !finished else { throw XMLWriterError("XML writer already finished") }
            return w
        }
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`
    public func startDocument(standalone: String? = nil) throws {
        try check(xmlTextWriterStartDocument(try w, "1.0", "UTF-8", standalone), "startDocument")
    }

    public func startElement(_ name: String) throws {
        try check(xmlTextWriterStartElement(try w, name), "startElement(\(name))")
    }

    public func attribute(_ name: String, _ value: String) throws {
        let v = sanitize(value)
        try check(xmlTextWriterWriteAttribute(try w, name, v), "attribute(\(name))")
    }

    /// Escaped character data.
    public func text(_ value: String) throws {
        let v = sanitize(value)
        try check(xmlTextWriterWriteString(try w, v), "text")
    }

    /// A comment; `--` sequences (forbidden inside comments) are broken up with a space.
    public func comment(_ value: String) throws {
        var v = sanitize(value)
        while v.contains("--") { v = v.replacingOccurrences(of: "--", with: "- -") }
        if v.hasSuffix("-") { v += " " }
        try check(xmlTextWriterWriteComment(try w, v), "comment")
    }

    /// Convenience: `<name attrs…>text</name>` (or an empty element when `text` is nil).
    public func element(_ name: String, attributes: [(String, String)] = [], text: String? = nil) throws {
        try startElement(name)
        for (k, v) in attributes { try attribute(k, v) }
        if let t = text { try self.text(t) }
        try endElement()
    }

    public func endElement() throws {
        try check(xmlTextWriterEndElement(try w), "endElement")
    }

    /// Writes already-serialised, already-escaped UTF-8 bytes as they are (the fast path of the
    /// GraphML writer). The caller guarantees well-formedness.
    public func raw(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try check(xmlTextWriterWriteRawLen(try w, base, Int32(bytes.count)), "raw")
    }

    public func raw(_ text: String) throws {
        var t = text
        try t.withUTF8 { try raw($0) }
    }

    /// Closes every open element, ends the document and flushes the output.
    public func endDocument() throws {
        let wr = try w
        try check(xmlTextWriterEndDocument(wr), "endDocument")
        try check(xmlTextWriterFlush(wr), "flush")
        xmlFreeTextWriter(wr)
        writer = nil
        finished = true
    }

    /// The bytes written to memory (empty for a file writer).
    public var data: Data {
        guard let b = buffer, let c = xmlBufferContent(b) else { return Data() }
        return Data(bytes: c, count: Int(xmlBufferLength(b)))
    }

    /// The document written to memory, as a string.
    public var string: String { String(decoding: data, as: UTF8.self) }

    /// Replaces or drops characters XML 1.0 cannot represent. Fast when there are none.
    public func sanitize(_ s: String) -> String { XMLText.sanitize(s, replacement: replacement) }
}

/// Helpers for XML 1.0 text shared by the writers.
public enum XMLText {
    /// True for a scalar XML 1.0 allows in a document.
    @inline(__always)
    public static func isAllowed(_ v: UInt32) -> Bool {
        if v < 0x20 { return v == 0x9 || v == 0xA || v == 0xD }
        if v >= 0xD800 && v <= 0xDFFF { return false }
        return v != 0xFFFE && v != 0xFFFF && v <= 0x10FFFF
    }

    /// `s` with every character XML 1.0 forbids replaced by `replacement` (or dropped when nil).
    public static func sanitize(_ s: String, replacement: Unicode.Scalar? = "\u{FFFD}") -> String {
        var clean = true
        for b in s.utf8 where b < 0x20 || b == 0xEF {
            if b == 0x9 || b == 0xA || b == 0xD { continue }
            clean = false
            break
        }
        if clean { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isAllowed(u.value) { out.append(u) } else if let r = replacement { out.append(r) }
        }
        return String(out)
    }

    /// Appends `s` to `out` escaped for XML character data or a double-quoted attribute value:
    /// `&` `<` `>` `"` become entity references; in attributes tab, LF and CR become character
    /// references (so attribute-value normalisation keeps them); in text CR becomes `&#13;`
    /// (so end-of-line handling keeps it). Forbidden characters become U+FFFD.
    @inline(__always)
    public static func appendEscaped(_ s: String, attribute: Bool, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendEscaped($0, attribute: attribute, to: &out) }
    }

    public static func appendEscaped(_ u: UnsafeBufferPointer<UInt8>, attribute: Bool, to out: inout [UInt8]) {
        var i = 0
        let n = u.count
        var runStart = 0
        @inline(__always) func flush(_ end: Int) {
            if end > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<end])) }
        }
        while i < n {
            let b = u[i]
            let rep: StaticString?
            var skip = 1
            switch b {
            case UInt8(ascii: "&"): rep = "&amp;"
            case UInt8(ascii: "<"): rep = "&lt;"
            case UInt8(ascii: ">"): rep = "&gt;"
            case UInt8(ascii: "\""): rep = attribute ? "&quot;" : nil
            case 0x9: rep = attribute ? "&#9;" : nil
            case 0xA: rep = attribute ? "&#10;" : nil
            case 0xD: rep = "&#13;"
            case 0..<0x20: rep = "\u{FFFD}"
            case 0xEF:
                // U+FFFE / U+FFFF are EF BF BE / EF BF BF.
                if i + 2 < n, u[i + 1] == 0xBF, u[i + 2] == 0xBE || u[i + 2] == 0xBF {
                    rep = "\u{FFFD}"; skip = 3
                } else { rep = nil }
            default: rep = nil
            }
            if let r = rep {
                flush(i)
                out.append(contentsOf: UnsafeBufferPointer(start: r.utf8Start, count: r.utf8CodeUnitCount))
                i += skip
                runStart = i
            } else {
                i += 1
            }
        }
        flush(n)
    }
}

/// Writes a file atomically: the content goes to a temporary file in the same folder, which is
/// renamed over the destination only when everything succeeded.
public enum AtomicFile {
    /// Calls `body` with a temporary path next to `path`; renames it to `path` when `body`
    /// returns, removes it when `body` throws.
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw XMLWriterError("\(path): folder \(dir) does not exist")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try body(tmp)
            if rename(tmp, path) != 0 {
                throw XMLWriterError("\(path): cannot replace file: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: data) else {
                throw XMLWriterError("\(path): cannot write file")
            }
        }
    }
}
