// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

extension Validator {
    /// Steps 6–10 of the check order (see Validator.swift).
    func checkClaims(_ c: JSONObject, now: Int64) throws(WIFError) {
        // 6. types of registered claims
        for name in [MemberName.iss, .sub, .jti, .clientID, .scope] {
            if let v = c[name], v.stringValue == nil {
                throw Validator.reject(.malformed, "claim \(name.name) is a \(v.typeName), not a string")
            }
        }
        _ = try UseBudget.of(c)
        let times = (exp: try numericDate(c, .exp), nbf: try numericDate(c, .nbf), iat: try numericDate(c, .iat))
        let aud = try audienceValues(c)
        // 7. presence and identity
        for (i, name) in policy.required.enumerated() where c[requiredNames[i]] == nil {
            let why = Policy(profile: policy.profile).required.contains(name) ? "by profile \(policy.profile.rawValue)" : "(--require)"
            throw Validator.reject(.missingClaim, "claim \(name) is required \(why)")
        }
        if !policy.issuers.isEmpty {
            guard let iss = c[.iss]?.stringValue else { throw Validator.reject(.missingClaim, "claim iss is required (--iss)") }
            guard policy.issuers.containsExactly(iss) else {
                throw Validator.reject(.badIssuer, "iss \"\(JSON.escapedForMessage(iss))\" is not a trusted issuer (\(Validator.list(policy.issuers)))")
            }
        }
        if !policy.audiences.isEmpty {
            guard let aud else { throw Validator.reject(.missingClaim, "claim aud is required (--aud)") }
            guard aud.contains(where: { audiences.containsExactly(normalizedAudience($0)) }) else {
                throw Validator.reject(.badAudience, "aud \(Validator.list(aud)) does not name this audience (\(Validator.list(policy.audiences)))")
            }
        }
        try checkSubject(c)
        // 8. time
        let leeway = Double(policy.leeway)
        let t = Double(now)
        if let exp = times.exp, t >= exp + leeway {
            throw Validator.reject(.expired, "exp \(Validator.num(exp)) is \(NumericDate.formatSpan(Int64(t - exp))) in the past (now \(now), leeway \(policy.leeway)s)")
        }
        if let nbf = times.nbf, nbf > t + leeway {
            throw Validator.reject(.notYetValid, "nbf \(Validator.num(nbf)) is \(NumericDate.formatSpan(Int64(nbf - t))) in the future (now \(now), leeway \(policy.leeway)s)")
        }
        if let iat = times.iat, iat > t + leeway {
            throw Validator.reject(.issuedInFuture, "iat \(Validator.num(iat)) is \(NumericDate.formatSpan(Int64(iat - t))) in the future (now \(now), leeway \(policy.leeway)s)")
        }
        if let max = policy.maxLifetime {
            // Without exp a token lives for ever, which no maximum lifetime allows.
            guard let exp = times.exp else { throw Validator.reject(.missingClaim, "claim exp is required (--max-lifetime)") }
            let start = times.iat ?? t
            if exp - start > Double(max) {
                let from = times.iat != nil ? "iat" : "now"
                throw Validator.reject(.lifetimeTooLong, "exp − \(from) is \(NumericDate.formatSpan(Int64(exp - start))), more than the maximum \(NumericDate.formatSpan(max))")
            }
        }
        if let max = policy.maxAge {
            guard let iat = times.iat else { throw Validator.reject(.missingClaim, "claim iat is required (--max-age)") }
            if t - iat > Double(max) + leeway {
                throw Validator.reject(.tooOld, "iat \(Validator.num(iat)) is \(NumericDate.formatSpan(Int64(t - iat))) old, more than the maximum \(NumericDate.formatSpan(max)) (leeway \(policy.leeway)s)")
            }
        }
        // 9. delegation
        try checkDelegation(c)
        // 10. jti
        if let jti = c[.jti]?.stringValue, policy.rejectJTIs.containsExactly(jti) {
            throw Validator.reject(.jtiRejected, "jti \"\(JSON.escapedForMessage(jti))\" is rejected (--reject-jti)")
        }
    }

    /// An audience as compared: without its trailing slash when the policy ignores one.
    func normalizedAudience(_ s: String) -> String { Validator.normalizedAudience(s, policy) }

    static func normalizedAudience(_ s: String, _ policy: Policy) -> String {
        policy.audienceIgnoresTrailingSlash && s.utf8.last == 0x2F ? String(decoding: s.utf8.dropLast(), as: UTF8.self) : s
    }

    /// A NumericDate claim (RFC 7519 §2): a finite JSON number, fractions allowed.
    func numericDate(_ c: JSONObject, _ member: MemberName) throws(WIFError) -> Double? {
        guard let v = c[member] else { return nil }
        let name = member.name
        guard case .number = v else {
            throw Validator.reject(.malformed, "claim \(name) is a \(v.typeName), not a NumericDate number")
        }
        guard let d = NumericDate.value(v), abs(d) < 1e15 else {
            throw Validator.reject(.malformed, "claim \(name) \(v.serialized()) is not a usable NumericDate")
        }
        return d
    }

