import Foundation
import KGCore

// The openCypher temporal functions: construction from ISO text and from maps, selection of one
// kind from another, the clocks, truncation, durations between values, component accessors and
// arithmetic. The values themselves (calendar, ISO text, zones) are `KGCore.Temporal`.

typealias Kind = TemporalValue.Kind

/// A `TemporalError` as a query error: bad text or zone → ArgumentError InvalidArgumentValue, a
/// field or result out of range → ArgumentError NumberOutOfRange.
func queryError(_ e: TemporalError) -> CypherError {
    switch e.reason {
    case .syntax, .unknownZone: return CypherError(.argument, "InvalidArgumentValue", e.message)
    case .range: return CypherError(.argument, "NumberOutOfRange", e.message)
    }
}

@inline(__always) func checked<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as TemporalError { throw queryError(e) }
}

private func argError(_ msg: String) -> CypherError { CypherError(.argument, "InvalidArgumentValue", msg) }

enum TemporalClock: String { case statement, transaction, realtime }

/// The zone a value carries, if any.
private func zoneOf(_ t: Temporal) -> TemporalZone? {
    switch t {
    case .time(_, let o): return .offset(o)
    case .dateTime(_, _, let o, let z): return z.map { .named($0) } ?? .offset(o)
    default: return nil
    }
}

private let utc = TemporalZone.offset(0)

/// The offset of a zone for a time of day (a named zone: its offset at `instant`).
private func offsetOf(_ zone: TemporalZone, at instant: Int64) -> Int32 {
    switch zone {
    case .offset(let o): return o
    case .named(let n): return TimeZoneRules.offset(of: n, atEpochSecond: instant)
    }
}

/// Local date and time in a zone: a named zone resolves the offset (java.time's rules).
private func zoned(_ d: CalendarDate, _ t: TimeOfDay, _ zone: TemporalZone, preferred: Int32? = nil) throws -> Temporal {
    switch zone {
    case .offset(let o): return .dateTime(d, t, offset: o, zone: nil)
    case .named(let n): return try Temporal.zoned(d, t, zone: n, preferredOffset: preferred)
    }
}

/// The same instant in another zone.
private func convert(_ v: Temporal, to zone: TemporalZone) throws -> Temporal {
    guard let i = v.instant else { return v }
    return try Temporal.fromInstant(seconds: i.seconds, nanos: i.nanos, zone: zone)
}

// MARK: - Selecting one kind from another

/// `date(x)`, `time(x)`, … of another temporal value: the parts the kind has (a time without an
/// offset, or a local date-time, gets UTC).
func select(_ kind: Kind, from t: Temporal, _ fn: String) throws -> Temporal {
    func missing(_ what: String) -> CypherError {
        CypherError(.type, "InvalidArgumentValue", "\(fn)() cannot be made from a \(QueryValue.temporal(t).typeName): it has no \(what)")
    }
    if case .duration = t, kind != .duration { throw missing("date or time") }
    switch kind {
    case .date:
        guard let d = t.date else { throw missing("date") }
        return .date(d)
    case .localtime:
        guard let tm = t.timeOfDay else { throw missing("time") }
        return .localTime(tm)
    case .time:
        guard let tm = t.timeOfDay else { throw missing("time") }
        return .time(tm, offset: t.offset ?? 0)
    case .localdatetime:
        guard let d = t.date else { throw missing("date") }
        return .localDateTime(d, t.timeOfDay ?? .midnight)
    case .datetime:
        if case .dateTime = t { return t }
        guard let d = t.date else { throw missing("date") }
        return .dateTime(d, t.timeOfDay ?? .midnight, offset: 0, zone: nil)
    case .duration:
        guard case .duration = t else { throw CypherError(.type, "InvalidArgumentType", "duration() cannot be made from a \(QueryValue.temporal(t).typeName)") }
        return t
    }
}

/// The current value of a kind in a zone, from a clock.
func current(_ kind: Kind, zone: TemporalZone, at instant: (seconds: Int64, nanos: Int64)) throws -> Temporal {
    let dt = try checked { try Temporal.fromInstant(seconds: instant.seconds, nanos: instant.nanos, zone: zone) }
    return try select(kind, from: dt, kind.rawValue)
}

// MARK: - Maps

/// The fields of a construction map (`date({year: 1984, week: 10})`, …), keys matched without
/// regard to case.
struct TemporalMap {
    var ints: [String: Int64] = [:]
    var timezone: TemporalZone? = nil
    var date: Temporal? = nil, time: Temporal? = nil, datetime: Temporal? = nil
    var keys: Set<String> = []

    static let dateKeys = ["year", "month", "day", "week", "dayofweek", "quarter", "dayofquarter", "ordinalday"]
    static let timeKeys = ["hour", "minute", "second", "millisecond", "microsecond", "nanosecond"]
    static let spelled: [String: String] = [
        "dayofweek": "dayOfWeek", "dayofquarter": "dayOfQuarter", "ordinalday": "ordinalDay",
        "epochseconds": "epochSeconds", "epochmillis": "epochMillis",
    ]

    static func allowed(_ kind: Kind) -> [String] {
        switch kind {
        case .date: return dateKeys + ["date", "timezone"]
        case .localtime: return timeKeys + ["time", "timezone"]
        case .time: return timeKeys + ["time", "timezone"]
        case .localdatetime: return dateKeys + timeKeys + ["date", "time", "datetime", "timezone"]
        case .datetime: return dateKeys + timeKeys + ["date", "time", "datetime", "timezone", "epochseconds", "epochmillis"]
        case .duration: return []
        }
    }

