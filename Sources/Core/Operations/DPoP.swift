// SPDX-License-Identifier: Apache-2.0

/// DPoP (RFC 9449): proofs of possession of a key, minted and checked offline.
///
/// A proof is a compact JWS with `typ: dpop+jwt`, an asymmetric `alg`, and the signer's PUBLIC key in the
/// `jwk` header; its claims are `jti` (random), `htm` (HTTP method), `htu` (target URI without query and
/// fragment), `iat`, and optionally `ath` (base64url SHA-256 of the access token, §4.2) and `nonce` (§8).
///
/// Check order of `verify` (RFC 9449 §4.3; the first failure is reported, each with its own reason):
///  1. more than one proof (two `DPoP` headers, or one holding a comma) → `dpop_multiple`; none → `dpop_missing`
///     (where a proof is required: `checkOne`);
///  2. a compact JWS whose header and payload are JSON objects, its header without `crit` or `b64` (RFC 7515
///     §4.1.11, RFC 7797) → `dpop_malformed`;
///  3. `typ` is `dpop+jwt` (ASCII case-insensitive, as every `typ`) → `dpop_bad_typ`;
///  4. `alg` a known asymmetric JWS alg in the allowed list (`none` and HMAC never) → `dpop_alg_not_allowed`;
///  5. `jwk` present, an object, no private member (`d p q dp dq qi oth k`) → `dpop_private_jwk`; a valid
///     public JWK that fits `alg` → `dpop_bad_jwk`;
///  6. the signature verifies with that key → `dpop_bad_signature`;
///  7. claims `jti` (non-empty string), `htm`, `htu` (strings) and `iat` (integer) present → `dpop_malformed`;
///  8. `htm` equals the request method, byte for byte → `dpop_htm_mismatch`;
///  9. `htu` equals the request URI, both without query and fragment after RFC 3986 §6.2.2 (case,
///     percent-encoding, dot segments) and §6.2.3 (default port, empty path) normalisation → `dpop_htu_mismatch`;
/// 10. `iat` at most `maxAge` seconds old → `dpop_iat_stale`; at most `leeway` seconds ahead → `dpop_iat_future`;
/// 11. with a required nonce, `nonce` equals it → `dpop_bad_nonce` (OAuth `use_dpop_nonce`);
/// 12. with an access token, `ath` present → `dpop_ath_missing` and equal to its hash → `dpop_ath_mismatch`;
/// 13. with a bound key (`cnf.jkt`, `dpop_jkt`, `--jkt`), the RFC 7638 thumbprint of `jwk` equals it →
///     `dpop_jkt_mismatch`;
/// 14. with a replay cache, the `jti` was not seen before → `dpop_replayed_jti`, last, so that only a proof that
///     passes every other check spends its jti. The cache's own API is used: the entry is keyed by the proof's
///     jti under the issuer `urn:wif:dpop:<jkt>` (so a proof jti never collides with a token jti, nor with
///     another key's) and remembered until `iat + maxAge + leeway`.
public enum DPoP {
    public static let typ = "dpop+jwt"
    public static let defaultMaxAge: Int64 = 300
    public static let defaultLeeway: Int64 = 60
    public static let maxProofSize = 16 * 1024

    /// A proof from its argument (`wif-verify dpop`): the proof, a file holding it, or `-`; one over
    /// `maxProofSize` is a malformed proof (`dpop_malformed`), judged like any other bad proof.
    public static func readProof(_ arg: String) throws(WIFError) -> [UInt8] {
        do { return try Input.token(arg, limit: maxProofSize, what: "the proof") } catch {
            if error.reason == .malformed { throw WIFError(.dpopMalformed, error.detail) }
            throw error
        }
    }
    /// JWK members that hold a private or secret key (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
    static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
    /// The algorithms a proof may use by default: every asymmetric one wif knows (RFC 9449 §4.3 item 5).
    public static let asymmetricAlgorithms = Algorithm.allCases.filter { $0.family != .hmac }

