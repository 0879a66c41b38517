import Foundation
import KGCore

/// Where a statement sits in its file: the header line and column, the last line of its
/// continuation lines, and the byte range of the whole statement (header through the line break
/// of its last continuation or indented comment line).
public struct SourceSpan: Hashable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var endLine: Int
    public var byteRange: Range<Int>
    public init(file: String, line: Int, column: Int, endLine: Int, byteRange: Range<Int>) {
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.byteRange = byteRange
    }
    public var start: SourceLocation { SourceLocation(file: file, line: line, column: column) }
}

/// A value that never makes two otherwise equal syntax trees unequal: source positions.
@propertyWrapper
public struct PositionInfo<T: Sendable>: Hashable, Sendable {
    public var wrappedValue: T
    public init(wrappedValue: T) { self.wrappedValue = wrappedValue }
    public static func == (a: Self, b: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

/// `@reading [locator] [modality] ["note"]`; the modality (`hedged`, `negated`, `reported`) is
/// written only when it is not `asserted`.
public struct EvidenceClause: Hashable, Sendable {
    public var reading: String
    public var locator: Locator?
    public var note: String?
    public var modality: Modality = .asserted
    /// Column of the `@`.
    @PositionInfo public var column: Int = 0
    /// Column of the locator, when written.
    @PositionInfo public var locatorColumn: Int = 0
    public init(reading: String, locator: Locator? = nil, note: String? = nil, modality: Modality = .asserted) {
        self.reading = reading
        self.locator = locator
        self.note = note
        self.modality = modality
    }
    public init(_ e: Evidence) {
        self.init(reading: e.reading, locator: e.locator, note: e.note, modality: e.modality)
    }
    public var evidence: Evidence { Evidence(reading: reading, locator: locator, note: note, modality: modality) }
}

/// The flags of a relation type declaration, in the order they are written.
public struct RelationFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let symmetric = RelationFlags(rawValue: 1)
    public static let transitive = RelationFlags(rawValue: 2)
    public static let undirected = RelationFlags(rawValue: 4)
    public static let finding = RelationFlags(rawValue: 8)
    /// Every flag with its keyword, in canonical order.
    public static let keywords: [(RelationFlags, String)] = [
        (.symmetric, "symmetric"), (.transitive, "transitive"), (.undirected, "undirected"), (.finding, "finding"),
    ]

    public init(_ d: RelationDecl) {
        self = []
        if d.symmetric { insert(.symmetric) }
        if d.transitive { insert(.transitive) }
        if d.undirected { insert(.undirected) }
        if d.finding { insert(.finding) }
    }
}

/// A continuation line's content.
public enum Entry: Hashable, Sendable {
    case doc(String)
    case cue([String])
    case aka([String])
    case summary(String)
    case property(key: String, value: Value)
    case evidence(EvidenceClause)
    /// `origin TOOL "date" "fingerprint"` under a relation a tool proposed and a person accepted.
    case origin(EdgeOrigin)

    public static func == (a: Entry, b: Entry) -> Bool {
        switch (a, b) {
        case (.doc(let x), .doc(let y)), (.summary(let x), .summary(let y)): return x == y
        case (.cue(let x), .cue(let y)), (.aka(let x), .aka(let y)): return x == y
        case (.property(let k1, let v1), .property(let k2, let v2)): return k1 == k2 && v1.identical(to: v2)
        case (.evidence(let x), .evidence(let y)): return x == y
        case (.origin(let x), .origin(let y)): return x == y
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .doc(let s): h.combine(0); h.combine(s)
        case .cue(let s): h.combine(1); h.combine(s)
        case .aka(let s): h.combine(2); h.combine(s)
        case .summary(let s): h.combine(3); h.combine(s)
        case .property(let k, _): h.combine(4); h.combine(k)
        case .evidence(let e): h.combine(5); h.combine(e)
        case .origin(let o): h.combine(6); h.combine(o)
        }
    }
}

/// An indented line under a statement, with the comment lines written just above it and a comment
/// at its end.
public struct Continuation: Hashable, Sendable {
    public var entry: Entry
    /// Indented `# …` lines directly above this line (text from `#`, trailing blanks trimmed).
    public var leadingComments: [String] = []
    /// `# …` at the end of the line.
    public var trailingComment: String?
    @PositionInfo public var line: Int = 0
    @PositionInfo public var column: Int = 0
    public init(_ entry: Entry, trailingComment: String? = nil) {
        self.entry = entry
        self.trailingComment = trailingComment
    }
}

/// The first line of a statement.
public enum Header: Hashable, Sendable {
    /// `kind Name [: Parent] ["doc"]`
    case kind(name: String, parent: String?, doc: String?)
    /// `relation NAME  Domain -> Range  [inverse INAME] [symmetric] [transitive] [undirected] [finding]`
    case relationType(name: String, domain: String?, range: String?, inverse: String?, flags: RelationFlags)
    /// `reading id "Title"`
    case reading(id: String, title: String)
    /// `concept id "Name" : Kind`
    case concept(id: String, name: String, kind: String)
    /// `src -TYPE-> dst  [@reading [locator] [modality] ["note"]]`
    case relation(source: String, type: String, target: String, evidence: EvidenceClause?)

