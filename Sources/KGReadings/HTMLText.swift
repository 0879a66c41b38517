import CLibXML2
import Foundation

/// The main text of an HTML page, as Markdown: headings become `#` lines, paragraphs blocks,
/// list items `- ` lines, table rows `| … |` lines, bold `**…**`; scripts, styles, forms,
/// navigation, page headers and footers, side bars and hidden elements are left out. Parsed with
/// libxml2's HTML parser (recovering from bad markup, no network access).
///
/// The content is the page's `<main>`, else its only `<article>`, else its `<body>`.
public enum HTMLText {
    public struct Result: Sendable {
        public var markdown: String
        /// The page's `<title>` (or first `<h1>`), white space collapsed.
        public var title: String?
    }

    /// Elements whose content is never text.
    static let skipped: Set<String> = ["script", "style", "noscript", "template", "nav", "form", "button", "select", "option", "input",
                                       "textarea", "svg", "canvas", "iframe", "object", "embed", "map", "audio", "video", "head",
                                       "aside", "dialog", "menu"]
    /// Elements left out when they belong to the page rather than to the content.
    static let pageChrome: Set<String> = ["header", "footer"]
    static let blocks: Set<String> = ["p", "div", "section", "article", "main", "blockquote", "figure", "figcaption", "address", "details",
                                      "summary", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "center", "hr", "body", "header", "footer",
                                      "ul", "ol", "pre", "caption", "fieldset", "legend"]
    /// Class or id words of page furniture ("site-nav", "cookie-banner", "sidebar").
    static let chromeWords: Set<String> = ["nav", "navbar", "navigation", "menu", "sidebar", "footer", "cookie", "cookies", "banner", "breadcrumb",
                                           "breadcrumbs", "share", "sharing", "social", "advert", "advertisement", "ads", "promo", "subscribe",
                                           "newsletter", "skip", "skiplink", "masthead", "topbar", "toolbar", "related", "comments", "widget"]
    static let chromeRoles: Set<String> = ["navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog", "alert"]

