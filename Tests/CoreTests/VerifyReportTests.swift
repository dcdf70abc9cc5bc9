// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Glibc
import Testing

/// Sources/Core/Operations/Verify.swift: the result objects of `--json` and `--batch`, and LineReader, which reads
/// tokens one a line in bounded memory.
@Suite struct VerifyReportTests {
    @Test(arguments: [0, 1, 9, 10, 99, 100, 12_345, 1_000_000, Int.max, -1, -10, Int.min])
    func lineNumbersAreWrittenAsDecimal(_ n: Int) {
        var out: [UInt8] = []
        VerifyReport.putDecimal(n, &out)
        #expect(String(decoding: out, as: UTF8.self) == String(n))
    }

    func lines(_ input: [UInt8], maxLine: Int) throws -> [LineReader.Line] {
        let fd = try pipeHolding(input)
        defer { close(fd) }
        var r = LineReader(fd: fd, maxLine: maxLine)
        var out: [LineReader.Line] = []
        while let l = try r.next() { out.append(l) }
        return out
    }

    /// Lines as text; a line over `maxLine` as `over(N)`, whether the reader kept it (it fitted the buffer: the
    /// validator's size check then names N) or skipped it as `.tooLong(N)`.
    func describe(_ l: [LineReader.Line], maxLine: Int = 10) -> [String] {
        l.map {
            switch $0 {
            case .line(let b): return b.count > maxLine ? "over(\(b.count))" : String(decoding: b, as: UTF8.self)
            case .tooLong(let n): return "over(\(n))"
            }
        }
    }

    @Test func linesWithoutTheirNewlineOrCR() throws {
        #expect(describe(try lines(Array("a\nb\r\nc".utf8), maxLine: 10)) == ["a", "b", "c"])
        #expect(describe(try lines(Array("\n\n".utf8), maxLine: 10)) == ["", ""])
        #expect(describe(try lines([], maxLine: 10)).isEmpty)
        #expect(describe(try lines(Array("a\r".utf8), maxLine: 10)) == ["a"])
    }

    @Test func aLongLineIsReportedBySizeAndSkipped() throws {
        // Longer than the 64 KiB buffer, so the reader must drop what it has and keep looking for the end (from a
        // file: more than a pipe holds).
        let long = [UInt8](repeating: 0x41, count: 60_000)
        let dir = try TempDir()
        let path = try dir.write("in", long + [0x0A] + Array("ok\n".utf8) + long + long)
        let file = open(path, O_RDONLY | O_CLOEXEC)
        try #require(file >= 0)
        defer { close(file) }
        var r = LineReader(fd: file, maxLine: 1000)
        var out: [LineReader.Line] = []
        while let l = try r.next() { out.append(l) }
        #expect(describe(out, maxLine: 1000) == ["over(60000)", "ok", "over(120000)"])
        // The line that did not fit the buffer was skipped, not kept.
        #expect(!out.contains { if case .line(let b) = $0 { return b.count > 65536 } else { return false } })
    }

    @Test func successObject() throws {
        let ec = try MirrorKeys.key(MirrorKeys.ec)
        let v = try validator([ec]).verify(try mint(ec), now: mirrorNow)
        let o = try #require(VerifyReport.success(v).objectValue)
        #expect(o.keys == ["valid", "header", "claims", "kid", "alg", "thumbprint"])
        #expect(o["kid"]?.stringValue == "ec-1" && o["alg"]?.stringValue == "ES256" && o["thumbprint"]?.stringValue == ec.thumbprint)
        // The batch line writer gives the same object, with its line number second.
        var out: [UInt8] = []
        VerifyReport.writeSuccessLine(v, line: 7, to: &out)
        #expect(out.last == 0x0A)
        let line = try JSON.parseObject(Array(out.dropLast()), what: "line")
        #expect(line.keys == ["valid", "line", "header", "claims", "kid", "alg", "thumbprint"])
        #expect(line["line"] == .integer(7))
        var plain: [UInt8] = []
        VerifyReport.writeSuccessLine(v, to: &plain)
        #expect(try JSON.parseObject(Array(plain.dropLast()), what: "line") == o)
    }

    @Test func failureObject() throws {
        let rejected = VerifyReport.failure(WIFError(.expired, "exp is past", hint: "pass --leeway")).objectValue
        #expect(rejected?.keys == ["valid", "error", "reason", "message", "hint"])
        #expect(rejected?["error"]?.stringValue == "invalid_grant")
        let couldNot = VerifyReport.failure(WIFError(.keyInvalid, "bad key")).objectValue
        #expect(couldNot?["error"]?.stringValue == "invalid_request")
        #expect(couldNot?["hint"] == nil)
        let t = Array((Base64URL.encode(Array("{}".utf8)) + "." + Base64URL.encode(Array(#"{"jti":"j","sub":"s","iss":"i"}"#.utf8)) + ".").utf8)
        let withToken = VerifyReport.failure(WIFError(.expired, "x"), line: 3, token: t).objectValue
        #expect(withToken?.keys == ["valid", "line", "error", "reason", "message", "jti", "sub"])
    }
}
