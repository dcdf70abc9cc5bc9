// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Where a use case writes its output bytes (standard output, in the tools).
public protocol ByteSink {
    mutating func write(_ bytes: [UInt8]) throws(WIFError)
    /// Hands on what was written so far (a buffered standard output writes it); a batch calls it before it waits
    /// for input, so the results of the tokens read so far reach a pipeline at once.
    mutating func flush() throws(WIFError)
}

extension ByteSink {
    public mutating func flush() throws(WIFError) {}
}

/// The verification use case of `wif-verify` and `wif-inspect --jwks`: one token, or a batch, judged by one
/// `Validator` and spent in the replay cache when one is named.
///
/// Rules:
/// - the token is read before the replay cache is locked, so a process waiting on its input never holds the
///   lock other verifiers need; the cache is spent here (it locks around each update only), never by a caller;
/// - the time is read for each token (a long batch never judges with a stale clock), and again by the replay
///   cache once its lock is won (a verifier that waited judges with the time it got the lock);
/// - only an accepted token enters the replay cache (the validator's other checks come first);
/// - each acceptance spends one use of the token's budget (`ReplayCache.spend`, `UseBudget`); a token with a
///   budget judged without a replay cache could not be judged (`use_budget_needs_cache`, exit 2): its uses
///   cannot be counted, and accepting it would be unlimited;
/// - a batch result line carries its 1-based input line number as `line`, and on rejection the token's `jti` and
///   `sub` when its payload could be read; a batch of zero tokens could not be judged (exit 2).
public struct Verification {
    public let validator: Validator
    public let replayCache: ReplayCache?
    public let clock: Clock
    /// DPoP binding (DPoP+Binding.swift): with it, a bound token (`cnf.jkt`) needs its proof; checked before the
    /// replay cache, so a token refused for its binding is not spent. nil (`wif-inspect`): not checked.
    public var dpop: DPoP.BindingCheck?

    public init(validator: Validator, replayCache: ReplayCache?, clock: Clock) {
        self.validator = validator
        self.replayCache = replayCache
        self.clock = clock
    }

    /// The judge the settings describe (policy checked first, then the keys loaded).
    public init(settings: PolicySettings, clock: Clock) throws(WIFError) {
        let cache = try settings.replayCacheStore()
        self.init(validator: try settings.validator(), replayCache: cache, clock: clock)
    }

    /// The inputs of one run, checked: standard input is read once (the JWKS or the token, not both), and a batch
    /// reads standard input, so it takes no token argument.
    public static func checkInputs(jwks: [String], token: String, batch: Bool) throws(WIFError) {
        try Input.requireStandardInputOnce(jwks + [token], "it cannot hold both the JWKS and the token")
        if batch && token != "-" { throw WIFError(.usage, "--batch reads standard input; give no token argument") }
    }

    /// Judges one token; with a replay cache, the accepted token is spent in it.
    public func verify(_ token: [UInt8]) throws(WIFError) -> VerifiedToken {
        let v = try validator.verify(token, now: clock.now())
        if let dpop { try DPoP.checkBinding(v, dpop, now: clock.now()) }
        try UseBudget.requireCache(v, cache: replayCache)
        try replayCache?.spend(v, leeway: validator.policy.leeway, now: clock.now)
        return v
    }

    /// What a batch did.
    public struct BatchSummary: Sendable {
        public var tokens = 0
        public var rejected = 0
    }

