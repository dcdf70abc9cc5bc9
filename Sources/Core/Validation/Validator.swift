// SPDX-License-Identifier: Apache-2.0

/// The verified result: header, claims, and the key and algorithm that verified the signature.
/// A class of constants: a batch hands each result to the replay cache, the DPoP check and the report, and a
/// struct of eight references cost eight reference-count updates per copy (issue 12).
public final class VerifiedToken: Sendable {
    public let header: JSONObject
    /// The claims as parsed, or nil when they were checked in place (`Validator.Claims.inPlace`): then `claims`
    /// parses the payload each time it is read, which a batch that only writes results never does.
    private let parsedClaims: JSONObject?
    public let key: JWK
    public let algorithm: Algorithm
    public let token: [UInt8]
    /// The decoded header and payload as received (UTF-8 JSON, checked), for writing results without
    /// serialising the parsed objects again (`VerifyReport.writeSuccessLine`).
    public let headerJSON: [UInt8]
    public let payloadJSON: [UInt8]
    /// Whether `headerJSON` and `payloadJSON` are their own compact serialisations (`JSON.isCompactForm`),
    /// noted by the parser: a result line then copies them.
    public let headerIsCompact: Bool
    public let payloadIsCompact: Bool
    /// The token's use budget (`UseBudget.of`), read once.
    public let useBudget: Int?

    public init(header: JSONObject, claims: JSONObject, key: JWK, algorithm: Algorithm, token: [UInt8],
                headerJSON: [UInt8], payloadJSON: [UInt8], headerIsCompact: Bool = false, payloadIsCompact: Bool = false) {
        self.header = header
        self.parsedClaims = claims
        self.key = key
        self.algorithm = algorithm
        self.token = token
        self.headerJSON = headerJSON
        self.payloadJSON = payloadJSON
        self.headerIsCompact = headerIsCompact
        self.payloadIsCompact = payloadIsCompact
        // A budget the claim checks refused never gets here; only unchecked tokens (a DPoP proof) could have one.
        useBudget = (try? UseBudget.of(claims)) ?? nil
    }

    /// A token whose claims passed `Validator.claimsPass` in place: its payload is compact, and has no `act`,
    /// `may_act`, `cnf` or `wif_max_uses` (those go to the full check).
    init(checkedInPlace jws: CompactJWS, key: JWK, algorithm: Algorithm) {
        header = jws.header
        parsedClaims = nil
        self.key = key
        self.algorithm = algorithm
        token = jws.bytes
        headerJSON = jws.headerJSON
        payloadJSON = jws.payload
        headerIsCompact = jws.headerIsCompact
        payloadIsCompact = true
        useBudget = nil
    }

    /// The payload's claims. A token checked in place (only Core's batch makes one, and reads none of its claims)
    /// parses them here, each time: its payload passed `ClaimFields.scan`, a subset of what the parser accepts, so
    /// this cannot fail.
    public var claims: JSONObject {
        if let parsedClaims { return parsedClaims }
        guard let c = try? JSON.parseObject(payloadJSON, what: "the payload") else {
            preconditionFailure("a payload ClaimFields.scan accepted did not parse")
        }
        return c
    }

    /// Whether the claims were checked in place (`init(checkedInPlace:)`): then there is no `act`, `may_act`,
    /// `cnf` or `wif_max_uses` claim, which callers may rely on without reading `claims`.
    public var checkedInPlace: Bool { parsedClaims == nil }

    /// The delegation chain (`Delegation.levels`), nil without `act`; a token checked in place has none.
    public var delegationLevels: [JSONObject]? { parsedClaims.flatMap(Delegation.levels) }
}

