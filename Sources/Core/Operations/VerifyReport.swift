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
        // Literal pieces are copied as bytes and the line number written digit by digit: appending String
        // literals and an interpolation cost 2k instructions a line (issue 12).
        put(#"{"valid":true,"#, &out)
        if let line {
            put(#""line":"#, &out)
            putDecimal(line, &out)
            out.append(UInt8(ascii: ","))
        }
        put(#""header":"#, &out)
        if v.headerIsCompact || JSON.isCompactForm(v.headerJSON) { out += v.headerJSON } else { JSON.object(v.header).write(to: &out) }
        put(#","claims":"#, &out)
        if v.payloadIsCompact || JSON.isCompactForm(v.payloadJSON) { out += v.payloadJSON } else { JSON.object(v.claims).write(to: &out) }
        put(#","kid":"#, &out)
        if let kid = v.key.kid { JSON.writeString(kid, to: &out) } else { put("null", &out) }
        put(#","alg":""#, &out)
        out += v.algorithm.rawValue.utf8
        put(#"","thumbprint":""#, &out)
        out += v.key.thumbprint.utf8
        out.append(UInt8(ascii: "\""))
        if let chain = v.delegationLevels {
            put(#","delegation":"#, &out)
            JSON.array(chain.map { .object($0) }).write(to: &out)
        }
        put("}\n", &out)
    }

    @inline(__always) static func put(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// `n` in decimal ASCII (digits made right to left on the stack: division by the constant 10 is a multiply).
    static func putDecimal(_ n: Int, _ out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var v = n.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { b in
            var i = b.count
            repeat {
                i -= 1
                b[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
            } while v > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i...]))
        }
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
