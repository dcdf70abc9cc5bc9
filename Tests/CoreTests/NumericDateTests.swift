// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// Durations, instants and RFC 3339 (§5.6 grammar, §5.7 date rules, §5.8 examples). Expected epoch values were
/// computed with Python's `datetime` / `calendar.timegm`, not with wif.
@Suite struct NumericDateTests {
    static let now: Int64 = 1_767_323_400  // 2026-01-02T03:10:00Z

    // MARK: Durations

    @Test(arguments: [
        ("30", 30), ("30s", 30), ("5m", 300), ("1h", 3600), ("2d", 172_800), ("0", 0), ("0s", 0), ("90m", 5400),
        ("007", 7), ("11574074d", 999_999_993_600), ("1000000000000", 1_000_000_000_000),
    ] as [(String, Int64)])
    func durations(_ text: String, _ seconds: Int64) throws {
        #expect(try NumericDate.parseDuration(text, what: "--lifetime") == seconds)
    }

    @Test(arguments: [
        "", "s", "m", "-5", "+5", "5x", "5M", "5S", "1.5h", "1,5h", " 5", "5 ", "5 s", "1w", "1y", "5ms", "h1",
        "1h30m", "0x10", "١٢", "５", "99999999999999", "11574075d", "1000000000001", "5\n",
    ])
    func badDurations(_ text: String) {
        #expect(reason(of: { try NumericDate.parseDuration(text, what: "--lifetime") }) == .usage)
    }

    // MARK: Instants

    @Test(arguments: [
        ("+300", now + 300), ("-1h", now - 3600), ("+5m", now + 300), ("+2d", now + 172_800), ("-0", now),
        ("+0s", now), ("-30", now - 30),
        ("0", 0), ("1767323400", 1_767_323_400), ("1300819380", 1_300_819_380),
        ("2026-01-02T03:10:00Z", 1_767_323_400),
        ("2026-01-02t03:10:00z", 1_767_323_400),           // §5.6 NOTE: t and z may be lower case
        ("2026-01-02 03:10:00Z", 1_767_323_400),           // §5.6 NOTE: a space may separate date and time
        ("2026-01-02T08:40:00+05:30", 1_767_323_400),
        ("2026-01-01T22:10:00-05:00", 1_767_323_400),
        ("2026-01-02T03:10:00+00:00", 1_767_323_400),
        ("2026-01-02T03:10:00-00:00", 1_767_323_400),      // §4.3 unknown local offset
        ("2026-01-02T03:10:00.999Z", 1_767_323_400),       // fractions dropped
        ("1985-04-12T23:20:50.52Z", 482_196_050),          // §5.8 examples
        ("1996-12-19T16:39:57-08:00", 851_042_397),
        ("1990-12-31T23:59:60Z", 662_687_999),             // leap second, held at :59
        ("1990-12-31T15:59:60-08:00", 662_687_999),
        ("1937-01-01T12:00:27.87+00:20", -1_041_337_173),
        ("2024-02-29T00:00:00Z", 1_709_164_800),           // leap year
        ("2000-02-29T00:00:00Z", 951_782_400),             // divisible by 400
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ] as [(String, Int64)])
    func instants(_ text: String, _ expected: Int64) throws {
        #expect(try NumericDate.parseInstant(text, now: Self.now, what: "--now") == expected)
    }

    @Test(arguments: [
        "", "+", "-", "++5", "+-5", "+5x", "1.5", "1e9", "12345678901234", "now", "tomorrow", " 0", "0 ",
        "+11574075d", "-11574075d",
        "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "2026-01-02T23:59:61Z",
        "2026-01-02T03:10:00", "2026-01-02T03:10:00.Z", "2026-01-02T03:10:00+24:00", "2026-01-02T03:10:00+05:60",
        "2026-01-02T03:10:00+0530", "2026-01-02T03:10:00+05", "2026-01-02T03:10:00Z ", "2026-01-02T03:10:00ZZ",
        "2026-1-2T03:10:00Z", "2026-01-02T3:10:00Z", "2026-01-02X03:10:00Z", "2026-01-02", "2026-01-02T03:10Z",
        "+2026-01-02T03:10:00Z", "２026-01-02T03:10:00Z",
    ])
    func badInstants(_ text: String) {
        #expect(reason(of: { try NumericDate.parseInstant(text, now: Self.now, what: "--now") }) == .usage)
    }

