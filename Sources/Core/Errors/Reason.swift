// SPDX-License-Identifier: Apache-2.0

/// The OAuth 2.0 error a token endpoint returns (RFC 6749 §5.2, RFC 7523 §3.1, RFC 8693 §2.2.2).
public enum OAuthError: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request"
    case invalidClient = "invalid_client"
    case invalidGrant = "invalid_grant"
    case unauthorizedClient = "unauthorized_client"
    case unsupportedGrantType = "unsupported_grant_type"
    case invalidScope = "invalid_scope"
    case invalidTarget = "invalid_target"
    /// A DPoP proof failed a check (RFC 9449 §5, §7.1).
    case invalidDPoPProof = "invalid_dpop_proof"
    /// The server requires a DPoP nonce the proof lacks (RFC 9449 §8).
    case useDPoPNonce = "use_dpop_nonce"
}

/// Exit statuses, as grep's: 0 yes, 1 no, 2 could not judge.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case rejected = 1
    case failure = 2
}

/// A stable, machine-readable reason. Raw values are API: add, never rename.
///
/// Reasons that describe a token or request that was judged and rejected exit 1 and carry an OAuth error;
/// the rest say the input or the command line could not be used, and exit 2.
public enum Reason: String, CaseIterable, Sendable {
    // Token or request rejected (exit 1).
    case malformed
    case algNone = "alg_none"
    case algNotAllowed = "alg_not_allowed"
    case algKeyMismatch = "alg_key_mismatch"
    case unknownKid = "unknown_kid"
    case badSignature = "bad_signature"
    case expired
    case notYetValid = "not_yet_valid"
    case issuedInFuture = "issued_in_future"
    case lifetimeTooLong = "lifetime_too_long"
    case tooOld = "too_old"
    case missingClaim = "missing_claim"
    case badIssuer = "bad_issuer"
    case badAudience = "bad_audience"
    case badSubject = "bad_subject"
    case subjectRejected = "subject_rejected"
    case replayedJTI = "replayed_jti"
    case badTyp = "bad_typ"
    case unsupportedCrit = "unsupported_crit"
    case disallowedHeader = "disallowed_header"
    case delegationTooDeep = "delegation_too_deep"
    case badDelegation = "bad_delegation"
    case actorRejected = "actor_rejected"
    case jtiRejected = "jti_rejected"
    case scopeNotAllowed = "scope_not_allowed"
    case scopeUnauthorized = "scope_unauthorized"
    case invalidRequest = "invalid_request"
    case unsupportedGrantType = "unsupported_grant_type"
    case grantTypeRejected = "grant_type_rejected"
    case badClientAssertion = "bad_client_assertion"
    /// Token exchange: the actor is not the one the subject token's `may_act` names (RFC 8693 §4.4).
    case actorNotPermitted = "actor_not_permitted"
    /// Token exchange: a requested scope the subject token does not hold (a delegated token only narrows).
    case scopeWidened = "scope_widened"
    /// Token exchange: a requested resource or audience the subject token is not good for.
    case audienceWidened = "audience_widened"
    /// With a replay cache, a token without exp: it cannot be remembered for its whole life.
    case replayNeedsExp = "replay_needs_exp"
    /// Client authentication: the client_id is not in `--clients` (or no `--clients` was given), fail closed.
    case unknownClient = "unknown_client"
    /// Client authentication: a registered confidential client sent no credentials, or a grant needs a client.
    case clientAuthMissing = "client_auth_missing"
    /// Client authentication: the client secret does not match the registered one.
    case badClientSecret = "bad_client_secret"
    /// Client authentication: the method used is not the client's registered token_endpoint_auth_method.
    case clientAuthMethod = "client_auth_method"
    /// Client authentication: more than one method in one request (RFC 6749 §2.3).
    case multipleClientAuth = "multiple_client_auth"
    /// ID-JAG: its client_id claim is not the authenticated client (or not `--client-id`).
    case clientIDMismatch = "client_id_mismatch"
    /// A token whose use budget (`wif_max_uses`) is spent: the replay cache counted its last use.
    case useBudgetExhausted = "use_budget_exhausted"
    /// A `wif_max_uses` claim that is not a whole number from 1 to 1000000.
    case badUseBudget = "bad_use_budget"
    // DPoP proofs (RFC 9449 §4.3; DPoP.swift lists the check order).
    case dpopMissing = "dpop_missing", dpopMultiple = "dpop_multiple", dpopMalformed = "dpop_malformed"
    case dpopBadTyp = "dpop_bad_typ", dpopAlgNotAllowed = "dpop_alg_not_allowed", dpopBadJWK = "dpop_bad_jwk"
    case dpopPrivateJWK = "dpop_private_jwk", dpopBadSignature = "dpop_bad_signature"
    case dpopHTMMismatch = "dpop_htm_mismatch", dpopHTUMismatch = "dpop_htu_mismatch"
    case dpopIatStale = "dpop_iat_stale", dpopIatFuture = "dpop_iat_future", dpopBadNonce = "dpop_bad_nonce"
    case dpopATHMissing = "dpop_ath_missing", dpopATHMismatch = "dpop_ath_mismatch"
    case dpopJKTMismatch = "dpop_jkt_mismatch", dpopReplayedJTI = "dpop_replayed_jti"
    /// A bearer request (no proof) where DPoP is required (`--require-dpop`).
    case dpopRequired = "dpop_required"
    /// A DPoP-bound access token (`cnf.jkt`) presented without its proof.
    case dpopBoundToken = "dpop_bound_token"
    // Could not judge (exit 2).
    case usage
    /// The input held nothing to judge: an empty token, request body or batch (often a failed pipeline step).
    case inputEmpty = "input_empty"
    case inputUnreadable = "input_unreadable"
    case inputTooLarge = "input_too_large"
    case inputInvalid = "input_invalid"
    case keyInvalid = "key_invalid"
    case keyNotFound = "key_not_found"
    case keyWeak = "key_weak"
    case outputFailed = "output_failed"
    case cryptoFailure = "crypto_failure"
    /// An encrypted key was read without a passphrase source (no option, no WIF_PASSPHRASE, no terminal).
    case passphraseRequired = "passphrase_required"
    /// An encrypted key did not open: wrong passphrase, or a changed byte (AES-GCM or PEM decryption failed).
    case decryptFailed = "decrypt_failed"
    /// A token with a use budget verified without a replay cache: its uses cannot be counted.
    case useBudgetNeedsCache = "use_budget_needs_cache"

