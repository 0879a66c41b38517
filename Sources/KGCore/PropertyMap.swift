/// A small insertion-ordered map from interned keys to values. Nodes and edges rarely hold more
/// than a handful of properties, so a linear scan over an array beats hashing, and an empty map
/// allocates nothing.
public struct PropertyMap: Hashable, Sendable, Sequence {
    public private(set) var entries: [(key: Symbol, value: Value)] = []

    public init() {}
    public init(_ entries: [(Symbol, Value)]) {
        for (k, v) in entries { self[k] = v }
    }

    /// Entries with distinct keys, taken as they are (the store's columns build maps this way).
    init(ordered entries: [(key: Symbol, value: Value)]) { self.entries = entries }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public subscript(key: Symbol) -> Value? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append((key, v))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: Symbol, value: Value)]> { entries.makeIterator() }

    public static func == (a: PropertyMap, b: PropertyMap) -> Bool {
        guard a.entries.count == b.entries.count else { return false }
        for e in a.entries { guard let v = b[e.key], v == e.value else { return false } }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-entry hashes commutatively.
        var acc = 0
        for e in entries {
            var h = Hasher()
            h.combine(e.key)
            h.combine(e.value)
            acc ^= h.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(acc)
    }
}
