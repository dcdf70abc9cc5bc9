// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// Claims checked in place (`ClaimFields`, `Validator.claimsPass`): the scanner takes only a subset of JSON, and a
/// token judged in place gets exactly the verdict, message and result line the full parse and check give.
@Suite struct ClaimFieldsTests {
    static let now: Int64 = 1_767_323_400

    func scan(_ text: String) -> ClaimFields? {
        let u = Array(text.utf8)
        return u.withUnsafeBufferPointer { ClaimFields.scan($0) }
    }

    func value(_ text: String, _ c: ClaimFields.Claim) -> String? {
        let u = Array(text.utf8)
        guard let f = scan(text), let s = f[c] else { return nil }
        return String(decoding: u[s.start..<s.end], as: UTF8.self)
    }

    @Test func spans() throws {
        let text = #"{"iss":"https://i","sub":"s","aud":["a","b"],"exp":1767326400,"nbf":-1,"iat":0,"jti":"j","#
            + #""act":{"sub":"x"},"may_act":{"sub":"y"},"client_id":"c","scope":"r w","cnf":{"jkt":"k"},"#
            + #""wif_max_uses":3,"other":true,"n":null,"f":false,"x":1.5e-3,"":""}"#
        let f = try #require(scan(text))
        let want: [(ClaimFields.Claim, String)] = [
            (.iss, "https://i"), (.sub, "s"), (.aud, #"["a","b"]"#), (.exp, "1767326400"), (.nbf, "-1"), (.iat, "0"),
            (.jti, "j"), (.act, #"{"sub":"x"}"#), (.mayAct, #"{"sub":"y"}"#), (.clientID, "c"), (.scope, "r w"),
            (.cnf, #"{"jkt":"k"}"#), (.maxUses, "3"),
        ]
        for (c, v) in want { #expect(value(text, c) == v, "\(c)") }
        #expect(f[.iss]?.isString == true && f[.aud]?.isString == false && f[.exp]?.isNumber == true)
        #expect(scan("{}") != nil && scan("{}")?[.iss] == nil)
        // names that only look like claims are not them
        #expect(scan(#"{"client_ix":"c","wif_max_usex":1,"Iss":"i","iss ":"j"}"#).map { $0[.clientID] == nil && $0[.maxUses] == nil && $0[.iss] == nil } == true)
    }

    /// Everything outside the subset is left to the full parser (nil), valid JSON or not.
    @Test(arguments: [
        "", "{", "}", "[]", "\"s\"", "1", "{ }", " {}", "{} ", "{}\n", #"{"a":1,}"#, #"{"a" :1}"#, #"{"a": 1}"#,
        #"{"a":1 }"#, #"{"a":"\u0041"}"#, #"{"a":"\/"}"#, #"{"\u0061":1}"#, "{\"a\":\"é\"}", "{\"é\":1}",
        "{\"a\":\"\u{7F}\"}", "{\"a\":\"\t\"}", #"{"a":1,"a":2}"#, #"{"iss":"i","iss":"i"}"#, #"{"":1,"":2}"#,
        #"{"a":01}"#, #"{"a":-}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":+1}"#, #"{"a":tru}"#,
        #"{"a":nul}"#, #"{"a":[1, 2]}"#, #"{"a":{"b" :1}}"#, #"{"a":[}"#, #"{"a":"x}"#, #"{"a"}"#, #"{"a":}"#,
        #"{"a":1}{"#, #"{"a":1}x"#, "{\"a\":" + String(repeating: "1", count: 513) + "}",
        "{" + (0..<33).map { "\"m\($0)\":1" }.joined(separator: ",") + "}",
        "{\"a\":" + String(repeating: "[", count: 32) + String(repeating: "]", count: 32) + "}",
    ])
    func outsideTheSubset(_ text: String) {
        #expect(scan(text) == nil)
    }

    @Test func insideTheSubset() {
        #expect(scan("{" + (0..<32).map { "\"m\($0)\":1" }.joined(separator: ",") + "}") != nil)
        #expect(scan("{\"a\":" + String(repeating: "1", count: 512) + "}") != nil)
        #expect(scan("{\"a\":" + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + "}") != nil)
        #expect(scan(#"{"a":-0,"b":0.5,"c":1E+2,"d":[],"e":{},"f":"","g":" !#$%&'()*+,-./:;<=>?@[]^_`{|}~"}"#) != nil)
    }

    // MARK: the same verdict either way

    static let key: JWK = {
        let text = #"{"kty":"oct","kid":"h","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#
        guard case .object(let o)? = try? JSON.parse(text), let k = try? JWK.parse(o, what: "k") else { fatalError("test key") }
        return k
    }()

    func token(_ payload: String) throws -> [UInt8] {
        let input = Base64URL.encode(Array(#"{"alg":"HS256","kid":"h"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let sig = try Signer(key: Self.key, algorithm: .hs256).sign(Array(input.utf8))
        return Array((input + "." + Base64URL.encode(sig)).utf8)
    }

    static let policies: [(String, Policy)] = {
        var out: [(String, Policy)] = []
        func add(_ name: String, _ profile: Profile, _ edit: (inout Policy) -> Void) {
            var p = Policy(profile: profile)
            p.typ = nil
            p.typAllowed = nil
            edit(&p)
            out.append((name, p))
        }
        add("none", .none) { _ in }
        add("rfc7523", .rfc7523) { $0.issuers = ["https://i", "i2"]; $0.audiences = ["https://as/token"] }
        add("mcp-wif", .mcpWIF) { $0.audiences = ["https://as/"] }
        add("client-assertion", .clientAssertion) { $0.audiences = ["https://as/token"] }
        add("subjects", .none) { $0.subjects = ["s", "spiffe://td/w"]; $0.rejectSubjects = ["bad"]; $0.rejectJTIs = ["j0"] }
        add("spiffe", .none) { $0.requireSPIFFESubject = true; $0.trustDomain = "td" }
        add("client-id", .none) { $0.clientID = "s" }
        add("id-jag", .idJAG) { $0.clientID = "c"; $0.audiences = ["https://as/token"] }
        add("ages", .none) { $0.maxLifetime = 3600; $0.maxAge = 600; $0.leeway = 0 }
        add("require", .none) { $0.required = ["scope", "other"] }
        add("actors", .none) { $0.actors = ["x"] }
        // Each policy below pins one rule of claimsPass that the ones above leave untested.
        add("reject-only", .none) { $0.rejectSubjects = ["bad"] }
        add("spiffe-any-domain", .none) { $0.requireSPIFFESubject = true }
        add("rfc7523-bare", .rfc7523) { _ in }
        add("leeway", .none) { $0.leeway = 60 }
        return out
    }()

    static let payloads: [String] = {
        let n = now
        var out = [
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 600),"iat":\#(n),"jti":"j"}"#,
            #"{"iss":"i2","sub":"spiffe://td/w","aud":"https://as/","exp":\#(n + 600),"iat":\#(n - 30),"jti":"j0"}"#,
            #"{"iss":"s","sub":"s","aud":"https://as/token/","exp":\#(n + 7200),"client_id":"c","scope":"a b","other":1}"#,
            #"{"iss":"https://i","sub":"bad","aud":"https://as","exp":\#(n - 61),"iat":\#(n - 700)}"#,
            #"{"iss":"https://j","sub":"spiffe://other/w","aud":"x","exp":\#(n - 60),"nbf":\#(n + 61),"iat":\#(n + 61)}"#,
            #"{"iss":"https://i","sub":"s","aud":["https://as/token"],"exp":\#(n + 60)}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60).0}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":1e15}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":1000000000000000}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":999999999999999,"nbf":-0,"iat":-999999999999999}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":"\#(n + 60)"}"#,
            #"{"iss":1,"sub":"s","aud":"https://as/token","exp":\#(n + 60)}"#,
            #"{"iss":"https://i","sub":null,"aud":"https://as/token","exp":\#(n + 60),"jti":["j"]}"#,
            #"{"iss":"https://i","sub":"s","aud":true,"exp":\#(n + 60),"scope":3,"client_id":{}}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"act":{"sub":"x"}}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"may_act":{"sub":"x"}}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"cnf":{"jkt":"k"}}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"wif_max_uses":2}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"wif_max_uses":0}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"iss":"https://i"}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"x":{"iss":"y","a":[1,{}]}}"#,
            #"{"iss":"https:\/\/i","sub":"s","aud":"https://as/token","exp":\#(n + 60)}"#,
            #"{"iss": "https://i", "sub": "s", "aud": "https://as/token", "exp": \#(n + 60)}"#,
            "{\"iss\":\"https://i\",\"sub\":\"é\",\"aud\":\"https://as/token\",\"exp\":\(n + 60)}",
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 60),"iat":\#(n - 601)}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 3600),"iat":\#(n)}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 3601),"iat":\#(n)}"#,
            #"{"sub":"spiffe://td/w/x","aud":"a","exp":\#(n + 10)}"#,
            #"{"sub":"spiffe://TD/w","exp":\#(n + 10)}"#,
            #"{"sub":"","iss":"","aud":"","jti":"","scope":""}"#,
            "{}", "[]", "", "{\"a\":1}x",
            // One claim alone, so no other check hides a wrong answer on it.
            #"{"sub":"bad"}"#, #"{"sub":"s"}"#, #"{"sub":"spiffe://other/w","exp":\#(n + 60)}"#,
            #"{"nbf":\#(n + 61)}"#, #"{"nbf":\#(n + 60)}"#, #"{"iat":\#(n + 60)}"#, #"{"iat":\#(n + 61)}"#,
            #"{"exp":\#(n - 60)}"#, #"{"exp":\#(n - 61)}"#, #"{"may_act":1}"#, #"{"aud":true}"#, #"{"aud":"x"}"#,
            #"{"iss":"https://j","sub":"s","aud":"https://as/token","exp":\#(n + 600),"iat":\#(n),"jti":"j"}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","exp":\#(n + 600),"iat":\#(n),"jti":"j","client_id":"d"}"#,
            #"{"iss":"https://i","sub":"c","aud":"https://as/token","exp":\#(n + 600),"iat":\#(n),"jti":"j","client_id":"c"}"#,
            #"{"iss":"https://i","sub":"c","aud":"https://as/token","exp":\#(n + 600),"iat":\#(n),"jti":"j","client_id":"d"}"#,
            #"{"iss":"https://i","sub":"s","aud":"https://as/token","iat":\#(n),"jti":"j"}"#,
        ]
        out.append("{" + (0..<33).map { "\"m\($0)\":1" }.joined(separator: ",") + "}")
        return out
    }()

    struct Outcome: Equatable, CustomStringConvertible {
        var line: String?
        var reason: Reason?
        var detail: String?
        var description: String { line ?? "\(reason.map { "\($0)" } ?? "?"): \(detail ?? "")" }
    }

    func judge(_ v: Validator, _ t: [UInt8], _ use: Validator.Claims, at now: Int64) -> (Outcome, VerifiedToken?) {
        do {
            let r = try v.verify(t, now: now, claims: use)
            var line: [UInt8] = []
            VerifyReport.writeSuccessLine(r, line: 7, to: &line)
            return (Outcome(line: String(decoding: line, as: UTF8.self)), r)
        } catch {
            return (Outcome(reason: error.reason, detail: error.detail), nil)
        }
    }

    /// Every payload under every policy, at three times: the in-place check gives the full check's answer, and the
    /// token it accepts reads the same claims, budget and delegation.
    @Test func sameVerdictAsTheFullCheck() throws {
        var inPlace = 0, accepted = 0
        for (name, policy) in Self.policies {
            let v = try Validator(keys: KeyRing(keys: [Self.key]), policy: policy)
            for payload in Self.payloads {
                let t = try token(payload)
                for now in [Self.now, Self.now - 3600, Self.now + 7200] {
                    let (full, ft) = judge(v, t, .parsed, at: now)
                    let (fast, it) = judge(v, t, .inPlace, at: now)
                    #expect(fast == full, "policy \(name), payload \(payload), now \(now)")
                    #expect(ft?.checkedInPlace != true)
                    if let it, let ft {
                        accepted += 1
                        if it.checkedInPlace { inPlace += 1 }
                        #expect(it.claims == ft.claims && it.useBudget == ft.useBudget, "\(name) \(payload)")
                        #expect(it.delegationLevels == ft.delegationLevels)
                        #expect(VerifyReport.success(it).serialized() == VerifyReport.success(ft).serialized())
                    }
                }
            }
        }
        // Both paths were exercised: accepted in place (66 of 145 when first written, before the one-claim payloads)
        // and accepted after falling back.
        #expect(inPlace > accepted / 3 && inPlace < accepted, "\(inPlace) of \(accepted)")
    }

    /// The common case is judged in place: a wif-mint token under the default profile with --iss and --aud.
    @Test func mintedTokenIsCheckedInPlace() throws {
        var policy = Policy(profile: .rfc7523)
        policy.issuers = ["https://i"]
        policy.audiences = ["https://as/token"]
        let v = try Validator(keys: KeyRing(keys: [Self.key]), policy: policy)
        let t = try token(Self.payloads[0])
        #expect(try v.verify(t, now: Self.now, claims: .inPlace).checkedInPlace)
        #expect(try !v.verify(t, now: Self.now).checkedInPlace)
    }
}
