import Foundation
import KGCore
import KGFormat
import PropertyBased
import Testing
@testable import KGQuery

/// The first row's single value, in `--format cypher` notation.
private func value(_ q: String, _ g: Graph = Graph()) throws -> String {
    try #require(try rows(q, g).first)
}

private func failure(_ q: String) -> String? {
    error(q).map { "\($0.errorClass.rawValue): \($0.detail)" }
}

@Suite struct TemporalValueTests {
    @Test func calendarRoundTripsOverTheWholeRange() async {
        await propertyCheck(count: 3000, input: Gen.int(in: Int(CalendarDate.minEpochDay)...Int(CalendarDate.maxEpochDay))) { day in
            let d = CalendarDate(epochDay: Int64(day))
            let f = d.fields
            let again = try? CalendarDate(year: f.year, month: Int64(f.month), day: Int64(f.day))
            #expect(again == d)
            #expect((try? Temporal.parse(.date, d.text)) == .date(d))
            // The week date names the same day.
            #expect((try? CalendarDate(weekYear: d.weekYear, week: Int64(d.week), dayOfWeek: Int64(d.dayOfWeek))) == d)
            #expect((try? CalendarDate(year: f.year, ordinalDay: Int64(d.ordinalDay))) == d)
        }
    }

    @Test func canonicalTextParsesBackToTheSameValue() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(seed: UInt64(seed))
            let day = Int64(rng.next() % 2_000_000) - 1_000_000
            let anyNano = Int64(rng.next() % UInt64(TimeOfDay.nanosPerDay))
            // Whole seconds half of the time, so both printed forms (with and without a fraction) occur.
            let nano = rng.next() % 2 == 0 ? anyNano / TimeOfDay.nanosPerSecond * TimeOfDay.nanosPerSecond : anyNano
            let offset = Int32(Int64(rng.next() % 64_801) - 32_400)
            let d = CalendarDate(epochDay: day), t = TimeOfDay(nanoOfDay: nano)
            let dur = try! TemporalDuration(months: Int64(rng.next() % 4001) - 2000, days: Int64(rng.next() % 801) - 400,
                                            seconds: Int64(rng.next() % 2_000_001) - 1_000_000, nanos: Int64(rng.next() % 1_000_000_000))
            for v in [Temporal.date(d), .localTime(t), .time(t, offset: offset), .localDateTime(d, t),
                      .dateTime(d, t, offset: offset, zone: nil), .duration(dur)] {
                #expect((try? Temporal.parse(v.kind, v.text)) == v, "\(v.text)")
            }
        }
    }

    @Test func textFormsAreTheISOOnes() throws {
        #expect(CalendarDate.formatYear(28) == "0028")
        #expect(CalendarDate.formatYear(-1) == "-0001")
        #expect(CalendarDate.formatYear(12345) == "+12345")
        #expect(try Temporal.parse(.date, "+12345-06-07").text == "+12345-06-07")
        #expect(try Temporal.parse(.localtime, "0930").text == "09:30")
        #expect(try Temporal.parse(.localtime, "09:30:00.5").text == "09:30:00.500")
        #expect(try Temporal.parse(.localtime, "09:30:00,000250").text == "09:30:00.000250")
        #expect(try Temporal.parse(.time, "09:30-0000").text == "09:30Z")
        #expect(try Temporal.parse(.datetime, "2020-02-29T23:59:59.999999999-03:30").text == "2020-02-29T23:59:59.999999999-03:30")
        #expect(try Temporal.parse(.duration, "-P1DT2H").text == "P-1DT-2H")
        #expect(try Temporal.parse(.duration, "PT36H").text == "PT36H")
        #expect(try Temporal.parse(.duration, "P0001-02-03T04:05:06").text == "P1Y2M3DT4H5M6S")
    }

    @Test func badTextIsRejectedWithTheReason() {
        func reason(_ k: TemporalValue.Kind, _ s: String) -> TemporalError.Reason? {
            do { _ = try Temporal.parse(k, s); return nil } catch let e as TemporalError { return e.reason } catch { return nil }
        }
        #expect(reason(.date, "2023-02-29") == .range)
        #expect(reason(.date, "2023-13-01") == .range)
        #expect(reason(.date, "2020-W54") == .range)
        #expect(reason(.date, "20-01-01") == .syntax)
        #expect(reason(.date, "") == .syntax)
        #expect(reason(.localtime, "24:00") == .range)
        #expect(reason(.localtime, "12:00+01:00") == .syntax)
        #expect(reason(.time, "12:00+19:00") == .syntax)
        #expect(reason(.datetime, "2020-01-01T00:00[Mars/Olympus]") == .unknownZone)
        #expect(reason(.duration, "P1H") == .syntax)
        #expect(reason(.duration, "PT1S2M") == .syntax)
        #expect(reason(.duration, "1D") == .syntax)
    }

    @Test func namedZonesFollowTheDatabaseIncludingDaylightSaving() throws {
        // Stockholm moves its clocks at 02:00 on the last Sunday of March and 03:00 of October.
        #expect(try value("RETURN datetime('2021-03-28T01:59[Europe/Stockholm]') AS d") == "'2021-03-28T01:59+01:00[Europe/Stockholm]'")
        // A local time in the spring gap moves forward by the gap.
        #expect(try value("RETURN datetime('2021-03-28T02:30[Europe/Stockholm]') AS d") == "'2021-03-28T03:30+02:00[Europe/Stockholm]'")
        // In the autumn overlap the earlier offset wins unless the text names the later one.
        #expect(try value("RETURN datetime('2021-10-31T02:30[Europe/Stockholm]') AS d") == "'2021-10-31T02:30+02:00[Europe/Stockholm]'")
        #expect(try value("RETURN datetime('2021-10-31T02:30+01:00[Europe/Stockholm]') AS d") == "'2021-10-31T02:30+01:00[Europe/Stockholm]'")
        // Adding a day keeps the wall clock; adding 24 hours keeps the elapsed time.
        #expect(try value("RETURN datetime('2021-03-27T12:00[Europe/Stockholm]') + duration('P1D') AS d") == "'2021-03-28T12:00+02:00[Europe/Stockholm]'")
        #expect(try value("RETURN datetime('2021-03-27T12:00[Europe/Stockholm]') + duration('PT24H') AS d") == "'2021-03-28T13:00+02:00[Europe/Stockholm]'")
        #expect(try value("RETURN duration.inSeconds(datetime('2021-03-27T12:00[Europe/Stockholm]'), datetime('2021-03-28T12:00[Europe/Stockholm]')) AS d") == "'PT23H'")
        // Far beyond the tables the zone's current rules continue.
        #expect(try value("RETURN datetime('+50000-07-01T12:00[Europe/Stockholm]').offset AS o") == "'+02:00'")
    }

    @Test func unknownZoneIsAClearErrorWithSuggestions() throws {
        let e = try #require(error("RETURN datetime({year: 2020, timezone: 'Europe/Stokholm'}) AS d"))
        #expect(e.errorClass == .argument && e.detail == "InvalidArgumentValue")
        #expect(e.message.contains("unknown time zone 'Europe/Stokholm'"))
        #expect(e.message.contains("Europe/Stockholm"))
        #expect(failure("RETURN time('12:00[Nowhere/Else]') AS t") == "ArgumentError: InvalidArgumentValue")
    }
}

