// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The rules of `wif-mint key generate` at the top of Sources/Core/Operations/KeyGeneration.swift. No RSA key is
/// generated here: the RSA rules are checked before any generation starts.
@Suite struct KeyGenerationTests {
    func generate(_ edit: (inout KeyGeneration) -> Void) throws -> JWK {
        var g = KeyGeneration()
        edit(&g)
        return try g.generate()
    }

    func failure(_ edit: (inout KeyGeneration) -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> Reason? {
        reason(of: { try generate(edit) }, sourceLocation: sourceLocation)
    }

    @Test func algIsRequiredAndKnown() {
        #expect(failure { _ in } == .usage)
        #expect(failure { $0.alg = "none" } == .usage)
        #expect(failure { $0.alg = "es256" } == .usage)
    }

    @Test(arguments: [(Algorithm.es256, Curve.p256), (.es384, .p384), (.es512, .p521), (.es256k, .secp256k1),
                      (.edDSA, .ed25519), (.ed25519, .ed25519), (.ed448, .ed448)])
    func eachCurveAlgorithmMakesItsCurve(_ alg: Algorithm, _ curve: Curve) throws {
        let k = try generate { $0.alg = alg.rawValue }
        #expect(k.curve == curve)
        #expect(k.algName == alg.rawValue)
        #expect(k.isPrivate)
        #expect(k.use == "sig")
        #expect(k.kid == k.thumbprint)
    }

    @Test func edDSATakesEd25519OrEd448() throws {
        #expect(try generate { $0.alg = "EdDSA"; $0.crv = "Ed448" }.curve == .ed448)
        #expect(try generate { $0.alg = "EdDSA"; $0.crv = "Ed25519" }.curve == .ed25519)
        #expect(failure { $0.alg = "EdDSA"; $0.crv = "X25519" } == .usage)
        #expect(failure { $0.alg = "EdDSA"; $0.crv = "P-256" } == .usage)
        #expect(failure { $0.alg = "EdDSA"; $0.crv = "ed25519" } == .usage)
    }

    @Test func otherAlgorithmsFixTheirCurve() throws {
        #expect(try generate { $0.alg = "ES256"; $0.crv = "P-256" }.curve == .p256)
        #expect(failure { $0.alg = "ES256"; $0.crv = "P-384" } == .usage)
        #expect(failure { $0.alg = "Ed25519"; $0.crv = "Ed448" } == .usage)
        #expect(failure { $0.alg = "HS256"; $0.crv = "P-256" } == .usage)
        #expect(failure { $0.alg = "RS256"; $0.crv = "P-256" } == .usage)
    }

    @Test func bitsOnlyForRSA() {
        #expect(failure { $0.alg = "ES256"; $0.bits = 2048 } == .usage)
        #expect(failure { $0.alg = "HS256"; $0.bits = 256 } == .usage)
        #expect(failure { $0.alg = "EdDSA"; $0.bits = 256 } == .usage)
    }

    @Test func rsaSizesAreCheckedBeforeGeneration() {
        #expect(failure { $0.alg = "RS256"; $0.bits = 1024 } == .keyWeak)
        #expect(failure { $0.alg = "PS256"; $0.bits = 2047 } == .keyWeak)
        #expect(failure { $0.alg = "RS256"; $0.bits = 2049 } == .keyWeak)
        #expect(failure { $0.alg = "RS256"; $0.bits = 16392 } == .keyWeak)
    }

    @Test func encryptAndPEMExcludeEachOther() throws {
        #expect(failure { $0.alg = "ES256"; $0.encrypt = true; $0.pem = true } == .usage)
        #expect(try generate { $0.alg = "ES256"; $0.pem = true }.isPrivate)
        #expect(try generate { $0.alg = "ES256"; $0.encrypt = true }.isPrivate)
    }

    @Test func encryptionOptionsNeedEncrypt() throws {
        #expect(failure { $0.alg = "ES256"; $0.encryptionOptionsGiven = true } == .usage)
        #expect(try generate { $0.alg = "ES256"; $0.encrypt = true; $0.encryptionOptionsGiven = true }.isPrivate)
    }

    @Test func hmacKeysHaveTheHashLength() throws {
        for (alg, bytes) in [("HS256", 32), ("HS384", 48), ("HS512", 64)] {
            let k = try generate { $0.alg = alg }
            #expect(k.keyType == .oct)
            #expect(k.bits == bytes * 8)
        }
    }

    @Test func kidIsKeptOrTheThumbprint() throws {
        #expect(try generate { $0.alg = "ES256"; $0.kid = "mine" }.kid == "mine")
        let k = try generate { $0.alg = "ES256" }
        #expect(k.kid == k.thumbprint)
    }

    @Test func twoKeysDiffer() throws {
        let a = try generate { $0.alg = "ES256" }, b = try generate { $0.alg = "ES256" }
        #expect(a.thumbprint != b.thumbprint)
    }
}
