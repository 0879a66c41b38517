import Foundation
import KGCore

/// The fingerprint of a relation: SHA-256 (first 16 hex digits) of its canonical content —
/// source, type and target, every piece of evidence (reading, locator, modality, note) in order,
/// and its properties sorted by key — but not its `origin` line. A tool that writes a relation
/// records the fingerprint in `origin TOOL "date" "fingerprint"`; an edit by hand (a changed
/// note, type, modality, a new property or piece of evidence) changes the content, so the
/// fingerprint no longer matches and the relation counts as curated.
public enum RelationFingerprint {
    /// The canonical text the fingerprint hashes (one field a line, tab-separated).
    public static func canonical(source: String, type: String, target: String, evidence: [Evidence], properties: [(key: String, value: Value)]) -> String {
        var s = "relation\t\(source)\t\(type)\t\(target)\n"
        for e in evidence { s += "evidence\t" + KGPrinter.evidence(EvidenceClause(e)) + "\n" }
        for p in properties.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) where !p.value.isNull {
            s += "property\t\(p.key)\t" + KGPrinter.value(p.value) + "\n"
        }
        return s
    }

    public static func of(source: String, type: String, target: String, evidence: [Evidence], properties: [(key: String, value: Value)]) -> String {
        String(SHA256.hex(of: Array(canonical(source: source, type: type, target: target, evidence: evidence, properties: properties).utf8)).prefix(16))
    }

    /// The fingerprint of edge `e` as the graph holds it.
    public static func of(edge e: EdgeID, in g: Graph) -> String {
        var props: [(key: String, value: Value)] = []
        for (k, v) in g.storedProperties(of: e) { props.append((g.strings[k], v)) }
        return of(source: g.key(of: g.source(of: e)), type: g.typeName(of: e), target: g.key(of: g.target(of: e)),
                  evidence: g.evidence(of: e), properties: props)
    }

    /// The fingerprint of a relation statement as written (nil for other statements).
    public static func of(statement s: Statement) -> String? {
        guard case .relation(let src, let type, let dst, let first) = s.header else { return nil }
        var ev: [Evidence] = []
        if let f = first { ev.append(f.evidence) }
        var props: [(key: String, value: Value)] = []
        for c in s.continuations {
            switch c.entry {
            case .evidence(let e): ev.append(e.evidence)
            case .property(let k, let v): props.append((k, v))
            default: break
            }
        }
        return of(source: src, type: type, target: dst, evidence: ev, properties: props)
    }
}

/// Whether a relation is still as a tool proposed it.
public enum Provenance {
    public enum Status: Equatable, Sendable {
        /// Proposed by `tool` and accepted on `date`, not edited since.
        case proposed(tool: String, date: String)
        /// Proposed by a tool, then edited by hand: curated.
        case edited(tool: String, date: String)
    }

    /// nil for a relation written by hand.
    public static func status(of e: EdgeID, in g: Graph) -> Status? {
        guard let o = g.origin(of: e) else { return nil }
        return RelationFingerprint.of(edge: e, in: g) == o.fingerprint ? .proposed(tool: o.tool, date: o.date) : .edited(tool: o.tool, date: o.date)
    }

    /// "proposed by kg link, accepted 2026-03-04" while the relation is as accepted; nil otherwise.
    public static func marker(of e: EdgeID, in g: Graph) -> String? {
        guard case .proposed(let tool, let date)? = status(of: e, in: g) else { return nil }
        return "proposed by kg \(tool), accepted \(date)"
    }

    /// Today as YYYY-MM-DD (UTC), or the day of `SOURCE_DATE_EPOCH` when set (reproducible output).
    public static func today() -> String {
        var t = time(nil)
        if let e = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let v = Int(e) { t = time_t(v) }
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(format: "%04d-%02d-%02d", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1, Int(tmv.tm_mday))
    }
}

/// The words that qualify a claim, for showing the hedge of evidence and for finding it in a
/// note: modal verbs, hedging adverbs and verbs, attribution, negation.
public enum HedgeWords {
    public static let hedges: Set<String> = [
        "can", "could", "may", "might", "would", "sometimes", "often", "occasionally", "partly", "partially", "largely", "mostly",
        "possibly", "perhaps", "probably", "likely", "arguably", "apparently", "seemingly", "potentially", "somewhat", "suggests",
        "suggest", "suggested", "appears", "appear", "appeared", "seems", "seem", "seemed", "tends", "tend", "indicates", "indicate",
        "if", "unless", "rarely", "usually", "typically", "generally", "some", "partial", "unclear", "hints", "plausibly",
    ]
    public static let reports: Set<String> = ["according", "reports", "reported", "reportedly", "claims", "claimed", "allegedly",
                                              "says", "said", "argues", "argued", "states", "stated", "purportedly", "supposedly"]
    public static let negations: Set<String> = ["not", "no", "never", "cannot", "neither", "nor", "without", "none"]

    /// The words of `text` (lower case) found in the list for `modality`, in order, each once.
    public static func find(_ modality: Modality, in text: String) -> [String] {
        let list: Set<String>
        switch modality {
        case .asserted: return []
        case .hedged: list = hedges
        case .reported: list = reports
        case .negated: list = negations
        }
        var out: [String] = []
        var word = ""
        func flush() {
            if word.hasSuffix("n't") { if !out.contains("not") && modality == .negated { out.append("not") } }
            else if list.contains(word) && !out.contains(word) { out.append(word) }
            word = ""
        }
        for ch in text.lowercased() {
            if ch.isLetter || ch == "'" || ch == "\u{2019}" { word.append(ch == "\u{2019}" ? "'" : ch) } else { flush() }
        }
        flush()
        return out
    }

    /// True when `text` (a note, a `hedge` property) states a qualification.
    public static func qualifies(_ text: String) -> Bool { !find(.hedged, in: text).isEmpty }
}
