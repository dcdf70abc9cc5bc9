// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// ServerMetadata: RFC 8414 §2 members.
@Suite struct ServerMetadataTests {
    let fx: ServeFixture

    init() throws { fx = try ServeFixture() }


    @Test func authorizationServerMetadata() throws {
        let e = try fx.endpoint { $0.allowGrants = ["client_credentials", ServeFixture.jwtBearer] }
        let md = ServerMetadata.authorizationServer(issuer: ServeFixture.base, base: ServeFixture.base, endpoint: e, scopes: ["s"]).objectValue
        #expect(md?["issuer"]?.stringValue == ServeFixture.base)
        #expect(md?["token_endpoint"]?.stringValue == ServeFixture.base + "/token")
        #expect(md?["grant_types_supported"] == .array([.string(ServeFixture.jwtBearer), .string("client_credentials")]))
        #expect(md?["token_endpoint_auth_signing_alg_values_supported"] == .array([.string("ES256")]))
        #expect(md?["scopes_supported"] == .array([.string("s")]))
        let dpopAlgs = md?["dpop_signing_alg_values_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(dpopAlgs.contains("ES256") && dpopAlgs.contains("EdDSA") && !dpopAlgs.contains { $0.hasPrefix("HS") })
        let jwks = ServerMetadata.jwks(fx.issuer).serialized()
        #expect(!jwks.contains("\"d\"") && jwks.contains("\"kid\":\"as\""))
    }
}
