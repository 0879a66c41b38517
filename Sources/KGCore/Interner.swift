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

/// A growable buffer of trivial values with manual storage (no copy-on-write, no reference
/// counting on access): the interner's arrays, read in the loader's innermost loops.
struct RawBuffer<T: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    init(_ array: [T]) {
        self.init(capacity: array.count)
        array.withUnsafeBufferPointer { if let b = $0.baseAddress { base.initialize(from: b, count: array.count) } }
        count = array.count
    }

    func free() { base.deallocate() }

    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        var c = capacity
        while c < n { c *= 2 }
        let nb = UnsafeMutablePointer<T>.allocate(capacity: c)
        nb.initialize(from: base, count: count)
        base.deallocate()
        base = nb
        capacity = c
    }

    @inline(__always) mutating func append(_ v: T) {
        if count == capacity { reserve(count + 1) }
        base[count] = v
        count += 1
    }

    mutating func append(_ p: UnsafePointer<T>, _ n: Int) {
        if count + n > capacity { reserve(count + n) }
        (base + count).initialize(from: p, count: n)
        count += n
    }

    var array: [T] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Declares the first `n` elements initialised (after filling `base` directly).
    mutating func setCount(_ n: Int) {
        precondition(n <= capacity)
        count = n
    }
}

/// Maps strings to dense integer symbols and back. Property keys, labels, relation types, node
/// keys and string property values are interned, so the graph stores and compares integers.
///
/// Storage is flat — the UTF-8 bytes of every string back to back, the end offset of each string,
/// its hash, and an open-addressing hash table of symbol numbers — so a table of a million
/// strings is a handful of allocations, and the binary graph cache restores it by reading the
/// arrays back (the hash function is fixed, not seeded per process). Strings are materialised
/// as `String` only when asked for (`subscript`, `string(_:)`).
///
/// Not thread-safe for writes; concurrent reads are safe.
public final class Interner: @unchecked Sendable {
    /// UTF-8 bytes of all strings, back to back.
    private var pool: RawBuffer<UInt8>
    /// `ends[i]` is the end offset of string i in `pool`; its start is `ends[i - 1]` (0 for i = 0).
    private var ends: RawBuffer<Int>
    /// 32-bit hash of each string (speeds up probing and growing).
    private var hashes: RawBuffer<UInt32>
    /// Open addressing, linear probing; -1 marks a free slot. Capacity is a power of two.
    private var table: RawBuffer<Int32>
    private var mask: Int

    public init() {
        pool = RawBuffer(capacity: 256)
        ends = RawBuffer(capacity: 16)
        hashes = RawBuffer(capacity: 16)
        table = RawBuffer([Int32](repeating: -1, count: 16))
        mask = 15
        let h = Self.hash(UnsafeRawBufferPointer(start: nil, count: 0))
        ends.append(0)
        hashes.append(h)
        insertIntoTable(id: 0, hash: h)
    }

    /// Restores an interner from its buffers (see `GraphImage`), taking ownership of them; nil
    /// (and the buffers freed) when they are inconsistent.
    init?(pool: RawBuffer<UInt8>, ends: RawBuffer<Int>, hashes: RawBuffer<UInt32>, table: RawBuffer<Int32>) {
        func fail() -> Bool { pool.free(); ends.free(); hashes.free(); table.free(); return false }
        var ok = ends.count > 0 && ends.count == hashes.count && ends[0] == 0 && ends[ends.count - 1] <= pool.count
            && table.count >= 2 && table.count & (table.count - 1) == 0 && table.count >= 2 * ends.count
        if ok {
            var prev = 0
            for i in 0..<ends.count {
                if ends[i] < prev { ok = false; break }
                prev = ends[i]
            }
        }
        if ok {
            var filled = 0
            for i in 0..<table.count where table[i] != -1 {
                if table[i] < 0 || Int(table[i]) >= ends.count { ok = false; break }
                filled += 1
            }
            ok = ok && filled == ends.count
        }
        guard ok else { _ = fail(); return nil }
        self.pool = pool
        self.ends = ends
        self.hashes = hashes
        self.table = table
        mask = table.count - 1
        // Every stored hash must be right and findable: a linear pass, cheap next to what a wrong
        // table would cost. (On failure deinit frees the buffers.)
        for i in 0..<ends.count {
            let h = bytes(i) { Self.hash($0) }
            guard hashes[i] == h, find(UnsafeRawBufferPointer(start: self.pool.base + start(i), count: ends[i] - start(i)), h) == Int32(i)
            else { return nil }
        }
    }

