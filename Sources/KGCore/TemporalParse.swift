import Foundation

// ISO 8601 text of temporal values, in the forms openCypher accepts (the calendar, week and
// ordinal date forms, basic and extended notation, fractions of a second with `.` or `,`, UTC
// offsets to the second and named zones in brackets, durations with fractional parts and the
// alternative `PYYYY-MM-DDTHH:MM:SS` form).

extension Temporal {
    /// Parses the ISO 8601 text of a temporal value of the given kind.
    ///
    /// A time or date-time without a zone is in UTC. A time given with a named zone takes the
    /// zone's offset at `now` (seconds since the epoch; the current time when nil).
    /// Throws `TemporalError`.
    public static func parse(_ kind: TemporalValue.Kind, _ text: String, now: Int64? = nil) throws -> Temporal {
        let b = Array(text.utf8)
        func bad(_ what: String) -> TemporalError {
            TemporalError(.syntax, "'\(text)' is not a valid \(kind.rawValue): \(what)")
        }
        guard !b.isEmpty else { throw bad("the text is empty") }
        switch kind {
        case .duration:
            return .duration(try parseDuration(b, bad))
        case .date:
            return .date(try parseDate(b[...], bad))
        case .localtime:
            let (t, zone) = try parseTimeAndZone(b[...], bad)
            if zone != nil { throw bad("a local time has no time zone") }
            return .localTime(t)
        case .time:
            let (t, zone) = try parseTimeAndZone(b[...], bad)
            guard let zone else { return .time(t, offset: 0) }
            if let o = zone.offset { return .time(t, offset: o) }
            let name = try TimeZoneRules.checkedName(zone.name!)
            return .time(t, offset: TimeZoneRules.offset(of: name, atEpochSecond: now ?? Int64(Date().timeIntervalSince1970)))
        case .localdatetime, .datetime:
            let (dateBytes, rest) = splitAtT(b)
            let d = try parseDate(dateBytes, bad)
            var t = TimeOfDay.midnight
            var zone: ZoneText? = nil
            if let rest {
                (t, zone) = try parseTimeAndZone(rest, bad)
            }
            if kind == .localdatetime {
                if zone != nil { throw bad("a local date-time has no time zone") }
                return .localDateTime(d, t)
            }
            guard let zone else { return .dateTime(d, t, offset: 0, zone: nil) }
            if let name = zone.name {
                return try Temporal.zoned(d, t, zone: try TimeZoneRules.checkedName(name), preferredOffset: zone.offset)
            }
            return .dateTime(d, t, offset: zone.offset!, zone: nil)
        }
    }

    /// A date-time from local fields in a named zone: the offset in effect there; in an overlap
    /// the preferred offset when valid, else the earlier one; in a gap the local time moves
    /// forward by the length of the gap (java.time's rules).
    public static func zoned(_ d: CalendarDate, _ t: TimeOfDay, zone: String, preferredOffset: Int32? = nil) throws -> Temporal {
        let local = d.epochDay * 86_400 + t.secondOfDay
        let (offset, shift) = TimeZoneRules.resolve(zone, localEpochSecond: local, preferred: preferredOffset)
        if shift == 0 { return .dateTime(d, t, offset: offset, zone: zone) }
        return try fromLocal(local + shift, nanos: Int64(t.nanosecond), offset: offset, zone: zone)
    }

    /// A date-time at an instant, shown in a zone (named: its offset at that instant).
    public static func fromInstant(seconds: Int64, nanos: Int64, zone: TemporalZone) throws -> Temporal {
        switch zone {
        case .offset(let o): return try fromInstant(seconds: seconds, nanos: nanos, offset: o, zone: nil)
        case .named(let n): return try fromInstant(seconds: seconds, nanos: nanos, offset: TimeZoneRules.offset(of: n, atEpochSecond: seconds), zone: n)
        }
    }

    public static func fromInstant(seconds: Int64, nanos: Int64, offset: Int32, zone: String?) throws -> Temporal {
        try fromLocal(seconds + Int64(offset), nanos: nanos, offset: offset, zone: zone)
    }

