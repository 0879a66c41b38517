import Foundation

/// A hash table from byte strings to `Int32`, for the GraphML reader's hot lookups (node ids,
/// key ids, relation type texts): a lookup hashes the bytes where the parser left them and
/// allocates nothing. Keys live in one arena; open addressing with linear probing.
struct ByteTable {
    private var arena: [UInt8] = []
    private var starts: [Int32] = [0]
    private var values: [Int32] = []
    private var hashes: [UInt32] = []
    /// Entry index + 1 per slot (0: empty). Power-of-two size, at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 64)

    var count: Int { values.count }

    /// Eight bytes at a time, multiply and fold (ids are short; this is not a defence against
    /// chosen collisions, which only cost probing).
    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
            h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        h = (h ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    @inline(__always) private func equal(_ e: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let s = Int(starts[e]), len = Int(starts[e + 1]) - s
        guard len == n else { return false }
        return arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + s, p, n) == 0 }
    }

    /// The value stored for the bytes, if any.
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let h = Self.hash(p, n)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            let e = Int(s) - 1
            if hashes[e] == h && equal(e, p, n) { return values[e] }
            i = (i + 1) & mask
        }
    }

    /// Stores `value` for the bytes unless they are present; returns the value stored before (nil
    /// when the bytes were new).
    @discardableResult
    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, _ value: Int32) -> Int32? {
        let h = Self.hash(p, n)
        var mask = slots.count - 1
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let e = Int(s) - 1
            if hashes[e] == h && equal(e, p, n) { return values[e] }
            i = (i + 1) & mask
        }
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        starts.append(Int32(arena.count))
        values.append(value)
        hashes.append(h)
        if values.count * 2 > slots.count {
            slots = Array(repeating: 0, count: slots.count * 2)
            mask = slots.count - 1
            for e in 0..<values.count {
                var j = Int(hashes[e]) & mask
                while slots[j] != 0 { j = (j + 1) & mask }
                slots[j] = Int32(e + 1)
            }
        } else {
            slots[i] = Int32(values.count)
        }
        return nil
    }

    func find(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { b in b.baseAddress.flatMap { find($0, b.count) } ?? (b.isEmpty ? findEmpty() : nil) }
    }

    @discardableResult
    mutating func insert(_ s: String, _ value: Int32) -> Int32? {
        var s = s
        return s.withUTF8 { b in
            if let p = b.baseAddress { return insert(p, b.count, value) }
            var z: UInt8 = 0
            return insert(&z, 0, value)
        }
    }

    private func findEmpty() -> Int32? {
        var z: UInt8 = 0
        return find(&z, 0)
    }
}