@Suite struct TemporalQueryTests {
    @Test func constructionFromMapsUsesEveryDateForm() throws {
        #expect(try value("RETURN date({year: 2021, month: 3}) AS d") == "'2021-03-01'")
        #expect(try value("RETURN date({year: 2021, week: 1}) AS d") == "'2021-01-04'")
        #expect(try value("RETURN date({year: 2020, week: 53, dayOfWeek: 7}) AS d") == "'2021-01-03'")
        #expect(try value("RETURN date({year: 2021, ordinalDay: 60}) AS d") == "'2021-03-01'")
        #expect(try value("RETURN date({year: 2021, quarter: 2, dayOfQuarter: 30}) AS d") == "'2021-04-30'")
        #expect(try value("RETURN localtime({hour: 7, minute: 5, second: 3, millisecond: 20, microsecond: 1}) AS t") == "'07:05:03.020001'")
        #expect(try value("RETURN localdatetime({year: 2000, month: 2, day: 29, hour: 23}) AS t") == "'2000-02-29T23:00'")
        #expect(try value("RETURN datetime({epochSeconds: 86400, nanosecond: 5}) AS t") == "'1970-01-02T00:00:00.000000005Z'")
        #expect(try value("RETURN datetime({epochMillis: -1, timezone: '+05:30'}) AS t") == "'1970-01-01T05:29:59.999+05:30'")
    }

