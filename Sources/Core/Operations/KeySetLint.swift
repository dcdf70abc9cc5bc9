// SPDX-License-Identifier: Apache-2.0

/// The one linter of JWK Sets: `wif-inspect` shows its findings for a key set and `wif-verify jwks-check` for the
/// published set, so a fact about a key set has one code and one severity in both tools.
///
/// Every entry is read leniently, so that every problem is reported, not only the first. Findings, in order:
/// 1. the set: `no_keys` (`keys` missing or not an array), `too_many_keys` (over `JWKSet.maxKeys`, only the
///    first ones are read), `empty_set`;
/// 2. per entry, in set order: `private_key_published` (d, p, q, dp, dq, qi, oth or an oct key's k: RFC 7517 §9.2),
///    `invalid_key` (not an object, unknown key type or curve, a point off its curve, an alg that does not fit),
///    `weak_key` (RSA below 2048 bits, an HMAC key shorter than its hash), `missing_kid`, `missing_alg`,
///    `missing_use`, `bad_use` (use other than sig or jwt-svid, key_ops without verify, an alg that is not a JWS
///    algorithm);
/// 3. across entries: `duplicate_kid` (one kid names different keys), `duplicate_key` (one key listed twice, by
///    RFC 7638 thumbprint).
/// The codes and severities are documented once, in the table that man/wif-inspect.1 and man/wif-verify.1 both
/// carry (KeySetLintTests checks that the two tables are the same and hold every case).
public struct KeySetLint: Sendable {
    /// The finding codes about key sets (raw values are API: add, never rename).
    public enum Code: String, CaseIterable, Sendable {
        case noKeys = "no_keys"
        case tooManyKeys = "too_many_keys"
        case emptySet = "empty_set"
        case privateKeyPublished = "private_key_published"
        case invalidKey = "invalid_key"
        case weakKey = "weak_key"
        case missingKid = "missing_kid"
        case missingAlg = "missing_alg"
        case missingUse = "missing_use"
        case badUse = "bad_use"
        case duplicateKid = "duplicate_kid"
        case duplicateKey = "duplicate_key"

        /// One severity per fact. Every key-set fact is an error: it makes `jwks-check` unsafe, as it always did,
        /// and `wif-inspect --strict` fails on it.
        public var severity: Finding.Severity {
            switch self {
            case .noKeys, .tooManyKeys, .emptySet, .privateKeyPublished, .invalidKey, .weakKey, .missingKid,
                 .missingAlg, .missingUse, .badUse, .duplicateKid, .duplicateKey:
                return .error
            }
        }
    }

    /// One entry of the set: its raw JSON, the key when it can be used, else why not.
    public struct Entry: Sendable {
        public let index: Int
        public let raw: JSONObject?
        public let key: JWK?
        /// Why the entry cannot be used (its reason is `keyInvalid` or `keyWeak`), when `key` is nil.
        public let problem: WIFError?

        public var kid: String? { raw?["kid"]?.stringValue }
        public var thumbprint: String? { key?.thumbprint }
        /// `key 2 "kid"`, for messages.
        public var label: String { "key \(index)" + (kid.map { " \"\(JSON.escapedForMessage($0))\"" } ?? "") }
    }

    public let entries: [Entry]
    public let findings: [Finding]

    /// Members that must never be published (RFC 7517 §9.2, RFC 7518 §6.3.2, §6.4.1).
    public static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
    /// The `use` values of keys that verify signatures: `sig`, and `jwt-svid` in SPIFFE bundles.
    public static let verifyingUses = ["sig", "jwt-svid"]

