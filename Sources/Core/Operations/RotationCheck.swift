// SPDX-License-Identifier: Apache-2.0

/// The checks that make a signing-key rotation safe: the engine of `wif-verify jwks-check`.
///
/// Inputs: the JWK Set clients fetch now (`published`), the private keys that sign now (`signing`), optionally
/// the set clients had before (`previous`), the longest lifetime of a token (`maxTokenLifetime`, exp − iat), when
/// the removed keys signed their last token (`retiredAt`), the verifiers' clock leeway and the time of the check.
///
/// Every finding has a stable code (raw values are API: add, never rename). Any `error` makes the verdict
/// unsafe (exit 1); a `warning` is shown and does not. Checks, in report order:
/// 1. published set: `empty_set`; per key `invalid_key` (unreadable, unknown type or curve, alg that does not fit),
///    `weak_key` (RSA below 2048 bits), `private_key_published` (d, p, q, dp, dq, qi, oth or k: RFC 7517 §9.2),
///    `missing_kid`, `missing_alg`, `missing_use`, `bad_use` (use other than sig or jwt-svid, key_ops without
///    verify, an alg that is not a JWS algorithm); across keys `duplicate_kid` (one kid names different keys)
///    and `duplicate_key` (one key listed twice, by RFC 7638 thumbprint);
/// 2. signing keys: `signing_key_unpublished` (no published key has its thumbprint: every token it signs
///    fails), `missing_kid`, `kid_mismatch` (the published copy has another kid, so lookups by the token's kid
///    fail), `alg_mismatch` (the published copy names another alg than the key signs with);
/// 3. against the previous set, matched by thumbprint (added, removed, kept): `kid_reused` (a kid of the
///    previous set names new key material), `signing_key_not_prepublished` (a signing key that verifiers
///    caching the previous set do not have), `removed_key_tokens_alive` (a removed key's tokens can still be
///    valid: it still signs, or `retiredAt + maxTokenLifetime + leeway` is after `now`; without `retiredAt`
///    the key is taken to have signed until `now`); `previous_key_ignored` (warning: unreadable key).
/// Input errors (unreadable files, a published file that is not a JWK Set, a public or symmetric signing key,
/// removed keys but no `maxTokenLifetime`) throw instead: exit 2.
public struct RotationCheck {
    /// The finding codes.
    public enum Code: String, CaseIterable, Sendable {
        case emptySet = "empty_set"
        case invalidKey = "invalid_key"
        case weakKey = "weak_key"
        case privateKeyPublished = "private_key_published"
        case missingKid = "missing_kid"
        case missingAlg = "missing_alg"
        case missingUse = "missing_use"
        case badUse = "bad_use"
        case duplicateKid = "duplicate_kid"
        case duplicateKey = "duplicate_key"
        case signingKeyUnpublished = "signing_key_unpublished"
        case kidMismatch = "kid_mismatch"
        case algMismatch = "alg_mismatch"
        case kidReused = "kid_reused"
        case signingKeyNotPrepublished = "signing_key_not_prepublished"
        case removedKeyTokensAlive = "removed_key_tokens_alive"
        case previousKeyIgnored = "previous_key_ignored"
    }

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
    public var now: Int64

    /// Members that must never be published (RFC 7517 §9.2, RFC 7518 §6.3.2, §6.4.1).
    static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
    static let verifyingUses = ["sig", "jwt-svid"]

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

    /// One entry of a JWK Set, read leniently so that every problem is reported, not only the first.
    struct Entry {
        let index: Int
        let raw: JSONObject?
        let key: JWK?
        let problem: (Code, String)?

        var kid: String? { raw?["kid"]?.stringValue }
        var thumbprint: String? { key?.thumbprint }
        var label: String { "key \(index)" + (kid.map { " \"\(JSON.escapedForMessage($0))\"" } ?? "") }
    }

