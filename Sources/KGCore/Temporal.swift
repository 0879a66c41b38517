import Foundation

// Temporal values as openCypher defines them (after ISO 8601 and java.time, which Neo4j uses):
// dates on the proleptic Gregorian calendar from year -999,999,999 to 999,999,999, times of day to
// the nanosecond, UTC offsets to the second, named time zones, and durations of months, days,
// seconds and nanoseconds. This file holds the values, their calendar arithmetic, the ISO 8601
// text they are parsed from and printed as, and their canonical form; KGQuery builds the query
// functions on top.

/// Why a temporal value could not be made.
public struct TemporalError: Error, CustomStringConvertible, Sendable {
    public enum Reason: Sendable {
        /// The text is not ISO 8601 of the expected kind.
        case syntax
        /// A field or the result lies outside its range (month 13, year 10^10, …).
        case range
        /// The time-zone name is not in the time-zone database.
        case unknownZone
    }
    public let reason: Reason
    public let message: String
    public init(_ reason: Reason, _ message: String) { self.reason = reason; self.message = message }
    public var description: String { message }
}

// MARK: - Dates

/// A date without a time zone: the count of days since 1970-01-01.
public struct CalendarDate: Hashable, Comparable, Sendable {
    public let epochDay: Int64

    public static let minYear: Int64 = -999_999_999
    public static let maxYear: Int64 = 999_999_999
    public static let minEpochDay = daysFromCivil(minYear, 1, 1)
    public static let maxEpochDay = daysFromCivil(maxYear, 12, 31)

    /// A date from a day count already known to be in range.
    public init(epochDay: Int64) { self.epochDay = epochDay }

    public static func checked(epochDay: Int64) throws -> CalendarDate {
        guard epochDay >= minEpochDay && epochDay <= maxEpochDay else {
            throw TemporalError(.range, "the date lies outside the supported years \(minYear) to \(maxYear)")
        }
        return CalendarDate(epochDay: epochDay)
    }

    public init(year: Int64, month: Int64, day: Int64) throws {
        try CalendarDate.checkYear(year)
        guard (1...12).contains(month) else { throw TemporalError(.range, "month must be between 1 and 12, got \(month)") }
        let n = Int64(CalendarDate.daysInMonth(year, Int(month)))
        guard day >= 1 && day <= n else {
            throw TemporalError(.range, "day must be between 1 and \(n) in \(CalendarDate.formatYear(year))-\(pad2(Int(month))), got \(day)")
        }
        epochDay = CalendarDate.daysFromCivil(year, Int(month), Int(day))
    }

    /// The date of the given day of the year (1-based).
    public init(year: Int64, ordinalDay: Int64) throws {
        try CalendarDate.checkYear(year)
        let n: Int64 = CalendarDate.isLeap(year) ? 366 : 365
        guard ordinalDay >= 1 && ordinalDay <= n else {
            throw TemporalError(.range, "ordinal day must be between 1 and \(n) in \(CalendarDate.formatYear(year)), got \(ordinalDay)")
        }
        epochDay = CalendarDate.daysFromCivil(year, 1, 1) + ordinalDay - 1
    }

    /// The date of the given day (1-based) of a quarter.
    public init(year: Int64, quarter: Int64, dayOfQuarter: Int64) throws {
        try CalendarDate.checkYear(year)
        guard (1...4).contains(quarter) else { throw TemporalError(.range, "quarter must be between 1 and 4, got \(quarter)") }
        let first = CalendarDate.daysFromCivil(year, Int(quarter - 1) * 3 + 1, 1)
        let next = quarter == 4 ? CalendarDate.daysFromCivil(year + 1, 1, 1) : CalendarDate.daysFromCivil(year, Int(quarter) * 3 + 1, 1)
        guard dayOfQuarter >= 1 && dayOfQuarter <= next - first else {
            throw TemporalError(.range, "day of quarter must be between 1 and \(next - first) in quarter \(quarter) of \(CalendarDate.formatYear(year)), got \(dayOfQuarter)")
        }
        epochDay = first + dayOfQuarter - 1
    }

