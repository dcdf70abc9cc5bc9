// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// The private-key permission warning is given by the one Core function every key-reading path goes through
/// (issue 11, item 11): only `wif-mint token` warned, while `request --issuer-key`, `jwks-check --signing`,
/// `wif-mint jwks` and `key encrypt|decrypt` were silent.
@Suite(.serialized) struct KeySourceWarningTests {
    /// What `body` writes to standard error.
    func stderr(_ body: () throws -> Void) rethrows -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return "" }
        let saved = dup(2)
        dup2(fds[1], 2)
        close(fds[1])
        defer {
            dup2(saved, 2)
            close(saved)
        }
        try body()
        dup2(saved, 2)
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        let flags = fcntl(fds[0], F_GETFL)
        _ = fcntl(fds[0], F_SETFL, flags | O_NONBLOCK)
        while true {
            let n = read(fds[0], &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        close(fds[0])
        return String(decoding: out, as: UTF8.self)
    }

    @Test func everyPrivateKeyPathWarns() throws {
        // The tools route Core's warnings to standard error; so does this test.
        Warnings.sink = { text in
            let line = Array((text + "\n").utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        defer { Warnings.sink = nil }
        let dir = try ScratchDir()
        let priv = try dir.write("signing.jwk", RFC.a3Key, mode: 0o644)
        let pub = try dir.write("public.jwk", RFC.a3PublicKey, mode: 0o644)
        let tight = try dir.write("tight.jwk", RFC.a3Key, mode: 0o600)
        let paths: [(String, () throws -> Void)] = [
            ("loadSigningKey", { _ = try KeySource.loadSigningKey(path: priv, kid: nil) }),
            ("loadAll", { _ = try KeySource.loadAll(paths: [priv]) }),
            ("signingKey with path", { _ = try KeySource.signingKey(try Input.read(priv), what: priv, kid: nil, path: priv) }),
        ]
        // Standard error is the process's: other suites running at the same time write to it too (the test
        // runner's progress lines under CI=true once made this test fail), so only the lines naming this test's
        // own files count.
        func lines(naming path: String, _ text: String) -> [Substring] {
            text.split(separator: "\n").filter { $0.contains(path) }
        }
        for (name, body) in paths {
            let text = try stderr(body)
            let mine = lines(naming: priv, text)
            #expect(mine == ["warning: private key file \(priv) has mode 644, readable by group or others (chmod 600 \(priv))"],
                    "\(name): \(text.debugDescription)")
        }
        #expect(lines(naming: pub, try stderr { _ = try KeySource.loadAll(paths: [pub]) }).isEmpty)
        #expect(lines(naming: tight, try stderr { _ = try KeySource.loadSigningKey(path: tight, kid: nil) }).isEmpty)
    }
}