    @Test func overridingFieldsOfAnotherValue() throws {
        let q = "WITH date('2020-02-29') AS d RETURN "
        #expect(try value(q + "date({date: d, year: 2021}) AS x") == "'2021-02-28'")
        #expect(try value(q + "date({date: d, week: 1}) AS x") == "'2020-01-04'")
        #expect(try value(q + "localdatetime({date: d, hour: 6}) AS x") == "'2020-02-29T06:00'")
        #expect(try value("WITH time('10:00+02:00') AS t RETURN time({time: t, timezone: 'Z'}) AS x") == "'08:00Z'")
    }

    @Test func badMapsAreArgumentErrors() {
        #expect(failure("RETURN date({year: 2020, month: 1, week: 2}) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN date({month: 1}) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN date({year: 2020, day: 3}) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN date({year: 2020, mnth: 1}) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN date({year: 2020, month: 13}) AS d") == "ArgumentError: NumberOutOfRange")
        #expect(failure("RETURN localtime({hour: 1, second: 1}) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN localtime({hour: 1, minute: 1, second: 1, millisecond: 1000}) AS d") == "ArgumentError: NumberOutOfRange")
        #expect(failure("RETURN date({year: '2020'}) AS d") == "TypeError: InvalidArgumentType")
        #expect(failure("RETURN date(2020) AS d") == "TypeError: InvalidArgumentType")
        #expect(failure("RETURN localtime(date('2020-01-01')) AS d") == "TypeError: InvalidArgumentValue")
        #expect(failure("RETURN duration({yeas: 1}) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN date.truncate('hour', date('2020-01-01')) AS d") == "ArgumentError: InvalidArgumentValue")
        #expect(failure("RETURN date.truncate('fortnight', date('2020-01-01')) AS d") == "ArgumentError: InvalidArgumentValue")
    }

    @Test func accessors() throws {
        #expect(try rows("WITH date('2021-01-03') AS d RETURN d.year, d.weekYear, d.week, d.dayOfWeek, d.ordinalDay, d.quarter") == ["2021 | 2020 | 53 | 7 | 3 | 1"])
        #expect(try rows("WITH datetime('2021-07-01T12:00:01.5+02:00') AS d RETURN d.epochSeconds, d.epochMillis, d.timezone, d.offsetMinutes") == ["1625133601 | 1625133601500 | '+02:00' | 120"])
        #expect(try rows("WITH duration('P1Y5M10DT-25H') AS d RETURN d.years, d.monthsOfYear, d.quartersOfYear, d.days, d.hours, d.minutesOfHour") == ["1 | 5 | 1 | 10 | -25 | 0"])
        #expect(failure("WITH duration('P1D') AS d RETURN d.year") == "ArgumentError: InvalidArgumentValue")
    }