    /// Lints `set`, a JSON object meant as a JWK Set; `what` names it in the messages of unusable entries.
    public init(_ set: JSONObject, what: String = "the set") {
        var findings: [Finding] = []
        func add(_ code: Code, _ message: String) { findings.append(Finding(code.rawValue, code.severity, message)) }
        let arr = set["keys"]?.arrayValue
        if arr == nil { add(.noKeys, "\"keys\" is missing or not an array (RFC 7517 §5)") }
        if (arr?.count ?? 0) > JWKSet.maxKeys {
            add(.tooManyKeys, "more than \(JWKSet.maxKeys) keys: only the first \(JWKSet.maxKeys) are read")
        }
        if arr?.isEmpty == true { add(.emptySet, "\(what) has no keys: every token fails verification") }
        var entries: [Entry] = []
        for (i, v) in (arr ?? []).prefix(JWKSet.maxKeys).enumerated() {
            guard let ko = v.objectValue else {
                entries.append(Entry(index: i, raw: nil, key: nil,
                                     problem: WIFError(.keyInvalid, "key \(i) is a JSON \(v.typeName), not an object")))
                continue
            }
            let label = Entry(index: i, raw: ko, key: nil, problem: nil).label
            do {
                entries.append(Entry(index: i, raw: ko, key: try JWK.parse(ko, what: label), problem: nil))
            } catch {
                entries.append(Entry(index: i, raw: ko, key: nil, problem: error))
            }
        }
        for e in entries {
            let leaked = KeySetLint.privateMembers.filter { e.raw?.contains($0) == true }
            if !leaked.isEmpty {
                let what = leaked == ["k"] ? "a symmetric (oct) key: its secret k"
                    : "private member\(leaked.count > 1 ? "s" : "") \(leaked.joined(separator: ", "))"
                add(.privateKeyPublished, "\(e.label) publishes \(what) (RFC 7517 §9.2): treat the key as compromised and replace it")
            }
            if let p = e.problem { add(p.reason == .keyWeak ? .weakKey : .invalidKey, "\(p.detail): the key cannot be used") }
            guard let raw = e.raw else { continue }
            findings += KeySetLint.memberFindings(raw, key: e.key, label: e.label)
        }
        findings += KeySetLint.duplicates(entries)
        self.entries = entries
        self.findings = findings
    }

    /// The findings about one key's members (`missing_kid`, `missing_alg`, `missing_use`, `bad_use`); also used
    /// for a single JWK.
    public static func memberFindings(_ raw: JSONObject, key: JWK?, label: String) -> [Finding] {
        var f: [Finding] = []
        func add(_ code: Code, _ message: String) { f.append(Finding(code.rawValue, code.severity, message)) }
        if raw["kid"]?.stringValue == nil { add(.missingKid, "\(label) has no kid: verifiers cannot pick it by the token's kid") }
        if raw["alg"] == nil { add(.missingAlg, "\(label) has no alg: verifiers cannot tie it to one algorithm (RFC 8725 §3.1)") }
        if raw["use"] == nil { add(.missingUse, "\(label) has no use: publish signing keys with use sig") }
        if let use = key?.use, !verifyingUses.contains(where: { $0.utf8.elementsEqual(use.utf8) }) {
            add(.badUse, "\(label) has use \"\(JSON.escapedForMessage(use))\": verifiers do not check signatures with it")
        }
        if let ops = key?.keyOps, !ops.contains("verify") {
            add(.badUse, "\(label) has key_ops without verify: verifiers do not check signatures with it")
        }
        if let key, let alg = key.algName, key.algorithm == nil {
            add(.badUse, "\(label) has alg \"\(JSON.escapedForMessage(alg))\", not a JWS algorithm")
        }
        return f
    }

    static func duplicates(_ entries: [Entry]) -> [Finding] {
        var f: [Finding] = []
        func add(_ code: Code, _ message: String) { f.append(Finding(code.rawValue, code.severity, message)) }
        // Keyed by the kid's bytes: protocol identifiers compare as exact UTF-8, not as canonically equal text.
        var byKid: [[UInt8]: [Entry]] = [:]
        var kidOrder: [String] = []
        for e in entries {
            guard let kid = e.kid else { continue }
            if byKid[Array(kid.utf8)] == nil { kidOrder.append(kid) }
            byKid[Array(kid.utf8), default: []].append(e)
        }
        for kid in kidOrder {
            let same = byKid[Array(kid.utf8)] ?? []
            let prints = Set(same.compactMap(\.thumbprint))
            if same.count > 1 && (prints.count > 1 || same.contains { $0.thumbprint == nil }) {
                let which = same.map { String($0.index) }.joined(separator: ", ")
                add(.duplicateKid, "kid \"\(JSON.escapedForMessage(kid))\" names \(same.count) different keys (keys \(which)): a token's kid must pick one key")
            }
        }
        var byPrint: [String: [Entry]] = [:]
        var printOrder: [String] = []
        for e in entries {
            guard let t = e.thumbprint else { continue }
            if byPrint[t] == nil { printOrder.append(t) }
            byPrint[t, default: []].append(e)
        }
        for t in printOrder {
            guard let same = byPrint[t], same.count > 1 else { continue }
            add(.duplicateKey, "the key with thumbprint \(t) is listed \(same.count) times (\(same.map(\.label).joined(separator: ", ")))")
        }
        return f
    }
}
