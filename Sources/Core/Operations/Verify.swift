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
        if JSON.isCompactForm(v.headerJSON) { out += v.headerJSON } else { JSON.object(v.header).write(to: &out) }
        out += #","claims":"#.utf8
        if JSON.isCompactForm(v.payloadJSON) { out += v.payloadJSON } else { JSON.object(v.claims).write(to: &out) }
        out += #","kid":"#.utf8
        if let kid = v.key.kid { JSON.writeString(kid, to: &out) } else { out += "null".utf8 }
        out += #","alg":""#.utf8
        out += v.algorithm.rawValue.utf8
        out += #"","thumbprint":""#.utf8
        out += v.key.thumbprint.utf8
        out += "\"}\n".utf8
    }

    /// `{"valid":true,"header":{...},"claims":{...},"kid":...,"alg":...,"thumbprint":...}`
    public static func success(_ v: VerifiedToken) -> JSON {
        var o = JSONObject()
        o["valid"] = .bool(true)
        o["header"] = .object(v.header)
        o["claims"] = .object(v.claims)
        o["kid"] = v.key.kid.map { .string($0) } ?? .null
        o["alg"] = .string(v.algorithm.rawValue)
        o["thumbprint"] = .string(v.key.thumbprint)
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

/// Reads tokens one a line from a file descriptor, in bounded memory: a line longer than `maxLine` is
/// reported as too long and skipped to its end without being kept.
public struct LineReader {
    let fd: Int32
    let maxLine: Int
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var start = 0
    var end = 0
    var eof = false

    public enum Line { case line([UInt8]), tooLong(Int) }

    public init(fd: Int32, maxLine: Int) {
        self.fd = fd
        self.maxLine = maxLine
    }

    private mutating func fill() throws(WIFError) -> Bool {
        if eof { return false }
        if start > 0 {
            buffer.withUnsafeMutableBytes { b in
                if end > start { b.baseAddress!.advanced(by: 0).copyMemory(from: b.baseAddress! + start, byteCount: end - start) }
            }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        while true {
            let n = buffer.withUnsafeMutableBytes { b in readFD(fd, b.baseAddress! + end, b.count - end) }
            if n < 0 {
                if errnoValue() == 4 { continue }  // EINTR
                throw WIFError(.inputUnreadable, "standard input: read error")
            }
            if n == 0 { eof = true; return false }
            end += n
            return true
        }
    }

    /// The index of the next newline in `buffer[from..<end]`, found with memchr.
    private func newline(from: Int) -> Int? {
        guard from < end else { return nil }
        return buffer.withUnsafeBytes { b -> Int? in
            guard let p = memchr(b.baseAddress! + from, 0x0A, end - from) else { return nil }
            return b.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
    }

    /// The next line without its newline (and a CR before it), or nil at end of input.
    public mutating func next() throws(WIFError) -> Line? {
        var skipped = 0
        var offset = 0  // bytes after `start` already scanned, with no newline among them
        while true {
            if let nl = newline(from: start + offset) {
                if skipped > 0 {
                    let total = skipped + (nl - start)
                    start = nl + 1
                    return .tooLong(total)
                }
                var line = Array(buffer[start..<nl])
                if line.last == 0x0D { line.removeLast() }
                start = nl + 1
                return .line(line)
            }
            if end - start > maxLine + 1 {
                // Drop what we have of an overlong line and keep looking for its end.
                skipped += end - start
                start = end
            }
            offset = end - start
            if try !fill() {
                if skipped > 0 {
                    let total = skipped + (end - start)
                    start = end
                    return .tooLong(total)
                }
                if start == end { return nil }
                var line = Array(buffer[start..<end])
                if line.last == 0x0D { line.removeLast() }
                start = end
                return .line(line)
            }
        }
    }
}
