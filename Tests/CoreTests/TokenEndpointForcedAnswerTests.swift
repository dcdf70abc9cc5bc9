// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// TokenEndpoint.forcedAnswer: a granted request answered with the chosen error, a refused one unchanged.
@Suite struct TokenEndpointForcedAnswerTests {
    @Test func grantsBecomeTheForcedErrorWithItsReason() throws {
        let plan = try { var s = Conformance.Settings(); s.command = "x"; return s }().plan()
        let p = try plan.setup(.positive).prepare(base: "http://127.0.0.1:1", now: 1_800_000_000)
        let jwt = try #require(p.context.objectValue?["valid_jwt"]?.stringValue)
        for forced in TokenEndpoint.ForcedAnswer.allCases {
            var e = p.endpoint
            e.memoryReplayCache = nil
            e.forcedAnswer = forced
            var facts = TokenEndpoint.Facts()
            let outcome = try e.handle(body: Array("grant_type=\(TokenRequest.jwtBearerGrant)&assertion=\(jwt)".utf8),
                                       now: 1_800_000_000, facts: &facts)
            guard case .failure(let error, let why) = outcome else { Issue.record("granted"); continue }
            #expect(error == forced.error && why.reason == forced.reason && facts.error == forced.error)
            #expect(facts.assertion == .verified, "the record of what was sent is unchanged")
            #expect(outcome.httpStatus == 400)
            let refused = try e.handle(body: Array("grant_type=\(TokenRequest.jwtBearerGrant)".utf8),
                                       now: 1_800_000_000)
            guard case .failure(let own, _) = refused else { Issue.record("granted"); continue }
            #expect(own == .invalidRequest)
        }
        #expect(TokenEndpoint.ForcedAnswer.invalidScope.reason == .scopeNotAllowed)
        #expect(TokenEndpoint.ForcedAnswer.unauthorizedClient.reason == .grantTypeRejected)
        #expect(try TokenEndpoint.ForcedAnswer.named("invalid_scope") == .invalidScope)
        #expect(throws: WIFError.self) { try TokenEndpoint.ForcedAnswer.named("invalid_grant") }
        #expect(throws: WIFError.self) { try TokenEndpoint.ForcedAnswer.named("INVALID_SCOPE") }
    }
}
