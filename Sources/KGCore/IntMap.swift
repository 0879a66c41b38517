/// A small open-addressing hash map from 64-bit keys to 32-bit values, for the store's caches
/// (shape transitions, dense numbering) where `Dictionary`'s seeded hashing dominates.
struct IntMap {
    private var keys: [UInt64]
    private var values: [Int32]
    private var used: [Bool]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 16) {
        var c = 16
        while c < capacity * 2 { c *= 2 }
        keys = [UInt64](repeating: 0, count: c)
        values = [Int32](repeating: 0, count: c)
        used = [Bool](repeating: false, count: c)
        mask = c - 1
    }

    @inline(__always)
    private static func slot(_ k: UInt64, _ mask: Int) -> Int {
        var h = k &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    @inline(__always)
    func get(_ k: UInt64) -> Int32? {
        var s = Self.slot(k, mask)
        while used[s] {
            if keys[s] == k { return values[s] }
            s = (s + 1) & mask
        }
        return nil
    }

    mutating func set(_ k: UInt64, _ v: Int32) {
        if (count + 1) * 2 > mask + 1 { grow() }
        var s = Self.slot(k, mask)
        while used[s] {
            if keys[s] == k { values[s] = v; return }
            s = (s + 1) & mask
        }
        used[s] = true
        keys[s] = k
        values[s] = v
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values, oldUsed = used
        let c = (mask + 1) * 2
        keys = [UInt64](repeating: 0, count: c)
        values = [Int32](repeating: 0, count: c)
        used = [Bool](repeating: false, count: c)
        mask = c - 1
        count = 0
        for i in oldKeys.indices where oldUsed[i] { set(oldKeys[i], oldValues[i]) }
    }
}

extension Array {
    /// Appends `fill` until the array has `n` elements, growing the capacity geometrically (so
    /// repeated small extensions stay amortised O(1)).
    @inline(__always)
    public mutating func extend(to n: Int, with fill: Element) {
        guard count < n else { return }
        if capacity < n { reserveCapacity(Swift.max(n, capacity * 2)) }
        for _ in count..<n { append(fill) }
    }
}
