// SPDX-License-Identifier: Apache-2.0

/// The checks that make a signing-key rotation safe: the engine of `wif-verify jwks-check`.
///
/// Inputs: the JWK Set clients fetch now (`published`), the private keys that sign now (`signing`), optionally
/// the set clients had before (`previous`), the longest lifetime of a token (`maxTokenLifetime`, exp − iat), when
/// the removed keys signed their last token (`retiredAt`), when each set went live (`publishedAt`,
/// `previousPublishedAt`) and how long verifiers cache a set (`cacheTTL`), the verifiers' clock leeway, the codes
/// the operator waives (`allowed`) and the time of the check (`now`, when the signing keys sign).
///
/// Every finding has a stable code (raw values are API: add, never rename). Any `error` makes the verdict
/// unsafe (exit 1); a `warning` is shown and does not. Checks, in report order:
/// 1. the published set: `KeySetLint`, the linter `wif-inspect` uses too (its codes and severities);
/// 2. signing keys: `signing_key_unpublished` (no published key has its thumbprint: every token it signs
///    fails), `missing_kid`, `kid_mismatch` (the published copy has another kid, so lookups by the token's kid
///    fail), `alg_mismatch` (the published copy names another alg than the key signs with);
///    `signing_key_not_prepublished` (verifiers can still cache a set without the key): with `cacheTTL`, when
///    `now` is before the time the key went live + `cacheTTL` (the key went live with the previous set when it is
///    in it and `previousPublishedAt` is known, else with the published set at `publishedAt`); without it, when
///    the key is not in the previous set;
/// 3. against the previous set, matched by thumbprint (added, removed, kept): `kid_reused` (a kid of the
///    previous set names new key material), `signing_alg_changed` (warning: a signing key's alg is the alg of no
///    key of the previous set, so verifiers pinned to the old alg reject its tokens), `removed_key_tokens_alive`
///    (a removed key's tokens can still be valid: it still signs, or `retiredAt + maxTokenLifetime + leeway` is
///    after `now`; without `retiredAt` the key is taken to have signed until `now`); `previous_key_ignored`
///    (warning: unreadable key).
/// Then the findings whose code is in `allowed` are waived: listed apart, they do not make the change unsafe
/// (`private_key_published` cannot be waived: the key is compromised whatever the operator says).
/// Input errors (unreadable files, a published file that is not a JWK Set, a public or symmetric signing key,
/// removed keys but no `maxTokenLifetime`, time options without what they need, an unknown code to allow) throw
/// instead: exit 2.
public struct RotationCheck {
    /// The finding codes of a rotation; the findings about the published set are `KeySetLint.Code`s.
    public enum Code: String, CaseIterable, Sendable {
        case signingKeyUnpublished = "signing_key_unpublished"
        case kidMismatch = "kid_mismatch"
        case algMismatch = "alg_mismatch"
        case kidReused = "kid_reused"
        case signingKeyNotPrepublished = "signing_key_not_prepublished"
        case removedKeyTokensAlive = "removed_key_tokens_alive"
        case previousKeyIgnored = "previous_key_ignored"
        case signingAlgChanged = "signing_alg_changed"

        public var severity: Finding.Severity {
            switch self {
            case .previousKeyIgnored, .signingAlgChanged: return .warning
            case .signingKeyUnpublished, .kidMismatch, .algMismatch, .kidReused, .signingKeyNotPrepublished,
                 .removedKeyTokensAlive:
                return .error
            }
        }
    }

    /// Every code a report can hold, in the order of the man page: the key-set codes, then the rotation codes.
    public static let allCodes: [String] = KeySetLint.Code.allCases.map(\.rawValue) + Code.allCases.map(\.rawValue)
    /// Codes that `allowed` cannot waive.
    public static let unwaivable: [String] = [KeySetLint.Code.privateKeyPublished.rawValue]

    /// A signing key and the file it came from.
    public struct SigningKey {
        public let key: JWK
        public let file: String
        public init(key: JWK, file: String) {
            self.key = key
            self.file = file
        }
    }

