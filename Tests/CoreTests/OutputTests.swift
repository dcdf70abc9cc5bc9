// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// `Output.writeAtomically` writes a regular file or a new path only (issue 11, item 1): a device, FIFO, socket,
/// directory or symbolic link at the target was replaced by a 0600 file holding the key.
@Suite struct OutputHardeningTests {
    func refuses(_ dir: ScratchDir, _ name: String, kind: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try Output.writeAtomically(Array("secret\n".utf8), to: dir.file(name))
            Issue.record("wrote over \(kind)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.reason == .outputFailed, sourceLocation: sourceLocation)
            #expect(error.detail.contains(dir.file(name)) && error.detail.contains(kind), "\(error.detail)",
                    sourceLocation: sourceLocation)
        }
        // Nothing was left beside it.
        guard let d = opendir(dir.path) else { return }
        defer { closedir(d) }
        while let e = readdir(d) {
            let n = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            #expect(!n.contains(".wif-"), "temporary file \(n) left", sourceLocation: sourceLocation)
        }
    }

    func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : nil
    }

    @Test func symlinksAreNotReplacedOrFollowed() throws {
        let dir = try ScratchDir()
        try dir.write("target", "keep\n", mode: 0o644)
        symlink(dir.file("target"), dir.file("link"))
        refuses(dir, "link", kind: "a symbolic link")
        #expect(try Input.read(dir.file("target")) == Array("keep\n".utf8))
        #expect(mode(dir.file("link")).map { $0 & S_IFMT } == S_IFLNK)
        symlink(dir.file("absent"), dir.file("dangling"))
        refuses(dir, "dangling", kind: "a symbolic link")
        #expect(mode(dir.file("absent")) == nil)
        symlink("/proc/self/fd/1", dir.file("stdout"))
        refuses(dir, "stdout", kind: "a symbolic link")
    }

    @Test func specialFilesAreNotReplaced() throws {
        let dir = try ScratchDir()
        mkfifo(dir.file("fifo"), 0o600)
        refuses(dir, "fifo", kind: "a FIFO")
        mkdir(dir.file("dir"), 0o700)
        refuses(dir, "dir", kind: "a directory")
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let p = Array(dir.file("sock").utf8CString)
        withUnsafeMutableBytes(of: &addr.sun_path) { b in
            for (i, c) in p.prefix(b.count - 1).enumerated() { b[i] = UInt8(bitPattern: c) }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if bound == 0 { refuses(dir, "sock", kind: "a socket") }
        if geteuid() == 0 {
            #expect(mknod(dir.file("null"), S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)
            refuses(dir, "null", kind: "a character device")
            #expect(mode(dir.file("null")).map { $0 & S_IFMT } == S_IFCHR)
        }
    }

    @Test func regularFilesAndNewPathsAreWritten() throws {
        let dir = try ScratchDir()
        try Output.writeAtomically(Array("a\n".utf8), to: dir.file("new"))
        try Output.writeAtomically(Array("b\n".utf8), to: dir.file("new"))
        #expect(try Input.read(dir.file("new")) == Array("b\n".utf8))
        #expect(mode(dir.file("new")).map { $0 & 0o777 } == 0o600)
    }
}
