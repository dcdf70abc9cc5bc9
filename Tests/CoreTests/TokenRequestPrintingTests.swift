// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// What `wif-mint request` prints must not carry what the user did not mean to send
/// (Sources/Core/Operations/TokenRequest+ClientAuth.swift, TokenRequest.swift): a URL holding CR, LF, a space
/// or another control byte is refused for --curl and --http-request; curl's config quoting works scalar by
/// scalar; a client secret is never taken from argv (--param client_secret=).
@Suite struct TokenRequestPrintingTests {
    static let injected = "https://as.example/token\r\nurl = http://127.0.0.1:1/token\r\n"

    @Test(arguments: [injected, "https://as.example/token\n", "https://as.example/a b", "https://as.example/\t",
                      "https://as.example/\u{7F}", "https://as.example/\u{0}"])
    func aURLWithAControlByteOrASpaceIsRefused(url: String) {
        #expect(reason(of: { try TokenRequest.Output.chosen(json: false, curl: url, httpRequest: nil) }) == .usage)
        #expect(reason(of: { try TokenRequest.Output.chosen(json: false, curl: nil, httpRequest: url) }) == .usage)
    }

    @Test func anOrdinaryURLIsTaken() throws {
        let o = try TokenRequest.Output.chosen(json: false, curl: "https://as.example/token?a=1&b=%20", httpRequest: nil)
        let text = try o.render([("grant_type", "client_credentials"), ("client_secret", "s")], header: nil, secret: true)
        #expect(text.contains("url = \"https://as.example/token?a=1&b=%20\"\n"))
    }

    @Test func curlQuoteEscapesCRLFAsTwoEscapes() {
        // As Characters, "\r\n" is one grapheme that is neither "\r" nor "\n": it used to pass raw.
        #expect(TokenRequest.curlQuote("a\r\nb") == "\"a\\r\\nb\"")
        #expect(TokenRequest.curlQuote("q\"\\\t\u{0B}é") == "\"q\\\"\\\\\\t\\vé\"")
        #expect(!TokenRequest.curlQuote(Self.injected).unicodeScalars.contains { $0 == "\r" || $0 == "\n" })
    }

    @Test func aClientSecretParamIsRefused() {
        var s = TokenRequest.Settings()
        s.grant = "client-credentials"
        s.clientID = "svc"
        s.params = ["client_secret=s3cret"]
        #expect(reason(of: { try s.parameters() }) == .usage)
        s.params = ["client_secretx=1", "note=client_secret=1"]
        #expect((try? s.parameters())?.contains { $0.0 == "client_secretx" } == true)
    }
}