    /// aud as a list of strings (RFC 7519 §4.1.3: a string or an array of strings).
    func audienceValues(_ c: JSONObject) throws(WIFError) -> [String]? {
        guard let v = c[.aud] else { return nil }
        if let s = v.stringValue { return [s] }
        guard let a = v.arrayValue else { throw Validator.reject(.malformed, "claim aud is a \(v.typeName), not a string or array") }
        var out: [String] = []
        for e in a {
            guard let s = e.stringValue else { throw Validator.reject(.malformed, "claim aud holds a \(e.typeName), not a string") }
            out.append(s)
        }
        return out
    }

    func checkSubject(_ c: JSONObject) throws(WIFError) {
        let sub = c[.sub]?.stringValue
        if let sub, policy.rejectSubjects.containsExactly(sub) {
            throw Validator.reject(.subjectRejected, "sub \"\(JSON.escapedForMessage(sub))\" is rejected (--reject-sub)")
        }
        if !policy.subjects.isEmpty {
            guard let sub else { throw Validator.reject(.missingClaim, "claim sub is required (--sub)") }
            guard policy.subjects.containsExactly(sub) else {
                throw Validator.reject(.badSubject, "sub \"\(JSON.escapedForMessage(sub))\" is not allowed (\(Validator.list(policy.subjects)))")
            }
        }
        if policy.requireSPIFFESubject, let sub {
            if let why = SPIFFEID.problem(sub) {
                throw Validator.reject(.badSubject, "sub \"\(JSON.escapedForMessage(sub))\" is not a SPIFFE ID: \(why)")
            }
            if let td = policy.trustDomain, SPIFFEID.trustDomain(sub)?.same(td) != true {
                throw Validator.reject(.badSubject, "sub \"\(JSON.escapedForMessage(sub))\" is not in trust domain \(td)")
            }
        }
        if policy.issEqualsSub {
            let iss = c[.iss]?.stringValue
            if iss == nil || sub == nil || !(iss ?? "").same(sub ?? "") {
                throw Validator.reject(.badSubject, "iss \"\(JSON.escapedForMessage(iss ?? ""))\" and sub \"\(JSON.escapedForMessage(sub ?? ""))\" must both be the client id (RFC 7523 §3)")
            }
        }
        if let id = policy.clientID, policy.profile == .idJAG {
            let named = c[.clientID]?.stringValue
            guard named?.same(id) == true else {
                throw Validator.reject(.clientIDMismatch, "client_id \"\(JSON.escapedForMessage(named ?? ""))\" is not the client \"\(JSON.escapedForMessage(id))\" (--client-id)")
            }
        } else if let id = policy.clientID, !(sub ?? "").same(id) || sub == nil {
            throw Validator.reject(.badSubject, "sub \"\(JSON.escapedForMessage(sub ?? ""))\" is not the client id \"\(JSON.escapedForMessage(id))\"")
        }
    }

    func checkDelegation(_ c: JSONObject) throws(WIFError) {
        if let m = c[.mayAct], m.objectValue == nil {
            throw Validator.reject(.badDelegation, "claim may_act is a \(m.typeName), not an object (RFC 8693 §4.4)")
        }
        guard let act = c[.act] else {
            if !policy.actors.isEmpty { throw Validator.reject(.actorRejected, "no act claim, and --actor requires an allowed actor") }
            return
        }
        var level = act
        var depth = 0
        var current: String?
        while true {
            depth += 1
            guard let o = level.objectValue else {
                throw Validator.reject(.badDelegation, "act at depth \(depth) is a \(level.typeName), not an object (RFC 8693 §4.1)")
            }
            guard let s = o[.sub]?.stringValue else {
                throw Validator.reject(.badDelegation, "act at depth \(depth) has no string sub")
            }
            if depth == 1 { current = s }
            if depth > policy.maxDelegationDepth {
                throw Validator.reject(.delegationTooDeep, "the act chain is deeper than \(policy.maxDelegationDepth)")
            }
            guard let next = o[.act] else { break }
            level = next
        }
        if !policy.actors.isEmpty, let current, !policy.actors.containsExactly(current) {
            throw Validator.reject(.actorRejected, "current actor \"\(JSON.escapedForMessage(current))\" is not allowed (\(Validator.list(policy.actors)))")
        }
    }

    static func list(_ xs: [String]) -> String {
        let shown = xs.prefix(5).map { "\"\(JSON.escapedForMessage($0, limit: 60))\"" }.joined(separator: ", ")
        return xs.count > 5 ? shown + ", ..." : shown
    }

