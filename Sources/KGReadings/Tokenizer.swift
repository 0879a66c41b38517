import Foundation
import KGCore

/// One word of a text, as the matcher sees it.
///
/// Offsets are UTF-8 byte offsets into the text. `id` is the word's number in the matcher's
/// vocabulary (normalised form), or -1 when no alias contains the word.
public struct WordToken: Sendable {
    public var start: Int32
    public var end: Int32
    public var id: Int32
    public var flags: UInt8

    /// The gap before this word is only white space and hyphens/dashes/underscores (one line
    /// break at most): a multi-word alias may continue across it.
    public static let joinable: UInt8 = 1
    /// The gap before this word holds other punctuation, but no paragraph break.
    public static let punct: UInt8 = 2
    /// The word was followed by a possessive `'s` (or `’s`), which is not part of it.
    public static let possessive: UInt8 = 4
    /// Every letter of the word is upper case (and it has at least two letters).
    public static let allCaps: UInt8 = 8
    /// The word's first letter is upper case.
    public static let capitalised: UInt8 = 16
    /// The word holds a non-ASCII byte.
    public static let nonASCII: UInt8 = 32
}

/// Splits text into words and maps each word to a vocabulary id through `Vocabulary`.
///
/// Word characters are ASCII letters and digits and any Unicode letter, mark or number; an
/// apostrophe between letters stays in the word ("don't"), a trailing `'s` is a possessive.
/// Everything else separates words. Case is folded (ASCII fast path; NameKey for the rest).
enum Tokenizer {
    @inline(__always) static func isASCIIWord(_ b: UInt8) -> Bool {
        (b &- 0x61) < 26 || (b &- 0x41) < 26 || (b &- 0x30) < 10
    }

    /// Decodes the scalar starting at `i` (a byte >= 0x80). Returns the scalar value and length;
    /// invalid sequences decode as U+FFFD of length 1.
    @inline(__always) static func decode(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(p[i])
        let n = p.count
        if b0 & 0xE0 == 0xC0, i + 1 < n { return (((b0 & 0x1F) << 6) | (UInt32(p[i + 1]) & 0x3F), 2) }
        if b0 & 0xF0 == 0xE0, i + 2 < n {
            return (((b0 & 0x0F) << 12) | ((UInt32(p[i + 1]) & 0x3F) << 6) | (UInt32(p[i + 2]) & 0x3F), 3)
        }
        if b0 & 0xF8 == 0xF0, i + 3 < n {
            return (((b0 & 0x07) << 18) | ((UInt32(p[i + 1]) & 0x3F) << 12) | ((UInt32(p[i + 2]) & 0x3F) << 6)
                    | (UInt32(p[i + 3]) & 0x3F), 4)
        }
        return (0xFFFD, 1)
    }

    /// Separators that may sit inside a multi-word alias: hyphens, dashes, no-break space.
    @inline(__always) static func isJoinerScalar(_ v: UInt32) -> Bool {
        v == 0xA0 || (v >= 0x2010 && v <= 0x2015) || v == 0x2212 || v == 0x202F || v == 0x2009
    }

    @inline(__always) static func isWordScalar(_ v: UInt32) -> Bool {
        if isJoinerScalar(v) { return false }
        guard let s = Unicode.Scalar(v) else { return false }
        let p = s.properties
        return p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
            || p.generalCategory == .spacingMark
    }

    /// Byte classes for the fast path: 0 space/tab/CR/hyphen/underscore, 1 line feed, 2 other
    /// ASCII punctuation, 3 lower-case letter or digit, 4 upper-case letter, 5 apostrophe, 6 non-ASCII.
    static let byteClass: [UInt8] = (0..<256).map { (b: Int) -> UInt8 in
        switch b {
        case 0x20, 0x09, 0x0D, 0x2D, 0x5F, 0x2A: return 0  // '*' too: emphasis in plain text
        case 0x0A: return 1
        case 0x61...0x7A, 0x30...0x39: return 3
        case 0x41...0x5A: return 4
        case 0x27: return 5
        case 0x80...0xFF: return 6
        default: return 2
        }
    }
    /// ASCII case folding for word bytes (other bytes map to 0).
    static let foldTable: [UInt8] = (0..<256).map { (b: Int) -> UInt8 in
        switch b {
        case 0x61...0x7A, 0x30...0x39: return UInt8(b)
        case 0x41...0x5A: return UInt8(b | 0x20)
        default: return 0
        }
    }

