// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Argon2id through libargon2 (RFC 9106): the published vectors, the parameter bounds a key file may ask for,
/// and the memory-size syntax of `--kdf-memory`.
@Suite struct Argon2Tests {
    /// RFC 9106 §5.3: Argon2id with password 32×0x01, salt 16×0x02, secret 8×0x03, associated data 12×0x04,
    /// t = 3, m = 32 KiB, p = 4, a 32-byte tag.
    @Test func rfc9106Section5_3() throws {
        let tag = try Argon2.hash(password: [UInt8](repeating: 0x01, count: 32), salt: [UInt8](repeating: 0x02, count: 16),
                                  secret: [UInt8](repeating: 0x03, count: 8),
                                  associatedData: [UInt8](repeating: 0x04, count: 12),
                                  parameters: Argon2.Parameters(memoryKiB: 32, iterations: 3, lanes: 4), length: 32)
        #expect(tag == hex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"))
    }

    /// The reference implementation's command-line example (`echo -n password | argon2 somesalt -id -t 2 -m 16`):
    /// `$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc`.
    @Test func referenceSimpleVector() throws {
        let tag = try Argon2.hash(password: Array("password".utf8), salt: Array("somesalt".utf8),
                                  parameters: Argon2.Parameters(memoryKiB: 65536, iterations: 2, lanes: 1))
        #expect(tag == hex("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"))
        #expect(Base64URL.encode(tag) == "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
    }

