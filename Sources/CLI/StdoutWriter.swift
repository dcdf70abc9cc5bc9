// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Core

/// A buffered writer for standard output, for streaming many lines.
public struct StdoutWriter: ByteSink {
    var buffer: [UInt8] = []
    let threshold: Int

    let fd: Int32

    public init(fd: Int32 = 1, threshold: Int = 1 << 16) {
        self.fd = fd
        self.threshold = threshold
        buffer.reserveCapacity(threshold + 4096)
    }

    public mutating func write(_ bytes: [UInt8]) throws(WIFError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= threshold { try flush() }
    }

    public mutating func write(_ s: String) throws(WIFError) { try write(Array(s.utf8)) }

    public mutating func flush() throws(WIFError) {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, buffer.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw WIFError(.outputFailed, "standard output: \(String(cString: strerror(errno)))") }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

