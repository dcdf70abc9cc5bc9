// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint dpop`: one DPoP proof (RFC 9449) from Core's `DPoP.mint`, or `--fixtures`, the negative cases.
enum DPoPProof: Command {
    static let key = Opt.string(
        "key", short: "k", "file", "Private asymmetric key: JWK, JWKS (with --kid) or PEM; \"-\" reads stdin.", required: true)
    static let kid = Opt.string("kid", "kid", "Picks the key in a JWKS.")
    static let alg = Opt.string("alg", "alg", "Signing algorithm (default: from the key); never HS*. \(algHelp)")
    static let htm = Opt.string("htm", "method", "HTTP method of the request the proof goes with (htm), e.g. POST.", required: true)
    static let htu = Opt.string("htu", "url", "HTTP target URI (htu); query and fragment are dropped.", required: true)
    static let ath = Opt.string("ath", "file", "File holding the access token the proof goes with; its SHA-256 becomes ath.")
    static let nonce = Opt.string("nonce", "nonce", "The server's DPoP-Nonce to carry as nonce.")
    static let iat = Opt.time("iat", "Issued-at time (default now).")
    static let jti = Opt.string("jti", "jti", "Proof ID (default: 128 random bits, base64url).")
    static let fixtures = Flag(
        "fixtures", "Print a JSON document of named proofs, each wrong in exactly one way, with the reason each fails with.")

    static let spec = CommandSpec(
        "dpop",
        abstract: "Mint a DPoP proof (RFC 9449): typ dpop+jwt, the public key in the jwk header.",
        discussion: "Prints the proof, one line, for a DPoP header. See wif-mint(1), DPOP.",
        options: [key, kid, alg, htm, htu, ath, nonce, iat, jti, fixtures, CommonOptions.now] + PassphraseOptions.reading,
        command: DPoPProof.self)

    static func run(_ a: ParsedArguments) throws {
        var s = DPoP.MintSettings()
        s.key = a.value(key) ?? ""
        s.alg = a.value(alg)
        s.htm = a.value(htm)
        s.htu = a.value(htu)
        s.athFile = a.value(ath)
        s.nonce = a.value(nonce)
        s.iat = a.value(iat)
        s.jti = a.value(jti)
        let now = try CommonOptions.clock(a).now()
        let spec = try s.spec(now: now)
        let signingKey = try KeySource.loadSigningKey(path: s.key, kid: a.value(kid),
                                                      passphrase: try PassphraseOptions.passphrase(a, stdinUsed: s.readsStandardInput))
        var w = StdoutWriter()
        if a.flag(fixtures) {
            let doc = try DPoP.fixtures(key: signingKey, alg: spec.alg, htm: spec.htm, htu: spec.htu,
                                        accessToken: spec.accessToken, nonce: spec.nonce, now: now)
            try w.write(doc.pretty() + "\n")
        } else {
            var p = try DPoP.mint(spec, key: signingKey)
            p.append(0x0A)
            try w.write(p)
        }
        try w.flush()
    }
}
