// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// `VerifyReport`: the `--batch` success line copies the token's header and payload when they are already in
/// compact form, and is the same line as the serialised `success` object either way.
@Suite struct VerifyTests {
    static let now: Int64 = 1_767_323_400

    /// A token signed with `key` over the given header and payload JSON text, exactly as written.
    func token(header: String, payload: String, key: JWK) throws -> [UInt8] {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let sig = try Signer(key: key, algorithm: .hs256).sign(Array(input.utf8))
        return Array((input + "." + Base64URL.encode(sig)).utf8)
    }

    @Test(arguments: [
        #"{"iss":"i","sub":"s","aud":"a","exp":1767326400,"iat":1767323400}"#,  // compact: copied
        #"{ "iss": "i", "sub":"s","aud": "a", "exp": 1767326400 }"#,  // spaces
        "{\"iss\":\"i\",\"sub\":\"s\",\n\"aud\":\"a\",\"exp\":1767326400}",  // a newline
        #"{"iss":"i\/x","sub":"s","aud":"a","exp":1767326400}"#,  // \/ is written /
        #"{"iss":"\u0069","sub":"s","aud":"a","exp":1767326400}"#,  // \u escape
        #"{"iss":"i","sub":"s","aud":"a","exp":1767326400,"note":"tab\there, \"quoted\" \\ é"}"#,  // compact escapes
        "{\"iss\":\"i\",\"sub\":\"s\",\"aud\":\"a\",\"exp\":1767326400,\"del\":\"\u{7F}\"}",  // raw DEL
        #"{"iss":"i","sub":"s","aud":["a","b"],"exp":1.7673264e9,"nbf":-1,"x":{"y":[true,null,1e2]}}"#,
    ])
    func successLineIsTheSerialisedObject(_ payload: String) throws {
        let key = try JWK.parse(try #require(try JSON.parse(#"{"kty":"oct","kid":"h","k":"# +
            #""AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#).objectValue),
            what: "k")
        var policy = Policy(profile: .rfc7523)
        policy.audiences = ["a"]
        let v = try Validator(keys: KeyRing(keys: [key]), policy: policy)
        for header in [#"{"alg":"HS256","kid":"h"}"#, #"{"alg": "HS256", "kid": "h"}"#] {
            let t = try v.verify(try token(header: header, payload: payload, key: key), now: Self.now)
            var line: [UInt8] = []
            VerifyReport.writeSuccessLine(t, to: &line)
            #expect(String(decoding: line, as: UTF8.self) == VerifyReport.success(t).serialized() + "\n")
            #expect(line.filter { $0 == 0x0A }.count == 1)
        }
    }

    @Test func compactForm() {
        func compact(_ s: String) -> Bool { JSON.isCompactForm(Array(s.utf8)) }
        #expect(compact(#"{"a":"b","c":[1,-2.5e3,true,false,null],"d":{}}"#))
        #expect(compact(#"{"a":"x y \"q\" \\ \n \r \t é"}"#))
        #expect(!compact(#"{"a": 1}"#))
        #expect(!compact(#"{"a":1} "#))
        #expect(!compact("{\"a\":1,\n\"b\":2}"))
        #expect(!compact("{\"a\":1,\t\"b\":2}"))
        #expect(!compact(#"{"a":"\/"}"#))
        #expect(!compact(#"{"a":"\b"}"#))
        #expect(!compact(#"{"a":"\f"}"#))
        #expect(!compact(#"{"a":"\u0041"}"#))
        #expect(!compact("{\"a\":\"\u{7F}\"}"))
    }
}
