// SPDX-License-Identifier: Apache-2.0
import Core
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// ClientProcess: the client run as the conformance suite runs it, captured, bounded and killed at its timeout.
@Suite struct ClientProcessTests {
    func run(_ command: String, timeout: Int64 = 5000, env: [(String, String)] = []) throws -> ClientProcess.Result {
        try ClientProcess(command: command, argument: "http://127.0.0.1:1/mcp", environment: env,
                          timeoutMillis: timeout).run()
    }

    @Test func argumentEnvironmentAndExitStatus() throws {
        let r = try run("f() { printf '%s|%s|' \"$MCP_X\" \"$1\"; echo oops >&2; exit 3; }; f", env: [("MCP_X", "a b")])
        #expect(String(decoding: r.stdout, as: UTF8.self) == "a b|http://127.0.0.1:1/mcp|")
        #expect(r.exitStatus == 3 && r.signal == nil && !r.timedOut)
        #expect(r.lastStderrLine == "oops")
        #expect(r.summary == "exit 3")
    }

    @Test func timeoutKillsTheWholeGroup() throws {
        let started = ProcessControl.nowMillis()
        let r = try run("trap '' TERM; sleep 30 & sleep 30; :", timeout: 300)
        #expect(r.timedOut && r.exitStatus == nil && r.signal != nil)
        #expect(ProcessControl.nowMillis() - started < 3000, "SIGKILL follows SIGTERM after the grace period")
    }

    @Test func whatTheClientLeavesBehindIsKilled() throws {
        let started = ProcessControl.nowMillis()
        let r = try run("sleep 30 & echo started; :")
        #expect(r.exitStatus == 0 && !r.timedOut)
        #expect(String(decoding: r.stdout, as: UTF8.self) == "started\n")
        #expect(ProcessControl.nowMillis() - started < 2000, "a background child holding the pipes is not waited for")
    }

    @Test func captureIsBounded() throws {
        let r = try run("head -c 300000 /dev/zero; :")
        #expect(r.stdout.count == ClientProcess.maxCapture && r.stdoutDropped == 300_000 - ClientProcess.maxCapture)
        #expect(r.exitStatus == 0)
    }

    @Test func aCommandNotFoundIsExit127() throws {
        let r = try run("./no-such-client-anywhere")
        #expect(r.exitStatus == 127)
    }

    @Test func theClientInheritsOnlyDescriptorsZeroToTwo() throws {
        // A descriptor opened without close-on-exec, as SwiftNIO opens its listening socket and epoll descriptor.
        let leaked = open("/dev/null", O_RDONLY)
        #expect(leaked > 2)
        defer { close(leaked) }
        let r = try run("ls /proc/$$/fd; :")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "0\n1\n2\n")
        #expect(r.exitStatus == 0)
    }

    @Test func thePassphraseVariableIsWithheld() throws {
        // This process's own WIF_PASSPHRASE is withheld too (Tests/interop/test_conform.py: the environment is
        // not changed here, other suites read it in parallel).
        let r = try run("printf '%s|%s' \"${WIF_PASSPHRASE-unset}\" \"$MCP_Y\"; :",
                        env: [("MCP_Y", "kept"), (Passphrase.environmentVariable, "given")])
        #expect(String(decoding: r.stdout, as: UTF8.self) == "unset|kept")
    }

    @Test func timeoutHoldsForAClientThatLeavesItsGroup() throws {
        // It joins this process's group, where the kill of the client's group does not reach it.
        let started = ProcessControl.nowMillis()
        let r = try run("exec python3 -c 'import os, time; os.setpgid(0, os.getpgid(os.getppid())); time.sleep(30)' #",
                        timeout: 300)
        #expect(r.timedOut && r.signal == SIGTERM)
        #expect(ProcessControl.nowMillis() - started < 3000, "the shell itself gets the signals")
    }
}
