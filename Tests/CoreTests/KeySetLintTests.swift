// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The one key-set linter: each fact its code and severity, the table both man pages carry, and the same
/// findings from `wif-inspect`'s engine and `jwks-check`'s.
@Suite struct KeySetLintTests {
    static func pub(_ key: JWK, _ changes: [(String, JSON?)] = []) -> JSON { RotationCheckTests.pub(key, changes) }
    static func object(_ keys: [JSON]) -> JSONObject { JSONObject([("keys", .array(keys))]) }
    static func lint(_ keys: [JSON]) -> KeySetLint { KeySetLint(object(keys), what: "set.json") }
    static func codes(_ l: KeySetLint) -> [String] { l.findings.map(\.code) }

    @Test func cleanSet() throws {
        let l = try Self.lint([Self.pub(RotationCheckTests.old), Self.pub(RotationCheckTests.new)])
        #expect(l.findings.isEmpty)
        #expect(l.entries.count == 2 && l.entries.allSatisfy { $0.key != nil && $0.problem == nil })
    }

    @Test func setShape() {
        #expect(Self.codes(KeySetLint(JSONObject([("keys", .string("x"))]))) == ["no_keys"])
        #expect(Self.codes(KeySetLint(JSONObject())) == ["no_keys"])
        #expect(Self.codes(Self.lint([])) == ["empty_set"])
    }

    @Test func tooManyKeysReadsTheFirstOnes() throws {
        let keys = try (0...JWKSet.maxKeys).map { try Self.pub(RotationCheckTests.old, [("kid", .string("k\($0)"))]) }
        let l = Self.lint(keys)
        #expect(l.entries.count == JWKSet.maxKeys)
        #expect(Self.codes(l).first == "too_many_keys")
    }

    /// An oct key and a private EC key are the same fact: a secret is published.
    @Test func privateAndSymmetricKeysAreOneFact() throws {
        let priv = try JSON.object(RotationCheckTests.old.json(includePrivate: true))
        let hmac = JSON.object(try JWK.generate(alg: .hs256, kid: "h").json(includePrivate: true))
        let l = Self.lint([priv, hmac])
        #expect(Self.codes(l) == ["private_key_published", "private_key_published"])
        #expect(l.findings.allSatisfy { $0.severity == .error })
    }

    @Test func unusableEntriesKeepTheirProblem() throws {
        let x25519 = JSON.object(JSONObject([("kty", .string("OKP")), ("crv", .string("X25519")), ("kid", .string("x")),
                                             ("alg", .string("EdDSA")), ("use", .string("sig")),
                                             ("x", .string(Base64URL.encode([UInt8](repeating: 9, count: 32))))]))
        let short = JSON.object(JSONObject([("kty", .string("oct")), ("kid", .string("s")), ("alg", .string("HS256")),
                                            ("use", .string("sig")), ("k", .string(Base64URL.encode([UInt8](repeating: 1, count: 16))))]))
        let l = Self.lint([x25519, .string("junk"), short])
        // An unsupported curve is invalid_key (jwks-check's code; wif-inspect called it unsupported_key).
        #expect(Self.codes(l) == ["invalid_key", "invalid_key", "private_key_published", "weak_key"])
        #expect(l.entries.map { $0.problem?.reason } == [.keyInvalid, .keyInvalid, .keyWeak])
        #expect(l.entries[1].raw == nil)
    }

    @Test func missingMembers() throws {
        var o = try RotationCheckTests.old.json(includePrivate: false)
        o["kid"] = nil
        o["alg"] = nil
        o["use"] = nil
        #expect(Self.codes(Self.lint([.object(o)])) == ["missing_kid", "missing_alg", "missing_use"])
    }

