// SPDX-License-Identifier: Apache-2.0

/// The human view of an `InspectionReport`: sections, aligned names, times in words, findings last.
///
/// Rules: values that are strings print raw unless they hold control characters (then JSON-escaped); other
/// values print as compact JSON; a member that is absent or null prints as `-` (as in `jwks-check`'s report).
/// Colour (ANSI) only when asked for: bold section names, red errors, yellow warnings, green verdicts.
public struct InspectText {
    public var color: Bool
    /// Everything printed goes through `TerminalText`: text from the input is escaped on the way in, so no ESC,
    /// CR/LF, C1 control or bidi override from a token, key or request reaches the terminal raw.
    var out = TerminalText()

    public init(color: Bool) { self.color = color }

    func paint(_ s: String, _ style: TerminalText.Style) -> TerminalText {
        color ? .styled(style, s) : TerminalText(s)
    }
    func bold(_ s: String) -> TerminalText { paint(s, .bold) }

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

    static func showOrDash(_ s: String?) -> String { showOrDash(s.map { JSON.string($0) }) }

    mutating func line(_ s: TerminalText = TerminalText(), indent: Int = 0) {
        out.append(String(repeating: "  ", count: indent))
        out.append(s)
        out.newline()
    }

    mutating func line(_ s: String, indent: Int = 0) { line(TerminalText(s), indent: indent) }

    mutating func members(_ o: JSONObject, indent: Int, times: [TokenReport.Time] = []) {
        let width = min(o.keys.map(\.count).max() ?? 0, 24)
        for m in o {
            var text = m.name.padding(width) + "  " + InspectText.show(m.value)
            if let t = times.first(where: { $0.name.utf8.elementsEqual(m.name.utf8) }) {
                text += "  " + t.utc + "  (" + t.relative + ")"
            }
            line(text, indent: indent)
        }
    }

    public static func render(_ report: InspectionReport, color: Bool) -> String {
        var r = InspectText(color: color)
        r.report(report, indent: 0)
        return r.out.string
    }

    mutating func report(_ report: InspectionReport, indent: Int) {
        switch report {
        case .token(let t): token(t, indent: indent)
        case .tokens(let ts):
            for (i, t) in ts.enumerated() {
                line(bold("token \(i + 1)"), indent: indent)
                token(t, indent: indent + 1)
            }
        case .namedTokens(let ts, let jwks):
            for (name, t) in ts {
                line(bold(name), indent: indent)
                token(t, indent: indent + 1)
            }
            if let jwks { line(bold("jwks"), indent: indent); keySet(jwks, indent: indent + 1) }
        case .jwk(let k):
            line(bold("JWK"), indent: indent)
            members(k.members, indent: indent + 1)
            if let key = k.key { line("thumbprint  \(key.thumbprint)", indent: indent + 1) }
            findings(k.findings, indent: indent)
        case .jwks(let s): keySet(s, indent: indent)
        case .encryptedKey(let e):
            line(bold("wif encrypted private key"), indent: indent)
            line("kid  \(InspectText.showOrDash(e.kid))", indent: indent + 1)
            line("alg  \(InspectText.showOrDash(e.alg))", indent: indent + 1)
            let p = e.parameters
            line("kdf  argon2id, \(p.memoryKiB) KiB, \(p.iterations) passes, \(p.lanes) lanes", indent: indent + 1)
            line("enc  \(EncryptedKey.encName)", indent: indent + 1)
            findings(e.findings, indent: indent)
        case .encryptedPEM(let f):
            line(bold("encrypted PKCS#8 PEM private key"), indent: indent)
            findings(f, indent: indent)
        case .pem(let p):
            let k = p.key
            line(bold("PEM \(k.isPrivate ? "private" : "public") key, \(k.keyType.rawValue) \(InspectText.size(k))"), indent: indent)
            line("thumbprint  \(k.thumbprint)", indent: indent + 1)
            line(bold("public JWK"), indent: indent)
            line(JSON.object(k.json(includePrivate: false)).serialized(), indent: indent + 1)
            findings(p.findings, indent: indent)
        case .request(let r):
            line(bold("token request: \(r.grant ?? r.grantType.map { InspectText.show(.string($0)) } ?? "no grant_type")"), indent: indent)
            for (n, v) in r.parameters {
                let long = v.count > 80 && Inspector.tokenParams.contains(where: { $0.utf8.elementsEqual(n.utf8) })
                line(n.padding(22) + "  " + (long ? String(v.prefix(40)) + "..." : v), indent: indent + 1)
            }
            for (name, t) in r.tokens {
                line(bold(name), indent: indent)
                token(t, indent: indent + 1)
            }
            findings(r.findings, indent: indent)
        }
    }

