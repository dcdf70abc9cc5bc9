// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Sources/Core/Encoding/Clock.swift: `--now` as epoch seconds, RFC 3339 or an offset resolved once; without it,
/// every `now()` reads the system clock afresh.
@Suite struct ClockTests {
    func systemSeconds() -> Int64 { Int64(time(nil)) }

    @Test func epochAndRFC3339AreFixed() throws {
        #expect(try Clock(now: "1767323400").now() == 1_767_323_400)
        #expect(try Clock(now: "2026-01-02T03:10:00Z").now() == 1_767_323_400)
        #expect(try Clock(now: "2026-01-02T04:10:00+01:00").now() == 1_767_323_400)
        #expect(try Clock(now: "0").fixed == 0)
        #expect(Clock(fixed: 42).now() == 42)
    }

    @Test func anOffsetIsResolvedOnceFromTheSystemClock() throws {
        let before = systemSeconds()
        let c = try Clock(now: "-1h")
        let after = systemSeconds()
        let fixed = try #require(c.fixed)
        #expect(fixed >= before - 3600 && fixed <= after - 3600)
        #expect(c.now() == fixed)
        let ahead = try Clock(now: "+5m")
        #expect((ahead.fixed ?? 0) >= before + 300 && (ahead.fixed ?? 0) <= systemSeconds() + 300)
    }

    @Test func withoutNowTheSystemClockIsRead() throws {
        let c = try Clock(now: nil)
        #expect(c.fixed == nil)
        #expect(Clock.system.fixed == nil)
        let before = systemSeconds()
        let n = c.now()
        #expect(n >= before && n <= systemSeconds())
        #expect(NumericDate.systemNow() >= before)
    }

    @Test(arguments: ["", "now", "tomorrow", "1h", "+", "+1y", "1e9", "12345678901234", "2026-13-01T00:00:00Z", " 1"])
    func badValuesAreUsage(_ text: String) {
        let e = wifError { try Clock(now: text) }
        #expect(e?.reason == .usage)
        #expect(e?.detail.hasPrefix("--now: ") == true)
    }
}