    /// Tokenizes `bytes`, looking each word up in `vocab` (nil: ids stay -1).
    /// `addUnknown` adds every word to the vocabulary (used when tokenizing aliases).
    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, vocab: Vocabulary?, addUnknown: Bool = false,
                         into out: inout [WordToken]) {
        let n = bytes.count
        guard n > 0, let p = bytes.baseAddress else { return }
        // A local array, not the captured `out`: a captured var pays a dynamic exclusivity check per append.
        var local: [WordToken] = []
        swap(&local, &out)
        defer { swap(&local, &out) }
        byteClass.withUnsafeBufferPointer { clsBuf in
        foldTable.withUnsafeBufferPointer { foldBuf in
            var out: [WordToken] = []
            swap(&out, &local)
            defer { swap(&out, &local) }
            let cls = clsBuf.baseAddress!, fold = foldBuf.baseAddress!
            var i = 0
            var gapNewlines = 0
            var gapOther = false
            var scratch: [UInt8] = []
            while i < n {
                let b = p[i]
                let k = cls[Int(b)]
                // ---- gap bytes
                if k < 3 {
                    if k == 1 { gapNewlines += 1 } else if k == 2 { gapOther = true }
                    i += 1
                    continue
                }
                if k == 5 { gapOther = true; i += 1; continue }
                if k == 6 {
                    let (v, len) = decode(bytes, i)
                    if !isWordScalar(v) {
                        if !isJoinerScalar(v) { gapOther = true }
                        i += len
                        continue
                    }
                }
                // ---- a word starts at i
                var flags: UInt8
                if gapNewlines >= 2 { flags = 0 } else if gapOther { flags = WordToken.punct } else { flags = WordToken.joinable }
                let start = i
                var ascii = true
                var simple = true  // only ASCII letters and digits: folding is `| 0x20`
                // Fast loop over ASCII letters and digits.
                while i < n && fold[Int(p[i])] != 0 { i += 1 }
                if i < n && (cls[Int(p[i])] >= 5) {
                    // Apostrophe or non-ASCII inside or right after the word: the careful path.
                    let r = slowWord(bytes, start)
                    simple = r.end == i
                    i = r.end
                    ascii = r.ascii
                }
                let end = i
                // possessive 's / ’s
                if i < n {
                    if p[i] == 0x27, i + 1 < n, p[i + 1] | 0x20 == 0x73 { flags |= WordToken.possessive; i += 2 }
                    else if p[i] == 0xE2, i + 3 < n, p[i + 1] == 0x80, p[i + 2] == 0x99, p[i + 3] | 0x20 == 0x73 {
                        flags |= WordToken.possessive; i += 4
                    }
                }
                // case flags
                let first = p[start]
                if cls[Int(first)] == 4 {
                    flags |= WordToken.capitalised
                    if ascii && end - start >= 2 {
                        var upper = 0, lower = 0
                        for q in start..<end { let c = cls[Int(p[q])]; if c == 4 { upper += 1 } else if p[q] >= 0x61 { lower += 1 } }
                        if upper >= 2 && (lower == 0 || (lower == 1 && p[end - 1] == 0x73)) { flags |= WordToken.allCaps }
                    }
                } else if !ascii, first >= 0x80 {
                    let (v, _) = decode(bytes, start)
                    if let s = Unicode.Scalar(v), s.properties.isUppercase { flags |= WordToken.capitalised }
                }
                var id: Int32 = -1
                if let vocab {
                    if simple && !addUnknown {
                        id = vocab.lookupSimple(p, start, end, n)
                    } else if ascii {
                        scratch.removeAll(keepingCapacity: true)
                        for q in start..<end { scratch.append(p[q] == 0x27 ? 0x27 : fold[Int(p[q])]) }
                        id = scratch.withUnsafeBufferPointer { sp in
                            let hh = Vocabulary.hash(sp, 0, sp.count)
                            return addUnknown ? vocab.intern(hash: hh, sp, 0, sp.count, foldASCII: false)
                                : vocab.lookup(hash: hh, sp, 0, sp.count, foldASCII: false)
                        }
                    } else {
                        flags |= WordToken.nonASCII
                        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                        let norm = NameKey.normalize(word.replacingOccurrences(of: "\u{2019}", with: "'"))
                        scratch.removeAll(keepingCapacity: true)
                        scratch.append(contentsOf: norm.utf8)
                        id = scratch.withUnsafeBufferPointer { sp in
                            let hh = Vocabulary.hash(sp, 0, sp.count)
                            return addUnknown ? vocab.intern(hash: hh, sp, 0, sp.count, foldASCII: false)
                                : vocab.lookup(hash: hh, sp, 0, sp.count, foldASCII: false)
                        }
                    }
                } else if !ascii {
                    flags |= WordToken.nonASCII
                }
                out.append(WordToken(start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end), id: id, flags: flags))
                gapNewlines = 0
                gapOther = flags & WordToken.possessive != 0
            }
        }
        }
    }

    /// The end of the word starting at `start`, handling apostrophes and non-ASCII letters.
    static func slowWord(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> (end: Int, ascii: Bool) {
        let n = bytes.count
        var i = start
        var ascii = true
        while i < n {
            let c = bytes[i]
            if c < 0x80 {
                if isASCIIWord(c) {
                    i += 1
                } else if c == 0x27, i + 1 < n, (bytes[i + 1] &- 0x61) < 26 || (bytes[i + 1] &- 0x41) < 26 {
                    // an apostrophe followed by a letter: a possessive 's ends the word, else it is inside it
                    if (bytes[i + 1] | 0x20) == 0x73 && (i + 2 >= n || !continuesWord(bytes, i + 2)) { break }
                    i += 1
                } else { break }
            } else {
                let (v, len) = decode(bytes, i)
                if v == 0x2019, i + len < n, isLetterAt(bytes, i + len) {
                    if (bytes[i + len] | 0x20) == 0x73 && (i + len + 1 >= n || !continuesWord(bytes, i + len + 1)) { break }
                    ascii = false
                    i += len
                    continue
                }
                if !isWordScalar(v) { break }
                ascii = false
                i += len
            }
        }
        return (i, ascii)
    }

    @inline(__always) static func isLetterAt(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let c = p[i]
        if c < 0x80 { return (c &- 0x61) < 26 || (c &- 0x41) < 26 }
        let (v, _) = decode(p, i)
        return Unicode.Scalar(v)?.properties.isAlphabetic ?? false
    }

    @inline(__always) static func continuesWord(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let c = p[i]
        if c < 0x80 { return isASCIIWord(c) }
        let (v, _) = decode(p, i)
        return isWordScalar(v)
    }
}

