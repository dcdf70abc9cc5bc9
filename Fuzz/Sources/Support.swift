// SPDX-License-Identifier: Apache-2.0
// Shared by every fuzz target: the fixed verification keys, the fixed clock, and invariant checks.
import Core
import Glibc

enum Fixed {
    /// 2026-01-02T03:10:00Z, the clock the seed tokens were minted against (Fuzz/make-corpus.sh).
    static let now: Int64 = 1_767_323_400

    /// Public halves of Fuzz/keys/{es256,rs256,eddsa}.jwk (test-only keys, made for fuzzing).
    static let publicJWKS = #"""
        {"keys":[
        {"kty":"EC","kid":"fuzz-es256","use":"sig","alg":"ES256","crv":"P-256","x":"fzTO6Rk05-QO68qw3UQOGxz8oV2h-_jgciiA22e1nM4","y":"5dLjmgtxfgA4nZPDIFYA3bnO3Rz_SlEsBsDhowCZQlU"},
        {"kty":"RSA","kid":"fuzz-rs256","use":"sig","alg":"RS256","n":"vFWHaQIIT85KfbK1wcuBKtWuiSdbofSuR9h_VWY1NP49LsHynkWPWPX5-WwBHrLYukshqlE_eGNwzH0dASpBGc7mzSukF7e47pD6MaRuNPJjxuaSBACs__JuL5vsbUFa_v1aDzuf3rVs2xH0p60qhH16Qo8H-hmOLR9j68Yekg1qIhmznTftkqmZpRiMwIMZ_HatSXwcdm9o4Sk5j5tFpzRxC0_I29SDMvkaIkzfGwN77mY044UoYwg1n3Fh-zhF4-OBy_l7kfcsuHTSPURESkaFk7MfAr1mYLP9_7-myclRQ4ZE_QIeJ0cICh1UvpZUCR_iS3SdoMp-Nhgmqsukxw","e":"AQAB"},
        {"kty":"OKP","kid":"fuzz-eddsa","use":"sig","alg":"EdDSA","crv":"Ed25519","x":"4Q37KHAX11UNcMUaRpm9CRKtGcChru2RJtf4V3NQAWE"}
        ]}
        """#
    /// Fuzz/keys/hs256.jwk: HMAC verification needs the secret.
    static let hmacJWK = #"""
        {"kty":"oct","kid":"fuzz-hs256","use":"sig","alg":"HS256","k":"tQmyClsi9zN3e4X6MYp9Y6anpwgpM41dqgJ_x8WdHHs"}
        """#

    /// The keys of every verifying target: ES256, RS256, EdDSA (Ed25519) and HS256.
    static let keys: [JWK] = {
        do {
            guard case .set(let s) = try KeySource.parse(Array(publicJWKS.utf8), what: "fuzz JWKS"),
                  case .key(let h) = try KeySource.parse(Array(hmacJWK.utf8), what: "fuzz HMAC key") else {
                fatalError("fuzz keys: unexpected shape")
            }
            return s.keys + [h]
        } catch {
            fatalError("fuzz keys: \(error)")
        }
    }()

    /// A validator over the fixed keys with `profile`'s defaults and the seed tokens' iss/aud.
    static func validator(_ profile: Profile, strict: Bool = false) -> Validator {
        var p = Policy(profile: profile)
        if strict {
            p.issuers = ["https://ci.example"]
            p.audiences = ["https://as.example/token"]
            p.actors = ["spiffe://example.org/agent"]
            p.maxAge = 86400
        }
        do { return try Validator(keys: KeyRing(keys: keys), policy: p) } catch {
            fatalError("fuzz validator: \(error.detail)")
        }
    }
}

/// Stops the run (libFuzzer records the input as a crash) when an invariant fails.
@inline(never)
func invariant(_ ok: @autoclosure () -> Bool, _ what: @autoclosure () -> String, file: StaticString = #file,
               line: UInt = #line) {
    if !ok() { fatalError("invariant: \(what())", file: file, line: line) }
}

/// Every error a Core entry point throws must be a WIFError with a non-empty message that renders.
func exercise(_ e: WIFError) {
    invariant(!e.detail.isEmpty, "empty error detail for \(e.reason.rawValue)")
    _ = TerminalText(e.detail + (e.hint ?? ""))
    _ = VerifyReport.failure(e).serialized()
}

/// The input bytes as an array.
func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}


nonisolated(unsafe) var exitReleases: [() -> Void] = []

/// Runs `release` at exit, before LeakSanitizer's check. State kept across inputs (a Validator remembers the last
/// header it passed) holds JSON values through Swift's tagged pointers, which LeakSanitizer cannot follow: released
/// first, only real leaks are left to report. Call from LLVMFuzzerInitialize.
func releaseAtExit(_ release: @escaping () -> Void) {
    if exitReleases.isEmpty {
        atexit {
            for r in exitReleases { r() }
            exitReleases = []
        }
    }
    exitReleases.append(release)
}

/// The LLVMFuzzerInitialize signature.
public typealias FuzzArgv = UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?

/// `HEADER\nPAYLOAD`, or `PAYLOAD` under `defaultHeader`, as a compact JWS signed by `signer` (the targets that
/// sign their JSON inputs, so the checks after the signature see them); nil when signing fails.
func signedJWS(_ input: [UInt8], defaultHeader: [UInt8], signer: Signer) -> [UInt8]? {
    let header: ArraySlice<UInt8>, payload: ArraySlice<UInt8>
    if let nl = input.firstIndex(of: 0x0A) {
        header = input[..<nl]
        payload = input[(nl + 1)...]
    } else {
        header = defaultHeader[...]
        payload = input[...]
    }
    var token: [UInt8] = []
    Base64URL.encode(header, into: &token)
    token.append(UInt8(ascii: "."))
    Base64URL.encode(payload, into: &token)
    guard let sig = try? signer.sign(token) else { return nil }
    token.append(UInt8(ascii: "."))
    Base64URL.encode(sig, into: &token)
    return token
}
