// SPDX-License-Identifier: Apache-2.0
import CStaticLink
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The numeric-only getaddrinfo that replaces glibc's in the static release link (Sources/CStaticLink): numeric
/// hosts and ports resolve as glibc resolves them, names never do (they would need NSS).
@Suite struct StaticLinkTests {
    /// The error code (0 on success) and (family, socket type, address text, port) of each result.
    struct Outcome {
        var code: Int32 = 0
        var results: [(family: Int32, socktype: Int32, address: String, port: UInt16)] = []
        var first: String? {
            results.first.map { "\($0.family == AF_INET ? 4 : 6) \($0.address) \($0.port)" }
        }
    }

    func resolve(_ host: String?, _ port: String?, family: Int32 = AF_UNSPEC, socktype: Int32 = 0,
                 flags: Int32 = 0) -> Outcome {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = socktype
        hints.ai_flags = flags
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = wif_numeric_getaddrinfo(host, port, &hints, &res)
        guard rc == 0 else { return Outcome(code: rc) }
        defer { wif_numeric_freeaddrinfo(res) }
        var out = Outcome()
        var p = res
        while let ai = p?.pointee {
            var text = [CChar](repeating: 0, count: 64)
            var port: UInt16 = 0
            if ai.ai_family == AF_INET {
                ai.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { s in
                    var a = s.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &a, &text, 64)
                    port = UInt16(bigEndian: s.pointee.sin_port)
                }
            } else {
                ai.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                    var a = s.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &a, &text, 64)
                    port = UInt16(bigEndian: s.pointee.sin6_port)
                }
            }
            let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            out.results.append((ai.ai_family, ai.ai_socktype, address, port))
            p = ai.ai_next
        }
        return out
    }

    @Test func numericHostsAndPorts() {
        let stream = Int32(SOCK_STREAM.rawValue)
        #expect(resolve("127.0.0.1", "8080", socktype: stream).first == "4 127.0.0.1 8080")
        #expect(resolve("::1", "0", socktype: stream).first == "6 ::1 0")
        #expect(resolve(nil, "443", socktype: stream, flags: AI_PASSIVE).first == "4 0.0.0.0 443")
        #expect(resolve(nil, "443", family: AF_INET6, socktype: stream, flags: AI_PASSIVE).first == "6 :: 443")
        #expect(resolve(nil, "443", socktype: stream).first == "4 127.0.0.1 443")
        #expect(resolve("127.0.0.1", nil, socktype: stream).first == "4 127.0.0.1 0")
        // no socket type asked: a stream and a datagram result, as glibc gives
        #expect(resolve("10.1.2.3", "53").results.map(\.socktype) == [stream, Int32(SOCK_DGRAM.rawValue)])
    }

    @Test func namesAndBadInputAreRefused() {
        #expect(resolve("localhost", "80").code == EAI_NONAME)
        #expect(resolve("example.org", "80").code == EAI_NONAME)
        #expect(resolve("127.0.0.1", "http").code == EAI_NONAME)
        #expect(resolve("127.0.0.1", "65536").code == EAI_SERVICE)
        #expect(resolve("127.0.0.1", "").code == EAI_NONAME)
        #expect(resolve(nil as String?, nil as String?).code == EAI_NONAME)
        #expect(resolve("::1", "80", family: AF_INET).code == EAI_NONAME)
        #expect(resolve("127.0.0.1", "80", family: AF_UNIX).code == EAI_FAMILY)
        #expect(resolve("127.0.0.1 ", "80").code == EAI_NONAME)
    }
}