    public var published: [UInt8]
    public var publishedName: String
    public var signing: [SigningKey] = []
    public var previous: [UInt8]?
    public var previousName = "the previous set"
    public var maxTokenLifetime: Int64?
    public var retiredAt: Int64?
    public var leeway: Int64 = 60
    /// When the published set went live, when the previous one did, and the longest time a verifier caches a set.
    public var publishedAt: Int64?
    public var previousPublishedAt: Int64?
    public var cacheTTL: Int64?
    /// Finding codes the operator waives.
    public var allowed: [String] = []
    public var now: Int64

    public init(published: [UInt8], publishedName: String, now: Int64) {
        self.published = published
        self.publishedName = publishedName
        self.now = now
    }

    /// Reads the files: the published and previous sets (JWK Sets), and the signing keys (JWK, JWKS, PEM or
    /// encrypted, opened with `passphrase`).
    public static func load(published: String, signing: [String], previous: String?, passphrase: Passphrase?,
                            now: Int64) throws(WIFError) -> RotationCheck {
        let stdinUsers = ([published] + signing + (previous.map { [$0] } ?? [])).filter { $0 == "-" }.count
        if stdinUsers > 1 { throw WIFError(.usage, "standard input (-) can be read only once") }
        if stdinUsers == 1 && passphrase?.readsStandardInput == true {
            throw WIFError(.usage, "the passphrase and a key set cannot both come from standard input")
        }
        var check = RotationCheck(published: try Input.read(published, limit: KeyRing.maxFileSize),
                                  publishedName: Input.label(published), now: now)
        if let previous {
            check.previous = try Input.read(previous, limit: KeyRing.maxFileSize)
            check.previousName = Input.label(previous)
        }
        for path in signing {
            let what = Input.label(path)
            for key in try KeySource.loadAll(paths: [path], passphrase: passphrase) {
                check.signing.append(SigningKey(key: key, file: what))
            }
        }
        return check
    }

    // MARK: Key sets

    typealias Entry = KeySetLint.Entry

    /// Reads a JWK Set file: a JSON object with a `keys` array of at most `JWKSet.maxKeys` entries (else exit 2),
    /// linted entry by entry.
    static func readSet(_ data: [UInt8], what: String) throws(WIFError) -> KeySetLint {
        let o: JSONObject
        do { o = try JSON.parseObject(Input.trim(data), what: what) } catch { throw WIFError(.keyInvalid, error.detail) }
        if EncryptedKey.isWIFFile(o) || o["kty"] != nil {
            throw WIFError(.keyInvalid, "\(what) is a single key, not a JWK Set", hint: "make the set with wif-mint jwks")
        }
        guard let arr = o["keys"]?.arrayValue else {
            throw WIFError(.keyInvalid, "\(what): a JWK Set needs a \"keys\" array (RFC 7517 §5)")
        }
        if arr.count > JWKSet.maxKeys { throw WIFError(.inputTooLarge, "\(what): more than \(JWKSet.maxKeys) keys") }
        return KeySetLint(o, what: what)
    }

    /// The combinations of options the check needs; thrown as usage errors (exit 2).
    func validate() throws(WIFError) {
        if previous == nil && (retiredAt != nil || maxTokenLifetime != nil) {
            throw WIFError(.usage, "--max-token-lifetime and --retired-at go with --previous")
        }
        if previous == nil && previousPublishedAt != nil {
            throw WIFError(.usage, "--previous-published-at goes with --previous")
        }
        if cacheTTL == nil && (publishedAt != nil || previousPublishedAt != nil) {
            throw WIFError(.usage, "--published-at and --previous-published-at go with --cache-ttl",
                           hint: "give the longest time verifiers cache a JWK Set with --cache-ttl")
        }
        if cacheTTL != nil && publishedAt == nil {
            throw WIFError(.usage, "--cache-ttl needs --published-at, the time the published set went live")
        }
        if let p = previousPublishedAt, let c = publishedAt, p > c {
            throw WIFError(.usage, "--previous-published-at \(NumericDate.formatRFC3339(p)) is after --published-at \(NumericDate.formatRFC3339(c))")
        }
        for code in allowed {
            if !RotationCheck.allCodes.contains(where: { $0.utf8.elementsEqual(code.utf8) }) {
                throw WIFError(.usage, "--allow \(JSON.escapedForMessage(code)): not a jwks-check finding code",
                               hint: "codes: \(RotationCheck.allCodes.joined(separator: ", "))")
            }
            if RotationCheck.unwaivable.contains(where: { $0.utf8.elementsEqual(code.utf8) }) {
                throw WIFError(.usage, "--allow \(code): a published private key is compromised; this finding cannot be waived")
            }
        }
    }

