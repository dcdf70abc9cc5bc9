// SPDX-License-Identifier: Apache-2.0
import NIOCore
@testable import Server
import Testing

/// Router.swift, Response.write and headersAreSafe: the bytes of a response as RFC 9112 lays them out (status
/// line with NIO's reason phrase, headers in order, Content-Length, Connection: close when the connection ends,
/// no body for a HEAD), and the header check that keeps a CR, LF or other control byte out of them.
@Suite struct ResponseTests {
    func bytes(_ r: Response, close: Bool = false, omitBody: Bool = false) -> String {
        var buf = ByteBufferAllocator().buffer(capacity: 0)
        var scratch: [UInt8] = [1, 2, 3]
        r.write(to: &buf, head: &scratch, close: close, omitBody: omitBody)
        return String(decoding: buf.readableBytesView, as: UTF8.self)
    }

    @Test func layout() {
        let r = Response(status: 405, headers: [("Content-Type", "application/json"), ("Allow", "GET")], body: Array("{}".utf8))
        #expect(bytes(r) == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: GET\r\nContent-Length: 2\r\n\r\n{}")
        #expect(bytes(r, close: true) == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: GET\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        #expect(bytes(r, omitBody: true) == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: GET\r\nContent-Length: 2\r\n\r\n")
        #expect(bytes(Response(status: 202)) == "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        #expect(bytes(Response(status: 200, body: Array("é".utf8))).hasSuffix("Content-Length: 2\r\n\r\né"))
    }

    @Test func headerCheck() {
        #expect(Response(status: 200, headers: [("DPoP-Nonce", "a\tb !~")]).headersAreSafe)
        #expect(Response(status: 200, headers: []).headersAreSafe)
        for bad in [("DPoP-Nonce", "a\r\nSet-Cookie: x"), ("DPoP-Nonce", "a\nb"), ("X", "\u{0}"), ("X", "\u{7F}"),
                    ("Bad Name", "v"), ("", "v"), ("Na:me", "v"), ("X\r\n", "v")] {
            #expect(!Response(status: 200, headers: [("Content-Type", "application/json"), bad]).headersAreSafe, "\(bad)")
        }
    }
}
