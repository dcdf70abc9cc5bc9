// SPDX-License-Identifier: Apache-2.0

/// DPoP at the protected resource (RFC 9449 §7): `Authorization: DPoP <token>` with a `DPoP` proof header.
///
/// Rules, in order:
/// 1. scheme `DPoP` (case-insensitive): exactly one header with one token → else 401 `invalid_request`; the token
///    verified as for Bearer → 401 `invalid_token`; exactly one proof (`dpop_multiple`, `dpop_missing`), checked by
///    `DPoP.checkBinding` for the request's method and this resource's URL with the token as `ath` and its
///    `cnf.jkt` as the key → 401 `invalid_dpop_proof` with the reason; its jti spent in `replayCache`; then scopes;
/// 2. any other request is judged as a Bearer one (ProtectedResource.swift), and a DPoP-bound token (`cnf`)
///    presented as Bearer is refused: 401 `invalid_token` (`dpop_bound_token`).
///
/// A refusal whose reason is a DPoP one, or of a request that used the DPoP scheme (a bad token, a missing
/// scope), is challenged `DPoP error="…", error_description="…", algs="…"` (`wwwAuthenticate`), the others as
/// Bearer.
extension ProtectedResource {
    /// Judges the request's `Authorization` and `DPoP` header values for method `htm`.
    public func authorize(_ authorization: [String], dpop: [String], htm: String, now: Int64,
                          replayCache: ReplayCache?) throws(WIFError) -> Decision {
        let parts = authorization.first?.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false) ?? []
        guard parts.count == 2, String(parts[0]).sameIgnoringASCIICase("DPoP") else {
            let d = try authorize(authorization, now: now)
            if case .authorized(let token) = d, token.claims["cnf"] != nil {
                return .refused(status: 401, error: "invalid_token", reason: .dpopBoundToken,
                                detail: "the access token is DPoP-bound (cnf.jkt): present it as 'DPoP' with a proof (RFC 9449 section 7.1)")
            }
            return d
        }
        guard authorization.count == 1, !parts[1].isEmpty, !parts[1].contains(" ") else {
            return .refused(status: 401, error: "invalid_request", reason: .invalidRequest,
                            detail: "Authorization is not one 'DPoP <token>' header (RFC 9449 section 7.1)")
        }
        let raw = Array(parts[1].utf8)
        let token: VerifiedToken
        do { token = try validator.verify(raw, now: now) } catch {
            if !error.reason.isRejection { throw error }
            return .refused(status: 401, error: "invalid_token", reason: error.reason, detail: error.detail)
        }
        do throws(WIFError) {
            guard let proof = try DPoP.single(dpop) else {
                throw WIFError(.dpopMissing, "Authorization: DPoP comes without a DPoP proof header")
            }
            try DPoP.checkBinding(token, DPoP.BindingCheck(proof: Array(proof.utf8), requirements: DPoP.Requirements(htm: htm, htu: resource)),
                                  now: now, replayCache: replayCache)
        } catch {
            if !error.reason.isRejection { throw error }
            let oauth = error.reason == .dpopBoundToken ? "invalid_token" : "invalid_dpop_proof"
            return .refused(status: 401, error: oauth, reason: error.reason, detail: error.detail)
        }
        return scopeDecision(token)
    }

    /// Whether a request's `Authorization` values use the `DPoP` scheme (its first, case-insensitively).
    public static func usesDPoPScheme(_ authorization: [String]) -> Bool {
        guard let first = authorization.first else { return false }
        let scheme = first.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return scheme.sameIgnoringASCIICase("DPoP")
    }

    /// The `WWW-Authenticate` value of a refusal: DPoP's for a DPoP reason or a request that used the DPoP scheme
    /// (`usedDPoP`; a bad token or missing scope there is challenged in the scheme the client spoke, RFC 9449
    /// §7.1), else Bearer's.
    public func wwwAuthenticate(error: String?, reason: Reason?, detail: String, usedDPoP: Bool = false) -> String {
        let dpopReason = reason?.rawValue.hasBytePrefix("dpop_") == true
        guard dpopReason || usedDPoP else { return challenge(error: error, reason: reason, detail: detail) }
        var parts: [String] = []
        if let error { parts.append("error=\"\(error)\"") }
        let text = reason.map { TokenEndpoint.describe(WIFError($0, detail)) } ?? detail
        parts.append("error_description=\"\(TokenEndpoint.quotable(text))\"")
        if error == "insufficient_scope", !requiredScopes.isEmpty {
            parts.append("scope=\"\(TokenEndpoint.quotable(requiredScopes.joined(separator: " ")))\"")
        }
        parts.append("algs=\"\(DPoP.algList(DPoP.asymmetricAlgorithms))\"")
        return "DPoP " + parts.joined(separator: ", ")
    }
}