    // MARK: Running

    public func run() throws(WIFError) -> RotationReport {
        try validate()
        var findings: [Finding] = []
        func add(_ code: Code, _ message: String) { findings.append(Finding(code.rawValue, code.severity, message)) }
        func add(_ code: KeySetLint.Code, _ message: String) { findings.append(Finding(code.rawValue, code.severity, message)) }

        // 1. The published set.
        let lint = try RotationCheck.readSet(published, what: publishedName)
        findings += lint.findings
        let pub = lint.entries

        // 2. The signing keys.
        var signers: [SigningKey] = []
        for s in signing where !signers.contains(where: { $0.key.thumbprint == s.key.thumbprint }) {
            guard s.key.isPrivate, s.key.keyType != .oct else {
                if s.key.keyType == .oct {
                    throw WIFError(.usage, "\(s.file): key\(s.key.kidLabel) is a symmetric (oct) key: it has no public half to publish")
                }
                throw WIFError(.usage, "\(s.file): key\(s.key.kidLabel) is a public key",
                               hint: "--signing takes the private keys that sign; the published set goes to --published")
            }
            signers.append(s)
        }
        for s in signers {
            let label = "signing key\(s.key.kidLabel) (\(s.file))"
            guard let match = pub.first(where: { $0.thumbprint == s.key.thumbprint }) else {
                add(.signingKeyUnpublished, "\(label) is not in \(publishedName) (thumbprint \(s.key.thumbprint)): verifiers reject every token it signs")
                continue
            }
            if s.key.kid == nil {
                add(.missingKid, "\(label) has no kid: its tokens name no key")
            } else if let kid = s.key.kid, match.kid.map({ $0.utf8.elementsEqual(kid.utf8) }) != true {
                let other = match.kid.map { "kid \"\(JSON.escapedForMessage($0))\"" } ?? "no kid"
                add(.kidMismatch, "\(label) is published as \(match.label) with \(other): lookups by the token's kid fail")
            }
            if let signAlg = RotationCheck.signingAlg(s.key), let pubAlg = match.key?.algName,
               !pubAlg.utf8.elementsEqual(signAlg.utf8) {
                add(.algMismatch, "\(label) signs with \(signAlg) but is published with alg \(JSON.escapedForMessage(pubAlg)): verifiers reject its tokens")
            }
        }

        // When each published signing key went live, and from when every verifier has it (with --cache-ttl).
        var timing: [String: RotationReport.Timing] = [:]
        func prepublication(previousPrints: Set<String>) {
            let curPrints = Set(pub.compactMap(\.thumbprint))
            for s in signers where curPrints.contains(s.key.thumbprint) {
                let label = "signing key\(s.key.kidLabel) (\(s.file))"
                guard let ttl = cacheTTL, let publishedAt else {
                    if previous != nil && !previousPrints.contains(s.key.thumbprint) {
                        add(.signingKeyNotPrepublished, "\(label) is not in \(previousName): verifiers still caching that set reject its tokens until they refresh; publish the key first, and switch signing after the JWKS cache lifetime")
                    }
                    continue
                }
                let inPrevious = previousPrints.contains(s.key.thumbprint)
                let live = inPrevious ? (previousPublishedAt ?? publishedAt) : publishedAt
                let source = inPrevious && previousPublishedAt != nil ? previousName : publishedName
                let (from, overflow) = live.addingReportingOverflow(ttl)
                let verifiable = overflow ? Int64.max : from
                timing[s.key.thumbprint] = RotationReport.Timing(liveSince: live, verifiableFrom: verifiable)
                if now < verifiable {
                    add(.signingKeyNotPrepublished, "\(label) went live at \(NumericDate.formatRFC3339(live)) with \(source); verifiers that cache a JWK Set for up to \(NumericDate.formatSpan(ttl)) may lack it until \(NumericDate.formatRFC3339(verifiable)): switch signing to it at that time or later")
                }
            }
        }

        // 3. Against the previous set.
        var diff: RotationReport.Diff?
        if let previous {
            let prev = try RotationCheck.readSet(previous, what: previousName).entries
            for e in prev where e.key == nil {
                add(.previousKeyIgnored, "\(previousName): \(e.problem?.detail ?? e.label): ignored in the comparison")
            }
            let prevKeys = prev.filter { $0.key != nil }
            let curKeys = pub.filter { $0.key != nil }
            let prevPrints = Set(prevKeys.compactMap(\.thumbprint))
            let curPrints = Set(curKeys.compactMap(\.thumbprint))
            var d = RotationReport.Diff()
            var seen = Set<String>()
            for e in curKeys {
                guard let t = e.thumbprint, seen.insert(t).inserted else { continue }
                if prevPrints.contains(t) { d.kept.append(e) } else { d.added.append(e) }
            }
            seen = []
            for e in prevKeys {
                guard let t = e.thumbprint, !curPrints.contains(t), seen.insert(t).inserted else { continue }
                d.removed.append(RotationReport.Removed(entry: e, validUntil: nil, stillSigning: false))
            }
            for e in d.added {
                guard let kid = e.kid else { continue }
                let before = prevKeys.filter { $0.kid.map { $0.utf8.elementsEqual(kid.utf8) } == true }
                if let old = before.first {
                    add(.kidReused, "kid \"\(JSON.escapedForMessage(kid))\" named key \(old.thumbprint ?? "?") in \(previousName) and names new key \(e.thumbprint ?? "?") in \(publishedName): caches keyed on kid serve the wrong key")
                }
            }
            prepublication(previousPrints: prevPrints)
            // The algs verifiers saw before: a verifier configured for those rejects a token of another alg.
            var before: [String] = []
            for e in prevKeys {
                if let a = e.key.flatMap(RotationCheck.signingAlg), !before.contains(a) { before.append(a) }
            }
            for s in signers {
                guard let a = RotationCheck.signingAlg(s.key), !before.isEmpty,
                      !before.contains(where: { $0.utf8.elementsEqual(a.utf8) }) else { continue }
                add(.signingAlgChanged, "signing key\(s.key.kidLabel) (\(s.file)) signs with \(a), but the keys of \(previousName) are for \(before.joined(separator: ", ")): verifiers that pin the old algorithm reject its tokens; allow \(a) on every verifier before the switch")
            }
            if !d.removed.isEmpty {
                guard let life = maxTokenLifetime else {
                    throw WIFError(.usage, "\(d.removed.count) key\(d.removed.count == 1 ? " is" : "s are") removed since \(previousName): give --max-token-lifetime to judge whether their tokens have expired")
                }
                for i in d.removed.indices {
                    let t = d.removed[i].entry.thumbprint ?? ""
                    let stillSigning = signers.contains { $0.key.thumbprint == t }
                    let lastSigned = stillSigning ? now : (retiredAt ?? now)
                    let until = lastSigned + life + leeway
                    d.removed[i].validUntil = until
                    d.removed[i].stillSigning = stillSigning
                    let label = d.removed[i].entry.label
                    if stillSigning {
                        add(.removedKeyTokensAlive, "\(label) is removed from \(publishedName) but still signs: its tokens fail verification now")
                    } else if until > now {
                        let assumed = retiredAt == nil ? " (no --retired-at: taken to have signed until now)" : ""
                        add(.removedKeyTokensAlive, "tokens signed by \(label) can be valid until \(NumericDate.formatRFC3339(until))\(assumed): last signature + max token lifetime \(NumericDate.formatSpan(life)) + leeway \(NumericDate.formatSpan(leeway)); remove it at \(NumericDate.formatRFC3339(until)) or later")
                    }
                }
            }
            diff = d
        } else {
            prepublication(previousPrints: [])
        }

        // Waivers: the operator's named exceptions are listed apart and do not count.
        let waived = findings.filter { f in allowed.contains { $0.utf8.elementsEqual(f.code.utf8) } }
        findings.removeAll { f in allowed.contains { $0.utf8.elementsEqual(f.code.utf8) } }
        return RotationReport(check: self, published: pub, signers: signers, diff: diff, findings: findings,
                              waived: waived, timing: timing)
    }