    public static func fromLocal(_ local: Int64, nanos: Int64, offset: Int32, zone: String?) throws -> Temporal {
        let day = try CalendarDate.checked(epochDay: floorDiv(local, 86_400))
        return .dateTime(day, TimeOfDay(nanoOfDay: floorMod(local, 86_400) * TimeOfDay.nanosPerSecond + nanos), offset: offset, zone: zone)
    }
}

/// A time zone: a fixed UTC offset or a name from the time-zone database.
public enum TemporalZone: Hashable, Sendable {
    case offset(Int32)
    case named(String)

    /// Parses `Z`, `+01`, `+0100`, `+01:00`, `+01:00:30` or a zone name such as `Europe/Stockholm`
    /// (checked against the database). Throws `TemporalError`.
    public static func parse(_ text: String) throws -> TemporalZone {
        let b = Array(text.utf8)
        if let first = b.first, first == UInt8(ascii: "Z") || first == UInt8(ascii: "z") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-"),
           b.count == 1 || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            var i = 0
            guard let o = try parseOffset(b[...], &i, { TemporalError(.syntax, "'\(text)' is not a valid UTC offset: \($0)") }), i == b.count else {
                throw TemporalError(.syntax, "'\(text)' is not a valid UTC offset (use Z, +HH, +HHMM, +HH:MM or +HH:MM:SS)")
            }
            return .offset(o)
        }
        return .named(try TimeZoneRules.checkedName(text))
    }

    public var text: String {
        switch self {
        case .offset(let o): return formatOffset(o)
        case .named(let n): return n
        }
    }
}

// MARK: - Parsing pieces

struct ZoneText { var offset: Int32?; var name: String? }

private let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= nine }

/// Reads exactly `count` digits (or between `count` and `maxCount`) at `i`.
private func digits(_ b: ArraySlice<UInt8>, _ i: inout Int, _ count: Int, _ maxCount: Int? = nil) -> Int64? {
    var v: Int64 = 0, n = 0
    var j = i
    while j < b.endIndex, isDigit(b[j]), n < (maxCount ?? count) { v = v * 10 + Int64(b[j] - zero); j += 1; n += 1 }
    guard n >= count else { return nil }
    i = j
    return v
}

