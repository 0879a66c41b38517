/// Where in a reading a piece of evidence sits: a line range (`L14`, `L14-L16`) or a sentence
/// range (`S3`, `S3-S5`), 1-based and inclusive.
public struct Locator: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable { case line = "L", sentence = "S" }
    public var unit: Unit
    public var start: Int
    public var end: Int

    public init(unit: Unit, start: Int, end: Int? = nil) {
        self.unit = unit
        self.start = start
        self.end = end ?? start
    }

    /// Parses `L14`, `L14-L16`, `L14-16`, `S3`, `S3-S5`. Returns nil for anything else.
    public init?(_ text: String) {
        let u = text.utf8
        guard let first = u.first, first == UInt8(ascii: "L") || first == UInt8(ascii: "S") else { return nil }
        let unit: Unit = first == UInt8(ascii: "L") ? .line : .sentence
        let rest = text.dropFirst()
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        guard let a = Int(parts[0]), a >= 1 else { return nil }
        var b = a
        if parts.count == 2 {
            var p = parts[1]
            if p.first == first.asCharacter { p = p.dropFirst() }
            guard let bb = Int(p), bb >= a else { return nil }
            b = bb
        }
        self.init(unit: unit, start: a, end: b)
    }

    public var description: String {
        start == end ? "\(unit.rawValue)\(start)" : "\(unit.rawValue)\(start)-\(unit.rawValue)\(end)"
    }
}

extension UInt8 {
    fileprivate var asCharacter: Character { Character(Unicode.Scalar(self)) }
}

/// How strongly the cited text states a relation.
///
/// - `asserted`: the text states it plainly (the default; not written in .kg files);
/// - `hedged`: the text qualifies it ("can", "may", "sometimes", "suggests", "appears");
/// - `negated`: the text says it does not hold;
/// - `reported`: the text attributes it to another source ("according to the summary").
public enum Modality: String, CaseIterable, Hashable, Sendable, Comparable {
    case asserted, hedged, negated, reported

    public static func < (a: Modality, b: Modality) -> Bool { a.order < b.order }
    private var order: Int {
        switch self {
        case .asserted: return 0
        case .hedged: return 1
        case .negated: return 2
        case .reported: return 3
        }
    }
}

/// Provenance of an edge: which reading, where in it, how strongly it says so, and a note in the
/// author's own words.
public struct Evidence: Hashable, Sendable {
    /// Key of the reading node (its .kg id).
    public var reading: String
    public var locator: Locator?
    public var note: String?
    public var modality: Modality

    public init(reading: String, locator: Locator? = nil, note: String? = nil, modality: Modality = .asserted) {
        self.reading = reading
        self.locator = locator
        self.note = note
        self.modality = modality
    }
}

/// Where a relation came from when a tool proposed it and a person accepted it: the tool
/// (`link` for `kg link`), the day it was accepted, and a fingerprint of the relation as accepted.
/// When the relation is edited by hand its fingerprint no longer matches, and it counts as curated.
public struct EdgeOrigin: Hashable, Sendable {
    public var tool: String
    public var date: String
    public var fingerprint: String
    public init(tool: String, date: String, fingerprint: String) {
        self.tool = tool
        self.date = date
        self.fingerprint = fingerprint
    }
}