    deinit {
        pool.free(); ends.free(); hashes.free(); table.free()
    }

    public var count: Int { ends.count }

    @inline(__always) private func start(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

    // MARK: Hashing

    /// A fixed (unseeded) 32-bit hash of bytes: word-wise multiply-xorshift.
    @inline(__always)
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
        let a = start(id)
        return body(UnsafeRawBufferPointer(start: pool.base + a, count: ends[id] - a))
    }

    private func insertIntoTable(id: Int32, hash: UInt32) {
        var slot = Int(hash) & mask
        while table[slot] != -1 { slot = (slot + 1) & mask }
        table[slot] = id
    }

    private func grow() {
        let newCount = (mask + 1) * 2
        table.free()
        table = RawBuffer([Int32](repeating: -1, count: newCount))
        mask = newCount - 1
        for id in 0..<ends.count { insertIntoTable(id: Int32(id), hash: hashes[id]) }
    }

    // MARK: Lookup and interning

    /// The symbol of the UTF-8 bytes `p`, or nil when they were never interned.
    public func lookup(bytes p: UnsafeRawBufferPointer) -> Symbol? {
        find(p, Self.hash(p)).map { Symbol(raw: $0) }
    }

    @inline(__always)
    func find(_ p: UnsafeRawBufferPointer, _ h: UInt32) -> Int32? {
        var slot = Int(h) & mask
        let n = p.count
        while true {
            let id = table[slot]
            if id < 0 { return nil }
            if hashes[Int(id)] == h {
                let a = start(Int(id))
                if ends[Int(id)] - a == n && Self.equal(pool.base + a, p.baseAddress, n) { return id }
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    static func equal(_ x: UnsafePointer<UInt8>, _ y: UnsafeRawPointer?, _ n: Int) -> Bool {
        guard n > 0, let y else { return true }
        if n <= 8 {
            var i = 0
            let yb = y.assumingMemoryBound(to: UInt8.self)
            while i < n {
                if x[i] != yb[i] { return false }
                i += 1
            }
            return true
        }
        return memcmp(x, y, n) == 0
    }

    /// Interns the UTF-8 bytes `p` (which must be valid UTF-8).
    @discardableResult
    public func intern(bytes p: UnsafeRawBufferPointer) -> Symbol {
        let h = Self.hash(p)
        if let id = find(p, h) { return Symbol(raw: id) }
        let id = Int32(ends.count)
        if let b = p.baseAddress { pool.append(b.assumingMemoryBound(to: UInt8.self), p.count) }
        ends.append(pool.count)
        hashes.append(h)
        if ends.count * 2 > mask + 1 { grow() } else { insertIntoTable(id: id, hash: h) }
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
        return ends[i] - start(i)
    }

    /// Calls `body` with the UTF-8 bytes of `sym` (valid only during the call).
    public func withBytes<R>(_ sym: Symbol, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let a = start(Int(sym.raw))
        return try body(UnsafeRawBufferPointer(start: pool.base + a, count: ends[Int(sym.raw)] - a))
    }

    /// The UTF-8 bytes of `sym` in place. Valid until the next `intern` into this interner (which
    /// may move its storage): for reading a finished interner, like a parsed chunk's.
    public func unsafeBytes(_ sym: Symbol) -> UnsafeRawBufferPointer {
        let a = start(Int(sym.raw))
        return UnsafeRawBufferPointer(start: pool.base + a, count: ends[Int(sym.raw)] - a)
    }

    /// Bytes the interner holds (pool, offsets, hashes and table), for memory accounting.
    public var memoryBytes: Int { pool.capacity + ends.capacity * 8 + hashes.capacity * 4 + table.capacity * 4 }

    /// The arrays `GraphImage` writes to the binary cache.
    var parts: (pool: [UInt8], ends: [Int], hashes: [UInt32], table: [Int32]) { (pool.array, ends.array, hashes.array, table.array) }

    /// Calls `body` with the raw storage (for writing the cache without copies).
    func withParts<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pool.base, count: pool.count), UnsafeBufferPointer(start: ends.base, count: ends.count),
                 UnsafeBufferPointer(start: hashes.base, count: hashes.count), UnsafeBufferPointer(start: table.base, count: mask + 1))
    }
}
