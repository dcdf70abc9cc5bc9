// SPDX-License-Identifier: Apache-2.0
import Core
import Foundation
import Testing

/// Passphrase sources: file and descriptor (one trailing newline dropped), WIF_PASSPHRASE, and the refusal when
/// nothing is given. Serialized: one test sets the process environment.
@Suite(.serialized) struct PassphraseTests {
    static func bytes(_ s: SecretBytes) -> [UInt8] { s.withBytes { Array($0) } }

    func withFile<T>(_ content: [UInt8], _ body: (String) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "wif-passphrase-\(UUID().uuidString)"
        try Data(content).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test(arguments: [
        ("secret", "secret"), ("secret\n", "secret"), ("secret\r\n", "secret"), ("secret\n\n", "secret\n"),
        ("two words \n", "two words "), (" x", " x"), ("caf\u{e9}\n", "caf\u{e9}"), ("a\rb\n", "a\rb"),
    ])
    func fileOneNewlineDropped(content: String, expected: String) throws {
        try withFile(Array(content.utf8)) { path in
            let p = try Passphrase(Passphrase.Source(file: path, environment: false, prompt: false))
            #expect(PassphraseTests.bytes(try p.existing(for: "key")) == Array(expected.utf8))
        }
    }

    @Test func fileRefusals() throws {
        for content in ["", "\n", "\r\n"] {
            try withFile(Array(content.utf8)) { path in
                let p = try Passphrase(Passphrase.Source(file: path, environment: false, prompt: false))
                #expect(reason { try p.existing(for: "key") } == .usage)
            }
        }
        try withFile([UInt8](repeating: 0x61, count: Passphrase.maxLength + 1)) { path in
            let p = try Passphrase(Passphrase.Source(file: path, environment: false, prompt: false))
            #expect(reason { try p.existing(for: "key") } == .usage)
        }
        try withFile([UInt8](repeating: 0x61, count: Passphrase.maxLength) + [0x0A]) { path in
            let p = try Passphrase(Passphrase.Source(file: path, environment: false, prompt: false))
            #expect(try p.existing(for: "key").count == Passphrase.maxLength)
        }
        let missing = try Passphrase(Passphrase.Source(file: "/nonexistent/wif-passphrase", environment: false, prompt: false))
        #expect(reason { try missing.existing(for: "key") } == .inputUnreadable)
        let dir = try Passphrase(Passphrase.Source(file: NSTemporaryDirectory(), environment: false, prompt: false))
        #expect(reason { try dir.existing(for: "key") } == .inputUnreadable)
    }

    @Test func descriptor() throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data("from a pipe\n".utf8))
        try pipe.fileHandleForWriting.close()
        let p = try Passphrase(Passphrase.Source(fd: pipe.fileHandleForReading.fileDescriptor, environment: false, prompt: false))
        #expect(PassphraseTests.bytes(try p.existing(for: "key")) == Array("from a pipe".utf8))
        // Read once: later keys of the same run get the same passphrase without reading again.
        #expect(PassphraseTests.bytes(try p.new(for: "key")) == Array("from a pipe".utf8))
        let bad = try Passphrase(Passphrase.Source(fd: 987, environment: false, prompt: false))
        #expect(reason { try bad.existing(for: "key") } == .inputUnreadable)
    }

    @Test func sourcesExclusive() {
        #expect(reason { try Passphrase(Passphrase.Source(file: "a", fd: 3)) } == .usage)
        #expect(reason { try Passphrase(Passphrase.Source(fd: -1)) } == .usage)
    }

    @Test func environmentAndNothing() throws {
        setenv(Passphrase.environmentVariable, "env secret\n", 1)
        defer { unsetenv(Passphrase.environmentVariable) }
        // The environment variable is used byte for byte (no newline dropped).
        let p = try Passphrase(Passphrase.Source(prompt: false))
        #expect(PassphraseTests.bytes(try p.existing(for: "key")) == Array("env secret\n".utf8))
        // A file or descriptor wins over the environment.
        try withFile(Array("from file".utf8)) { path in
            let f = try Passphrase(Passphrase.Source(file: path, prompt: false))
            #expect(PassphraseTests.bytes(try f.existing(for: "key")) == Array("from file".utf8))
        }
        // Turned off, or unset, or empty: nothing to read, and no prompt.
        let off = try Passphrase(Passphrase.Source(environment: false, prompt: false))
        #expect(reason { try off.existing(for: "key") } == .passphraseRequired)
        setenv(Passphrase.environmentVariable, "", 1)
        #expect(reason { try Passphrase(Passphrase.Source(prompt: false)).existing(for: "key") } == .usage)
        unsetenv(Passphrase.environmentVariable)
        #expect(reason { try Passphrase(Passphrase.Source(prompt: false)).new(for: "key") } == .passphraseRequired)
    }

    @Test func wipe() throws {
        let p = Passphrase(SecretBytes(Array("abc".utf8)))
        let s = try p.existing(for: "key")
        p.wipe()
        #expect(s.isEmpty)
    }
}
