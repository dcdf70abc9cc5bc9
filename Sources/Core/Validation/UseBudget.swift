// SPDX-License-Identifier: Apache-2.0

/// A token's use budget: the private claim `wif_max_uses` (RFC 7519 §4.3), the number of times a verifier
/// with a replay cache may accept the token, counted per token identity (`ReplayCache.key`).
///
/// No registered claim or adopted draft defines a use count: RFC 7519 §4.1.7 `jti` makes a token one-time
/// only when the verifier remembers it (RFC 7523 §3 item 7), and RFC 9449 §11.1 makes DPoP proofs one-time:
/// both are the budget-1 case. Hence a private, wif-prefixed name, whose meaning wif(7) documents.
///
/// Rules:
/// - the value is a JSON integer literal from 1 to `maximum`; anything else (a string, a fraction, `5.0`, 0, a
///   negative number, more than `maximum`) rejects the token (`bad_use_budget`), with or without a cache;
/// - a token without the claim has a budget of 1: plain jti replay;
/// - a token carrying the claim needs a replay cache: without one the verifier cannot count its uses and does not
///   judge it (`use_budget_needs_cache`, exit 2), rather than accept it without limit or call it bad;
/// - `--max-uses` text is parsed as strictly: ASCII digits, no sign, no leading zero, 1 to `maximum` (exit 2).
public enum UseBudget {
    public static let claim = "wif_max_uses"
    static let member = MemberName("wif_max_uses", key: 0x0C78_616D_5F66_6977)
    /// The largest budget: a use is one replay-cache write, and a count fits 7 digits of a cache line.
    public static let maximum = 1_000_000

    /// The budget a verified token carries, nil without the claim.
    public static func of(_ claims: JSONObject) throws(WIFError) -> Int? {
        guard let v = claims[member] else { return nil }
        guard case .number(let literal) = v, let n = Int64(literal), n >= 1, n <= Int64(maximum) else {
            throw WIFError(.badUseBudget, "claim \(claim) is \(describe(v)), not a whole number from 1 to \(maximum)")
        }
        return Int(n)
    }

    /// Refuses a token with a budget when there is no replay cache to count it in (the budget its claims noted;
    /// a token checked in place has none).
    public static func requireCache(_ v: VerifiedToken, cache: ReplayCache?) throws(WIFError) {
        guard cache == nil, let n = v.useBudget else { return }
        throw needsCache(n)
    }

    static func needsCache(_ n: Int) -> WIFError {
        WIFError(.useBudgetNeedsCache, "the token may be used \(n) time\(n == 1 ? "" : "s") (\(claim)); counting its uses needs a replay cache",
                 hint: "give --replay-cache FILE")
    }

    /// `--max-uses N`: digits only, no sign or leading zero, 1 to `maximum`.
    public static func parse(_ text: String, flag: String = "--max-uses") throws(WIFError) -> Int {
        let u = Array(text.utf8)
        guard !u.isEmpty, u.count <= 7, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), u[0] != 0x30,
              let n = Int(text), n <= maximum else {
            throw WIFError(.usage, "\(flag) takes a whole number from 1 to \(maximum), not \"\(JSON.escapedForMessage(text))\"")
        }
        return n
    }

    static func describe(_ v: JSON) -> String {
        if case .number(let t) = v { return t.utf8.count <= 24 ? t : "a number of \(t.utf8.count) characters" }
        return "a \(v.typeName)"
    }
}
