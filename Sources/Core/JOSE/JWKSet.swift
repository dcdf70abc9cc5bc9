// SPDX-License-Identifier: Apache-2.0

/// A JWK Set (RFC 7517 §5).
public struct JWKSet: Sendable {
    public var keys: [JWK]
    /// Keys that were skipped, with the reason (RFC 7517 §5: unusable keys are ignored, not fatal).
    public var skipped: [Skipped]
    /// Top-level members other than `keys`, kept for display (e.g. `spiffe_sequence`).
    public var extra: JSONObject

    public static let maxKeys = 256

    /// A key the set skipped: its position, its kid if any, and why. A struct, not a tuple: an array of a tuple
    /// type costs the runtime a metadata instantiation by mangled name on every verify (issue 12).
    public struct Skipped: Sendable {
        public let index: Int
        public let kid: String?
        public let why: String
    }

    public init(keys: [JWK]) {
        self.keys = keys
        self.skipped = []
        self.extra = JSONObject()
    }

    /// Parses a JWKS object. With `lenient`, invalid or unsupported keys are skipped and listed; otherwise the
    /// first one is an error.
    public static func parse(_ o: JSONObject, what: String, lenient: Bool) throws(WIFError) -> JWKSet {
        guard let v = o["keys"] else { throw WIFError(.keyInvalid, "\(what): a JWKS needs a \"keys\" member") }
        guard let arr = v.arrayValue else { throw WIFError(.keyInvalid, "\(what): \"keys\" is not an array") }
        if arr.count > maxKeys { throw WIFError(.inputTooLarge, "\(what): more than \(maxKeys) keys") }
        var set = JWKSet(keys: [])
        for m in o where !m.name.same("keys") { set.extra[m.name] = m.value }
        for (i, e) in arr.enumerated() {
            let label = "\(what): key \(i)"
            guard let ko = e.objectValue else {
                if lenient { set.skipped.append(Skipped(index: i, kid: nil, why: "not a JSON object")); continue }
                throw WIFError(.keyInvalid, "\(label) is not a JSON object")
            }
            do {
                set.keys.append(try JWK.parse(ko, what: label))
            } catch {
                if !lenient { throw error }
                let prefix = label + ": "
                let why = error.detail.hasPrefix(prefix) ? String(error.detail.dropFirst(prefix.count)) : error.detail
                set.skipped.append(Skipped(index: i, kid: ko["kid"]?.stringValue, why: why))
            }
        }
        return set
    }

    /// The public JWKS JSON: no private member, ever.
    public func publicJSON() -> JSON {
        var o = JSONObject()
        o["keys"] = .array(keys.map { .object($0.json(includePrivate: false)) })
        return .object(o)
    }
}
