// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a private key and print it as a JWK (or PEM).")

    @Option(help: ArgumentHelp("The algorithm the key is for. \(algHelp)", valueName: "alg"))
    var alg: String

    @Option(help: ArgumentHelp("Key ID (default: the RFC 7638 thumbprint).", valueName: "kid"))
    var kid: String?

    @Option(help: ArgumentHelp("RSA modulus size, 2048 to 16384 (default 2048).", valueName: "bits"))
    var bits: Int?

    @Option(help: ArgumentHelp("Curve for --alg EdDSA: Ed25519 (default) or Ed448.", valueName: "crv"))
    var crv: String?

    @Option(help: ArgumentHelp("Write the key to this file (mode 0600, atomically) instead of stdout.", valueName: "file"))
    var out: String?

    @Flag(help: "Print PKCS#8 PEM instead of a JWK.")
    var pem = false

    func run() throws {
        let a = try Algorithm.parse(alg)
        var curve: Curve?
        if let crv {
            guard let c = Curve(rawValue: crv), a.fits(keyType: c.keyType, curve: c) else {
                throw WIFError(.usage, "--crv \(crv) does not fit --alg \(a.rawValue)",
                               hint: "EdDSA takes Ed25519 or Ed448; other algs fix their curve")
            }
            curve = c
        }
        if bits != nil && a.keyType != .rsa { throw WIFError(.usage, "--bits applies to RS* and PS* keys only") }
        let key = try JWK.generate(alg: a, curve: curve, rsaBits: bits ?? 2048, kid: kid)
        let text = pem ? try key.pem(includePrivate: true) : JSON.object(key.json(includePrivate: true)).serialized() + "\n"
        if let out {
            try Output.writeAtomically(Array(text.utf8), to: out)
        } else {
            var w = StdoutWriter()
            try w.write(text)
            try w.flush()
        }
    }
}

struct JWKS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "Print the public JWKS of one or more keys (JWK, JWKS or PEM files).")

    @Argument(help: ArgumentHelp("Key files; \"-\" reads standard input.", valueName: "key"))
    var keys: [String]

    @Option(help: ArgumentHelp("Set use on every published key, e.g. jwt-svid for SPIFFE bundles.", valueName: "use"))
    var use: String?

    func run() throws {
        if keys.filter({ $0 == "-" }).count > 1 { throw WIFError(.usage, "standard input (-) can be read only once") }
        let all = try KeySource.loadAll(paths: keys)
        for k in all where k.keyType == .oct {
            throw WIFError(.usage, "key\(k.kidLabel) is a symmetric (oct) key: it has no public half to publish",
                           hint: "give the HMAC key file itself to the verifier")
        }
        if let use { for k in all { k.use = use } }
        var seen: [String: String] = [:]
        for k in all {
            guard let kid = k.kid else { continue }
            if let t = seen[kid], t != k.thumbprint { throw WIFError(.usage, "two different keys share kid \"\(kid)\"") }
            seen[kid] = k.thumbprint
        }
        var w = StdoutWriter()
        try w.write(JWKSet(keys: all).publicJSON().serialized() + "\n")
        try w.flush()
    }
}
