#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always)
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

/// Failure to read a binary image (cache file): truncated, corrupted or inconsistent data.
public struct ImageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Where image bytes go: a file (written in large chunks) or memory (tests).
public protocol ImageSink: AnyObject {
    func write(_ p: UnsafeRawBufferPointer) throws
}

/// Where image bytes come from: a file (read with `pread`, straight into the destination) or memory.
public protocol ImageSource: AnyObject {
    var size: Int { get }
    func read(into p: UnsafeMutableRawBufferPointer, at offset: Int) throws
}

public final class MemorySink: ImageSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ p: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: p) }
}

public final class MemorySource: ImageSource {
    let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int { bytes.count }
    public func read(into p: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        guard offset >= 0, offset <= bytes.count, p.count <= bytes.count - offset else { throw ImageError("truncated") }
        if p.count > 0 { bytes.withUnsafeBytes { p.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + p.count)])) } }
    }
}

/// Writes to an open file descriptor (not closed here).
public final class FileSink: ImageSink {
    let fd: Int32
    public init(fd: Int32) { self.fd = fd }
    public func write(_ p: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < p.count {
            let n = systemWrite(fd, p.baseAddress! + off, p.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("write failed (errno \(errno))")
            }
            off += n
        }
    }
}

/// Reads from an open file descriptor (not closed here).
public final class FileSource: ImageSource {
    let fd: Int32
    public let size: Int
    public init?(fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        self.fd = fd
        size = Int(st.st_size)
    }
    public func read(into p: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        guard offset >= 0, p.count <= size - offset else { throw ImageError("truncated") }
        var done = 0
        while done < p.count {
            let n = pread(fd, p.baseAddress! + done, p.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("read failed (errno \(errno))")
            }
            if n == 0 { throw ImageError("truncated") }
            done += n
        }
    }
}

/// A fast 64-bit checksum (four independent multiply-xorshift lanes over 32-byte blocks) that
/// detects a corrupted or truncated image. Not cryptographic: the cache is a local derived file.
public func imageChecksum(_ p: UnsafeRawBufferPointer) -> UInt64 {
    var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count), b: UInt64 = 0xBF58_476D_1CE4_E5B9
    var c: UInt64 = 0x94D0_49BB_1331_11EB, d: UInt64 = 0xD6E8_FEB8_6659_FD93
    let n = p.count
    var i = 0
    while i + 32 <= n {
        a = (a ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
        b = (b ^ p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
        c = (c ^ p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* 0xD6E8_FEB8_6659_FD93
        d = (d ^ p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
        a ^= a >> 31; b ^= b >> 29; c ^= c >> 32; d ^= d >> 30
        i += 32
    }
    var tail: UInt64 = 0, shift: UInt64 = 0, h = a ^ (b &* 3) ^ (c &* 5) ^ (d &* 7)
    while i < n {
        tail |= UInt64(p[i]) << shift
        shift += 8
        i += 1
        if shift == 64 {
            h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            tail = 0
            shift = 0
        }
    }
    h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 29
    return h
}

/// Writes an image as a sequence of sections: each a header (element count, byte length,
/// checksum) followed by the raw bytes of an array (written straight from the array's storage).
public struct ImageWriter {
    let sink: ImageSink
    public init(_ sink: ImageSink) { self.sink = sink }

    public func array<T: BitwiseCopyable>(_ a: [T]) throws {
        try a.withUnsafeBytes { raw in
            var head: [UInt64] = [UInt64(a.count), UInt64(raw.count), imageChecksum(raw)]
            try head.withUnsafeMutableBytes { try sink.write(UnsafeRawBufferPointer($0)) }
            if raw.count > 0 { try sink.write(raw) }
        }
    }

    public func buffer<T: BitwiseCopyable>(_ p: UnsafeBufferPointer<T>) throws {
        let raw = UnsafeRawBufferPointer(p)
        var head: [UInt64] = [UInt64(p.count), UInt64(raw.count), imageChecksum(raw)]
        try head.withUnsafeMutableBytes { try sink.write(UnsafeRawBufferPointer($0)) }
        if raw.count > 0 { try sink.write(raw) }
    }

    /// A section of structured data (strings, small records) encoded with `ByteWriter`.
    public func bytes(_ w: ByteWriter) throws { try array(w.bytes) }
}

/// Reads the sections `ImageWriter` wrote, each straight into a new array, checking its length
/// and checksum.
public struct ImageReader {
    let source: ImageSource
    public private(set) var offset = 0
    public init(_ source: ImageSource, offset: Int = 0) {
        self.source = source
        self.offset = offset
    }

    public var isAtEnd: Bool { offset == source.size }

    /// The next section as an array of `T` (at most `maxCount` elements).
    public mutating func array<T: BitwiseCopyable>(_: T.Type, maxCount: Int = .max) throws -> [T] {
        let (n, length, checksum) = try sectionHeader(T.self, maxCount: maxCount)
        let out = try [T](unsafeUninitializedCapacity: n) { buf, initialized in
            try readBody(into: UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(buf.baseAddress), count: length),
                         checksum: checksum)
            initialized = n
        }
        offset += length
        return out
    }

    /// The next section straight into manually managed storage (the interner's buffers).
    mutating func rawBuffer<T: BitwiseCopyable>(_: T.Type, maxCount: Int = .max) throws -> RawBuffer<T> {
        let (count, length, checksum) = try sectionHeader(T.self, maxCount: maxCount)
        var buf = RawBuffer<T>(capacity: count)
        do {
            try readBody(into: UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(buf.base), count: length),
                         checksum: checksum)
        } catch {
            buf.free()
            throw error
        }
        buf.setCount(count)
        offset += length
        return buf
    }

    /// Reads the next section's header (element count, byte length, checksum) and checks that the
    /// length fits `T`, `maxCount` and what is left of the image; `offset` then points at the body.
    private mutating func sectionHeader<T: BitwiseCopyable>(_: T.Type, maxCount: Int) throws -> (count: Int, length: Int, checksum: UInt64) {
        var head = [UInt64](repeating: 0, count: 3)
        try head.withUnsafeMutableBytes { try source.read(into: $0, at: offset) }
        offset += 24
        let count = head[0], length = head[1]
        let stride = UInt64(MemoryLayout<T>.stride)
        guard count <= UInt64(Int.max) / max(stride, 1), count * stride == length, Int(count) <= maxCount,
              length <= UInt64(source.size - offset)
        else { throw ImageError("bad section length") }
        return (Int(count), Int(length), head[2])
    }

    /// Reads a section body of `raw.count` bytes at `offset` and checks its checksum.
    private func readBody(into raw: UnsafeMutableRawBufferPointer, checksum: UInt64) throws {
        if raw.count > 0 { try source.read(into: raw, at: offset) }
        guard imageChecksum(UnsafeRawBufferPointer(raw)) == checksum else { throw ImageError("checksum mismatch") }
    }

    /// The next section as structured bytes.
    public mutating func bytes() throws -> [UInt8] { try array(UInt8.self) }
}

// MARK: Byte buffers for structured sections

public struct ByteWriter {
    public var bytes: [UInt8] = []
    public init() {}

    public mutating func byte(_ b: UInt8) { bytes.append(b) }

    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func u64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8))) }
    }

    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            varint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    public mutating func optString(_ s: String?) {
        if let s {
            byte(1)
            string(s)
        } else {
            byte(0)
        }
    }

    /// A property value (every case of `Value`).
    public mutating func value(_ v: Value) {
        switch v {
        case .null: byte(0)
        case .bool(let b): byte(b ? 2 : 1)
        case .int(let i): byte(3); u64(UInt64(bitPattern: i))
        case .float(let d): byte(4); u64(d.bitPattern)
        case .string(let s): byte(5); string(s)
        case .list(let l):
            byte(6)
            varint(UInt64(l.count))
            for x in l { value(x) }
        case .temporal(let t):
            byte(7)
            byte(UInt8(TemporalValue.Kind.allCases.firstIndex(of: t.kind)!))
            string(t.text)
        }
    }
}

