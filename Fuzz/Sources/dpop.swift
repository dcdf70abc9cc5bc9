// SPDX-License-Identifier: Apache-2.0
// fuzz-dpop: DPoP proofs (RFC 9449) through DPoP.verify, under three sets of requirements: a token request
// (htm POST, an htu with a default port and a dot segment to normalise), a resource request with an access
// token (ath) and a nonce, and a request bound to the fixed key's thumbprint.
//
// Two inputs per run: the bytes as a proof; and, when they start with `{`, the bytes as JSON texts
// `HEADER\nPAYLOAD` (or `PAYLOAD` under a fixed header carrying the fixed public key) that the harness signs
// with Fuzz/keys/es256.jwk, so the typ, jwk, claim, htm/htu, time, ath, nonce and jkt checks see validly signed
// input.
//
// Invariants: DPoP.verify only ever throws WIFError, and on proof bytes every error is a DPoP rejection
// (exit 1), never "could not judge"; an accepted proof's jkt is its key's RFC 7638 thumbprint, its jti a
// non-empty string, and its result JSON parses back.
import Core

/// Fuzz/keys/es256.jwk (a key made for fuzzing only).
let privateJWK = #"""
    {"kty":"EC","kid":"fuzz-es256","use":"sig","alg":"ES256","crv":"P-256","x":"fzTO6Rk05-QO68qw3UQOGxz8oV2h-_jgciiA22e1nM4","y":"5dLjmgtxfgA4nZPDIFYA3bnO3Rz_SlEsBsDhowCZQlU","d":"4rmbwia_I7Icw8lKHR1oilo7vrCLgBMoh80yN4ZjkDA"}
    """#

let key: JWK = {
    guard case .key(let k)? = try? KeySource.parse(Array(privateJWK.utf8), what: "fuzz ES256 key") else {
        fatalError("fuzz: no ES256 key")
    }
    return k
}()

nonisolated(unsafe) let signer: Signer = {
    guard let s = try? Signer(key: key, algorithm: .es256) else { fatalError("fuzz: no ES256 signer") }
    return s
}()

let defaultHeader: [UInt8] = {
    var h = JSONObject()
    h["typ"] = .string("dpop+jwt")
    h["alg"] = .string("ES256")
    var pub = key.json(includePrivate: false)
    pub["kid"] = nil
    h["jwk"] = .object(pub)
    return Array(JSON.object(h).serialized().utf8)
}()

let requirements: [DPoP.Requirements] = {
    let token = DPoP.Requirements(htm: "POST", htu: "https://as.example:443/a/../token")
    var resource = DPoP.Requirements(htm: "GET", htu: "https://rs.example/mcp")
    resource.accessToken = Array("fuzz-access-token".utf8)
    resource.nonce = "n-0S6_WzA2Mj"
    var bound = DPoP.Requirements(htm: "POST", htu: "https://as.example/token")
    bound.jkt = key.thumbprint
    return [token, resource, bound]
}()

func judge(_ proof: [UInt8]) {
    for r in requirements {
        do {
            let p = try DPoP.verify(proof, r, now: Fixed.now)
            invariant(p.jkt == p.key.thumbprint, "jkt \(p.jkt) is not the key's thumbprint")
            invariant(!p.jti.isEmpty, "accepted a proof without a jti")
            invariant((try? JSON.parse(p.json.serialized())) != nil, "the result does not parse back")
        } catch {
            invariant(error.reason.isRejection, "DPoP.verify threw \(error.reason.rawValue): \(error.detail)")
            exercise(error)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    judge(input)
    if input.first == UInt8(ascii: "{"), let proof = signedJWS(input, defaultHeader: defaultHeader, signer: signer) {
        judge(proof)
    }
    return 0
}
