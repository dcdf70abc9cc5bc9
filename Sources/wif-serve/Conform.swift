// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import CLI
import Core
import Server

/// `wif-verify conform`: each run of Core's plan against a fresh in-process server, the client run by Core's
/// `ClientProcess`, the checks judged by Core's `Conformance.judge`; this only wires them and prints the report.
enum Conform: Command {
    static var spec: CommandSpec { ConformOptions.spec(command: Conform.self) }

    static func run(_ a: ParsedArguments) throws {
        let plan = try ConformOptions.settings(a).plan()
        ClientProcess.installInterruptHandler()
        // The client's descendants that leave its process group (setsid) become ours when orphaned, and are killed.
        ClientProcess.adoptOrphans()
        var reports: [Conformance.RunReport] = []
        for run in Conformance.Run.allCases {
            guard plan.runs.contains(run) else {
                reports.append(.skipped(run))
                continue
            }
            if ClientProcess.interruptRequested { throw interrupted() }
            let report = try make(run, plan: plan)
            if report.client.interrupted { throw interrupted() }
            if let e = report.startFailure { throw e }
            reports.append(report)
        }
        let report = Conformance.Report(command: plan.command, runs: reports)
        var w = StdoutWriter()
        try w.write(a.flag(ConformOptions.json) ? report.json.serialized() + "\n" : report.text)
        try w.flush()
        if report.failed { throw ExitStatusRequest.rejected }
    }

    static func interrupted() -> ExitStatusRequest {
        Diagnostics.line("interrupted: the client was stopped")
        return ExitStatusRequest(130)
    }

    /// One run: its server, its client, its checks (and `--keep` files).
    static func make(_ run: Conformance.Run,
                     plan: Conformance.Plan) throws -> Conformance.RunReport {
        let setup = try plan.setup(run)
        let events = EventList()
        var o = ServerOptions()
        o.useStdout = false
        o.handleSignals = false
        o.resourceScopes = run.resourceScopes
        o.version = WIFVersion.string
        o.onEvent = { events.append($0) }
        var prepared: Conformance.Prepared?
        let server = try LoopbackServer(options: o, issuerKey: try JWK.generate(alg: .es256)) { base throws(WIFError) in
            let p = try setup.prepare(base: base, now: NumericDate.systemNow())
            prepared = p
            return p.endpoint
        }
        guard let prepared else {
            server.stop()
            _ = try? server.wait()
            throw WIFError(.inputUnreadable, "the \(run.rawValue) run could not be prepared")
        }
        let result: ClientProcess.Result
        do { result = try plan.client(prepared).run() } catch {
            server.stop()
            _ = try? server.wait()
            throw error
        }
        server.stop()
        _ = try server.wait()
        let recorded = events.all
        if let dir = plan.keep {
            try Conformance.keep(dir, run: run, events: recorded, client: result, context: prepared.context)
        }
        return Conformance.judge(run, events: recorded, client: result, plan: plan)
    }
}

/// The server's events, appended on its thread and read once it has stopped.
final class EventList: @unchecked Sendable {
    private var events: [JSON] = []
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    func append(_ e: JSON) {
        pthread_mutex_lock(&lock)
        events.append(e)
        pthread_mutex_unlock(&lock)
    }

    var all: [JSON] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return events
    }
}
