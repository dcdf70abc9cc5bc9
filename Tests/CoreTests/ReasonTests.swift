// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Errors/Reason.swift: reason codes are API (raw values never renamed), each maps to one exit status
/// (1 rejected, 2 could not judge) and one OAuth error (RFC 6749 §5.2, RFC 7523 §3.1, RFC 8693 §2.2.2).
@Suite struct ReasonTests {
    static let couldNotJudge: Set<Reason> = [.usage, .inputEmpty, .inputUnreadable, .inputTooLarge, .inputInvalid, .keyInvalid,
                                             .keyNotFound, .keyWeak, .outputFailed, .cryptoFailure, .passphraseRequired,
                                             .decryptFailed, .useBudgetNeedsCache]

    @Test func rawValuesAreSnakeCaseAndUnique() {
        #expect(Set(Reason.allCases.map(\.rawValue)).count == Reason.allCases.count)
        for r in Reason.allCases {
            #expect(r.rawValue.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }, "\(r.rawValue)")
        }
        // A few that scripts and the man pages name.
        #expect(Reason.inputEmpty.rawValue == "input_empty")
        #expect(Reason.replayedJTI.rawValue == "replayed_jti")
        #expect(Reason.algNone.rawValue == "alg_none")
        #expect(Reason.badClientAssertion.rawValue == "bad_client_assertion")
        #expect(Reason.useBudgetExhausted.rawValue == "use_budget_exhausted")
    }

    @Test func exitStatuses() {
        for r in Reason.allCases {
            let want: Core.ExitStatus = Self.couldNotJudge.contains(r) ? .failure : .rejected
            #expect(r.exitStatus == want, "\(r.rawValue)")
            #expect(r.isRejection == (want == .rejected))
        }
        #expect(Core.ExitStatus.success.rawValue == 0 && Core.ExitStatus.rejected.rawValue == 1 && Core.ExitStatus.failure.rawValue == 2)
    }

    @Test func oauthErrors() {
        #expect(Reason.scopeNotAllowed.oauthError == .invalidScope)
        #expect(Reason.scopeUnauthorized.oauthError == .unauthorizedClient)
        #expect(Reason.grantTypeRejected.oauthError == .unauthorizedClient)
        #expect(Reason.invalidRequest.oauthError == .invalidRequest)
        #expect(Reason.unsupportedGrantType.oauthError == .unsupportedGrantType)
        #expect(Reason.badClientAssertion.oauthError == .invalidClient)
        for r in [Reason.malformed, .expired, .badSignature, .replayedJTI, .badAudience, .algNone] {
            #expect(r.oauthError == .invalidGrant, "\(r.rawValue)")
        }
        for r in Self.couldNotJudge { #expect(r.oauthError == .invalidRequest, "\(r.rawValue)") }
    }

    @Test func errors() {
        let e = WIFError(.expired, "exp is past", hint: "pass --leeway")
        #expect(e.description == "expired: exp is past")
        let l = e.located("client_assertion")
        #expect(l.detail == "client_assertion: exp is past")
        #expect(l.reason == .expired && l.hint == "pass --leeway")
    }
}
