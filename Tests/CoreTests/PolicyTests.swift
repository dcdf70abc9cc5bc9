// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// Each profile's defaults as Sources/Core/Validation/Policy.swift documents them (and the RFCs they come from),
/// `Profile.named`, and `Policy.normalTyp` (RFC 7515 §4.1.9).
@Suite struct PolicyTests {
    @Test func rfc7523() {
        let p = Policy(profile: .rfc7523)
        #expect(p.required == ["iss", "sub", "aud", "exp"])
        #expect(p.typAllowed == ["JWT"])
        #expect(p.typ == nil)
        #expect(!p.issEqualsSub)
        #expect(p.algorithms == nil)
        #expect(p.allowedHeaders == nil)
        #expect(p.keyUse == nil)
    }

    @Test func clientAssertion() {
        let p = Policy(profile: .clientAssertion)
        #expect(p.required == ["iss", "sub", "aud", "exp"])
        #expect(p.typAllowed == ["JWT"])
        #expect(p.issEqualsSub)
        #expect(p.clientID == nil)
    }

    @Test func spiffe() {
        let p = Policy(profile: .spiffe)
        #expect(p.required == ["sub", "aud", "exp"])
        #expect(p.typAllowed == ["JWT", "JOSE"])
        #expect(p.algorithms == [.rs256, .rs384, .rs512, .es256, .es384, .es512, .ps256, .ps384, .ps512])
        #expect(p.allowedHeaders == ["alg", "kid", "typ"])
        #expect(p.keyUse == "jwt-svid")
        #expect(p.requireSPIFFESubject)
        #expect(p.trustDomain == nil)
        // No HMAC and no EdDSA in a JWT-SVID.
        #expect(p.algorithms?.contains(where: { $0.family == .hmac || $0.family == .eddsa }) == false)
    }

    @Test func mcpWIF() {
        let p = Policy(profile: .mcpWIF)
        #expect(p.required == ["iss", "sub", "aud", "exp", "iat", "jti"])
        #expect(p.typAllowed == ["JWT"])
        #expect(p.maxLifetime == 3600)
        #expect(p.audienceIgnoresTrailingSlash)
    }

    @Test func atJWT() {
        let p = Policy(profile: .atJWT)
        #expect(Set(p.required) == ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"])
        #expect(p.typ == "at+jwt")
        #expect(p.typAllowed == nil)
    }

    @Test func noneAsksForNothing() {
        let p = Policy(profile: .none)
        #expect(p.required.isEmpty)
        #expect(p.typ == nil && p.typAllowed == nil)
        #expect(p.algorithms == nil && p.allowedHeaders == nil && p.keyUse == nil)
        #expect(!p.requireSPIFFESubject && !p.issEqualsSub && !p.audienceIgnoresTrailingSlash)
        #expect(p.maxLifetime == nil && p.maxAge == nil)
    }

    @Test func sharedDefaults() {
        for profile in Profile.allCases {
            let p = Policy(profile: profile)
            #expect(p.leeway == 60)
            #expect(p.maxTokenSize == CompactJWS.defaultMaxSize)
            #expect(p.maxDelegationDepth == 8)
            #expect(p.issuers.isEmpty && p.audiences.isEmpty && p.subjects.isEmpty)
        }
        #expect(Policy.hardMaxDelegationDepth == 32)
    }

    @Test func profileNamesAreExact() {
        for p in Profile.allCases { #expect(Profile.named(p.rawValue) == p) }
        #expect(Profile.named("SPIFFE") == nil)
        #expect(Profile.named("client-assertion ") == nil)
        #expect(Profile.named("") == nil)
        #expect(Profile.namesList == "rfc7523, client-assertion, spiffe, mcp-wif, at+jwt, id-jag, none")
    }

    @Test(arguments: [
        ("JWT", "jwt"), ("jwt", "jwt"), ("application/jwt", "jwt"), ("Application/JWT", "jwt"),
        ("at+jwt", "at+jwt"), ("application/at+jwt", "at+jwt"), ("APPLICATION/AT+JWT", "at+jwt"),
        // Only a media type without a further slash loses its application/ prefix (RFC 7515 §4.1.9).
        ("application/a/b", "application/a/b"), ("text/jwt", "text/jwt"), ("application/", ""), ("", ""),
    ])
    func normalTyp(_ typ: String, _ normal: String) {
        #expect(Policy.normalTyp(typ) == normal)
    }

    /// `sameTyp` compares in place; it must agree with comparing the two normal forms, for every pair.
    @Test func sameTypAgreesWithTheNormalForms() {
        let typs = ["JWT", "jwt", "application/jwt", "Application/JWT", "at+jwt", "application/at+jwt", "APPLICATION/AT+JWT",
                    "application/a/b", "a/b", "text/jwt", "application/", "", "application", "applicationXjwt",
                    "oauth-id-jag+jwt", "application/oauth-id-jag+JWT", "jwt\u{212A}", "jwk", "applicatioN/application/jwt",
                    "application/application/jwt", "JwT", "\u{e9}", "e\u{301}"]
        for a in typs {
            for b in typs {
                #expect(Policy.sameTyp(a, b) == Policy.normalTyp(a).same(Policy.normalTyp(b)), "\(a) vs \(b)")
            }
        }
    }
}
