// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Inputs that once broke wif, found by fuzzing (Fuzz/), the sanitizers (`make sanitize`) or limit tests, each
/// kept so the bug stays fixed. Inputs are inline, or under Tests/Fixtures/regressions/.
///
/// Also kept elsewhere: a KeyRing shared between threads raced on its verifier cache (ThreadSanitizer;
/// ConcurrencyTests), the terminal prompt overflowed a global `termios` (AddressSanitizer; the prompt test in
/// Tests/interop), and quadratic member updates on wide JSON objects (LimitsTests).
@Suite struct RegressionTests {
    static let now: Int64 = 1_767_323_400

    func regression(_ name: String) throws -> [UInt8] {
        let path = fixturesDirectory() + "/regressions/" + name
        return try Input.read(path)
    }

    // MARK: RSA public exponents in PEM keys

    /// A PEM public key skipped the exponent rule that a JWK gets, so e = 1 was accepted, and with e = 1 an RSA
    /// "signature" is its own message: this token's signature is just the PKCS#1 v1.5 encoding of the SHA-256
    /// of its signing input, made without any private key, and it verified.
    static let forgedForE1 = "eyJhbGciOiJSUzI1NiJ9."
        + "eyJzdWIiOiAiZm9yZ2VkIiwgImF1ZCI6ICJodHRwczovL2FzLmV4YW1wbGUvdG9rZW4iLCAiZXhwIjogMTc2NzMyMzcwMH0."
        + "AAH" + String(repeating: "_", count: 269)
        + "ADAxMA0GCWCGSAFlAwQCAQUABCCwO4mLNeuclEEMuEa6rdLQXcNRaSIfWKlYSS03Gmp7kw"

    @Test(arguments: ["rsa-2048-e1.pem", "rsa-2048-e2.pem", "rsa-2048-e65536.pem", "rsa-2048-e65bits.pem"])
    func pemPublicKeysGetTheExponentRule(_ file: String) throws {
        let pem = try regression(file)
        do {
            _ = try KeySource.parse(pem, what: file)
            Issue.record("\(file) loaded")
        } catch {
            #expect(error.reason == .keyInvalid)
            #expect(error.detail == "\(file): public exponent \"e\" must be odd, at least 3 and at most 64 bits")
        }
    }

    /// The e = 1 forgery for `signingInput`: the "signature" is the EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2) of
    /// SHA-256 of the signing input itself, 256 bytes, made without any key. Under e = 1, s^e mod n = s for every
    /// 2048-bit modulus n (the encoding starts 00 01, so s < n), so it "verifies" with any such key.
    static func forgeForExponentOne(_ signingInput: String) -> String {
        let digestInfo = hex("3031300d060960864801650304020105000420")   // RFC 8017 §9.2 note 1, SHA-256
        let h = Digest.sha256(Array(signingInput.utf8))
        let em: [UInt8] = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: 256 - 3 - digestInfo.count - h.count) + [0x00]
            + digestInfo + h
        return signingInput + "." + Base64URL.encode(em)
    }

    /// Judges the forgery with the keys `load` gives: refusing the key (key_invalid) or the signature
    /// (bad_signature) passes; a key that loads and verifies the forgery fails the test.
    func expectForgeryRefused(_ load: () throws -> KeyRing, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let v = try Validator(keys: try load(), policy: Policy(profile: .none))
            #expect(reason(of: { try v.verify(Array(Self.forgedForE1.utf8), now: Self.now) }, sourceLocation: sourceLocation)
                    == .badSignature, sourceLocation: sourceLocation)
        } catch let e as WIFError {
            #expect(e.reason == .keyInvalid, "\(e)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a WIFError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func forgedTokenForAnExponentOfOneIsNeverVerified() throws {
        let signingInput = Self.forgedForE1.split(separator: ".").prefix(2).joined(separator: ".")
        #expect(Self.forgeForExponentOne(signingInput) == Self.forgedForE1)
        #expect(Self.forgedForE1.utf8.count == 459)
        // The PEM key of the original report (n of 2048 bits, e = 1) ...
        let path = fixturesDirectory() + "/regressions/rsa-2048-e1.pem"
        expectForgeryRefused { try KeyRing(paths: [path]) }
        // ... and the same exponent in a JWK, over the RFC 7515 A.2 modulus.
        let n = try #require(try parseJWK(RFC.a2Key).json(includePrivate: false)["n"]?.stringValue)
        let e1 = jwkJSON([("kty", "RSA"), ("n", n), ("e", "AQ")])
        expectForgeryRefused { KeyRing(keys: [try parseJWK(e1)]) }
        // The forgery is well formed: with a real RSA key it gets as far as the signature check.
        expectForgeryRefused { KeyRing(keys: [try reparse(try parseJWK(RFC.a2Key), includePrivate: false)]) }
    }

    /// An RSA PEM key over 16384 bits is refused by its size before any other check; public PEM keys now get
    /// the same public-key checks as JWKs.
    @Test func pemModulusOver16384BitsRefusedFirst() throws {
        let pem = try regression("rsa-16392-bits.pem")
        var t = timespec(), u = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        #expect(reason { try JWK.fromPEM(pem, what: "big") } == .keyInvalid)
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &u)
        #expect(Double(u.tv_sec - t.tv_sec) + Double(u.tv_nsec - t.tv_nsec) / 1e9 < LimitsTests.budget / 2)
        #expect((try? JWK.fromPEM(pem, what: "big")) == nil)
    }

    // MARK: Decoded header bound

    /// The header bound was checked on the base64url length with slack, so 8193- and 8194-byte headers passed
    /// the 8 KiB bound.
    @Test(arguments: [8193, 8194])
    func headerJustOverTheBound(_ size: Int) {
        let base = #"{"alg":"HS256","x":""}"#
        let header = #"{"alg":"HS256","x":""# + String(repeating: "a", count: size - base.utf8.count) + #""}"#
        let token = Array((Base64URL.encode(Array(header.utf8)) + ".e30.").utf8)
        #expect(reason { try CompactJWS.parse(token) } == .malformed)
    }

    // MARK: Private keys in a verification key set

    /// A key set with private RSA members is refused, but every key was first built and proven (a 16384-bit key
    /// without CRT members takes about 2 s), so a 1 MiB set of them kept wif-verify busy for minutes.
    @Test func privateKeySetRefusedBeforeAnyKeyIsBuilt() throws {
        let path = fixturesDirectory() + "/regressions/rsa-16384-private-no-crt.jwks"
        var t = timespec(), u = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        do {
            _ = try KeyRing(paths: [path])
            Issue.record("a private key set was accepted")
        } catch {
            #expect(error.reason == .keyInvalid)
            #expect(error.detail == "\(path): key \"big-private\" holds private key material")
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &u)
        #expect(Double(u.tv_sec - t.tv_sec) + Double(u.tv_nsec - t.tv_nsec) / 1e9 < LimitsTests.budget / 4)
    }
}
