// SPDX-License-Identifier: Apache-2.0

/// The option values of `wif-mint key generate`, checked here, and the key they make.
///
/// Rules: `--crv` must fit `--alg` (EdDSA takes Ed25519 or Ed448; other algs fix their curve); `--bits` applies
/// to RS* and PS* only; `--encrypt` and `--pem` exclude each other; KDF and passphrase options need `--encrypt`.
public struct KeyGeneration: Sendable {
    public var alg = ""
    public var kid: String?
    public var bits: Int?
    public var crv: String?
    public var pem = false
    public var encrypt = false
    /// Whether KDF cost or passphrase options were given.
    public var encryptionOptionsGiven = false

    public init() {}

    /// Checks the options and makes the key.
    public func generate() throws(WIFError) -> JWK {
        let a = try Algorithm.parse(alg)
        var curve: Curve?
        if let crv {
            guard let c = Curve.allCases.first(where: { $0.rawValue.same(crv) }), a.fits(keyType: c.keyType, curve: c) else {
                throw WIFError(.usage, "--crv \(JSON.escapedForMessage(crv)) does not fit --alg \(a.rawValue)",
                               hint: "EdDSA takes Ed25519 or Ed448; other algs fix their curve")
            }
            curve = c
        }
        if bits != nil && a.keyType != .rsa { throw WIFError(.usage, "--bits applies to RS* and PS* keys only") }
        if encrypt && pem { throw WIFError(.usage, "--encrypt and --pem cannot be combined", hint: "an encrypted key is a wif key file") }
        if !encrypt && encryptionOptionsGiven {
            throw WIFError(.usage, "--kdf-* and --passphrase-* options go with --encrypt")
        }
        return try JWK.generate(alg: a, curve: curve, rsaBits: bits ?? 2048, kid: kid)
    }
}
