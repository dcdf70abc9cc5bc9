// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// The reading rules of Sources/Core/IO/Input.swift: the one rule for token arguments (wif(7), TOKEN ARGUMENTS),
/// `token`, `emptyInput`, `requireStandardInputOnce`, and bounded reads.
@Suite struct InputTests {
    let dir: TempDir

    init() throws { dir = try TempDir() }

    // MARK: tokenArgument

    @Test func dashIsStandardInput() throws {
        #expect(try Input.tokenArgument("-") == .standardInput)
    }

    @Test func anythingThatExistsIsAFile() throws {
        let f = try dir.write("t.jwt", "x")
        #expect(try Input.tokenArgument(f) == .file(f))
        #expect(try Input.tokenArgument(dir.path) == .file(dir.path))    // stat finds it; reading it then fails
        #expect(reason { try Input.token(dir.path, limit: 100) } == .inputUnreadable)
        let fifo = dir.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(try Input.tokenArgument(fifo) == .file(fifo))
        let link = dir.file("link")
        #expect(symlink(f, link) == 0)
        #expect(try Input.tokenArgument(link) == .file(link))
    }

    @Test func aCompactTokenThatIsNoFileIsTheToken() throws {
        #expect(try Input.tokenArgument(RFC.a1Token) == .literal(RFC.a1Token))
        #expect(try Input.tokenArgument("a.b.c.d.e") == .literal("a.b.c.d.e"))
        // A name of compact shape that does not exist is taken as a token (and then judged, never read).
        #expect(try Input.tokenArgument("job.a.b") == .literal("job.a.b"))
    }

    @Test(arguments: ["token.jwt", "job.jwt", "missing", "", " ", "a.b.c ", "./a.b.c", "/nonexistent/a.b.c"])
    func anythingElseCouldNotBeJudged(_ arg: String) {
        let e = wifError { try Input.tokenArgument(arg, what: "the assertion") }
        #expect(e?.reason == .inputUnreadable)
        #expect(e?.detail.hasPrefix("the assertion \"") == true)
        #expect(e?.hint?.contains("header.payload.signature") == true)
    }

    @Test func aDanglingSymlinkIsNotAFile() throws {
        let link = dir.file("dangling.a.b")
        #expect(symlink(dir.file("nowhere"), link) == 0)
        #expect(reason { try Input.tokenArgument(link) } == .inputUnreadable)
    }

    // MARK: token

    @Test func aLiteralIsReturnedAsIs() throws {
        #expect(try Input.token("a.b.c", limit: 100) == Array("a.b.c".utf8))
    }

    @Test func aFileIsReadAndTrimmed() throws {
        let f = try dir.write("t", " \t" + RFC.a1Token + "\r\n")
        #expect(try Input.token(f, limit: 1000) == Array(RFC.a1Token.utf8))
    }

    @Test func anEmptyFileIsInputEmpty() throws {
        for (name, content) in [("empty", ""), ("space", "   "), ("lines", "\n\r\n\t")] {
            let f = try dir.write(name, content)
            let e = wifError { try Input.token(f, limit: 100) }
            #expect(e?.reason == .inputEmpty, "\(name)")
            #expect(e?.detail == "\(f) is empty: there is no token to judge")
            #expect(e?.hint == nil)
        }
    }

    /// Two bytes past the limit are read (room for CR LF), so a token just over it reaches the validator, whose
    /// size check names its exact length (Tests/interop/test_limits.py); more is refused here, unread.
    @Test func overTheLimitIsMalformed() throws {
        let at = try dir.write("at", "AAAA\r\n")
        #expect(try Input.token(at, limit: 4) == Array("AAAA".utf8))
        let slack = try dir.write("slack", "AAAAAA")
        #expect(try Input.token(slack, limit: 4).count == 6)
        #expect(reason { try CompactJWS.parse(try Input.token(slack, limit: 4), maxSize: 4) } == .malformed)
        for n in [7, 8, 100] {
            let over = try dir.write("over\(n)", [UInt8](repeating: UInt8(ascii: "A"), count: n))
            let e = wifError { try Input.token(over, limit: 4, what: "the token") }
            #expect(e?.reason == .malformed, "\(n) bytes")
            #expect(e?.detail == "the token is longer than the limit of 4 bytes", "\(n) bytes")
        }
    }

    // MARK: emptyInput

    @Test func emptyInputNamesWhatIsMissing() {
        let stdin = Input.emptyInput("-", what: "the request body")
        #expect(stdin.reason == .inputEmpty)
        #expect(stdin.detail == "standard input is empty: there is no request body to judge")
        #expect(stdin.hint == "an earlier step of the pipeline may have failed (set -o pipefail)")
        let file = Input.emptyInput("body.txt", what: "input")
        #expect(file.detail == "body.txt is empty: there is no input to judge")
        #expect(file.hint == nil)
        #expect(Reason.inputEmpty.exitStatus == .failure)
        #expect(!Reason.inputEmpty.isRejection)
    }

    // MARK: requireStandardInputOnce

    @Test func standardInputOnce() throws {
        try Input.requireStandardInputOnce([], "x")
        try Input.requireStandardInputOnce([nil, "-", "a", nil], "x")
        try Input.requireStandardInputOnce(["a", "a"], "x")
        let e = wifError { try Input.requireStandardInputOnce(["-", nil, "-"], "the key and the claims") }
        #expect(e?.reason == .usage)
        #expect(e?.detail == "standard input (-) can be read only once: the key and the claims")
    }

    // MARK: read

    @Test func readIsBounded() throws {
        let f = try dir.write("ten", [UInt8](repeating: 1, count: 10))
        #expect(try Input.read(f, limit: 10).count == 10)
        #expect(reason { try Input.read(f, limit: 9) } == .inputTooLarge)
        #expect(reason { try Input.read(dir.file("absent")) } == .inputUnreadable)
        #expect(reason { try Input.read(dir.path) } == .inputUnreadable)
        #expect(Input.label("-") == "standard input")
        #expect(Input.label("a") == "a")
    }

    @Test func trim() {
        #expect(Input.trim(Array(" \t\r\na b\n".utf8)) == Array("a b".utf8))
        #expect(Input.trim(Array(" \n".utf8)).isEmpty)
        #expect(Input.trim([0x0B, 0x61, 0x0C]) == [0x0B, 0x61, 0x0C])   // only space, tab, CR and LF
    }
}

/// Token arguments read from standard input. Serialized, and the only tests that replace descriptor 0.
@Suite(.serialized) struct InputStandardInputTests {
    @Test func aTokenFromStandardInput() throws {
        #expect(try withStandardInput(Array("a.b.c\n".utf8)) { try Input.token("-", limit: 100) } == Array("a.b.c".utf8))
    }

    @Test func emptyStandardInputIsInputEmptyWithAPipelineHint() throws {
        let e = try withStandardInput([]) { wifError { try Input.token("-", limit: 100, what: "the token") } }
        #expect(e?.reason == .inputEmpty)
        #expect(e?.detail == "standard input is empty: there is no token to judge")
        #expect(e?.hint == "an earlier step of the pipeline may have failed (set -o pipefail)")
    }
}
