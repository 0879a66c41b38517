/// An interned string: a small integer that stands for one string of an `Interner`.
///
/// Symbol 0 is always the empty string, so `Symbol.none` can mean "absent".
public struct Symbol: Hashable, Comparable, Sendable {
    public let raw: Int32
    public init(raw: Int32) { self.raw = raw }
    public static let none = Symbol(raw: 0)
    public static func < (a: Symbol, b: Symbol) -> Bool { a.raw < b.raw }
}

/// Maps strings to dense integer symbols and back. Property keys, labels, relation types and
/// node keys are interned so the graph compares and stores integers, not strings.
public final class Interner {
    private var ids: [String: Int32] = ["": 0]
    private var strings: [String] = [""]

    public init() {}

    public var count: Int { strings.count }

    @inline(__always)
    public func intern(_ s: String) -> Symbol {
        if let id = ids[s] { return Symbol(raw: id) }
        let id = Int32(strings.count)
        strings.append(s)
        ids[s] = id
        return Symbol(raw: id)
    }

    /// The symbol of `s` if it was interned, without interning it.
    public func lookup(_ s: String) -> Symbol? { ids[s].map(Symbol.init(raw:)) }

    public func string(_ sym: Symbol) -> String { strings[Int(sym.raw)] }

    public subscript(_ sym: Symbol) -> String { strings[Int(sym.raw)] }
}