    /// The alg a key signs with (or, published, verifies): its own `alg`, else its key type's default.
    static func signingAlg(_ key: JWK) -> String? {
        key.algName ?? (try? key.defaultAlgorithm().rawValue)
    }
}

/// The outcome of a `RotationCheck`: the verdict, the findings, and what was compared, as JSON or text.
public struct RotationReport {
    public struct Removed {
        let entry: RotationCheck.Entry
        public internal(set) var validUntil: Int64?
        public internal(set) var stillSigning: Bool
    }

    public struct Diff {
        var added: [RotationCheck.Entry] = []
        var removed: [Removed] = []
        var kept: [RotationCheck.Entry] = []
    }

    /// When a signing key went live, and from when every verifier has it (live + cache TTL).
    public struct Timing {
        public let liveSince: Int64
        public let verifiableFrom: Int64
    }

    let check: RotationCheck
    let published: [RotationCheck.Entry]
    let signers: [RotationCheck.SigningKey]
    public let diff: Diff?
    public let findings: [Finding]
    /// The findings `allowed` waived, in report order.
    public let waived: [Finding]
    /// By signing key thumbprint, with `cacheTTL`.
    public let timing: [String: Timing]

    /// Safe when no finding is an error.
    public var safe: Bool { !findings.contains { $0.severity == .error } }