private func splitAtT(_ b: [UInt8]) -> (ArraySlice<UInt8>, ArraySlice<UInt8>?) {
    if let t = b.firstIndex(where: { $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") }) {
        return (b[..<t], b[(t + 1)...])
    }
    return (b[...], nil)
}

/// The date forms: `YYYY-MM-DD`, `YYYYMMDD`, `YYYY-MM`, `YYYYMM`, `YYYY-Www-D`, `YYYYWwwD`,
/// `YYYY-Www`, `YYYYWww`, `YYYY-DDD`, `YYYYDDD`, `YYYY`; a year beyond four digits or below
/// zero carries a sign (`+10000`, `-0001`).
private func parseDate(_ b: ArraySlice<UInt8>, _ bad: (String) -> TemporalError) throws -> CalendarDate {
    let s = b.startIndex, e = b.endIndex
    let W = UInt8(ascii: "W"), w = UInt8(ascii: "w"), dash = UInt8(ascii: "-"), plus = UInt8(ascii: "+")
    // Basic (short) forms: an unsigned four-digit year followed directly by the rest.
    if b.count >= 6, b[s..<s + 4].allSatisfy(isDigit), b[s + 4] != dash {
        var i = s
        let y = digits(b, &i, 4)!
        let rest = b[i...]
        if rest.allSatisfy(isDigit) {
            switch rest.count {
            case 2: return try CalendarDate(year: y, month: digits(b, &i, 2)!, day: 1)
            case 3: return try CalendarDate(year: y, ordinalDay: digits(b, &i, 3)!)
            case 4: let m = digits(b, &i, 2)!; return try CalendarDate(year: y, month: m, day: digits(b, &i, 2)!)
            default: break
            }
        } else if rest.first == W || rest.first == w {
            i += 1
            if let wk = digits(b, &i, 2) {
                if i == e { return try CalendarDate(weekYear: y, week: wk, dayOfWeek: 1) }
                if let dow = digits(b, &i, 1), i == e { return try CalendarDate(weekYear: y, week: wk, dayOfWeek: dow) }
            }
        }
        throw bad("expected a date such as 2015-07-21, 20150721, 2015-W30-2 or 2015-202")
    }
    // Extended (long) forms.
    var i = s
    var y: Int64
    if i < e, b[i] == plus || b[i] == dash {
        let neg = b[i] == dash
        i += 1
        guard let v = digits(b, &i, 1, 9) else { throw bad("expected the digits of the year after the sign") }
        y = neg ? -v : v
    } else {
        guard let v = digits(b, &i, 4) else { throw bad("expected a four-digit year (or a sign and up to nine digits)") }
        y = v
    }
    if i == e { return try CalendarDate(year: y, month: 1, day: 1) }
    var j = i
    if b[j] == dash { j += 1 }
    if j < e, b[j] == W || b[j] == w {
        j += 1
        guard let wk = digits(b, &j, 1, 2) else { throw bad("expected the week number after W") }
        if j == e { return try CalendarDate(weekYear: y, week: wk, dayOfWeek: 1) }
        guard b[j] == dash else { throw bad("expected '-' and the day of the week after the week") }
        j += 1
        guard let dow = digits(b, &j, 1), j == e else { throw bad("expected one digit for the day of the week") }
        return try CalendarDate(weekYear: y, week: wk, dayOfWeek: dow)
    }
    guard b[i] == dash else { throw bad("expected '-' after the year") }
    i += 1
    // -DDD (ordinal) when exactly three digits follow.
    var k = i
    if let od = digits(b, &k, 3), k == e { return try CalendarDate(year: y, ordinalDay: od) }
    guard let m = digits(b, &i, 1, 2) else { throw bad("expected the month after the year") }
    if i == e { return try CalendarDate(year: y, month: m, day: 1) }
    guard b[i] == dash else { throw bad("expected '-' after the month") }
    i += 1
    guard let d = digits(b, &i, 1, 2), i == e else { throw bad("expected the day (one or two digits) after the month") }
    return try CalendarDate(year: y, month: m, day: d)
}

/// `HH:MM[:SS[.fff]]` or `HH[MM[SS[.fff]]]`, then optionally `Z`, an offset and/or `[Zone/Name]`.
private func parseTimeAndZone(_ b: ArraySlice<UInt8>, _ bad: (String) -> TemporalError) throws -> (TimeOfDay, ZoneText?) {
    let zoneStart = b.firstIndex { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "z") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "[") } ?? b.endIndex
    let t = try parseTime(b[b.startIndex..<zoneStart], bad)
    if zoneStart == b.endIndex { return (t, nil) }
    var i = zoneStart
    var zone = ZoneText()
    if b[i] != UInt8(ascii: "[") {
        guard let o = try parseOffset(b, &i, bad) else { throw bad("expected a UTC offset such as Z, +01:00 or -0530") }
        zone.offset = o
    }
    if i < b.endIndex {
        guard b[i] == UInt8(ascii: "["), b.last == UInt8(ascii: "]"), b.endIndex - i > 2 else {
            throw bad("unexpected text after the time; a zone name goes in brackets, e.g. [Europe/Stockholm]")
        }
        let name = String(decoding: b[(i + 1)..<(b.endIndex - 1)], as: UTF8.self)
        zone.name = name
    }
    return (t, zone)
}

