// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Every documented bound (wif-verify(1) "Limits", SECURITY.md "resource exhaustion"), at the bound and one past
/// it, and linear time on hostile shapes.
///
/// Rules for these tests: each bound is checked on both sides with the exact reason; time is the test thread's
/// CPU time (CLOCK_THREAD_CPUTIME_ID), so a busy machine or parallel tests do not make them flaky; the budget is
/// one second (`budget`) for inputs a quadratic step would keep busy for minutes.
@Suite struct LimitsTests {
    static let now: Int64 = 1_767_323_400

    /// One CPU second, scaled under a sanitizer (`make sanitize`): ThreadSanitizer runs this code about ten
    /// times slower, AddressSanitizer about three.
    static let budget: Double = {
        if dlsym(nil, "__tsan_init") != nil { return 10 }
        if dlsym(nil, "__asan_init") != nil { return 4 }
        return 1
    }()

    /// CPU seconds the calling thread spends in `body`.
    func cpuSeconds(_ body: () throws -> Void) rethrows -> Double {
        var a = timespec(), b = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a)
        try body()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b)
        return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
    }

    /// A temporary file holding `bytes`; removed by the caller.
    func tempFile(_ bytes: [UInt8]) throws -> String {
        var template = Array("/tmp/wif-limits-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try #require(n == bytes.count)
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func detail(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as WIFError { return e.detail } catch { return "\(error)" }
        return nil
    }

    static let hmacKey = """
        {"kty":"oct","kid":"limits","alg":"HS256","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}
        """
    /// The RFC 7515 A.3 P-256 public key.
    static let ecKey = """
        {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
        """

    func key(_ json: String) throws -> JWK {
        guard case .key(let k) = try KeySource.parse(Array(json.utf8), what: "test key") else {
            throw WIFError(.keyInvalid, "not a single key")
        }
        return k
    }

    func mint(_ spec: TokenSpec) throws -> [UInt8] { try Minter(spec: spec, key: try key(Self.hmacKey)).next() }

    func validator(_ policy: Policy = Policy(profile: .none)) throws -> Validator {
        try Validator(keys: KeyRing(keys: [try key(Self.hmacKey)]), policy: policy)
    }

    // MARK: Token size (--max-token-size, default 64 KiB)

    @Test func tokenSizeBound() throws {
        #expect(CompactJWS.defaultMaxSize == 65536)
        let at = Array("eyJhbGciOiJIUzI1NiJ9.".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 65536 - 22) + [0x2E]
        #expect(at.count == 65536)
        #expect((try? CompactJWS.parse(at)) != nil)
        let past = Array("eyJhbGciOiJIUzI1NiJ9.".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 65537 - 22)
            + [0x2E]
        #expect(detail { _ = try CompactJWS.parse(past) } == "the token has 65537 bytes, more than the limit of 65536")
        #expect(reason { try CompactJWS.parse(past) } == .malformed)
        // The policy's bound is the one the validator applies.
        var p = Policy(profile: .none)
        p.maxTokenSize = 100
        var spec = TokenSpec(now: Self.now)
        spec.claims["pad"] = .string(String(repeating: "x", count: 200))
        let v = try validator(p)
        let message = detail { _ = try v.verify(try mint(spec), now: Self.now) }
        #expect(message?.hasSuffix("more than the limit of 100") == true)
    }

    // MARK: Decoded header (8 KiB)

    /// A compact JWS whose decoded header is exactly `size` bytes of JSON.
    func tokenWithHeader(size: Int) -> [UInt8] {
        let base = #"{"alg":"HS256","x":""}"#
        let header = #"{"alg":"HS256","x":""# + String(repeating: "a", count: size - base.utf8.count) + #""}"#
        return Array((Base64URL.encode(Array(header.utf8)) + ".e30.").utf8)
    }

    @Test func decodedHeaderBound() throws {
        #expect(CompactJWS.maxHeaderSize == 8192)
        let at = try CompactJWS.parse(tokenWithHeader(size: 8192))
        #expect(at.headerJSON.count == 8192)
        for size in [8193, 8194, 8195, 9000] {
            #expect(detail { _ = try CompactJWS.parse(tokenWithHeader(size: size)) }
                    == "the decoded header is larger than 8192 bytes", "header of \(size) bytes")
        }
    }

    // MARK: JWKS file size (1 MiB) and key count (256)

    /// A JWKS of `count` copies of the RFC 7515 A.3 key, each with its own kid.
    func jwks(count: Int) -> String {
        let k = Self.ecKey.dropLast()
        return #"{"keys":["# + (0..<count).map { "\(k),\"kid\":\"k\($0)\"}" }.joined(separator: ",") + "]}"
    }

    @Test func jwksFileSizeBound() throws {
        #expect(KeyRing.maxFileSize == 1 << 20)
        let set = Array(jwks(count: 1).utf8)
        // Padded with trailing whitespace to exactly 1 MiB, then one byte more.
        let at = try tempFile(set + [UInt8](repeating: 0x20, count: (1 << 20) - set.count))
        defer { unlink(at) }
        #expect(try KeyRing(paths: [at]).keys.count == 1)
        let past = try tempFile(set + [UInt8](repeating: 0x20, count: (1 << 20) + 1 - set.count))
        defer { unlink(past) }
        #expect(reason { try KeyRing(paths: [past]) } == .inputTooLarge)
        #expect(detail { _ = try KeyRing(paths: [past]) } == "\(past): larger than 1048576 bytes")
    }

    @Test func jwksKeyCountBound() throws {
        #expect(JWKSet.maxKeys == 256)
        let at = try JSON.parseObject(Array(jwks(count: 256).utf8), what: "set")
        #expect(try JWKSet.parse(at, what: "set", lenient: false).keys.count == 256)
        let past = try JSON.parseObject(Array(jwks(count: 257).utf8), what: "set")
        for lenient in [false, true] {
            #expect(reason { try JWKSet.parse(past, what: "set", lenient: lenient) } == .inputTooLarge)
        }
        // Joined sets count together: 200 + 57 keys in two files.
        let a = try tempFile(Array(jwks(count: 200).utf8)), b = try tempFile(Array(jwks(count: 57).utf8))
        defer { unlink(a); unlink(b) }
        #expect(detail { _ = try KeyRing(paths: [a, b]) } == "more than 256 keys in all")
        let c = try tempFile(Array(jwks(count: 56).utf8))
        defer { unlink(c) }
        #expect(try KeyRing(paths: [a, c]).keys.count == 256)
    }

    // MARK: JSON depth (32)

    @Test func jsonDepthBound() throws {
        #expect(JSON.defaultMaxDepth == 32)
        func arrays(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        func objects(_ n: Int) -> String {
            String(repeating: #"{"a":"#, count: n) + "1" + String(repeating: "}", count: n)
        }
        #expect((try? JSON.parse(arrays(32))) != nil)
        #expect((try? JSON.parse(objects(32))) != nil)
        for text in [arrays(33), objects(33), arrays(100_000)] {
            #expect(detail { _ = try JSON.parse(text) }?.hasSuffix("nesting deeper than 32") == true)
        }
        // A token payload is held to the same bound.
        let deep = "{\"a\":" + arrays(31) + "}"
        func token(_ claims: String) -> [UInt8] {
            Array(("eyJhbGciOiJIUzI1NiJ9." + Base64URL.encode(Array(claims.utf8)) + ".").utf8)
        }
        #expect((try? CompactJWS.parse(token(deep)).claims()) != nil)
        let tooDeep = token("{\"a\":" + arrays(32) + "}")
        #expect(reason { try CompactJWS.parse(tooDeep).claims() } == .malformed)
    }

    // MARK: act levels (--max-delegation-depth, default 8, at most 32)

    func delegated(levels: Int) throws -> [UInt8] {
        var spec = TokenSpec(now: Self.now)
        spec.sub = "user"
        spec.act = (0..<levels).map { "actor-\($0)" }
        return try mint(spec)
    }

    @Test func delegationDepthBound() throws {
        #expect(Policy(profile: .none).maxDelegationDepth == 8)
        #expect(Policy.hardMaxDelegationDepth == 32)
        let v = try validator()
        #expect((try? v.verify(try delegated(levels: 8), now: Self.now)) != nil)
        #expect(reason { try v.verify(try delegated(levels: 9), now: Self.now) } == .delegationTooDeep)
        var p = Policy(profile: .none)
        p.maxDelegationDepth = Policy.hardMaxDelegationDepth
        let deep = try validator(p)
        // 31 act levels nest 32 deep in the claims: the most JSON's depth bound lets through. A 32nd level is
        // refused by that bound first (malformed), so the chain never gets past 31 whatever the option says.
        #expect((try? deep.verify(try delegated(levels: 31), now: Self.now)) != nil)
        #expect(reason { try deep.verify(try delegated(levels: 32), now: Self.now) } == .malformed)
    }

    // MARK: --batch line length (= --max-token-size), in bounded memory

    @Test func batchLineLengthBound() throws {
        let max = 1000
        var input: [UInt8] = []
        input += [UInt8](repeating: UInt8(ascii: "a"), count: max) + [0x0A]            // at the bound
        input += [UInt8](repeating: UInt8(ascii: "b"), count: max + 1) + [0x0D, 0x0A]   // one past, CRLF
        input += [UInt8](repeating: UInt8(ascii: "c"), count: 3_000_000) + [0x0A]      // far past
        input += Array("short".utf8)                                                   // no final newline
        let path = try tempFile(input)
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fd: fd, maxLine: max)
        var seen: [String] = []
        while let line = try reader.next() {
            switch line {
            case .line(let b): seen.append("line \(b.count)")
            case .tooLong(let n): seen.append("long \(n)")
            }
        }
        // A line over the bound that arrives whole with its newline is passed on (the token-size check then
        // refuses it, with the same message); one longer than the buffer is skipped without being kept.
        #expect(seen == ["line 1000", "line 1001", "long 3000000", "line 5"])
    }

    // MARK: Request body (256 KiB) and input reading

    @Test func inputReadBound() throws {
        #expect(TokenEndpoint.maxBodySize == 256 * 1024)
        let limit = TokenEndpoint.maxBodySize
        let at = try tempFile([UInt8](repeating: UInt8(ascii: "a"), count: limit))
        defer { unlink(at) }
        #expect(try Input.read(at, limit: limit).count == limit)
        let past = try tempFile([UInt8](repeating: UInt8(ascii: "a"), count: limit + 1))
        defer { unlink(past) }
        #expect(reason { try Input.read(past, limit: limit, what: "the request body") } == .inputTooLarge)
        #expect(detail { _ = try Input.read(past, limit: limit, what: "the request body") }
                == "the request body: larger than 262144 bytes")
    }

    // MARK: RSA moduli and exponents

    /// An RSA public JWK with a modulus of `bits` bits (top and bottom bits set) and exponent bytes `e`.
    func rsaJWK(bits: Int, e: [UInt8]) -> String {
        var n = [UInt8](repeating: 0xA5, count: (bits + 7) / 8)
        n[0] = UInt8(truncatingIfNeeded: 1 << ((bits - 1) % 8)) | (bits % 8 == 0 ? 0x80 : 0)
        n[n.count - 1] |= 1
        return #"{"kty":"RSA","n":"\#(Base64URL.encode(n))","e":"\#(Base64URL.encode(e))"}"#
    }

    @Test func rsaModulusAbove16384BitsRefused() {
        #expect(JWK.maxRSABits == 16384)
        for bits in [16385, 16392, 20000] {
            let json = rsaJWK(bits: bits, e: [1, 0, 1])
            #expect(reason { try key(json) } == .keyInvalid)
            let message = detail { _ = try key(json) }
            #expect(message?.hasSuffix("has \(bits) bits; wif refuses moduli above 16384 bits") == true)
        }
    }

    @Test(arguments: [
        ([UInt8]([1]), "e = 1"), ([2], "e = 2, even"), ([1, 0], "e = 256, even"), ([1, 0, 0], "e = 65536, even"),
        ([1, 0, 0, 0, 0, 0, 0, 0, 1], "e = 2^64 + 1, 65 bits"), ([0, 1, 0, 1], "leading zero byte"),
        ([0], "e = 0"), ([UInt8](repeating: 0xFF, count: 9), "72 bits"),
    ])
    func rsaExponentsRefused(_ e: [UInt8], _ why: String) {
        let json = rsaJWK(bits: 2048, e: e)
        let message = detail { _ = try key(json) }
        let rule = "public exponent \"e\" must be odd, at least 3 and at most 64 bits"
        #expect(message?.hasSuffix(rule) == true, "\(why)")
    }

    // MARK: Linear time

    @Test func twentyThousandMembersInWellUnderASecond() throws {
        let members = (0..<20_000).map { "\"claim-\($0)\":\($0)" }.joined(separator: ",")
        let text = Array("{\(members)}".utf8)
        var parsed: JSONObject?
        let t1 = try cpuSeconds { parsed = try JSON.parseObject(text, what: "claims") }
        #expect(parsed?.count == 20_000)
        #expect(t1 < Self.budget, "JSON.parse of 20,000 members took \(t1) s")
        // Duplicates are still found at the end of a wide object.
        let dup = Array("{\(members),\"claim-0\":1}".utf8)
        #expect(reason { try JSON.parse(dup) } == .inputInvalid)
        // Through a full verification: a signed token carrying 20,000 claims.
        var spec = TokenSpec(now: Self.now)
        for i in 0..<20_000 { spec.claims["claim-\(i)"] = .integer(Int64(i)) }
        let token = try mint(spec)
        var p = Policy(profile: .none)
        p.maxTokenSize = 1 << 20
        let v = try validator(p)
        var verified: VerifiedToken?
        let t2 = try cpuSeconds { verified = try v.verify(token, now: Self.now) }
        #expect((verified?.claims.count ?? 0) >= 20_000)
        #expect(t2 < Self.budget, "verifying a token with 20,000 claims took \(t2) s")
        // A header of as many members as 8 KiB holds.
        let header = "{\"alg\":\"HS256\"," + (0..<900).map { "\"h\($0)\":0" }.joined(separator: ",") + "}"
        let wide = Array((Base64URL.encode(Array(header.utf8)) + ".e30.").utf8)
        let t3 = try cpuSeconds { _ = try CompactJWS.parse(wide) }
        #expect(t3 < Self.budget / 5, "a header of 900 members took \(t3) s")
    }

    @Test func sixtyKiBOfEscapesInWellUnderASecond() throws {
        let escapes = String(repeating: #"\u00e9\ud83d\ude00\n\"\\\/"#, count: 60 * 1024 / 26 + 1)
        let text = Array("{\"s\":\"\(escapes)\"}".utf8)
        #expect(text.count > 60 * 1024)
        var parsed: JSON?
        let t = try cpuSeconds { parsed = try JSON.parse(text) }
        #expect(t < Self.budget, "60 KiB of escapes took \(t) s")
        let s = try #require(parsed?.objectValue?["s"]?.stringValue)
        // Writing it back is linear too, and round-trips.
        var out = ""
        let tw = cpuSeconds { out = JSON.object(JSONObject([("s", .string(s))])).serialized() }
        #expect(tw < Self.budget)
        #expect(try JSON.parse(out) == parsed)
        // As a claim of a token at the default 64 KiB bound (the string must shrink to fit after base64url).
        var spec = TokenSpec(now: Self.now)
        spec.claims["s"] = .string(String(s.prefix(8000)))
        let token = try mint(spec)
        #expect(token.count < CompactJWS.defaultMaxSize)
        let v = try validator()
        let tv = try cpuSeconds { _ = try v.verify(token, now: Self.now) }
        #expect(tv < Self.budget)
    }

    @Test func nestingAtTheBoundRepeatedInWellUnderASecond() throws {
        // object (1), "a" (2), then 30 arrays: 32 levels, the bound.
        let nested = String(repeating: "[", count: 30) + "1" + String(repeating: "]", count: 30)
        let text = "{\"a\":[" + Array(repeating: nested, count: 60 * 1024 / 62).joined(separator: ",") + "]}"
        var parsed: JSON?
        let t = try cpuSeconds { parsed = try JSON.parse(text) }
        #expect(parsed != nil)
        #expect(t < Self.budget, "\(text.utf8.count) bytes of nesting at the bound took \(t) s")
        let tw = cpuSeconds { _ = parsed?.serialized() }
        #expect(tw < Self.budget)
    }

    @Test func wideKeySetsAndInspectedInputsInWellUnderASecond() throws {
        // A JWKS with 60,000 extra top-level members (quadratic member updates once took minutes on this).
        let extra = (0..<60_000).map { "\"m\($0)\":0" }.joined(separator: ",")
        let set = Array("{\"keys\":[\(Self.ecKey)],\(extra)}".utf8)
        let t1 = try cpuSeconds {
            guard case .set(let s) = try KeySource.parse(set, what: "set", lenient: true) else {
                throw WIFError(.keyInvalid, "not a set")
            }
            #expect(s.extra.count == 60_000)
        }
        #expect(t1 < Self.budget, "a JWKS with 60,000 extra members took \(t1) s")
        let inspector = Inspector(now: Self.now)
        let t2 = try cpuSeconds { _ = try inspector.inspect(set) }
        #expect(t2 < Self.budget, "inspecting it took \(t2) s")
        // Named tokens (wif-mint fixtures output) with 20,000 names.
        let named = Array(("{" + (0..<20_000).map { "\"t\($0)\":\"a.b.c\"" }.joined(separator: ",") + "}").utf8)
        let t3 = try cpuSeconds { _ = try inspector.inspect(named) }
        #expect(t3 < Self.budget, "inspecting 20,000 named tokens took \(t3) s")
        // A form body of 20,000 parameters, decoded, turned into JSON, and answered by the token endpoint.
        let body = Array(((0..<20_000).map { "p\($0)=v" } + ["grant_type=x"]).joined(separator: "&").utf8)
        let endpoint = try TokenEndpoint(validator: try validator())
        let t4 = try cpuSeconds {
            let pairs = try FormEncoding.decode(body)
            #expect(FormEncoding.jsonObject(pairs).objectValue?.count == 20_001)
            _ = try endpoint.handle(body: body, now: Self.now)
        }
        #expect(t4 < Self.budget, "a form body of 20,000 parameters took \(t4) s")
    }
}
