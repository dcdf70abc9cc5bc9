// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Every rule listed at the top of Sources/Core/Validation/PolicySettings.swift, on both sides where it has a
/// bound, and `inspectionValidator`'s choice of profile.
@Suite struct PolicySettingsTests {
    let dir: TempDir
    let jwks: String

    init() throws {
        dir = try TempDir()
        jwks = try dir.jwks("jwks.json", [try MirrorKeys.key(MirrorKeys.ec)])
    }

    /// Settings with an audience (every profile but none needs one) and the test key set.
    func settings(_ edit: (inout PolicySettings) -> Void = { _ in }) -> PolicySettings {
        var s = PolicySettings()
        s.jwks = [jwks]
        s.audiences = ["https://as.example/token"]
        edit(&s)
        return s
    }

    // MARK: profile

    @Test func defaultProfile() throws {
        #expect(try settings().policy().profile == .rfc7523)
        #expect(try settings { $0.defaultProfile = .mcpWIF }.policy().profile == .mcpWIF)
    }

    @Test func everyProfileByItsName() throws {
        for p in Profile.allCases { #expect(try settings { $0.profile = p.rawValue }.policy().profile == p) }
    }

    @Test(arguments: ["RFC7523", "rfc7523 ", "spiffe\u{0}", "", "client_assertion", "at+JWT"])
    func unknownProfileIsUsage(_ name: String) {
        #expect(reason { try settings { $0.profile = name }.policy() } == .usage)
    }

    // MARK: --alg

    @Test func algNamesKnownAlgorithms() throws {
        #expect(try settings { $0.algorithms = ["ES256", "HS256"] }.policy().algorithms == [.es256, .hs256])
        #expect(reason { try settings { $0.algorithms = ["ES257"] }.policy() } == .usage)
        #expect(reason { try settings { $0.algorithms = ["none"] }.policy() } == .usage)
        #expect(reason { try settings { $0.algorithms = ["es256"] }.policy() } == .usage)
        #expect(try settings().policy().algorithms == nil)
    }

    @Test func algMustLeaveOneTheProfileAllows() throws {
        let spiffe = settings { $0.profile = "spiffe"; $0.algorithms = ["ES256", "HS256"] }
        #expect(try spiffe.policy().algorithms == [.es256])
        #expect(reason { try settings { $0.profile = "spiffe"; $0.algorithms = ["HS256", "EdDSA"] }.policy() } == .usage)
    }

    // MARK: --leeway

    @Test func leewayAtMostOneHour() throws {
        #expect(try settings { $0.leeway = "3600" }.policy().leeway == 3600)
        #expect(try settings { $0.leeway = "1h" }.policy().leeway == 3600)
        #expect(try settings { $0.leeway = "0" }.policy().leeway == 0)
        #expect(try settings().policy().leeway == 60)
        let over = wifError { try settings { $0.leeway = "3601" }.policy() }
        #expect(over?.reason == .usage)
        #expect(over?.hint == "use --now to judge old tokens")
        #expect(reason { try settings { $0.leeway = "61m" }.policy() } == .usage)
        #expect(reason { try settings { $0.leeway = "-1" }.policy() } == .usage)
        #expect(reason { try settings { $0.leeway = "1.5" }.policy() } == .usage)
    }

    @Test func durations() throws {
        let p = try settings { $0.maxLifetime = "2h"; $0.maxAge = "10m" }.policy()
        #expect(p.maxLifetime == 7200)
        #expect(p.maxAge == 600)
        #expect(reason { try settings { $0.maxLifetime = "forever" }.policy() } == .usage)
        #expect(reason { try settings { $0.maxAge = "" }.policy() } == .usage)
    }

    // MARK: --max-token-size

    @Test(arguments: [(15, false), (16, true), (65536, true), (16 << 20, true), ((16 << 20) + 1, false), (0, false), (-1, false)])
    func tokenSizeBounds(_ size: Int, _ ok: Bool) throws {
        let s = settings { $0.maxTokenSize = size }
        if ok {
            #expect(try s.policy().maxTokenSize == size)
        } else {
            #expect(reason { try s.policy() } == .usage)
        }
    }

    @Test func defaultTokenSize() throws {
        #expect(try settings().policy().maxTokenSize == CompactJWS.defaultMaxSize)
    }

    // MARK: --trust-domain

    @Test func trustDomainOnlyWithSPIFFE() throws {
        #expect(try settings { $0.profile = "spiffe"; $0.trustDomain = "example.org" }.policy().trustDomain == "example.org")
        for p in Profile.allCases where p != .spiffe {
            #expect(reason { try settings { $0.profile = p.rawValue; $0.trustDomain = "example.org" }.policy() } == .usage)
        }
        #expect(reason { try settings { $0.trustDomain = "example.org" }.policy() } == .usage)
    }

    // MARK: --max-delegation-depth

    @Test(arguments: [(-1, false), (0, true), (8, true), (Policy.hardMaxDelegationDepth, true),
                      (Policy.hardMaxDelegationDepth + 1, false)])
    func delegationDepthBounds(_ depth: Int, _ ok: Bool) throws {
        let s = settings { $0.maxDelegationDepth = depth }
        if ok {
            #expect(try s.policy().maxDelegationDepth == depth)
        } else {
            #expect(reason { try s.policy() } == .usage)
        }
    }

    // MARK: audience

    @Test func everyProfileButNoneNeedsAnAudience() throws {
        for p in Profile.allCases {
            let s = settings { $0.profile = p.rawValue; $0.audiences = [] }
            if p == .none {
                #expect(try s.policy().audiences.isEmpty)
            } else {
                let e = wifError { try s.policy() }
                #expect(e?.reason == .usage, "profile \(p.rawValue)")
                #expect(e?.hint?.contains("--profile none") == true)
            }
        }
        // The default profile needs one too.
        #expect(reason { try settings { $0.audiences = [] }.policy() } == .usage)
    }

    // MARK: the option values carried over

    @Test func valuesReachThePolicy() throws {
        let p = try settings {
            $0.profile = "mcp-wif"
            $0.issuers = ["i"]
            $0.subjects = ["s"]
            $0.rejectSubjects = ["r"]
            $0.rejectJTIs = ["j"]
            $0.typ = "at+jwt"
            $0.clientID = "c"
            $0.actors = ["a"]
            $0.required = ["scope", "iss", "scope"]
        }.policy()
        #expect(p.issuers == ["i"])
        #expect(p.audiences == ["https://as.example/token"])
        #expect(p.subjects == ["s"])
        #expect(p.rejectSubjects == ["r"])
        #expect(p.rejectJTIs == ["j"])
        #expect(p.typ == "at+jwt")
        #expect(p.clientID == "c")
        #expect(p.actors == ["a"])
        // The profile's required claims, then each extra one once.
        #expect(p.required == ["iss", "sub", "aud", "exp", "iat", "jti", "scope"])
        // Explicit options leave the profile's other defaults in place.
        #expect(p.maxLifetime == 3600)
        #expect(p.audienceIgnoresTrailingSlash)
    }

    // MARK: keys

    @Test func keysComeOnlyFromJWKSFiles() throws {
        #expect(reason { try settings { $0.jwks = [] }.keyRing() } == .usage)
        #expect(reason { try settings { $0.jwks = [] }.validator() } == .usage)
        #expect(try settings().keyRing().keys.count == 1)
        #expect(try settings { $0.jwks = [jwks, jwks] }.keyRing().keys.count == 2)
        #expect(reason { try settings { $0.jwks = [dir.file("absent.json")] }.validator() } == .inputUnreadable)
    }

    @Test func thePolicyIsCheckedBeforeAnyKeyFileIsRead() {
        let s = settings { $0.jwks = [dir.file("absent.json")]; $0.leeway = "2h" }
        #expect(reason { try s.validator() } == .usage)
    }

    @Test func validatorJudgesWithThePolicy() throws {
        let ec = try MirrorKeys.key(MirrorKeys.ec)
        let v = try settings { $0.issuers = ["https://issuer.example"] }.validator()
        #expect(v.policy.profile == .rfc7523)
        #expect(verdict(v, try mint(ec)) == nil)
        #expect(verdict(v, try mint(ec) { $0.iss = "https://other.example" }) == .badIssuer)
    }

    // MARK: inspectionValidator

    @Test func inspectionWithoutKeys() throws {
        var s = PolicySettings()
        #expect(try s.inspectionValidator() == nil)
        s.audiences = ["a"]
        #expect(reason { try s.inspectionValidator() } == .usage)
        s = PolicySettings()
        s.issuers = ["i"]
        #expect(reason { try s.inspectionValidator() } == .usage)
        s = PolicySettings()
        s.profile = "none"
        #expect(reason { try s.inspectionValidator() } == .usage)
    }

    @Test func inspectionProfileFollowsTheAudience() throws {
        let withoutAud = try settings { $0.audiences = [] }.inspectionValidator()
        #expect(withoutAud?.policy.profile == Profile.none)
        let withAud = try settings().inspectionValidator()
        #expect(withAud?.policy.profile == .rfc7523)
        let named = try settings { $0.profile = "mcp-wif" }.inspectionValidator()
        #expect(named?.policy.profile == .mcpWIF)
        // A named profile that needs an audience still needs one.
        #expect(reason { try settings { $0.audiences = []; $0.profile = "rfc7523" }.inspectionValidator() } == .usage)
    }
}