    init(_ m: QueryMap, kind: Kind, fn: String) throws {
        let ok = TemporalMap.allowed(kind)
        for e in m.entries {
            let k = e.key.lowercased()
            guard ok.contains(k) else {
                let names = ok.map { TemporalMap.spelled[$0] ?? $0 }
                var msg = "\(fn)() does not take the key '\(e.key)'"
                if let near = Suggest.nearest(e.key, in: names) { msg += "; did you mean '\(near)'?" }
                else { msg += "; it takes " + names.joined(separator: ", ") }
                throw argError(msg)
            }
            if e.value.isNull { continue }
            keys.insert(k)
            switch k {
            case "timezone":
                guard case .string(let s) = e.value else { throw CypherError(.type, "InvalidArgumentType", "\(fn)(): timezone must be a string, got \(e.value.typeName)") }
                timezone = try checked { try TemporalZone.parse(s) }
            case "date", "time", "datetime":
                guard case .temporal(let t) = e.value, t.kind != .duration else {
                    throw CypherError(.type, "InvalidArgumentType", "\(fn)(): '\(e.key)' must be a temporal value, got \(e.value.typeName)")
                }
                if k == "date" {
                    guard t.date != nil else { throw CypherError(.type, "InvalidArgumentValue", "\(fn)(): 'date' must have a date, got a \(e.value.typeName)") }
                    date = t
                } else if k == "time" {
                    guard t.timeOfDay != nil else { throw CypherError(.type, "InvalidArgumentValue", "\(fn)(): 'time' must have a time, got a \(e.value.typeName)") }
                    time = t
                } else {
                    guard t.date != nil else { throw CypherError(.type, "InvalidArgumentValue", "\(fn)(): 'datetime' must have a date, got a \(e.value.typeName)") }
                    datetime = t
                }
            default:
                guard case .int(let i) = e.value else {
                    throw CypherError(.type, "InvalidArgumentType", "\(fn)(): '\(e.key)' must be an integer, got \(e.value.typeName)")
                }
                ints[k] = i
            }
        }
    }

    func has(_ k: String) -> Bool { ints[k] != nil }
    var onlyTimezone: Bool { keys == ["timezone"] }
    var hasDateFields: Bool { TemporalMap.dateKeys.contains { ints[$0] != nil } }
    var hasTimeFields: Bool { TemporalMap.timeKeys.contains { ints[$0] != nil } }

    /// The date the map describes, on top of `base` (fields not given come from the base).
    func buildDate(base: CalendarDate?, _ fn: String) throws -> CalendarDate {
        let calendar = has("month") || has("day"), weekly = has("week") || has("dayofweek")
        let quarterly = has("quarter") || has("dayofquarter"), ordinal = has("ordinalday")
        let groups = [calendar ? "month/day" : nil, weekly ? "week/dayOfWeek" : nil, quarterly ? "quarter/dayOfQuarter" : nil, ordinal ? "ordinalDay" : nil].compactMap { $0 }
        if groups.count > 1 {
            throw argError("\(fn)(): \(groups.joined(separator: " and ")) cannot be combined; give the date one way")
        }
        let year = ints["year"]
        func need(_ k: String, for other: String) throws {
            if base == nil && !has(k) { throw argError("\(fn)(): '\(other)' needs '\(TemporalMap.spelled[k] ?? k)' too") }
        }
        return try checked {
            if weekly {
                if base == nil && year == nil { throw argError("\(fn)(): 'week' needs 'year' (the week-based year)") }
                if has("dayofweek") { try need("week", for: "dayOfWeek") }
                return try CalendarDate(weekYear: year ?? base!.weekYear, week: ints["week"] ?? Int64(base?.week ?? 1),
                                        dayOfWeek: ints["dayofweek"] ?? Int64(base?.dayOfWeek ?? 1))
            }
            if quarterly {
                if base == nil && year == nil { throw argError("\(fn)(): 'quarter' needs 'year'") }
                if has("dayofquarter") { try need("quarter", for: "dayOfQuarter") }
                return try CalendarDate(year: year ?? base!.year, quarter: ints["quarter"] ?? Int64(base?.quarter ?? 1),
                                        dayOfQuarter: ints["dayofquarter"] ?? Int64(base?.dayOfQuarter ?? 1))
            }
            if ordinal {
                if base == nil && year == nil { throw argError("\(fn)(): 'ordinalDay' needs 'year'") }
                return try CalendarDate(year: year ?? base!.year, ordinalDay: ints["ordinalday"]!)
            }
            if calendar {
                if base == nil && year == nil { throw argError("\(fn)(): 'month' and 'day' need 'year'") }
                if has("day") { try need("month", for: "day") }
                return try CalendarDate(year: year ?? base!.year, month: ints["month"] ?? Int64(base?.month ?? 1), day: ints["day"] ?? Int64(base?.day ?? 1))
            }
            if let b = base {
                guard let y = year else { return b }
                // Only the year changes; a 29 February becomes the 28th in a common year.
                try CalendarDate.checkYear(y)
                return try CalendarDate(year: y, month: Int64(b.month), day: Int64(min(b.day, CalendarDate.daysInMonth(y, b.month))))
            }
            guard let y = year else { throw argError("\(fn)() needs at least 'year' (or 'date')") }
            return try CalendarDate(year: y, month: 1, day: 1)
        }
    }