    /// Judges tokens one a line from `fd`, writing each result line (JSON and a newline) to `sink`.
    /// With a replay cache, accepted tokens are spent a chunk at a time (`ReplayCache.spend(batch:)`: one lock and
    /// one write of the file for the chunk): a chunk is what can be read without waiting, at most `maxChunk`
    /// lines, so every token read is spent before the batch waits for more input (another verifier of the same
    /// cache sees it at once), and results keep input order. Before waiting, the sink is flushed too.
    public func verifyBatch<S: ByteSink>(fd: Int32, to sink: inout S) throws(WIFError) -> BatchSummary {
        let maxLine = validator.policy.maxTokenSize
        var reader = LineReader(fd: fd, maxLine: maxLine)
        var summary = BatchSummary()
        var out = [UInt8]()
        // Empty lines are tokens too (malformed), but a stream of nothing but empty lines holds no token at all:
        // their results wait until a real line comes, and without one the batch could not be judged. Only the
        // lines before the first real one wait (later ones are answered in place), so they are one range of line
        // numbers: a gigabyte of newlines costs no memory.
        var pendingEmpty = 0..<0
        var sawToken = false
        // With a replay cache: result lines and accepted tokens not yet spent, in input order.
        var chunk: [ChunkItem] = []
        func put(_ bytes: [UInt8], _ sink: inout S) throws(WIFError) {
            if replayCache == nil { try sink.write(bytes) } else { chunk.append(.text(bytes)) }
        }
        func failureLine(_ e: WIFError, _ n: Int, _ token: [UInt8]?) -> [UInt8] {
            var line = [UInt8]()
            VerifyReport.failure(e, line: n, token: token).write(to: &line)
            line.append(0x0A)
            return line
        }
        func flushPending(_ sink: inout S) throws(WIFError) {
            for n in pendingEmpty {
                let line = failureLine(WIFError(.malformed, "the token is empty"), n, nil)
                // Nothing earlier is waiting in a chunk: straight to the sink, however many there are.
                if chunk.isEmpty { try sink.write(line) } else { try put(line, &sink) }
            }
            pendingEmpty = 0..<0
        }
        /// Spends the chunk's accepted tokens and writes its lines in order.
        func drain(_ sink: inout S) throws(WIFError) {
            guard let cache = replayCache, !chunk.isEmpty else { return }
            defer { chunk.removeAll(keepingCapacity: true) }
            var tokens: [VerifiedToken] = []
            for case .accepted(let v, _) in chunk { tokens.append(v) }
            let outcome: ReplayCache.BatchOutcome
            do { outcome = try cache.spend(batch: tokens, leeway: validator.policy.leeway, now: clock.now) } catch {
                // Nothing was spent: the lines before the first accepted token are still answers.
                for item in chunk { guard case .text(let b) = item else { break }; try sink.write(b) }
                throw error
            }
            var k = 0
            items: for item in chunk {
                switch item {
                case .text(let b):
                    try sink.write(b)
                case .accepted(let v, let n):
                    // Past the token that stopped the batch (`outcome.stop`, thrown below) nothing is answered.
                    guard k < outcome.results.count else { break items }
                    out.removeAll(keepingCapacity: true)
                    switch outcome.results[k] {
                    case .success: VerifyReport.writeSuccessLine(v, line: n, to: &out)
                    case .failure(let e):
                        summary.rejected += 1
                        out = failureLine(e, n, v.token)
                    }
                    k += 1
                    try sink.write(out)
                }
            }
            if let stop = outcome.stop { throw stop }
        }
        // Without a replay cache and a proof, a result line and the DPoP check of an unbound token are all that
        // follow the verdict, and neither needs the claims built (Validator.Claims.inPlace).
        let claimsUse: Validator.Claims = replayCache == nil && dpop?.proof == nil ? .inPlace : .parsed
        while let line = try reader.next() {
            summary.tokens += 1
            let n = summary.tokens
            switch line {
            case .line(let bytes) where bytes.isEmpty:
                summary.rejected += 1
                pendingEmpty = (pendingEmpty.isEmpty ? n : pendingEmpty.lowerBound)..<(n + 1)
                // After a real token, an empty line is answered in its place at once.
                if sawToken { try flushPending(&sink) }
            case .tooLong(let length):
                try flushPending(&sink)
                summary.rejected += 1
                try put(failureLine(WIFError(.malformed, "the token has \(length) bytes, more than the limit of \(maxLine)"), n, nil), &sink)
            case .line(let bytes):
                try flushPending(&sink)
                let now = clock.now()
                do {
                    // Nothing but the result line reads the claims, unless a replay cache or a DPoP proof follows.
                    let v = try validator.verify(bytes, now: now, claims: claimsUse)
                    if let dpop { try DPoP.checkBinding(v, dpop, now: now) }
                    try UseBudget.requireCache(v, cache: replayCache)
                    if replayCache != nil {
                        chunk.append(.accepted(v, line: n))
                    } else {
                        out.removeAll(keepingCapacity: true)
                        VerifyReport.writeSuccessLine(v, line: n, to: &out)
                        try sink.write(out)
                    }
                } catch {
                    guard error.reason.isRejection else {
                        try drain(&sink)
                        throw error
                    }
                    summary.rejected += 1
                    try put(failureLine(error, n, bytes), &sink)
                }
            }
            if case .line(let bytes) = line, bytes.isEmpty {} else { sawToken = true }
            // Every line takes this step, an empty one too: the tokens read so far are spent and answered
            // before the batch waits, and a chunk of result lines never grows past `maxChunk` (memory stays flat).
            if reader.mayBlock {
                try drain(&sink)
                try sink.flush()
            } else if chunk.count >= Verification.maxChunk {
                try drain(&sink)
            }
        }
        guard sawToken else {
            throw WIFError(.inputEmpty, "standard input holds no token: nothing to judge",
                           hint: "an earlier step of the pipeline may have failed")
        }
        try flushPending(&sink)
        try drain(&sink)
        return summary
    }

    /// Most lines (accepted tokens and result lines) a batch holds before it spends and writes them.
    public static let maxChunk = 1024

    private enum ChunkItem {
        case text([UInt8])
        case accepted(VerifiedToken, line: Int)
    }
}
