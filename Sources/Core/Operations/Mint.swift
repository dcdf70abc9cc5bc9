// SPDX-License-Identifier: Apache-2.0

/// What a minted token holds: every choice `wif-mint token` exposes.
///
/// Claim precedence, lowest first: defaults (`exp` now+300, `iat` now, a random `jti`), the dedicated options
/// (`iss`, `sub`, `aud`, `exp`, ...), the `--claims` object, then each `--claim`; a later source replaces a member
/// in place. Header order: `alg`, `typ`, `kid`, then `--header` members, which may replace any of them.
public struct TokenSpec: Sendable {
    public enum JTI: Sendable, Equatable { case random, fixed(String), omitted }

    public var alg: Algorithm?
    public var kid: String?
    public var typ: String? = "JWT"
    public var iss: String?
    public var sub: String?
    public var aud: [String] = []
    public var exp: Int64?
    public var nbf: Int64?
    public var iat: Int64?
    public var noExp = false
    public var noIat = false
    public var jti: JTI = .random
    public var scope: String?
    /// Delegation chain, current actor first (RFC 8693 §4.1).
    public var act: [String] = []
    public var actClaims = JSONObject()
    public var mayAct: JSON?
    /// The use budget (`wif_max_uses`, UseBudget.swift).
    public var maxUses: Int?
    public var claims = JSONObject()
    public var headers = JSONObject()
    public var now: Int64

    public static let defaultLifetime: Int64 = 300

    public init(now: Int64) { self.now = now }

    /// The protected header for `alg` and the key's kid (an empty `kid` or `typ` omits the member).
    public func header(alg: Algorithm, key: JWK) -> JSONObject {
        var h = JSONObject()
        h["alg"] = .string(alg.rawValue)
        if let typ, !typ.isEmpty { h["typ"] = .string(typ) }
        if let k = kid ?? key.kid, !k.isEmpty { h["kid"] = .string(k) }
        for m in headers { h[m.name] = m.value }
        return h
    }

    /// The claims; a random `jti` is left out here and added per token by `Minter`.
    public func claimSet() -> JSONObject {
        var c = JSONObject()
        if let iss { c["iss"] = .string(iss) }
        if let sub { c["sub"] = .string(sub) }
        if aud.count == 1 { c["aud"] = .string(aud[0]) } else if aud.count > 1 { c["aud"] = .array(aud.map { .string($0) }) }
        if !noExp { c["exp"] = .integer(exp ?? now + TokenSpec.defaultLifetime) }
        if let nbf { c["nbf"] = .integer(nbf) }
        if !noIat { c["iat"] = .integer(iat ?? now) }
        if case .fixed(let j) = jti { c["jti"] = .string(j) }
        if let scope { c["scope"] = .string(scope) }
        if !act.isEmpty {
            var inner: JSONObject?
            for (i, s) in act.enumerated().reversed() {
                var o = JSONObject()
                o["sub"] = .string(s)
                if i == act.count - 1 { for m in actClaims { o[m.name] = m.value } }
                if let inner { o["act"] = .object(inner) }
                inner = o
            }
            c["act"] = inner.map { .object($0) }
        }
        if let mayAct { c["may_act"] = mayAct }
        if let maxUses { c[UseBudget.claim] = .integer(Int64(maxUses)) }
        for m in claims { c[m.name] = m.value }
        return c
    }
}

/// Makes signed compact JWS tokens, one after another, from one spec and one key.
///
/// The header segment and the claims around `jti` are serialized once; each token then costs one jti, one
/// base64url encoding of the payload and one signature.
public final class Minter {
    public let signer: Signer
    private let headerSegment: [UInt8]
    private let claimsPrefix: [UInt8]
    private let claimsSuffix: [UInt8]
    private let randomJTI: Bool
    private let jtis: JTIPool

    public convenience init(spec: TokenSpec, key: JWK) throws(WIFError) {
        let alg: Algorithm
        if let a = spec.alg { alg = a } else { alg = try key.defaultAlgorithm() }
        try self.init(spec: spec, key: key, signer: Signer(key: key, algorithm: alg), jtis: JTIPool())
    }