    // MARK: Minting

    /// What a proof says (claims and the key that signs it).
    public struct ProofSpec: Sendable {
        public var htm: String
        public var htu: String
        public var iat: Int64
        /// nil: 128 random bits, base64url.
        public var jti: String?
        /// The access token the proof goes with; its hash becomes `ath`.
        public var accessToken: [UInt8]?
        public var nonce: String?
        public var alg: Algorithm?

        public init(htm: String, htu: String, iat: Int64) {
            self.htm = htm
            self.htu = htu
            self.iat = iat
        }
    }

    /// `ath`: base64url of the SHA-256 of the access token's ASCII bytes (RFC 9449 §4.2).
    public static func ath(_ accessToken: [UInt8]) -> String { Base64URL.encode(Digest.sha256(accessToken)) }

    /// The public JWK of `key` as a proof header carries it: the RFC 7638 required members only, so no private
    /// member, kid or alg can ever be copied into a proof.
    public static func publicJWK(_ key: JWK) -> JSONObject {
        var o = JSONObject()
        for m in JWK.thumbprintMembers(key.keyType, key.curve, key.material) { o[m.name] = .string(m.value) }
        return o
    }

    /// `htu` as a proof carries it: the URI without query and fragment (RFC 9449 §4.2).
    public static func targetURI(_ uri: String) -> String {
        var u = Substring(uri)
        if let i = u.firstIndex(of: "#") { u = u[..<i] }
        if let i = u.firstIndex(of: "?") { u = u[..<i] }
        return String(u)
    }

    /// Mints a proof signed by `key` (a private asymmetric key).
    public static func mint(_ spec: ProofSpec, key: JWK) throws(WIFError) -> [UInt8] {
        let alg: Algorithm
        if let a = spec.alg { alg = a } else { alg = try key.defaultAlgorithm() }
        guard alg.family != .hmac else {
            throw WIFError(.usage, "a DPoP proof needs an asymmetric key; \(alg.rawValue) is symmetric (RFC 9449 section 4.3)")
        }
        var header = JSONObject()
        header["typ"] = .string(typ)
        header["alg"] = .string(alg.rawValue)
        header["jwk"] = .object(publicJWK(key))
        return try sign(header: header, claims: try claims(spec), key: key, alg: alg)
    }

    static func claims(_ spec: ProofSpec) throws(WIFError) -> JSONObject {
        guard !spec.htm.isEmpty else { throw WIFError(.usage, "--htm must not be empty") }
        guard normalizedURI(spec.htu) != nil else {
            throw WIFError(.usage, "--htu \(JSON.escapedForMessage(spec.htu)) is not an absolute http(s) URI",
                           hint: "give the full URL, e.g. https://server.example/token")
        }
        var c = JSONObject()
        if let j = spec.jti { c["jti"] = .string(j) } else { c["jti"] = .string(Base64URL.encode(try Random.bytes(16))) }
        c["htm"] = .string(spec.htm)
        c["htu"] = .string(targetURI(spec.htu))
        c["iat"] = .integer(spec.iat)
        if let t = spec.accessToken { c["ath"] = .string(ath(t)) }
        if let n = spec.nonce { c["nonce"] = .string(n) }
        return c
    }

    static func sign(header: JSONObject, claims: JSONObject, key: JWK, alg: Algorithm) throws(WIFError) -> [UInt8] {
        var h = [UInt8](), p = [UInt8]()
        JSON.object(header).write(to: &h)
        JSON.object(claims).write(to: &p)
        var out = Array(Base64URL.encode(h).utf8) + [UInt8(ascii: ".")]
        Base64URL.encode(p, into: &out)
        let sig = try Signer(key: key, algorithm: alg).sign(out)
        out.append(UInt8(ascii: "."))
        Base64URL.encode(sig, into: &out)
        return out
    }

    // MARK: Verification

