// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The in-memory ReplayCache and ProcessControl's millisecond timestamps.
@Suite struct ServeProcessTests {
    let fx: ServeFixture

    init() throws { fx = try ServeFixture() }


    @Test func inMemoryReplayCacheForgetsOnlyExpiredEntries() throws {
        let cache = ReplayCache(inMemory: (), pruneAt: 8)
        let pub = try JWK.parse(fx.idp.json(includePrivate: false), what: "idp")
        let v = try Validator(keys: KeyRing(keys: [pub]), policy: Policy(profile: .none))
        // 10 tokens that expire at now+10 and one that lives long; past their expiry, the next insert prunes them.
        let long = try v.verify(Array(try fx.assertion(exp: ServeFixture.now + 100_000, jti: "long").utf8), now: ServeFixture.now)
        try cache.check(long, leeway: 0, now: { ServeFixture.now })
        for i in 0..<10 {
            let t = try v.verify(Array(try fx.assertion(exp: ServeFixture.now + 10, jti: "j\(i)").utf8), now: ServeFixture.now)
            try cache.check(t, leeway: 0, now: { ServeFixture.now })
        }
        #expect(cache.count == 11, "pruned at 8 with nothing expired: the next pruning waits for 16")
        let later = ServeFixture.now + 11
        for i in 0..<6 {
            let t = try v.verify(Array(try fx.assertion(exp: later + 300, jti: "fresh\(i)").utf8), now: later)
            try cache.check(t, leeway: 0, now: { later })
        }
        #expect(cache.count == 1 + 6, "the 10 expired entries were forgotten on reaching 16")
        #expect(reason { try cache.check(long, leeway: 0, now: { later }) } == .replayedJTI)
    }

    /// The in-memory cache puts a fresh entry in with one probe and judges an old one afterwards: a replay and an
    /// exhausted budget are refused and leave the entry as it was, a budget is counted use by use, and a token
    /// with no jti is keyed by its signing input.
    @Test func inMemoryReplayCacheJudgesWhatItFound() throws {
        let cache = ReplayCache(inMemory: ())
        let pub = try JWK.parse(fx.idp.json(includePrivate: false), what: "idp")
        let v = try Validator(keys: KeyRing(keys: [pub]), policy: Policy(profile: .none))
        let now = { ServeFixture.now }
        func token(jti: String?, maxUses: Int? = nil) throws -> VerifiedToken {
            var spec = TokenSpec(now: ServeFixture.now)
            spec.iss = "https://idp.example"
            spec.exp = ServeFixture.now + 600
            spec.jti = jti.map { .fixed($0) } ?? .omitted
            spec.maxUses = maxUses
            return try v.verify(try Minter(spec: spec, key: fx.idp).next(), now: ServeFixture.now)
        }
        let once = try token(jti: "once")
        try cache.spend(once, leeway: 0, now: now)
        #expect(reason { try cache.spend(once, leeway: 0, now: now) } == .replayedJTI)
        #expect(reason { try cache.spend(once, leeway: 0, now: now) } == .replayedJTI, "still remembered after a refusal")
        let twice = try token(jti: "twice", maxUses: 2)
        try cache.spend(twice, leeway: 0, now: now)
        try cache.spend(twice, leeway: 0, now: now)
        #expect(reason { try cache.spend(twice, leeway: 0, now: now) } == .useBudgetExhausted)
        #expect(reason { try cache.spend(twice, leeway: 0, now: now) } == .useBudgetExhausted)
        let bare = try token(jti: nil)
        try cache.check(bare, leeway: 0, now: now)
        #expect(reason { try cache.check(bare, leeway: 0, now: now) } == .replayedJTI)
        #expect(cache.count == 3)
    }

    @Test func millisecondTimestamps() {
        // 1767323400123 ms is 2026-01-02T03:10:00.123Z (Python: datetime.fromtimestamp(1767323400.123, UTC)).
        #expect(ProcessControl.formatMillis(1_767_323_400_123) == "2026-01-02T03:10:00.123Z")
        #expect(ProcessControl.formatMillis(1_767_323_400_005) == "2026-01-02T03:10:00.005Z")
        #expect(ProcessControl.formatMillis(-1) == "1969-12-31T23:59:59.999Z")
        // The remembering stamp agrees with the one-off form across second, minute and day boundaries, both ways.
        var stamp = ProcessControl.MillisStamp()
        #expect(stamp.format(1_767_398_399_999) == "2026-01-02T23:59:59.999Z")
        #expect(stamp.format(1_767_398_400_000) == "2026-01-03T00:00:00.000Z")
        for ms in [Int64(1_767_398_399_998), 1_767_398_399_999, 1_767_398_400_000, 1_767_398_400_001, 1_767_398_399_500,
                   -1001, -1000, -999, -1, 0, 1, 999, 1000] {
            #expect(stamp.format(ms) == ProcessControl.formatMillis(ms))
            let second: Int64 = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            let frac: Int64 = ((ms % 1000) + 1000) % 1000
            let digits = String(String(1000 + frac).dropFirst())
            let expected = String(NumericDate.formatRFC3339(second).dropLast()) + "." + digits + "Z"
            #expect(stamp.format(ms) == expected)
        }
    }
}
