// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The rules at the top of Sources/Core/Operations/MintSettings.swift: option combinations, one clock for every
/// time, and the warning for an absolute time before 2001 (`--exp 300` almost always meant `+300`).
@Suite struct MintSettingsTests {
    let clock = Clock(fixed: mirrorNow)

    func settings(_ edit: (inout MintSettings) -> Void) -> MintSettings {
        var s = MintSettings()
        s.key = "k.jwk"
        edit(&s)
        return s
    }

    func spec(_ edit: (inout MintSettings) -> Void) throws -> TokenSpec { try settings(edit).spec(clock: clock).spec }

    func warnings(_ edit: (inout MintSettings) -> Void) throws -> [String] { try settings(edit).spec(clock: clock).warnings }

    func usage(_ edit: (inout MintSettings) -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reason(of: { try settings(edit).spec(clock: clock) }, sourceLocation: sourceLocation) == .usage,
                sourceLocation: sourceLocation)
    }

    // MARK: combinations

    @Test func idJAGProfile() throws {
        let full: (inout MintSettings) -> Void = {
            $0.profile = "id-jag"; $0.iss = "https://idp.example"; $0.sub = "alice"; $0.aud = ["https://as.example"]
            $0.clientID = "agent"
        }
        let one = try spec { full(&$0); $0.resource = ["https://mcp.example/mcp"] }
        #expect(one.typ == "oauth-id-jag+jwt" && one.claims["client_id"] == .string("agent"))
        #expect(one.claims["resource"] == .string("https://mcp.example/mcp"))
        #expect(try spec { full(&$0); $0.resource = ["a", "b"] }.claims["resource"] == .array([.string("a"), .string("b")]))
        #expect(try spec { full(&$0); $0.typ = "JWT" }.typ == "JWT")
        usage { full(&$0); $0.clientID = nil }
        usage { full(&$0); $0.aud = [] }
        usage { full(&$0); $0.noJTI = true }
        usage { full(&$0); $0.profile = "at+jwt" }
        usage { $0.clientID = "agent" }
        usage { $0.resource = ["https://mcp.example/mcp"] }
    }

    @Test func count() throws {
        usage { $0.count = 0 }
        usage { $0.count = -1 }
        #expect(try spec { $0.count = 1 }.jti == .random)
        #expect(try spec { $0.count = 5 }.jti == .random)
    }

    @Test func aFixedJTIGoesWithOneToken() throws {
        usage { $0.count = 2; $0.jti = "j" }
        usage { $0.count = 2; $0.claims = ["jti=j"] }
        #expect(try spec { $0.count = 1; $0.jti = "j" }.jti == .fixed("j"))
        // Without any jti, many tokens are fine.
        #expect(try spec { $0.count = 2; $0.noJTI = true }.jti == .omitted)
    }

    @Test func noAndValueExcludeEachOther() {
        usage { $0.noExp = true; $0.exp = "+5m" }
        usage { $0.noIat = true; $0.iat = "+0" }
        usage { $0.noJTI = true; $0.jti = "j" }
    }

    @Test func theNoOptionsReachTheSpec() throws {
        let s = try spec { $0.noExp = true; $0.noIat = true; $0.noJTI = true }
        #expect(s.noExp && s.noIat)
        #expect(s.jti == .omitted)
        #expect(s.claimSet()["exp"] == nil && s.claimSet()["iat"] == nil && s.claimSet()["jti"] == nil)
    }

    @Test func actClaimNeedsAnAct() throws {
        usage { $0.actClaims = ["role=ci"] }
        let s = try spec { $0.act = ["deployer"]; $0.actClaims = ["role=ci"] }
        #expect(s.actClaims["role"]?.stringValue == "ci")
        usage { $0.act = ["a"]; $0.actClaims = ["no-equals"] }
    }

    @Test func mayActIsAJSONObject() throws {
        usage { $0.mayAct = "admin" }
        usage { $0.mayAct = "[1]" }
        usage { $0.mayAct = "{" }
        #expect(try spec { $0.mayAct = #"{"sub":"admin"}"# }.mayAct?.objectValue?["sub"]?.stringValue == "admin")
    }

    @Test func keyAndClaimsCannotBothReadStandardInput() throws {
        usage { $0.key = "-"; $0.claimsFile = "-" }
        #expect(settings { $0.key = "-" }.readsStandardInput)
        #expect(settings { $0.claimsFile = "-" }.readsStandardInput)
        #expect(!settings { _ in }.readsStandardInput)
    }

    @Test func algIsAKnownJWSAlgorithm() throws {
        #expect(try spec { $0.alg = "ES384" }.alg == .es384)
        usage { $0.alg = "none" }
        usage { $0.alg = "es256" }
        #expect(try spec { _ in }.alg == nil)
    }

    @Test func valuesReachTheSpec() throws {
        let s = try spec {
            $0.kid = "k"; $0.iss = "i"; $0.sub = "s"; $0.aud = ["a", "b"]; $0.scope = "read"
            $0.headers = ["x5t=abc"]; $0.claims = ["n=5", "t=text"]
        }
        #expect(s.kid == "k" && s.iss == "i" && s.sub == "s" && s.aud == ["a", "b"] && s.scope == "read")
        #expect(s.typ == "JWT")
        #expect(s.headers["x5t"]?.stringValue == "abc")
        #expect(s.claims["n"] == .integer(5))
        #expect(s.claims["t"]?.stringValue == "text")
        #expect(try spec { $0.typ = "at+jwt" }.typ == "at+jwt")
        usage { $0.claims = ["=x"] }
        usage { $0.headers = ["nothing"] }
    }

    @Test func theClaimsFileComesBeforeEachClaim() throws {
        let dir = try TempDir()
        let file = try dir.write("claims.json", #"{"role":"file","team":"a"}"#)
        let s = try spec { $0.claimsFile = file; $0.claims = ["role=flag"] }
        #expect(s.claims["role"]?.stringValue == "flag")
        #expect(s.claims["team"]?.stringValue == "a")
        let bad = try dir.write("bad.json", "[1]")
        usage { $0.claimsFile = bad }
        usage { $0.claimsFile = dir.file("absent.json") }
    }

    // MARK: time

    @Test func timesAreResolvedAgainstTheClock() throws {
        let s = try spec { $0.exp = "+5m"; $0.nbf = "-1h"; $0.iat = "2026-01-02T03:10:00Z" }
        #expect(s.now == mirrorNow)
        #expect(s.exp == mirrorNow + 300)
        #expect(s.nbf == mirrorNow - 3600)
        #expect(s.iat == 1_767_323_400)
        usage { $0.exp = "tomorrow" }
        usage { $0.nbf = "+5y" }
    }

    @Test(arguments: ["--exp", "--nbf", "--iat"])
    func anAbsoluteTimeBefore2001IsWarnedAbout(_ flag: String) throws {
        func set(_ s: inout MintSettings, _ v: String) {
            switch flag {
            case "--exp": s.exp = v
            case "--nbf": s.nbf = v
            default: s.iat = v
            }
        }
        let w = try warnings { set(&$0, "300") }
        #expect(w == ["\(flag) 300 is an absolute time before 2001 (1970-01-01T00:05:00Z); for an offset from now write \(flag) +300"])
        // The value is kept as given.
        let s = try spec { set(&$0, "300") }
        #expect([s.exp, s.nbf, s.iat].contains(300))
        // 2001-01-01T00:00:00Z itself and later are not warned about; offsets and RFC 3339 never are.
        #expect(MintSettings.implausiblyEarly == 978_307_200)
        #expect(try warnings { set(&$0, "978307199") }.count == 1)
        #expect(try warnings { set(&$0, "978307200") }.isEmpty)
        #expect(try warnings { set(&$0, "+300") }.isEmpty)
        #expect(try warnings { set(&$0, "1999-01-01T00:00:00Z") }.isEmpty)
        #expect(try warnings { set(&$0, "1767323700") }.isEmpty)
    }

    @Test func eachEarlyTimeGetsItsOwnWarning() throws {
        #expect(try warnings { $0.exp = "600"; $0.iat = "0" }.count == 2)
    }
}