    /// `P-256`, or `2048 bits`.
    static func size(_ k: JWK) -> String { k.curve?.rawValue ?? "\(k.bits) bits" }

    mutating func keySet(_ s: KeySetReport, indent: Int) {
        line(bold("JWKS, \(s.entries.count) key\(s.entries.count == 1 ? "" : "s")"), indent: indent)
        for (i, e) in s.entries.enumerated() {
            switch e {
            case .skipped(_, _, let why):
                line("\(i). skipped: \(why)", indent: indent + 1)
            case .key(let k):
                var text = TerminalText("\(i). kid \(InspectText.showOrDash(k.kid)), \(k.keyType.rawValue) \(InspectText.size(k))")
                text.append(", alg \(InspectText.showOrDash(k.algName)), use \(InspectText.showOrDash(k.use))")
                if k.isPrivate { text += TerminalText(", ") + paint("PRIVATE", .red) }
                line(text, indent: indent + 1)
                line("   thumbprint \(k.thumbprint)", indent: indent + 1)
            }
        }
        for m in s.extra { line("\(m.name)  \(InspectText.show(m.value))", indent: indent + 1) }
        findings(s.findings, indent: indent)
    }

    mutating func token(_ t: TokenReport, indent: Int) {
        if t.kind == .jwe {
            line(bold("JWE compact token (encrypted), \(t.size) bytes"), indent: indent)
            if let h = t.header { line(bold("header"), indent: indent); members(h, indent: indent + 1) }
            findings(t.findings, indent: indent)
            return
        }
        line(bold("JWS compact token, \(t.size) bytes"), indent: indent)
        if let h = t.header { line(bold("header"), indent: indent); members(h, indent: indent + 1) }
        if let p = t.payload {
            line(bold("payload"), indent: indent)
            members(p, indent: indent + 1, times: t.times)
        } else if let text = t.payloadText {
            line(bold("payload (not JSON)"), indent: indent)
            line(InspectText.show(.string(text)), indent: indent + 1)
        }
        if let chain = t.delegation {
            // A tree from the subject down to the current actor, one level per hop (RFC 8693 §4.1 nests the
            // newest actor outermost; drawn here in the order the hops happened).
            line(bold("delegation (the subject, then each hop; the current actor last)"), indent: indent)
            line("\(t.payload?["sub"].map(InspectText.show) ?? "(no sub)") (subject)", indent: indent + 1)
            for (depth, a) in chain.reversed().enumerated() {
                var extra = a
                extra["sub"] = nil
                let rest = extra.isEmpty ? "" : "  " + JSON.object(extra).serialized()
                let current = depth == chain.count - 1 ? " (current actor)" : ""
                let branch = String(repeating: "   ", count: depth) + "`- "
                line(branch + "\(a["sub"].map(InspectText.show) ?? "(no sub)")\(current)\(rest)", indent: indent + 1)
            }
        }
        if let s = t.signature {
            line(bold("signature"), indent: indent)
            var text = TerminalText("\(InspectText.showOrDash(s.alg)), \(s.bytes) bytes")
            if let kid = s.kid, kid != .null { text.append(", kid \(InspectText.show(kid))") }
            if let key = s.verifiedBy {
                text += TerminalText(": ") + paint("verified", .green) + TerminalText(" with key \(key.thumbprint)")
                if let kid = key.kid { text.append(" (kid \(InspectText.show(.string(kid))))") }
            } else if t.verdict == nil {
                text.append(": signature not verified (give --jwks FILE to verify)")
            }
            line(text, indent: indent + 1)
        }
        if let v = t.verdict {
            if let r = v.rejection {
                line(bold("verdict") + TerminalText("  ") + paint("rejected", .red)
                     + TerminalText(": \(r.error) (\(r.reason.rawValue)): \(r.message)"), indent: indent)
            } else {
                line(bold("verdict") + TerminalText("  ") + paint("valid", .green), indent: indent)
            }
        }
        findings(t.findings, indent: indent)
    }

    mutating func findings(_ fs: [Finding], indent: Int) {
        if fs.isEmpty { return }
        line(bold("findings"), indent: indent)
        for f in fs {
            let tag = f.severity == .error ? paint("error  ", .red) : f.severity == .warning ? paint("warning", .yellow)
                : TerminalText("info   ")
            line(tag + TerminalText("  \(f.code): \(f.message)"), indent: indent + 1)
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