    /// What a request asks of its proof.
    public struct Requirements: Sendable {
        public var htm: String
        public var htu: String
        /// The access token presented with the proof (resource requests): `ath` is then required.
        public var accessToken: [UInt8]?
        /// The thumbprint the key must have (`cnf.jkt` of a bound token, `dpop_jkt`, `--jkt`).
        public var jkt: String?
        /// The nonce the server requires (`DPoP-Nonce`), if any.
        public var nonce: String?
        public var maxAge = DPoP.defaultMaxAge
        public var leeway = DPoP.defaultLeeway
        public var algorithms = DPoP.asymmetricAlgorithms

        public init(htm: String, htu: String) {
            self.htm = htm
            self.htu = htu
        }
    }

    /// A proof that passed every check.
    public struct VerifiedProof: Sendable {
        public let header: JSONObject
        public let claims: JSONObject
        /// The public key the proof carries.
        public let key: JWK
        public let algorithm: Algorithm
        /// Its RFC 7638 SHA-256 thumbprint: what `cnf.jkt` binds a token to (RFC 9449 §6.1).
        public let jkt: String
        public let jti: String
        public let iat: Int64
        /// What the replay cache records for it (check 14).
        let replayEntry: VerifiedToken

        /// The `wif-verify dpop` result: `jkt`, `alg`, the header and the claims.
        public var json: JSON {
            var o = JSONObject()
            o["valid"] = .bool(true)
            o["jkt"] = .string(jkt)
            o["alg"] = .string(algorithm.rawValue)
            o["header"] = .object(header)
            o["claims"] = .object(claims)
            return .object(o)
        }
    }

    /// The one proof among the values of a request's `DPoP` headers (check 1): none → nil, more than one (or a
    /// value holding a comma, as a proxy folds two headers) → `dpop_multiple`.
    public static func single(_ values: [String]) throws(WIFError) -> String? {
        guard let first = values.first else { return nil }
        if values.count > 1 || first.utf8.contains(UInt8(ascii: ",")) {
            throw WIFError(.dpopMultiple, values.count > 1
                ? "the request carries \(values.count) DPoP headers; RFC 9449 section 4.3 allows exactly one"
                : "the DPoP header holds a comma: more than one proof (RFC 9449 section 4.3 allows exactly one)")
        }
        return first
    }

    static func fail(_ r: Reason, _ why: String) -> WIFError { WIFError(r, why) }

