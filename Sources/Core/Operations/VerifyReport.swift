// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Verification results as JSON, for `--json` and `--batch`.
public enum VerifyReport {
    /// Appends the success object of `v` and a newline to `out`, without building it as a JSON value first;
    /// `line` is the batch input line it came from.
    /// The header and claims are copied from the token's own bytes when those are already in the compact form
    /// `JSON.write` produces (tokens from wif-mint and most issuers): serialising the parsed objects again cost
    /// 14k of the 65k instructions per HS256 token in `--batch`. Otherwise they are serialised, so the line is
    /// the same either way.
    public static func writeSuccessLine(_ v: VerifiedToken, line: Int? = nil, to out: inout [UInt8]) {
        out += #"{"valid":true,"#.utf8
        if let line { out += #""line":\#(line),"#.utf8 }
        out += #""header":"#.utf8
        if v.headerIsCompact || JSON.isCompactForm(v.headerJSON) { out += v.headerJSON } else { JSON.object(v.header).write(to: &out) }
        out += #","claims":"#.utf8
        if v.payloadIsCompact || JSON.isCompactForm(v.payloadJSON) { out += v.payloadJSON } else { JSON.object(v.claims).write(to: &out) }
        out += #","kid":"#.utf8
        if let kid = v.key.kid { JSON.writeString(kid, to: &out) } else { out += "null".utf8 }
        out += #","alg":""#.utf8
        out += v.algorithm.rawValue.utf8
        out += #"","thumbprint":""#.utf8
        out += v.key.thumbprint.utf8
        out += "\"".utf8
        if let chain = Delegation.levels(v.claims) {
            out += #","delegation":"#.utf8
            JSON.array(chain.map { .object($0) }).write(to: &out)
        }
        out += "}\n".utf8
    }

    /// `{"valid":true,"header":{...},"claims":{...},"kid":...,"alg":...,"thumbprint":...}`, and with an `act`
    /// claim `"delegation":[...]`, the chain current actor first (`Delegation.levels`).
    public static func success(_ v: VerifiedToken) -> JSON {
        var o = JSONObject()
        o["valid"] = .bool(true)
        o["header"] = .object(v.header)
        o["claims"] = .object(v.claims)
        o["kid"] = v.key.kid.map { .string($0) } ?? .null
        o["alg"] = .string(v.algorithm.rawValue)
        o["thumbprint"] = .string(v.key.thumbprint)
        if let chain = Delegation.levels(v.claims) { o["delegation"] = .array(chain.map { .object($0) }) }
        return .object(o)
    }

    /// `{"valid":false,"error":"invalid_grant","reason":"expired","message":"..."}`, with `hint` when the error
    /// has one; in a batch also `line`, and the rejected token's `jti` and `sub` when its payload can be read.
    public static func failure(_ e: WIFError, line: Int? = nil, token: [UInt8]? = nil) -> JSON {
        var o = JSONObject()
        o["valid"] = .bool(false)
        if let line { o["line"] = .integer(Int64(line)) }
        o["error"] = .string(e.reason.isRejection ? e.reason.oauthError.rawValue : "invalid_request")
        o["reason"] = .string(e.reason.rawValue)
        o["message"] = .string(e.detail)
        if let hint = e.hint { o["hint"] = .string(hint) }
        if let token, let claims = payloadClaims(token) {
            for name in ["jti", "sub"] { if let v = claims[name], v.stringValue != nil { o[name] = v } }
        }
        return .object(o)
    }

    /// The payload claims of a compact JWS whose payload segment decodes to a JSON object, signature unchecked
    /// (for reporting which token was rejected, never for a verdict).
    static func payloadClaims(_ token: [UInt8]) -> JSONObject? {
        let parts = token.split(separator: 0x2E, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]) else { return nil }
        return try? JSON.parseObject(payload, what: "payload")
    }
}