    /// The statement keyword as written in diagnostics: `kind`, `relation type`, `reading`, `concept`, `relation`.
    public var what: String {
        switch self {
        case .kind: return "kind"
        case .relationType: return "relation type"
        case .reading: return "reading"
        case .concept: return "concept"
        case .relation: return "relation"
        }
    }
}

/// One statement: a header line at column 1 and the indented lines under it.
public struct Statement: Hashable, Sendable {
    public var header: Header
    public var continuations: [Continuation]
    /// `# …` at the end of the header line.
    public var trailingComment: String?
    /// Indented comment lines after the last continuation line.
    public var closingComments: [String] = []
    @PositionInfo public var span: SourceSpan = SourceSpan(file: "", line: 0, column: 1, endLine: 0, byteRange: 0..<0)
    /// Columns of the header's words (1-based), in the order they were written:
    /// kind: name, parent; relation type: name, domain, range, inverse; reading/concept: id, name, kind;
    /// relation: source, type, target.
    @PositionInfo public var columns: [Int] = []

    public init(_ header: Header, _ continuations: [Continuation] = [], trailingComment: String? = nil) {
        self.header = header
        self.continuations = continuations
        self.trailingComment = trailingComment
    }

    /// The id of the concept or reading this statement declares, if any.
    public var declaredID: String? {
        switch header {
        case .concept(let id, _, _), .reading(let id, _): return id
        default: return nil
        }
    }

    /// All evidence of a relation statement, header first.
    public var evidence: [EvidenceClause] {
        var out: [EvidenceClause] = []
        if case .relation(_, _, _, let e?) = header { out.append(e) }
        for c in continuations { if case .evidence(let e) = c.entry { out.append(e) } }
        return out
    }

    /// The `origin` line of a relation a tool proposed, if any.
    public var origin: EdgeOrigin? {
        for c in continuations { if case .origin(let o) = c.entry { return o } }
        return nil
    }

    /// `key value` properties in written order.
    public var properties: [(key: String, value: Value)] {
        continuations.compactMap { c in
            if case .property(let k, let v) = c.entry { return (k, v) }
            return nil
        }
    }

    /// Aliases of a concept, all `aka` lines in order.
    public var aliases: [String] {
        continuations.flatMap { c -> [String] in
            if case .aka(let a) = c.entry { return a }
            return []
        }
    }

    public var summary: String? {
        for c in continuations { if case .summary(let s) = c.entry { return s } }
        return nil
    }
}

/// A line of a file outside statements.
public enum DocumentItem: Hashable, Sendable {
    case statement(Statement)
    /// A comment line that belongs to no statement (text from `#`, trailing blanks trimmed), with
    /// its indentation in spaces.
    case comment(String, indent: Int)
    /// One or more blank lines.
    case blank
}

/// One parsed .kg file. The source text is kept; the syntax tree is built on first use (a loader
/// that builds the graph while parsing never materialises it, which keeps large graphs small).
public final class Document: Equatable, @unchecked Sendable {
    public let path: String
    private var stored: [UInt8]?
    /// For documents loaded from a graph folder: size and FNV-1a hash of the file as parsed. The
    /// bytes are not kept in memory; they are read again on first use and must still match.
    private let fingerprint: (size: Int, hash: UInt64)?
    private var parsed: [DocumentItem]?

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.stored = bytes
        self.fingerprint = nil
    }

