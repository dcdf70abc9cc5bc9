// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The rules at the top of TokenEndpoint+ClientAuth.swift found missing by the client-authentication review:
/// confidential clients only where a grant needs a client, an ID-JAG only through jwt-bearer, the issued
/// client_id never copied from an assertion under --clients.
@Suite struct TokenEndpointClientAuthTests {
    static let aud = "https://as.example/token"
    static let custom = "urn:example:grant:custom"
    static let sha = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b" // SHA-256("secret")
    static let clients = """
        {"clients":[{"client_id":"svc","client_secret_sha256":"\(sha)"},
         {"client_id":"agent","client_secret_sha256":"\(sha)"},
         {"client_id":"pub","token_endpoint_auth_method":"none"}]}
        """
    let ec: JWK

    init() throws { ec = try MirrorKeys.key(MirrorKeys.ec) }

    func endpoint(clients: String? = Self.clients, profile: Profile = .rfc7523) throws -> TokenEndpoint {
        var p = Policy(profile: profile)
        p.audiences = [Self.aud]
        var e = try TokenEndpoint(validator: try validator([ec], p))
        e.allowGrants = [TokenRequest.clientCredentialsGrant, TokenRequest.tokenExchangeGrant, Self.custom]
        e.issuerKey = ec
        if let clients {
            e.clients = try ClientRegistry.parse(try JSON.parseObject(Array(clients.utf8), what: "c"), what: "c")
        }
        return e
    }

    func handle(_ e: TokenEndpoint, _ params: [(String, String)], headers: [(String, String)] = []) throws -> TokenEndpoint.Outcome {
        var facts = TokenEndpoint.Facts()
        return try e.handle(body: Array(FormEncoding.encode(params).utf8), headers: headers, now: mirrorNow, facts: &facts)
    }

    func failure(_ o: TokenEndpoint.Outcome) -> (OAuthError, Reason)? {
        if case .failure(let e, let w) = o { return (e, w.reason) }
        return nil
    }

    static func basic(_ id: String) -> (String, String) {
        ("Authorization", "Basic " + Base64Standard.encode(Array((id + ":secret").utf8)))
    }

    /// H1: a public client naming itself gets no client_credentials token, nor one of a grant needing a client.
    @Test func publicClientsGetNoClientGrant() throws {
        let e = try endpoint()
        for grant in [TokenRequest.clientCredentialsGrant, Self.custom] {
            let o = try handle(e, [("grant_type", grant), ("client_id", "pub")])
            #expect(failure(o)! == (.unauthorizedClient, .grantTypeRejected), "\(grant)")
            #expect(failure(try handle(e, [("grant_type", grant)]))?.0 == .invalidClient, "\(grant)")
            #expect(failure(try handle(e, [("grant_type", grant)], headers: [Self.basic("svc")])) == nil, "\(grant)")
        }
    }

    func idjag(_ client: String) throws -> String {
        var s = baseSpec(aud: [Self.aud])
        s.typ = TokenEndpoint.idJAGTyp
        s.claims["client_id"] = .string(client)
        return String(decoding: try mint(ec, s), as: UTF8.self)
    }

    /// H2: a stolen ID-JAG is no token-exchange subject or actor: the exchange would skip its client binding.
    @Test func idJAGIsNoExchangeToken() throws {
        let e = try endpoint(profile: .idJAG)
        let t = try idjag("agent")
        let subject = [("grant_type", TokenRequest.tokenExchangeGrant), ("subject_token", t),
                       ("subject_token_type", TokenRequest.jwtTokenType)]
        #expect(failure(try handle(e, subject))! == (.invalidRequest, .badTyp))
        #expect(failure(try handle(e, subject, headers: [Self.basic("agent")]))! == (.invalidRequest, .badTyp))
        let plain = String(decoding: try mint(ec, baseSpec(aud: [Self.aud])), as: UTF8.self)
        let asActor = [("grant_type", TokenRequest.tokenExchangeGrant), ("subject_token", plain),
                       ("subject_token_type", TokenRequest.jwtTokenType), ("actor_token", t),
                       ("actor_token_type", TokenRequest.jwtTokenType)]
        #expect(failure(try handle(try endpoint(profile: .none), asActor))! == (.invalidRequest, .badTyp))
    }

    func issuedClaims(_ o: TokenEndpoint.Outcome) throws -> JSONObject? {
        guard case .success(let j) = o, let at = j.objectValue?["access_token"]?.stringValue else { return nil }
        return try CompactJWS.parse(Array(at.utf8)).claims()
    }