    /// A `use: enc` key, key_ops without verify and an encryption alg: one code, one severity.
    @Test func encryptionKeysAreBadUse() throws {
        let rsa = try GeneratedKeys.key(.rs256)
        let l = try Self.lint([Self.pub(RotationCheckTests.old, [("use", .string("enc"))]),
                               Self.pub(RotationCheckTests.new, [("key_ops", .array([.string("encrypt")]))]),
                               Self.pub(rsa, [("kid", .string("r")), ("alg", .string("RSA-OAEP"))])])
        #expect(Self.codes(l) == ["bad_use", "bad_use", "bad_use"])
        #expect(l.findings.allSatisfy { $0.severity == KeySetLint.Code.badUse.severity })
    }

    /// A kid compares as bytes: "é" precomposed and decomposed are two kids, not a duplicate.
    @Test func duplicates() throws {
        let (old, new) = try (RotationCheckTests.old, RotationCheckTests.new)
        #expect(Self.codes(Self.lint([Self.pub(old), Self.pub(new, [("kid", .string("old"))])])) == ["duplicate_kid"])
        #expect(Self.codes(Self.lint([Self.pub(old), Self.pub(old)])) == ["duplicate_key"])
        let nfc = Self.lint([Self.pub(old, [("kid", .string("\u{E9}"))]), Self.pub(new, [("kid", .string("e\u{301}"))])])
        #expect(nfc.findings.isEmpty)
    }

    /// The same set gives the same findings in wif-inspect's report and in jwks-check's.
    @Test func inspectorAndRotationCheckAgree() throws {
        let priv = try JSON.object(RotationCheckTests.old.json(includePrivate: true))
        let set = try [priv, Self.pub(RotationCheckTests.new, [("use", .string("enc")), ("alg", nil)]), .string("x")]
        let bytes = RotationCheckTests.set(set)
        let check = try RotationCheck(published: bytes, publishedName: "the set", now: 0).run()
        let report = try Inspector(now: 0).inspect(bytes)
        let inspected = report.findings
        #expect(check.findings.map(\.code) == inspected.map(\.code))
        #expect(check.findings.map(\.severity) == inspected.map(\.severity))
        #expect(check.findings.map(\.message) == inspected.map(\.message))
        #expect(!check.findings.isEmpty)
    }

    // MARK: The table in the man pages

    static func table(_ page: String) throws -> [String] {
        var parts = fixturesDirectory().split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)   // Tests/Fixtures
        let text = String(decoding: try Input.read(parts.joined(separator: "/") + "/man/" + page), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let a = lines.firstIndex(where: { $0.hasPrefix(".\\\" key-set findings: begin") }),
              let b = lines.firstIndex(where: { $0.hasPrefix(".\\\" key-set findings: end") }), a < b else {
            Issue.record("man/\(page) has no key-set findings table")
            return []
        }
        return Array(lines[a...b])
    }

    @Test func bothManPagesCarryTheSameTable() throws {
        let inspect = try Self.table("wif-inspect.1")
        let verify = try Self.table("wif-verify.1")
        #expect(inspect == verify)
        for code in KeySetLint.Code.allCases {
            guard let i = inspect.firstIndex(of: ".It Li \(code.rawValue)") else {
                Issue.record("\(code.rawValue) is not an .It of the key-set table")
                continue
            }
            #expect(inspect.indices.contains(i + 1) && inspect[i + 1].hasPrefix("\(code.severity.rawValue): "),
                    "\(code.rawValue) is documented with another severity than \(code.severity.rawValue)")
        }
        let documented = inspect.filter { $0.hasPrefix(".It Li ") }.map { String($0.dropFirst(7)) }
        #expect(documented == KeySetLint.Code.allCases.map(\.rawValue))
    }

    /// The codes are API: add, never rename.
    @Test func stableCodes() {
        #expect(KeySetLint.Code.allCases.map(\.rawValue) == [
            "no_keys", "too_many_keys", "empty_set", "private_key_published", "invalid_key", "weak_key", "missing_kid",
            "missing_alg", "missing_use", "bad_use", "duplicate_kid", "duplicate_key",
        ])
    }
}