    static func readSet(_ data: [UInt8], what: String) throws(WIFError) -> [Entry] {
        let o: JSONObject
        do { o = try JSON.parseObject(Input.trim(data), what: what) } catch { throw WIFError(.keyInvalid, error.detail) }
        if EncryptedKey.isWIFFile(o) || o["kty"] != nil {
            throw WIFError(.keyInvalid, "\(what) is a single key, not a JWK Set", hint: "make the set with wif-mint jwks")
        }
        guard let arr = o["keys"]?.arrayValue else {
            throw WIFError(.keyInvalid, "\(what): a JWK Set needs a \"keys\" array (RFC 7517 §5)")
        }
        if arr.count > JWKSet.maxKeys { throw WIFError(.inputTooLarge, "\(what): more than \(JWKSet.maxKeys) keys") }
        var out: [Entry] = []
        for (i, v) in arr.enumerated() {
            guard let ko = v.objectValue else {
                out.append(Entry(index: i, raw: nil, key: nil, problem: (.invalidKey, "is a JSON \(v.typeName), not an object")))
                continue
            }
            let label = "\(what): key \(i)"
            do {
                out.append(Entry(index: i, raw: ko, key: try JWK.parse(ko, what: label), problem: nil))
            } catch {
                let prefix = label + ": "
                let why = error.detail.hasPrefix(prefix) ? String(error.detail.dropFirst(prefix.count)) : error.detail
                out.append(Entry(index: i, raw: ko, key: nil, problem: (error.reason == .keyWeak ? .weakKey : .invalidKey, why)))
            }
        }
        return out
    }

    // MARK: Running

    public func run() throws(WIFError) -> RotationReport {
        var findings: [Finding] = []
        func add(_ code: Code, _ message: String, _ severity: Finding.Severity = .error) {
            findings.append(Finding(code.rawValue, severity, message))
        }
        let pub = try RotationCheck.readSet(published, what: publishedName)

        // 1. The published set.
        if pub.isEmpty { add(.emptySet, "\(publishedName) has no keys: every token fails verification") }
        for e in pub {
            let leaked = RotationCheck.privateMembers.filter { e.raw?.contains($0) == true }
            if !leaked.isEmpty {
                let what = leaked == ["k"] ? "a symmetric (oct) key: its secret k" : "private member\(leaked.count > 1 ? "s" : "") \(leaked.joined(separator: ", "))"
                add(.privateKeyPublished, "\(e.label) publishes \(what) (RFC 7517 §9.2): treat the key as compromised and replace it")
            }
            if let (code, why) = e.problem { add(code, "\(e.label) cannot be used: \(why)") }
            guard let raw = e.raw else { continue }
            if e.kid == nil { add(.missingKid, "\(e.label) has no kid: verifiers cannot pick it by the token's kid") }
            if raw["alg"] == nil { add(.missingAlg, "\(e.label) has no alg: verifiers cannot tie it to one algorithm (RFC 8725 §3.1)") }
            if raw["use"] == nil { add(.missingUse, "\(e.label) has no use: publish signing keys with use sig") }
            if let use = e.key?.use, !RotationCheck.verifyingUses.containsExactly(use) {
                add(.badUse, "\(e.label) has use \"\(JSON.escapedForMessage(use))\": verifiers do not check signatures with it")
            }
            if let ops = e.key?.keyOps, !ops.containsExactly("verify") {
                add(.badUse, "\(e.label) has key_ops without verify: verifiers do not check signatures with it")
            }
            if let key = e.key, let alg = key.algName, key.algorithm == nil {
                add(.badUse, "\(e.label) has alg \"\(JSON.escapedForMessage(alg))\", not a JWS algorithm")
            }
        }
        var byKid: [String: [Entry]] = [:]
        var kidOrder: [String] = []
        for e in pub {
            guard let kid = e.kid else { continue }
            if byKid[kid] == nil { kidOrder.append(kid) }
            byKid[kid, default: []].append(e)
        }
        for kid in kidOrder {
            let entries = byKid[kid] ?? []
            let prints = Set(entries.compactMap(\.thumbprint))
            if entries.count > 1 && (prints.count > 1 || entries.contains { $0.thumbprint == nil }) {
                let which = entries.map { String($0.index) }.joined(separator: ", ")
                add(.duplicateKid, "kid \"\(JSON.escapedForMessage(kid))\" names \(entries.count) different keys (keys \(which)): a token's kid must pick one key")
            }
        }
        var byPrint: [String: [Entry]] = [:]
        var printOrder: [String] = []
        for e in pub {
            guard let t = e.thumbprint else { continue }
            if byPrint[t] == nil { printOrder.append(t) }
            byPrint[t, default: []].append(e)
        }
        for t in printOrder {
            guard let entries = byPrint[t], entries.count > 1 else { continue }
            add(.duplicateKey, "the key with thumbprint \(t) is listed \(entries.count) times (\(entries.map(\.label).joined(separator: ", ")))")
        }

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
            let signAlg = s.key.algName ?? (try? s.key.defaultAlgorithm().rawValue)
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
            if let signAlg, let pubAlg = match.key?.algName, pubAlg != signAlg {
                add(.algMismatch, "\(label) signs with \(signAlg) but is published with alg \(JSON.escapedForMessage(pubAlg)): verifiers reject its tokens")
            }
        }

