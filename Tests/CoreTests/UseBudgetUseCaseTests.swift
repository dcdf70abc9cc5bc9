// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Use budgets in the use cases that spend them (issue 16 item 5): `Verification` one token and `--batch`,
/// `TokenEndpoint` with a file cache, with a server's memory cache and without any, and what `Inspector` reports.
@Suite struct UseBudgetUseCaseTests {
    static let aud = "https://as.example/token"
    let ec: JWK
    let dir: TempDir

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        dir = try TempDir()
    }

    func token(_ edit: (inout TokenSpec) -> Void = { _ in }) throws -> [UInt8] {
        try mint(ec, baseSpec(aud: [Self.aud]), edit)
    }

    func policy() -> Policy {
        var p = Policy(profile: .rfc7523)
        p.audiences = [Self.aud]
        return p
    }

    // MARK: Verification

    @Test func batchSpendsOneUsePerAcceptedLine() throws {
        let v = Verification(validator: try validator([ec], policy()), replayCache: ReplayCache(path: dir.file("c")),
                             clock: Clock(fixed: mirrorNow))
        let two = try token { $0.jti = .fixed("two"); $0.maxUses = 2 }
        let input = (two + [0x0A]) + (two + [0x0A]) + (two + [0x0A])
        let fd = try pipeHolding(input)
        defer { close(fd) }
        var sink = CollectingSink()
        let summary = try v.verifyBatch(fd: fd, to: &sink)
        #expect(summary.tokens == 3 && summary.rejected == 1)
        #expect(sink.objects.map { $0["valid"]?.boolValue } == [true, true, false])
        #expect(sink.objects.last?["reason"]?.stringValue == "use_budget_exhausted")
    }

    @Test func batchWithoutCacheCannotJudgeABudget() throws {
        let v = Verification(validator: try validator([ec], policy()), replayCache: nil, clock: Clock(fixed: mirrorNow))
        let fd = try pipeHolding(try token { $0.maxUses = 2 } + [0x0A])
        defer { close(fd) }
        var sink = CollectingSink()
        #expect(reason { try v.verifyBatch(fd: fd, to: &sink) } == .useBudgetNeedsCache)
    }

    // MARK: TokenEndpoint

    func endpoint(_ edit: (inout TokenEndpoint) -> Void) throws -> TokenEndpoint {
        var e = try TokenEndpoint(validator: try validator([ec], policy()))
        edit(&e)
        return e
    }

    func request(_ e: TokenEndpoint, _ assertion: [UInt8]) throws -> Reason?? {
        let body = FormEncoding.encode([("grant_type", TokenRequest.jwtBearerGrant),
                                        ("assertion", String(decoding: assertion, as: UTF8.self))])
        switch try e.handle(body: Array(body.utf8), now: mirrorNow) {
        case .success: return .some(nil)
        case .failure(let oauth, let w):
            #expect(oauth == .invalidGrant)
            return .some(w.reason)
        }
    }

    @Test func endpointSpendsTheAssertionsBudget() throws {
        let three = try token { $0.jti = .fixed("three"); $0.maxUses = 3 }
        for cache in [ReplayCache(path: dir.file("endpoint")), ReplayCache(inMemory: ())] {
            let e = try endpoint { $0.replayCache = cache }
            for _ in 0..<3 { #expect(try request(e, three) == .some(nil)) }
            #expect(try request(e, three) == .some(.useBudgetExhausted))
        }
        // a server's memory cache, used when no file is named
        let served = try endpoint { $0.memoryReplayCache = ReplayCache(inMemory: ()) }
        for _ in 0..<3 { #expect(try request(served, three) == .some(nil)) }
        #expect(try request(served, three) == .some(.useBudgetExhausted))
    }

    @Test func endpointWithoutCacheCannotJudgeABudget() throws {
        let e = try endpoint { _ in }
        #expect(reason { try request(e, try token { $0.maxUses = 3 }) } == .useBudgetNeedsCache)
        #expect(try request(e, try token()) == .some(nil))
    }

    /// A request that fails for another reason spends nothing of the budget.
    @Test func aRejectedRequestSpendsNoUse() throws {
        let cache = ReplayCache(path: dir.file("scoped"))
        let one = try token { $0.jti = .fixed("one"); $0.maxUses = 1 }
        let strict = try endpoint { $0.replayCache = cache; $0.rejectScopes = ["admin"] }
        let body = FormEncoding.encode([("grant_type", TokenRequest.jwtBearerGrant), ("scope", "admin"),
                                        ("assertion", String(decoding: one, as: UTF8.self))])
        if case .success = try strict.handle(body: Array(body.utf8), now: mirrorNow) { Issue.record("admin granted") }
        #expect(try request(strict, one) == .some(nil))
        #expect(try request(strict, one) == .some(.useBudgetExhausted))
    }

    // MARK: Inspector

    @Test func inspectorReportsTheBudget() throws {
        let r = try Inspector(now: mirrorNow).inspect(try token { $0.maxUses = 4 })
        #expect(r.findings.contains { f in f.code == "use_budget" && f.severity == .info && f.message.contains("4 times") })
        let bad = try Inspector(now: mirrorNow).inspect(try token { $0.claims["wif_max_uses"] = .number("1.5") })
        #expect(bad.findings.contains { $0.code == "bad_use_budget" && $0.severity == .error })
        let plain = try Inspector(now: mirrorNow).inspect(try token())
        #expect(plain.findings.allSatisfy { !$0.code.contains("use_budget") })
    }
}
