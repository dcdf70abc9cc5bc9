// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// `wif-verify conform`: an MCP client run through the SEP-1933 conformance runs of the MCP conformance suite's
/// `auth/wif-jwt-bearer` scenario, each against a fresh loopback server, and the checks judged from what the server
/// recorded and how the client ended.
///
/// The plan, per run (`Run`):
/// - a fresh ES256 workload key and assertions made with the suite's `createWorkloadJwt` defaults: iss
///   `https://idp.conformance-test.local`, sub `conformance-workload`, aud the authorization server's URL, exp +5m,
///   iat now, a random jti; the context also carries the suite's `wrong_audience_jwt` (aud `https://wrong.example`)
///   and `expired_jwt` (exp 60 s ago);
/// - the run's `valid_jwt` is wrong the run's way (expired, wrong-audience), or the server refuses it: its sub is
///   rejected (unauthorized-subject), its jti spent before the client starts (replayed-jti), or every grant is
///   answered with the run's error (invalid-scope, which also advertises `advertisedScope` in both metadata documents
///   and the 401 challenge; invalid-request; unauthorized-client);
/// - the server judges with the suite's clock tolerance (5 s) and accepts aud = its URL (with or without a trailing
///   slash) or its token endpoint.
///
/// The checks (ids stable, the suite's where it has one; see `checkIDs`):
/// - `wif-grant-type`: the first token request uses the jwt-bearer grant;
/// - positive: `wif-assertion-verified` (its assertion verified), `mcp-authorized` (the MCP endpoint reached with
///   the issued token), `client-exit` (exit 0);
/// - negative: `token-error` (the jwt-bearer request carried an assertion and was answered the run's error and
///   reason), `mcp-unauthorized` (the MCP endpoint never reached with a token), `client-exit` (non-zero),
///   `error-surfaced` (WARNING only: standard error names the OAuth error code, or for invalid-scope the scope);
/// - every run: `wif-no-retry` and `wif-grant-fallback` (the server's WARNING checks: a second jwt-bearer request,
///   another grant or a visit to `/authorize` after a failure; FAILURE with `strict`), `client-timeout` (the client
///   ended within the timeout; when it did not, `client-exit` is SKIPPED);
/// - a check left out by `--check` is SKIPPED; a run none of whose checks is selected is not made.
public enum Conformance {
    public static let scenario = "auth/wif-jwt-bearer"
    public static let workloadIssuer = "https://idp.conformance-test.local"
    public static let workloadSubject = "conformance-workload"
    public static let clientID = "conformance-wif-workload"
    public static let wrongAudience = "https://wrong.example"
    public static let advertisedScope = "mcp:tools"
    public static let defaultTimeout: Int64 = 10
    /// The suite's clock tolerance when it verifies an assertion.
    static let leeway = "5"

    public enum Run: String, CaseIterable, Sendable {
        case positive
        case expired
        case wrongAudience = "wrong-audience"
        case unauthorizedSubject = "unauthorized-subject"
        case replayedJTI = "replayed-jti"
        case invalidScope = "invalid-scope"
        case invalidRequest = "invalid-request"
        case unauthorizedClient = "unauthorized-client"

        /// The answer the jwt-bearer request must get; nil for the positive run.
        public var expected: (error: OAuthError, reason: Reason)? {
            if let f = forcedAnswer { return (f.error, f.reason) }
            switch self {
            case .expired: return (.invalidGrant, .expired)
            case .wrongAudience: return (.invalidGrant, .badAudience)
            case .unauthorizedSubject: return (.invalidGrant, .subjectRejected)
            case .replayedJTI: return (.invalidGrant, .replayedJTI)
            default: return nil
            }
        }

        var forcedAnswer: TokenEndpoint.ForcedAnswer? {
            switch self {
            case .invalidScope: return .invalidScope
            case .invalidRequest: return .invalidRequest
            case .unauthorizedClient: return .unauthorizedClient
            default: return nil
            }
        }

