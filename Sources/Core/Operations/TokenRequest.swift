// SPDX-License-Identifier: Apache-2.0

/// OAuth token-request constants (RFC 7523 §2, RFC 8693 §2.1, §3).
public enum TokenRequest {
    public static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    public static let clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public static let tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
    public static let clientCredentialsGrant = "client_credentials"
    public static let jwtTokenType = "urn:ietf:params:oauth:token-type:jwt"

    /// The option values of `wif-mint request`, checked and turned into the body's parameters here.
    ///
    /// Rules: every token option (the assertion argument, `--client-assertion`, `--subject-token`,
    /// `--actor-token`) follows the one rule for token arguments (`Input.tokenArgument`: `-`, an existing file,
    /// or a compact token; never a file name sent as a token); at most one of them reads standard input; an
    /// empty token is `input_empty` (exit 2); options of another grant are an error.
    public struct Settings: Sendable {
        public var grant = "jwt-bearer"
        public var assertion: String?
        public var clientAssertion: String?
        public var subjectToken: String?
        public var subjectTokenType: String?
        public var actorToken: String?
        public var actorTokenType: String?
        public var requestedTokenType: String?
        public var audience: [String] = []
        public var scope: String?
        public var resource: [String] = []
        public var clientID: String?
        public var params: [String] = []

        public init() {}

        static func read(_ arg: String, what: String) throws(WIFError) -> String {
            let bytes = try Input.token(arg, limit: CompactJWS.defaultMaxSize, what: what)
            guard let s = String(validating: bytes, as: UTF8.self) else { throw WIFError(.usage, "\(what) is not UTF-8 text") }
            return s
        }

        /// The parameters, in the order they are sent.
        public func parameters() throws(WIFError) -> [(String, String)] {
            let assertionArg = grant == "jwt-bearer" ? (assertion ?? "-") : assertion
            if [assertionArg, clientAssertion, subjectToken, actorToken].filter({ $0 == "-" }).count > 1 {
                throw WIFError(.usage, "only one input can come from standard input (-)")
            }
            var out: [(String, String)] = []
            switch grant {
            case "jwt-bearer":
                out.append(("grant_type", TokenRequest.jwtBearerGrant))
                out.append(("assertion", try Settings.read(assertionArg ?? "-", what: "the assertion")))
            case "client-credentials":
                guard clientAssertion != nil else { throw WIFError(.usage, "--grant client-credentials needs --client-assertion") }
                out.append(("grant_type", TokenRequest.clientCredentialsGrant))
            case "token-exchange":
                guard let subjectToken else { throw WIFError(.usage, "--grant token-exchange needs --subject-token") }
                out.append(("grant_type", TokenRequest.tokenExchangeGrant))
                out.append(("subject_token", try Settings.read(subjectToken, what: "the subject token")))
                out.append(("subject_token_type", subjectTokenType ?? TokenRequest.jwtTokenType))
                if let actorToken {
                    out.append(("actor_token", try Settings.read(actorToken, what: "the actor token")))
                    out.append(("actor_token_type", actorTokenType ?? TokenRequest.jwtTokenType))
                } else if actorTokenType != nil {
                    throw WIFError(.usage, "--actor-token-type needs --actor-token")
                }
                if let requestedTokenType { out.append(("requested_token_type", requestedTokenType)) }
            default:
                throw WIFError(.usage, "unknown --grant \"\(JSON.escapedForMessage(grant))\"",
                               hint: "grants: jwt-bearer, client-credentials, token-exchange")
            }
            if grant != "jwt-bearer" && assertion != nil { throw WIFError(.usage, "an assertion argument goes with --grant jwt-bearer only") }
            if grant != "token-exchange" && (subjectToken != nil || actorToken != nil || !audience.isEmpty || requestedTokenType != nil) {
                throw WIFError(.usage, "--subject-token, --actor-token, --audience and --requested-token-type go with --grant token-exchange")
            }
            if let clientAssertion {
                out.append(("client_assertion_type", TokenRequest.clientAssertionType))
                out.append(("client_assertion", try Settings.read(clientAssertion, what: "the client assertion")))
            }
            for a in audience { out.append(("audience", a)) }
            if let scope { out.append(("scope", scope)) }
            for r in resource { out.append(("resource", r)) }
            if let clientID { out.append(("client_id", clientID)) }
            for p in params { out.append(try Assignment.split(p, flag: "--param")) }
            return out
        }
    }
}

/// `application/x-www-form-urlencoded` (RFC 6749 Appendix B, WHATWG URL §5).
///
/// Encoding: UTF-8, then `A-Z a-z 0-9 - . _ *` stay, space becomes `+`, every other byte `%XX` (uppercase).
/// Decoding: split on `&`, then on the first `=`; `+` is a space; `%XX` must be two hex digits; the result must
/// be valid UTF-8. Any violation is an error naming the parameter.
public enum FormEncoding {
    static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    public static func encodeComponent(_ s: String) -> String {
        var out = [UInt8]()
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "*"):
                out.append(c)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ params: [(String, String)]) -> String {
        params.map { encodeComponent($0.0) + "=" + encodeComponent($0.1) }.joined(separator: "&")
    }

    /// Parameters as a JSON object; a repeated name becomes an array of its values, in order.
    public static func jsonObject(_ params: [(String, String)]) -> JSON {
        var o = JSONObject()
        for (k, v) in params {
            switch o[k] {
            case nil: o[k] = .string(v)
            case .array(let a)?: o[k] = .array(a + [.string(v)])
            case let prev?: o[k] = .array([prev, .string(v)])
            }
        }
        return .object(o)
    }

    /// Decodes a form body into ordered (name, value) pairs.
    public static func decode(_ body: [UInt8]) throws(WIFError) -> [(String, String)] {
        if body.isEmpty { return [] }
        var out: [(String, String)] = []
        for (i, part) in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).enumerated() {
            if part.isEmpty { throw WIFError(.invalidRequest, "parameter \(i + 1) is empty (stray '&')") }
            let eq = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { part[part.startIndex..<$0] } ?? part[...]
            let rawValue = eq.map { part[($0 + 1)...] } ?? []
            guard let name = component(rawName) else {
                throw WIFError(.invalidRequest, "parameter \(i + 1): its name is not valid form encoding")
            }
            guard let value = component(rawValue) else {
                throw WIFError(.invalidRequest, "parameter \"\(JSON.escapedForMessage(name))\": value is not valid form encoding")
            }
            out.append((name, value))
        }
        return out
    }

    static func component(_ b: ArraySlice<UInt8>) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = b.startIndex
        func hv(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < b.endIndex {
            let c = b[i]
            if c == UInt8(ascii: "+") { out.append(0x20); i += 1; continue }
            if c == UInt8(ascii: "%") {
                guard i + 2 < b.endIndex, let h = hv(b[i + 1]), let l = hv(b[i + 2]) else { return nil }
                out.append(h << 4 | l)
                i += 3
                continue
            }
            out.append(c)
            i += 1
        }
        return String(validating: out, as: UTF8.self)
    }
}
