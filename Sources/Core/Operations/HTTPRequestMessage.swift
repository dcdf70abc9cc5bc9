// SPDX-License-Identifier: Apache-2.0

/// One whole HTTP/1.1 request message (RFC 9112 §2): request line, header fields, body — what
/// `wif-verify request --http-request` reads on standard input, so a request's headers (Authorization for
/// client_secret_basic) can be judged offline as `serve` judges them.
///
/// A small strict parser with hard limits, not a general HTTP implementation:
/// - lines end in CRLF; a bare LF is accepted too (RFC 9112 §2.2), so a shell here-document works;
/// - the head (request line and fields) is at most `maxHeadSize` bytes, with at most `maxFields` fields;
/// - request line `METHOD SP request-target SP HTTP/1.1`; the method a token; the target has no spaces;
/// - a field is `name: value`, the name a token; obsolete line folding, control characters, and
///   `Transfer-Encoding` are refused;
/// - the body is exactly `Content-Length` bytes (one value, digits only); one trailing newline after it is
///   ignored; without Content-Length the body is empty;
/// - any violation is one `input_invalid` error naming what is wrong (exit 2: nothing could be judged).
public struct HTTPRequestMessage: Sendable {
    public var method: String
    public var target: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public static let maxHeadSize = 16 * 1024
    public static let maxFields = 64

    public func values(_ name: String) -> [String] { headers.filter { $0.0.sameIgnoringASCIICase(name) }.map(\.1) }

    static func bad(_ m: String) -> WIFError { WIFError(.inputInvalid, "the HTTP request: \(m)") }

    static func isToken(_ b: ArraySlice<UInt8>) -> Bool {
        !b.isEmpty && b.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || Array("!#$%&'*+-.^_`|~".utf8).contains(c)
        }
    }

    public static func parse(_ bytes: [UInt8], maxBody: Int) throws(WIFError) -> HTTPRequestMessage {
        // Split the head into lines up to the empty line.
        var lines: [ArraySlice<UInt8>] = []
        var i = 0
        var start = 0
        var bodyStart: Int?
        while i < bytes.count {
            if i >= maxHeadSize { throw bad("the request line and header fields are longer than \(maxHeadSize) bytes") }
            if bytes[i] == 0x0A {
                var end = i
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                let line = bytes[start..<end]
                if line.isEmpty {
                    if lines.isEmpty { throw bad("it starts with an empty line") }
                    bodyStart = i + 1
                    break
                }
                lines.append(line)
                if lines.count > maxFields + 1 { throw bad("more than \(maxFields) header fields") }
                start = i + 1
            }
            i += 1
        }
        guard let bodyStart else { throw bad("the header fields do not end with an empty line") }
        let requestLine = lines[0].split(separator: 0x20, omittingEmptySubsequences: false)
        guard requestLine.count == 3, isToken(requestLine[0]), !requestLine[1].isEmpty,
              requestLine[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw bad("the request line is not METHOD SP TARGET SP HTTP/1.1")
        }
        guard Array(requestLine[2]) == Array("HTTP/1.1".utf8) else { throw bad("the version is not HTTP/1.1") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            if line.first == 0x20 || line.first == 0x09 { throw bad("obsolete line folding is not accepted (RFC 9112 §5.2)") }
            guard let colon = line.firstIndex(of: 0x3A), isToken(line[line.startIndex..<colon]) else {
                throw bad("a header field is not NAME: VALUE")
            }
            var value = line[(colon + 1)...]
            while value.first == 0x20 || value.first == 0x09 { value = value.dropFirst() }
            while value.last == 0x20 || value.last == 0x09 { value = value.dropLast() }
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }), let v = String(validating: value, as: UTF8.self) else {
                throw bad("header field \(String(decoding: line[line.startIndex..<colon], as: UTF8.self)) has a control character or is not UTF-8")
            }
            headers.append((String(decoding: line[line.startIndex..<colon], as: UTF8.self), v))
        }
        let m = HTTPRequestMessage(method: String(decoding: requestLine[0], as: UTF8.self),
                                   target: String(decoding: requestLine[1], as: UTF8.self), headers: headers, body: [])
        if !m.values("transfer-encoding").isEmpty { throw bad("Transfer-Encoding is not accepted; send Content-Length") }
        var rest = bytes[bodyStart...]
        let lengths = m.values("content-length")
        guard lengths.count <= 1 else { throw bad("more than one Content-Length") }
        var length = 0
        if let l = lengths.first {
            guard !l.isEmpty, l.utf8.count <= 9, l.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(l) else {
                throw bad("Content-Length \"\(JSON.escapedForMessage(l))\" is not a number of bytes")
            }
            length = n
        }
        if length > maxBody { throw bad("Content-Length \(length) is more than \(maxBody) bytes") }
        guard rest.count >= length else { throw bad("the body has \(rest.count) bytes, Content-Length says \(length)") }
        var trailing = rest[(rest.startIndex + length)...]
        if trailing.last == 0x0A { trailing = trailing.dropLast(); if trailing.last == 0x0D { trailing = trailing.dropLast() } }
        guard trailing.isEmpty else {
            throw bad("\(rest.count - length) bytes follow the \(length) bytes Content-Length announces")
        }
        rest = rest.prefix(length)
        var out = m
        out.body = Array(rest)
        return out
    }
}

extension TokenEndpoint {
    /// Reads one whole HTTP request from `path` (`-`: standard input) and answers it as `serve` answers POST
    /// /token: Content-Type checked, then `handle(body:headers:now:facts:)`. Returns the request's headers too,
    /// for the response's challenge. An empty input is `input_empty` (exit 2); a method other than POST is
    /// `input_invalid`.
    /// `htu`: the token endpoint's URL the request's DPoP proofs must name (`--htu`); a request with a DPoP header
    /// and no `htu` cannot be judged (exit 2).
    public static func answer(httpRequestFrom path: String, htu: String? = nil, endpoint: TokenEndpoint, now: Int64)
        throws(WIFError)
        -> (outcome: Outcome, headers: [(String, String)]) {
        let bytes = try Input.read(path, limit: maxBodySize + HTTPRequestMessage.maxHeadSize, what: path == "-" ? "the HTTP request" : path)
        guard bytes.contains(where: { $0 != 0x0A && $0 != 0x0D }) else { throw Input.emptyInput(path, what: "the HTTP request") }
        let m = try HTTPRequestMessage.parse(bytes, maxBody: maxBodySize)
        guard m.method.same("POST") else {
            throw WIFError(.inputInvalid, "the HTTP request: method \(JSON.escapedForMessage(m.method)) is not POST (the token endpoint takes POST, RFC 6749 §3.2)")
        }
        if let refused = contentTypeProblem(m.values("content-type")) { return (refused, m.headers) }
        let proofs = m.values("dpop")
        if !proofs.isEmpty && htu == nil {
            throw WIFError(.usage, "the HTTP request carries a DPoP header: give --htu, the token endpoint's URL its proof names")
        }
        var facts = Facts()
        let dpop = TokenEndpoint.DPoPRequest(proofs: proofs, htu: htu ?? "")
        return (try endpoint.handle(body: m.body, headers: m.headers, dpop: dpop, now: now, facts: &facts), m.headers)
    }
}
