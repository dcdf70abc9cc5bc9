// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Behaviour of Sources/Core/Operations/Inspect.swift that outlives its report model: what `Inspector.read` takes,
/// what `extract` finds, how input is detected, and that secrets never appear. Kept to facts, not JSON layout
/// (the typed inspection model is being rewritten).
@Suite struct InspectorReadTests {
    let dir: TempDir
    let ec: JWK

    init() throws {
        dir = try TempDir()
        ec = try MirrorKeys.key(MirrorKeys.ec)
    }

    func report(_ s: String, validator: Validator? = nil) throws -> InspectionReport {
        try Inspector(now: mirrorNow, validator: validator).inspect(Array(s.utf8))
    }

    func inspect(_ s: String, validator: Validator? = nil) throws -> JSON { try report(s, validator: validator).json }

    func type(_ j: JSON) -> String? { j.objectValue?["type"]?.stringValue }

    // MARK: read

    @Test func readFollowsTheTokenArgumentRule() throws {
        #expect(try Inspector.read(RFC.a1Token) == Array(RFC.a1Token.utf8))
        let f = try dir.write("anything.txt", "{\"kty\":\"oct\"}\n")
        #expect(try Inspector.read(f) == Array("{\"kty\":\"oct\"}\n".utf8))
        #expect(reason { try Inspector.read("token.jwt") } == .inputUnreadable)
        #expect(reason { try Inspector.read(try dir.write("empty", " \n")) } == .inputEmpty)
        let big = try dir.write("big", [UInt8](repeating: 0x41, count: Inspector.maxInput + 1))
        #expect(reason { try Inspector.read(big) } == .inputTooLarge)
    }

    // MARK: detection

    @Test func inputIsDetectedByContent() throws {
        #expect(type(try inspect(RFC.a1Token)) == "jws")
        #expect(type(try inspect("  " + RFC.a3Token + "\n")) == "jws")
        #expect(type(try inspect("a.b.c.d.e")) == "jwe")
        #expect(type(try inspect(RFC.a1Token + "\n" + RFC.a3Token + "\n")) == "tokens")
        #expect(type(try inspect(RFC.a3PublicKey)) == "jwk")
        #expect(type(try inspect(#"{"keys":[]}"#)) == "jwks")
        #expect(type(try inspect(try ec.pem(includePrivate: false))) == "pem")
        #expect(type(try inspect("grant_type=client_credentials&scope=a")) == "request")
        #expect(type(try inspect(#"{"grant_type":"client_credentials"}"#)) == "request")
        #expect(type(try inspect(#"{"valid":"\#(RFC.a1Token)"}"#)) == "named_tokens")
    }

    @Test func whatIsNotRecognisedCouldNotBeJudged() {
        #expect(reason { try inspect("") } == .inputInvalid)
        #expect(reason { try inspect(" \n ") } == .inputInvalid)
        #expect(reason { try inspect("hello world") } == .inputInvalid)
        #expect(reason { try inspect("a=b") } == .inputInvalid)
        #expect(reason { try inspect(#"{"payload":"e30","signatures":[]}"#) } == .inputInvalid)
        #expect(reason { try inspect(#"{"a":1}"#) } == .inputInvalid)
        #expect(Reason.inputInvalid.exitStatus == .failure)
    }

    // MARK: secrets

    @Test func privateKeyMaterialIsNeverShown() throws {
        let priv = JSON.object(ec.json(includePrivate: true)).serialized()
        let d = ec.json(includePrivate: true)["d"]?.stringValue ?? ""
        #expect(!d.isEmpty)
        #expect(!(try inspect(priv)).serialized().contains(d))
        let hs = try hmacKey()
        let k = hs.json(includePrivate: true)["k"]?.stringValue ?? ""
        #expect(!(try inspect(JSON.object(hs.json(includePrivate: true)).serialized())).serialized().contains(k))
        let set = #"{"keys":[\#(priv)]}"#
        #expect(!(try inspect(set)).serialized().contains(d))
    }

    @Test func secretRequestParametersAreNeverShown() throws {
        let r = try inspect("grant_type=password&password=hunter2-secret&client_secret=s3cr3t-value")
        #expect(!r.serialized().contains("hunter2-secret"))
        #expect(!r.serialized().contains("s3cr3t-value"))
    }

    // MARK: extract

    @Test func extractFindsAClaimOrHeaderOfEachToken() throws {
        let a = String(decoding: try mint(ec) { $0.sub = "one" }, as: UTF8.self)
        let b = String(decoding: try mint(ec) { $0.sub = nil }, as: UTF8.self)
        let report = try self.report(a + "\n" + b)
        let sub = try Inspector.extract(report, name: "sub", inHeader: false)
        #expect(sub.found == ["one"])
        #expect(sub.missing)
        let kid = try Inspector.extract(report, name: "kid", inHeader: true)
        #expect(kid.found == ["ec-1", "ec-1"])
        #expect(!kid.missing)
        let exp = try Inspector.extract(try self.report(a), name: "exp", inHeader: false)
        #expect(exp.found == [String(mirrorNow + 300)])   // non-strings as JSON text
        #expect(reason { try Inspector.extract(try self.report(RFC.a3PublicKey), name: "sub", inHeader: false) } == .usage)
    }

    // MARK: findings and verdicts

    @Test func findingsNameWhatIsWrong() throws {
        let none = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + ".e30."
        let codes = try report(none).findings.map(\.code)
        #expect(codes.contains("alg_none"))
        #expect(codes.contains("no_exp"))
        let fine = try report(String(decoding: try mint(ec), as: UTF8.self)).findings
        #expect(!fine.contains { $0.severity == .error })
    }

    @Test func withKeysATokenGetsTheVerifiersVerdict() throws {
        var p = Policy(profile: .none)
        p.audiences = ["https://as.example/token"]
        let v = try validator([ec], p)
        let good = String(decoding: try mint(ec), as: UTF8.self)
        let wrong = String(decoding: try mint(ec) { $0.aud = ["x"] }, as: UTF8.self)
        #expect(!(try report(good, validator: v)).rejected)
        #expect((try report(wrong, validator: v)).rejected)
        #expect((try report(good + "\n" + wrong, validator: v)).rejected)
        // Without keys there is no verdict to reject.
        #expect(!(try report(wrong)).rejected)
    }
}
