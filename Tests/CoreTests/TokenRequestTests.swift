// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The rules of `TokenRequest.Settings.parameters()` (Sources/Core/Operations/TokenRequest.swift): every token
/// option follows `Input.tokenArgument` (an existing file is read, a missing file name is exit 2 and never
/// sent), standard input at most once, options of another grant refused, and the order parameters are sent in.
@Suite struct TokenRequestTests {
    let dir: TempDir
    let token: String

    init() throws {
        dir = try TempDir()
        token = String(decoding: try mint(try MirrorKeys.key(MirrorKeys.ec)), as: UTF8.self)
    }

    func parameters(_ edit: (inout TokenRequest.Settings) -> Void) throws -> [(String, String)] {
        var s = TokenRequest.Settings()
        edit(&s)
        return try s.parameters()
    }

    func failure(_ edit: (inout TokenRequest.Settings) -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> Reason? {
        reason(of: { try parameters(edit) }, sourceLocation: sourceLocation)
    }

    func names(_ p: [(String, String)]) -> [String] { p.map(\.0) }

    // MARK: token arguments

    @Test func aLiteralTokenIsSent() throws {
        let p = try parameters { $0.assertion = token }
        #expect(names(p) == ["grant_type", "assertion"])
        #expect(p[0].1 == TokenRequest.jwtBearerGrant)
        #expect(p[1].1 == token)
    }

    @Test func anExistingFileIsReadWhateverItsName() throws {
        let file = try dir.write("assertion.txt", token + "\n")
        #expect(try parameters { $0.assertion = file }[1].1 == token)
        let odd = try dir.write("no-extension", "  " + token + "\r\n")
        #expect(try parameters { $0.assertion = odd }[1].1 == token)
    }

    @Test(arguments: ["token.jwt", "job.jwt", "./assertion", "missing-file"])
    func aMissingFileNameIsNeverSent(_ name: String) throws {
        let e = wifError { try parameters { $0.assertion = name } }
        #expect(e?.reason == .inputUnreadable)
        #expect(e?.reason.exitStatus == .failure)
        #expect(e?.detail.contains("neither an existing file nor a compact token") == true)
        #expect(failure { $0.grant = "client-credentials"; $0.clientAssertion = name } == .inputUnreadable)
        #expect(failure { $0.grant = "token-exchange"; $0.subjectToken = name } == .inputUnreadable)
        #expect(failure { $0.grant = "token-exchange"; $0.subjectToken = token; $0.actorToken = name } == .inputUnreadable)
    }

    @Test func anEmptyTokenFileIsNothingToSend() throws {
        let empty = try dir.write("empty", "")
        let blank = try dir.write("blank", " \n\t\r\n")
        #expect(failure { $0.assertion = empty } == .inputEmpty)
        #expect(failure { $0.assertion = blank } == .inputEmpty)
        #expect(failure { $0.grant = "client-credentials"; $0.clientAssertion = empty } == .inputEmpty)
    }

    @Test func aTokenFileOverTheLimitIsMalformed() throws {
        let big = try dir.write("big", [UInt8](repeating: UInt8(ascii: "A"), count: CompactJWS.defaultMaxSize + 3))
        #expect(failure { $0.assertion = big } == .malformed)
    }

    @Test func aTokenFileMustBeUTF8() throws {
        let latin1 = try dir.write("latin1", [0x61, 0xE9, 0x62])
        #expect(failure { $0.assertion = latin1 } == .usage)
    }

    @Test func standardInputAtMostOnce() {
        // jwt-bearer reads the assertion from standard input when none is given.
        #expect(failure { $0.clientAssertion = "-" } == .usage)
        #expect(failure { $0.assertion = "-"; $0.clientAssertion = "-" } == .usage)
        #expect(failure { $0.grant = "token-exchange"; $0.subjectToken = "-"; $0.actorToken = "-" } == .usage)
        #expect(failure { $0.grant = "token-exchange"; $0.subjectToken = "-"; $0.clientAssertion = "-" } == .usage)
    }

    // MARK: grants

    @Test func unknownGrant() {
        #expect(failure { $0.grant = "password" } == .usage)
        #expect(failure { $0.grant = "jwt_bearer"; $0.assertion = token } == .usage)
    }

    @Test func clientCredentials() throws {
        #expect(failure { $0.grant = "client-credentials" } == .usage)
        let p = try parameters { $0.grant = "client-credentials"; $0.clientAssertion = token; $0.scope = "read" }
        #expect(names(p) == ["grant_type", "client_assertion_type", "client_assertion", "scope"])
        #expect(p[0].1 == TokenRequest.clientCredentialsGrant)
        #expect(p[1].1 == TokenRequest.clientAssertionType)
        #expect(p[2].1 == token)
    }

    @Test func tokenExchange() throws {
        #expect(failure { $0.grant = "token-exchange" } == .usage)
        #expect(failure { $0.grant = "token-exchange"; $0.subjectToken = token; $0.actorTokenType = "urn:x" } == .usage)
        let p = try parameters {
            $0.grant = "token-exchange"
            $0.subjectToken = token
            $0.actorToken = token
            $0.requestedTokenType = "urn:r"
            $0.audience = ["a1", "a2"]
            $0.resource = ["r"]
            $0.clientID = "c"
            $0.params = ["x=1", "y="]
        }
        #expect(names(p) == ["grant_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type",
                             "requested_token_type", "audience", "audience", "resource", "client_id", "x", "y"])
        #expect(p[2].1 == TokenRequest.jwtTokenType)
        #expect(p[4].1 == TokenRequest.jwtTokenType)
        #expect(p.last?.1 == "")
        let typed = try parameters { $0.grant = "token-exchange"; $0.subjectToken = token; $0.subjectTokenType = "urn:s" }
        #expect(typed[2].1 == "urn:s")
    }

    @Test func optionsOfAnotherGrantAreRefused() {
        #expect(failure { $0.grant = "client-credentials"; $0.clientAssertion = token; $0.assertion = token } == .usage)
        #expect(failure { $0.grant = "token-exchange"; $0.subjectToken = token; $0.assertion = token } == .usage)
        #expect(failure { $0.assertion = token; $0.subjectToken = token } == .usage)
        #expect(failure { $0.assertion = token; $0.actorToken = token } == .usage)
        #expect(failure { $0.assertion = token; $0.audience = ["a"] } == .usage)
        #expect(failure { $0.assertion = token; $0.requestedTokenType = "urn:x" } == .usage)
    }

    @Test func params() throws {
        #expect(failure { $0.assertion = token; $0.params = ["=x"] } == .usage)
        #expect(failure { $0.assertion = token; $0.params = ["novalue"] } == .usage)
        let p = try parameters { $0.assertion = token; $0.params = ["a=b=c"] }
        #expect(p.last?.0 == "a" && p.last?.1 == "b=c")
    }

    @Test func theBodyIsFormEncoded() throws {
        let p = try parameters { $0.assertion = token; $0.scope = "read write"; $0.params = ["n=a&b"] }
        let body = FormEncoding.encode(p)
        #expect(body.hasSuffix("&scope=read+write&n=a%26b"))
        #expect(try FormEncoding.decode(Array(body.utf8)).map(\.1) == p.map(\.1))
    }
}
