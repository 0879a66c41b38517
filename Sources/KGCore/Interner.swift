#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An interned string: a small integer that stands for one string of an `Interner`.
///
/// Symbol 0 is always the empty string, so `Symbol.none` can mean "absent".
public struct Symbol: Hashable, Comparable, Sendable {
    public let raw: Int32
    public init(raw: Int32) { self.raw = raw }
    public static let none = Symbol(raw: 0)
    public static func < (a: Symbol, b: Symbol) -> Bool { a.raw < b.raw }
}

/// Maps strings to dense integer symbols and back. Property keys, labels, relation types, node
/// keys and string property values are interned, so the graph stores and compares integers.
///
/// Storage is three flat arrays — the UTF-8 bytes of every string back to back, the end offset of
/// each string, and an open-addressing hash table of symbol numbers — so a table of a million
/// strings is a handful of allocations, and the binary graph cache restores it by reading the
/// arrays back (the hash function is fixed, not seeded per process). Strings are materialised
/// as `String` only when asked for (`subscript`, `string(_:)`).
///
/// Not thread-safe for writes; concurrent reads are safe.
public final class Interner: @unchecked Sendable {
    /// UTF-8 bytes of all strings, back to back.
    var pool: [UInt8] = []
    /// `ends[i]` is the end offset of string i in `pool`; its start is `ends[i - 1]` (0 for i = 0).
    var ends: [Int] = [0]
    /// 32-bit hash of each string (speeds up probing and growing).
    var hashes: [UInt32] = [0]
    /// Open addressing, linear probing; -1 marks a free slot. Capacity is a power of two.
    var table: [Int32]

    public init() {
        let h = Self.hash(UnsafeRawBufferPointer(start: nil, count: 0))
        table = [Int32](repeating: -1, count: 16)
        hashes = [h]
        insertIntoTable(id: 0, hash: h)
    }

    /// Restores an interner from its arrays (see `GraphImage`); nil when they are inconsistent.
    init?(pool: [UInt8], ends: [Int], hashes: [UInt32], table: [Int32]) {
        guard !ends.isEmpty, ends.count == hashes.count, ends[0] == 0, ends.last! <= pool.count,
              table.count >= 2, table.count & (table.count - 1) == 0, table.count > ends.count
        else { return nil }
        var prev = 0
        for e in ends {
            guard e >= prev else { return nil }
            prev = e
        }
        var filled = 0
        for t in table where t != -1 {
            guard t >= 0, Int(t) < ends.count else { return nil }
            filled += 1
        }
        guard filled == ends.count else { return nil }
        self.pool = pool
        self.ends = ends
        self.hashes = hashes
        self.table = table
        // Every string must be findable under its stored hash, and the hashes must be right:
        // checking all of them is a linear pass, cheap next to what a wrong table would cost.
        for i in 0..<ends.count {
            let h = bytes(i) { Self.hash($0) }
            guard hashes[i] == h else { return nil }
        }
    }

    public var count: Int { ends.count }

    // MARK: Hashing

    /// A fixed (unseeded) 32-bit hash of bytes: word-wise multiply-xorshift.
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(p.count)
        var i = 0
        let n = p.count
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    @inline(__always)
    func bytes<R>(_ id: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let a = id == 0 ? 0 : ends[id - 1], b = ends[id]
        return pool.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[a..<b])) }
    }

    private func insertIntoTable(id: Int32, hash: UInt32) {
        let mask = table.count - 1
        var slot = Int(hash) & mask
        while table[slot] != -1 { slot = (slot + 1) & mask }
        table[slot] = id
    }

    private func grow() {
        let newCount = table.count * 2
        table = [Int32](repeating: -1, count: newCount)
        let mask = newCount - 1
        table.withUnsafeMutableBufferPointer { t in
            for id in 0..<ends.count {
                var slot = Int(hashes[id]) & mask
                while t[slot] != -1 { slot = (slot + 1) & mask }
                t[slot] = Int32(id)
            }
        }
    }

    // MARK: Lookup and interning

    /// The symbol of the UTF-8 bytes `p`, or nil when they were never interned.
    public func lookup(bytes p: UnsafeRawBufferPointer) -> Symbol? {
        let h = Self.hash(p)
        return find(p, h).map { Symbol(raw: $0) }
    }

    func find(_ p: UnsafeRawBufferPointer, _ h: UInt32) -> Int32? {
        let mask = table.count - 1
        var slot = Int(h) & mask
        return table.withUnsafeBufferPointer { t -> Int32? in
            pool.withUnsafeBytes { pb -> Int32? in
                while true {
                    let id = t[slot]
                    if id < 0 { return nil }
                    if hashes[Int(id)] == h {
                        let a = id == 0 ? 0 : ends[Int(id) - 1], b = ends[Int(id)]
                        if b - a == p.count && (p.count == 0 || memcmp(pb.baseAddress! + a, p.baseAddress!, p.count) == 0) {
                            return id
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// Interns the UTF-8 bytes `p` (which must be valid UTF-8).
    @discardableResult
    public func intern(bytes p: UnsafeRawBufferPointer) -> Symbol {
        let h = Self.hash(p)
        if let id = find(p, h) { return Symbol(raw: id) }
        let id = Int32(ends.count)
        pool.append(contentsOf: p)
        ends.append(pool.count)
        hashes.append(h)
        if ends.count * 2 > table.count { grow() } else { insertIntoTable(id: id, hash: h) }
        return Symbol(raw: id)
    }

    @inline(__always)
    public func intern(_ s: String) -> Symbol {
        var s = s
        return s.withUTF8 { intern(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The symbol of `s` if it was interned, without interning it.
    public func lookup(_ s: String) -> Symbol? {
        var s = s
        return s.withUTF8 { lookup(bytes: UnsafeRawBufferPointer($0)) }
    }

    public func string(_ sym: Symbol) -> String { self[sym] }

    public subscript(_ sym: Symbol) -> String {
        bytes(Int(sym.raw)) { String(decoding: $0, as: UTF8.self) }
    }

    /// Length in bytes of the string of `sym`.
    public func utf8Count(_ sym: Symbol) -> Int {
        let i = Int(sym.raw)
        return ends[i] - (i == 0 ? 0 : ends[i - 1])
    }

    /// Calls `body` with the UTF-8 bytes of `sym` (valid only during the call).
    public func withBytes<R>(_ sym: Symbol, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let a = sym.raw == 0 ? 0 : ends[Int(sym.raw) - 1], b = ends[Int(sym.raw)]
        return try pool.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[a..<b])) }
    }

    /// Bytes the interner holds (pool, offsets, hashes and table), for memory accounting.
    public var memoryBytes: Int { pool.capacity + ends.capacity * 8 + hashes.capacity * 4 + table.capacity * 4 }

    /// The arrays `GraphImage` writes to the binary cache.
    var parts: (pool: [UInt8], ends: [Int], hashes: [UInt32], table: [Int32]) { (pool, ends, hashes, table) }
}
