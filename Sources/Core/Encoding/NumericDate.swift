// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Times and durations on the command line and in claims.
///
/// - NumericDate (RFC 7519 §2): seconds since the epoch, UTC, leap seconds ignored; fractions allowed in claims.
/// - An instant on the command line is epoch seconds (`1767323400`), RFC 3339 (`2026-01-02T03:10:00Z`,
///   fractions dropped, offsets honoured), or an offset from now: `+300`, `+5m`, `-1h`, `+2d`.
/// - A duration is `30`, `30s`, `5m`, `1h` or `2d`.
/// Every result is bounded to ±10^12 seconds, so later arithmetic cannot overflow.
public enum NumericDate {
    public static let bound: Int64 = 1_000_000_000_000

    /// The value of a JSON number literal that is an integer of at most 15 digits (`-?[0-9]{1,15}`), read digit
    /// by digit, or nil for any other literal (fractions, exponents, longer), which callers read as a Double.
    static func integerLiteral(_ literal: String) -> Int64? {
        var literal = literal
        return literal.withUTF8 { u -> Int64? in
            var i = 0
            let negative = u.first == UInt8(ascii: "-")
            if negative { i = 1 }
            let digits = u.count - i
            guard digits >= 1 && digits <= 15 else { return nil }
            var v: Int64 = 0
            while i < u.count {
                let d = u[i] &- 0x30
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
                i += 1
            }
            return negative ? -v : v
        }
    }

    /// A JSON number as a Double: an integer literal of at most 15 digits digit by digit (exact, and cheaper than
    /// Double(String), which cost more than the rest of the claim checks), any other number through Double; nil
    /// for a value that is not a finite number.
    static func value(_ v: JSON) -> Double? {
        guard case .number(let literal) = v else { return nil }
        if let d = integerLiteral(literal) { return Double(d) }
        return v.doubleValue
    }

    /// Parses a duration: digits with an optional unit `s`, `m`, `h` or `d`.
    public static func parseDuration(_ text: String, what: String) throws(WIFError) -> Int64 {
        guard let v = durationValue(Substring(text)) else {
            throw WIFError(.usage, "\(what): \"\(JSON.escapedForMessage(text))\" is not a duration",
                           hint: "use seconds or a number with s, m, h or d, e.g. 30, 30s, 5m, 1h, 2d")
        }
        return v
    }

    static func durationValue(_ text: Substring) -> Int64? {
        guard let last = text.last else { return nil }
        var digits = text
        var unit: Int64 = 1
        switch last {
        case "s": unit = 1
        case "m": unit = 60
        case "h": unit = 3600
        case "d": unit = 86400
        default: unit = 0
        }
        if unit != 0 { digits = text.dropLast() } else { unit = 1 }
        guard !digits.isEmpty, digits.count <= 13, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = Int64(digits) else { return nil }
        let (v, o) = n.multipliedReportingOverflow(by: unit)
        guard !o, v <= bound else { return nil }
        return v
    }

    /// Parses an instant given on the command line, relative offsets counted from `now`.
    public static func parseInstant(_ text: String, now: Int64, what: String) throws(WIFError) -> Int64 {
        let hint = "give epoch seconds, RFC 3339 (2026-01-02T03:04:05Z) or an offset (+300, +5m, -1h, +2d)"
        let bad = WIFError(.usage, "\(what): \"\(JSON.escapedForMessage(text))\" is not a time", hint: hint)
        if let first = text.first, first == "+" || first == "-" {
            guard let d = durationValue(text.dropFirst()) else { throw bad }
            let v = first == "+" ? now + d : now - d
            guard abs(v) <= bound else { throw bad }
            return v
        }
        if !text.isEmpty, text.count <= 13, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(text) {
            guard v <= bound else { throw bad }
            return v
        }
        if let v = parseRFC3339(text) { return v }
        throw bad
    }

    /// Parses RFC 3339 `date-time` (§5.6), with `T`/`t`/space between date and time; fractions are dropped.
    public static func parseRFC3339(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + len) {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
              [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]),
              let h = num(11, 2), b[13] == 0x3A, let mi = num(14, 2), b[16] == 0x3A, let s = num(17, 2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo), h <= 23, mi <= 59, s <= 60 else { return nil }
        var i = 19
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            if i == start { return nil }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = num(i + 4, 2),
                  oh <= 23, om <= 59 else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + min(s, 59) - offset
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(m - 1)]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    /// Formats seconds since the epoch as RFC 3339 in UTC, e.g. `2026-01-02T03:10:00Z`.
    public static func formatRFC3339(_ t: Int64) -> String {
        let t = max(-bound * 10, min(bound * 10, t))
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        let (y, m, d) = civilFromDays(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y >= 0 && y < 10000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

    /// Formats a span of seconds in words: `4m 12s`, `3h 5m`, `2d 1h`.
    public static func formatSpan(_ seconds: Int64) -> String {
        let s = seconds.magnitude
        if s < 60 { return "\(s)s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m \(s % 60)s" }
        if s < 86400 { return s % 3600 / 60 == 0 ? "\(s / 3600)h" : "\(s / 3600)h \(s % 3600 / 60)m" }
        return s % 86400 / 3600 == 0 ? "\(s / 86400)d" : "\(s / 86400)d \(s % 86400 / 3600)h"
    }

    /// Current wall-clock time in whole seconds.
    public static func systemNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}
