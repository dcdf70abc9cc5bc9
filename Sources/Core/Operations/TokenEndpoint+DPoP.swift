// SPDX-License-Identifier: Apache-2.0

/// DPoP at the token endpoint (RFC 9449 §5, §6, §8, §10), before the grant is judged:
/// 1. more than one proof → `dpop_multiple` (`invalid_dpop_proof`);
/// 2. no proof: with `required` → `dpop_required`; with a `dpop_jkt` parameter → `dpop_missing`; otherwise the
///    request is an ordinary bearer one;
/// 3. the proof, checked by `DPoP.verify` for `POST` and the endpoint's URL, with the endpoint's nonce and the
///    `dpop_jkt` parameter as the key it must have, in full but for its jti. A missing or wrong nonce is
///    `use_dpop_nonce`, answered with a `DPoP-Nonce` header;
/// 4. the grant, judged as without DPoP, and a bound token given to it (assertion, subject_token, actor_token,
///    `boundTokenRefused`) needs the proof by its key; the proof's jti is spent in the endpoint's replay cache
///    (file or memory) at the replay step, last, beside the tokens' jtis: only a request that would succeed
///    spends its proof, so failing requests cannot fill the cache. A success is `token_type: DPoP` and a JWT
///    access token carries `cnf.jkt`, the proof key's RFC 7638 thumbprint (§6.1). An opaque token (no `--issuer-key`) is bound in
///    the response's token_type only.
extension TokenEndpoint {
    public struct DPoPPolicy: Sendable {
        /// Refuse bearer requests (`--require-dpop`).
        public var required = false
        /// The nonce every proof must carry (`--dpop-nonce`), sent in `DPoP-Nonce`.
        public var nonce: String?
        public var maxAge = DPoP.defaultMaxAge
        public var algorithms = DPoP.asymmetricAlgorithms

        public init() {}
    }

    /// The DPoP part of one HTTP request: the values of its `DPoP` headers and the URI it was sent to.
    public struct DPoPRequest: Sendable {
        public var proofs: [String]
        public var htu: String
        public var htm = "POST"

        public init(proofs: [String], htu: String) {
            self.proofs = proofs
            self.htu = htu
        }
    }

    /// `handle(body:now:facts:)` with the request's DPoP proofs (the type's rules).
    public func handle(body raw: [UInt8], dpop request: DPoPRequest?, now: Int64, facts: inout Facts) throws(WIFError) -> Outcome {
        try handle(body: raw, headers: [], dpop: request, now: now, facts: &facts)
    }

    /// `handle(body:headers:now:facts:)` (client authentication from the headers) with the request's DPoP proofs.
    public func handle(body raw: [UInt8], headers: [(String, String)], dpop request: DPoPRequest?, now: Int64,
                       facts: inout Facts) throws(WIFError) -> Outcome {
        let proof: String?
        do { proof = try DPoP.single(request?.proofs ?? []) } catch {
            return failed(error, facts: &facts)
        }
        let form = FormBody(raw)
        let jkt = form.pairs.first { $0.0.same("dpop_jkt") && !$0.1.isEmpty }?.1
        guard let proof, let request else {
            if dpop.required {
                return failed(WIFError(.dpopRequired, "this endpoint requires a DPoP proof (RFC 9449 section 5)"), facts: &facts)
            }
            if jkt != nil {
                return failed(WIFError(.dpopMissing, "dpop_jkt names a key, and the request carries no DPoP proof (RFC 9449 section 10)"),
                              facts: &facts)
            }
            return try handle(form: form, headers: headers, now: now, facts: &facts)
        }
        var req = DPoP.Requirements(htm: request.htm, htu: request.htu)
        req.nonce = dpop.nonce
        req.jkt = jkt
        req.maxAge = dpop.maxAge
        req.leeway = validator.policy.leeway
        req.algorithms = dpop.algorithms
        let verified: DPoP.VerifiedProof
        do {
            verified = try DPoP.verify(Array(proof.utf8), req, now: now)
        } catch {
            if !error.reason.isRejection { throw error }
            return failed(error, facts: &facts)
        }
        var bound = self
        bound.bindingJKT = verified.jkt
        bound.proof = verified
        return try bound.handle(form: form, headers: headers, now: now, facts: &facts)
    }