private func parseTime(_ b: ArraySlice<UInt8>, _ bad: (String) -> TemporalError) throws -> TimeOfDay {
    let colon = UInt8(ascii: ":")
    var i = b.startIndex
    let e = b.endIndex
    guard i < e else { throw bad("expected a time after 'T'") }
    func fraction() throws -> Int64 {
        guard i < e, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") else { return 0 }
        i += 1
        let start = i
        guard var v = digits(b, &i, 1, 9) else { throw bad("expected digits after the decimal point") }
        for _ in 0..<(9 - (i - start)) { v *= 10 }
        return v
    }
    var h: Int64, m: Int64 = 0, s: Int64 = 0, ns: Int64 = 0
    if b.contains(colon) {
        guard let hh = digits(b, &i, 1, 2) else { throw bad("expected the hour") }
        h = hh
        guard i < e, b[i] == colon else { throw bad("expected ':' and the minute after the hour") }
        i += 1
        guard let mm = digits(b, &i, 1, 2) else { throw bad("expected the minute after ':'") }
        m = mm
        if i < e, b[i] == colon {
            i += 1
            guard let ss = digits(b, &i, 1, 2) else { throw bad("expected the second after ':'") }
            s = ss
            ns = try fraction()
        }
    } else {
        guard let hh = digits(b, &i, 2) else { throw bad("expected a two-digit hour") }
        h = hh
        if let mm = digits(b, &i, 2) {
            m = mm
            if let ss = digits(b, &i, 2) { s = ss; ns = try fraction() }
        }
    }
    guard i == e else { throw bad("unexpected '\(String(decoding: b[i...], as: UTF8.self))' in the time") }
    return try TimeOfDay(hour: h, minute: m, second: s, nanosecond: ns)
}

/// `Z` or `±HH[[:]MM[[:]SS]]`, at most ±18:00.
fileprivate func parseOffset(_ b: ArraySlice<UInt8>, _ i: inout Int, _ bad: (String) -> TemporalError) throws -> Int32? {
    guard i < b.endIndex else { return nil }
    if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") { i += 1; return 0 }
    guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
    let neg = b[i] == UInt8(ascii: "-")
    i += 1
    guard let h = digits(b, &i, 2) else { return nil }
    var m: Int64 = 0, s: Int64 = 0
    var j = i
    if j < b.endIndex, b[j] == UInt8(ascii: ":") { j += 1 }
    if let mm = digits(b, &j, 2) {
        m = mm; i = j
        var k = i
        if k < b.endIndex, b[k] == UInt8(ascii: ":") { k += 1 }
        if let ss = digits(b, &k, 2) { s = ss; i = k }
    }
    guard m < 60, s < 60 else { throw bad("the minutes and seconds of an offset must be below 60") }
    let total = h * 3600 + m * 60 + s
    guard total <= 18 * 3600 else { throw bad("a UTC offset must be between -18:00 and +18:00") }
    return Int32(neg ? -total : total)
}