    /// A minter that signs with a prepared `signer` of `key` (its algorithm is the token's) and draws random jti
    /// values from `jtis`: a server reuses both for every token it issues (`IssuerSigning`).
    init(spec: TokenSpec, key: JWK, signer: Signer, jtis: JTIPool) throws(WIFError) {
        let alg = signer.algorithm
        self.signer = signer
        self.jtis = jtis
        var h = [UInt8]()
        JSON.object(spec.header(alg: alg, key: key)).write(to: &h)
        headerSegment = Array(Base64URL.encode(h).utf8) + [UInt8(ascii: ".")]
        let claims = spec.claimSet()
        randomJTI = spec.jti == .random && !claims.contains("jti")
        // Place a random jti after iat (or exp, aud, sub, iss), the order RFC 7519 §4.1 lists them.
        var split = 0
        if randomJTI {
            // An array, not a Set<String>: the Set's metadata instantiation cost 0.12 M instructions per mint
            // (issue 12).
            let before = ["iss", "sub", "aud", "exp", "nbf", "iat"]
            for (i, m) in claims.members.enumerated() where before.contains(m.name) { split = i + 1 }
        }
        func join(_ ms: ArraySlice<JSONObject.Member>) -> [UInt8] {
            var out = [UInt8]()
            for (i, m) in ms.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(m.name, to: &out)
                out.append(UInt8(ascii: ":"))
                m.value.write(to: &out)
            }
            return out
        }
        let before = join(claims.members[..<split]), after = join(claims.members[split...])
        var pre: [UInt8] = [UInt8(ascii: "{")] + before
        if randomJTI && !before.isEmpty { pre.append(UInt8(ascii: ",")) }
        var suf: [UInt8] = randomJTI && !after.isEmpty ? [UInt8(ascii: ",")] : []
        suf += after
        suf.append(UInt8(ascii: "}"))
        claimsPrefix = pre
        claimsSuffix = suf
    }

    /// The next token, as ASCII bytes without a newline.
    public func next() throws(WIFError) -> [UInt8] {
        var payload = claimsPrefix
        if randomJTI {
            payload += Array("\"jti\":\"".utf8)
            payload += try jtis.next()
            payload.append(UInt8(ascii: "\""))
        }
        payload += claimsSuffix
        return try finish(payload)
    }

    private func finish(_ payload: [UInt8]) throws(WIFError) -> [UInt8] {
        try Minter.compact(header: headerSegment, payload: payload, signer: signer)
    }

    /// `header` (the segment with its dot), then base64url(`payload`), signed, then the dot and the signature.
    static func compact(header: [UInt8], payload: [UInt8], signer: Signer) throws(WIFError) -> [UInt8] {
        var token = header
        token.reserveCapacity(header.count + payload.count * 4 / 3 + 200)
        Base64URL.encode(payload, into: &token)
        let sig = try signer.sign(token)
        token.append(UInt8(ascii: "."))
        Base64URL.encode(sig, into: &token)
        return token
    }
}

/// Random jti values: 128 random bits each, base64url (22 characters). Randomness is fetched in blocks that grow
/// from one jti to 256, so one token asks getrandom(2) for 16 bytes and a million tokens for 4 KiB at a time.
/// One minter owns one pool, or a server shares one between the minters of its requests.
final class JTIPool {
    private var pool: [UInt8] = []
    private var index = 0

    func next() throws(WIFError) -> [UInt8] {
        if index + 16 > pool.count {
            pool = try Random.bytes(min(max(pool.count * 4, 16), 16 * 256))
            index = 0
        }
        var out = [UInt8]()
        Base64URL.encode(pool[index..<(index + 16)], into: &out)
        index += 16
        return out
    }
}

/// The access-token signer of a token endpoint, prepared once per key and algorithm and reused by every request
/// (issue 13: preparing the OpenSSL signing context and the jti randomness was 0.1 M instructions a request).
/// Copies of an endpoint share it; like a `Validator`, it belongs to one thread at a time.
final class IssuerSigning {
    private var signer: Signer?
    private let jtis = JTIPool()
    /// Whether `signer`'s algorithm is its key's default one (the algorithm `accessToken` signs with); a minter for
    /// a spec naming another `alg` makes a signer that is not.
    private var signerIsDefault = false
    /// The header segment (`base64url(header).`) of the last `accessToken`, by typ and kid: it depends only on the
    /// typ, the algorithm and the key's kid, so a server serializes it once, not per request.
    private var header: (typ: String, kid: String?, segment: [UInt8])?
    private var payload: [UInt8] = []

    private func signer(for key: JWK, alg: Algorithm, isDefault: Bool) throws(WIFError) -> Signer {
        if let cached = signer, cached.algorithm == alg, cached.key.sameKeyMaterial(as: key) { return cached }
        let s = try Signer(key: key, algorithm: alg)
        signer = s
        signerIsDefault = isDefault
        header = nil
        return s
    }