    /// The time of day the map describes, on top of `base`.
    func buildTime(base: TimeOfDay?, _ fn: String) throws -> TimeOfDay {
        let h = ints["hour"], mi = ints["minute"], s = ints["second"]
        let ms = ints["millisecond"], us = ints["microsecond"], ns = ints["nanosecond"]
        let sub = ms != nil || us != nil || ns != nil
        if base == nil {
            if mi != nil && h == nil { throw argError("\(fn)(): 'minute' needs 'hour' too") }
            if s != nil && mi == nil { throw argError("\(fn)(): 'second' needs 'minute' too") }
            if sub && s == nil { throw argError("\(fn)(): fractions of a second need 'second' too") }
        }
        var nano = Int64(base?.nanosecond ?? 0)
        if sub {
            if let ms, !(0...999).contains(ms) { throw CypherError(.argument, "NumberOutOfRange", "\(fn)(): millisecond must be between 0 and 999, got \(ms)") }
            let usMax: Int64 = ms != nil ? 999 : 999_999
            if let us, !(0...usMax).contains(us) { throw CypherError(.argument, "NumberOutOfRange", "\(fn)(): microsecond must be between 0 and \(usMax), got \(us)") }
            let nsMax: Int64 = ms != nil || us != nil ? 999 : 999_999_999
            if let ns, !(0...nsMax).contains(ns) { throw CypherError(.argument, "NumberOutOfRange", "\(fn)(): nanosecond must be between 0 and \(nsMax), got \(ns)") }
            nano = (ms ?? 0) * 1_000_000 + (us ?? 0) * 1000 + (ns ?? 0)
        }
        return try checked {
            try TimeOfDay(hour: h ?? Int64(base?.hour ?? 0), minute: mi ?? Int64(base?.minute ?? 0),
                          second: s ?? Int64(base?.second ?? 0), nanosecond: nano)
        }
    }
}

/// `kind(map)`: construction from fields, on top of the `date`, `time` or `datetime` values the
/// map may hold; `timezone` alone reads the clock in that zone.
func construct(_ kind: Kind, _ m: QueryMap, _ ctx: ExecContext, clock: (seconds: Int64, nanos: Int64)) throws -> Temporal {
    let fn = kind.rawValue
    let f = try TemporalMap(m, kind: kind, fn: fn)
    if f.onlyTimezone { return try current(kind, zone: f.timezone!, at: clock) }
    if f.keys.isEmpty { throw argError("\(fn)() needs at least one field, e.g. \(fn == "date" ? "{year: 2024}" : "{hour: 12}")") }
    func noZone() throws {
        if f.timezone != nil { throw argError("\(fn)(): a \(fn) has no time zone; use \(fn == "localtime" ? "time" : "datetime")() for one with a zone") }
    }
    switch kind {
    case .date:
        try noZone()
        return .date(try f.buildDate(base: f.date?.date, fn))
    case .localtime:
        try noZone()
        return .localTime(try f.buildTime(base: f.time?.timeOfDay, fn))
    case .time:
        let t = try f.buildTime(base: f.time?.timeOfDay, fn)
        if let src = f.time?.offset {
            guard let tz = f.timezone else { return .time(t, offset: src) }
            let o = offsetOf(tz, at: clock.seconds)
            let nano = floorMod(t.nanoOfDay + Int64(o - src) * TimeOfDay.nanosPerSecond, TimeOfDay.nanosPerDay)
            return .time(TimeOfDay(nanoOfDay: nano), offset: o)
        }
        return .time(t, offset: offsetOf(f.timezone ?? utc, at: clock.seconds))
    case .localdatetime:
        try noZone()
        let d = try f.buildDate(base: (f.datetime ?? f.date)?.date, fn)
        let t = try f.buildTime(base: (f.datetime ?? f.time)?.timeOfDay, fn)
        return .localDateTime(d, t)
    case .datetime:
        if f.has("epochseconds") || f.has("epochmillis") {
            if f.hasDateFields || f.date != nil || f.time != nil || f.datetime != nil || f.has("hour") || f.has("minute") || f.has("second") {
                throw argError("datetime(): epochSeconds/epochMillis cannot be combined with date or time fields")
            }
            var seconds: Int64, nanos: Int64 = 0
            if let es = f.ints["epochseconds"] {
                if f.has("epochmillis") { throw argError("datetime(): give epochSeconds or epochMillis, not both") }
                seconds = es
            } else {
                let ms = f.ints["epochmillis"]!
                seconds = floorDiv(ms, 1000); nanos = floorMod(ms, 1000) * 1_000_000
            }
            nanos += (f.ints["millisecond"] ?? 0) * 1_000_000 + (f.ints["microsecond"] ?? 0) * 1000 + (f.ints["nanosecond"] ?? 0)
            seconds += floorDiv(nanos, 1_000_000_000); nanos = floorMod(nanos, 1_000_000_000)
            return try checked { try Temporal.fromInstant(seconds: seconds, nanos: nanos, zone: f.timezone ?? utc) }
        }
        let dateBase = (f.datetime ?? f.date)?.date
        let timeBase = (f.datetime ?? f.time)?.timeOfDay
        let source = (f.datetime ?? f.time).flatMap(zoneOf)
        let d = try f.buildDate(base: dateBase, fn)
        let t = try f.buildTime(base: timeBase, fn)
        return try checked {
            if let src = source {
                let v = try zoned(d, t, src, preferred: (f.datetime ?? f.time)?.offset)
                if let tz = f.timezone { return try convert(v, to: tz) }
                return v
            }
            return try zoned(d, t, f.timezone ?? utc)
        }
    case .duration:
        fatalError("durations are built by durationFrom")
    }
}