/// Normalised words → dense ids, an open-addressing table over a byte pool (no String per lookup).
/// Storage is manually managed so that lookups in the scan loop touch raw memory only.
final class Vocabulary {
    private var pool: UnsafeMutablePointer<UInt8>
    private var poolCount = 0
    private var poolCapacity: Int
    // Per word: offset, length, hash.
    private var offsets: UnsafeMutablePointer<Int32>
    private var lengths: UnsafeMutablePointer<Int32>
    private var hashes: UnsafeMutablePointer<UInt64>
    /// The first 8 bytes of each word, little-endian, zero-padded.
    private var firstChunk: UnsafeMutablePointer<UInt64>
    private var wordCapacity: Int
    private(set) var count = 0
    private var slots: UnsafeMutablePointer<Int32>  // id+1, 0 = empty
    private var slotCount: Int
    private var mask: Int

    init(capacity: Int = 1024) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        slotCount = c
        mask = c - 1
        slots = .allocate(capacity: c)
        slots.initialize(repeating: 0, count: c)
        wordCapacity = max(16, capacity)
        offsets = .allocate(capacity: wordCapacity)
        lengths = .allocate(capacity: wordCapacity)
        hashes = .allocate(capacity: wordCapacity)
        firstChunk = .allocate(capacity: wordCapacity)
        poolCapacity = wordCapacity * 8
        pool = .allocate(capacity: poolCapacity)
    }

    deinit {
        slots.deallocate()
        offsets.deallocate()
        lengths.deallocate()
        hashes.deallocate()
        firstChunk.deallocate()
        pool.deallocate()
    }

    func word(_ id: Int32) -> String {
        let o = Int(offsets[Int(id)]), l = Int(lengths[Int(id)])
        return String(decoding: UnsafeBufferPointer(start: pool + o, count: l), as: UTF8.self)
    }

    /// The word hash over 8-byte little-endian chunks of the (folded) word, one multiply-xorshift
    /// per chunk: most words are one chunk, so the scan pays one mix per word, none per byte.
    @inline(__always) static func mix(_ h: UInt64, _ chunk: UInt64) -> UInt64 {
        var x = (h ^ chunk) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return x
    }
    @inline(__always) static func finish(_ h: UInt64, _ len: Int) -> UInt64 {
        var x = h ^ UInt64(truncatingIfNeeded: len)
        x = (x ^ (x >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return x ^ (x >> 29)
    }
    /// Bytes [s, e) as one little-endian word (e - s <= 8), read byte by byte.
    @inline(__always) static func chunk(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        var v: UInt64 = 0
        var k = e
        while k > s { k -= 1; v = (v << 8) | UInt64(p[k]) }
        return v
    }
    static func hash(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        guard let p = b.baseAddress else { return finish(0, 0) }
        var h: UInt64 = 0
        var i = s
        while i < e { let j = Swift.min(i + 8, e); h = mix(h, chunk(p, i, j)); i = j }
        return finish(h, e - s)
    }

    /// Lookup of a word made only of ASCII letters and digits, folding with `| 0x20` on 8-byte
    /// loads (valid for letters and digits alike). `n` is the text length (no load past it).
    /// Words of up to 8 bytes (most) cost one load, one mix and one compare with `firstChunk`.
    @inline(__always) func lookupSimple(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ n: Int) -> Int32 {
        let len = e &- s
        guard len <= 8, s &+ 8 <= n else { return lookupSimpleLong(p, s, e) }
        let raw = UnsafeRawPointer(p + s).loadUnaligned(as: UInt64.self)
        let m: UInt64 = len == 8 ? UInt64.max : (UInt64(1) &<< UInt64(truncatingIfNeeded: len &* 8)) &- 1
        let v = (raw | 0x2020_2020_2020_2020) & m
        let h = Self.finish(Self.mix(0, v), len)
        var slot = Int(truncatingIfNeeded: h) & mask
        let sl = slots, fc = firstChunk, ln = lengths
        while true {
            let x = sl[slot]
            if x == 0 { return -1 }
            let id = Int(x &- 1)
            if fc[id] == v && Int(ln[id]) == len { return Int32(truncatingIfNeeded: id) }
            slot = (slot &+ 1) & mask
        }
    }

    /// Words longer than 8 bytes, or at the very end of the text: chunk by chunk, no allocation.
    private func lookupSimpleLong(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int32 {
        var h: UInt64 = 0
        var i = s
        while i < e {
            let j = Swift.min(i + 8, e)
            var v: UInt64 = 0
            var k = j
            while k > i { k -= 1; v = (v &<< 8) | UInt64(p[k] | 0x20) }
            h = Self.mix(h, v)
            i = j
        }
        h = Self.finish(h, e - s)
        let len = e - s
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let x = slots[slot]
            if x == 0 { return -1 }
            let id = Int(x - 1)
            if hashes[id] == h && Int(lengths[id]) == len {
                let q = pool + Int(offsets[id])
                var k = 0
                while k < len && q[k] == p[s + k] | 0x20 { k += 1 }
                if k == len { return Int32(id) }
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always) private func equal(_ id: Int, _ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ fold: Bool) -> Bool {
        let l = Int(lengths[id])
        guard l == e - s else { return false }
        let q = pool + Int(offsets[id])
        var k = 0
        if fold {
            while k < l {
                let c = p[s + k]
                if q[k] != c && q[k] != c | 0x20 { return false }  // the pool holds folded bytes
                k += 1
            }
        } else {
            while k < l { if q[k] != p[s + k] { return false }; k += 1 }
        }
        return true
    }

    @inline(__always) func lookup(hash h: UInt64, _ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, foldASCII: Bool) -> Int32 {
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = slots[i]
            if v == 0 { return -1 }
            let id = Int(v - 1)
            if hashes[id] == h && equal(id, p, s, e, foldASCII) { return Int32(id) }
            i = (i + 1) & mask
        }
    }

    func intern(hash h: UInt64, _ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, foldASCII: Bool) -> Int32 {
        let found = lookup(hash: h, p, s, e, foldASCII: foldASCII)
        if found >= 0 { return found }
        if (count + 1) * 2 > slotCount { growSlots() }
        if count == wordCapacity { growWords() }
        let len = e - s
        while poolCount + len > poolCapacity { growPool() }
        let id = count
        offsets[id] = Int32(poolCount)
        lengths[id] = Int32(len)
        hashes[id] = h
        for k in s..<e {
            var c = p[k]
            if foldASCII && (c &- 0x41) < 26 { c |= 0x20 }
            pool[poolCount] = c
            poolCount += 1
        }
        firstChunk[id] = Self.chunk(UnsafePointer(pool), offsets[id] == 0 ? 0 : Int(offsets[id]), Int(offsets[id]) + Swift.min(len, 8))
        count += 1
        insertSlot(id)
        return Int32(id)
    }

    func intern(_ word: String) -> Int32 {
        let bytes = Array(word.utf8)
        return bytes.withUnsafeBufferPointer { p in
            intern(hash: Self.hash(p, 0, p.count), p, 0, p.count, foldASCII: false)
        }
    }

    private func insertSlot(_ id: Int) {
        var i = Int(truncatingIfNeeded: hashes[id]) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Int32(id + 1)
    }

    private func growSlots() {
        slots.deallocate()
        slotCount *= 2
        mask = slotCount - 1
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        for id in 0..<count { insertSlot(id) }
    }

    private func growWords() {
        let c = wordCapacity * 2
        func move<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let q = UnsafeMutablePointer<T>.allocate(capacity: c)
            q.moveInitialize(from: p, count: count)
            p.deallocate()
            return q
        }
        offsets = move(offsets)
        lengths = move(lengths)
        hashes = move(hashes)
        firstChunk = move(firstChunk)
        wordCapacity = c
    }

    private func growPool() {
        let c = poolCapacity * 2
        let q = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        q.moveInitialize(from: pool, count: poolCount)
        pool.deallocate()
        pool = q
        poolCapacity = c
    }
}