    private static func sameName(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return x.same(y)
        default: return false
        }
    }

    func minter(spec: TokenSpec, key: JWK) throws(WIFError) -> Minter {
        let alg: Algorithm
        if let a = spec.alg { alg = a } else { alg = try key.defaultAlgorithm() }
        return try Minter(spec: spec, key: key, signer: signer(for: key, alg: alg, isDefault: spec.alg == nil), jtis: jtis)
    }

    /// The claims of an issued access token (RFC 9068 §2.2), in the order `TokenSpec.claimSet` gives them.
    struct AccessClaims {
        var typ: String
        var iss: String
        var sub: String?
        var aud: [String]
        var exp: Int64
        var iat: Int64
        var scope: String?
        var clientID: String?
        var act: JSON?
        var cnfJKT: String?
    }

    /// One access token: the bytes `minter(spec:key:).next()` makes for the same claims (a `TokenSpec` with `typ`,
    /// `iss`, `sub`, `aud`, `exp`, `now` = `iat` and `scope` set, then `client_id`, `act` and `cnf` in `claims`,
    /// MintTests pins the two byte for byte), written straight into one buffer: no spec, claim object or Minter
    /// per request (issue 13: setting up a Minter was 23k instructions of a token request). `jti` replaces the
    /// random one, for tests.
    func accessToken(_ c: AccessClaims, key: JWK, jti: [UInt8]? = nil) throws(WIFError) -> [UInt8] {
        // The key of the last token again (same material, same alg member): its algorithm is the signer's, and
        // working it out from the alg member again was 1.7k instructions a request.
        let s: Signer
        if let cached = signer, signerIsDefault, cached.key.sameKeyMaterial(as: key),
           IssuerSigning.sameName(cached.key.algName, key.algName) {
            s = cached
        } else {
            s = try signer(for: key, alg: try key.defaultAlgorithm(), isDefault: true)
        }
        let segment: [UInt8]
        // The kid is the key's, which a copy of the same key material may change.
        if let h = header, h.typ.same(c.typ), IssuerSigning.sameName(h.kid, key.kid) { segment = h.segment } else {
            var spec = TokenSpec(now: c.iat)
            spec.typ = c.typ
            var h = [UInt8]()
            JSON.object(spec.header(alg: s.algorithm, key: key)).write(to: &h)
            segment = Array(Base64URL.encode(h).utf8) + [UInt8(ascii: ".")]
            header = (c.typ, key.kid, segment)
        }
        // Written into a local array taken from the kept one (and handed back): every append to the stored
        // property was a dynamic exclusivity check, 25 a token (issue 13).
        var payload = self.payload
        self.payload = []
        payload.removeAll(keepingCapacity: true)
        defer { self.payload = payload }
        func name(_ n: StaticString, _ payload: inout [UInt8]) {
            payload.append(payload.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            payload.append(UInt8(ascii: "\""))
            payload.append(contentsOf: UnsafeBufferPointer(start: n.utf8Start, count: n.utf8CodeUnitCount))
            payload.append(UInt8(ascii: "\""))
            payload.append(UInt8(ascii: ":"))
        }
        name("iss", &payload); JSON.writeString(c.iss, to: &payload)
        if let sub = c.sub { name("sub", &payload); JSON.writeString(sub, to: &payload) }
        if c.aud.count == 1 { name("aud", &payload); JSON.writeString(c.aud[0], to: &payload) } else if c.aud.count > 1 {
            name("aud", &payload); JSON.array(c.aud.map { .string($0) }).write(to: &payload)
        }
        name("exp", &payload); JSON.integer(c.exp).write(to: &payload)
        name("iat", &payload); JSON.integer(c.iat).write(to: &payload)
        name("jti", &payload)
        payload.append(UInt8(ascii: "\""))
        if let jti { payload += jti } else { payload += try jtis.next() }
        payload.append(UInt8(ascii: "\""))
        if let scope = c.scope { name("scope", &payload); JSON.writeString(scope, to: &payload) }
        if let id = c.clientID { name("client_id", &payload); JSON.writeString(id, to: &payload) }
        if let act = c.act { name("act", &payload); act.write(to: &payload) }
        if let jkt = c.cnfJKT {
            name("cnf", &payload)
            payload += Array("{\"jkt\":".utf8)
            JSON.writeString(jkt, to: &payload)
            payload.append(UInt8(ascii: "}"))
        }
        payload.append(UInt8(ascii: "}"))
        return try Minter.compact(header: segment, payload: payload, signer: s)
    }
}
