// SPDX-License-Identifier: Apache-2.0

/// The human view of an `Inspector` report: sections, aligned names, times in words, findings last.
///
/// Rules: values that are strings print raw unless they hold control characters (then JSON-escaped); other
/// values print as compact JSON. Colour (ANSI) only when asked for: bold section names, red errors, yellow
/// warnings, green verdicts.
public struct InspectText {
    public var color: Bool
    var out = ""

    public init(color: Bool) { self.color = color }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { paint(s, "1") }

    static func show(_ v: JSON) -> String {
        if let s = v.stringValue {
            return s.unicodeScalars.contains(where: JSON.isUnsafeForTerminal) ? JSON.escapeForTerminal(v.serialized()) : s
        }
        return JSON.escapeForTerminal(v.serialized())
    }

    /// A member that is absent or JSON null prints as `-`, the spelling of `jwks-check`'s text report.
    static func showOrDash(_ v: JSON?) -> String {
        guard let v, v != .null else { return "-" }
        return show(v)
    }

    mutating func line(_ s: String = "", indent: Int = 0) {
        out += String(repeating: "  ", count: indent) + s + "\n"
    }

    mutating func members(_ o: JSONObject, indent: Int, times: JSONObject? = nil) {
        let width = min(o.keys.map(\.count).max() ?? 0, 24)
        for m in o {
            var text = m.name.padding(width) + "  " + InspectText.show(m.value)
            if let t = times?[m.name]?.objectValue {
                text += "  " + (t["utc"]?.stringValue ?? "") + "  (" + (t["relative"]?.stringValue ?? "") + ")"
            }
            line(text, indent: indent)
        }
    }

    public static func render(_ report: JSON, color: Bool) -> String {
        var r = InspectText(color: color)
        r.report(report, indent: 0)
        return r.out
    }

    mutating func report(_ j: JSON, indent: Int) {
        guard let o = j.objectValue else { return }
        switch o["type"]?.stringValue {
        case "jws": token(o, indent: indent)
        case "jwe":
            line(bold("JWE compact token (encrypted), \(o["size"]?.serialized() ?? "?") bytes"), indent: indent)
            if let h = o["header"]?.objectValue { line(bold("header"), indent: indent); members(h, indent: indent + 1) }
        case "tokens":
            for (i, t) in (o["tokens"]?.arrayValue ?? []).enumerated() {
                line(bold("token \(i + 1)"), indent: indent)
                report(t, indent: indent + 1)
            }
        case "named_tokens":
            for m in o["tokens"]?.objectValue ?? JSONObject() {
                line(bold(m.name), indent: indent)
                report(m.value, indent: indent + 1)
            }
            if let k = o["jwks"] { line(bold("jwks"), indent: indent); report(k, indent: indent + 1) }
        case "jwk":
            line(bold("JWK"), indent: indent)
            if let m = o["members"]?.objectValue { members(m, indent: indent + 1) }
            if let k = o["key"]?.objectValue { line("thumbprint  \(k["thumbprint"]?.stringValue ?? "")", indent: indent + 1) }
        case "jwks":
            let keys = o["keys"]?.arrayValue ?? []
            line(bold("JWKS, \(keys.count) key\(keys.count == 1 ? "" : "s")"), indent: indent)
            for (i, k) in keys.enumerated() {
                guard let ko = k.objectValue else { continue }
                if let why = ko["skipped"]?.stringValue {
                    line("\(i). skipped: \(why)", indent: indent + 1)
                    continue
                }
                let size = ko["crv"]?.stringValue ?? "\(ko["bits"]?.serialized() ?? "?") bits"
                var parts = ["kid \(InspectText.showOrDash(ko["kid"]))", "\(ko["kty"]?.stringValue ?? "?") \(size)"]
                parts.append("alg \(InspectText.showOrDash(ko["alg"]))")
                parts.append("use \(InspectText.showOrDash(ko["use"]))")
                if ko["private"]?.boolValue == true { parts.append(paint("PRIVATE", "31")) }
                line("\(i). " + parts.joined(separator: ", "), indent: indent + 1)
                line("   thumbprint \(ko["thumbprint"]?.stringValue ?? "")", indent: indent + 1)
            }
            for m in o where !["type", "keys", "findings"].contains(m.name) {
                line("\(m.name)  \(InspectText.show(m.value))", indent: indent + 1)
            }
        case "encrypted_key":
            line(bold("wif encrypted private key"), indent: indent)
            line("kid  \(InspectText.showOrDash(o["kid"]))", indent: indent + 1)
            line("alg  \(InspectText.showOrDash(o["alg"]))", indent: indent + 1)
            if let k = o["kdf"]?.objectValue {
                line("kdf  argon2id, \(k["memory_kib"]?.serialized() ?? "?") KiB, \(k["time"]?.serialized() ?? "?") passes, \(k["lanes"]?.serialized() ?? "?") lanes", indent: indent + 1)
            }
            line("enc  \(o["enc"].map(InspectText.show) ?? "-")", indent: indent + 1)
        case "encrypted_pem":
            line(bold("encrypted PKCS#8 PEM private key"), indent: indent)
        case "pem":
            let k = o["key"]?.objectValue ?? JSONObject()
            let size = k["crv"]?.stringValue ?? "\(k["bits"]?.serialized() ?? "?") bits"
            line(bold("PEM \(k["private"]?.boolValue == true ? "private" : "public") key, \(k["kty"]?.stringValue ?? "?") \(size)"), indent: indent)
            line("thumbprint  \(k["thumbprint"]?.stringValue ?? "")", indent: indent + 1)
            if let jwk = o["jwk"]?.objectValue { line(bold("public JWK"), indent: indent); line(JSON.object(jwk).serialized(), indent: indent + 1) }
        case "request":
            line(bold("token request: \(o["grant"]?.stringValue ?? o["grant_type"].map(InspectText.show) ?? "no grant_type")"), indent: indent)
            for p in o["parameters"]?.arrayValue ?? [] {
                guard let po = p.objectValue, let n = po["name"]?.stringValue else { continue }
                let v = po["value"]?.stringValue ?? ""
                line(n.padding(22) + "  " + (v.count > 80 && Inspector.tokenParams.contains(n) ? String(v.prefix(40)) + "..." : v), indent: indent + 1)
            }
            for m in o["tokens"]?.objectValue ?? JSONObject() {
                line(bold(m.name), indent: indent)
                report(m.value, indent: indent + 1)
            }
        default:
            break
        }
        findings(o, indent: indent)
    }