/// Judges compact JWS assertions offline (RFC 7515 §5.2, RFC 7519 §7.2, RFC 7523 §3, RFC 8725 §3).
///
/// Check order (the first failure is the one reported; every failure rejects the whole token, RFC 8725 §3.3):
///  1. `malformed`: size bound, only base64url characters and dots, three segments (five: JWE), strict
///     base64url, header a UTF-8 JSON object without duplicate members.
///  2. `alg`: missing or not a string → `malformed`; `none` in any letter case → `alg_none`; not a known JWS alg or
///     not in the allow-list → `alg_not_allowed`.
///  3. headers: `crit` (wif understands no extension) or `b64` → `unsupported_crit`; `cty` JWT (nested) or a
///     header the profile forbids → `disallowed_header`; `typ` not the required or an allowed one → `bad_typ`.
///  4. key choice, by `kid` when present (exact match, never used as a path) → `unknown_kid`; a key whose type,
///     curve or own `alg` does not fit the token's alg → `alg_key_mismatch`; without kid, keys that fit (≤ 8 tried).
///  5. signature over the received signing input → `bad_signature`.
///  6. payload a UTF-8 JSON object without duplicates; registered claims of the right JSON type → `malformed`;
///     a `wif_max_uses` that is not a whole number from 1 to 1000000 → `bad_use_budget` (UseBudget.swift).
///  7. required claims → `missing_claim`; iss → `bad_issuer`; aud → `bad_audience`; sub (allow-list, SPIFFE ID,
///     iss = sub for client assertions) → `bad_subject`; `--reject-sub` → `subject_rejected`.
///  8. time, with leeway: now ≥ exp + leeway → `expired`; nbf > now + leeway → `not_yet_valid`;
///     iat > now + leeway → `issued_in_future`; exp − iat (or exp − now without iat) > max → `lifetime_too_long`;
///     now − iat > max age → `too_old`.
///  9. delegation: `act` objects each with a string `sub` → `bad_delegation`; depth → `delegation_too_deep`;
///     the current actor against the allow-list → `actor_rejected`.
/// 10. `--reject-jti` → `jti_rejected`. Replay (`replayed_jti`) is checked by the caller afterwards, so a token
///     rejected for another reason never enters the replay cache.
public final class Validator {
    public let keys: KeyRing
    public let policy: Policy
    public let algorithms: AlgorithmSet
    /// The policy's audiences as compared (`normalizedAudience`), made once and not for each token.
    private(set) var audiences: [String] = []
    /// `policy.required` with their lookup keys made once.
    let requiredNames: [MemberName]
    /// The policy's strings as bytes, for claims checked in place.
    let policyBytes: PolicyBytes
    public static let maxCandidates = 8
    /// Prepared verifiers by key index and algorithm. They hold OpenSSL contexts and scratch buffers, so they
    /// live here and not in the shared KeyRing: a Validator belongs to one thread at a time.
    /// A list searched linearly, not a `[Int: Verifier]`: it holds a key or a few, and the Dictionary cost the
    /// runtime a metadata instantiation by mangled name on every one-token verify (issue 12).
    private var verifiers: [Prepared] = []

    private struct Prepared {
        let id: Int
        let verifier: Verifier
    }

    public init(keys: KeyRing, policy: Policy) throws(WIFError) {
        self.keys = keys
        self.policy = policy
        algorithms = keys.fittingAlgorithms(policy: policy)
        requiredNames = policy.required.map(MemberName.init)
        let normalized = policy.audiences.map { Validator.normalizedAudience($0, policy) }
        audiences = normalized
        policyBytes = PolicyBytes(policy, audiences: normalized)
        if algorithms.isEmpty {
            let allowed = policy.algorithms.map { " among " + $0.map(\.rawValue).sorted().joined(separator: ", ") } ?? ""
            var hint: String? = keys.skipped.isEmpty ? nil : "skipped keys: " +
                keys.skipped.map { "\($0.file) key \($0.index): \($0.why)" }.joined(separator: "; ")
            if let use = policy.keyUse, keys.keys.contains(where: { $0.use != use }) {
                hint = "profile \(policy.profile.rawValue) uses only keys with \"use\":\"\(use)\" (wif-mint jwks --use \(use) KEY)"
            }
            throw WIFError(.keyNotFound, "no usable verification key\(allowed) in the JWKS", hint: hint)
        }
    }

    static func reject(_ r: Reason, _ m: String) -> WIFError { WIFError(r, m) }

    /// How a caller uses the claims of an accepted token. Internal: only Core's batch (Verification.verifyBatch)
    /// knows that nothing reads the claims of its tokens afterwards.
    enum Claims: Sendable {
        /// Parsed into `VerifiedToken.claims` (every caller that reads them).
        case parsed
        /// Checked in place where the payload allows (`ClaimFields`), without building them: for a caller that
        /// only writes the result line (`--batch` without a replay cache or DPoP).
        case inPlace
    }