    /// The date of an ISO 8601 week date: week-based year, week (1–52 or 53), day of week (1 = Monday).
    public init(weekYear: Int64, week: Int64, dayOfWeek: Int64) throws {
        try CalendarDate.checkYear(weekYear)
        let weeks = Int64(CalendarDate.weeksInWeekYear(weekYear))
        guard week >= 1 && week <= weeks else {
            throw TemporalError(.range, "week must be between 1 and \(weeks) in week-based year \(CalendarDate.formatYear(weekYear)), got \(week)")
        }
        guard (1...7).contains(dayOfWeek) else { throw TemporalError(.range, "day of week must be between 1 (Monday) and 7 (Sunday), got \(dayOfWeek)") }
        let d = CalendarDate.week1Monday(weekYear) + (week - 1) * 7 + dayOfWeek - 1
        epochDay = try CalendarDate.checked(epochDay: d).epochDay
    }

    public static func checkYear(_ y: Int64) throws {
        guard y >= minYear && y <= maxYear else {
            throw TemporalError(.range, "year must be between \(minYear) and \(maxYear), got \(y)")
        }
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.epochDay < b.epochDay }

    // Howard Hinnant's algorithms (days_from_civil / civil_from_days), valid for the whole range.
    public static func daysFromCivil(_ y0: Int64, _ m: Int, _ d: Int) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var fields: (year: Int64, month: Int, day: Int) {
        let z = epochDay + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, Int(m), Int(d))
    }

    public var year: Int64 { fields.year }
    public var month: Int { fields.month }
    public var day: Int { fields.day }
    /// 1 = Monday … 7 = Sunday.
    public var dayOfWeek: Int { Int(floorMod(epochDay + 3, 7)) + 1 }
    public var ordinalDay: Int { Int(epochDay - CalendarDate.daysFromCivil(year, 1, 1)) + 1 }
    public var quarter: Int { (month - 1) / 3 + 1 }
    public var dayOfQuarter: Int {
        let f = fields
        return Int(epochDay - CalendarDate.daysFromCivil(f.year, (f.month - 1) / 3 * 3 + 1, 1)) + 1
    }
    /// The ISO 8601 week-based year (the year of the Thursday of this date's week).
    public var weekYear: Int64 { CalendarDate(epochDay: epochDay - Int64(dayOfWeek - 1) + 3).year }
    /// The ISO 8601 week of the week-based year.
    public var week: Int {
        let thursday = CalendarDate(epochDay: epochDay - Int64(dayOfWeek - 1) + 3)
        return (thursday.ordinalDay - 1) / 7 + 1
    }

    public static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    public static func daysInMonth(_ y: Int64, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
    static func week1Monday(_ weekYear: Int64) -> Int64 {
        let jan4 = CalendarDate(epochDay: daysFromCivil(weekYear, 1, 4))
        return jan4.epochDay - Int64(jan4.dayOfWeek - 1)
    }
    public static func weeksInWeekYear(_ y: Int64) -> Int {
        let jan1 = CalendarDate(epochDay: daysFromCivil(y, 1, 1)).dayOfWeek
        return jan1 == 4 || (jan1 == 3 && isLeap(y)) ? 53 : 52
    }

    /// Adds months as java.time does: the day is clamped to the end of a shorter month.
    public func plusMonths(_ n: Int64) throws -> CalendarDate {
        if n == 0 { return self }
        let f = fields
        let (c0, o1) = f.year.multipliedReportingOverflow(by: 12)
        let (c1, o2) = (c0 + Int64(f.month - 1)).addingReportingOverflow(n)
        guard !o1 && !o2 else { throw TemporalError(.range, "the date lies outside the supported years") }
        let y = floorDiv(c1, 12), m = Int(floorMod(c1, 12)) + 1
        try CalendarDate.checkYear(y)
        return CalendarDate(epochDay: CalendarDate.daysFromCivil(y, m, min(f.day, CalendarDate.daysInMonth(y, m))))
    }

    public func plusDays(_ n: Int64) throws -> CalendarDate {
        let (d, o) = epochDay.addingReportingOverflow(n)
        guard !o else { throw TemporalError(.range, "the date lies outside the supported years") }
        return try CalendarDate.checked(epochDay: d)
    }

    /// Whole months from this date to `end` (java.time's `LocalDate.until(end, MONTHS)`).
    public func monthsUntil(_ end: CalendarDate) -> Int64 {
        let a = fields, b = end.fields
        let p1 = (a.year * 12 + Int64(a.month - 1)) * 32 + Int64(a.day)
        let p2 = (b.year * 12 + Int64(b.month - 1)) * 32 + Int64(b.day)
        return (p2 - p1) / 32
    }

    /// `YYYY-MM-DD` with java.time's year rules: at least four digits, a sign below year 0 and
    /// above 9999.
    public var text: String {
        let f = fields
        return CalendarDate.formatYear(f.year) + "-" + pad2(f.month) + "-" + pad2(f.day)
    }

    public static func formatYear(_ y: Int64) -> String {
        let a = y.magnitude
        if a < 1000 {
            let digits = String(a)
            return (y < 0 ? "-" : "") + String(repeating: "0", count: 4 - digits.count) + digits
        }
        return (y > 9999 ? "+" : "") + String(y)
    }
}