    static func num(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

/// The policy's strings as bytes, for `Validator.claimsPass` (made once per validator, not per token).
struct PolicyBytes {
    let issuers: [[UInt8]]
    let audiences: [[UInt8]]
    let subjects: [[UInt8]]
    let rejectSubjects: [[UInt8]]
    let rejectJTIs: [[UInt8]]
    let clientID: [UInt8]?
    /// The required claims, or nil when one of them is not a `ClaimFields.Claim` (the full check decides).
    let required: [ClaimFields.Claim]?

    init(_ policy: Policy, audiences normalized: [String]) {
        issuers = policy.issuers.map { Array($0.utf8) }
        audiences = normalized.map { Array($0.utf8) }
        subjects = policy.subjects.map { Array($0.utf8) }
        rejectSubjects = policy.rejectSubjects.map { Array($0.utf8) }
        rejectJTIs = policy.rejectJTIs.map { Array($0.utf8) }
        clientID = policy.clientID.map { Array($0.utf8) }
        var req: [ClaimFields.Claim]? = []
        for name in policy.required {
            let u = Array(name.utf8)
            let c = u.withUnsafeBufferPointer { ClaimFields.claim(named: $0, 0, u.count) }
            if let c { req?.append(c) } else { req = nil; break }
        }
        required = req
    }
}

extension Validator {
    /// Steps 6–10 on claims found in place (`ClaimFields`): true only when `checkClaims` on the parsed payload
    /// would pass. False means "not decided here", never "rejected": the caller then runs `checkClaims`, which
    /// names the failure (or passes a token this conservative check leaves to it). So every message stays the
    /// full check's, and this needs to get only the passing case right.
    ///
    /// Left to the full check: `wif_max_uses`, `act`, `may_act`, `cnf` (DPoP.checkBinding reads it), an `aud` array, a NumericDate that is not an
    /// integer of at most 15 digits, a required claim outside `ClaimFields.Claim`, `--actor`.
    func claimsPass(_ f: ClaimFields, _ p: UnsafeBufferPointer<UInt8>, now: Int64) -> Bool {
        let b = policyBytes
        // 6. types
        func other(_ s: ClaimFields.Span?) -> Bool { s.map { !$0.isString } ?? false }
        if other(f[.iss]) || other(f[.sub]) || other(f[.jti]) || other(f[.clientID]) || other(f[.scope]) { return false }
        if f[.maxUses] != nil || f[.act] != nil || f[.mayAct] != nil || f[.cnf] != nil || !policy.actors.isEmpty { return false }
        var dates: (exp: Double?, nbf: Double?, iat: Double?) = (nil, nil, nil)
        if let s = f[.exp] { guard s.isNumber, let d = ClaimFields.integerDate(p, s) else { return false }; dates.exp = d }
        if let s = f[.nbf] { guard s.isNumber, let d = ClaimFields.integerDate(p, s) else { return false }; dates.nbf = d }
        if let s = f[.iat] { guard s.isNumber, let d = ClaimFields.integerDate(p, s) else { return false }; dates.iat = d }
        if let s = f[.aud], !s.isString { return false }
        // 7. presence and identity
        guard let required = b.required else { return false }
        for c in required where f[c] == nil { return false }
        if !b.issuers.isEmpty {
            guard let iss = f[.iss], b.issuers.contains(where: { ClaimFields.same(p, iss, $0) }) else { return false }
        }
        if !b.audiences.isEmpty {
            guard var aud = f[.aud] else { return false }
            if policy.audienceIgnoresTrailingSlash, aud.count > 0, p[aud.end - 1] == 0x2F {
                aud = ClaimFields.Span(start: aud.start, end: aud.end - 1, first: aud.first)
            }
            guard b.audiences.contains(where: { ClaimFields.same(p, aud, $0) }) else { return false }
        }
        let sub = f[.sub]
        if let sub, b.rejectSubjects.contains(where: { ClaimFields.same(p, sub, $0) }) { return false }
        if !b.subjects.isEmpty {
            guard let sub, b.subjects.contains(where: { ClaimFields.same(p, sub, $0) }) else { return false }
        }
        if policy.requireSPIFFESubject, let sub {
            let s = String(decoding: UnsafeBufferPointer(rebasing: p[sub.start..<sub.end]), as: UTF8.self)
            if SPIFFEID.problem(s) != nil { return false }
            if let td = policy.trustDomain, SPIFFEID.trustDomain(s)?.same(td) != true { return false }
        }
        if policy.issEqualsSub {
            guard let iss = f[.iss], let sub, p[iss.start..<iss.end].elementsEqual(p[sub.start..<sub.end]) else { return false }
        }
        if let id = b.clientID {
            let named = policy.profile == .idJAG ? f[.clientID] : sub
            guard let named, ClaimFields.same(p, named, id) else { return false }
        }
        // 8. time, in the Doubles `checkClaims` compares
        let leeway = Double(policy.leeway)
        let t = Double(now)
        if let exp = dates.exp, t >= exp + leeway { return false }
        if let nbf = dates.nbf, nbf > t + leeway { return false }
        if let iat = dates.iat, iat > t + leeway { return false }
        if let max = policy.maxLifetime {
            guard let exp = dates.exp, exp - (dates.iat ?? t) <= Double(max) else { return false }
        }
        if let max = policy.maxAge {
            guard let iat = dates.iat, t - iat <= Double(max) + leeway else { return false }
        }
        // 9. delegation: no act, no may_act, no --actor (above). 10. jti
        if let jti = f[.jti], b.rejectJTIs.contains(where: { ClaimFields.same(p, jti, $0) }) { return false }
        return true
    }
}