    /// Checks `proof` against `req` (the type's rules, in order). `now` is read once; the replay cache re-reads
    /// `clock` once its lock is won.
    public static func verify(_ proof: [UInt8], _ req: Requirements, now: Int64, replayCache: ReplayCache? = nil,
                              clock: (() -> Int64)? = nil) throws(WIFError) -> VerifiedProof {
        // 2. shape
        let jws: CompactJWS
        do { jws = try CompactJWS.parse(proof, maxSize: maxProofSize) } catch {
            throw fail(.dpopMalformed, "the proof: " + error.detail)
        }
        let h = jws.header
        // No JWS extension is understood, and a proof is never unencoded (RFC 7515 §4.1.11, RFC 7797).
        if h["crit"] != nil {
            throw fail(.dpopMalformed, "the proof's header lists crit extensions, and wif understands none (RFC 7515 section 4.1.11)")
        }
        if let b64 = h["b64"] {
            throw fail(.dpopMalformed, "the proof's header has b64 \(b64.serialized()) (RFC 7797), which a proof does not use")
        }
        // 3. typ
        guard let t = h["typ"]?.stringValue, t.sameIgnoringASCIICase(typ) else {
            let got = h["typ"].map { $0.stringValue.map { "\"\(JSON.escapedForMessage($0))\"" } ?? "a \($0.typeName)" } ?? "missing"
            throw fail(.dpopBadTyp, "typ is \(got), not \(typ) (RFC 9449 section 4.2)")
        }
        // 4. alg
        guard let algName = h["alg"]?.stringValue else { throw fail(.dpopAlgNotAllowed, "alg is missing or not a string") }
        guard let alg = Algorithm(exactly: algName) else {
            throw fail(.dpopAlgNotAllowed, "alg \"\(JSON.escapedForMessage(algName))\" is not an asymmetric JWS algorithm" +
                       (algName.sameIgnoringASCIICase("none") ? " (none is never accepted)" : ""))
        }
        if alg.family == .hmac {
            throw fail(.dpopAlgNotAllowed, "alg \(alg.rawValue) is symmetric: a proof is signed with a private key (RFC 9449 section 4.3)")
        }
        guard req.algorithms.contains(alg) else {
            throw fail(.dpopAlgNotAllowed, "alg \(alg.rawValue) is not allowed (allowed: \(algList(req.algorithms)))")
        }
        // 5. jwk
        guard let jwkValue = h["jwk"] else { throw fail(.dpopBadJWK, "the header has no jwk (RFC 9449 section 4.2)") }
        guard let jwkObject = jwkValue.objectValue else { throw fail(.dpopBadJWK, "jwk is a \(jwkValue.typeName), not an object") }
        if let m = privateMembers.first(where: { jwkObject.contains($0) }) {
            throw fail(.dpopPrivateJWK, "jwk holds the private member \"\(m)\": a proof carries the public key only (RFC 9449 section 4.3)")
        }
        let key: JWK
        do { key = try JWK.parse(jwkObject, what: "jwk") } catch {
            if error.reason == .cryptoFailure { throw error }
            throw fail(.dpopBadJWK, error.detail)
        }
        guard alg.fits(keyType: key.keyType, curve: key.curve) else {
            throw fail(.dpopBadJWK, "jwk is a \(key.summary) key, which alg \(alg.rawValue) does not use")
        }
        // 6. signature
        let verifier: Verifier
        do { verifier = try Verifier(key: key, algorithm: alg) } catch {
            if !error.reason.isRejection && error.reason != .keyInvalid && error.reason != .keyWeak { throw error }
            throw fail(.dpopBadJWK, error.detail)
        }
        guard verifier.verify(signature: jws.signature, message: Array(jws.signingInput)) else {
            throw fail(.dpopBadSignature, "the proof's signature does not verify with its jwk")
        }
        // 7. claims
        let c: JSONObject
        do { c = try jws.claims() } catch { throw fail(.dpopMalformed, error.detail) }
        func text(_ n: String) throws(WIFError) -> String {
            guard let v = c[n] else { throw fail(.dpopMalformed, "claim \(n) is missing (RFC 9449 section 4.2)") }
            guard let s = v.stringValue, !s.isEmpty else { throw fail(.dpopMalformed, "claim \(n) is not a non-empty string") }
            return s
        }
        let jti = try text("jti"), htm = try text("htm"), htu = try text("htu")
        guard let iatValue = c["iat"] else { throw fail(.dpopMalformed, "claim iat is missing (RFC 9449 section 4.2)") }
        // Bounded as the Validator bounds NumericDates (and so that now - iat cannot overflow).
        guard let iat = iatValue.int64Value, iat > -1_000_000_000_000_000, iat < 1_000_000_000_000_000 else {
            throw fail(.dpopMalformed, "claim iat is not an integer NumericDate")
        }
        // 8. htm
        guard htm.utf8.elementsEqual(req.htm.utf8) else {
            throw fail(.dpopHTMMismatch, "htm \"\(JSON.escapedForMessage(htm))\" is not the request method \(JSON.escapedForMessage(req.htm))")
        }
        // 9. htu
        guard let want = normalizedURI(req.htu) else {
            throw WIFError(.usage, "--htu \(JSON.escapedForMessage(req.htu)) is not an absolute http(s) URI")
        }
        guard let got = normalizedURI(htu), got.utf8.elementsEqual(want.utf8) else {
            throw fail(.dpopHTUMismatch, "htu \"\(JSON.escapedForMessage(htu))\" is not the request URI \(JSON.escapedForMessage(targetURI(req.htu))) (RFC 9449 section 4.3)")
        }
        // 10. iat
        if now - iat > req.maxAge {
            throw fail(.dpopIatStale, "iat \(iat) is \(now - iat)s old, more than the \(req.maxAge)s allowed")
        }
        if iat - now > req.leeway {
            throw fail(.dpopIatFuture, "iat \(iat) is \(iat - now)s in the future (leeway \(req.leeway)s)")
        }
        // 11. nonce
        if let nonce = req.nonce {
            guard let n = c["nonce"]?.stringValue else {
                throw fail(.dpopBadNonce, "the server requires a nonce and the proof carries none (RFC 9449 section 8)")
            }
            guard n.utf8.elementsEqual(nonce.utf8) else { throw fail(.dpopBadNonce, "the proof's nonce is not the one the server gave") }
        }
        // 12. ath
        if let at = req.accessToken {
            guard let a = c["ath"]?.stringValue else {
                throw fail(.dpopATHMissing, "the proof carries no ath, and an access token is presented (RFC 9449 section 4.3)")
            }
            guard a.utf8.elementsEqual(ath(at).utf8) else {
                throw fail(.dpopATHMismatch, "ath is not the SHA-256 hash of the presented access token")
            }
        }
        // 13. jkt
        if let jkt = req.jkt, !key.thumbprint.utf8.elementsEqual(jkt.utf8) {
            throw fail(.dpopJKTMismatch, "the proof's key has thumbprint \(key.thumbprint), not the bound \(JSON.escapedForMessage(jkt))")
        }
        // 14. replay
        var claims = JSONObject()
        claims["iss"] = .string("urn:wif:dpop:" + key.thumbprint)
        claims["jti"] = .string(jti)
        claims["exp"] = .integer(max(iat, now) + req.maxAge + 1)
        let entry = VerifiedToken(header: h, claims: claims, key: key, algorithm: alg, token: proof,
                                  headerJSON: jws.headerJSON, payloadJSON: jws.payload)
        let verified = VerifiedProof(header: h, claims: c, key: key, algorithm: alg, jkt: key.thumbprint, jti: jti, iat: iat,
                                     replayEntry: entry)
        if let replayCache { try spend(verified, leeway: req.leeway, now: now, replayCache: replayCache, clock: clock) }
        return verified
    }

