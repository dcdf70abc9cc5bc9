// SPDX-License-Identifier: Apache-2.0

/// One check of a client's behaviour, as the MCP conformance suite records it (`id`, `status`, a detail).
public struct ConformanceCheck: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case success = "SUCCESS", failure = "FAILURE", warning = "WARNING"
        /// Not judged: left out by `wif-verify conform --check`, or not applicable (a client killed at its timeout
        /// has no exit status to judge).
        case skipped = "SKIPPED"
    }
    public let id: String
    public let status: Status
    public let detail: String

    /// `{"id", "status", "detail"}`, made with the check: a server writes every check it makes, and the
    /// common ones are made once (`ConformanceChecks.grantTypeSuccess`).
    public let json: JSON

    public init(_ id: String, _ status: Status, _ detail: String) {
        self.id = id
        self.status = status
        self.detail = detail
        var o = JSONObject(minimumCapacity: 3)
        o.appendUnchecked("id", .string(id))
        o.appendUnchecked("status", .string(status.rawValue))
        o.appendUnchecked("detail", .string(detail))
        json = .object(o)
    }
}

/// The SEP-1933 client checks of the MCP conformance suite's `auth/wif-jwt-bearer` scenario, judged from what a
/// token endpoint saw, with the suite's ids. State lives for one server (one scenario run).
///
/// Rules, per token request:
/// - after an earlier failed token request: a jwt-bearer request → `wif-no-retry` WARNING; any other grant_type →
///   `wif-grant-fallback` WARNING (the suite's own checks; the request is still judged by policy);
/// - grant_type the jwt-bearer URN → `wif-grant-type` SUCCESS, anything else (or none) → FAILURE;
/// - jwt-bearer: no `assertion` → `wif-assertion-missing` FAILURE; verified → `wif-assertion-verified` SUCCESS;
///   `expired` → `wif-assertion-expired`, `bad_audience` → `wif-assertion-audience`, any other rejection (bad
///   signature, issuer, subject, replayed jti, …) → `wif-assertion-malformed`, each FAILURE, as the suite maps them;
/// - a verified assertion answered `invalid_scope` → `wif-assertion-scope-rejected` FAILURE (the suite's id);
/// - a visit to the authorization endpoint after a failure → `wif-grant-fallback` WARNING.
public struct ConformanceChecks: Sendable {
    /// Whether a token request of this server has failed.
    public private(set) var failedBefore = false
    public private(set) var tokenRequests = 0
    /// Count of each (id, status), in order of first appearance.
    public private(set) var tally: [(id: String, status: ConformanceCheck.Status, count: Int)] = []

    public init() {}

    /// The checks for one token request, given what the endpoint reported about it.
    /// The checks every good request gets, made once (its detail was interpolated per request).
    static let grantTypeSuccess = ConformanceCheck("wif-grant-type", .success, "grant_type is \(TokenRequest.jwtBearerGrant)")
    static let assertionVerified = ConformanceCheck("wif-assertion-verified", .success, "signature, issuer, audience and time verified")

    public mutating func tokenRequest(_ f: TokenEndpoint.Facts) -> [ConformanceCheck] {
        var out: [ConformanceCheck] = []
        out.reserveCapacity(4)
        let grant = f.grantType ?? ""
        let isJWT = grant.same(TokenRequest.jwtBearerGrant)
        tokenRequests += 1
        if failedBefore {
            if isJWT {
                out.append(.init("wif-no-retry", .warning, "a second jwt-bearer token request after a failed one"))
            } else {
                out.append(.init("wif-grant-fallback", .warning,
                                 "grant_type \(f.grantType.map { "\"\($0)\"" } ?? "(none)") after a failed jwt-bearer request"))
            }
        }
        if isJWT {
            out.append(ConformanceChecks.grantTypeSuccess)
        } else {
            out.append(.init("wif-grant-type", .failure, "expected grant_type=\(TokenRequest.jwtBearerGrant), got "
                             + (f.grantType.map { "\"\($0)\"" } ?? "none")))
        }
        if isJWT {
            switch f.assertion {
            case .notApplicable: break
            case .missing:
                out.append(.init("wif-assertion-missing", .failure, "no assertion parameter in the jwt-bearer request"))
            case .verified:
                out.append(ConformanceChecks.assertionVerified)
            case .rejected(let r):
                let id: String
                switch r {
                case .expired: id = "wif-assertion-expired"
                case .badAudience: id = "wif-assertion-audience"
                default: id = "wif-assertion-malformed"
                }
                out.append(.init(id, .failure, "assertion rejected: \(r.rawValue)"))
            }
            if f.assertion == .verified, f.error == .invalidScope {
                out.append(.init("wif-assertion-scope-rejected", .failure,
                                 "invalid_scope for a valid assertion (\(f.reason?.rawValue ?? "scope"))"))
            }
        }
        if f.error != nil { failedBefore = true }
        count(out)
        return out
    }

    /// The checks for a visit to the authorization endpoint.
    public mutating func authorizationEndpointVisit() -> [ConformanceCheck] {
        guard failedBefore else { return [] }
        let out = [ConformanceCheck("wif-grant-fallback", .warning,
                                    "the authorization endpoint was visited after a failed jwt-bearer request")]
        count(out)
        return out
    }

    private mutating func count(_ checks: [ConformanceCheck]) {
        for c in checks {
            if let i = tally.firstIndex(where: { $0.status == c.status && $0.id.same(c.id) }) {
                tally[i].count += 1
            } else {
                tally.append((c.id, c.status, 1))
            }
        }
    }

    /// `[{"id", "status", "count"}]` for a summary.
    public var summaryJSON: JSON {
        .array(tally.map {
            .object(JSONObject([("id", .string($0.id)), ("status", .string($0.status.rawValue)), ("count", .integer(Int64($0.count)))]))
        })
    }
}