    /// The codes of the errors, in report order, each once.
    public var errorCodes: [String] {
        var out: [String] = []
        for f in findings where f.severity == .error && !out.contains(f.code) { out.append(f.code) }
        return out
    }

    static func keyJSON(_ e: RotationCheck.Entry, signing: Bool? = nil) -> JSON {
        var o = JSONObject()
        o["index"] = .integer(Int64(e.index))
        o["kid"] = e.kid.map { JSON.string($0) } ?? .null
        o["thumbprint"] = e.thumbprint.map { JSON.string($0) } ?? .null
        if let k = e.key {
            o["kty"] = .string(k.keyType.rawValue)
            if let c = k.curve { o["crv"] = .string(c.rawValue) } else { o["bits"] = .integer(Int64(k.bits)) }
        }
        o["alg"] = e.raw?["alg"] ?? .null
        o["use"] = e.raw?["use"] ?? .null
        if let signing { o["signing"] = .bool(signing) }
        return .object(o)
    }

    /// The report as one JSON object (`--json`).
    public var json: JSON {
        var o = JSONObject()
        o["safe"] = .bool(safe)
        o["now"] = .integer(check.now)
        var p = JSONObject()
        p["file"] = .string(check.publishedName)
        p["keys"] = .array(published.map { e in
            RotationReport.keyJSON(e, signing: signers.contains { $0.key.thumbprint == e.thumbprint })
        })
        o["published"] = .object(p)
        o["signing"] = .array(signers.map { s in
            var k = JSONObject()
            k["file"] = .string(s.file)
            k["kid"] = s.key.kid.map { JSON.string($0) } ?? .null
            k["thumbprint"] = .string(s.key.thumbprint)
            k["published"] = .bool(published.contains { $0.thumbprint == s.key.thumbprint })
            if let t = timing[s.key.thumbprint] {
                k["live_since"] = .integer(t.liveSince)
                k["verifiable_from"] = .integer(t.verifiableFrom)
            }
            return .object(k)
        })
        if let diff {
            var d = JSONObject()
            d["file"] = .string(check.previousName)
            d["added"] = .array(diff.added.map { RotationReport.keyJSON($0) })
            d["removed"] = .array(diff.removed.map { r in
                guard case .object(var k) = RotationReport.keyJSON(r.entry) else { return .null }
                k["still_signing"] = .bool(r.stillSigning)
                k["tokens_valid_until"] = r.validUntil.map { JSON.integer($0) } ?? .null
                return .object(k)
            })
            d["kept"] = .array(diff.kept.map { RotationReport.keyJSON($0) })
            o["previous"] = .object(d)
            if let life = check.maxTokenLifetime { o["max_token_lifetime"] = .integer(life) }
            o["leeway"] = .integer(check.leeway)
            if let r = check.retiredAt { o["retired_at"] = .integer(r) }
        }
        if let ttl = check.cacheTTL {
            o["cache_ttl"] = .integer(ttl)
            if let p = check.publishedAt { o["published_at"] = .integer(p) }
            if let p = check.previousPublishedAt { o["previous_published_at"] = .integer(p) }
        }
        o["findings"] = .array(findings.map(\.json))
        if !check.allowed.isEmpty {
            o["allowed"] = .array(check.allowed.map { .string($0) })
            o["waived"] = .array(waived.map(\.json))
        }
        return .object(o)
    }