// MARK: - Times of day

/// A time of day without a time zone, to the nanosecond.
public struct TimeOfDay: Hashable, Comparable, Sendable {
    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerDay: Int64 = 86_400 * nanosPerSecond
    public let nanoOfDay: Int64

    public init(nanoOfDay: Int64) { self.nanoOfDay = nanoOfDay }
    public static let midnight = TimeOfDay(nanoOfDay: 0)

    public init(hour: Int64, minute: Int64 = 0, second: Int64 = 0, nanosecond: Int64 = 0) throws {
        guard (0...23).contains(hour) else { throw TemporalError(.range, "hour must be between 0 and 23, got \(hour)") }
        guard (0...59).contains(minute) else { throw TemporalError(.range, "minute must be between 0 and 59, got \(minute)") }
        guard (0...59).contains(second) else { throw TemporalError(.range, "second must be between 0 and 59, got \(second)") }
        guard (0...999_999_999).contains(nanosecond) else { throw TemporalError(.range, "nanosecond must be between 0 and 999999999, got \(nanosecond)") }
        nanoOfDay = ((hour * 60 + minute) * 60 + second) * TimeOfDay.nanosPerSecond + nanosecond
    }

    public var hour: Int { Int(nanoOfDay / 3_600_000_000_000) }
    public var minute: Int { Int(nanoOfDay / 60_000_000_000 % 60) }
    public var second: Int { Int(nanoOfDay / TimeOfDay.nanosPerSecond % 60) }
    public var nanosecond: Int { Int(nanoOfDay % TimeOfDay.nanosPerSecond) }
    public var secondOfDay: Int64 { nanoOfDay / TimeOfDay.nanosPerSecond }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.nanoOfDay < b.nanoOfDay }

    /// `HH:MM`, then `:SS` when seconds or nanoseconds are not zero, then the fraction in groups
    /// of three digits (java.time's `LocalTime.toString`).
    public var text: String {
        var s = pad2(hour) + ":" + pad2(minute)
        let sec = second, ns = nanosecond
        if sec != 0 || ns != 0 {
            s += ":" + pad2(sec)
            if ns != 0 {
                if ns % 1_000_000 == 0 { s += "." + padN(ns / 1_000_000, 3) }
                else if ns % 1000 == 0 { s += "." + padN(ns / 1000, 6) }
                else { s += "." + padN(ns, 9) }
            }
        }
        return s
    }
}

/// `Z` for UTC, else `+HH:MM` (`+HH:MM:SS` when the offset has seconds).
public func formatOffset(_ seconds: Int32) -> String {
    if seconds == 0 { return "Z" }
    let a = Int(seconds.magnitude)
    var s = (seconds < 0 ? "-" : "+") + pad2(a / 3600) + ":" + pad2(a / 60 % 60)
    if a % 60 != 0 { s += ":" + pad2(a % 60) }
    return s
}

