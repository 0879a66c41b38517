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

/// Provenance of an edge: which reading, where in it, and a note in the author's own words.
public struct Evidence: Hashable, Sendable {
    /// Key of the reading node (its .kg id).
    public var reading: String
    public var locator: Locator?
    public var note: String?

    public init(reading: String, locator: Locator? = nil, note: String? = nil) {
        self.reading = reading
        self.locator = locator
        self.note = note
    }
}
