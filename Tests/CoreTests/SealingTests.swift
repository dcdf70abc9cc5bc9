// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// AES-256-GCM sealing through OpenSSL: the GCM specification's test vectors (McGrew and Viega, "The Galois/Counter
/// Mode of Operation", test cases 13, 14 and 16, the 256-bit-key ones; rechecked with Python `cryptography`), and
/// that no changed bit of the key, nonce, ciphertext, tag or associated data opens.
@Suite struct SealingTests {
    struct Vector: Sendable, CustomStringConvertible {
        let name: String, key: String, nonce: String, plaintext: String, aad: String, ciphertext: String, tag: String
        var description: String { name }
    }

    static let vectors = [
        Vector(name: "test case 13", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: "", aad: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(name: "test case 14", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: String(repeating: "00", count: 16), aad: "", ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
               tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(name: "test case 16", key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
               nonce: "cafebabefacedbaddecaf888",
               plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
                   + "b16aedf5aa0de657ba637b39",
               aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
               ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
                   + "c5f61e6393ba7a0abcc9f662",
               tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: vectors)
    func gcmVector(v: Vector) throws {
        let key = SecretBytes(hex(v.key))
        let box = try Sealing.seal(SecretBytes(hex(v.plaintext)), key: key, aad: hex(v.aad), nonce: hex(v.nonce))
        #expect(box.ciphertext == hex(v.ciphertext))
        #expect(box.tag == hex(v.tag))
        let opened = try Sealing.open(box, key: key, aad: hex(v.aad), what: "test")
        #expect(opened.withBytes { Array($0) } == hex(v.plaintext))
    }

    /// Flipping any bit of the nonce, ciphertext or tag (test case 16) fails with `decrypt_failed`.
    @Test func everyBitOfTheBoxIsAuthenticated() throws {
        let v = SealingTests.vectors[2]
        let key = SecretBytes(hex(v.key))
        let box = Sealing.Box(nonce: hex(v.nonce), ciphertext: hex(v.ciphertext), tag: hex(v.tag))
        let aad = hex(v.aad)
        for field in 0..<3 {
            let size = [box.nonce.count, box.ciphertext.count, box.tag.count][field]
            for bit in 0..<(size * 8) {
                var b = box
                switch field {
                case 0: b.nonce[bit / 8] ^= 1 << (bit % 8)
                case 1: b.ciphertext[bit / 8] ^= 1 << (bit % 8)
                default: b.tag[bit / 8] ^= 1 << (bit % 8)
                }
                #expect(reason { try Sealing.open(b, key: key, aad: aad, what: "test") } == .decryptFailed)
            }
        }
    }

    @Test func associatedDataIsAuthenticated() throws {
        let v = SealingTests.vectors[2]
        let key = SecretBytes(hex(v.key))
        let box = Sealing.Box(nonce: hex(v.nonce), ciphertext: hex(v.ciphertext), tag: hex(v.tag))
        let aad = hex(v.aad)
        for i in 0..<aad.count {
            var a = aad
            a[i] ^= 0x80
            #expect(reason { try Sealing.open(box, key: key, aad: a, what: "test") } == .decryptFailed)
        }
        #expect(reason { try Sealing.open(box, key: key, aad: [], what: "test") } == .decryptFailed)
        #expect(reason { try Sealing.open(box, key: key, aad: aad + [0], what: "test") } == .decryptFailed)
    }

    @Test func wrongKeyFails() throws {
        let v = SealingTests.vectors[2]
        var k = hex(v.key)
        k[31] ^= 1
        let box = Sealing.Box(nonce: hex(v.nonce), ciphertext: hex(v.ciphertext), tag: hex(v.tag))
        #expect(reason { try Sealing.open(box, key: SecretBytes(k), aad: hex(v.aad), what: "test") } == .decryptFailed)
    }

    /// A truncated tag or nonce never reaches OpenSSL (GCM would accept a short tag).
    @Test func shortTagOrNonceRefused() throws {
        let v = SealingTests.vectors[2]
        let key = SecretBytes(hex(v.key))
        let tag = hex(v.tag)
        let shortTag = Sealing.Box(nonce: hex(v.nonce), ciphertext: hex(v.ciphertext), tag: Array(tag.prefix(12)))
        #expect(reason { try Sealing.open(shortTag, key: key, aad: hex(v.aad), what: "test") } == .decryptFailed)
        let shortNonce = Sealing.Box(nonce: Array(hex(v.nonce).prefix(8)), ciphertext: hex(v.ciphertext), tag: tag)
        #expect(reason { try Sealing.open(shortNonce, key: key, aad: hex(v.aad), what: "test") } == .decryptFailed)
    }

    @Test func keyAndNonceLengthsChecked() {
        #expect(reason { try Sealing.seal(SecretBytes([1]), key: SecretBytes([UInt8](repeating: 0, count: 16)), aad: []) } == .usage)
        #expect(reason { try Sealing.seal(SecretBytes([1]), key: SecretBytes([UInt8](repeating: 0, count: 32)), aad: [],
                                          nonce: [UInt8](repeating: 0, count: 16)) } == .usage)
    }

    /// Without a given nonce, each seal draws a fresh random one.
    @Test func randomNonces() throws {
        let key = SecretBytes([UInt8](repeating: 7, count: 32))
        var seen = Set<String>()
        for _ in 0..<32 {
            let box = try Sealing.seal(SecretBytes(Array("same plaintext".utf8)), key: key, aad: [1])
            #expect(box.nonce.count == Sealing.nonceLength)
            #expect(box.tag.count == Sealing.tagLength)
            seen.insert(Base64URL.encode(box.nonce))
            #expect(try Sealing.open(box, key: key, aad: [1], what: "test").withBytes { Array($0) } == Array("same plaintext".utf8))
        }
        #expect(seen.count == 32)
    }

    /// SecretBytes: wipe clears, equality is by content and length.
    @Test func secretBytes() {
        let a = SecretBytes([1, 2, 3])
        #expect(a.count == 3)
        #expect(a.isEqual(to: SecretBytes([1, 2, 3])))
        #expect(!a.isEqual(to: SecretBytes([1, 2, 4])))
        #expect(!a.isEqual(to: SecretBytes([1, 2])))
        a.wipe()
        #expect(a.isEmpty)
        #expect(a.withBytes { $0.count } == 0)
    }
}