    /// The report as text: the published keys, the signing keys, the comparison, the findings, the verdict.
    /// Every line goes through `TerminalText`, so a kid, alg, use or file name from the input is escaped.
    public var text: String {
        func name(_ e: RotationCheck.Entry) -> String { e.kid.map { "\"\(JSON.escapedForMessage($0))\"" } ?? "(no kid)" }
        func summary(_ e: RotationCheck.Entry) -> String {
            guard let k = e.key else { return "unusable" }
            let alg = e.raw?["alg"]?.stringValue ?? "-"
            let use = e.raw?["use"]?.stringValue ?? "-"
            return "\(k.summary)  \(alg)  \(use)  \(k.thumbprint)"
        }
        var out = TerminalText()
        out.line("published \(check.publishedName): \(published.count) key\(published.count == 1 ? "" : "s")")
        for e in published {
            let signs = signers.contains { $0.key.thumbprint == e.thumbprint } ? "  signing" : ""
            out.line("  \(name(e))  \(summary(e))\(signs)")
        }
        if !signers.isEmpty {
            out.line("signing: \(signers.count) key\(signers.count == 1 ? "" : "s")")
            for s in signers {
                var state = published.contains { $0.thumbprint == s.key.thumbprint } ? "published" : "NOT published"
                if let t = timing[s.key.thumbprint] {
                    state += " since \(NumericDate.formatRFC3339(t.liveSince)), in every verifier's cache from \(NumericDate.formatRFC3339(t.verifiableFrom))"
                }
                out.line("  \(s.key.kid.map { "\"\(JSON.escapedForMessage($0))\"" } ?? "(no kid)")  \(s.file)  \(state)")
            }
        }
        if let diff {
            out.line("previous \(check.previousName): \(diff.added.count) added, \(diff.removed.count) removed, \(diff.kept.count) kept")
            for e in diff.added { out.line("  added    \(name(e))  \(e.thumbprint ?? "")") }
            for r in diff.removed {
                let until = r.validUntil.map { $0 > check.now ? "  tokens valid until \(NumericDate.formatRFC3339($0))"
                                                              : "  tokens expired since \(NumericDate.formatRFC3339($0))" } ?? ""
                out.line("  removed  \(name(r.entry))  \(r.entry.thumbprint ?? "")\(until)")
            }
            for e in diff.kept { out.line("  kept     \(name(e))  \(e.thumbprint ?? "")") }
        }
        for f in findings { out.line("\(f.severity.rawValue) \(f.code): \(f.message)") }
        for f in waived { out.line("waived \(f.severity.rawValue) \(f.code): \(f.message)") }
        let errors = findings.filter { $0.severity == .error }.count
        out.line(safe ? "safe" : "unsafe: \(errors) problem\(errors == 1 ? "" : "s")")
        return out.string
    }
}