    public func verify(_ token: [UInt8], now: Int64) throws(WIFError) -> VerifiedToken {
        try verify(token, now: now, claims: .parsed)
    }

    func verify(_ token: [UInt8], now: Int64, claims use: Claims) throws(WIFError) -> VerifiedToken {
        let jws = try CompactJWS.parse(token, maxSize: policy.maxTokenSize, reusing: lastHeader?.jws)
        let h = jws.header
        let alg: Algorithm
        let candidates: [Int]
        if let memo = lastHeader, memo.jws.headerJSON == jws.headerJSON {
            // Steps 2-4 depend only on the header bytes, the policy and the keys: a header seen just before
            // passed them with this algorithm and these candidate keys.
            alg = memo.alg
            candidates = memo.candidates
        } else {
            (alg, candidates) = try checkHeaderAndKeys(h)
            lastHeader = HeaderMemo(jws: jws, alg: alg, candidates: candidates)
        }
        return try verify(jws, alg: alg, candidates: candidates, now: now, claims: use)
    }

    /// The header seen last that passed steps 2-4, with their outcome.
    /// A class, not a tuple: the optional tuple type cost a metadata instantiation by mangled name (issue 12).
    private var lastHeader: HeaderMemo?

    private final class HeaderMemo {
        let jws: CompactJWS
        let alg: Algorithm
        let candidates: [Int]
        init(jws: CompactJWS, alg: Algorithm, candidates: [Int]) {
            self.jws = jws
            self.alg = alg
            self.candidates = candidates
        }
    }

    /// Steps 2-4: alg, header members, key choice.
    func checkHeaderAndKeys(_ h: JSONObject) throws(WIFError) -> (Algorithm, [Int]) {
        // 2. alg
        guard let algValue = h["alg"] else { throw Validator.reject(.malformed, "the header has no alg") }
        guard let algName = algValue.stringValue else {
            throw Validator.reject(.malformed, "the header alg is a \(algValue.typeName), not a string")
        }
        if algName.sameIgnoringASCIICase("none") {
            throw Validator.reject(.algNone, "alg \"\(JSON.escapedForMessage(algName))\": unsecured JWS is never accepted")
        }
        guard let alg = Algorithm(exactly: algName), algorithms.contains(alg) else {
            let list = algorithms.map(\.rawValue).sorted().joined(separator: ", ")
            throw Validator.reject(.algNotAllowed, "alg \"\(JSON.escapedForMessage(algName))\" is not allowed (allowed: \(list))")
        }
        // 3. headers
        try checkHeaders(h)
        // 4. key choice
        return (alg, try chooseKeys(h, alg: alg))
    }

    func verify(_ jws: CompactJWS, alg: Algorithm, candidates: [Int], now: Int64,
                claims use: Claims = .parsed) throws(WIFError) -> VerifiedToken {
        // 5. signature
        var verifiedBy: Int?
        let ok = jws.bytes.withUnsafeBytes { all -> Bool in
            let input = UnsafeRawBufferPointer(rebasing: all[0..<jws.signingInputEnd])
            return jws.signature.withUnsafeBytes { sig in
                for i in candidates {
                    if let v = try? verifier(i, alg), v.verify(signature: sig, message: input) {
                        verifiedBy = i
                        return true
                    }
                }
                return false
            }
        }
        guard ok, let idx = verifiedBy else {
            let which = candidates.count == 1 ? "key\(keys.keys[candidates[0]].kidLabel)" : "any of \(candidates.count) keys"
            throw Validator.reject(.badSignature, "the \(alg.rawValue) signature does not verify with \(which)")
        }
        // 6. claims: in place when the caller allows and the check passes there; otherwise (and for every
        // failure, so the message is always the full check's) parsed and checked.
        if case .inPlace = use, jws.payload.withUnsafeBufferPointer({ p in
            ClaimFields.scan(p).map { claimsPass($0, p, now: now) } ?? false
        }) {
            return VerifiedToken(checkedInPlace: jws, key: keys.keys[idx], algorithm: alg)
        }
        let (claims, compact) = try jws.claimsNotingForm()
        try checkClaims(claims, now: now)
        return VerifiedToken(header: jws.header, claims: claims, key: keys.keys[idx], algorithm: alg, token: jws.bytes,
                             headerJSON: jws.headerJSON, payloadJSON: jws.payload,
                             headerIsCompact: jws.headerIsCompact, payloadIsCompact: compact)
    }