// MARK: - Durations

/// A duration as openCypher keeps it: months, days, seconds and nanoseconds, each kept apart
/// (a month is not a fixed number of days, nor a day of seconds across a daylight-saving change).
/// `nanos` is always in 0..<1e9; the sign of a sub-second part lives in `seconds`.
public struct TemporalDuration: Hashable, Sendable {
    public let months: Int64
    public let days: Int64
    public let seconds: Int64
    public let nanos: Int64

    /// The average length of a month (365.2425 / 12 days), used to turn fractions of months into
    /// days and seconds.
    public static let averageSecondsPerMonth: Int64 = 2_629_746
    public static let zero = TemporalDuration(uncheckedMonths: 0, days: 0, seconds: 0, nanos: 0)

    init(uncheckedMonths m: Int64, days: Int64, seconds: Int64, nanos: Int64) {
        months = m; self.days = days; self.seconds = seconds; self.nanos = nanos
    }

    /// Normalises `nanos` into `seconds` (floor division), reporting overflow.
    public init(months: Int64, days: Int64, seconds: Int64, nanos: Int64) throws {
        let carry = floorDiv(nanos, TimeOfDay.nanosPerSecond)
        let (s, o) = seconds.addingReportingOverflow(carry)
        guard !o else { throw TemporalError(.range, "the duration is too large") }
        self.months = months
        self.days = days
        self.seconds = s
        self.nanos = floorMod(nanos, TimeOfDay.nanosPerSecond)
    }

    /// A duration from possibly fractional amounts, as openCypher builds one from a map or text:
    /// a fraction of a month becomes days and seconds (a month being 30.436875 days on average),
    /// a fraction of a day becomes seconds, a fraction of a second nanoseconds (the rest is cut).
    /// Computed in decimal, so `{months: 0.75}` is exactly `P22DT19H51M49.5S`.
    public static func approximate(months: Decimal, days: Decimal, seconds: Decimal, nanos: Decimal) throws -> TemporalDuration {
        let m = truncated(months)
        let d = days + (months - m) * Decimal(averageSecondsPerMonth) / Decimal(86_400)
        let dd = truncated(d)
        let s = seconds + (d - dd) * Decimal(86_400)
        let ss = truncated(s)
        let n = nanos + (s - ss) * Decimal(1_000_000_000)
        let nn = truncated(n)
        return try TemporalDuration(months: try int64(m), days: try int64(dd), seconds: try int64(ss), nanos: try int64(nn))
    }

    static func truncated(_ x: Decimal) -> Decimal {
        var v = x, r = Decimal()
        NSDecimalRound(&r, &v, 0, x < 0 ? .up : .down)
        return r
    }

    static func int64(_ x: Decimal) throws -> Int64 {
        guard x <= Decimal(Int64.max) && x >= Decimal(Int64.min) else { throw TemporalError(.range, "the duration is too large") }
        return (x as NSDecimalNumber).int64Value
    }

    public var isZero: Bool { months == 0 && days == 0 && seconds == 0 && nanos == 0 }

    public func negated() throws -> TemporalDuration {
        guard months != .min && days != .min && seconds != .min else { throw TemporalError(.range, "the duration is too large") }
        return try TemporalDuration(months: -months, days: -days, seconds: -seconds, nanos: -nanos)
    }

    public func adding(_ o: TemporalDuration) throws -> TemporalDuration {
        let (m, o1) = months.addingReportingOverflow(o.months)
        let (d, o2) = days.addingReportingOverflow(o.days)
        let (s, o3) = seconds.addingReportingOverflow(o.seconds)
        guard !o1 && !o2 && !o3 else { throw TemporalError(.range, "the duration is too large") }
        return try TemporalDuration(months: m, days: d, seconds: s, nanos: nanos + o.nanos)
    }

    public func subtracting(_ o: TemporalDuration) throws -> TemporalDuration { try adding(o.negated()) }

