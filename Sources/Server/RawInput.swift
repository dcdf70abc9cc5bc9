// SPDX-License-Identifier: Apache-2.0
import Core
import NIOCore
import NIOEmbedded

/// Feeds raw bytes to one connection's pipeline (NIO's HTTP/1.1 decoder, the limits, the router, the Core use
/// cases) in memory, without a socket: for the tests and the fuzz target that throw arbitrary input at the request
/// handler. Invariants checked by the callers: no crash or hang, and every byte written back is a sequence of
/// HTTP/1.1 responses, each with a status the server documents.
public final class RawInput {
    private let state: ServerState

    /// A server with fixed keys: `idp` verifies assertions (iss `https://idp.example`), `issuer` signs access tokens.
    public init(idp: JWK, issuer: JWK, now: Int64) throws(WIFError) {
        var options = ServerOptions()
        options.fixedNow = now
        options.useStdout = false
        options.handleSignals = false
        let base = "http://127.0.0.1:1"
        let pub = try JWK.parse(idp.json(includePrivate: false), what: "idp")
        var p = Policy(profile: .rfc7523)
        p.issuers = ["https://idp.example"]
        p.audiences = [base, base + "/token"]
        p.audienceIgnoresTrailingSlash = true
        var endpoint = try TokenEndpoint(validator: try Validator(keys: KeyRing(keys: [pub]), policy: p))
        endpoint.issuerKey = issuer
        endpoint.issuer = base
        endpoint.defaultAudience = base + "/mcp"
        endpoint.memoryReplayCache = ReplayCache(inMemory: ())
        state = try ServerState(options: options, base: base, issuer: base, issuerKey: issuer, endpoint: endpoint,
                                log: LogFile(discarding: ()))
    }

    /// The statuses the server answers with.
    public static let statuses: Set<Int> = [200, 202, 400, 401, 403, 404, 405, 408, 413, 431, 500, 503]

    /// Sends `bytes` on a fresh connection (in `chunks` pieces), then the peer's end of input; returns what the
    /// server wrote back.
    public func feed(_ bytes: [UInt8], chunks: Int = 1) throws -> [UInt8] {
        let channel = EmbeddedChannel()
        try LoopbackServer.configure(channel, state: state)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        var out: [UInt8] = []
        func drain() throws {
            while let b = try channel.readOutbound(as: ByteBuffer.self) { out += b.readableBytesView }
            while let d = try channel.readOutbound(as: IOData.self) {
                if case .byteBuffer(let b) = d { out += b.readableBytesView }
            }
        }
        let n = max(1, chunks)
        let size = max(1, (bytes.count + n - 1) / n)
        var i = 0
        while i < bytes.count, channel.isActive {
            let piece = bytes[i..<min(bytes.count, i + size)]
            do { try channel.writeInbound(channel.allocator.buffer(bytes: piece)) } catch {}
            try drain()
            i += size
        }
        if channel.isActive { _ = try? channel.finish() }
        try drain()
        return out
    }

    /// The status codes of the HTTP/1.1 responses in `bytes`, or nil when they are not well-formed responses
    /// (status line, headers with a Content-Length, that many body bytes).
    public static func responses(_ bytes: [UInt8]) -> [Int]? {
        var statuses: [Int] = []
        var rest = bytes[...]
        let crlf2: [UInt8] = [13, 10, 13, 10]
        while !rest.isEmpty {
            guard let end = rest.firstRange(of: crlf2) else { return nil }
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let status = lines[0].split(separator: " ")
            guard status.count >= 2, status[0] == "HTTP/1.1", let code = Int(status[1]) else { return nil }
            var length: Int?
            for l in lines.dropFirst() {
                let kv = l.split(separator: ":", maxSplits: 1)
                if kv.count == 2, kv[0].lowercased() == "content-length" {
                    length = Int(kv[1].trimmingCharacters(in: " "))
                }
            }
            guard let length, rest[end.upperBound...].count >= length else { return nil }
            statuses.append(code)
            rest = rest[(end.upperBound + length)...]
        }
        return statuses
    }
}

extension Substring {
    func trimmingCharacters(in c: Character) -> Substring {
        var s = self
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return s
    }
}
