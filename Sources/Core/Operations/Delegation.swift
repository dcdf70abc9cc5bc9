// SPDX-License-Identifier: Apache-2.0

/// Delegation at the token endpoint (RFC 8693 token exchange with an actor token): who may act, what the issued
/// token's `act` chain says, and attenuation — a hop may narrow what the subject token allows, never widen it.
///
/// Rules, in the order the endpoint applies them:
/// 1. the actor must be permitted: when the subject token carries `may_act` (§4.4), the actor token's `sub` (and
///    `iss`, when `may_act` names one) must equal it → `actor_not_permitted`; with `--actor`, the actor's `sub`
///    must be listed → `actor_rejected`;
/// 2. the issued `act` is the actor (its `sub`, and its `iss` when it differs from the subject's) with the
///    subject's own `act` nested inside, newest outermost (§4.1), so every hop is recorded; its depth is at most
///    `--max-delegation-depth` → `delegation_too_deep`;
/// 3. scope only narrows: when the subject token has `scope`, every requested scope must be in it →
///    `scope_widened` (invalid_scope); a request without scope gets the subject's;
/// 4. audience only narrows: when the subject is an access token this endpoint issued (its `aud` names the
///    resources it is good for), every requested `resource`/`audience` must be among them → `audience_widened`
///    (invalid_target); a request without one gets the subject's;
/// 5. lifetime is capped, not refused: the issued exp is at most the subject's and the actor's exp.
/// All identifiers compare as exact bytes.
public enum Delegation {
    /// Rule 1.
    public static func checkActor(subject: VerifiedToken, actor: VerifiedToken, allowed: [String]) throws(WIFError) {
        let actorSub = actor.claims["sub"]?.stringValue ?? ""
        if let mayAct = subject.claims["may_act"] {
            guard let m = mayAct.objectValue else {
                throw WIFError(.badDelegation, "the subject token's may_act is not an object (RFC 8693 §4.4)")
            }
            let wantSub = m["sub"]?.stringValue
            let wantIss = m["iss"]?.stringValue
            let actorIss = actor.claims["iss"]?.stringValue ?? ""
            if wantSub.map({ !$0.same(actorSub) }) == true || wantIss.map({ !$0.same(actorIss) }) == true {
                throw WIFError(.actorNotPermitted,
                               "actor \"\(JSON.escapedForMessage(actorSub))\" is not the one the subject token's may_act permits (\(JSON.escapedForMessage(mayAct.serialized())))")
            }
        }
        if !allowed.isEmpty && !allowed.containsExactly(actorSub) {
            throw WIFError(.actorRejected, "actor \"\(JSON.escapedForMessage(actorSub))\" is not allowed (--actor)")
        }
    }

    /// Rule 2: the `act` claim of the token issued to `actor` for `subject`.
    public static func chain(subject: VerifiedToken, actor: VerifiedToken, maxDepth: Int) throws(WIFError) -> JSON {
        var act = JSONObject()
        act["sub"] = .string(actor.claims["sub"]?.stringValue ?? "")
        if let iss = actor.claims["iss"]?.stringValue, subject.claims["iss"]?.stringValue.map({ $0.same(iss) }) != true {
            act["iss"] = .string(iss)
        }
        if let previous = subject.claims["act"] { act["act"] = previous }
        let result = JSON.object(act)
        let d = depth(result)
        if d > maxDepth {
            throw WIFError(.delegationTooDeep, "the act chain would be \(d) deep, more than \(maxDepth) (--max-delegation-depth)")
        }
        return result
    }

    /// The number of nested `act` objects, this one included.
    public static func depth(_ act: JSON?) -> Int {
        var n = 0
        var cur = act
        while let o = cur?.objectValue { n += 1; cur = o["act"] }
        return n
    }

    /// Rule 3: the scopes to issue.
    public static func narrowScopes(requested: [String], subject: VerifiedToken) throws(WIFError) -> [String] {
        guard let s = subject.claims["scope"]?.stringValue else { return requested }
        let held = s.split(separator: " ").map(String.init)
        if requested.isEmpty { return held }
        if let wider = requested.first(where: { !held.containsExactly($0) }) {
            throw WIFError(.scopeWidened, "scope \(JSON.escapedForMessage(wider)) is not in the subject token's scope (\(JSON.escapedForMessage(s))): a delegated token only narrows")
        }
        return requested
    }

    /// Rule 4: the audiences to issue for, when the subject is one of this endpoint's access tokens.
    public static func narrowAudiences(requested: [String], subjectAudiences held: [String]) throws(WIFError) -> [String] {
        if requested.isEmpty { return held }
        if let wider = requested.first(where: { !held.containsExactly($0) }) {
            throw WIFError(.audienceWidened, "\(JSON.escapedForMessage(wider)) is not an audience of the subject token (\(held.map { JSON.escapedForMessage($0) }.joined(separator: " "))): a delegated token only narrows")
        }
        return requested
    }

    /// Rule 5: the issued exp.
    public static func cappedExpiry(_ exp: Int64, tokens: [VerifiedToken]) -> Int64 {
        var e = exp
        for t in tokens { if let x = t.claims["exp"]?.doubleValue { e = min(e, Int64(min(x, 1e12))) } }
        return e
    }

    /// The `aud` of a token as a list.
    public static func audiences(_ t: VerifiedToken) -> [String] {
        if let s = t.claims["aud"]?.stringValue { return [s] }
        return t.claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