    @Test func arithmetic() throws {
        #expect(try value("RETURN date('2021-01-31') + duration('P1M') AS d") == "'2021-02-28'")
        #expect(try value("RETURN date('2021-03-31') - duration({months: 1, days: 1}) AS d") == "'2021-02-27'")
        #expect(try value("RETURN localtime('23:30') + duration('PT45M') AS d") == "'00:15'")
        #expect(try value("RETURN duration('P1D') + date('2021-12-31') AS d") == "'2022-01-01'")
        #expect(try value("RETURN duration('PT1H') * 1.5 AS d") == "'PT1H30M'")
        #expect(try value("RETURN 2 * duration('P1M') AS d") == "'P2M'")
        #expect(try value("RETURN duration('P1D') / 4 AS d") == "'PT6H'")
        #expect(try value("RETURN -duration('P1DT1S') AS d") == "'P-1DT-1S'")
        #expect(try value("RETURN duration('PT1H') - duration('PT90M') AS d") == "'PT-30M'")
        #expect(failure("RETURN date('2021-01-01') - date('2020-01-01') AS d") == "TypeError: InvalidArgumentType")
        #expect(failure("RETURN duration('P1D') / 0 AS d") == "ArgumentError: DivisionByZero")
        #expect(failure("RETURN date('+999999999-12-31') + duration('P1D') AS d") == "ArgumentError: NumberOutOfRange")
    }

    @Test func sumAndAvgOverDurations() throws {
        #expect(try value("UNWIND [duration('PT1H'), duration('PT30M'), null, duration('P1D')] AS d RETURN sum(d) AS s") == "'P1DT1H30M'")
        #expect(try value("UNWIND [duration('PT1H'), duration('PT2H')] AS d RETURN avg(d) AS a") == "'PT1H30M'")
        #expect(try value("UNWIND [duration('P1M'), duration('P2M')] AS d RETURN avg(d) AS a") == "'P1M15DT5H14M33S'")
        #expect(try value("UNWIND [] AS d RETURN avg(d) AS a") == "null")
        #expect(failure("UNWIND [duration('PT1H'), 1] AS d RETURN sum(d) AS s") == "TypeError: InvalidArgumentType")
        #expect(failure("UNWIND [1, duration('PT1H')] AS d RETURN avg(d) AS s") == "TypeError: InvalidArgumentType")
    }

