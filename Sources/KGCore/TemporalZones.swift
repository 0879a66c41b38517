import Foundation

/// Named time zones: their UTC offsets over history, from the time-zone database Foundation reads
/// (the IANA tz database as ICU ships it with the Swift runtime, so the answers are the same on
/// every machine and match java.time's, which openCypher's reference implementation uses).
public enum TimeZoneRules {
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var zones: [String: TimeZone?] = [:]
        var known: [String]? = nil
    }
    private static let cache = Cache()

    static func timeZone(_ name: String) -> TimeZone? {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let z = cache.zones[name] { return z }
        let z = TimeZone(identifier: name)
        cache.zones[name] = z
        return z
    }

    /// Every zone name the database knows, sorted.
    public static var knownNames: [String] {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let k = cache.known { return k }
        let k = TimeZone.knownTimeZoneIdentifiers.sorted()
        cache.known = k
        return k
    }

    public static func isKnown(_ name: String) -> Bool { timeZone(name) != nil }

    /// The name itself when the database knows it; otherwise a `TemporalError` that names the
    /// closest known zones.
    public static func checkedName(_ name: String) throws -> String {
        if isKnown(name) { return name }
        var msg = "unknown time zone '\(name)'"
        let near = suggestions(for: name)
        if !near.isEmpty { msg += "; did you mean " + near.map { "'\($0)'" }.joined(separator: " or ") + "?" }
        else { msg += " (use a name from the tz database such as 'Europe/Stockholm', or an offset such as '+01:00')" }
        throw TemporalError(.unknownZone, msg)
    }

    /// Up to three known zone names close to `name`.
    public static func suggestions(for name: String) -> [String] {
        Suggest.nearest(name, in: knownNames, limit: 3)
    }

    /// The zone's offset (seconds east of UTC) at an instant. Beyond the years the database
    /// covers the instant is moved by whole 400-year cycles (which keep weekdays and leap years),
    /// so the zone's current rules continue.
    public static func offset(of name: String, atEpochSecond s: Int64) -> Int32 {
        guard let tz = timeZone(name) else { return 0 }
        let cycle: Int64 = 146_097 * 86_400
        let limit: Int64 = 2_500 * cycle  // about a million years either way
        var t = s
        if t > limit { t -= ((t - limit) / cycle + 1) * cycle }
        if t < -limit { t += ((-limit - t) / cycle + 1) * cycle }
        return Int32(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
    }

    /// The offset of a local date-time (seconds since the epoch as if it were UTC) in the zone,
    /// resolved as java.time resolves it: the one valid offset; in an overlap (clocks set back)
    /// `preferred` when it is valid, else the earlier offset; in a gap (clocks set forward) the
    /// offset after the change, with `shift` the seconds by which the local time moves forward.
    public static func resolve(_ name: String, localEpochSecond l: Int64, preferred: Int32?) -> (offset: Int32, shift: Int64) {
        let before = offset(of: name, atEpochSecond: l - 86_400 * 2)
        let after = offset(of: name, atEpochSecond: l + 86_400 * 2)
        var candidates = [before]
        if after != before { candidates.append(after) }
        let valid = candidates.filter { offset(of: name, atEpochSecond: l - Int64($0)) == $0 }
        if let p = preferred, valid.contains(p) { return (p, 0) }
        if let first = valid.first { return (first, 0) }
        // No candidate is valid: a gap. Move forward by its length.
        let gap = Int64(after) - Int64(before)
        if gap > 0 { return (after, gap) }
        return (offset(of: name, atEpochSecond: l - Int64(before)), 0)
    }
}