    /// H3: with --clients the issued client_id is the authenticated client or absent, and a token naming a
    /// registered confidential client that did not authenticate is refused.
    @Test func issuedClientIDIsTheAuthenticatedOne() throws {
        let e = try endpoint()
        func bearer(sub: String, clientID: String?) throws -> [(String, String)] {
            var s = baseSpec(sub: sub, aud: [Self.aud])
            if let clientID { s.claims["client_id"] = .string(clientID) }
            return [("grant_type", TokenRequest.jwtBearerGrant), ("assertion", String(decoding: try mint(ec, s), as: UTF8.self))]
        }
        #expect(failure(try handle(e, try bearer(sub: "alice", clientID: "svc")))! == (.invalidClient, .clientAuthMissing))
        let anonymous = try issuedClaims(try handle(e, try bearer(sub: "svc", clientID: nil)))
        #expect(anonymous != nil && anonymous?["client_id"] == nil)
        let named = try issuedClaims(try handle(e, try bearer(sub: "alice", clientID: "svc"), headers: [Self.basic("agent")]))
        #expect(named?["client_id"]?.stringValue == "agent")
        #expect(try issuedClaims(try handle(e, try bearer(sub: "alice", clientID: "pub")))?["client_id"] == nil)
        // Without --clients, as before: the token's own client_id.
        #expect(try issuedClaims(try handle(try endpoint(clients: nil), try bearer(sub: "alice", clientID: "svc")))?["client_id"]?
            .stringValue == "svc")
    }

    /// M1: leg 2 takes an ID-JAG from a confidential client only: a public one proves nothing.
    @Test func idJAGLegTwoNeedsAConfidentialClient() throws {
        let e = try endpoint(profile: .idJAG)
        let grant = { (t: String) in [("grant_type", TokenRequest.jwtBearerGrant), ("assertion", t)] }
        #expect(failure(try handle(e, grant(try idjag("pub")) + [("client_id", "pub")]))! == (.invalidClient, .clientAuthMissing))
        #expect(failure(try handle(e, grant(try idjag("agent")), headers: [Self.basic("agent")])) == nil)
    }

    /// M7: a registered private_key_jwt client's assertion is judged by a client-assertion policy of its own, not
    /// by the grant's --iss, --sub or --profile, so private_key_jwt works at ID-JAG leg 2.
    @Test func clientAssertionsHaveTheirOwnPolicy() throws {
        let clientKey = try MirrorKeys.key(MirrorKeys.ec2)
        let jwks = JSON.object(JSONObject([("keys", .array([.object(try MirrorKeys.publicHalf(clientKey).json(includePrivate: false))]))]))
        var p = Policy(profile: .idJAG)
        p.audiences = [Self.aud]
        p.issuers = ["https://issuer.example"]
        p.rejectSubjects = ["bot"]
        var e = try TokenEndpoint(validator: try validator([ec], p))
        e.issuerKey = ec
        e.clients = try ClientRegistry.parse(try JSON.parseObject(Array(
            #"{"clients":[{"client_id":"bot","token_endpoint_auth_method":"private_key_jwt","jwks":\#(jwks.serialized())}]}"#.utf8),
            what: "c"), what: "c")
        func ca(_ edit: (inout TokenSpec) -> Void = { _ in }) throws -> [(String, String)] {
            var s = baseSpec(iss: "bot", sub: "bot", aud: [Self.aud])
            edit(&s)
            return [("client_assertion_type", TokenRequest.clientAssertionType),
                    ("client_assertion", String(decoding: try mint(clientKey, s), as: UTF8.self))]
        }
        let leg2 = [("grant_type", TokenRequest.jwtBearerGrant), ("assertion", try idjag("bot"))]
        let o = try handle(e, leg2 + (try ca()))
        #expect(failure(o) == nil, "\(o.json.serialized())")
        #expect(try issuedClaims(o)?["client_id"]?.stringValue == "bot")
        #expect(failure(try handle(e, leg2 + (try ca { $0.jti = .omitted })))?.0 == .invalidClient)
        #expect(failure(try handle(e, leg2 + (try ca { $0.aud = ["https://elsewhere.example"] })))?.0 == .invalidClient)
        #expect(failure(try handle(e, leg2 + (try ca { $0.iss = "https://issuer.example" })))?.0 == .invalidClient)
    }

    /// M8: a private_key_jwt registration holds public asymmetric keys only.
    @Test func clientKeysArePublic() throws {
        let key = try MirrorKeys.key(MirrorKeys.ec2)
        let priv = JSON.object(key.json(includePrivate: true)).serialized()
        let pub = JSON.object(try MirrorKeys.publicHalf(key).json(includePrivate: false)).serialized()
        func entry(_ keys: String) -> String {
            #"{"clients":[{"client_id":"bot","token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[\#(keys)]}}]}"#
        }
        func parse(_ json: String) throws(WIFError) -> ClientRegistry {
            try ClientRegistry.parse(try JSON.parseObject(Array(json.utf8), what: "c"), what: "c")
        }
        #expect(try parse(entry(pub)).clients.count == 1)
        for bad in [priv, #"{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}"#] {
            do { _ = try parse(entry(bad)); Issue.record("accepted \(bad)") } catch {
                #expect(error.reason == .usage && error.detail.contains("clients[0] (bot): jwks"), "\(error.detail)")
            }
        }
    }

    /// M6: Argon2id costs of a client secret within the registry's floor and ceiling, not the key files' bounds.
    @Test func argon2idCostsAreBounded() throws {
        let tail = "$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
        for ok in ["m=19456,t=2,p=1", "m=65536,t=3,p=4"] {
            #expect(reason { try ClientRegistry.parsePHC("$argon2id$v=19$" + ok + tail) } == nil, "\(ok)")
        }
        for bad in ["m=1048576,t=3,p=1", "m=65537,t=3,p=1", "m=65536,t=4,p=1", "m=65536,t=3,p=5", "m=8,t=1,p=1",
                    "m=19455,t=2,p=1", "m=65536,t=1,p=1"] {
            do { _ = try ClientRegistry.parsePHC("$argon2id$v=19$" + bad + tail); Issue.record("accepted \(bad)") } catch {
                #expect(error.reason == .usage && error.detail.contains("outside m=19456..65536 KiB"), "\(error.detail)")
            }
        }
    }
}
