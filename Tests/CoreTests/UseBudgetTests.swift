// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Use budgets (issue 16 item 5): the `wif_max_uses` claim read strictly, spent one use per acceptance in the
/// replay cache (file and memory), exhausted with its own reason, refused without a cache, and plain jti replay
/// (no claim, or `check`) unchanged.
@Suite struct UseBudgetTests {
    static let now: Int64 = 1_767_323_400
    static let key: JWK = {
        (try? parseJWK(RFC.a3Key)) ?? { fatalError("RFC 7515 A.3 key") }()
    }()

    func token(_ edit: (inout TokenSpec) -> Void) throws -> [UInt8] {
        var spec = TokenSpec(now: Self.now)
        spec.iss = "https://ci.example"
        edit(&spec)
        return try Minter(spec: spec, key: Self.key).next()
    }

    func validator() throws -> Validator {
        try Validator(keys: KeyRing(keys: [try reparse(Self.key, includePrivate: false)]), policy: Policy(profile: .none))
    }

    func verified(_ edit: (inout TokenSpec) -> Void) throws -> VerifiedToken {
        try validator().verify(try token(edit), now: Self.now)
    }

    func claims(_ json: String) throws -> JSONObject {
        try JSON.parseObject(Array(json.utf8), what: "claims")
    }

    // MARK: The claim

    @Test func claimIsAWholeNumberInRange() throws {
        #expect(try UseBudget.of(claims("{}")) == nil)
        #expect(try UseBudget.of(claims(#"{"wif_max_uses":1}"#)) == 1)
        #expect(try UseBudget.of(claims(#"{"wif_max_uses":1000000}"#)) == 1_000_000)
        for bad in ["0", "-1", "1000001", "5.0", "5e0", "\"5\"", "true", "null", "[5]", "99999999999999999999999"] {
            #expect(reason { try UseBudget.of(claims(#"{"wif_max_uses":\#(bad)}"#)) } == .badUseBudget, "\(bad)")
        }
        #expect(Reason.badUseBudget.exitStatus == .rejected)
        #expect(Reason.useBudgetExhausted.exitStatus == .rejected)
        #expect(Reason.useBudgetNeedsCache.exitStatus == .failure)
    }

    /// The validator rejects a malformed budget whether or not a cache counts it.
    @Test func validatorRejectsABadBudget() throws {
        let t = try token { $0.claims["wif_max_uses"] = .number("0") }
        #expect(reason { try validator().verify(t, now: Self.now) } == .badUseBudget)
    }

    @Test func maxUsesTextIsStrict() throws {
        #expect(try UseBudget.parse("1") == 1)
        #expect(try UseBudget.parse("5") == 5)
        #expect(try UseBudget.parse("1000000") == 1_000_000)
        for bad in ["", "0", "05", "+5", "-5", " 5", "5 ", "5.0", "1e3", "1000001", "99999999", "٥", "0x10"] {
            #expect(reason { try UseBudget.parse(bad) } == .usage, "\(bad.debugDescription)")
        }
    }

    @Test func mintWritesTheClaim() throws {
        var s = MintSettings()
        s.maxUses = "5"
        let spec = try s.spec(clock: Clock(fixed: Self.now)).spec
        #expect(spec.claimSet()["wif_max_uses"] == .integer(5))
        s.noExp = true
        #expect(reason { try s.spec(clock: Clock(fixed: Self.now)) } == .usage)
        s.noExp = false
        s.maxUses = "0"
        #expect(reason { try s.spec(clock: Clock(fixed: Self.now)) } == .usage)
    }

    // MARK: Spending

    func spend(_ cache: ReplayCache, _ v: VerifiedToken) -> Reason? {
        reason { try cache.spend(v, leeway: 60, now: { Self.now }) }
    }

