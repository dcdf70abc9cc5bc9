// SPDX-License-Identifier: Apache-2.0
import Core
import Server
import Testing

/// Raw bytes thrown at one connection's real pipeline (NIO's decoder, the limits, the router, Core), in memory:
/// hostile requests whole and one byte at a time, and 3000 inputs from a fixed-seed generator (random bytes and
/// mutations of valid requests). Each must end in well-formed HTTP/1.1 responses with documented statuses.
@Suite struct RawInputTests {
    static let now: Int64 = 1_767_323_400
    let input: RawInput
    let assertion: String

    init() throws {
        let idp = try JWK.generate(alg: .es256, kid: "idp")
        input = try RawInput(idp: idp, issuer: try JWK.generate(alg: .es256, kid: "as"), now: Self.now)
        var spec = TokenSpec(now: Self.now)
        spec.iss = "https://idp.example"
        spec.sub = "w"
        spec.aud = ["http://127.0.0.1:1"]
        assertion = String(decoding: try Minter(spec: spec, key: idp).next(), as: UTF8.self)
    }

    func tokenRequest(_ body: String) -> String {
        "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    func check(_ bytes: [UInt8], chunks: Int = 1, _ comment: Comment? = nil) throws -> [Int] {
        let out = try input.feed(bytes, chunks: chunks)
        let statuses = RawInput.responses(out)
        #expect(statuses != nil, "not HTTP/1.1 responses: \(String(decoding: out.prefix(200), as: UTF8.self))")
        for s in statuses ?? [] { #expect(RawInput.statuses.contains(s), "status \(s)") }
        return statuses ?? []
    }

    @Test func validRequestsWholeAndByteByByte() throws {
        let ok = Array(tokenRequest("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=\(assertion)").utf8)
        #expect(try check(ok) == [200])
        #expect(try check(ok, chunks: ok.count) == [400], "the same jti again is a replay")
        let two = Array("GET /jwks HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)
        #expect(try check(two, chunks: two.count) == [200, 404])
    }

    @Test func hostileRequests() throws {
        let cases: [(String, [Int])] = [
            ("GARBAGE\r\n\r\n", [400]),
            ("GET / HTTP/9.9\r\n\r\n", [400]),
            ("GET /jwks HTTP/1.1\r\nX: " + String(repeating: "a", count: 17000) + "\r\n\r\n", [431]),
            ("POST /token HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n", [413]),
            ("POST /token HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde", [400]),
            ("POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", [400]),
            ("POST /mcp HTTP/1.1\r\nContent-Length: 1\r\n\r\n{", [401]),
            ("DELETE /mcp HTTP/1.1\r\n\r\n", [405]),
            (tokenRequest("grant_type=%zz"), [400]),
            (tokenRequest(String(repeating: "a=b&", count: 5000) + "grant_type=x"), [400]),
            ("GET /authorize?x=%00 HTTP/1.1\r\n\r\n", [400]),
            ("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n", [404]),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            #expect(try check(bytes) == expected, "\(text.prefix(60))")
            #expect(try check(bytes, chunks: min(bytes.count, 300)) == expected, "\(text.prefix(60)) in pieces")
        }
        #expect(try check([0x00, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A]) == [400])
        #expect(try check([]) == [])
    }

    /// SplitMix64: a fixed seed, so a failure names an input that can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func generatedInputs() throws {
        var g = Generator(state: 13)
        let seeds = [
            tokenRequest("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=\(assertion)"),
            "POST /mcp HTTP/1.1\r\nAuthorization: Bearer a.b.c\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
                + #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
        ].map { Array($0.utf8) }
        let specials: [UInt8] = [0, 9, 10, 13, 32, 0x22, 0x25, 0x26, 0x3A, 0x3D, 0x7F, 0x80, 0xC3, 0xFF]
        for n in 0..<3000 {
            var bytes: [UInt8]
            if n % 4 == 0 {
                bytes = (0..<Int.random(in: 0...300, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            } else {
                bytes = seeds[Int.random(in: 0..<seeds.count, using: &g)]
                for _ in 0..<Int.random(in: 1...6, using: &g) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &g)
                    switch Int.random(in: 0..<4, using: &g) {
                    case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &g))
                    case 1: bytes.insert(specials[Int.random(in: 0..<specials.count, using: &g)], at: at)
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &g)))
                    default: bytes = Array(bytes[..<at])
                    }
                }
            }
            _ = try check(bytes, chunks: Int.random(in: 1...4, using: &g), "input \(n)")
        }
    }
}
