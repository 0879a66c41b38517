/// Strict UTF-8 validation, shared by the .kg loader (its fast scanner and its diagnostics) and
/// the readers of `kg link` and `kg query --file`.
public enum UTF8Validation {
    /// Offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
    /// surrogates and values above U+10FFFF count as invalid), or nil when all of `b` is valid.
    public static func firstInvalid(_ b: [UInt8]) -> Int? {
        b.withUnsafeBufferPointer { buf in
            guard let p = buf.baseAddress else { return nil }
            return firstInvalid(p, 0, buf.count)
        }
    }

    /// The same over `p[start..<end]`; the offset returned counts from `p`.
    public static func firstInvalid(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end {
            // Eight ASCII bytes at a time.
            if i + 8 <= end {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            }
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            var len = 0
            var minV: UInt32 = 0
            var v: UInt32 = 0
            if c & 0xE0 == 0xC0 { len = 2; v = UInt32(c & 0x1F); minV = 0x80 }
            else if c & 0xF0 == 0xE0 { len = 3; v = UInt32(c & 0x0F); minV = 0x800 }
            else if c & 0xF8 == 0xF0 { len = 4; v = UInt32(c & 0x07); minV = 0x10000 }
            else { return i }
            guard i + len <= end else { return i }
            for k in 1..<len {
                guard p[i + k] & 0xC0 == 0x80 else { return i }
                v = v << 6 | UInt32(p[i + k] & 0x3F)
            }
            if v < minV || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { return i }
            i += len
        }
        return nil
    }
}