    @Test func rfc3339AloneRejectsOtherForms() {
        #expect(NumericDate.parseRFC3339("1767323400") == nil)
        #expect(NumericDate.parseRFC3339("+300") == nil)
        #expect(NumericDate.parseRFC3339("2026-01-02T03:10:00Z") == 1_767_323_400)
    }

    // MARK: Formatting

    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"), (1_767_323_400, "2026-01-02T03:10:00Z"), (1_767_323_045, "2026-01-02T03:04:05Z"),
        (951_782_400, "2000-02-29T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"), (1_300_819_380, "2011-03-22T18:43:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"), (-62_135_596_800, "0001-01-01T00:00:00Z"),
        (-1_041_337_173, "1937-01-01T11:40:27Z"), (4_107_542_400, "2100-03-01T00:00:00Z"),
    ] as [(Int64, String)])
    func formatRFC3339(_ t: Int64, _ text: String) {
        #expect(NumericDate.formatRFC3339(t) == text)
        #expect(NumericDate.parseRFC3339(text) == t)
    }

    @Test func formatRFC3339RoundTrips() {
        var rng = SystemRandomNumberGenerator()
        let lo: Int64 = -62_135_596_800, hi: Int64 = 253_402_300_799  // years 0001 ... 9999
        var samples: [Int64] = [lo, hi, 0, -1, 1, 86_399, 86_400, -86_400, -86_401]
        for _ in 0..<5000 { samples.append(Int64.random(in: lo...hi, using: &rng)) }
        for t in samples {
            let text = NumericDate.formatRFC3339(t)
            #expect(text.utf8.count == 20, "\(t) → \(text)")
            #expect(NumericDate.parseRFC3339(text) == t, "\(t) → \(text)")
        }
    }

    @Test(arguments: [
        (0, "0s"), (1, "1s"), (59, "59s"), (60, "1m"), (61, "1m 1s"), (252, "4m 12s"), (3599, "59m 59s"),
        (3600, "1h"), (3660, "1h 1m"), (11_100, "3h 5m"), (86_399, "23h 59m"), (86_400, "1d"), (90_000, "1d 1h"),
        (-252, "4m 12s"), (-86_400, "1d"),
    ] as [(Int64, String)])
    func formatSpan(_ seconds: Int64, _ text: String) {
        #expect(NumericDate.formatSpan(seconds) == text)
    }

    @Test func formatSpanExtremes() {
        // Int64.min has no positive Int64: the magnitude must still be formatted, not trap.
        #expect(NumericDate.formatSpan(Int64.min) == "106751991167300d 15h")
        #expect(NumericDate.formatSpan(Int64.max) == "106751991167300d 15h")
    }

    @Test func systemNowIsPlausible() {
        let t = NumericDate.systemNow()
        #expect(t > 1_767_000_000)          // after this code was written (2026)
        #expect(t < 4_102_444_800)          // before 2100
    }
}

/// Integer NumericDates are read digit by digit (Validator's fast path); every other literal is left to Double.
@Suite struct NumericDateLiteralTests {
    @Test(arguments: ["0", "-0", "1767323400", "-1", "999999999999999", "-999999999999999", "42"])
    func integersAreReadExactly(_ literal: String) throws {
        let v = try #require(NumericDate.integerLiteral(literal))
        #expect(Double(v) == Double(literal))
    }

    @Test(arguments: ["1000000000000000", "1.5", "1e9", "1767323400.0", "-", "", "12a", "+1", "1E2", "0x10"])
    func otherLiteralsAreNot(_ literal: String) {
        #expect(NumericDate.integerLiteral(literal) == nil)
    }
}
