// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Reads tokens one a line from a file descriptor, in bounded memory: a line longer than `maxLine` is
/// reported as too long and skipped to its end without being kept.
public struct LineReader {
    let fd: Int32
    let maxLine: Int
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var start = 0
    var end = 0
    var eof = false
    /// The newline `mayBlock` found at or after `start`, which the next `next()` takes instead of searching again.
    private var found: Int?

    public enum Line { case line([UInt8]), tooLong(Int) }

    public init(fd: Int32, maxLine: Int) {
        self.fd = fd
        self.maxLine = maxLine
    }

    private mutating func fill() throws(WIFError) -> Bool {
        if eof { return false }
        if start > 0 {
            buffer.withUnsafeMutableBytes { b in
                if end > start { b.baseAddress!.advanced(by: 0).copyMemory(from: b.baseAddress! + start, byteCount: end - start) }
            }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        while true {
            let n = buffer.withUnsafeMutableBytes { b in readFD(fd, b.baseAddress! + end, b.count - end) }
            if n < 0 {
                if errnoValue() == 4 { continue }  // EINTR
                throw WIFError(.inputUnreadable, "standard input: read error")
            }
            if n == 0 { eof = true; return false }
            end += n
            return true
        }
    }

    /// The index of the next newline in `buffer[from..<end]`, found with memchr.
    private func newline(from: Int) -> Int? {
        guard from < end else { return nil }
        return buffer.withUnsafeBytes { b -> Int? in
            guard let p = memchr(b.baseAddress! + from, 0x0A, end - from) else { return nil }
            return b.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
    }

    /// Whether `next()` may have to wait for input: no whole line is buffered, input has not ended, and nothing is
    /// waiting to be read (`poll(2)` with no timeout). A batch spends what it has before it waits.
    public var mayBlock: Bool {
        mutating get {
            found = newline(from: start)
            if found != nil || eof { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, 0) == 0
        }
    }

    /// The next line without its newline (and a CR before it), or nil at end of input.
    public mutating func next() throws(WIFError) -> Line? {
        var skipped = 0
        var offset = 0  // bytes after `start` already scanned, with no newline among them
        var known = found
        found = nil
        while true {
            let next = known ?? newline(from: start + offset)
            known = nil
            if let nl = next {
                if skipped > 0 {
                    let total = skipped + (nl - start)
                    start = nl + 1
                    return .tooLong(total)
                }
                var line = Array(buffer[start..<nl])
                if line.last == 0x0D { line.removeLast() }
                start = nl + 1
                return .line(line)
            }
            if end - start > maxLine + 1 {
                // Drop what we have of an overlong line and keep looking for its end.
                skipped += end - start
                start = end
            }
            offset = end - start
            if try !fill() {
                if skipped > 0 {
                    let total = skipped + (end - start)
                    start = end
                    return .tooLong(total)
                }
                if start == end { return nil }
                var line = Array(buffer[start..<end])
                if line.last == 0x0D { line.removeLast() }
                start = end
                return .line(line)
            }
        }
    }
}
