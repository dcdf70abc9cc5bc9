// SPDX-License-Identifier: Apache-2.0
import Core
import Foundation
import Testing

/// Project Wycheproof signature and MAC vectors (Tests/Fixtures/wycheproof, Apache 2.0) run through Core:
/// keys are imported with `JWK.parse`, signatures checked with `Verifier`.
///
/// Rules: every `valid` test is accepted and every `invalid` one rejected; `acceptable` may go either way.
/// Where JWS deliberately differs from the primitive the test is skipped with its reason, and the JOSE verdict
/// is asserted instead (the key is refused, or the signature rejected). The number skipped per file is fixed, so
/// a change that skips more (or fewer) tests fails.
@Suite struct WycheproofTests {
    struct VectorFile: Sendable, CustomTestStringConvertible {
        let name: String
        let algorithm: Algorithm
        let tests: Int
        /// Tests skipped because JOSE deliberately differs from the primitive.
        let skipped: Int
        var testDescription: String { name }
    }

    static let files: [VectorFile] = [
        VectorFile(name: "ecdsa_secp256r1_sha256_p1363_test.json", algorithm: .es256, tests: 262, skipped: 0),
        VectorFile(name: "ecdsa_secp384r1_sha384_p1363_test.json", algorithm: .es384, tests: 280, skipped: 0),
        VectorFile(name: "ecdsa_secp521r1_sha512_p1363_test.json", algorithm: .es512, tests: 318, skipped: 0),
        VectorFile(name: "ecdsa_secp256k1_sha256_p1363_test.json", algorithm: .es256k, tests: 252, skipped: 0),
        VectorFile(name: "ed25519_test.json", algorithm: .edDSA, tests: 151, skipped: 0),
        VectorFile(name: "ed448_test.json", algorithm: .edDSA, tests: 87, skipped: 0),
        // Per file: 81 tests with 128/192/256-bit tags (truncated), 3 + 3 with keys shorter than the hash.
        VectorFile(name: "hmac_sha256_test.json", algorithm: .hs256, tests: 174, skipped: 90),
        VectorFile(name: "hmac_sha384_test.json", algorithm: .hs384, tests: 174, skipped: 90),
        VectorFile(name: "hmac_sha512_test.json", algorithm: .hs512, tests: 174, skipped: 90),
        VectorFile(name: "rsa_pss_2048_sha256_mgf1_32_test.json", algorithm: .ps256, tests: 108, skipped: 0),
        VectorFile(name: "rsa_pss_2048_sha384_mgf1_48_test.json", algorithm: .ps384, tests: 141, skipped: 0),
        VectorFile(name: "rsa_pss_4096_sha512_mgf1_64_test.json", algorithm: .ps512, tests: 179, skipped: 0),
        VectorFile(name: "rsa_signature_2048_sha256_test.json", algorithm: .rs256, tests: 259, skipped: 0),
        VectorFile(name: "rsa_signature_2048_sha384_test.json", algorithm: .rs384, tests: 258, skipped: 0),
        VectorFile(name: "rsa_signature_2048_sha512_test.json", algorithm: .rs512, tests: 259, skipped: 0),
        VectorFile(name: "rsa_signature_3072_sha256_test.json", algorithm: .rs256, tests: 259, skipped: 0),
        VectorFile(name: "rsa_signature_4096_sha512_test.json", algorithm: .rs512, tests: 259, skipped: 0),
    ]

    static var directory: String { fixturesDirectory() + "/wycheproof" }

    /// Reads and parses a vector file with Core's strict JSON reader.
    static func load(_ name: String) throws -> JSONObject {
        let path = directory + "/" + name
        let data = try #require(FileManager.default.contents(atPath: path), "cannot read \(path)")
        return try JSON.parseObject([UInt8](data), what: name)
    }

    struct Tally {
        var accepted = 0, rejected = 0, acceptable = 0
        var skipped: [String: Int] = [:]
        var failures: [String] = []
        var checked: Int { accepted + rejected + acceptable }
        var skippedTotal: Int { skipped.values.reduce(0, +) }
    }

    @Test(arguments: files)
    func vectors(_ file: VectorFile) throws {
        let root = try Self.load(file.name)
        let groups = try #require(root["testGroups"]?.arrayValue)
        #expect(root["numberOfTests"]?.int64Value == Int64(file.tests))
        var tally = Tally()
        for g in groups {
            let group = try #require(g.objectValue)
            if file.algorithm.family == .hmac {
                try Self.runMAC(group, file: file, into: &tally)
            } else {
                try Self.runSignatures(group, file: file, into: &tally)
            }
        }
        #expect(tally.failures.isEmpty, "\(tally.failures.count) failures: \(tally.failures.prefix(20))")
        #expect(tally.checked + tally.skippedTotal == file.tests)
        #expect(tally.skippedTotal == file.skipped, "skipped: \(tally.skipped)")
        #expect(tally.accepted > 0 && tally.rejected > 0, "accepted \(tally.accepted), rejected \(tally.rejected)")
        let skips = tally.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
        print("wycheproof \(file.name): \(tally.accepted) valid accepted, \(tally.rejected) invalid rejected, "
              + "\(tally.acceptable) acceptable, \(tally.skippedTotal) skipped" + (skips.isEmpty ? "" : " (\(skips))"))
    }

