// SPDX-License-Identifier: Apache-2.0

/// A token endpoint told to refuse every request it would grant, with one OAuth error: how `wif-verify serve
/// --force-error` and the conformance runs (`wif-verify conform`) stand in for an authorization server that
/// answers `invalid_scope`, `invalid_request` or `unauthorized_client` to a well-formed jwt-bearer request.
///
/// Rules:
/// - only a request the judge accepts is refused (a failure keeps its own error and reason), so the record of what
///   the client sent (grant type, assertion verified, sub, jti) is the same as without the option;
/// - the answer reuses the reasons the endpoint gives those errors elsewhere: `invalid_scope` → `scope_not_allowed`,
///   `invalid_request` → `invalid_request`, `unauthorized_client` → `grant_type_rejected`;
/// - the jti of the refused request is spent all the same (replay is checked before the answer is replaced).
extension TokenEndpoint {
    public enum ForcedAnswer: String, Sendable, CaseIterable {
        case invalidScope = "invalid_scope"
        case invalidRequest = "invalid_request"
        case unauthorizedClient = "unauthorized_client"

        public var error: OAuthError {
            switch self {
            case .invalidScope: return .invalidScope
            case .invalidRequest: return .invalidRequest
            case .unauthorizedClient: return .unauthorizedClient
            }
        }

        public var reason: Reason {
            switch self {
            case .invalidScope: return .scopeNotAllowed
            case .invalidRequest: return .invalidRequest
            case .unauthorizedClient: return .grantTypeRejected
            }
        }

        var message: String {
            switch self {
            case .invalidScope: return "the requested scope is not granted to this workload (forced answer)"
            case .invalidRequest: return "the token request is refused as malformed (forced answer)"
            case .unauthorizedClient: return "this client may not use the jwt-bearer grant (forced answer)"
            }
        }

        /// The value of `--force-error`.
        public static func named(_ text: String) throws(WIFError) -> ForcedAnswer {
            guard let f = ForcedAnswer.allCases.first(where: { $0.rawValue.same(text) }) else {
                throw WIFError(.usage, "--force-error \(JSON.escapedForMessage(text)): expected one of "
                               + ForcedAnswer.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return f
        }
    }

    /// `outcome`, or the forced answer in place of a success.
    func applyingForcedAnswer(_ outcome: Outcome) -> Outcome {
        guard let forced = forcedAnswer, case .success = outcome else { return outcome }
        return TokenEndpoint.fail(forced.error, forced.reason, forced.message)
    }
}