    @Test func comparisonEqualityAndOrder() throws {
        #expect(try value("RETURN time('12:00+01:00') < time('11:30Z') AS b") == "true")
        #expect(try value("RETURN datetime('2021-01-01T12:00+01:00') = datetime('2021-01-01T11:00Z') AS b") == "false")
        #expect(try value("RETURN date('2021-01-01') = date({year: 2021}) AS b") == "true")
        #expect(try value("RETURN date('2021-01-01') < localdatetime('2021-01-02T00:00') AS b") == "null")
        #expect(try value("RETURN duration('P1D') < duration('P2D') AS b") == "null")
        #expect(try value("RETURN duration('PT24H') = duration('P1D') AS b") == "false")
        // Mixed kinds order by kind: date-times, local date-times, dates, times, local times, durations, then strings.
        #expect(try value("UNWIND ['s', duration('P1D'), localtime('01:00'), time('01:00Z'), date('2021-01-01'), localdatetime('2021-01-01T00:00'), datetime('2021-01-01T00:00Z')] AS x WITH x ORDER BY x RETURN collect(toString(x)) AS l")
                == "['2021-01-01T00:00Z', '2021-01-01T00:00', '2021-01-01', '01:00Z', '01:00', 'P1D', 's']")
        #expect(try value("UNWIND [duration('P1M'), duration('P29D'), duration('PT1H')] AS x WITH x ORDER BY x RETURN collect(toString(x)) AS l") == "['PT1H', 'P29D', 'P1M']")
        #expect(try value("UNWIND [date('2021-01-02'), date('2021-01-02'), date('2020-01-01')] AS x RETURN count(DISTINCT x) AS n") == "2")
        #expect(try rows("UNWIND [date('2021-01-02'), date('2020-01-01')] AS x RETURN min(x), max(x)") == ["'2020-01-01' | '2021-01-02'"])
    }

    @Test func truncateAndBetween() throws {
        #expect(try value("RETURN datetime.truncate('month', datetime('2021-03-28T12:34[Europe/Stockholm]')) AS d") == "'2021-03-01T00:00+01:00[Europe/Stockholm]'")
        #expect(try value("RETURN localtime.truncate('minute', localtime('12:34:56.789')) AS d") == "'12:34'")
        #expect(try value("RETURN date.truncate('week', date('2021-01-01'), {dayOfWeek: 5}) AS d") == "'2021-01-01'")
        #expect(try value("RETURN duration.between(date('2020-02-29'), date('2021-02-28')) AS d") == "'P11M30D'")
        #expect(try value("RETURN duration.inDays(datetime('2021-01-01T23:00Z'), datetime('2021-01-03T22:00Z')) AS d") == "'P1D'")
        #expect(try value("RETURN duration.inSeconds(time('10:00+02:00'), time('10:00Z')) AS d") == "'PT2H'")
        #expect(try value("RETURN duration.between(date('2021-01-01'), null) AS d") == "null")
    }

    @Test func clocksAreFixedWithinAStatement() throws {
        #expect(try value("UNWIND range(1, 200) AS i WITH collect(datetime()) AS l RETURN size([x IN l WHERE x <> l[0]]) AS n") == "0")
        #expect(try value("RETURN datetime.statement() = datetime.transaction() AS b") == "true")
        #expect(try value("RETURN date.realtime('Pacific/Kiritimati') >= date.realtime('Pacific/Pago_Pago') AS b") == "true")
        #expect(try value("RETURN datetime({timezone: '+03:00'}).offset AS o") == "'+03:00'")
    }

    @Test func storedAsPropertiesAndReadBackTyped() throws {
        let g = Graph()
        _ = try rows("CREATE (:E {on: date('2024-05-01'), at: [localtime('09:00'), localtime('10:30')], took: duration('PT90M')})", g)
        #expect(try rows("MATCH (e:E) RETURN e.on.month, e.at[1].minute, e.took.minutes", g) == ["5 | 30 | 90"])
        let stored = try #require(g.nodes.first.flatMap { g.property($0, "on") })
        #expect(stored == .temporal(TemporalValue(kind: .date, text: "2024-05-01")))
        #expect(error("CREATE (:E {x: [date('2024-05-01'), datetime('2024-05-01T00:00Z')]})", g)?.detail == "InvalidPropertyType")
        #expect(try rows("MATCH (e:E) WHERE e.on < date('2025-01-01') RETURN count(*)", g) == ["1"])
    }
}

@Suite struct TemporalFormatTests {
    func parse(_ text: String) -> (Document, [Diagnostic]) {
        KGParser.parse(path: "t.kg", text: text)
    }

    @Test func kgLiteralsAreCheckedAndCanonical() throws {
        let (doc, diags) = parse("concept a \"A\" : Concept\n  born date \"20240501\"\n  at time \"0930+0100\"\n")
        #expect(diags.isEmpty)
        let text = KGPrinter.print(doc)
        #expect(text.contains("date \"2024-05-01\""))
        #expect(text.contains("time \"09:30+01:00\""))
    }

    @Test func invalidKgLiteralIsAnErrorAtItsColumn() throws {
        let (_, diags) = parse("concept a \"A\" : Concept\n  born date \"2024-02-30\"\n")
        let d = try #require(diags.first)
        #expect(d.line == 2 && d.column == 13)
        #expect(d.message.contains("day must be between 1 and 29"))
        let (_, zone) = parse("concept a \"A\" : Concept\n  at time \"09:30[Europe/Stockholm]\"\n")
        #expect(zone.first?.message.contains("UTC offset") == true)
    }
}
