// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// Secret bytes (a passphrase, a derived key, a decrypted key file) in one buffer that wif owns.
///
/// Rules: the buffer is allocated once with a fixed capacity and never grows, so no stale copy is left behind
/// by a reallocation; it is wiped with `OPENSSL_cleanse` and freed in `deinit` (or earlier, by `wipe()`);
/// its contents are only lent out through `withBytes`, never returned as a Swift array by wif's own code.
public final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer
    /// The number of bytes in use (at most `capacity`).
    public private(set) var count: Int

    /// An empty secret that can hold up to `capacity` bytes.
    public init(capacity: Int) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        count = 0
    }

    /// A copy of `bytes`. The caller still owns, and should wipe, its array (`Digest.wipe`).
    public convenience init(_ bytes: [UInt8]) {
        self.init(capacity: bytes.count)
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress, let d = buffer.baseAddress { d.copyMemory(from: s, byteCount: src.count) }
        }
        count = bytes.count
    }

    deinit {
        wipe()
        buffer.deallocate()
    }

    public var capacity: Int { buffer.count }
    public var isEmpty: Bool { count == 0 }

    /// Lends the bytes in use; the pointer must not escape `body`.
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Lends the whole buffer for writing; `body` returns how many bytes are now in use (at most `capacity`).
    func fill<E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) {
        let n = try body(buffer)
        count = min(max(n, 0), buffer.count)
    }

    /// Appends one byte; false when the buffer is full.
    func append(_ byte: UInt8) -> Bool {
        guard count < buffer.count else { return false }
        buffer[count] = byte
        count += 1
        return true
    }

    /// Drops `n` bytes from the end (wiping them).
    func removeLast(_ n: Int) {
        let k = min(max(n, 0), count)
        for i in (count - k)..<count { buffer[i] = 0 }
        count -= k
    }

    /// The byte at `index` (for trimming a newline).
    func byte(at index: Int) -> UInt8 { buffer[index] }

    /// Constant-time equality of the bytes in use (lengths are compared first; they are not secret).
    public func isEqual(to other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return withBytes { a in other.withBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, count) == 0 } }
    }

    /// Overwrites the whole buffer with zeros (OPENSSL_cleanse, which the compiler cannot drop).
    public func wipe() {
        if let p = buffer.baseAddress { OPENSSL_cleanse(p, buffer.count) }
        count = 0
    }
}