    public func multiplied(by k: Int64) throws -> TemporalDuration {
        let (m, o1) = months.multipliedReportingOverflow(by: k)
        let (d, o2) = days.multipliedReportingOverflow(by: k)
        let (s, o3) = seconds.multipliedReportingOverflow(by: k)
        let (n, o4) = nanos.multipliedReportingOverflow(by: k)
        guard !o1 && !o2 && !o3 && !o4 else { throw TemporalError(.range, "the duration is too large") }
        return try TemporalDuration(months: m, days: d, seconds: s, nanos: n)
    }

    /// Multiplied by a decimal factor; fractions cascade down as in `approximate`.
    public func multiplied(by f: Decimal) throws -> TemporalDuration {
        try TemporalDuration.approximate(months: Decimal(months) * f, days: Decimal(days) * f,
                                         seconds: Decimal(seconds) * f, nanos: Decimal(nanos) * f)
    }

    public func divided(by f: Decimal) throws -> TemporalDuration {
        guard f != 0 else { throw TemporalError(.range, "a duration cannot be divided by zero") }
        return try TemporalDuration.approximate(months: Decimal(months) / f, days: Decimal(days) / f,
                                                seconds: Decimal(seconds) / f, nanos: Decimal(nanos) / f)
    }

    /// The length in seconds when a month counts as its average length (for ordering).
    public var averageSeconds: Decimal {
        Decimal(months) * Decimal(TemporalDuration.averageSecondsPerMonth) + Decimal(days) * Decimal(86_400)
            + Decimal(seconds) + Decimal(nanos) / Decimal(1_000_000_000)
    }

    /// ISO 8601 as openCypher prints it: `P1Y2M3DT4H5M6.7S`, each part with its own sign
    /// (`PT-1M-0.001S`), zero as `PT0S`.
    public var text: String {
        if isZero { return "PT0S" }
        var out = "P"
        func part(_ v: Int64, _ unit: Character) { if v != 0 { out += String(v); out.append(unit) } }
        part(months / 12, "Y"); part(months % 12, "M"); part(days, "D")
        if seconds != 0 || nanos != 0 {
            var s = seconds, n = nanos
            if s < 0 && n != 0 { s += 1; n -= TimeOfDay.nanosPerSecond }
            out += "T"
            part(s / 3600, "H"); s %= 3600
            part(s / 60, "M"); s %= 60
            if s != 0 {
                out += String(s)
                if n != 0 { out += fraction(n.magnitude) }
                out += "S"
            } else if n != 0 {
                out += (n < 0 ? "-0" : "0") + fraction(n.magnitude) + "S"
            }
        }
        if out == "P" { out += "T0S" }
        return out
    }

    private func fraction(_ n: UInt64) -> String {
        var digits = padN(Int(n), 9)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "." + digits
    }
}

// MARK: - Temporal values

/// A temporal value of any of the six openCypher kinds.
///
/// Equality is openCypher's: the same kind and the same fields, so a date-time equals another only
/// with the same local date, time and time zone (`12:00+01:00` and `11:00Z` are the same instant
/// but not equal); `compare` orders by instant first.
public enum Temporal: Hashable, Sendable {
    case date(CalendarDate)
    case localTime(TimeOfDay)
    /// A time of day with a UTC offset in seconds.
    case time(TimeOfDay, offset: Int32)
    case localDateTime(CalendarDate, TimeOfDay)
    /// A local date and time, the UTC offset in effect there, and the named time zone (nil: a
    /// fixed offset).
    case dateTime(CalendarDate, TimeOfDay, offset: Int32, zone: String?)
    case duration(TemporalDuration)

    public var kind: TemporalValue.Kind {
        switch self {
        case .date: return .date
        case .localTime: return .localtime
        case .time: return .time
        case .localDateTime: return .localdatetime
        case .dateTime: return .datetime
        case .duration: return .duration
        }
    }

    /// The canonical ISO 8601 text.
    public var text: String {
        switch self {
        case .date(let d): return d.text
        case .localTime(let t): return t.text
        case .time(let t, let o): return t.text + formatOffset(o)
        case .localDateTime(let d, let t): return d.text + "T" + t.text
        case .dateTime(let d, let t, let o, let z): return d.text + "T" + t.text + formatOffset(o) + (z.map { "[" + $0 + "]" } ?? "")
        case .duration(let d): return d.text
        }
    }

