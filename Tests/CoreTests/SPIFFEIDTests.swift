// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// SPIFFE ID syntax (SPIFFE-ID.md §2) as SPIFFEID.swift checks it.
@Suite struct SPIFFEIDTests {
    @Test(arguments: ["spiffe://example.org/ns/ci/sa/build", "spiffe://example.org", "spiffe://a-b.c_d/x"])
    func valid(_ id: String) {
        #expect(SPIFFEID.problem(id) == nil)
    }

    @Test(arguments: ["https://example.org/x", "spiffe://", "spiffe://Example.org/x", "spiffe://example.org/",
                      "spiffe://example.org/a//b", "spiffe://example.org/./x", "spiffe://example.org/../x",
                      "spiffe://user@example.org/x", "spiffe://example.org:8080/x", "spiffe://example.org/x?q",
                      "spiffe://example.org/x#f", "SPIFFE://example.org/x"])
    func invalid(_ id: String) {
        #expect(SPIFFEID.problem(id) != nil, "\(id)")
    }

    @Test func trustDomainIsTheHost() {
        #expect(SPIFFEID.trustDomain("spiffe://example.org/ns/ci") == "example.org")
    }
}