        /// The ids of this run's checks, in report order.
        public var checkIDs: [String] {
            if self == .positive {
                return ["wif-grant-type", "wif-assertion-verified", "mcp-authorized", "wif-no-retry",
                        "wif-grant-fallback", "client-exit", "client-timeout"]
            }
            return ["wif-grant-type", "token-error", "wif-no-retry", "wif-grant-fallback", "mcp-unauthorized",
                    "client-exit", "client-timeout", "error-surfaced"]
        }

        /// Scopes the server advertises (metadata and challenge) and requires at the MCP endpoint.
        public var resourceScopes: [String] { self == .invalidScope ? [Conformance.advertisedScope] : [] }
    }

    /// Every check id, once, in report order.
    public static var allCheckIDs: [String] {
        var ids: [String] = []
        for r in Run.allCases { for id in r.checkIDs where !ids.contains(id) { ids.append(id) } }
        return ids
    }

    /// The options as given.
    public struct Settings: Sendable {
        public var command: String?
        public var scenario: String?
        /// `--check`: run names or check ids.
        public var checks: [String] = []
        public var timeout: String?
        public var strict = false
        public var keep: String?

        public init() {}

        /// The checked plan; every problem is a usage error (exit 2) before any run is made.
        public func plan() throws(WIFError) -> Plan {
            guard let command, !command.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                throw WIFError(.usage, "--command is required: the client to run "
                               + "(the MCP URL is appended as its last argument)")
            }
            if let s = scenario, !s.same("wif-jwt-bearer"), !s.same(Conformance.scenario) {
                throw WIFError(.usage, "--scenario \(JSON.escapedForMessage(s)): the only scenario is wif-jwt-bearer")
            }
            var timeoutSeconds = Conformance.defaultTimeout
            if let t = timeout {
                timeoutSeconds = try NumericDate.parseDuration(t, what: "--timeout")
                guard timeoutSeconds >= 1, timeoutSeconds <= 3600 else {
                    throw WIFError(.usage, "--timeout must be 1 second to 1 hour")
                }
            }
            var selected: [(Run, String)] = []
            for name in checks {
                if let run = Run.allCases.first(where: { $0.rawValue.same(name) }) {
                    selected += run.checkIDs.map { (run, $0) }
                } else if Conformance.allCheckIDs.contains(where: { $0.same(name) }) {
                    for run in Run.allCases where run.checkIDs.contains(where: { $0.same(name) }) {
                        selected.append((run, name))
                    }
                } else {
                    throw WIFError(.usage, "--check \(JSON.escapedForMessage(name)): no such run or check",
                                   hint: "runs: \(Run.allCases.map(\.rawValue).joined(separator: ", ")); checks: "
                                       + Conformance.allCheckIDs.joined(separator: ", "))
                }
            }
            if let keep {
                if mkdir(keep, 0o755) != 0 && errno != EEXIST {
                    throw WIFError(.outputFailed, "--keep \(keep): cannot create: \(String(cString: strerror(errno)))")
                }
            }
            return Plan(command: command, selection: checks.isEmpty ? nil : selected.map { "\($0.0.rawValue)/\($0.1)" },
                        timeoutMillis: timeoutSeconds * 1000, strict: strict, keep: keep)
        }
    }

    /// What `conform` will do.
    public struct Plan: Sendable {
        public let command: String
        /// `run/check` pairs selected by `--check`; nil: all.
        let selection: [String]?
        public let timeoutMillis: Int64
        public let strict: Bool
        public let keep: String?

        public func isSelected(_ run: Run, _ id: String) -> Bool {
            selection.map { $0.contains("\(run.rawValue)/\(id)") } ?? true
        }

        /// The runs to make: those with a selected check.
        public var runs: [Run] { Run.allCases.filter { r in r.checkIDs.contains { isSelected(r, $0) } } }

        /// A fresh setup for `run`: its own workload key.
        public func setup(_ run: Run) throws(WIFError) -> Setup {
            Setup(run: run, workloadKey: try JWK.generate(alg: .es256))
        }

        /// The client process of one run, given the prepared run at `base`.
        public func client(_ prepared: Prepared) -> ClientProcess {
            ClientProcess(command: command, argument: prepared.mcpURL, environment: prepared.environment,
                          timeoutMillis: timeoutMillis)
        }
    }

    /// One run before its server exists.
    public struct Setup: Sendable {
        public let run: Run
        let workloadKey: JWK

        /// The run at the server's base URL: its endpoint (built here, so the server only serves it) and the client's
        /// context. Called once the server knows its port.
        public func prepare(base: String, now: Int64) throws(WIFError) -> Prepared {
            func mint(aud: String, exp: Int64) throws(WIFError) -> String {
                var spec = TokenSpec(now: now)
                spec.alg = .es256
                spec.iss = Conformance.workloadIssuer
                spec.sub = Conformance.workloadSubject
                spec.aud = [aud]
                spec.exp = exp
                return String(decoding: try Minter(spec: spec, key: workloadKey).next(), as: UTF8.self)
            }
            let expiredExp = now - 60
            let wrongAudienceJWT = try mint(aud: Conformance.wrongAudience, exp: now + 300)
            let expiredJWT = try mint(aud: base, exp: expiredExp)
            let valid: String
            switch run {
            case .expired: valid = try mint(aud: base, exp: expiredExp)
            case .wrongAudience: valid = try mint(aud: Conformance.wrongAudience, exp: now + 300)
            default: valid = try mint(aud: base, exp: now + 300)
            }
            var policy = PolicySettings()
            policy.issuers = [Conformance.workloadIssuer]
            policy.defaultAudiences = [base, base + "/token"]
            policy.leeway = Conformance.leeway
            if run == .unauthorizedSubject { policy.rejectSubjects = [Conformance.workloadSubject] }
            let validator = try Validator(keys: KeyRing(keys: [workloadKey]), policy: try policy.policy())
            var endpoint = try TokenEndpoint(validator: validator)
            endpoint.forcedAnswer = run.forcedAnswer
            endpoint.secretsUnchecked = true
            if run == .invalidScope { endpoint.allowScopes = [Conformance.advertisedScope] }
            let cache = ReplayCache(inMemory: ())
            endpoint.memoryReplayCache = cache
            if run == .replayedJTI {
                let token = try validator.verify(Array(valid.utf8), now: now)
                _ = try cache.check(token, leeway: validator.policy.leeway, now: { now })
            }
            var context = JSONObject()
            context["name"] = .string(Conformance.scenario)
            context["client_id"] = .string(Conformance.clientID)
            context["valid_jwt"] = .string(valid)
            context["wrong_audience_jwt"] = .string(wrongAudienceJWT)
            context["expired_jwt"] = .string(expiredJWT)
            return Prepared(run: run, base: base, endpoint: endpoint, context: .object(context))
        }
    }

    /// One run with its server's URL.
    public struct Prepared {
        public let run: Run
        public let base: String
        public let endpoint: TokenEndpoint
        public let context: JSON

        public var mcpURL: String { base + "/mcp" }

        /// The suite's environment: the scenario name and the context.
        public var environment: [(String, String)] {
            [("MCP_CONFORMANCE_SCENARIO", Conformance.scenario), ("MCP_CONFORMANCE_CONTEXT", context.serialized())]
        }
    }

    /// The checks of one run, from the server's request events (the `serve` log lines, summary excluded) and how
    /// the client ended.
    public static func judge(_ run: Run, events: [JSON], client: ClientProcess.Result, plan: Plan) -> RunReport {
        let seen = Evidence(events: events)
        let judge = Judge(run: run, seen: seen, client: client, plan: plan)
        let checks = run.checkIDs.map { id in
            plan.isSelected(run, id) ? judge.check(id) : ConformanceCheck(id, .skipped, "not selected (--check)")
        }
        return RunReport(run: run, checks: checks, requests: seen.requests.count, tokenRequests: seen.tokens.count,
                         mcpRequests: seen.mcp.count, client: client)
    }

    /// What the server recorded, sorted by what the checks ask.
    struct Evidence {
        let requests: [JSONObject]
        let tokens: [JSONObject]
        let jwtBearer: [JSONObject]
        let mcp: [JSONObject]
        let authorizedMCP: [JSONObject]

        init(events: [JSON]) {
            requests = events.compactMap(\.objectValue).filter { !$0.contains("summary") }
            tokens = requests.filter { $0["path"]?.stringValue == "/token" }
            jwtBearer = tokens.filter { $0["grant_type"]?.stringValue?.same(TokenRequest.jwtBearerGrant) == true }
            mcp = requests.filter { $0["path"]?.stringValue == "/mcp" }
            authorizedMCP = mcp.filter { $0["mcp_authorized"]?.boolValue == true }
        }

        /// The server's checks of one event, as (id, status).
        static func checks(_ e: JSONObject) -> [(id: String, status: String)] {
            (e["checks"]?.arrayValue ?? []).compactMap(\.objectValue).compactMap { c in
                guard let id = c["id"]?.stringValue, let st = c["status"]?.stringValue else { return nil }
                return (id, st)
            }
        }

        /// How many times the server recorded check `id`.
        func count(_ id: String) -> Int {
            requests.reduce(0) { $0 + Evidence.checks($1).filter { $0.id == id }.count }
        }
    }

    /// One run's checks, each judged by `check(_:)`.
    struct Judge {
        let run: Run
        let seen: Evidence
        let client: ClientProcess.Result
        let plan: Plan

        /// The suite's WARNING checks, FAILURE with `--strict`.
        var warned: ConformanceCheck.Status { plan.strict ? .failure : .warning }
        var lastLine: String { client.lastStderrLine.map { "; last stderr line: \($0)" } ?? "; nothing on stderr" }

        func check(_ id: String) -> ConformanceCheck {
            switch id {
            case "wif-grant-type": return grantType()
            case "wif-assertion-verified": return assertionVerified()
            case "mcp-authorized":
                return seen.authorizedMCP.isEmpty
                    ? .init(id, .failure, "the MCP endpoint was not reached with an issued token "
                            + "(\(seen.mcp.count) MCP request(s))")
                    : .init(id, .success, "\(seen.authorizedMCP.count) MCP request(s) with the issued token")
            case "token-error": return tokenError()
            case "wif-no-retry":
                let n = seen.count(id)
                return n == 0
                    ? .init(id, .success, "\(seen.jwtBearer.count) jwt-bearer request(s), none after a failure")
                    : .init(id, warned, "\(n) jwt-bearer request(s) after a failed one "
                            + "(\(seen.jwtBearer.count) in all)")
            case "wif-grant-fallback": return grantFallback()
            case "mcp-unauthorized":
                return seen.authorizedMCP.isEmpty
                    ? .init(id, .success, "the MCP endpoint was never reached with a token "
                            + "(\(seen.mcp.count) MCP request(s))")
                    : .init(id, .failure, "\(seen.authorizedMCP.count) MCP request(s) were authorized")
            case "client-exit": return clientExit()
            case "client-timeout":
                let limit = NumericDate.formatSpan(plan.timeoutMillis / 1000)
                return client.timedOut
                    ? .init(id, .failure, "still running after \(limit): process group killed")
                    : .init(id, .success, "ended after \(Conformance.seconds(client.elapsedMillis)) (timeout \(limit))")
            case "error-surfaced": return errorSurfaced()
            default: return .init(id, .skipped, "not a check of this run")
            }
        }

        func grantType() -> ConformanceCheck {
            let id = "wif-grant-type"
            guard let first = seen.tokens.first else {
                return .init(id, .failure, "no token request (\(seen.requests.count) request(s) in all)")
            }
            let g = first["grant_type"]?.stringValue
            if g?.same(TokenRequest.jwtBearerGrant) == true {
                return .init(id, .success,
                             "the first of \(seen.tokens.count) token request(s) used the jwt-bearer grant")
            }
            return .init(id, .failure, "the first token request used grant_type " + (g.map { "\"\($0)\"" } ?? "(none)")
                         + ", not \(TokenRequest.jwtBearerGrant)")
        }

        func assertionVerified() -> ConformanceCheck {
            let id = "wif-assertion-verified"
            guard let first = seen.jwtBearer.first else {
                return .init(id, .failure, "the client did not make a jwt-bearer token request")
            }
            let theirs = Evidence.checks(first)
            if theirs.contains(where: { $0.id == id && $0.status == "SUCCESS" }) {
                return .init(id, .success, "the assertion verified (signature, issuer, audience, time)")
            }
            let failed = theirs.first(where: { $0.status == "FAILURE" })?.id ?? "rejected"
            return .init(id, .failure, "\(failed): \(first["reason"]?.stringValue ?? "?") "
                         + "(\(first["error"]?.stringValue ?? "no error"))")
        }

        func tokenError() -> ConformanceCheck {
            let id = "token-error"
            guard let (error, reason) = run.expected else { return .init(id, .skipped, "not a check of this run") }
            guard let first = seen.jwtBearer.first else {
                return .init(id, .failure, "the client did not make a jwt-bearer token request")
            }
            if Evidence.checks(first).contains(where: { $0.id == "wif-assertion-missing" }) {
                return .init(id, .failure, "the jwt-bearer request carried no assertion parameter")
            }
            let got = (first["error"]?.stringValue, first["reason"]?.stringValue)
            if got.0 == error.rawValue, got.1 == reason.rawValue {
                return .init(id, .success, "answered \(error.rawValue) (\(reason.rawValue))")
            }
            return .init(id, .failure, "expected \(error.rawValue) (\(reason.rawValue)), answered "
                         + (got.0.map { "\($0) (\(got.1 ?? "?"))" } ?? "with a token"))
        }

        func grantFallback() -> ConformanceCheck {
            let id = "wif-grant-fallback"
            let n = seen.count(id)
            guard n > 0 else {
                return .init(id, .success, "no other grant_type and no /authorize visit after a failure")
            }
            let others = Set(seen.tokens.compactMap { $0["grant_type"]?.stringValue }
                .filter { !$0.same(TokenRequest.jwtBearerGrant) }).sorted()
            return .init(id, warned, "\(n) fallback(s) after a failure"
                         + (others.isEmpty ? "" : ": grant_type " + others.joined(separator: ", ")))
        }

        func clientExit() -> ConformanceCheck {
            let id = "client-exit"
            if client.timedOut { return .init(id, .skipped, "killed after --timeout (see client-timeout)") }
            let ok = run == .positive ? client.exitStatus == 0 : client.exitStatus != 0
            if ok { return .init(id, .success, client.summary + lastLine) }
            return .init(id, .failure, run == .positive ? client.summary + ", expected 0" + lastLine
                         : "exit 0 after the error, expected non-zero" + lastLine)
        }

        func errorSurfaced() -> ConformanceCheck {
            let id = "error-surfaced"
            guard let (error, _) = run.expected else { return .init(id, .skipped, "not a check of this run") }
            let text = String(decoding: client.stderr, as: UTF8.self)
            var names = [error.rawValue]
            if run == .invalidScope { names.append(Conformance.advertisedScope) }
            let named = names.filter { text.contains($0) }
            if !named.isEmpty { return .init(id, .success, "stderr names " + named.joined(separator: ", ")) }
            // A heuristic: it stays a warning even with --strict.
            return .init(id, .warning, names.count == 1 ? "stderr does not name \(names[0])"
                         : "stderr names neither " + names.joined(separator: " nor "))
        }
    }

    /// `0.21s`.
    static func seconds(_ ms: Int64) -> String {
        let cs = (ms + 5) / 10
        let frac = cs % 100
        return "\(cs / 100).\(frac < 10 ? "0" : "")\(frac)s"
    }

    /// One run's checks and evidence.
    public struct RunReport: Sendable {
        public let run: Run
        public let checks: [ConformanceCheck]
        public let requests: Int
        public let tokenRequests: Int
        public let mcpRequests: Int
        public let client: ClientProcess.Result

        /// A shell that could not find or run the command (exit 126 or 127) before any request: nothing to judge
        /// (exit 2), not a client that failed its checks.
        public var startFailure: WIFError? {
            guard let s = client.exitStatus, s == 126 || s == 127, requests == 0 else { return nil }
            return WIFError(.inputUnreadable, "the client could not be started (exit \(s))"
                            + (client.lastStderrLine.map { ": " + TerminalText.escape($0) } ?? ""),
                            hint: "check --command; it runs as /bin/sh -c 'COMMAND \"$@\"' URL")
        }

        /// A run whose checks are all SKIPPED (not made).
        public static func skipped(_ run: Run) -> RunReport {
            RunReport(run: run, checks: run.checkIDs.map { .init($0, .skipped, "not selected (--check)") }, requests: 0,
                      tokenRequests: 0, mcpRequests: 0, client: ClientProcess.Result())
        }

        public var made: Bool { checks.contains { $0.status != .skipped } }

        public var json: JSON {
            var o = JSONObject()
            o["name"] = .string(run.rawValue)
            o["made"] = .bool(made)
            if made {
                o["requests"] = .integer(Int64(requests))
                o["token_requests"] = .integer(Int64(tokenRequests))
                o["mcp_requests"] = .integer(Int64(mcpRequests))
                o["exit_status"] = client.exitStatus.map { .integer(Int64($0)) } ?? .null
                o["signal"] = client.signal.map { .integer(Int64($0)) } ?? .null
                o["timed_out"] = .bool(client.timedOut)
                o["elapsed_ms"] = .integer(client.elapsedMillis)
                o["stderr_last_line"] = client.lastStderrLine.map { .string($0) } ?? .null
            }
            o["checks"] = .array(checks.map(\.json))
            return .object(o)
        }
    }

    /// Every run's checks: the table, the JSON document and the verdict.
    public struct Report: Sendable {
        public let command: String
        public let runs: [RunReport]

        public init(command: String, runs: [RunReport]) {
            self.command = command
            self.runs = runs
        }

        public var checks: [ConformanceCheck] { runs.flatMap(\.checks) }
        public var failed: Bool { checks.contains { $0.status == .failure } }

        func count(_ s: ConformanceCheck.Status) -> Int { checks.filter { $0.status == s }.count }

        public var summaryLine: String {
            let judged = checks.filter { $0.status != .skipped }.count
            return "\(judged) checks in \(runs.filter(\.made).count) runs: \(count(.success)) SUCCESS, "
                + "\(count(.warning)) WARNING, \(count(.failure)) FAILURE, \(count(.skipped)) SKIPPED — "
                + (failed ? "FAIL" : "PASS")
        }

        /// One row per check: run, check id, status, evidence (the client's text escaped for a terminal).
        public var text: String {
            var t = TerminalText()
            t.line("scenario \(Conformance.scenario), client: \(command)")
            func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
            t.line(pad("RUN", 22) + pad("CHECK", 24) + pad("STATUS", 9) + "EVIDENCE")
            for r in runs {
                for c in r.checks {
                    t.line(pad(r.run.rawValue, 22) + pad(c.id, 24) + pad(c.status.rawValue, 9) + c.detail)
                }
            }
            t.line(summaryLine)
            return t.string
        }

        public var json: JSON {
            var o = JSONObject()
            o["scenario"] = .string(Conformance.scenario)
            o["command"] = .string(command)
            o["passed"] = .bool(!failed)
            var counts = JSONObject()
            for s in ConformanceCheck.Status.allCases { counts[s.rawValue] = .integer(Int64(count(s))) }
            o["counts"] = .object(counts)
            o["runs"] = .array(runs.map(\.json))
            return .object(o)
        }
    }

    /// `--keep DIR`: DIR/RUN/server.log (the event lines), client.stdout, client.stderr, context.json.
    public static func keep(_ dir: String, run: Run, events: [JSON], client: ClientProcess.Result,
                            context: JSON?) throws(WIFError) {
        let d = dir + "/" + run.rawValue
        if mkdir(d, 0o755) != 0 && errno != EEXIST {
            throw WIFError(.outputFailed, "--keep \(d): cannot create: \(String(cString: strerror(errno)))")
        }
        var log: [UInt8] = []
        for e in events {
            e.write(to: &log)
            log.append(0x0A)
        }
        _ = try Output.writeAtomically(log, to: d + "/server.log", mode: 0o600)
        _ = try Output.writeAtomically(client.stdout, to: d + "/client.stdout", mode: 0o600)
        _ = try Output.writeAtomically(client.stderr, to: d + "/client.stderr", mode: 0o600)
        if let context {
            _ = try Output.writeAtomically(Array((context.serialized() + "\n").utf8), to: d + "/context.json",
                                           mode: 0o600)
        }
    }
}
