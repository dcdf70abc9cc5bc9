// SPDX-License-Identifier: Apache-2.0

/// Named rule sets for `--profile`: each sets defaults that explicit options then override.
public enum Profile: String, CaseIterable, Sendable {
    /// RFC 7523 §3: iss, sub, aud and exp required; `typ`, when present, must be JWT.
    case rfc7523
    /// RFC 7523 §2.2 / §3: client authentication, iss = sub = the client id, aud the token endpoint.
    case clientAssertion = "client-assertion"
    /// SPIFFE JWT-SVID: sub a SPIFFE ID, aud and exp required, RS/ES/PS only, only alg/kid/typ headers,
    /// only keys with `use` = `jwt-svid`.
    case spiffe
    /// MCP SEP-1933: iss, sub, aud, exp, iat and jti required, lifetime at most 1 h, a trailing slash on aud
    /// does not matter.
    case mcpWIF = "mcp-wif"
    /// RFC 9068 JWT access tokens: typ at+jwt; iss, exp, aud, sub, client_id, iat, jti required.
    case atJWT = "at+jwt"
    /// ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant): typ oauth-id-jag+jwt; iss, sub, aud, client_id,
    /// jti, exp, iat required; with `--client-id`, client_id must equal it.
    case idJAG = "id-jag"
    /// Only what is asked for explicitly (signature, and time claims when present, are always checked).
    case none

    // A closure, not the key path `\.rawValue`: instantiating the key path at run time cost 0.1 M instructions
    // in every start-up that builds a help text naming the algorithms.
    // A loop, not `joined(separator:)`, as `Algorithm.namesList` (issue 12).
    public static let namesList: String = {
        var s = ""
        for p in allCases {
            if !s.isEmpty { s += ", " }
            s += p.rawValue
        }
        return s
    }()

    /// The profile named exactly `name` (UTF-8 bytes, never Unicode equivalence), or nil.
    public static func named(_ name: String) -> Profile? {
        allCases.first { $0.rawValue.utf8.elementsEqual(name.utf8) }
    }
}

/// What a token must satisfy. Built from a profile's defaults, then overridden by explicit options.
public struct Policy: Sendable {
    public var profile: Profile
    /// Allowed algorithms; nil means every algorithm that some verification key fits.
    public var algorithms: AlgorithmSet?
    public var issuers: [String] = []
    public var audiences: [String] = []
    public var subjects: [String] = []
    public var rejectSubjects: [String] = []
    public var rejectJTIs: [String] = []
    public var required: [String] = []
    /// Required `typ` (compared case-insensitively, `application/` prefix ignored, RFC 7515 §4.1.9).
    public var typ: String?
    /// Accepted `typ` values when present (the profile's); an absent typ is accepted.
    public var typAllowed: [String]?
    public var leeway: Int64 = 60
    public var maxLifetime: Int64?
    public var maxAge: Int64?
    public var maxTokenSize = CompactJWS.defaultMaxSize
    public var maxDelegationDepth = 8
    public var actors: [String] = []
    /// Whether `https://as.example` and `https://as.example/` name the same audience.
    public var audienceIgnoresTrailingSlash = false
    /// Header members allowed (nil: any; `crit` and `b64` are always refused).
    public var allowedHeaders: Set<String>?
    /// The `use` a verification key must have (nil: absent or `sig`).
    public var keyUse: String?
    public var requireSPIFFESubject = false
    public var trustDomain: String?
    /// client-assertion: iss must equal sub, and both the client id when one is given.
    public var issEqualsSub = false
    public var clientID: String?

    public static let hardMaxDelegationDepth = 32

    public init(profile: Profile) {
        self.profile = profile
        switch profile {
        case .rfc7523:
            required = ["iss", "sub", "aud", "exp"]
            typAllowed = ["JWT"]
        case .clientAssertion:
            required = ["iss", "sub", "aud", "exp"]
            typAllowed = ["JWT"]
            issEqualsSub = true
        case .spiffe:
            required = ["sub", "aud", "exp"]
            typAllowed = ["JWT", "JOSE"]
            algorithms = [.rs256, .rs384, .rs512, .es256, .es384, .es512, .ps256, .ps384, .ps512]
            allowedHeaders = ["alg", "kid", "typ"]
            keyUse = "jwt-svid"
            requireSPIFFESubject = true
        case .mcpWIF:
            required = ["iss", "sub", "aud", "exp", "iat", "jti"]
            typAllowed = ["JWT"]
            maxLifetime = 3600
            audienceIgnoresTrailingSlash = true
        case .atJWT:
            required = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]
            typ = "at+jwt"
        case .idJAG:
            required = ["iss", "sub", "aud", "client_id", "jti", "exp", "iat"]
            typ = "oauth-id-jag+jwt"
        case .none:
            break
        }
    }

    /// Normalises a `typ` or `cty` for comparison (RFC 7515 §4.1.9): ASCII letters lowercased (no other case
    /// mapping, Identifier.swift), an `application/` prefix dropped when no other `/` follows.
    static func normalTyp(_ t: String) -> String {
        let l = t.asciiLowercased
        let rest = l.utf8.dropFirst(12)
        return l.hasBytePrefix("application/") && !rest.contains(0x2F) ? String(decoding: rest, as: UTF8.self) : l
    }

    /// Whether two `typ`/`cty` values name the same media type (RFC 7515 §4.1.9), compared as bytes.
    /// Compared in place, without the two lowercased copies `normalTyp` makes (6k instructions a token request,
    /// issue 13); PolicyTests holds it to `normalTyp(a).same(normalTyp(b))`.
    static func sameTyp(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in sameBytesIgnoringASCIICase(typCore(x), typCore(y)) } }
    }

    /// The bytes of a typ that name its media type: without an `application/` prefix (any ASCII case) when no
    /// other `/` follows it.
    private static func typCore(_ u: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard u.count >= 12, sameBytesIgnoringASCIICase(UnsafeBufferPointer(rebasing: u[0..<12]), applicationPrefix) else { return u }
        let rest = UnsafeBufferPointer(rebasing: u[12...])
        return rest.contains(0x2F) ? u : rest
    }

    private static let applicationPrefix = Array("application/".utf8)
}