/// `duration(map)`: years, quarters, months, weeks, days, hours, minutes, seconds, milliseconds,
/// microseconds, nanoseconds; integers or floats (fractions cascade to smaller units).
func durationFrom(_ m: QueryMap) throws -> TemporalDuration {
    let units: [(String, Decimal, Int)] = [  // key, factor, component (0 months, 1 days, 2 seconds, 3 nanos)
        ("years", 12, 0), ("quarters", 3, 0), ("months", 1, 0), ("weeks", 7, 1), ("days", 1, 1),
        ("hours", 3600, 2), ("minutes", 60, 2), ("seconds", 1, 2),
        ("milliseconds", 1_000_000, 3), ("microseconds", 1000, 3), ("nanoseconds", 1, 3),
    ]
    var ints: [Int64] = [0, 0, 0, 0]
    var decs: [Decimal] = [0, 0, 0, 0]
    var fractional = false
    for e in m.entries {
        guard let u = units.first(where: { $0.0 == e.key.lowercased() }) else {
            let names = units.map(\.0)
            var msg = "duration() does not take the key '\(e.key)'"
            if let near = Suggest.nearest(e.key, in: names) { msg += "; did you mean '\(near)'?" } else { msg += "; it takes " + names.joined(separator: ", ") }
            throw argError(msg)
        }
        switch e.value {
        case .null: continue
        case .int(let i):
            let f = NSDecimalNumber(decimal: u.1).int64Value
            let (p, o1) = i.multipliedReportingOverflow(by: f)
            let (s, o2) = ints[u.2].addingReportingOverflow(p)
            if o1 || o2 { fractional = true }  // fall back to decimals, which report the overflow
            else { ints[u.2] = s }
            decs[u.2] += Decimal(i) * u.1
        case .float(let d):
            guard d.isFinite, let dec = Decimal(string: "\(d)", locale: Locale(identifier: "en_US_POSIX")) else {
                throw CypherError(.argument, "NumberOutOfRange", "duration(): '\(e.key)' must be a finite number, got \(d)")
            }
            fractional = true
            decs[u.2] += dec * u.1
        default:
            throw CypherError(.type, "InvalidArgumentType", "duration(): '\(e.key)' must be a number, got \(e.value.typeName)")
        }
    }
    return try checked {
        if !fractional { return try TemporalDuration(months: ints[0], days: ints[1], seconds: ints[2], nanos: ints[3]) }
        return try TemporalDuration.approximate(months: decs[0], days: decs[1], seconds: decs[2], nanos: decs[3])
    }
}

// MARK: - Truncation

enum TruncationUnit: String, CaseIterable {
    case millennium, century, decade, year, weekYear, quarter, month, week, day, hour, minute, second, millisecond, microsecond
    var isDateBased: Bool {
        switch self {
        case .hour, .minute, .second, .millisecond, .microsecond: return false
        default: return true
        }
    }

    func truncate(_ d: CalendarDate) throws -> CalendarDate {
        let f = d.fields
        switch self {
        case .millennium: return try CalendarDate(year: floorDiv(f.year, 1000) * 1000, month: 1, day: 1)
        case .century: return try CalendarDate(year: floorDiv(f.year, 100) * 100, month: 1, day: 1)
        case .decade: return try CalendarDate(year: floorDiv(f.year, 10) * 10, month: 1, day: 1)
        case .year: return try CalendarDate(year: f.year, month: 1, day: 1)
        case .weekYear: return try CalendarDate(weekYear: d.weekYear, week: 1, dayOfWeek: 1)
        case .quarter: return try CalendarDate(year: f.year, month: Int64((f.month - 1) / 3 * 3 + 1), day: 1)
        case .month: return try CalendarDate(year: f.year, month: Int64(f.month), day: 1)
        case .week: return CalendarDate(epochDay: d.epochDay - Int64(d.dayOfWeek - 1))
        default: return d
        }
    }

    func truncate(_ t: TimeOfDay) -> TimeOfDay {
        let unitNanos: Int64
        switch self {
        case .hour: unitNanos = 3_600_000_000_000
        case .minute: unitNanos = 60_000_000_000
        case .second: unitNanos = 1_000_000_000
        case .millisecond: unitNanos = 1_000_000
        case .microsecond: unitNanos = 1000
        default: return .midnight
        }
        return TimeOfDay(nanoOfDay: t.nanoOfDay / unitNanos * unitNanos)
    }
}