    /// One test's verdict against Wycheproof's.
    static func record(_ ok: Bool, test: JSONObject, into tally: inout Tally) {
        let id = test["tcId"]?.int64Value ?? -1
        let comment = test["comment"]?.stringValue ?? ""
        switch test["result"]?.stringValue {
        case "valid" where ok: tally.accepted += 1
        case "valid": tally.failures.append("tcId \(id) valid but rejected (\(comment))")
        case "invalid" where !ok: tally.rejected += 1
        case "invalid": tally.failures.append("tcId \(id) invalid but accepted (\(comment))")
        case "acceptable":
            tally.acceptable += 1
        default:
            tally.failures.append("tcId \(id): unknown result")
        }
    }

    static func field(_ o: JSONObject, _ name: String) throws -> [UInt8] {
        hex(try #require(o[name]?.stringValue, "missing \(name)"))
    }

    // MARK: Signatures

    /// The group's key as a JWK: its `publicKeyJwk` / `keyJwk`, or one built from the EC point's coordinates.
    static func key(of group: JSONObject, file: VectorFile) throws -> JWK {
        if let jwk = (group["publicKeyJwk"] ?? group["keyJwk"])?.objectValue {
            return try JWK.parse(jwk, what: "\(file.name) key")
        }
        let pk = try #require(group["publicKey"]?.objectValue, "group without a key")
        let curve = try #require(file.algorithm.requiredCurve, "group without a JWK for \(file.algorithm)")
        func coordinate(_ name: String) throws -> String {
            // Wycheproof writes coordinates as unsigned big-endian hex, sometimes with a leading 00: fix the length.
            let b = Array(try field(pk, name).drop { $0 == 0 })
            try #require(b.count <= curve.size, "\(name) too long")
            return Base64URL.encode([UInt8](repeating: 0, count: curve.size - b.count) + b)
        }
        let x = try coordinate("wx"), y = try coordinate("wy")
        return try parseJWK(jwkJSON([("kty", "EC"), ("crv", curve.rawValue), ("x", x), ("y", y)]))
    }

    static func runSignatures(_ group: JSONObject, file: VectorFile, into tally: inout Tally) throws {
        let tests = try #require(group["tests"]?.arrayValue)
        let verifier = try Verifier(key: try key(of: group, file: file), algorithm: file.algorithm)
        for t in tests {
            let test = try #require(t.objectValue)
            let ok = verifier.verify(signature: try field(test, "sig"), message: try field(test, "msg"))
            record(ok, test: test, into: &tally)
        }
    }

    // MARK: MACs

    /// HMAC groups. JWS differs from the primitive twice (RFC 7518 §3.2): the MAC is never truncated, and the key
    /// is at least as long as the hash output. Such tests are skipped, and the JOSE verdict is asserted instead.
    static func runMAC(_ group: JSONObject, file: VectorFile, into tally: inout Tally) throws {
        let tests = try #require(group["tests"]?.arrayValue)
        let alg = file.algorithm
        let tagBits = try #require(group["tagSize"]?.int64Value)
        for t in tests {
            let test = try #require(t.objectValue)
            let keyBytes = try field(test, "key")
            let jwk = jwkJSON([("kty", "oct"), ("k", Base64URL.encode(keyBytes)), ("alg", alg.rawValue)])
            let tag = try field(test, "tag"), msg = try field(test, "msg")
            if keyBytes.count < alg.hashLength {
                tally.skipped["key shorter than the hash (RFC 7518 §3.2)", default: 0] += 1
                if reason(of: { try parseJWK(jwk) }) != .keyWeak {
                    tally.failures.append("tcId \(test["tcId"]?.int64Value ?? -1): short key not refused as key_weak")
                }
                continue
            }
            let verifier = try Verifier(key: try parseJWK(jwk), algorithm: alg)
            let ok = verifier.verify(signature: tag, message: msg)
            if tagBits != Int64(alg.hashLength * 8) {
                tally.skipped["truncated MAC (RFC 7518 §3.2)", default: 0] += 1
                if ok { tally.failures.append("tcId \(test["tcId"]?.int64Value ?? -1): truncated MAC accepted") }
                continue
            }
            record(ok, test: test, into: &tally)
        }
    }

    // MARK: Fixture files

    /// Every fixture file is strict JSON (no duplicate names, valid UTF-8) and holds as many tests as it says.
    /// `json_web_signature_test.json` is only checked for shape here; the JWS-level verifier runs its tests.
    @Test(arguments: files.map(\.name) + ["json_web_signature_test.json"])
    func fixtureIsWellFormed(_ name: String) throws {
        let root = try Self.load(name)
        let groups = try #require(root["testGroups"]?.arrayValue)
        let count = groups.reduce(0) { $0 + ($1.objectValue?["tests"]?.arrayValue?.count ?? 0) }
        #expect(Int64(count) == root["numberOfTests"]?.int64Value)
    }

    @Test func licenseTravelsWithTheVectors() throws {
        let license = try #require(FileManager.default.contents(atPath: Self.directory + "/LICENSE"))
        #expect(String(decoding: license, as: UTF8.self).contains("Apache License"))
        #expect(FileManager.default.fileExists(atPath: Self.directory + "/README.md"))
    }
}