    mutating func token(_ o: JSONObject, indent: Int) {
        line(bold("JWS compact token, \(o["size"]?.serialized() ?? "?") bytes"), indent: indent)
        if let h = o["header"]?.objectValue { line(bold("header"), indent: indent); members(h, indent: indent + 1) }
        if let p = o["payload"]?.objectValue {
            line(bold("payload"), indent: indent)
            members(p, indent: indent + 1, times: o["times"]?.objectValue)
        } else if let t = o["payload_text"] {
            line(bold("payload (not JSON)"), indent: indent)
            line(InspectText.show(t), indent: indent + 1)
        }
        if let chain = o["delegation"]?.arrayValue {
            line(bold("delegation (current actor first)"), indent: indent)
            for (i, a) in chain.enumerated() {
                let ao = a.objectValue ?? JSONObject()
                var extra = ao
                extra["sub"] = nil
                let rest = extra.isEmpty ? "" : "  " + JSON.object(extra).serialized()
                line("\(i + 1). \(ao["sub"].map(InspectText.show) ?? "(no sub)")\(i == 0 ? " (current actor)" : "")\(rest)", indent: indent + 1)
            }
        }
        if let s = o["signature"]?.objectValue {
            line(bold("signature"), indent: indent)
            var text = "\(s["alg"].map(InspectText.show) ?? "?"), \(s["bytes"]?.serialized() ?? "?") bytes"
            if let kid = s["kid"], kid != .null { text += ", kid \(InspectText.show(kid))" }
            if s["verified"]?.boolValue == true {
                text += ": " + paint("verified", "32") + " with key \(s["key"]?.stringValue ?? "")"
                if let kid = s["key_kid"], kid != .null { text += " (kid \(InspectText.show(kid)))" }
            } else if o["verdict"] == nil {
                text += ": signature not verified (give --jwks FILE to verify)"
            }
            line(text, indent: indent + 1)
        }
        if let v = o["verdict"]?.objectValue {
            if v["valid"]?.boolValue == true {
                line(bold("verdict") + "  " + paint("valid", "32"), indent: indent)
            } else {
                let why = "\(v["error"]?.stringValue ?? "") (\(v["reason"]?.stringValue ?? "")): \(v["message"]?.stringValue ?? "")"
                line(bold("verdict") + "  " + paint("rejected", "31") + ": " + why, indent: indent)
            }
        }
    }

    mutating func findings(_ o: JSONObject, indent: Int) {
        let fs = o["findings"]?.arrayValue ?? []
        if fs.isEmpty { return }
        line(bold("findings"), indent: indent)
        for f in fs {
            guard let fo = f.objectValue else { continue }
            let sev = fo["severity"]?.stringValue ?? "info"
            let tag = sev == "error" ? paint("error  ", "31") : sev == "warning" ? paint("warning", "33") : "info   "
            line("\(tag)  \(fo["code"]?.stringValue ?? ""): \(fo["message"]?.stringValue ?? "")", indent: indent + 1)
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