        // 3. Against the previous set.
        var diff: RotationReport.Diff?
        if let previous {
            let prev = try RotationCheck.readSet(previous, what: previousName)
            for e in prev where e.key == nil {
                add(.previousKeyIgnored, "\(previousName): \(e.label) is ignored in the comparison: \(e.problem?.1 ?? "unreadable")", .warning)
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
            for s in signers where curPrints.contains(s.key.thumbprint) && !prevPrints.contains(s.key.thumbprint) {
                add(.signingKeyNotPrepublished, "signing key\(s.key.kidLabel) (\(s.file)) is not in \(previousName): verifiers still caching that set reject its tokens until they refresh; publish the key first, and switch signing after the JWKS cache lifetime")
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
        }
        return RotationReport(check: self, published: pub, signers: signers, diff: diff, findings: findings)
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

    let check: RotationCheck
    let published: [RotationCheck.Entry]
    let signers: [RotationCheck.SigningKey]
    public let diff: Diff?
    public let findings: [Finding]

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
        o["findings"] = .array(findings.map(\.json))
        return .object(o)
    }

    /// The report as text: the published keys, the signing keys, the comparison, the findings, the verdict.
    public var text: String {
        func name(_ e: RotationCheck.Entry) -> String { e.kid.map { "\"\(JSON.escapedForMessage($0))\"" } ?? "(no kid)" }
        func summary(_ e: RotationCheck.Entry) -> String {
            guard let k = e.key else { return "unusable" }
            let alg = e.raw?["alg"]?.stringValue ?? "-"
            let use = e.raw?["use"]?.stringValue ?? "-"
            return "\(k.summary)  \(alg)  \(use)  \(k.thumbprint)"
        }
        var out = "published \(check.publishedName): \(published.count) key\(published.count == 1 ? "" : "s")\n"
        for e in published {
            let signs = signers.contains { $0.key.thumbprint == e.thumbprint } ? "  signing" : ""
            out += "  \(name(e))  \(summary(e))\(signs)\n"
        }
        if !signers.isEmpty {
            out += "signing: \(signers.count) key\(signers.count == 1 ? "" : "s")\n"
            for s in signers {
                let state = published.contains { $0.thumbprint == s.key.thumbprint } ? "published" : "NOT published"
                out += "  \(s.key.kid.map { "\"\(JSON.escapedForMessage($0))\"" } ?? "(no kid)")  \(s.file)  \(state)\n"
            }
        }
        if let diff {
            out += "previous \(check.previousName): \(diff.added.count) added, \(diff.removed.count) removed, \(diff.kept.count) kept\n"
            for e in diff.added { out += "  added    \(name(e))  \(e.thumbprint ?? "")\n" }
            for r in diff.removed {
                let until = r.validUntil.map { $0 > check.now ? "  tokens valid until \(NumericDate.formatRFC3339($0))"
                                                              : "  tokens expired since \(NumericDate.formatRFC3339($0))" } ?? ""
                out += "  removed  \(name(r.entry))  \(r.entry.thumbprint ?? "")\(until)\n"
            }
            for e in diff.kept { out += "  kept     \(name(e))  \(e.thumbprint ?? "")\n" }
        }
        for f in findings { out += "\(f.severity.rawValue) \(f.code): \(f.message)\n" }
        let errors = findings.filter { $0.severity == .error }.count
        out += safe ? "safe\n" : "unsafe: \(errors) problem\(errors == 1 ? "" : "s")\n"
        return out
    }
}