    /// Every input changes the output: password, salt, secret, associated data and each cost parameter.
    @Test func everyInputMatters() throws {
        let p = Argon2.Parameters(memoryKiB: 64, iterations: 1, lanes: 1)
        let base = try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16), parameters: p)
        let variants: [[UInt8]] = [
            try Argon2.hash(password: [1, 2, 4], salt: [UInt8](repeating: 9, count: 16), parameters: p),
            try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 8, count: 16), parameters: p),
            try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16), secret: [1], parameters: p),
            try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16), associatedData: [1], parameters: p),
            try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16),
                            parameters: Argon2.Parameters(memoryKiB: 72, iterations: 1, lanes: 1)),
            try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16),
                            parameters: Argon2.Parameters(memoryKiB: 64, iterations: 2, lanes: 1)),
            try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16),
                            parameters: Argon2.Parameters(memoryKiB: 64, iterations: 1, lanes: 2)),
        ]
        for v in variants { #expect(v != base) }
        #expect(Set(variants.map { Base64URL.encode($0) }).count == variants.count)
        #expect(try Argon2.hash(password: [1, 2, 3], salt: [UInt8](repeating: 9, count: 16), parameters: p) == base)
    }

    /// RFC 9106 §4's second recommended option is the default; anything with fewer passes or less memory is weak.
    @Test func recommendedAndWeak() {
        let r = Argon2.Parameters.recommended
        #expect((r.memoryKiB, r.iterations, r.lanes) == (65536, 3, 4))
        #expect(!r.isWeak)
        #expect(Argon2.Parameters(memoryKiB: 65536, iterations: 2, lanes: 4).isWeak)
        #expect(Argon2.Parameters(memoryKiB: 65535, iterations: 3, lanes: 4).isWeak)
        #expect(!Argon2.Parameters(memoryKiB: 65536, iterations: 3, lanes: 1).isWeak)
        #expect(!Argon2.Parameters(memoryKiB: 1 << 21, iterations: 3, lanes: 4).isWeak)
        #expect(r.description == "m=64 MiB t=3 p=4")
    }

    /// Bounds that keep a hostile key file from exhausting the machine, checked before libargon2 allocates
    /// (issue 11: m = 4 GiB, p = 64, t = 1 cost 13.5 s and 4.2 GB; t = 100 ran past 60 s).
    @Test(arguments: [
        (UInt32(1 << 20) + 1, UInt32(1), UInt32(1)),  // more than 1 GiB
        (UInt32(4 << 20), 1, 64),                     // the file
        (UInt32.max, 1, 1),
        (64, 0, 1),                                   // no pass
        (64, 11, 1),                                  // more than 10 passes
        (UInt32(1 << 20), 4, 4),                      // m × t above 1 GiB × 3
        (UInt32(1 << 19), 7, 4),                      // 512 MiB × 7 too
        (64, 1, 0),                                   // no lane
        (1024, 1, 17),                                // more than 16 lanes
        (31, 1, 4),                                   // less than 8 KiB per lane
    ])
    func boundsRefused(m: UInt32, t: UInt32, p: UInt32) {
        let params = Argon2.Parameters(memoryKiB: m, iterations: t, lanes: p)
        #expect(reason { try params.check(what: "test") } == .keyInvalid)
        #expect(reason { try Argon2.hash(password: [1], salt: [UInt8](repeating: 0, count: 16), parameters: params) } == .keyInvalid)
    }

    @Test func boundsAccepted() throws {
        try Argon2.Parameters(memoryKiB: 1 << 20, iterations: 3, lanes: 16).check(what: "test")
        try Argon2.Parameters(memoryKiB: 1 << 16, iterations: 10, lanes: 16).check(what: "test")
        try Argon2.Parameters(memoryKiB: 32, iterations: 1, lanes: 4).check(what: "test")
        // --max-kdf-memory raises the memory bound (and m × t with it), never passes or lanes.
        try Argon2.Parameters(memoryKiB: 4 << 20, iterations: 3, lanes: 4).check(what: "test", maxMemory: 4 << 20)
        #expect(reason { try Argon2.Parameters(memoryKiB: 4 << 20, iterations: 1, lanes: 64).check(what: "t", maxMemory: 4 << 20) }
                == .keyInvalid)
    }

    /// The message names the cost that is too high.
    @Test func messagesNameTheCost() {
        func detail(_ p: Argon2.Parameters) -> String {
            if case .failure(let e) = Result(catching: { () throws(WIFError) in try p.check(what: "k") }) { return e.detail }
            return ""
        }
        #expect(detail(.init(memoryKiB: 4 << 20, iterations: 1, lanes: 4)).contains("memory m=4194304 KiB is more than 1 GiB"))
        #expect(detail(.init(memoryKiB: 64, iterations: 100, lanes: 4)).contains("passes t=100"))
        #expect(detail(.init(memoryKiB: 1024, iterations: 1, lanes: 64)).contains("lanes p=64"))
        #expect(detail(.init(memoryKiB: 1 << 20, iterations: 10, lanes: 4)).contains("m × t"))
    }

    /// libargon2 needs a salt of at least 8 bytes (ARGON2_MIN_SALT_LENGTH).
    @Test func shortSaltRefused() {
        let p = Argon2.Parameters(memoryKiB: 64, iterations: 1, lanes: 1)
        #expect(reason { try Argon2.hash(password: [1], salt: [1, 2, 3, 4, 5], parameters: p) } == .keyInvalid)
        #expect(reason { try Argon2.hash(password: [1], salt: [UInt8](repeating: 0, count: 8), parameters: p) } == nil)
    }

    /// An empty password is a valid Argon2 input (wif refuses empty passphrases one level up).
    @Test func emptyPassword() throws {
        let tag = try Argon2.hash(password: [], salt: [UInt8](repeating: 2, count: 16),
                                  parameters: Argon2.Parameters(memoryKiB: 32, iterations: 1, lanes: 1))
        #expect(tag.count == 32)
    }

    /// `--kdf-memory`: KiB as a number, or K/KiB, M/MiB, G/GiB; at most 4 GiB.
    @Test(arguments: [("65536", UInt32(65536)), ("64M", 65536), ("64MiB", 65536), ("1G", 1 << 20), ("4GiB", 4 << 20),
                      ("512K", 512), ("512KiB", 512), ("8", 8)])
    func memorySyntax(text: String, kib: UInt32) throws {
        #expect(try Argon2.parseMemory(text, what: "--kdf-memory") == kib)
    }

    @Test(arguments: ["", "0", "M", "-1", "64 M", "64m", "1.5G", "5G", "4194305", "99999999999", "0x10", "64MB"])
    func memorySyntaxRefused(text: String) {
        #expect(reason { try Argon2.parseMemory(text, what: "--kdf-memory") } == .usage)
    }

    /// wif writes no more than it reads by default.
    @Test(arguments: [("2G", 3, 4), ("1G", 4, 4), ("64M", 11, 4), ("64M", 3, 17)])
    func newFilesWithinTheReadBounds(memory: String, t: Int, p: Int) {
        #expect(reason { try Argon2.parametersForNewFile(memory: memory, iterations: t, lanes: p, allowWeak: false) } == .usage)
    }

    @Test func memoryText() {
        #expect(Argon2.memoryText(65536) == "64 MiB")
        #expect(Argon2.memoryText(4 << 20) == "4 GiB")
        #expect(Argon2.memoryText(1000) == "1000 KiB")
    }
}