    /// Check 14 alone: records the jti of a proof that passed checks 1-13 in `replayCache` (`dpop_replayed_jti`
    /// when it was seen before). The token endpoint calls it last, so only a request that succeeds spends its proof.
    public static func spend(_ proof: VerifiedProof, leeway: Int64, now: Int64, replayCache: ReplayCache,
                             clock: (() -> Int64)? = nil) throws(WIFError) {
        do { try replayCache.check(proof.replayEntry, leeway: leeway, now: clock ?? { now }) } catch {
            switch error.reason {
            case .replayedJTI: throw fail(.dpopReplayedJTI, "proof jti \"\(JSON.escapedForMessage(proof.jti))\" was already used")
            case .expired: throw fail(.dpopIatStale, "the proof became too old while the replay cache was busy")
            default: throw error
            }
        }
    }

    static func algList(_ algs: [Algorithm]) -> String { algs.map { $0.rawValue }.joined(separator: " ") }

    // MARK: htu normalisation (RFC 3986 §6.2.2, §6.2.3)

    /// The URI without query and fragment, normalised: scheme and host lowercased, percent-encodings of
    /// unreserved characters decoded and the others uppercased, dot segments removed, the scheme's default port
    /// and an empty port dropped, an empty path made `/`. nil when it is not an absolute http or https URI with
    /// an authority, or holds a byte outside printable ASCII or a broken percent-encoding.
    public static func normalizedURI(_ uri: String) -> String? {
        let u = targetURI(uri)
        guard !u.isEmpty, u.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        guard let colon = u.firstIndex(of: ":") else { return nil }
        let scheme = String(u[..<colon]).asciiLowercased
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = u[u.index(after: colon)...]
        guard rest.hasPrefix("//") else { return nil }
        rest = rest.dropFirst(2)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        let path = rest[slash...]
        var userinfo = ""
        if let at = authority.lastIndex(of: "@") {
            guard let ui = percentNormalized(authority[..<at]) else { return nil }
            userinfo = ui + "@"
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var port: Substring = ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                port = after.dropFirst()
            }
        } else if let c = authority.lastIndex(of: ":") {
            host = authority[..<c]
            port = authority[authority.index(after: c)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, validHost(host), let hostText = percentNormalized(host) else { return nil }
        guard userinfo.utf8.dropLast().allSatisfy({ uriCharacter($0, extra: ":") }),
              path.utf8.allSatisfy({ uriCharacter($0, extra: ":@/") }) else { return nil }
        guard port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), port.count <= 5 else { return nil }
        var portText = ""
        if !port.isEmpty {
            guard let p = Int(port), p <= 65535 else { return nil }
            if !((scheme == "http" && p == 80) || (scheme == "https" && p == 443)) { portText = ":\(p)" }
        }
        guard let pathText = percentNormalized(path) else { return nil }
        let cleanPath = removeDotSegments(pathText.isEmpty ? "/" : pathText)
        return scheme + "://" + userinfo + hostText.asciiLowercased + portText + cleanPath
    }