    /// A token given to the grant (the jwt-bearer assertion, the subject_token, the actor_token) that is bound to a
    /// DPoP key (`cnf.jkt`) needs this request's proof by that key, so a stolen bound token never becomes a bearer
    /// one nor is re-bound to another key: no proof → `dpop_bound_token`, a proof by another key →
    /// `dpop_jkt_mismatch`, a `cnf` wif cannot check → `dpop_bound_token` (as `DPoP.boundKey`).
    func boundTokenRefused(subject: VerifiedToken?, actor: VerifiedToken?, grant: String) -> Outcome? {
        let exchange = grant.same(TokenRequest.tokenExchangeGrant)
        let roles: [(String, VerifiedToken?)] = [(exchange ? "subject_token" : "assertion", subject), ("actor_token", actor)]
        for (role, token) in roles {
            guard let token else { continue }
            let oauth: OAuthError = exchange ? .invalidRequest : .invalidGrant
            let jkt: String?
            do { jkt = try DPoP.boundKey(token.claims) } catch { return .failure(oauth, error.located(role)) }
            guard let jkt else { continue }
            guard let bindingJKT else {
                return .failure(oauth, WIFError(.dpopBoundToken, "\(role): the token is bound to a DPoP key (cnf.jkt)"
                                                + " and the request carries no proof (RFC 9449 section 7.1)"))
            }
            guard bindingJKT.utf8.elementsEqual(jkt.utf8) else {
                return .failure(.invalidDPoPProof, WIFError(.dpopJKTMismatch, "\(role): the proof's key has thumbprint"
                                                            + " \(bindingJKT), not the bound \(JSON.escapedForMessage(jkt))"))
            }
        }
        return nil
    }

    /// Spends the request's proof jti (check 14 of `DPoP.verify`), at the replay step, so that a request that
    /// fails never fills the replay cache.
    func spendProof(cache: ReplayCache, now: Int64) -> Outcome? {
        guard let proof else { return nil }
        do { try DPoP.spend(proof, leeway: validator.policy.leeway, now: now, replayCache: cache, clock: clock) } catch {
            return .failure(error.reason.oauthError, error)
        }
        return nil
    }

    private func failed(_ e: WIFError, facts: inout Facts) -> Outcome {
        facts = Facts()
        facts.error = e.reason.oauthError
        facts.reason = e.reason
        return .failure(e.reason.oauthError, e)
    }

    /// Reads a request body from `path` and answers it with `dpop` (`wif-verify request`), under the same rules as
    /// `answer(bodyFrom:endpoint:now:)`; `dpop` nil is a request without a DPoP header.
    public static func answer(bodyFrom path: String, dpop: DPoPRequest?, endpoint: TokenEndpoint, now: Int64) throws(WIFError) -> Outcome {
        let body: [UInt8]
        do {
            body = try Input.read(path, limit: maxBodySize, what: path == "-" ? "the request body" : path)
        } catch where error.reason == .inputTooLarge {
            return .failure(.invalidRequest, WIFError(.invalidRequest, "the request body is larger than \(maxBodySize) bytes"))
        }
        var trimmed = body[...]
        if trimmed.last == 0x0A { trimmed = trimmed.dropLast(); if trimmed.last == 0x0D { trimmed = trimmed.dropLast() } }
        guard !trimmed.isEmpty else { throw Input.emptyInput(path, what: "the request body") }
        var facts = Facts()
        return try endpoint.handle(body: body, dpop: dpop, now: now, facts: &facts)
    }
}
