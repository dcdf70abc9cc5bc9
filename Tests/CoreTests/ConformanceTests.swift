// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Conformance: the plan of `wif-verify conform` (options, runs, assertions, servers) and the checks it judges.
@Suite struct ConformanceTests {
    let base = "http://127.0.0.1:4711"
    let now: Int64 = 1_800_000_000

    func settings(_ edit: (inout Conformance.Settings) -> Void = { _ in }) -> Conformance.Settings {
        var s = Conformance.Settings()
        s.command = "./client"
        edit(&s)
        return s
    }

    func body(_ assertion: String) -> [UInt8] {
        Array("grant_type=\(TokenRequest.jwtBearerGrant)&assertion=\(assertion)".utf8)
    }

    func payload(_ jwt: String) throws -> JSONObject {
        let part = jwt.split(separator: ".")[1]
        let bytes = try #require(Base64URL.decode(String(part)))
        return try #require(try JSON.parse(bytes).objectValue)
    }

    @Test func planChecksItsOptions() throws {
        #expect(throws: WIFError.self) { try Conformance.Settings().plan() }
        #expect(throws: WIFError.self) { try settings { $0.command = "  " }.plan() }
        #expect(throws: WIFError.self) { try settings { $0.timeout = "0s" }.plan() }
        #expect(throws: WIFError.self) { try settings { $0.timeout = "2h" }.plan() }
        #expect(throws: WIFError.self) { try settings { $0.scenario = "auth/basic-cimd" }.plan() }
        #expect(throws: WIFError.self) { try settings { $0.checks = ["nope"] }.plan() }
        let all = try settings().plan()
        #expect(all.runs == Conformance.Run.allCases && all.timeoutMillis == 10_000)
        #expect(try settings { $0.scenario = "wif-jwt-bearer"; $0.timeout = "3s" }.plan().timeoutMillis == 3000)
        let one = try settings { $0.checks = ["expired", "mcp-authorized"] }.plan()
        #expect(one.runs == [.positive, .expired])
        #expect(one.isSelected(.positive, "mcp-authorized") && !one.isSelected(.positive, "client-exit"))
        #expect(one.isSelected(.expired, "client-exit"))
    }

    @Test func checkIDsPerRun() {
        #expect(Conformance.Run.positive.checkIDs.count == 7)
        for r in Conformance.Run.allCases where r != .positive {
            #expect(r.checkIDs.count == 8 && r.checkIDs.contains("token-error") && r.expected != nil)
        }
        #expect(Conformance.allCheckIDs.count == 10)
    }

    /// Each run's server answers the run's own valid_jwt as the run says; the suite's extra JWTs are wrong their way.
    @Test func eachRunsServerAnswersItsAssertion() throws {
        let plan = try settings().plan()
        for run in Conformance.Run.allCases {
            let p = try plan.setup(run).prepare(base: base, now: now)
            let ctx = try #require(p.context.objectValue)
            #expect(ctx.keys == ["name", "client_id", "valid_jwt", "wrong_audience_jwt", "expired_jwt"])
            let valid = try #require(ctx["valid_jwt"]?.stringValue)
            let claims = try payload(valid)
            #expect(claims["iss"]?.stringValue == "https://idp.conformance-test.local")
            #expect(claims["sub"]?.stringValue == "conformance-workload")
            #expect(claims["jti"]?.stringValue?.isEmpty == false)
            #expect(claims["iat"]?.int64Value == now)
            var facts = TokenEndpoint.Facts()
            let outcome = try p.endpoint.handle(body: body(valid), now: now, facts: &facts)
            switch (run.expected, outcome) {
            case (nil, .success): break
            case (let e?, .failure(let error, let why)):
                #expect(error == e.error && why.reason == e.reason, "\(run.rawValue): \(error) \(why.reason)")
            default: Issue.record("\(run.rawValue): unexpected \(outcome)")
            }
            if run != .positive {
                #expect(p.environment.map(\.0) == ["MCP_CONFORMANCE_SCENARIO", "MCP_CONFORMANCE_CONTEXT"])
            }
            let wrong = try #require(ctx["wrong_audience_jwt"]?.stringValue)
            let expired = try #require(ctx["expired_jwt"]?.stringValue)
            #expect(try payload(wrong)["aud"]?.stringValue == "https://wrong.example")
            #expect(try payload(expired)["exp"]?.int64Value == now - 60)
            if run == .positive {
                for (jwt, reason) in [(wrong, Reason.badAudience), (expired, .expired)] {
                    guard case .failure(_, let why) = try p.endpoint.handle(body: body(jwt), now: now) else {
                        Issue.record("accepted"); continue
                    }
                    #expect(why.reason == reason)
                }
            }
        }
        #expect(Conformance.Run.invalidScope.resourceScopes == [Conformance.advertisedScope])
        #expect(Conformance.Run.positive.resourceScopes.isEmpty)
    }