    /// Whether `c` is unreserved, a sub-delim, `%` (checked by `percentNormalized`) or one of `extra` (RFC 3986 §2).
    static func uriCharacter(_ c: UInt8, extra: String) -> Bool {
        switch c {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: return true
        default: return "-._~!$&'()*+,;=%".utf8.contains(c) || extra.utf8.contains(c)
        }
    }

    /// A reg-name (RFC 3986 §3.2.2) or a bracketed IPv6 literal of hex digits, colons and dots.
    static func validHost(_ host: Substring) -> Bool {
        if host.hasPrefix("[") {
            let inner = host.utf8.dropFirst().dropLast()
            return host.hasSuffix("]") && !inner.isEmpty && inner.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c == 0x3A || c == 0x2E
            }
        }
        return host.utf8.allSatisfy { uriCharacter($0, extra: "") }
    }

    /// Percent-encodings normalised (RFC 3986 §6.2.2.1, §6.2.2.2): `%XX` of an unreserved character decoded,
    /// others with uppercase hex digits; nil for a `%` not followed by two hex digits.
    static func percentNormalized(_ s: Substring) -> String? {
        let b = Array(s.utf8)
        var out = [UInt8]()
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < b.count {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.count, let hi = hex(b[i + 1]), let lo = hex(b[i + 2]) else { return nil }
                let v = hi << 4 | lo
                let unreserved = (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39)
                    || v == UInt8(ascii: "-") || v == UInt8(ascii: ".") || v == UInt8(ascii: "_") || v == UInt8(ascii: "~")
                if unreserved { out.append(v) } else {
                    let digits = Array("0123456789ABCDEF".utf8)
                    out += [UInt8(ascii: "%"), digits[Int(hi)], digits[Int(lo)]]
                }
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 §5.2.4 remove_dot_segments.
    static func removeDotSegments(_ path: String) -> String {
        var input = Substring(path)
        var output: [Substring] = []
        while !input.isEmpty {
            if input.hasPrefix("../") { input = input.dropFirst(3) }
            else if input.hasPrefix("./") { input = input.dropFirst(2) }
            else if input.hasPrefix("/./") { input = input.dropFirst(2) }
            else if input == "/." { input = "/" }
            else if input.hasPrefix("/../") { input = input.dropFirst(3); if !output.isEmpty { output.removeLast() } }
            else if input == "/.." { input = "/"; if !output.isEmpty { output.removeLast() } }
            else if input == "." || input == ".." { input = "" }
            else {
                let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[start...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return output.joined()
    }
}