    /// Whether this reason rejects a token or request (exit 1) rather than failing to judge it (exit 2).
    public var isRejection: Bool { exitStatus == .rejected }

    public var exitStatus: ExitStatus {
        switch self {
        case .usage, .inputEmpty, .inputUnreadable, .inputTooLarge, .inputInvalid, .keyInvalid, .keyNotFound, .keyWeak,
             .outputFailed, .cryptoFailure, .passphraseRequired, .decryptFailed, .useBudgetNeedsCache:
            return .failure
        default:
            return .rejected
        }
    }

    /// The OAuth error a token endpoint following RFC 7523 §3.1 returns for this reason in a grant assertion.
    public var oauthError: OAuthError {
        switch self {
        case .scopeNotAllowed, .scopeWidened: return .invalidScope
        case .audienceWidened: return .invalidTarget
        case .scopeUnauthorized, .grantTypeRejected: return .unauthorizedClient
        case .invalidRequest: return .invalidRequest
        case .unsupportedGrantType: return .unsupportedGrantType
        case .badClientAssertion, .unknownClient, .clientAuthMissing, .badClientSecret, .clientAuthMethod: return .invalidClient
        case .multipleClientAuth: return .invalidRequest
        case .dpopBadNonce: return .useDPoPNonce
        case .dpopMissing, .dpopMultiple, .dpopMalformed, .dpopBadTyp, .dpopAlgNotAllowed, .dpopBadJWK, .dpopPrivateJWK,
             .dpopBadSignature, .dpopHTMMismatch, .dpopHTUMismatch, .dpopIatStale, .dpopIatFuture, .dpopATHMissing,
             .dpopATHMismatch, .dpopJKTMismatch, .dpopReplayedJTI, .dpopRequired:
            return .invalidDPoPProof
        default: return isRejection ? .invalidGrant : .invalidRequest
        }
    }
}
