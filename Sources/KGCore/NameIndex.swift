/// The name and alias index of a graph: the normal form (`NameKey`) of every node's name, aliases
/// and key, interned, mapped to the nodes known under it.
///
/// Bulk-built as one sorted array of `key symbol << 32 | node << 1 | isName` (one sort, binary
/// searched; the binary cache stores it as is). Edits made afterwards live in `added` and
/// `removed` next to it.
final class NameIndex {
    /// Sorted entries: key symbol << 32 | node << 1 | (1 when the key is the node's name).
    var entries: [UInt64] = []
    private var sorted = true
    var added: [Int32: [UInt32]] = [:]
    var removed: Set<UInt64> = []

    init() {}
    init(entries: [UInt64]) { self.entries = entries }

    @inline(__always)
    static func entry(_ key: Symbol, _ node: Int32, _ isName: Bool) -> UInt64 {
        UInt64(UInt32(bitPattern: key.raw)) << 32 | UInt64(UInt32(node)) << 1 | (isName ? 1 : 0)
    }

    /// Appends during a bulk load (sorted by `finishBulk`).
    func bulkAppend(_ key: Symbol, _ node: Int32, _ isName: Bool) {
        entries.append(Self.entry(key, node, isName))
        sorted = false
    }

    func finishBulk() {
        guard !sorted else { return }
        entries.sort()
        // Drop duplicates (a name equal to an alias of the same node).
        var w = 0
        for r in 0..<entries.count where w == 0 || entries[r] != entries[w - 1] {
            entries[w] = entries[r]
            w += 1
        }
        entries.removeLast(entries.count - w)
        sorted = true
    }

    /// Merges `added` and `removed` into the sorted entries.
    func compact() {
        guard !added.isEmpty || !removed.isEmpty else { finishBulk(); return }
        var all = entries.filter { !removed.contains($0) }
        for (k, list) in added {
            for e in list { all.append(UInt64(UInt32(bitPattern: k)) << 32 | UInt64(e)) }
        }
        entries = all
        added = [:]
        removed = []
        sorted = false
        finishBulk()
    }

    private func baseRange(_ key: Symbol) -> Range<Int> {
        let lo = UInt64(UInt32(bitPattern: key.raw)) << 32
        let hi = lo | 0xFFFF_FFFF
        let a = entries.partitioningIndex { $0 >= lo }
        let b = entries[a...].partitioningIndex { $0 > hi }
        return a..<b
    }

    func add(_ key: Symbol, _ node: Int32, _ isName: Bool) {
        let e = Self.entry(key, node, isName)
        if removed.remove(e) != nil { return }
        added[key.raw, default: []].append(UInt32(truncatingIfNeeded: e))
    }

    func remove(_ key: Symbol, _ node: Int32, _ isName: Bool) {
        let e = Self.entry(key, node, isName)
        if var list = added[key.raw], let i = list.firstIndex(of: UInt32(truncatingIfNeeded: e)) {
            list.remove(at: i)
            added[key.raw] = list.isEmpty ? nil : list
            return
        }
        let r = baseRange(key)
        if entries[r].contains(e) { removed.insert(e) }
    }

    /// (node, isName) pairs under `key`, unsorted, possibly repeated.
    func lookup(_ key: Symbol) -> [(node: Int32, isName: Bool)] {
        var out: [(node: Int32, isName: Bool)] = []
        if !sorted { finishBulk() }
        for e in entries[baseRange(key)] where removed.isEmpty || !removed.contains(e) {
            out.append((Int32(truncatingIfNeeded: (e & 0xFFFF_FFFF) >> 1), e & 1 == 1))
        }
        for e in added[key.raw] ?? [] { out.append((Int32(e >> 1), e & 1 == 1)) }
        return out
    }

    /// Every key symbol with at least one entry.
    func keys() -> [Symbol] {
        if !sorted { finishBulk() }
        var out: [Symbol] = []
        var last: Int64 = -1
        for e in entries where removed.isEmpty || !removed.contains(e) {
            let k = Int64(e >> 32)
            if k != last { out.append(Symbol(raw: Int32(truncatingIfNeeded: k))); last = k }
        }
        let base = Set(out.map(\.raw))
        for (k, v) in added where !v.isEmpty && !base.contains(k) { out.append(Symbol(raw: k)) }
        return out
    }

    var memoryBytes: Int { entries.capacity * 8 }
}

/// `NameKey.normalize` on bytes, for ASCII text (the common case) without building Strings.
enum NameKeyBytes {
    enum Result { case alreadyNormal, normalized(Int), notASCII }

    /// The normal form of `p` written to `out` (which has room for `p.count` bytes): `.alreadyNormal`
    /// when `p` is its own normal form (nothing written), `.notASCII` when `p` has a non-ASCII byte
    /// (use `NameKey.normalize` then).
    @inline(__always)
    static func normalizeASCII(_ p: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) -> Result {
        // Never write past `out`: a buffer too small sends the caller to the String path.
        guard out.count >= p.count else { return .notASCII }
        // First pass: is it ASCII, and already normal (lower case, single inner spaces, no other separators)?
        var normal = true
        var prevSpace = true
        for b in p {
            if b >= 0x80 { return .notASCII }
            if (b >= 0x41 && b <= 0x5A) || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x2D || b == 0x5F || (b == 0x20 && prevSpace) {
                normal = false
            }
            prevSpace = b == 0x20
        }
        if normal && !(prevSpace && p.count > 0) { return .alreadyNormal }
        var n = 0
        var pendingSpace = false
        for b in p {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x2D || b == 0x5F {
                pendingSpace = n > 0
                continue
            }
            if pendingSpace { out[n] = 0x20; n += 1; pendingSpace = false }
            out[n] = b >= 0x41 && b <= 0x5A ? b + 0x20 : b
            n += 1
        }
        return .normalized(n)
    }
}