    @Test func budgetIsSpentOneUseAtATime() throws {
        let dir = try ScratchDir()
        let v = try verified { $0.jti = .fixed("five"); $0.maxUses = 5 }
        // a new ReplayCache each time: every use is counted in the file, not in one process's memory
        for _ in 0..<5 { #expect(spend(ReplayCache(path: dir.file("cache")), v) == nil) }
        #expect(spend(ReplayCache(path: dir.file("cache")), v) == .useBudgetExhausted)
        #expect(spend(ReplayCache(path: dir.file("cache")), v) == .useBudgetExhausted)
        let text = String(decoding: try Input.read(dir.file("cache")), as: UTF8.self)
        #expect(text.hasSuffix(" 5\n"), "\(text)")
        #expect(text.split(separator: "\n").count == 1)
    }

    @Test func budgetOfOneIsExhaustedNotReplayed() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let v = try verified { $0.jti = .fixed("one"); $0.maxUses = 1 }
        #expect(spend(cache, v) == nil)
        #expect(spend(cache, v) == .useBudgetExhausted)
        // the file holds a version-1 line: one use spent
        let text = String(decoding: try Input.read(dir.file("cache")), as: UTF8.self)
        #expect(text.split(separator: " ").count == 2)
    }

    /// Without the claim, `spend` is plain jti replay; `check` ignores a budget (one-time objects).
    @Test func plainReplayIsTheBudgetOneCase() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let plain = try verified { $0.jti = .fixed("plain") }
        #expect(spend(cache, plain) == nil)
        #expect(spend(cache, plain) == .replayedJTI)
        #expect(reason { try cache.check(plain, leeway: 60, now: { Self.now }) } == .replayedJTI)
        let budgeted = try verified { $0.jti = .fixed("proof"); $0.maxUses = 3 }
        #expect(reason { try cache.check(budgeted, leeway: 60, now: { Self.now }) } == nil)
        #expect(reason { try cache.check(budgeted, leeway: 60, now: { Self.now }) } == .replayedJTI)
    }

    @Test func memoryCacheCountsUsesToo() throws {
        let cache = ReplayCache(inMemory: (), pruneAt: 2)
        let v = try verified { $0.jti = .fixed("mem"); $0.maxUses = 3 }
        let other = try verified { $0.jti = .fixed("other"); $0.maxUses = 2 }
        for _ in 0..<3 { #expect(spend(cache, v) == nil) }
        #expect(spend(cache, other) == nil)
        #expect(spend(cache, v) == .useBudgetExhausted)
        #expect(spend(cache, other) == nil)
        #expect(spend(cache, other) == .useBudgetExhausted)
        #expect(cache.count == 2)
        // once expired, the entry is forgotten and the expired token is refused as expired
        #expect(reason { try cache.spend(v, leeway: 60, now: { Self.now + 400 }) } == .expired)
    }

    /// The entry lives until exp + leeway; each use keeps it.
    @Test func usedEntryKeepsItsExpiry() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let v = try verified { $0.jti = .fixed("e"); $0.exp = Self.now + 100; $0.maxUses = 2 }
        #expect(spend(cache, v) == nil)
        #expect(reason { try cache.spend(v, leeway: 60, now: { Self.now + 150 }) } == nil)
        #expect(reason { try cache.spend(v, leeway: 60, now: { Self.now + 159 }) } == .useBudgetExhausted)
        let text = String(decoding: try Input.read(dir.file("cache")), as: UTF8.self)
        #expect(text.hasPrefix("\(Self.now + 160) ") && text.hasSuffix(" 2\n"), "\(text)")
    }

    // MARK: Verification

    @Test func verificationNeedsACacheForABudget() throws {
        let budgeted = try token { $0.maxUses = 2 }
        let none = Verification(validator: try validator(), replayCache: nil, clock: Clock(fixed: Self.now))
        #expect(reason { try none.verify(budgeted) } == .useBudgetNeedsCache)
        #expect(reason { try none.verify(try token { _ in }) } == nil)
        let dir = try ScratchDir()
        let with = Verification(validator: try validator(), replayCache: ReplayCache(path: dir.file("c")),
                                clock: Clock(fixed: Self.now))
        #expect(reason { try with.verify(budgeted) } == nil)
        #expect(reason { try with.verify(budgeted) } == nil)
        #expect(reason { try with.verify(budgeted) } == .useBudgetExhausted)
    }
}