    /// The prepared verifier for key number `index` and `alg`.
    func verifier(_ index: Int, _ alg: Algorithm) throws(WIFError) -> Verifier {
        let id = index * 64 + (Algorithm.allCases.firstIndex(of: alg) ?? 0)
        for p in verifiers where p.id == id { return p.verifier }
        let v = try Verifier(key: keys.keys[index], algorithm: alg)
        verifiers.append(Prepared(id: id, verifier: v))
        return v
    }

    func checkHeaders(_ h: JSONObject) throws(WIFError) {
        if h["crit"] != nil {
            throw Validator.reject(.unsupportedCrit, "the header lists crit extensions, and wif-verify understands none (RFC 7515 §4.1.11)")
        }
        if let b64 = h["b64"] {
            throw Validator.reject(.unsupportedCrit, "the header has b64 \(b64.serialized()) (RFC 7797), which JWTs do not use")
        }
        if let cty = h["cty"]?.stringValue, Policy.sameTyp(cty, "JWT") {
            throw Validator.reject(.disallowedHeader, "cty JWT marks a nested JWT, which is not accepted")
        }
        if let allowed = policy.allowedHeaders {
            for name in h.keys where !allowed.contains(where: { $0.same(name) }) {
                throw Validator.reject(.disallowedHeader, "header \"\(JSON.escapedForMessage(name))\" is not allowed by profile \(policy.profile.rawValue)")
            }
        }
        let typValue = h["typ"]
        if let t = typValue, t.stringValue == nil {
            throw Validator.reject(.malformed, "the header typ is a \(t.typeName), not a string")
        }
        let typ = typValue?.stringValue
        if let want = policy.typ {
            guard let typ, Policy.sameTyp(typ, want) else {
                throw Validator.reject(.badTyp, "typ is \(typ.map { "\"\(JSON.escapedForMessage($0))\"" } ?? "absent"), expected \"\(want)\"")
            }
        } else if let typ, let allowed = policy.typAllowed,
                  !allowed.contains(where: { Policy.sameTyp($0, typ) }) {
            throw Validator.reject(.badTyp, "typ \"\(JSON.escapedForMessage(typ))\" is not accepted by profile \(policy.profile.rawValue) (accepted: absent, \(allowed.joined(separator: ", ")))")
        }
    }

    func chooseKeys(_ h: JSONObject, alg: Algorithm) throws(WIFError) -> [Int] {
        if let kidValue = h["kid"] {
            guard let kid = kidValue.stringValue else {
                throw Validator.reject(.unknownKid, "the header kid is a \(kidValue.typeName), not a string")
            }
            let named = keys.keys.indices.filter { (keys.keys[$0].kid?.same(kid) ?? false) && keys.usable(keys.keys[$0], policy: policy) }
            if named.isEmpty {
                throw Validator.reject(.unknownKid, "no usable key has kid \"\(JSON.escapedForMessage(kid, limit: 64))\"")
            }
            let fit = named.filter { fits(keys.keys[$0], alg) }
            if fit.isEmpty {
                let k = keys.keys[named[0]]
                throw Validator.reject(.algKeyMismatch, "alg \(alg.rawValue) does not fit key\(k.kidLabel) (\(k.summary)\(k.algName.map { ", alg \($0)" } ?? ""))")
            }
            return Array(fit.prefix(Validator.maxCandidates))
        }
        let fit = keys.keys.indices.filter { keys.usable(keys.keys[$0], policy: policy) && fits(keys.keys[$0], alg) }
        if fit.isEmpty { throw Validator.reject(.algKeyMismatch, "no key fits alg \(alg.rawValue)") }
        return Array(fit.prefix(Validator.maxCandidates))
    }

    func fits(_ k: JWK, _ alg: Algorithm) -> Bool {
        guard alg.fits(keyType: k.keyType, curve: k.curve) else { return false }
        if let ka = k.algName, !ka.same(alg.rawValue) { return false }
        if k.keyType == .oct, (k.secret?.count ?? 0) < alg.hashLength { return false }
        return true
    }
}
