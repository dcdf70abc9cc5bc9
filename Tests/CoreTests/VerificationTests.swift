// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// The verification use case (Sources/Core/Operations/Verification.swift): one token and `--batch`, the replay
/// cache opened, spent and closed inside it, batch lines with their line numbers, and zero tokens as input_empty.
@Suite struct VerificationTests {
    static let aud = "https://as.example/token"
    let ec: JWK
    let dir: TempDir

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        dir = try TempDir()
    }

    func verification(replay: Bool = false, now: Int64 = mirrorNow) throws -> Verification {
        var p = Policy(profile: .rfc7523)
        p.audiences = [Self.aud]
        return Verification(validator: try validator([ec], p), replayCache: replay ? ReplayCache(path: dir.file("replay")) : nil,
                            clock: Clock(fixed: now))
    }

    func token(_ edit: (inout TokenSpec) -> Void = { _ in }) throws -> [UInt8] {
        try mint(ec, baseSpec(aud: [Self.aud]), edit)
    }

    /// Runs a batch over `input` and returns the summary and the result objects.
    func batch(_ v: Verification, _ input: [UInt8]) throws -> (Verification.BatchSummary, [JSONObject]) {
        let fd = try pipeHolding(input)
        defer { close(fd) }
        var sink = CollectingSink()
        let summary = try v.verifyBatch(fd: fd, to: &sink)
        #expect(sink.bytes.last == 0x0A)
        #expect(sink.objects.count == summary.tokens)
        return (summary, sink.objects)
    }

    // MARK: a batch with a replay cache, spent a chunk at a time

    /// More tokens than one chunk (`Verification.maxChunk`), read from a file (all of it readable at once, so the
    /// chunks are full), with replays inside a chunk and across chunks, an empty and an overlong line among them:
    /// every answer is the one separate spends would give, in input order, and the cache keeps them all.
    @Test func aBatchWithACacheAnswersInOrderAcrossChunks() throws {
        let v = try verification(replay: true)
        var lines: [[UInt8]] = []
        for i in 0..<(Verification.maxChunk + 300) { lines.append(try token { $0.jti = .fixed("j\(i)") }) }
        let extra: [[UInt8]] = [lines[0], [], [UInt8](repeating: 0x41, count: CompactJWS.defaultMaxSize + 10), lines[5],
                                lines[Verification.maxChunk + 299]]
        let all = lines[0..<10] + [lines[3]] + lines[10...] + extra
        let path = dir.file("batch-input")
        try Output.writeAtomically(Array(all.joined(separator: [0x0A])) + [0x0A], to: path, mode: 0o600)
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var sink = CollectingSink()
        let summary = try v.verifyBatch(fd: fd, to: &sink)
        let results = sink.objects
        #expect(summary.tokens == all.count && results.count == all.count)
        #expect(results.map { $0["line"]?.int64Value } == (1...all.count).map { Int64($0) })
        let reasons = results.map { $0["reason"]?.stringValue ?? "ok" }
        var want = [String](repeating: "ok", count: all.count)
        want[10] = "replayed_jti"  // lines[3] again, in the same chunk
        let tail = all.count - extra.count
        want[tail] = "replayed_jti"  // lines[0], chunks later
        want[tail + 1] = "malformed"  // empty
        want[tail + 2] = "malformed"  // too long
        want[tail + 3] = "replayed_jti"
        want[tail + 4] = "replayed_jti"  // the last token of the first pass, in the same chunk as its repeat
        #expect(reasons == want)
        #expect(summary.rejected == 6)
        // Every accepted jti is in the file: another verifier refuses each of them.
        let other = try verification(replay: true)
        for t in [lines[1], lines[Verification.maxChunk], lines[Verification.maxChunk + 299]] {
            #expect(reason { try other.verify(t) } == .replayedJTI)
        }
    }

    /// A sink that notes how far the batch had read its input file when the first result reached it.
    struct ProgressSink: ByteSink {
        let fd: Int32
        var bytes: [UInt8] = []
        var readAtFirstWrite: Int?
        mutating func write(_ b: [UInt8]) throws(WIFError) {
            if readAtFirstWrite == nil { readAtFirstWrite = Int(lseek(fd, 0, SEEK_CUR)) }
            bytes += b
        }
    }

    /// With a replay cache, a long run of rejected lines is written out a chunk at a time, not held until the end
    /// of the input (memory stays flat however many lines a batch has).
    @Test func rejectedLinesDoNotPileUpInACacheBatch() throws {
        let v = try verification(replay: true)
        let bad = Array(repeating: Array("not-a-token.".utf8) + [UInt8](repeating: 0x41, count: 100), count: 6000)
        let path = dir.file("rejected-input")
        let input = Array(bad.joined(separator: [0x0A])) + [0x0A] + (try token()) + [0x0A]
        try Output.writeAtomically(input, to: path, mode: 0o600)
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var sink = ProgressSink(fd: fd)
        let summary = try v.verifyBatch(fd: fd, to: &sink)
        #expect(summary.tokens == 6001 && summary.rejected == 6000)
        let first = try #require(sink.readAtFirstWrite)
        #expect(first < input.count / 2, "the first result was written after \(first) of \(input.count) bytes were read")
    }

    /// Empty lines before the first token wait for it (a stream of nothing else is input_empty), then are answered
    /// in order, with a replay cache too.
    @Test func emptyLinesBeforeTheFirstTokenAreAnsweredInOrder() throws {
        for replay in [false, true] {
            let v = try verification(replay: replay)
            let input = [UInt8](repeating: 0x0A, count: 3000) + (try token()) + [0x0A, 0x0A] + (try token()) + [0x0A]
            let (summary, results) = try batch(v, input)
            #expect(summary.tokens == 3003 && summary.rejected == 3001)
            #expect(results.map { $0["line"]?.int64Value } == (1...3003).map { Int64($0) })
            #expect(results.map { $0["reason"]?.stringValue ?? "ok" }
                == [String](repeating: "malformed", count: 3000) + ["ok", "malformed", "ok"])
            #expect(reason { try batch(v, [UInt8](repeating: 0x0A, count: 3000)) } == .inputEmpty)
        }
    }

    // MARK: one token

    @Test func oneToken() throws {
        let v = try verification()
        #expect(try v.verify(try token()).claims["sub"]?.stringValue == "workload-1")
        #expect(reason { try v.verify(try token { $0.aud = ["x"] }) } == .badAudience)
    }

    @Test func theClockIsTheOneGiven() throws {
        let t = try token { $0.iat = mirrorNow; $0.exp = mirrorNow + 300 }
        #expect(reason { try verification(now: mirrorNow + 299).verify(t) } == nil)
        #expect(reason { try verification(now: mirrorNow + 360).verify(t) } == .expired)
    }

    @Test func aReplayCacheIsSpentOnce() throws {
        let v = try verification(replay: true)
        let t = try token { $0.jti = .fixed("once") }
        #expect(reason { try v.verify(t) } == nil)
        #expect(reason { try v.verify(t) } == .replayedJTI)
        // The cache file holds the entry and the lock was released: another verifier sees it.
        let other = try verification(replay: true)
        #expect(reason { try other.verify(t) } == .replayedJTI)
        #expect(Input.isReadableFile(dir.file("replay")))
    }

    @Test func onlyAnAcceptedTokenEntersTheReplayCache() throws {
        let v = try verification(replay: true)
        #expect(reason { try v.verify(try token { $0.jti = .fixed("j"); $0.aud = ["x"] }) } == .badAudience)
        #expect(reason { try v.verify(try token { $0.jti = .fixed("j") }) } == nil)
        #expect(reason { try v.verify(try token { $0.jti = .fixed("j") }) } == .replayedJTI)
    }

    @Test func tokensWithoutJTIAreRememberedWhole() throws {
        let v = try verification(replay: true)
        let t = try token { $0.jti = .omitted }
        #expect(reason { try v.verify(t) } == nil)
        #expect(reason { try v.verify(t) } == .replayedJTI)
        #expect(reason { try v.verify(try token { $0.jti = .omitted; $0.sub = "workload-2" }) } == nil)
    }

    @Test func fromSettings() throws {
        var s = PolicySettings()
        s.jwks = [try dir.jwks("jwks.json", [ec])]
        s.audiences = [Self.aud]
        s.replayCache = dir.file("settings-replay")
        let v = try Verification(settings: s, clock: Clock(fixed: mirrorNow))
        #expect(v.replayCache?.path == dir.file("settings-replay"))
        let t = try token()
        #expect(reason { try v.verify(t) } == nil)
        #expect(reason { try v.verify(t) } == .replayedJTI)
        s.leeway = "2h"
        #expect(reason { try Verification(settings: s, clock: .system) } == .usage)
    }

    // MARK: batch

    @Test func batchLinesCarryTheirLineNumbers() throws {
        let good = try token(), bad = try token { $0.aud = ["x"]; $0.jti = .fixed("bad-jti"); $0.sub = "bad-sub" }
        let input = good + [0x0A] + bad + [0x0D, 0x0A] + good + [0x0A]
        let (summary, lines) = try batch(try verification(), input)
        #expect(summary.tokens == 3)
        #expect(summary.rejected == 1)
        #expect(lines.map { $0["line"]?.int64Value } == [1, 2, 3])
        #expect(lines.map { $0["valid"]?.boolValue } == [true, false, true])
        #expect(lines[1]["reason"]?.stringValue == "bad_audience")
        #expect(lines[1]["error"]?.stringValue == "invalid_grant")
        #expect(lines[1]["jti"]?.stringValue == "bad-jti")
        #expect(lines[1]["sub"]?.stringValue == "bad-sub")
        #expect(lines[0]["claims"]?.objectValue?["sub"]?.stringValue == "workload-1")
        #expect(lines[0]["kid"]?.stringValue == "ec-1")
        #expect(lines[0]["thumbprint"]?.stringValue == ec.thumbprint)
    }

    @Test func aLastLineWithoutNewlineCounts() throws {
        let (summary, lines) = try batch(try verification(), try token() + [0x0A] + (try token()))
        #expect(summary.tokens == 2)
        #expect(lines.last?["line"]?.int64Value == 2)
    }

    @Test func rejectionsWithoutReadablePayloadHaveNoJTIOrSub() throws {
        let input = Array("not-a-token\n".utf8) + (try signRaw(header: #"{"alg":"ES256"}"#, payload: #"{"jti":5,"sub":"s"}"#,
                                                              key: ec, alg: .es256)) + [0x0A]
        let (summary, lines) = try batch(try verification(), input)
        #expect(summary.rejected == 2)
        #expect(lines[0]["reason"]?.stringValue == "malformed")
        #expect(lines[0]["jti"] == nil && lines[0]["sub"] == nil)
        // Only string jti and sub are reported.
        #expect(lines[1]["jti"] == nil)
        #expect(lines[1]["sub"]?.stringValue == "s")
    }

    @Test func anEmptyLineIsAMalformedToken() throws {
        let (summary, lines) = try batch(try verification(), Array("\n".utf8) + (try token()) + [0x0A])
        #expect(summary.tokens == 2)
        #expect(lines[0]["reason"]?.stringValue == "malformed")
        #expect(lines[1]["valid"]?.boolValue == true)
    }

    @Test func anOverlongLineIsRejectedAndSkipped() throws {
        var p = Policy(profile: .none)
        p.maxTokenSize = 64
        let v = Verification(validator: try validator([ec], p), replayCache: nil, clock: Clock(fixed: mirrorNow))
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 5000)
        let (summary, lines) = try batch(v, long + [0x0A] + long + [0x0A])
        #expect(summary.tokens == 2)
        #expect(summary.rejected == 2)
        #expect(lines.map { $0["line"]?.int64Value } == [1, 2])
        #expect(lines[0]["message"]?.stringValue == "the token has 5000 bytes, more than the limit of 64")
    }

    @Test func zeroTokensIsNothingToJudge() throws {
        let fd = try pipeHolding([])
        defer { close(fd) }
        var sink = CollectingSink()
        let e = wifError { try verification().verifyBatch(fd: fd, to: &sink) }
        #expect(e?.reason == .inputEmpty)
        #expect(e?.reason.exitStatus == .failure)
        #expect(e?.hint == "an earlier step of the pipeline may have failed")
        #expect(sink.bytes.isEmpty)
    }

    @Test func aBatchSpendsTheReplayCacheOnce() throws {
        let t = try token { $0.jti = .fixed("batch-jti") }
        let (summary, lines) = try batch(try verification(replay: true), t + [0x0A] + t + [0x0A])
        #expect(summary.rejected == 1)
        #expect(lines[1]["reason"]?.stringValue == "replayed_jti")
        #expect(lines[1]["line"]?.int64Value == 2)
        // The batch closed the cache: a later single verification sees the spent jti.
        #expect(reason { try verification(replay: true).verify(t) } == .replayedJTI)
    }

    @Test func aBrokenReplayCacheStopsTheBatch() throws {
        try dir.write("replay", "garbage\n")
        let fd = try pipeHolding(try token() + [0x0A])
        defer { close(fd) }
        var sink = CollectingSink()
        #expect(reason { try verification(replay: true).verifyBatch(fd: fd, to: &sink) } == .inputInvalid)
    }

    /// A batch without a replay cache checks claims in place, but never for a bound token: a DPoP check without a
    /// proof still refuses a token with cnf.jkt (dpop_bound_token), and accepts the unbound one beside it.
    @Test func aBoundTokenInABatchWithoutAProofIsRefused() throws {
        var v = try verification()
        v.dpop = DPoP.BindingCheck(proof: nil, requirements: DPoP.Requirements(htm: "GET", htu: "https://rs.example/mcp"))
        let bound = try token { $0.claims["cnf"] = .object(JSONObject([("jkt", .string("abc"))])) }
        let (summary, results) = try batch(v, bound + [0x0A] + (try token()) + [0x0A])
        #expect(summary.tokens == 2 && summary.rejected == 1)
        #expect(results.first?["reason"]?.stringValue == "dpop_bound_token")
        #expect(results.last?["valid"] == .bool(true))
    }
}
