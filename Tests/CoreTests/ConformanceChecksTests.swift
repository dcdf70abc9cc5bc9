// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// ConformanceChecks: the ids and statuses of the MCP conformance suite's auth/wif-jwt-bearer scenario.
@Suite struct ConformanceChecksTests {
    let fx: ServeFixture

    init() throws { fx = try ServeFixture() }


    func ids(_ c: [ConformanceCheck]) -> [String] { c.map { "\($0.id) \($0.status.rawValue)" } }

    @Test func checksOfEachOutcome() throws {
        var f = TokenEndpoint.Facts()
        f.grantType = ServeFixture.jwtBearer
        f.assertion = .verified
        var c = ConformanceChecks()
        #expect(ids(c.tokenRequest(f)) == ["wif-grant-type SUCCESS", "wif-assertion-verified SUCCESS"])
        for (r, id) in [(Reason.expired, "wif-assertion-expired"), (.badAudience, "wif-assertion-audience"),
                        (.badSignature, "wif-assertion-malformed"), (.badSubject, "wif-assertion-malformed"),
                        (.replayedJTI, "wif-assertion-malformed"), (.badIssuer, "wif-assertion-malformed")] {
            var fresh = ConformanceChecks()
            f.assertion = .rejected(r)
            f.error = .invalidGrant
            #expect(ids(fresh.tokenRequest(f)) == ["wif-grant-type SUCCESS", "\(id) FAILURE"])
        }
        var fresh = ConformanceChecks()
        f.assertion = .missing
        f.error = .invalidRequest
        #expect(ids(fresh.tokenRequest(f)) == ["wif-grant-type SUCCESS", "wif-assertion-missing FAILURE"])
        fresh = ConformanceChecks()
        f.assertion = .verified
        f.error = .invalidScope
        #expect(ids(fresh.tokenRequest(f)) == ["wif-grant-type SUCCESS", "wif-assertion-verified SUCCESS",
                                               "wif-assertion-scope-rejected FAILURE"])
    }

    @Test func retryAndFallbackAreWarningsAfterAFailure() throws {
        var c = ConformanceChecks()
        #expect(c.authorizationEndpointVisit().isEmpty, "a visit before any failure is no fallback")
        var bad = TokenEndpoint.Facts()
        bad.grantType = ServeFixture.jwtBearer
        bad.assertion = .rejected(.expired)
        bad.error = .invalidGrant
        _ = c.tokenRequest(bad)
        #expect(c.failedBefore)
        #expect(ids(c.tokenRequest(bad)).first == "wif-no-retry WARNING")
        var other = TokenEndpoint.Facts()
        other.grantType = "client_credentials"
        #expect(ids(c.tokenRequest(other)) == ["wif-grant-fallback WARNING", "wif-grant-type FAILURE"])
        #expect(ids(c.authorizationEndpointVisit()) == ["wif-grant-fallback WARNING"])
        #expect(c.tokenRequests == 3)
        let tally = c.summaryJSON.serialized()
        #expect(tally.contains(#"{"id":"wif-grant-fallback","status":"WARNING","count":2}"#))
    }
}
