// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The rules at the top of Delegation.swift: who may act, the act chain, and attenuation.
@Suite struct DelegationTests {
    let key: JWK
    let v: Validator

    init() throws {
        key = try MirrorKeys.key(MirrorKeys.ec)
        v = try validator([key])
    }

    func token(_ edit: (inout TokenSpec) -> Void) throws -> VerifiedToken {
        try v.verify(try mint(key, baseSpec(), edit), now: mirrorNow)
    }

    @Test func mayActNamesTheOnlyPermittedActor() throws {
        let subject = try token { $0.sub = "alice"; $0.mayAct = .object(JSONObject([("sub", .string("agent-b"))])) }
        let b = try token { $0.sub = "agent-b" }
        let x = try token { $0.sub = "agent-x" }
        let lookalike = try token { $0.sub = "agent-\u{0062}\u{0301}" }
        #expect(reason { try Delegation.checkActor(subject: subject, actor: b, allowed: []) } == nil)
        #expect(reason { try Delegation.checkActor(subject: subject, actor: x, allowed: []) } == .actorNotPermitted)
        #expect(reason { try Delegation.checkActor(subject: subject, actor: lookalike, allowed: []) } == .actorNotPermitted)
        // --actor lists who may act in this hop.
        #expect(reason { try Delegation.checkActor(subject: try token { $0.sub = "bob" }, actor: x, allowed: ["agent-b"]) }
                == .actorRejected)
        // A may_act that is not an object never gets this far: the validator refuses it (bad_delegation).
        #expect(reason { try token { $0.claims["may_act"] = .string("agent-b") } } == .badDelegation)
    }

    @Test func theChainRecordsEveryHopNewestOutermost() throws {
        let subject = try token { $0.sub = "alice"; $0.act = ["agent-a"] }
        let actor = try token { $0.sub = "agent-b"; $0.iss = "https://other.example" }
        let act = try Delegation.chain(subject: subject, actor: actor, maxDepth: 8)
        #expect(act.serialized() == #"{"sub":"agent-b","iss":"https://other.example","act":{"sub":"agent-a"}}"#)
        #expect(Delegation.depth(act) == 2)
        // Same issuer: no iss member.
        let same = try Delegation.chain(subject: subject, actor: try token { $0.sub = "agent-b" }, maxDepth: 8)
        #expect(same.serialized() == #"{"sub":"agent-b","act":{"sub":"agent-a"}}"#)
        #expect(reason { try Delegation.chain(subject: subject, actor: actor, maxDepth: 1) } == .delegationTooDeep)
    }

    @Test func scopeAndAudienceOnlyNarrow() throws {
        let subject = try token { $0.scope = "read write" }
        #expect(try Delegation.narrowScopes(requested: ["read"], subject: subject) == ["read"])
        #expect(try Delegation.narrowScopes(requested: [], subject: subject) == ["read", "write"])
        #expect(reason { try Delegation.narrowScopes(requested: ["read", "admin"], subject: subject) } == .scopeWidened)
        #expect(try Delegation.narrowScopes(requested: ["any"], subject: try token { $0.scope = nil }) == ["any"])
        let held = ["https://a", "https://b"]
        #expect(try Delegation.narrowAudiences(requested: ["https://a"], subjectAudiences: held) == ["https://a"])
        #expect(try Delegation.narrowAudiences(requested: [], subjectAudiences: held) == held)
        #expect(reason { try Delegation.narrowAudiences(requested: ["https://c"], subjectAudiences: held) } == .audienceWidened)
        #expect(Reason.scopeWidened.oauthError == .invalidScope && Reason.audienceWidened.oauthError == .invalidTarget)
    }

    @Test func levelsListTheChainCurrentActorFirst() throws {
        let t = try token { $0.act = ["agent-c", "agent-b"] }
        #expect(Delegation.levels(t.claims)?.map { $0["sub"]?.stringValue } == ["agent-c", "agent-b"])
        #expect(Delegation.levels(try token { _ in }.claims) == nil)
        // wif-verify --json and --batch give the same list.
        var out: [UInt8] = []
        VerifyReport.writeSuccessLine(t, to: &out)
        let line = try JSON.parse(out.dropLast())
        #expect(line.objectValue?["delegation"] != nil)
        #expect(line.objectValue?["delegation"] == VerifyReport.success(t).objectValue?["delegation"])
        var plain: [UInt8] = []
        VerifyReport.writeSuccessLine(try token { _ in }, to: &plain)
        #expect(try JSON.parse(plain.dropLast()).objectValue?["delegation"] == nil)
    }

    @Test func lifetimeIsCappedByEveryToken() throws {
        let short = try token { $0.exp = mirrorNow + 60 }
        let long = try token { $0.exp = mirrorNow + 7200 }
        #expect(Delegation.cappedExpiry(mirrorNow + 3600, tokens: [short, long]) == mirrorNow + 60)
        #expect(Delegation.cappedExpiry(mirrorNow + 3600, tokens: [long]) == mirrorNow + 3600)
        #expect(Delegation.audiences(short) == ["https://as.example/token"])
    }
}
