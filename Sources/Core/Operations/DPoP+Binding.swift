// SPDX-License-Identifier: Apache-2.0

/// A DPoP-bound access token (RFC 9449 §6, §7): its `cnf.jkt` names the key whose proof must come with it.
///
/// Rules (`checkBinding`), after the token itself verified:
/// - `cnf` present but not an object, or `jkt` not a non-empty string → `dpop_bound_token`, so a token bound in a
///   way wif cannot check is never taken as a bearer one;
/// - a bound token without a proof → `dpop_bound_token` (presented as Bearer, or offline without `--dpop-proof`);
/// - a proof with an unbound token → `dpop_jkt_mismatch` (nothing binds the proof's key to the token);
/// - the proof, checked by `DPoP.verify` with the token as the access token (`ath` required) and `cnf.jkt` as the
///   key it must have; a proof by another key is `dpop_jkt_mismatch`.
extension DPoP {
    /// The thumbprint a token is bound to, nil when it carries no `cnf` (see the rules).
    public static func boundKey(_ claims: JSONObject) throws(WIFError) -> String? {
        guard let cnf = claims[.cnf] else { return nil }
        guard let o = cnf.objectValue else { throw WIFError(.dpopBoundToken, "cnf is a \(cnf.typeName), not an object") }
        guard let jkt = o["jkt"] else {
            throw WIFError(.dpopBoundToken, "cnf binds the token without jkt (another proof-of-possession method), which wif does not check")
        }
        guard let s = jkt.stringValue, !s.isEmpty else { throw WIFError(.dpopBoundToken, "cnf.jkt is not a non-empty string") }
        return s
    }

    /// What an offline or resource check of a bound token is given.
    public struct BindingCheck: Sendable {
        /// The proof sent with the token, if any.
        public var proof: [UInt8]?
        public var requirements: Requirements

        public init(proof: [UInt8]?, requirements: Requirements) {
            self.proof = proof
            self.requirements = requirements
        }
    }

    /// Checks the binding of `token` (the rules at the top); returns the proof when there was one.
    @discardableResult
    public static func checkBinding(_ token: VerifiedToken, _ check: BindingCheck, now: Int64,
                                    replayCache: ReplayCache? = nil, clock: (() -> Int64)? = nil) throws(WIFError) -> VerifiedProof? {
        // A token checked in place has no cnf (Validator.claimsPass leaves those to the full check).
        let jkt = token.checkedInPlace ? nil : try boundKey(token.claims)
        guard let proof = check.proof else {
            if jkt != nil {
                throw WIFError(.dpopBoundToken, "the token is bound to a DPoP key (cnf.jkt) and comes without a proof (RFC 9449 section 7.1)")
            }
            return nil
        }
        guard let jkt else {
            throw WIFError(.dpopJKTMismatch, "a DPoP proof comes with a token that is not bound to a key (no cnf.jkt)")
        }
        var r = check.requirements
        r.accessToken = token.token
        r.jkt = jkt
        return try verify(proof, r, now: now, replayCache: replayCache, clock: clock)
    }
}