    /// A conformance server records a client secret without judging it (the suite's server does not judge it);
    /// the same request at an endpoint without --clients is refused (unknown_client).
    @Test func conformanceServerRecordsButDoesNotJudgeClientSecrets() throws {
        let p = try settings().plan().setup(.positive).prepare(base: base, now: now)
        let valid = try #require(p.context.objectValue?["valid_jwt"]?.stringValue)
        let withSecret = body(valid) + Array("&client_id=\(Conformance.clientID)&client_secret=anything".utf8)
        var facts = TokenEndpoint.Facts()
        guard case .success = try p.endpoint.handle(body: withSecret, headers: [], now: now, facts: &facts) else {
            Issue.record("a conformance server judged the secret"); return
        }
        #expect(facts.clientAuth == "client_secret_post")
        let plain = try TokenEndpoint(validator: p.endpoint.validator)
        guard case .failure(let e, let why) = try plain.handle(body: withSecret, now: now) else {
            Issue.record("a secret was accepted without --clients"); return
        }
        #expect(e == .invalidClient && why.reason == .unknownClient)
    }

    func event(_ path: String, _ members: [(String, JSON)] = []) -> JSON {
        .object(JSONObject([("method", .string("POST")), ("path", .string(path))] + members))
    }

    func serverCheck(_ id: String, _ status: String) -> JSON {
        .object(JSONObject([("id", .string(id)), ("status", .string(status)), ("detail", .string(""))]))
    }

    func exited(_ status: Int32, stderr: String = "") -> ClientProcess.Result {
        var r = ClientProcess.Result()
        r.exitStatus = status
        r.stderr = Array(stderr.utf8)
        return r
    }

    func statuses(_ r: Conformance.RunReport) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.checks.map { ($0.id, $0.status.rawValue) })
    }

    @Test func judgeAPositiveRun() throws {
        let plan = try settings().plan()
        let token = event("/token", [("grant_type", .string(TokenRequest.jwtBearerGrant)),
                                     ("checks", .array([serverCheck("wif-grant-type", "SUCCESS"),
                                                        serverCheck("wif-assertion-verified", "SUCCESS")]))])
        let authorized = event("/mcp", [("mcp_authorized", .bool(true))])
        let good = Conformance.judge(.positive, events: [event("/mcp"), token, authorized], client: exited(0),
                                     plan: plan)
        #expect(Set(statuses(good).values) == ["SUCCESS"])
        let silent = Conformance.judge(.positive, events: [], client: exited(1), plan: plan)
        #expect(statuses(silent)["wif-grant-type"] == "FAILURE")
        #expect(statuses(silent)["wif-assertion-verified"] == "FAILURE")
        #expect(statuses(silent)["mcp-authorized"] == "FAILURE" && statuses(silent)["client-exit"] == "FAILURE")
    }

    @Test func judgeANegativeRun() throws {
        let plan = try settings().plan()
        let refusal: [(String, JSON)] = [("grant_type", .string(TokenRequest.jwtBearerGrant)),
                                         ("error", .string("invalid_grant")), ("reason", .string("expired"))]
        let failed = event("/token", refusal)
        let retry = event("/token", refusal + [("checks", .array([serverCheck("wif-no-retry", "WARNING")]))])
        let ok = Conformance.judge(.expired, events: [failed], client: exited(1, stderr: "x: invalid_grant\n"),
                                   plan: plan)
        #expect(Set(statuses(ok).values) == ["SUCCESS"])
        let retried = Conformance.judge(.expired, events: [failed, retry], client: exited(1), plan: plan)
        #expect(statuses(retried)["wif-no-retry"] == "WARNING" && statuses(retried)["error-surfaced"] == "WARNING")
        let strict = try settings { $0.strict = true }.plan()
        let strictly = Conformance.judge(.expired, events: [failed, retry], client: exited(1), plan: strict)
        #expect(statuses(strictly)["wif-no-retry"] == "FAILURE")
        let wrongAnswer = Conformance.judge(.invalidScope, events: [failed], client: exited(0), plan: plan)
        #expect(statuses(wrongAnswer)["token-error"] == "FAILURE" && statuses(wrongAnswer)["client-exit"] == "FAILURE")
        var hung = ClientProcess.Result()
        hung.timedOut = true
        hung.signal = 15
        let h = Conformance.judge(.expired, events: [failed], client: hung, plan: plan)
        #expect(statuses(h)["client-timeout"] == "FAILURE" && statuses(h)["client-exit"] == "SKIPPED")
    }

    @Test func reportCountsAndVerdict() throws {
        let plan = try settings { $0.checks = ["positive"] }.plan()
        let positive = Conformance.judge(.positive, events: [], client: exited(0), plan: plan)
        let r = Conformance.Report(command: "c", runs: [positive, .skipped(.expired)])
        #expect(r.failed)
        #expect(r.summaryLine.hasPrefix("7 checks in 1 runs: 4 SUCCESS, 0 WARNING, 3 FAILURE, 8 SKIPPED"))
        let json = try #require(r.json.objectValue)
        #expect(json["passed"] == .bool(false))
        #expect(r.text.contains("expired               token-error             SKIPPED  not selected (--check)"))
    }
}