    /// The stored form (kind and canonical text).
    public var stored: TemporalValue { TemporalValue(kind: kind, text: text) }

    public var date: CalendarDate? {
        switch self {
        case .date(let d), .localDateTime(let d, _), .dateTime(let d, _, _, _): return d
        default: return nil
        }
    }

    public var timeOfDay: TimeOfDay? {
        switch self {
        case .localTime(let t), .time(let t, _), .localDateTime(_, let t), .dateTime(_, let t, _, _): return t
        default: return nil
        }
    }

    public var offset: Int32? {
        switch self {
        case .time(_, let o), .dateTime(_, _, let o, _): return o
        default: return nil
        }
    }

    /// Seconds since 1970-01-01T00:00Z and the nanosecond within (date-times only).
    public var instant: (seconds: Int64, nanos: Int64)? {
        guard case .dateTime(let d, let t, let o, _) = self else { return nil }
        return (d.epochDay * 86_400 + t.secondOfDay - Int64(o), Int64(t.nanosecond))
    }

    /// Compares two values of the same kind (nil for different kinds). Dates by day, times with an
    /// offset and date-times by instant and then by local value and zone, durations by their
    /// average length and then field by field.
    public static func compare(_ a: Temporal, _ b: Temporal) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x == y ? 0 : (x < y ? -1 : 1) }
        switch (a, b) {
        case (.date(let x), .date(let y)): return cmp(x, y)
        case (.localTime(let x), .localTime(let y)): return cmp(x, y)
        case (.time(let x, let ox), .time(let y, let oy)):
            let c = cmp(x.nanoOfDay - Int64(ox) * TimeOfDay.nanosPerSecond, y.nanoOfDay - Int64(oy) * TimeOfDay.nanosPerSecond)
            return c != 0 ? c : cmp(x, y)
        case (.localDateTime(let dx, let tx), .localDateTime(let dy, let ty)):
            let c = cmp(dx, dy)
            return c != 0 ? c : cmp(tx, ty)
        case (.dateTime(let dx, let tx, _, let zx), .dateTime(let dy, let ty, _, let zy)):
            let ix = a.instant!, iy = b.instant!
            var c = cmp(ix.seconds, iy.seconds)
            if c == 0 { c = cmp(ix.nanos, iy.nanos) }
            if c == 0 { c = cmp(dx, dy) }
            if c == 0 { c = cmp(tx, ty) }
            if c == 0 { c = cmp(zx ?? "", zy ?? "") }
            return c
        case (.duration(let x), .duration(let y)):
            var c = cmp(x.averageSeconds, y.averageSeconds)
            if c == 0 { c = cmp(x.months, y.months) }
            if c == 0 { c = cmp(x.days, y.days) }
            if c == 0 { c = cmp(x.seconds, y.seconds) }
            if c == 0 { c = cmp(x.nanos, y.nanos) }
            return c
        default: return nil
        }
    }
}

extension TemporalValue {
    /// Parses and checks the text of a stored temporal value of this kind and returns it in
    /// canonical form (`date "20240501"` becomes `2024-05-01`). Throws `TemporalError`.
    public init(validating kind: Kind, text: String) throws {
        if kind == .time, text.contains("[") {
            // The offset of a named zone depends on the date, which a time does not have.
            throw TemporalError(.syntax, "'\(text)': a stored time takes a UTC offset such as +01:00, not a zone name")
        }
        self = try Temporal.parse(kind, text).stored
    }

    /// The structured value (the text is parsed; stored values are canonical, so this does not
    /// fail for values that came through `init(validating:text:)` or KGQuery).
    public func parsed() throws -> Temporal { try Temporal.parse(kind, text) }
}

// MARK: - Small helpers

@inline(__always) public func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}
@inline(__always) public func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
func pad2(_ v: Int) -> String { v < 10 ? "0" + String(v) : String(v) }
func padN(_ v: Int, _ n: Int) -> String {
    let s = String(v)
    return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
}