/// `P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]` with optional signs and fractions on every part, or
/// `PYYYY-MM-DDTHH:MM:SS[.f]`; a sign before `P` negates the whole.
private func parseDuration(_ b: [UInt8], _ bad: (String) -> TemporalError) throws -> TemporalDuration {
    var i = 0
    var negate = false
    if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negate = b[i] == UInt8(ascii: "-"); i += 1 }
    guard i < b.count, b[i] == UInt8(ascii: "P") || b[i] == UInt8(ascii: "p") else { throw bad("a duration starts with 'P', as in P1Y2M3DT4H5M6S") }
    i += 1
    let rest = b[i...]
    // The alternative form PYYYY-MM-DDTHH:MM:SS.
    if rest.count >= 8, rest.prefix(4).allSatisfy(isDigit), rest.count > 4, (rest[rest.startIndex + 4] == UInt8(ascii: "-") || isDigit(rest[rest.startIndex + 4])),
       let t = rest.firstIndex(where: { $0 == UInt8(ascii: "T") }), rest[rest.startIndex..<t].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "-") }),
       rest[rest.startIndex..<t].count >= 8 {
        var j = rest.startIndex
        let dateEnd = t
        guard let y = digits(b[..<dateEnd], &j, 4) else { throw bad("expected a four-digit year") }
        if j < dateEnd, b[j] == UInt8(ascii: "-") { j += 1 }
        guard let mo = digits(b[..<dateEnd], &j, 2) else { throw bad("expected two digits for the months") }
        if j < dateEnd, b[j] == UInt8(ascii: "-") { j += 1 }
        guard let d = digits(b[..<dateEnd], &j, 2), j == dateEnd else { throw bad("expected two digits for the days") }
        j = t + 1
        guard let h = digits(b[...], &j, 2) else { throw bad("expected two digits for the hours") }
        if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
        guard let mi = digits(b[...], &j, 2) else { throw bad("expected two digits for the minutes") }
        if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
        guard let s = digits(b[...], &j, 2) else { throw bad("expected two digits for the seconds") }
        var ns: Int64 = 0
        if j < b.count, b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: ",") {
            j += 1
            let st = j
            guard var v = digits(b[...], &j, 1, 9) else { throw bad("expected digits after the decimal point") }
            for _ in 0..<(9 - (j - st)) { v *= 10 }
            ns = v
        }
        guard j == b.count else { throw bad("unexpected text after the seconds") }
        var r = try TemporalDuration(months: y * 12 + mo, days: d, seconds: h * 3600 + mi * 60 + s, nanos: ns)
        if negate { r = try r.negated() }
        return r
    }
    // The designator form.
    var months = Decimal(0), days = Decimal(0), seconds = Decimal(0)
    var inTime = false, sawAny = false, sawT = false
    let order: [UInt8] = Array("YMWD".utf8), timeOrder: [UInt8] = Array("HMS".utf8)
    var lastDate = -1, lastTime = -1
    while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "T") || c == UInt8(ascii: "t") {
            guard !inTime else { throw bad("'T' appears twice") }
            inTime = true; sawT = true; i += 1
            guard i < b.count else { throw bad("expected hours, minutes or seconds after 'T'") }
            continue
        }
        // A number: optional sign, digits, optional fraction.
        let start = i
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        let ds = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        guard i > ds else { throw bad("expected a number at '\(String(decoding: b[start...], as: UTF8.self))'") }
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            let fs = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > fs else { throw bad("expected digits after the decimal point") }
        }
        guard i < b.count else { throw bad("the number '\(String(decoding: b[start...], as: UTF8.self))' has no unit (Y, M, W, D, H, M or S)") }
        var numText = String(decoding: b[start..<i], as: UTF8.self).replacingOccurrences(of: ",", with: ".")
        if numText.hasPrefix("+") { numText.removeFirst() }
        guard let v = Decimal(string: numText, locale: Locale(identifier: "en_US_POSIX")) else { throw bad("bad number '\(numText)'") }
        let unit = b[i] & 0xDF  // upper case
        i += 1
        sawAny = true
        if !inTime {
            guard let k = order.firstIndex(of: unit), k > lastDate else { throw bad("unexpected unit '\(Character(Unicode.Scalar(unit)))' (the date part takes Y, M, W, D in this order)") }
            lastDate = k
            switch unit {
            case UInt8(ascii: "Y"): months += v * 12
            case UInt8(ascii: "M"): months += v
            case UInt8(ascii: "W"): days += v * 7
            default: days += v
            }
        } else {
            guard let k = timeOrder.firstIndex(of: unit), k > lastTime else { throw bad("unexpected unit '\(Character(Unicode.Scalar(unit)))' (the time part takes H, M, S in this order)") }
            lastTime = k
            switch unit {
            case UInt8(ascii: "H"): seconds += v * 3600
            case UInt8(ascii: "M"): seconds += v * 60
            default:
                if numText.contains("."), numText.split(separator: ".").last!.count > 9 { throw bad("seconds take at most nine decimals") }
                seconds += v
            }
        }
    }
    guard sawAny else { throw bad(sawT ? "expected hours, minutes or seconds after 'T'" : "expected at least one part, as in P1D or PT1S") }
    if negate { months = -months; days = -days; seconds = -seconds }
    return try TemporalDuration.approximate(months: months, days: days, seconds: seconds, nanos: 0)
}