/// `kind.truncate(unit, value[, map])`: the value cut down to the unit, then the map's fields
/// set (a `timezone` replaces the zone, keeping the local time).
func truncate(_ kind: Kind, _ unitName: String, _ value: Temporal, _ map: QueryMap?, _ ctx: ExecContext) throws -> Temporal {
    let fn = kind.rawValue + ".truncate"
    guard let unit = TruncationUnit.allCases.first(where: { $0.rawValue.lowercased() == unitName.lowercased() }) else {
        var msg = "\(fn)(): unknown unit '\(unitName)'"
        if let near = Suggest.nearest(unitName, in: TruncationUnit.allCases.map(\.rawValue)) { msg += "; did you mean '\(near)'?" }
        throw argError(msg + " (units: " + TruncationUnit.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
    let needsDate = kind == .date || kind == .localdatetime || kind == .datetime
    if kind == .date && !unit.isDateBased { throw argError("\(fn)(): a date cannot be truncated to '\(unit.rawValue)'") }
    if (kind == .time || kind == .localtime) && unit.isDateBased && unit != .day {
        throw argError("\(fn)(): a time cannot be truncated to '\(unit.rawValue)'")
    }
    if case .duration = value { throw CypherError(.type, "InvalidArgumentType", "\(fn)() cannot truncate a duration") }
    var d: CalendarDate? = nil
    if needsDate {
        guard let vd = value.date else { throw CypherError(.type, "InvalidArgumentValue", "\(fn)() needs a value with a date, got a \(QueryValue.temporal(value).typeName)") }
        d = try checked { try unit.truncate(vd) }
    }
    var t: TimeOfDay = .midnight
    if !unit.isDateBased {
        guard let vt = value.timeOfDay else { throw CypherError(.type, "InvalidArgumentValue", "\(fn)() needs a value with a time to truncate to '\(unit.rawValue)'") }
        t = unit.truncate(vt)
    }
    var f = try TemporalMap(map ?? QueryMap(), kind: kind, fn: fn)
    if f.date != nil || f.time != nil || f.datetime != nil { throw argError("\(fn)(): the map sets fields; it cannot hold 'date', 'time' or 'datetime'") }
    // A finer sub-second field keeps the truncated coarser one: millisecond truncation with
    // {nanosecond: 2} gives .xyz000002.
    if unit == .millisecond && !f.has("millisecond") && (f.has("microsecond") || f.has("nanosecond")) {
        f.ints["millisecond"] = Int64(t.nanosecond / 1_000_000)
    }
    if unit == .microsecond && !f.has("microsecond") && f.has("nanosecond") {
        if f.has("millisecond") { f.ints["microsecond"] = Int64(t.nanosecond / 1000 % 1000) } else { f.ints["microsecond"] = Int64(t.nanosecond / 1000) }
    }
    if needsDate { d = try f.buildDate(base: d, fn) }
    if kind != .date { t = try f.buildTime(base: t, fn) }
    switch kind {
    case .date: return .date(d!)
    case .localdatetime:
        if f.timezone != nil { throw argError("\(fn)(): a localdatetime has no time zone") }
        return .localDateTime(d!, t)
    case .localtime:
        if f.timezone != nil { throw argError("\(fn)(): a localtime has no time zone") }
        return .localTime(t)
    case .time:
        let o = f.timezone.map { offsetOf($0, at: ctx.statementTime.seconds) } ?? value.offset ?? 0
        return .time(t, offset: o)
    case .datetime:
        let zone = f.timezone ?? zoneOf(value) ?? utc
        return try checked { try zoned(d!, t, zone, preferred: value.offset) }
    case .duration: fatalError("no duration.truncate")
    }
}

// MARK: - Arithmetic

/// `value + duration` (months, then days, then seconds and nanoseconds, as java.time adds them):
/// a date takes whole days of the seconds, a time wraps around midnight, a date-time in a named
/// zone adds months and days to its local date and seconds to its instant.
func plus(_ t: Temporal, months: Int64, days: Int64, seconds: Int64, nanos: Int64) throws -> Temporal {
    func addTime(_ tm: TimeOfDay) -> TimeOfDay {
        let delta = floorMod(seconds, 86_400) * TimeOfDay.nanosPerSecond + floorMod(nanos, TimeOfDay.nanosPerDay)
        return TimeOfDay(nanoOfDay: floorMod(tm.nanoOfDay + delta, TimeOfDay.nanosPerDay))
    }
    func local(_ d: CalendarDate, _ tm: TimeOfDay) throws -> (Int64, Int64) {
        let (a, o1) = (d.epochDay * 86_400 + tm.secondOfDay).addingReportingOverflow(seconds)
        guard !o1 else { throw TemporalError(.range, "the result lies outside the supported years") }
        let n = Int64(tm.nanosecond) + nanos
        return (a + floorDiv(n, TimeOfDay.nanosPerSecond), floorMod(n, TimeOfDay.nanosPerSecond))
    }
    switch t {
    case .date(let d):
        return .date(try d.plusMonths(months).plusDays(days).plusDays(seconds / 86_400))
    case .localTime(let tm): return .localTime(addTime(tm))
    case .time(let tm, let o): return .time(addTime(tm), offset: o)
    case .localDateTime(let d, let tm):
        let d2 = try d.plusMonths(months).plusDays(days)
        let (l, n) = try local(d2, tm)
        guard case .dateTime(let rd, let rt, _, _) = try Temporal.fromLocal(l, nanos: n, offset: 0, zone: nil) else { return t }
        return .localDateTime(rd, rt)
    case .dateTime(let d, let tm, let o, let z):
        var v = t
        if months != 0 || days != 0 {
            if months != 0 {
                let d1 = try d.plusMonths(months)
                v = try z.map { try Temporal.zoned(d1, tm, zone: $0, preferredOffset: o) } ?? .dateTime(d1, tm, offset: o, zone: nil)
            }
            if days != 0, case .dateTime(let d1, let t1, let o1, _) = v {
                let d2 = try d1.plusDays(days)
                v = try z.map { try Temporal.zoned(d2, t1, zone: $0, preferredOffset: o1) } ?? .dateTime(d2, t1, offset: o1, zone: nil)
            }
        }
        if seconds == 0 && nanos == 0 { return v }
        let i = v.instant!
        let (s, o1) = i.seconds.addingReportingOverflow(seconds)
        guard !o1 else { throw TemporalError(.range, "the result lies outside the supported years") }
        let n = i.nanos + nanos
        let zone: TemporalZone = z.map { .named($0) } ?? .offset(v.offset!)
        return try Temporal.fromInstant(seconds: s + floorDiv(n, TimeOfDay.nanosPerSecond), nanos: floorMod(n, TimeOfDay.nanosPerSecond), zone: zone)
    case .duration: return t
    }
}

private func decimal(_ v: QueryValue) throws -> Decimal? {
    switch v {
    case .int(let i): return Decimal(i)
    case .float(let d):
        guard d.isFinite else { throw CypherError(.argument, "NumberOutOfRange", "a duration cannot be multiplied or divided by \(QueryValue.formatFloat(d))") }
        return Decimal(string: "\(d)", locale: Locale(identifier: "en_US_POSIX"))
    default: return nil
    }
}

/// Arithmetic with temporal operands, or nil when neither operand is temporal in a way this
/// handles (the caller then reports the type error).
func temporalArith(_ op: BinOp, _ a: QueryValue, _ b: QueryValue) throws -> QueryValue? {
    switch (a, b) {
    case (.temporal(let x), .temporal(.duration(let d))) where x.kind != .duration && (op == .add || op == .sub):
        return .temporal(try checked {
            op == .add ? try plus(x, months: d.months, days: d.days, seconds: d.seconds, nanos: d.nanos)
                : try plus(x, months: -d.months, days: -d.days, seconds: -d.seconds, nanos: -d.nanos)
        })
    case (.temporal(.duration(let d)), .temporal(let x)) where x.kind != .duration && op == .add:
        return .temporal(try checked { try plus(x, months: d.months, days: d.days, seconds: d.seconds, nanos: d.nanos) })
    case (.temporal(.duration(let x)), .temporal(.duration(let y))) where op == .add || op == .sub:
        return .temporal(.duration(try checked { op == .add ? try x.adding(y) : try x.subtracting(y) }))
    case (.temporal(.duration(let x)), _) where op == .mul || op == .div:
        guard let f = try decimal(b) else { return nil }
        if op == .mul, case .int(let k) = b { return .temporal(.duration(try checked { try x.multiplied(by: k) })) }
        if op == .div && f == 0 { throw CypherError(.argument, "DivisionByZero", "a duration cannot be divided by zero") }
        return .temporal(.duration(try checked { op == .mul ? try x.multiplied(by: f) : try x.divided(by: f) }))
    case (_, .temporal(.duration(let x))) where op == .mul:
        guard let f = try decimal(a) else { return nil }
        if case .int(let k) = a { return .temporal(.duration(try checked { try x.multiplied(by: k) })) }
        return .temporal(.duration(try checked { try x.multiplied(by: f) }))
    default:
        return nil
    }
}

// MARK: - Durations between values

/// One side of `duration.between`: the parts of a value, filled in from the other side where
/// missing (a time from midnight, a date or a zone from the other value).
private struct Moment {
    var date: CalendarDate?
    var time: TimeOfDay?
    var offset: Int32?
    var zone: String?

    init(_ t: Temporal) {
        date = t.date; time = t.timeOfDay; offset = t.offset
        if case .dateTime(_, _, _, let z) = t { zone = z }
    }

    var localSeconds: Int64 { (date?.epochDay ?? 0) * 86_400 + (time?.secondOfDay ?? 0) }
    var nanos: Int64 { Int64(time?.nanosecond ?? 0) }

    /// Both sides completed as java.time's `until` completes them.
    static func attach(_ a: inout Moment, _ b: inout Moment, timeBased: Bool) {
        if timeBased {
            if a.time == nil { a.time = .midnight }
            if b.time == nil { b.time = .midnight }
        } else if a.time != nil && b.time == nil { b.time = .midnight }
        else if b.time != nil && a.time == nil { a.time = .midnight }
        if a.date != nil && b.date == nil { b.date = a.date } else if b.date != nil && a.date == nil { a.date = b.date }
        if a.offset != nil && b.offset == nil { b.takeZone(of: a) } else if b.offset != nil && a.offset == nil { a.takeZone(of: b) }
    }

    mutating func takeZone(of o: Moment) {
        zone = o.zone
        if let z = o.zone, date != nil {
            offset = TimeZoneRules.resolve(z, localEpochSecond: localSeconds, preferred: nil).offset
        } else {
            offset = o.offset
        }
    }

    /// This moment's local date-time in `other`'s zone (same instant).
    func local(inZoneOf other: Moment) -> (Int64, Int64) {
        guard let o = offset, let target = other.offset else { return (localSeconds, nanos) }
        let instant = localSeconds - Int64(o)
        let to = other.zone.map { TimeZoneRules.offset(of: $0, atEpochSecond: instant) } ?? target
        return (instant + Int64(to), nanos)
    }
}

/// Whole months or days from `a` to `b` on their local date-times (b moved into a's zone), with
/// java.time's adjustment when the end's time of day is before the start's.
private func untilDateBased(_ a0: Temporal, _ b0: Temporal, months: Bool) -> Int64 {
    var a = Moment(a0), b = Moment(b0)
    Moment.attach(&a, &b, timeBased: false)
    guard let ad = a.date, b.date != nil else { return 0 }
    let (bl, bn) = b.local(inZoneOf: a)
    var endDay = floorDiv(bl, 86_400)
    if a.time != nil {
        let aNano = a.time!.nanoOfDay, bNano = floorMod(bl, 86_400) * TimeOfDay.nanosPerSecond + bn
        if endDay > ad.epochDay && bNano < aNano { endDay -= 1 } else if endDay < ad.epochDay && bNano > aNano { endDay += 1 }
    }
    let end = CalendarDate(epochDay: endDay)
    return months ? ad.monthsUntil(end) : end.epochDay - ad.epochDay
}

/// The exact time from `a` to `b` (instants when zoned, local values otherwise), as seconds and
/// nanoseconds.
private func untilExact(_ a0: Temporal, _ b0: Temporal) -> (Int64, Int64) {
    var a = Moment(a0), b = Moment(b0)
    Moment.attach(&a, &b, timeBased: true)
    let ao = Int64(a.offset ?? 0), bo = Int64(b.offset ?? 0)
    let zonedBoth = a.offset != nil && b.offset != nil
    let s = (b.localSeconds - (zonedBoth ? bo : 0)) - (a.localSeconds - (zonedBoth ? ao : 0))
    return (s, b.nanos - a.nanos)
}

enum BetweenUnit { case all, months, days, seconds }

func durationBetween(_ a: Temporal, _ b: Temporal, _ unit: BetweenUnit) throws -> TemporalDuration {
    if case .duration = a { throw CypherError(.type, "InvalidArgumentType", "duration.between() takes two dates or times, not a duration") }
    if case .duration = b { throw CypherError(.type, "InvalidArgumentType", "duration.between() takes two dates or times, not a duration") }
    return try checked {
        let bothDates = a.date != nil && b.date != nil
        switch unit {
        case .months: return try TemporalDuration(months: bothDates ? untilDateBased(a, b, months: true) : 0, days: 0, seconds: 0, nanos: 0)
        case .days: return try TemporalDuration(months: 0, days: bothDates ? untilDateBased(a, b, months: false) : 0, seconds: 0, nanos: 0)
        case .seconds:
            let (s, n) = untilExact(a, b)
            return try TemporalDuration(months: 0, days: 0, seconds: s, nanos: n)
        case .all:
            var from = a
            var months: Int64 = 0, days: Int64 = 0
            if bothDates {
                months = untilDateBased(from, b, months: true)
                from = try plus(from, months: months, days: 0, seconds: 0, nanos: 0)
                days = untilDateBased(from, b, months: false)
                from = try plus(from, months: 0, days: days, seconds: 0, nanos: 0)
            }
            let (s, n) = untilExact(from, b)
            return try TemporalDuration(months: months, days: days, seconds: s, nanos: n)
        }
    }
}

// MARK: - Accessors

/// `value.field`: the components of a temporal value (`d.year`, `t.timezone`, `dur.minutes`, …).
func temporalField(_ t: Temporal, _ key: String) throws -> QueryValue {
    let k = key.lowercased()
    if case .duration(let d) = t { return try durationField(d, k, key) }
    if let date = t.date {
        switch k {
        case "year": return .int(date.year)
        case "quarter": return .int(Int64(date.quarter))
        case "month": return .int(Int64(date.month))
        case "week": return .int(Int64(date.week))
        case "weekyear": return .int(date.weekYear)
        case "day": return .int(Int64(date.day))
        case "ordinalday": return .int(Int64(date.ordinalDay))
        case "weekday", "dayofweek": return .int(Int64(date.dayOfWeek))
        case "dayofquarter": return .int(Int64(date.dayOfQuarter))
        default: break
        }
    }
    if let tm = t.timeOfDay {
        switch k {
        case "hour": return .int(Int64(tm.hour))
        case "minute": return .int(Int64(tm.minute))
        case "second": return .int(Int64(tm.second))
        case "millisecond": return .int(Int64(tm.nanosecond / 1_000_000))
        case "microsecond": return .int(Int64(tm.nanosecond / 1000))
        case "nanosecond": return .int(Int64(tm.nanosecond))
        default: break
        }
    }
    if let o = t.offset {
        switch k {
        case "timezone":
            if case .dateTime(_, _, _, let z?) = t { return .string(z) }
            return .string(formatOffset(o))
        case "offset": return .string(formatOffset(o))
        case "offsetminutes": return .int(Int64(o) / 60)
        case "offsetseconds": return .int(Int64(o))
        default: break
        }
    }
    if let i = t.instant {
        switch k {
        case "epochseconds": return .int(i.seconds)
        case "epochmillis":
            let (ms, o) = i.seconds.multipliedReportingOverflow(by: 1000)
            guard !o else { throw CypherError(.argument, "NumberOutOfRange", "epochMillis does not fit in an integer for this date-time") }
            return .int(ms + i.nanos / 1_000_000)
        default: break
        }
    }
    var fields: [String] = []
    if t.date != nil { fields += ["year", "quarter", "month", "week", "weekYear", "day", "ordinalDay", "dayOfWeek", "dayOfQuarter"] }
    if t.timeOfDay != nil { fields += ["hour", "minute", "second", "millisecond", "microsecond", "nanosecond"] }
    if t.offset != nil { fields += ["timezone", "offset", "offsetMinutes", "offsetSeconds"] }
    if t.instant != nil { fields += ["epochSeconds", "epochMillis"] }
    return try noField(QueryValue.temporal(t).typeName, key, fields)
}

private func noField(_ type: String, _ key: String, _ fields: [String]) throws -> QueryValue {
    var msg = "a \(type) has no field '\(key)'"
    if let near = Suggest.nearest(key, in: fields) { msg += "; did you mean '\(near)'?" } else { msg += "; its fields are " + fields.joined(separator: ", ") }
    throw CypherError(.argument, "InvalidArgumentValue", msg)
}

private func durationField(_ d: TemporalDuration, _ k: String, _ key: String) throws -> QueryValue {
    func sub(_ scale: Int64) throws -> QueryValue {
        let (a, o1) = d.seconds.multipliedReportingOverflow(by: TimeOfDay.nanosPerSecond / scale)
        let (b, o2) = a.addingReportingOverflow(d.nanos / scale)
        guard !o1 && !o2 else { throw CypherError(.argument, "NumberOutOfRange", "the duration is too long to count in \(k)") }
        return .int(b)
    }
    switch k {
    case "years": return .int(d.months / 12)
    case "quarters": return .int(d.months / 3)
    case "months": return .int(d.months)
    case "weeks": return .int(d.days / 7)
    case "days": return .int(d.days)
    case "hours": return .int(d.seconds / 3600)
    case "minutes": return .int(d.seconds / 60)
    case "seconds": return .int(d.seconds)
    case "milliseconds": return try sub(1_000_000)
    case "microseconds": return try sub(1000)
    case "nanoseconds": return try sub(1)
    case "quartersofyear": return .int(d.months % 12 / 3)
    case "monthsofquarter": return .int(d.months % 3)
    case "monthsofyear": return .int(d.months % 12)
    case "daysofweek": return .int(d.days % 7)
    case "minutesofhour": return .int(d.seconds / 60 % 60)
    case "secondsofminute": return .int(d.seconds % 60)
    case "millisecondsofsecond": return .int(d.nanos / 1_000_000)
    case "microsecondsofsecond": return .int(d.nanos / 1000)
    case "nanosecondsofsecond": return .int(d.nanos)
    default:
        return try noField("DURATION", key, ["years", "quarters", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds",
            "microseconds", "nanoseconds", "quartersOfYear", "monthsOfQuarter", "monthsOfYear", "daysOfWeek", "minutesOfHour",
            "secondsOfMinute", "millisecondsOfSecond", "microsecondsOfSecond", "nanosecondsOfSecond"])
    }
}

// MARK: - The function table

/// The temporal functions, by lower-case name.
func temporalFunctions() -> [String: ScalarFunction] {
    var f: [String: ScalarFunction] = [:]
    func def(_ name: String, _ lo: Int, _ hi: Int, _ impl: @escaping ([QueryValue], ExecContext) throws -> QueryValue) {
        f[name] = ScalarFunction(minArgs: lo, maxArgs: hi, impl: impl)
    }
    func clockOf(_ c: TemporalClock, _ ctx: ExecContext) -> (seconds: Int64, nanos: Int64) {
        c == .realtime ? ExecContext.wallClock() : ctx.statementTime
    }
    for kind in [Kind.date, .localtime, .time, .localdatetime, .datetime] {
        let name = kind.rawValue
        def(name, 0, 1) { a, ctx in
            guard let x = a.first else { return .temporal(try current(kind, zone: utc, at: ctx.statementTime)) }
            switch x {
            case .null: return .null
            case .string(let s): return .temporal(try checked { try Temporal.parse(kind, s, now: ctx.statementTime.seconds) })
            case .map(let m): return .temporal(try construct(kind, m, ctx, clock: ctx.statementTime))
            case .temporal(let t): return .temporal(try select(kind, from: t, name))
            default: throw CypherError(.type, "InvalidArgumentType", "\(name)() takes a string, a map or a temporal value, got \(x.typeName)")
            }
        }
        for c in [TemporalClock.statement, .transaction, .realtime] {
            def(name + "." + c.rawValue, 0, 1) { a, ctx in
                let clock = clockOf(c, ctx)
                guard let x = a.first else { return .temporal(try current(kind, zone: utc, at: clock)) }
                switch x {
                case .null: return .null
                case .string(let s): return .temporal(try current(kind, zone: try checked { try TemporalZone.parse(s) }, at: clock))
                case .map(let m): return .temporal(try construct(kind, m, ctx, clock: clock))
                default: throw CypherError(.type, "InvalidArgumentType", "\(name).\(c.rawValue)() takes a time zone (a string), got \(x.typeName)")
                }
            }
        }
        def(name + ".truncate", 2, 3) { a, ctx in
            if a[0].isNull || a[1].isNull { return .null }
            guard case .string(let unit) = a[0] else { throw CypherError(.type, "InvalidArgumentType", "\(name).truncate(): the unit must be a string, got \(a[0].typeName)") }
            guard case .temporal(let t) = a[1] else { throw CypherError(.type, "InvalidArgumentType", "\(name).truncate(): the value must be temporal, got \(a[1].typeName)") }
            var m: QueryMap? = nil
            if a.count == 3 {
                switch a[2] {
                case .null: break
                case .map(let mm): m = mm
                default: throw CypherError(.type, "InvalidArgumentType", "\(name).truncate(): the fields must be a map, got \(a[2].typeName)")
                }
            }
            return .temporal(try truncate(kind, unit, t, m, ctx))
        }
    }
    def("datetime.fromepoch", 2, 2) { a, _ in
        if a[0].isNull || a[1].isNull { return .null }
        guard case .int(let s) = a[0], case .int(let n) = a[1] else {
            throw CypherError(.type, "InvalidArgumentType", "datetime.fromepoch(seconds, nanoseconds) takes two integers")
        }
        return .temporal(try checked {
            try Temporal.fromInstant(seconds: s + floorDiv(n, 1_000_000_000), nanos: floorMod(n, 1_000_000_000), zone: utc)
        })
    }
    def("datetime.fromepochmillis", 1, 1) { a, _ in
        if a[0].isNull { return .null }
        guard case .int(let ms) = a[0] else { throw CypherError(.type, "InvalidArgumentType", "datetime.fromepochmillis(milliseconds) takes an integer") }
        return .temporal(try checked { try Temporal.fromInstant(seconds: floorDiv(ms, 1000), nanos: floorMod(ms, 1000) * 1_000_000, zone: utc) })
    }
    def("duration", 1, 1) { a, ctx in
        switch a[0] {
        case .null: return .null
        case .string(let s): return .temporal(try checked { try Temporal.parse(.duration, s) })
        case .map(let m): return .temporal(.duration(try durationFrom(m)))
        case .temporal(.duration): return a[0]
        default: throw CypherError(.type, "InvalidArgumentType", "duration() takes a string or a map, got \(a[0].typeName)")
        }
    }
    for (name, unit) in [("between", BetweenUnit.all), ("inmonths", .months), ("indays", .days), ("inseconds", .seconds)] {
        def("duration." + name, 2, 2) { a, _ in
            if a[0].isNull || a[1].isNull { return .null }
            guard case .temporal(let x) = a[0], case .temporal(let y) = a[1] else {
                throw CypherError(.type, "InvalidArgumentType", "duration.\(name)() takes two temporal values, got \(a[0].typeName) and \(a[1].typeName)")
            }
            return .temporal(.duration(try durationBetween(x, y, unit)))
        }
    }
    return f
}