    public init(path: String, items: [DocumentItem], bytes: [UInt8]) {
        self.path = path
        self.stored = bytes
        self.fingerprint = nil
        self.parsed = items
    }

    /// A document whose text stays on disk at `path` (it had `bytes` when it was parsed).
    init(path: String, parsedFrom bytes: [UInt8]) {
        self.path = path
        self.stored = nil
        self.fingerprint = (bytes.count, Self.fnv1a(bytes))
    }

    /// A document whose text stays on disk at `path`, known by its size and `contentHash`.
    init(path: String, size: Int, hash: UInt64) {
        self.path = path
        self.stored = nil
        self.fingerprint = (size, hash)
    }

    static func fnv1a(_ b: [UInt8]) -> UInt64 {
        b.withUnsafeBytes { contentHash($0) }
    }

    /// The fingerprint hash of a file's bytes: word-wise multiply-xorshift (not cryptographic;
    /// it only tells whether a file changed since it was parsed).
    static func contentHash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(p.count)
        let words = p.count / 8
        var i = 0
        while i < words {
            let w = p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 1
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        for j in (words * 8)..<p.count {
            tail |= UInt64(p[j]) << shift
            shift += 8
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    /// The file's bytes as parsed. For a document loaded from a folder they are read again from
    /// disk on first use; if the file changed since it was loaded, this is empty (and `items` too),
    /// so edits computed from it fail rather than land in the wrong place.
    public var bytes: [UInt8] {
        if let s = stored { return s }
        guard let fp = fingerprint, let d = FileManager.default.contents(atPath: path) else { return [] }
        let b = [UInt8](d)
        guard b.count == fp.size, Self.fnv1a(b) == fp.hash else { return [] }
        stored = b
        return b
    }

    /// Size and content hash of the file as parsed (nil for a document that holds its text).
    var diskFingerprint: (size: Int, hash: UInt64)? { fingerprint }

    /// False when the document was loaded from a file that has changed on disk since.
    public var isCurrent: Bool { fingerprint == nil || !bytes.isEmpty || fingerprint?.size == 0 }

    /// The text as a String.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Comments, blank lines and statements in file order.
    public var items: [DocumentItem] {
        if let p = parsed { return p }
        let (doc, _) = KGParser.parse(path: path, bytes: bytes)
        let items = doc.items
        parsed = items
        return items
    }

    /// The statements in file order.
    public var statements: [Statement] {
        items.compactMap { if case .statement(let s) = $0 { return s } else { return nil } }
    }

    /// Equal syntax trees (source positions ignored).
    public static func == (a: Document, b: Document) -> Bool { a.items == b.items }

    /// The text of line `n` (1-based), without its line break; "" outside the file.
    public func line(_ n: Int) -> String {
        if starts == nil {
            var st = [0]
            for (i, c) in bytes.enumerated() where c == 0x0A { st.append(i + 1) }
            starts = st
        }
        let s = starts!
        guard n >= 1, n <= s.count else { return "" }
        let a = s[n - 1]
        var e = n < s.count ? s[n] - 1 : bytes.count
        if e > a, bytes[e - 1] == 0x0D { e -= 1 }
        return a < e ? String(decoding: bytes[a..<e], as: UTF8.self) : ""
    }
    private var starts: [Int]?

    static func line(_ n: Int, in bytes: [UInt8]) -> String {
        guard n >= 1 else { return "" }
        var cur = 1
        var i = 0
        while cur < n {
            guard let nl = bytes[i...].firstIndex(of: 0x0A) else { return "" }
            i = nl + 1
            cur += 1
        }
        var e = bytes[i...].firstIndex(of: 0x0A) ?? bytes.count
        if e > i, bytes[e - 1] == 0x0D { e -= 1 }
        return String(decoding: bytes[i..<e], as: UTF8.self)
    }
}