public struct ByteReader {
    let base: UnsafeRawBufferPointer
    public private(set) var position: Int

    public init(_ base: UnsafeRawBufferPointer, position: Int = 0) {
        self.base = base
        self.position = position
    }

    public var remaining: Int { base.count - position }

    public mutating func byte() throws -> UInt8 {
        guard position < base.count else { throw ImageError("truncated") }
        let b = base[position]
        position += 1
        return b
    }

    public mutating func varint() throws -> UInt64 {
        var out: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < base.count else { throw ImageError("truncated") }
            let b = base[position]
            position += 1
            guard shift < 64 else { throw ImageError("varint too long") }
            out |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return out }
            shift += 7
        }
    }

    /// A count that must not exceed `limit` (each counted item takes at least one byte).
    public mutating func count(limit: Int) throws -> Int {
        let v = try varint()
        guard v <= UInt64(max(limit, 0)) else { throw ImageError("count \(v) exceeds the data") }
        return Int(v)
    }

    /// A non-negative number that fits 32 bits.
    public mutating func small() throws -> Int {
        let v = try varint()
        guard v <= UInt64(Int32.max) else { throw ImageError("number out of range") }
        return Int(v)
    }

    public mutating func u64() throws -> UInt64 {
        guard remaining >= 8 else { throw ImageError("truncated") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[position + i]) << (UInt64(i) * 8) }
        position += 8
        return v
    }

    public mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw ImageError("truncated") }
        let out = UnsafeRawBufferPointer(rebasing: base[position..<(position + n)])
        position += n
        return out
    }

    public mutating func string() throws -> String {
        let n = try count(limit: remaining)
        let b = try bytes(n)
        return String(decoding: b, as: UTF8.self)
    }

    public mutating func optString() throws -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        default: throw ImageError("bad optional tag")
        }
    }

    public mutating func value(depth: Int = 0) throws -> Value {
        guard depth < 64 else { throw ImageError("list nesting too deep") }
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(Int64(bitPattern: try u64()))
        case 4: return .float(Double(bitPattern: try u64()))
        case 5: return .string(try string())
        case 6:
            let c = try count(limit: remaining)
            var l: [Value] = []
            l.reserveCapacity(c)
            for _ in 0..<c { l.append(try value(depth: depth + 1)) }
            return .list(l)
        case 7:
            let k = Int(try byte())
            guard k < TemporalValue.Kind.allCases.count else { throw ImageError("bad temporal kind") }
            return .temporal(TemporalValue(kind: TemporalValue.Kind.allCases[k], text: try string()))
        default: throw ImageError("bad value tag")
        }
    }
}
