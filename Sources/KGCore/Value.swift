/// A property value stored on a node or an edge.
///
/// The .kg format and the graph store the types a property may hold in openCypher:
/// strings, integers, floats, booleans, temporal values (dates, times, durations), lists of those,
/// and null. (Maps, nodes, relationships and paths exist only as query-time values, in KGQuery.)
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([Value])
    case temporal(TemporalValue)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var intValue: Int64? { if case .int(let i) = self { return i } else { return nil } }
    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var listValue: [Value]? { if case .list(let l) = self { return l } else { return nil } }

    /// The strings of a list of strings (other elements are skipped); a single string gives one element.
    public var stringList: [String] {
        switch self {
        case .string(let s): return [s]
        case .list(let l): return l.compactMap(\.stringValue)
        default: return []
        }
    }

    /// Name of the type as the .kg format and error messages spell it.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .float: return "float"
        case .string: return "string"
        case .list: return "list"
        case .temporal(let t): return t.kind.rawValue
        }
    }

    /// Structural equality that treats floats bit-for-bit (so NaN == NaN and -0.0 != 0.0);
    /// used for round-trip checks where `==` on Double would be too loose or too strict.
    public func identical(to other: Value) -> Bool {
        switch (self, other) {
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.identical(to: $1) }
        default: return self == other
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(nilLiteral: ()) { self = .null }
}

/// A temporal property value: a date, a time, a date-time or a duration, kept as its kind and its
/// canonical ISO 8601 text (as openCypher prints it, e.g. `2024-05-01`, `12:30:00+01:00`,
/// `2024-05-01T12:30:00Z[Europe/London]`, `P1Y2M3DT4H`). The .kg format writes it as the kind
/// followed by the text (`date "2024-05-01"`); KGQuery gives it its openCypher semantics.
public struct TemporalValue: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case date, localtime, time, localdatetime, datetime, duration
    }
    public let kind: Kind
    /// The canonical ISO 8601 text.
    public let text: String
    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}
