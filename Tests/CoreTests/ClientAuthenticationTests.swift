// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The rules at the top of ClientRegistry.swift, ClientAuthentication.swift, TokenEndpoint+ClientAuth.swift and
/// HTTPRequestMessage.swift: strict client files, each authentication method positive and negative, ID-JAG.
@Suite struct ClientAuthenticationTests {
    static let aud = "https://as.example/token"
    let ec: JWK
    let clientKey: JWK
    let dir: TempDir

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        clientKey = try MirrorKeys.key(MirrorKeys.ec2)
        dir = try TempDir()
    }

    static let sha = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b" // SHA-256("secret")

    func registry(_ json: String) throws(WIFError) -> ClientRegistry {
        try ClientRegistry.parse(try JSON.parseObject(Array(json.utf8), what: "clients"), what: "clients")
    }

    func endpoint(clients: String?, profile: Profile = .rfc7523, _ edit: (inout TokenEndpoint) -> Void = { _ in }) throws -> TokenEndpoint {
        var p = Policy(profile: profile)
        p.audiences = [Self.aud]
        var e = try TokenEndpoint(validator: try validator([ec], p))
        e.allowGrants = [TokenRequest.clientCredentialsGrant, TokenRequest.tokenExchangeGrant]
        if let clients { e.clients = try registry(clients) }
        edit(&e)
        return e
    }

    func handle(_ e: TokenEndpoint, _ params: [(String, String)], headers: [(String, String)] = []) throws
        -> (TokenEndpoint.Outcome, TokenEndpoint.Facts) {
        var facts = TokenEndpoint.Facts()
        let o = try e.handle(body: Array(FormEncoding.encode(params).utf8), headers: headers, now: mirrorNow, facts: &facts)
        return (o, facts)
    }

    func failure(_ o: TokenEndpoint.Outcome) -> (OAuthError, Reason)? {
        if case .failure(let e, let w) = o { return (e, w.reason) }
        return nil
    }

    static func basic(_ id: String, _ secret: String) -> (String, String) {
        ("Authorization", "Basic " + Base64Standard.encode(Array((FormEncoding.encodeComponent(id) + ":" + FormEncoding.encodeComponent(secret)).utf8)))
    }

    static let cc = [("grant_type", "client_credentials")]
    static let secretClients = """
        {"clients":[{"client_id":"svc","token_endpoint_auth_method":"client_secret_basic","client_secret_sha256":"\(sha)",
          "grant_types":["client_credentials"],"scope":"read write"},
         {"client_id":"poster","token_endpoint_auth_method":"client_secret_post","client_secret_sha256":"\(sha)"},
         {"client_id":"public","token_endpoint_auth_method":"none"}]}
        """

    @Test func strictClientFiles() throws {
        #expect(try registry(Self.secretClients).clients.map(\.id) == ["svc", "poster", "public"])
        let bad = [
            #"{"clients":[{"client_id":"a","client_secret":"plain"}]}"#,  // a plain secret is never accepted
            #"{"clients":[{"client_id":"a"}]}"#,  // client_secret_basic without a secret
            #"{"clients":[{"client_id":"a","token_endpoint_auth_method":"none","client_secret_sha256":"\#(Self.sha)"}]}"#,
            #"{"clients":[{"client_id":"a","client_secret_sha256":"abcd"}]}"#,
            #"{"clients":[{"client_id":"a","client_secret_sha256":"\#(Self.sha)"},{"client_id":"a","client_secret_sha256":"\#(Self.sha)"}]}"#,
            #"{"clients":[{"client_id":1}]}"#,
            #"{"clients":[{"client_id":"a","token_endpoint_auth_method":"tls_client_auth"}]}"#,
            #"{"clients":[{"client_id":"a","token_endpoint_auth_method":"private_key_jwt"}]}"#,
            #"{"clients":[{"client_id":"a","token_endpoint_auth_method":"none","grant_types":"client_credentials"}]}"#,
            #"{"clients":[{"client_id":"a","client_secret_argon2id":"$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}]}"#,
            #"{"clients":[],"extra":1}"#,
        ]
        for b in bad { #expect(reason { try registry(b) } == .usage, "\(b)") }
        do { _ = try registry(#"{"clients":[{"client_id":"a","secret":"x"}]}"#) } catch {
            #expect(error.detail.contains("clients[0] (a): secret is not a known member"))
        }
    }

    @Test func secretFileAndArgon2id() throws {
        let path = try dir.write("s", Array("secret\n".utf8))
        let r = try registry(#"{"clients":[{"client_id":"f","client_secret_file":"\#(path)"}]}"#)
        #expect(try r.client("f")?.secret?.matches(Array("secret".utf8)) == true)
        #expect(try r.client("f")?.secret?.matches(Array("secret\n".utf8)) == false)
        let salt = Array("saltsaltsalt".utf8)
        let p = Argon2.Parameters(memoryKiB: 19456, iterations: 2, lanes: 1)
        let h = try Argon2.hash(password: Array("secret".utf8), salt: salt, parameters: p, length: 32)
        let phc = "$argon2id$v=19$m=19456,t=2,p=1$" + Base64Standard.encode(salt).replacingPadding + "$" + Base64Standard.encode(h).replacingPadding
        let secret = try ClientRegistry.parsePHC(phc)
        #expect(try secret.matches(Array("secret".utf8)))
        #expect(try !secret.matches(Array("Secret".utf8)))
    }

    @Test func basicPostAndNone() throws {
        let e = try endpoint(clients: Self.secretClients)
        var (o, f) = try handle(e, Self.cc + [("scope", "read")], headers: [Self.basic("svc", "secret")])
        #expect(failure(o) == nil && f.clientAuth == "client_secret_basic" && f.clientID == "svc")
        (o, _) = try handle(e, Self.cc, headers: [Self.basic("svc", "wrong")])
        #expect(failure(o)! == (.invalidClient, .badClientSecret))
        #expect(TokenEndpoint.httpHeaders(o, requestHeaders: [Self.basic("svc", "wrong")], realm: "https://as.example")
            .contains { $0.0 == "WWW-Authenticate" && $0.1 == #"Basic realm="https://as.example", charset="UTF-8""# })
        (o, _) = try handle(e, Self.cc, headers: [Self.basic("nobody", "secret")])
        #expect(failure(o)! == (.invalidClient, .unknownClient))
        (o, _) = try handle(e, Self.cc + [("client_id", "svc"), ("client_secret", "secret")])
        #expect(failure(o)! == (.invalidClient, .clientAuthMethod))
        (o, _) = try handle(e, Self.cc + [("client_id", "svc")])
        #expect(failure(o)! == (.invalidClient, .clientAuthMissing))
        (o, _) = try handle(e, Self.cc + [("client_secret", "secret")], headers: [Self.basic("svc", "secret")])
        #expect(failure(o)! == (.invalidRequest, .multipleClientAuth))
        (o, _) = try handle(e, Self.cc + [("client_id", "other")], headers: [Self.basic("svc", "secret")])
        #expect(failure(o)! == (.invalidClient, .clientIDMismatch))
        // Grants and scopes registered for the client.
        (o, _) = try handle(e, Self.cc + [("scope", "admin")], headers: [Self.basic("svc", "secret")])
        #expect(failure(o)! == (.invalidScope, .scopeNotAllowed))
        (o, _) = try handle(e, [("grant_type", TokenRequest.tokenExchangeGrant)], headers: [Self.basic("svc", "secret")])
        #expect(failure(o)! == (.unauthorizedClient, .grantTypeRejected))
        // client_secret_post.
        (o, f) = try handle(e, Self.cc + [("client_id", "poster"), ("client_secret", "secret")])
        #expect(failure(o) == nil && f.clientAuth == "client_secret_post")
        (o, _) = try handle(e, Self.cc + [("client_id", "poster"), ("client_secret", "secre")])
        #expect(failure(o)! == (.invalidClient, .badClientSecret))
        (o, _) = try handle(e, Self.cc + [("client_secret", "secret")])
        #expect(failure(o)! == (.invalidClient, .clientAuthMissing))
        // none: a public client, and an unregistered one.
        (o, _) = try handle(e, Self.cc + [("client_id", "public")])
        #expect(failure(o)! == (.unauthorizedClient, .grantTypeRejected))  // RFC 6749 §4.4: confidential only
        let assertion = String(decoding: try mint(ec, baseSpec(aud: [Self.aud])), as: UTF8.self)
        (o, f) = try handle(e, [("grant_type", TokenRequest.jwtBearerGrant), ("assertion", assertion), ("client_id", "public")])
        #expect(failure(o) == nil && f.clientAuth == "none" && f.clientID == "public")
        (o, _) = try handle(e, Self.cc + [("client_id", "stranger")])
        #expect(failure(o)! == (.invalidClient, .unknownClient))
        // Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1).
        let odd = try endpoint(clients: #"{"clients":[{"client_id":"a:b c","client_secret_sha256":"\#(Self.sha)"}]}"#)
        (o, _) = try handle(odd, Self.cc, headers: [Self.basic("a:b c", "secret")])
        #expect(failure(o) == nil)
    }

    @Test func secretsWithoutClientsFailClosed() throws {
        let e = try endpoint(clients: nil)
        var (o, _) = try handle(e, Self.cc, headers: [Self.basic("svc", "secret")])
        #expect(failure(o)! == (.invalidClient, .unknownClient))
        (o, _) = try handle(e, Self.cc + [("client_id", "svc"), ("client_secret", "secret")])
        #expect(failure(o)! == (.invalidClient, .unknownClient))
        // The body-only entry point too.
        o = try e.handle(body: Array("grant_type=client_credentials&client_id=svc&client_secret=secret".utf8), now: mirrorNow)
        #expect(failure(o)! == (.invalidClient, .unknownClient))
    }

    @Test func privateKeyJWTWithTheClientsOwnKeys() throws {
        let pub = try MirrorKeys.publicHalf(clientKey)
        let jwks = JSON.object(JSONObject([("keys", .array([.object(pub.json(includePrivate: false))]))])).serialized()
        let e = try endpoint(clients: #"{"clients":[{"client_id":"bot","token_endpoint_auth_method":"private_key_jwt","jwks":\#(jwks)}]}"#)
        func assertion(_ key: JWK, sub: String = "bot") throws -> String {
            var s = baseSpec(iss: sub, sub: sub, aud: [Self.aud])
            s.iss = sub
            return String(decoding: try mint(key, s), as: UTF8.self)
        }
        let ca = { (t: String) in [("client_assertion_type", TokenRequest.clientAssertionType), ("client_assertion", t)] }
        var (o, f) = try handle(e, Self.cc + ca(try assertion(clientKey)))
        #expect(failure(o) == nil && f.clientAuth == "private_key_jwt" && f.clientID == "bot")
        (o, _) = try handle(e, Self.cc + ca(try assertion(ec)))
        #expect(failure(o)?.0 == .invalidClient)
        (o, _) = try handle(e, Self.cc + ca(try assertion(clientKey, sub: "other")))
        #expect(failure(o)! == (.invalidClient, .unknownClient))
    }

    @Test func idJAGLegTwoNeedsItsClient() throws {
        let e = try endpoint(clients: Self.secretClients.replacingOccurrences("\"grant_types\":[\"client_credentials\"],", ""), profile: .idJAG)
        func idjag(_ client: String) throws -> String {
            var s = baseSpec(aud: [Self.aud])
            s.typ = TokenEndpoint.idJAGTyp
            s.claims["client_id"] = .string(client)
            return String(decoding: try mint(ec, s), as: UTF8.self)
        }
        let grant = { (t: String) in [("grant_type", TokenRequest.jwtBearerGrant), ("assertion", t)] }
        var e2 = e
        e2.issuerKey = ec
        var (o, _) = try handle(e2, grant(try idjag("svc")), headers: [Self.basic("svc", "secret")])
        guard case .success(let j) = o, let at = j.objectValue?["access_token"]?.stringValue else {
            Issue.record("leg 2 failed: \(o.json.serialized())"); return
        }
        let claims = try CompactJWS.parse(Array(at.utf8)).claims()
        #expect(claims["client_id"]?.stringValue == "svc")
        (o, _) = try handle(e2, grant(try idjag("poster")), headers: [Self.basic("svc", "secret")])
        #expect(failure(o)! == (.invalidGrant, .clientIDMismatch))
        (o, _) = try handle(e2, grant(try idjag("svc")))
        #expect(failure(o)! == (.invalidClient, .clientAuthMissing))
    }

    @Test func idJAGLegOneIssuesAnIDJAG() throws {
        let e = try endpoint(clients: nil) { $0.issuerKey = self.ec; $0.issuer = "https://idp.example" }
        let user = String(decoding: try mint(ec, baseSpec(sub: "alice", aud: [Self.aud])), as: UTF8.self)
        let params = [("grant_type", TokenRequest.tokenExchangeGrant), ("subject_token", user),
                      ("subject_token_type", TokenRequest.jwtTokenType), ("requested_token_type", TokenEndpoint.idJAGTokenType),
                      ("audience", "https://as.example"), ("resource", "https://api.example/"), ("client_id", "svc")]
        // Leg 1 takes the client_id from the client's authentication, never from the bare parameter.
        let (bare, _) = try handle(e, params)
        #expect(failure(bare)! == (.invalidClient, .clientAuthMissing))
        let ca = String(decoding: try mint(ec, baseSpec(iss: "svc", sub: "svc", aud: [Self.aud])), as: UTF8.self)
        let (o, _) = try handle(e, params + [("client_assertion_type", TokenRequest.clientAssertionType), ("client_assertion", ca)])
        guard case .success(let j) = o, let t = j.objectValue?["access_token"]?.stringValue else {
            Issue.record("leg 1 failed: \(o.json.serialized())"); return
        }
        #expect(j.objectValue?["issued_token_type"]?.stringValue == TokenEndpoint.idJAGTokenType)
        let jws = try CompactJWS.parse(Array(t.utf8))
        let c = try jws.claims()
        #expect(c["aud"]?.stringValue == "https://as.example" && c["client_id"]?.stringValue == "svc")
        #expect(c["resource"]?.stringValue == "https://api.example/" && c["sub"]?.stringValue == "alice")
        // The id-jag profile accepts it, and checks --client-id against its client_id.
        var p = Policy(profile: .idJAG)
        p.audiences = ["https://as.example"]
        p.clientID = "svc"
        #expect(reason { try validator([ec], p).verify(Array(t.utf8), now: mirrorNow) } == nil)
        p.clientID = "other"
        #expect(reason { try validator([ec], p).verify(Array(t.utf8), now: mirrorNow) } == .clientIDMismatch)
        // Without an audience: refused.
        let (o2, _) = try handle(e, params.filter { $0.0 != "audience" } + [("client_assertion_type", TokenRequest.clientAssertionType),
                                                                            ("client_assertion", ca)])
        #expect(failure(o2)?.0 == .invalidRequest)
    }

    @Test func metadataListsTheRegisteredMethods() throws {
        let e = try endpoint(clients: Self.secretClients)
        let md = ServerMetadata.authorizationServer(issuer: "https://as.example", base: "https://as.example", endpoint: e, scopes: [])
        #expect(md.objectValue?["token_endpoint_auth_methods_supported"]?.serialized()
            == #"["none","client_secret_basic","client_secret_post"]"#)
        let plain = ServerMetadata.authorizationServer(issuer: "https://as.example", base: "https://as.example",
                                                       endpoint: try endpoint(clients: nil), scopes: [])
        #expect(plain.objectValue?["token_endpoint_auth_methods_supported"]?.serialized() == #"["none","private_key_jwt"]"#)
    }

    @Test func mintRequestClientCredentials() throws {
        let secret = try dir.write("secret", Array("p&ss:w rd%\n".utf8))
        var s = TokenRequest.Settings()
        s.grant = "client-credentials"
        s.clientID = "odd:id"
        s.clientSecretFile = secret
        s.clientAuth = "basic"
        let (header, extra) = try s.clientCredentials()
        #expect(extra.isEmpty)
        #expect(header == "Basic " + Base64Standard.encode(Array("odd%3Aid:p%26ss%3Aw+rd%25".utf8)))
        // The header round-trips through the endpoint's decoder.
        let back = ClientAuthentication.basicCredentials(header ?? "")
        #expect(back?.id == "odd:id" && back?.secret == Array("p&ss:w rd%".utf8))
        let params = try s.parameters()
        let curl = try TokenRequest.Output.curl("https://as.example/token").render(params, header: header, secret: true)
        #expect(curl.hasPrefix("curl -sS -K - <<'WIF_CURL_CONFIG'\n") && curl.hasSuffix("\nWIF_CURL_CONFIG\n"))
        #expect(!curl.split(separator: "\n")[0].contains("Basic"))
        let http = try TokenRequest.Output.httpRequest("https://as.example:8443/token?x=1").render(params, header: header, secret: true)
        let m = try HTTPRequestMessage.parse(Array(http.utf8), maxBody: 1000)
        #expect(m.target == "/token?x=1" && m.values("host") == ["as.example:8443"] && m.values("authorization") == [header ?? ""])
        #expect(reason { try TokenRequest.Output.body.render(params, header: header, secret: true) } == .usage)
        // The whole rendering: with client authentication, curl reads its configuration (and the secret) on
        // standard input; the same request without a secret is a one-line curl command.
        let whole = try s.rendered(as: .curl("https://as.example/token"))
        #expect(whole == curl)
        s.clientAuth = "post"
        let posted = try s.rendered(as: .curl("https://as.example/token"))
        #expect(posted.hasPrefix("curl -sS -K - <<'WIF_CURL_CONFIG'\n"))
        #expect(!posted.split(separator: "\n")[0].contains("client_secret"))
        var open = TokenRequest.Settings()
        open.assertion = RFC.a1Token
        let plainCurl = try open.rendered(as: .curl("https://as.example/token"))
        #expect(plainCurl.hasPrefix("curl -sS -X POST ") && !plainCurl.contains("WIF_CURL_CONFIG"))
        #expect(try s.clientCredentials().params.map(\.1) == ["p&ss:w rd%"])
        s.clientAuth = "tls"
        #expect(reason { try s.clientCredentials() } == .usage)
        s.clientAuth = nil
        #expect(reason { try s.clientCredentials() } == .usage)  // a secret file without a method
        #expect(reason { try TokenRequest.Output.chosen(json: true, curl: nil, httpRequest: "https://x/") } == .usage)
        #expect(reason { try TokenRequest.Output.chosen(json: false, curl: nil, httpRequest: "ftp://x/") } == .usage)
    }

    @Test func httpRequestMessages() throws {
        let ok = "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b\n"
        let m = try HTTPRequestMessage.parse(Array(ok.utf8), maxBody: 100)
        #expect(m.method == "POST" && m.target == "/token" && m.body == Array("a=b".utf8) && m.values("host") == ["x"])
        #expect(try HTTPRequestMessage.parse(Array("POST / HTTP/1.1\nA: b\n\n".utf8), maxBody: 10).body.isEmpty)
        let bad = [
            "POST /token HTTP/1.0\r\n\r\n", "POST  /token HTTP/1.1\r\n\r\n", "POST /token HTTP/1.1\r\nNo colon\r\n\r\n",
            "POST / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
            "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nabc", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", "POST / HTTP/1.1\r\nA: b",
            "POST / HTTP/1.1\r\nContent-Length: 999\r\n\r\n",
        ]
        for b in bad { #expect(reason { try HTTPRequestMessage.parse(Array(b.utf8), maxBody: 100) } == .inputInvalid, "\(b)") }
        let long = "POST / HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 65) + "\r\n"
        #expect(reason { try HTTPRequestMessage.parse(Array(long.utf8), maxBody: 100) } == .inputInvalid)
    }
}

extension String {
    fileprivate var replacingPadding: String { String(filter { $0 != "=" }) }
    fileprivate func replacingOccurrences(_ a: String, _ b: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: a) { out += rest[..<r.lowerBound] + b; rest = rest[r.upperBound...] }
        return out + rest
    }
}