    /// Converts `bytes` (an HTML document). The text is empty when the page has none.
    public static func convert(_ bytes: [UInt8], url: String = "reading.html") -> Result {
        let declared = declaresCharset(bytes)
        let opts = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let enc: String? = declared ? nil : "UTF-8"
        let doc: htmlDocPtr? = bytes.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, p.count)) { c in
                enc == nil ? htmlReadMemory(c, Int32(p.count), url, nil, opts) : htmlReadMemory(c, Int32(p.count), url, enc, opts)
            }
        }
        guard let doc else { return Result(markdown: "", title: nil) }
        defer { xmlFreeDoc(doc) }
        guard let rootEl = xmlDocGetRootElement(doc) else { return Result(markdown: "", title: nil) }
        var title: String? = nil
        if let t = first(rootEl, "title") { title = collapse(textContent(t)) }
        let body = first(rootEl, "body") ?? rootEl
        var content = body
        if let m = first(body, "main") { content = m } else {
            let articles = all(body, "article", limit: 2)
            if articles.count == 1 { content = articles[0] }
        }
        if title?.isEmpty ?? true, let h = first(content, "h1") { title = collapse(textContent(h)) }
        var w = Writer()
        w.walk(content, topLevel: content == body)
        return Result(markdown: w.finish(), title: title?.isEmpty == false ? title : nil)
    }

    /// True when the document says which character set it uses.
    static func declaresCharset(_ b: [UInt8]) -> Bool {
        let head = String(decoding: b.prefix(4096), as: UTF8.self).lowercased()
        return head.contains("charset=") || head.hasPrefix("<?xml") && head.contains("encoding=")
    }

    static func name(_ n: xmlNodePtr) -> String {
        guard let nm = n.pointee.name else { return "" }
        return String(cString: nm).lowercased()
    }

    static func attribute(_ n: xmlNodePtr, _ a: String) -> String? {
        guard let v = xmlGetProp(n, a) else { return nil }
        defer { kg_xmlFree(v) }
        return String(cString: v)
    }

    static func textContent(_ n: xmlNodePtr) -> String {
        guard let c = xmlNodeGetContent(n) else { return "" }
        defer { kg_xmlFree(c) }
        return String(cString: c)
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The first element named `tag` under `n` (depth first, iterative).
    static func first(_ n: xmlNodePtr, _ tag: String) -> xmlNodePtr? { all(n, tag, limit: 1).first }

    static func all(_ n: xmlNodePtr, _ tag: String, limit: Int) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var stack: [xmlNodePtr] = [n]
        while let x = stack.popLast() {
            if x.pointee.type == XML_ELEMENT_NODE && name(x) == tag { out.append(x); if out.count >= limit { break } }
            var kids: [xmlNodePtr] = []
            var c = x.pointee.children
            while let k = c { kids.append(k); c = k.pointee.next }
            stack.append(contentsOf: kids.reversed())
        }
        return out
    }

    /// True for an element that is page furniture, not content.
    static func isChrome(_ n: xmlNodePtr, topLevel: Bool) -> Bool {
        let nm = name(n)
        if skipped.contains(nm) { return true }
        if topLevel && pageChrome.contains(nm) { return true }
        if attribute(n, "hidden") != nil || attribute(n, "aria-hidden")?.lowercased() == "true" { return true }
        if let style = attribute(n, "style")?.lowercased().replacingOccurrences(of: " ", with: ""), style.contains("display:none") || style.contains("visibility:hidden") {
            return true
        }
        if let role = attribute(n, "role")?.lowercased(), chromeRoles.contains(role) { return true }
        for a in ["class", "id"] {
            guard let v = attribute(n, a)?.lowercased() else { continue }
            for word in v.split(whereSeparator: { !$0.isLetter }) where chromeWords.contains(String(word)) { return true }
        }
        return false
    }

    /// Builds the Markdown text block by block: `pending` is the break the next line starts
    /// with (1: a line break, 2: a blank line), remembered when the line starts.
    struct Writer {
        var out = ""
        var line = ""
        var lineBreak = 0
        var pending = 0
        var listDepth = 0
        var counters: [Int] = []

        mutating func startLine() {
            if pending > 0 && !line.isEmpty { flush() }
            if line.isEmpty { lineBreak = max(lineBreak, pending); pending = 0 }
        }

        mutating func text(_ s: String) {
            var t = ""
            var lastSpace = (pending > 0 && !line.isEmpty) || line.isEmpty || line.last == " "
            for ch in s {
                if ch.isWhitespace { if !lastSpace { t.append(" "); lastSpace = true } } else { t.append(ch); lastSpace = false }
            }
            if t.trimmingCharacters(in: .whitespaces).isEmpty && (line.isEmpty || pending > 0) { return }
            if t.isEmpty { return }
            startLine()
            line += t
        }

        mutating func raw(_ s: String) {
            startLine()
            line += s
        }

        mutating func block(_ n: Int = 2) { pending = max(pending, n) }

        mutating func flush() {
            let l = line.trimmingCharacters(in: .whitespaces)
            if !l.isEmpty {
                if !out.isEmpty { out += lineBreak >= 2 ? "\n\n" : "\n" }
                out += l
                lineBreak = 0
            }
            line = ""
        }

        mutating func finish() -> String {
            flush()
            return out.isEmpty ? "" : out + "\n"
        }

        /// Walks the tree below `root` without recursion (libxml2 trees can be deep).
        mutating func walk(_ root: xmlNodePtr, topLevel: Bool) {
            enum Step { case enter(xmlNodePtr, Bool), leave(String, xmlNodePtr) }
            var stack: [Step] = []
            var c = root.pointee.children
            var kids: [xmlNodePtr] = []
            while let k = c { kids.append(k); c = k.pointee.next }
            for k in kids.reversed() { stack.append(.enter(k, topLevel)) }
            while let step = stack.popLast() {
                switch step {
                case .enter(let n, let top):
                    switch n.pointee.type {
                    case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                        if let p = n.pointee.content { text(String(cString: p)) }
                    case XML_ELEMENT_NODE:
                        if HTMLText.isChrome(n, topLevel: top) { continue }
                        let nm = HTMLText.name(n)
                        open(nm, n)
                        stack.append(.leave(nm, n))
                        var kids: [xmlNodePtr] = []
                        var c = n.pointee.children
                        while let k = c { kids.append(k); c = k.pointee.next }
                        let childTop = top && (nm == "div" || nm == "section" || nm == "body" || nm == "center")
                        for k in kids.reversed() { stack.append(.enter(k, childTop)) }
                    default: break
                    }
                case .leave(let nm, _):
                    close(nm)
                }
            }
        }

        mutating func open(_ nm: String, _ n: xmlNodePtr) {
            switch nm {
            case "h1", "h2", "h3", "h4", "h5", "h6":
                block()
                raw(String(repeating: "#", count: Int(nm.dropFirst())!) + " ")
            case "li":
                block(1)
                let indent = String(repeating: "  ", count: max(0, listDepth - 1))
                if let c = counters.last, c >= 0 {
                    counters[counters.count - 1] += 1
                    raw(indent + "\(counters.last!). ")
                } else {
                    raw(indent + "- ")
                }
            case "ul", "ol":
                block()
                listDepth += 1
                counters.append(nm == "ol" ? 0 : -1)
            case "br": block(1)
            case "tr": block(1); raw("| ")
            case "td", "th": break
            case "b", "strong": raw("**")
            case "pre": block(); raw("```"); block(1)
            default:
                if HTMLText.blocks.contains(nm) { block() }
            }
        }

        mutating func close(_ nm: String) {
            switch nm {
            case "h1", "h2", "h3", "h4", "h5", "h6", "p": block()
            case "li": block(1)
            case "ul", "ol":
                listDepth -= 1
                counters.removeLast()
                block()
            case "td", "th": raw(" | ")
            case "tr": block(1)
            case "b", "strong":
                if line.hasSuffix("**") { line.removeLast(2) } else { line += "**" }
            case "pre": block(1); raw("```"); block()
            default:
                if HTMLText.blocks.contains(nm) { block() }
            }
        }
    }
}
