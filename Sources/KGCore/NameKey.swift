import Foundation

/// The normal form under which names and aliases are looked up: Unicode NFKC, case-folded,
/// hyphens, underscores and dashes read as spaces, runs of white space collapsed, trimmed.
/// "Red-Teaming", "red teaming" and "RED  TEAMING" share one key.
public enum NameKey {
    public static func normalize(_ s: String) -> String {
        var ascii = true
        for b in s.utf8 where b >= 0x80 { ascii = false; break }
        let folded: String
        if ascii {
            folded = s
        } else {
            folded = s.precomposedStringWithCompatibilityMapping.folding(
                options: [.caseInsensitive, .widthInsensitive], locale: nil)
        }
        var out = [UInt8]()
        out.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            let v = scalar.value
            let isSep = v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D || v == 0x2D || v == 0x5F
                || v == 0x2010 || v == 0x2011 || v == 0x2012 || v == 0x2013 || v == 0x2014 || v == 0xA0
            if isSep {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            if v < 0x80 {
                var b = UInt8(v)
                if b >= 0x41 && b <= 0x5A { b += 0x20 }
                out.append(b)
            } else {
                out.append(contentsOf: String(scalar).lowercased().utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
