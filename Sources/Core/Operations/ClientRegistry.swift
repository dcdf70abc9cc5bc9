// SPDX-License-Identifier: Apache-2.0

/// The registered clients of a token endpoint (`--clients FILE`): RFC 7591 §2 client metadata, one entry per client.
///
/// File format: a JSON object `{"clients": [ENTRY, ...]}`; each ENTRY an object with
/// - `client_id` (string, required, unique, compared as exact bytes);
/// - `token_endpoint_auth_method`: `none`, `client_secret_basic` (the RFC 7591 default), `client_secret_post` or
///   `private_key_jwt`;
/// - the secret of the two `client_secret_*` methods, as exactly one of `client_secret_file` (a path; the file
///   holds the secret, one trailing newline ignored), `client_secret_sha256` (64 hex digits, SHA-256 of the
///   secret) or `client_secret_argon2id` (a PHC string `$argon2id$v=19$m=…,t=…,p=…$SALT$HASH`, its costs within
///   `argon2Floor` and `argon2Ceiling`) — never the secret itself;
/// - for `private_key_jwt`, exactly one of `jwks` (a JWK Set object) or `jwks_file` (a path), public asymmetric
///   keys only: an `oct` key or a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`) is an error;
/// - `grant_types` (array of strings): the grants this client may use (default: any the endpoint allows);
/// - `scope` (space-separated string): the scopes this client may ask for (default: any the endpoint allows);
/// - `client_name` (string, informational).
/// Any other member, a duplicate member or client_id, or a member of the wrong type is an error naming the entry
/// and the member (exit 2): a server with a half-read client list never starts.
public struct ClientRegistry: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case none
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        case privateKeyJWT = "private_key_jwt"
    }

    /// How the secret is kept: a SHA-256 digest (from a file or given) or an Argon2id hash.
    public enum Secret: Sendable {
        case sha256([UInt8])
        case argon2id(parameters: Argon2.Parameters, salt: [UInt8], hash: [UInt8])

        /// Whether `presented` is the secret, compared in constant time.
        public func matches(_ presented: [UInt8]) throws(WIFError) -> Bool {
            switch self {
            case .sha256(let digest):
                return Digest.constantTimeEqual(Digest.sha256(presented), digest)
            case .argon2id(let p, let salt, let hash):
                var got = try Argon2.hash(password: presented, salt: salt, parameters: p, length: hash.count)
                defer { Digest.wipe(&got) }
                return Digest.constantTimeEqual(Digest.sha256(got), Digest.sha256(hash))
            }
        }
    }

    public struct Client: Sendable {
        public var id: String
        public var method: Method
        public var secret: Secret?
        public var keys: KeyRing?
        public var grantTypes: [String]?
        public var scopes: [String]?
    }

    public let clients: [Client]
    public static let maxFileSize = 1 << 20
    public static let maxClients = 1024

    public init(clients: [Client]) { self.clients = clients }

    /// The client registered as `id` (exact bytes), or nil.
    public func client(_ id: String) -> Client? { clients.first { $0.id.same(id) } }

    /// The methods some client uses, for RFC 8414 `token_endpoint_auth_methods_supported`.
    public var methods: [Method] { Method.allCases.filter { m in clients.contains { $0.method == m } } }

    /// Reads and checks `path` (rules above).
    public static func load(path: String) throws(WIFError) -> ClientRegistry {
        if path == "-" { throw WIFError(.usage, "--clients -: give the client list as a file (standard input carries the request)") }
        let bytes = try Input.read(path, limit: maxFileSize, what: "--clients \(path)")
        let top: JSONObject
        do { top = try JSON.parseObject(bytes, what: "--clients \(path)") } catch { throw WIFError(.usage, error.detail) }
        return try parse(top, what: "--clients \(path)")
    }

    static let members: Set<String> = [
        "client_id", "token_endpoint_auth_method", "client_secret_file", "client_secret_sha256", "client_secret_argon2id",
        "jwks", "jwks_file", "grant_types", "scope", "client_name",
    ]

    public static func parse(_ top: JSONObject, what: String) throws(WIFError) -> ClientRegistry {
        func bad(_ m: String) -> WIFError { WIFError(.usage, "\(what): \(m)") }
        for m in top where !m.name.same("clients") {
            throw bad("unknown member \"\(JSON.escapedForMessage(m.name))\" (the file is {\"clients\": [...]})")
        }
        guard let list = top["clients"]?.arrayValue else { throw bad("member clients must be an array of client entries") }
        guard list.count <= maxClients else { throw bad("more than \(maxClients) clients") }
        var out: [Client] = []
        for (i, entry) in list.enumerated() {
            guard let o = entry.objectValue else { throw bad("clients[\(i)] is a JSON \(entry.typeName), not an object") }
            let label = "clients[\(i)]" + (o["client_id"]?.stringValue.map { " (\(JSON.escapedForMessage($0)))" } ?? "")
            func fail(_ m: String, _ why: String) -> WIFError { bad("\(label): \(m) \(why)") }
            for m in o where !members.contains(m.name) {
                throw fail(JSON.escapedForMessage(m.name), "is not a known member (\(members.sorted().joined(separator: ", ")))")
            }
            func string(_ m: String) throws(WIFError) -> String? {
                guard let v = o[m] else { return nil }
                guard let s = v.stringValue, !s.isEmpty else { throw fail(m, "must be a non-empty string, not a JSON \(v.typeName)") }
                return s
            }
            guard let id = try string("client_id") else { throw fail("client_id", "is required") }
            if out.contains(where: { $0.id.same(id) }) { throw fail("client_id", "is registered twice") }
            let methodName = try string("token_endpoint_auth_method") ?? Method.clientSecretBasic.rawValue
            guard let method = Method.allCases.first(where: { $0.rawValue.same(methodName) }) else {
                throw fail("token_endpoint_auth_method", "\"\(JSON.escapedForMessage(methodName))\" is not one of none, client_secret_basic, client_secret_post, private_key_jwt")
            }
            let secretMembers = ["client_secret_file", "client_secret_sha256", "client_secret_argon2id"].filter { o[$0] != nil }
            let keyMembers = ["jwks", "jwks_file"].filter { o[$0] != nil }
            var client = Client(id: id, method: method)
            switch method {
            case .clientSecretBasic, .clientSecretPost:
                guard secretMembers.count == 1 else {
                    throw fail("client_secret_file, client_secret_sha256 or client_secret_argon2id", "must be given exactly once for \(method.rawValue)")
                }
                if let k = keyMembers.first { throw fail(k, "goes with private_key_jwt only") }
                if let path = try string("client_secret_file") {
                    var secret = try readSecret(path, label: label)
                    defer { Digest.wipe(&secret) }
                    client.secret = .sha256(Digest.sha256(secret))
                } else if let hex = try string("client_secret_sha256") {
                    guard let d = decodeHex(hex), d.count == 32 else { throw fail("client_secret_sha256", "must be 64 hex digits") }
                    client.secret = .sha256(d)
                } else if let phc = try string("client_secret_argon2id") {
                    do { client.secret = try parsePHC(phc) } catch { throw fail("client_secret_argon2id", error.detail) }
                }
            case .privateKeyJWT:
                if let s = secretMembers.first { throw fail(s, "goes with client_secret_basic or client_secret_post only") }
                guard keyMembers.count == 1 else { throw fail("jwks or jwks_file", "must be given exactly once for private_key_jwt") }
                if let path = try string("jwks_file") {
                    do throws(WIFError) {
                        let data = try Input.read(path, limit: KeyRing.maxFileSize, what: "jwks_file \(path)")
                        if let jo = try? JSON.parseObject(Input.trim(data), what: path), let why = notPublic(jo) {
                            throw WIFError(.usage, why)
                        }
                        client.keys = try KeyRing(paths: [path])
                    } catch { throw fail("jwks_file", error.detail) }
                } else if let v = o["jwks"] {
                    guard let jo = v.objectValue else { throw fail("jwks", "must be a JWK Set object, not a JSON \(v.typeName)") }
                    if let why = notPublic(jo) { throw fail("jwks", why) }
                    do { client.keys = KeyRing(keys: try JWKSet.parse(jo, what: "jwks", lenient: false).keys) } catch {
                        throw fail("jwks", error.detail)
                    }
                }
                if let k = client.keys?.keys.first(where: { $0.keyType == .oct || $0.isPrivate }) {
                    throw fail(keyMembers[0], "key\(k.kidLabel) is \(k.keyType == .oct ? "an oct (HMAC) key" : "a private key"): a client registers public keys only")
                }
            case .none:
                if let s = (secretMembers + keyMembers).first { throw fail(s, "does not go with token_endpoint_auth_method none") }
            }
            if let v = o["grant_types"] {
                guard let a = v.arrayValue, let g = Optional(a.compactMap(\.stringValue)), g.count == a.count, !g.contains("") else {
                    throw fail("grant_types", "must be an array of non-empty strings")
                }
                client.grantTypes = g.map { $0.same("jwt-bearer") ? TokenRequest.jwtBearerGrant : $0 }
            }
            if let s = o["scope"] {
                guard let text = s.stringValue else { throw fail("scope", "must be a space-separated string, not a JSON \(s.typeName)") }
                client.scopes = text.scopeTokens
            }
            if let n = o["client_name"], n.stringValue == nil { throw fail("client_name", "must be a string") }
            out.append(client)
        }
        return ClientRegistry(clients: out)
    }

    /// The members of a JWK that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
    static let privateKeyMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// Why a JWK or JWK Set object is not a set of public asymmetric keys, or nil: a private_key_jwt client's
    /// keys verify its assertions, and a secret (HMAC) or private key in the client list is a secret on disk
    /// that anyone who reads the list could sign with.
    static func notPublic(_ o: JSONObject) -> String? {
        let isSet = o["keys"] != nil && o["kty"] == nil
        let objects = isSet ? (o["keys"]?.arrayValue ?? []).compactMap(\.objectValue) : [o]
        for (i, k) in objects.enumerated() {
            let label = isSet ? "keys[\(i)]" : "the key"
            if k["kty"]?.stringValue?.same("oct") == true { return "\(label) is an oct (HMAC) key: a client registers public keys only" }
            if let m = privateKeyMembers.first(where: { k[$0] != nil }) {
                return "\(label) has the private member \(m): a client registers public keys only"
            }
        }
        return nil
    }

    static func readSecret(_ path: String, label: String) throws(WIFError) -> [UInt8] {
        var b: [UInt8]
        do { b = try Input.read(path, limit: 4096, what: "\(label): client_secret_file \(path)") } catch {
            throw WIFError(.usage, error.detail)
        }
        if b.last == 0x0A { b.removeLast(); if b.last == 0x0D { b.removeLast() } }
        guard !b.isEmpty else { throw WIFError(.usage, "\(label): client_secret_file \(path) is empty") }
        // The same warning as a private key file's (SECURITY.md): a client secret others can read is no secret.
        if let warning = Input.keyFileWarning(path, what: "\(label): client secret file") { Warnings.emit(warning) }
        return b
    }

    static func decodeHex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            guard let h = v(u[i]), let l = v(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    /// The Argon2id costs a client secret may have. The check runs for every request naming the client, right or
    /// wrong, on `serve`'s single event loop: the ceiling is RFC 9106 §4's second recommended option (m = 64 MiB,
    /// t = 3, p = 4; 0.35 to 0.42 s here), so one request cannot stall the server for seconds (1 GiB at t = 3 took
    /// 16 s); the floor is OWASP's minimum (m = 19 MiB, t = 2, p = 1), below which a stolen list is cheap to crack.
    public static let argon2Floor = Argon2.Parameters(memoryKiB: 19 * 1024, iterations: 2, lanes: 1)
    public static let argon2Ceiling = Argon2.Parameters(memoryKiB: 64 * 1024, iterations: 3, lanes: 4)

    /// `$argon2id$v=19$m=M,t=T,p=P$SALT$HASH`, SALT and HASH unpadded standard base64 (the PHC string format).
    public static func parsePHC(_ s: String) throws(WIFError) -> Secret {
        let parts = s.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0].isEmpty, parts[1].same("argon2id"), parts[2].same("v=19") else {
            throw WIFError(.usage, "is not a PHC string $argon2id$v=19$m=…,t=…,p=…$SALT$HASH")
        }
        var m: UInt32?, t: UInt32?, p: UInt32?
        for kv in parts[3].split(separator: ",", omittingEmptySubsequences: false) {
            let pair = kv.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, pair[1].count <= 10, pair[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let n = UInt32(pair[1]) else {
                throw WIFError(.usage, "has a bad parameter \"\(JSON.escapedForMessage(String(kv)))\"")
            }
            switch pair[0] {
            case "m" where m == nil: m = n
            case "t" where t == nil: t = n
            case "p" where p == nil: p = n
            default: throw WIFError(.usage, "has a bad parameter \"\(JSON.escapedForMessage(String(kv)))\"")
            }
        }
        guard let m, let t, let p else { throw WIFError(.usage, "needs m, t and p") }
        let params = Argon2.Parameters(memoryKiB: m, iterations: t, lanes: p)
        do { try params.check(what: "argon2id") } catch { throw WIFError(.usage, error.detail) }
        let lo = argon2Floor, hi = argon2Ceiling
        guard m >= lo.memoryKiB, m <= hi.memoryKiB, t >= lo.iterations, t <= hi.iterations,
              p >= lo.lanes, p <= hi.lanes else {
            throw WIFError(.usage, "costs m=\(m),t=\(t),p=\(p) are outside m=\(lo.memoryKiB)..\(hi.memoryKiB) KiB, "
                + "t=\(lo.iterations)..\(hi.iterations), p=\(lo.lanes)..\(hi.lanes) (a client secret is hashed again for every request)")
        }
        guard let salt = Base64Standard.decode(parts[4], padded: false), salt.count >= 8 else {
            throw WIFError(.usage, "salt must be unpadded base64 of at least 8 bytes")
        }
        guard let hash = Base64Standard.decode(parts[5], padded: false), hash.count >= 16, hash.count <= 64 else {
            throw WIFError(.usage, "hash must be unpadded base64 of 16 to 64 bytes")
        }
        return .argon2id(parameters: params, salt: salt, hash: hash)
    }
}

/// Standard base64 (RFC 4648 §4), strict: the `+/` alphabet, padding as asked, canonical trailing bits.
public enum Base64Standard {
    public static func decode(_ s: String, padded: Bool) -> [UInt8]? {
        var u = Array(s.utf8)
        if padded {
            guard u.count % 4 == 0 else { return nil }
            var pad = 0
            while u.last == UInt8(ascii: "="), pad < 2 { u.removeLast(); pad += 1 }
        }
        guard !u.contains(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "=") }) else { return nil }
        return Base64URL.decode(u.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 })
    }

    public static func encode(_ b: [UInt8]) -> String {
        var s = Array(Base64URL.encode(b).utf8).map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        while s.count % 4 != 0 { s.append(UInt8(ascii: "=")) }
        return String(decoding: s, as: UTF8.self)
    }
}
