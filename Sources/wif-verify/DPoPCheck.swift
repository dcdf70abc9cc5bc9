// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify dpop`: one DPoP proof judged by Core's `DPoP.verify` (RFC 9449 §4.3).
enum DPoPCheck: Command {
    static let htm = Opt.string("htm", "method", "The request's HTTP method; htm must equal it exactly.", required: true)
    static let htu = Opt.string("htu", "url", "The request's URI; htu must equal it without query and fragment (RFC 3986 §6.2 normalised).", required: true)
    static let ath = Opt.string("ath", "file", "File holding the access token presented with the proof: ath is then required and checked.")
    static let jkt = Opt.string("jkt", "thumbprint", "The key the proof must be signed with: its RFC 7638 thumbprint (cnf.jkt).")
    static let nonce = Opt.string("nonce", "nonce", "The nonce the server requires (DPoP-Nonce).")
    static let maxAge = Opt.duration("max-age", "Oldest proof accepted, now − iat (default 300s).")
    static let leeway = Opt.duration("leeway", "How far iat may be in the future (default 60s).")
    static let alg = Multi.strings("alg", "alg", "Allowed alg (default: every asymmetric alg).")
    static let replayCache = Opt.string("replay-cache", "file", "Remember each proof jti here; a second use is dpop_replayed_jti.")
    static let json = Flag("json", "Print a JSON result object on stdout, for valid and rejected proofs alike.")

    static let spec = CommandSpec(
        "dpop",
        abstract: "Verify a DPoP proof (RFC 9449 §4.3) for one request.",
        discussion: "Valid: {valid, jkt, alg, header, claims} on stdout, exit 0. Rejected: 'wif-verify: invalid_dpop_proof (<reason>): <message>' on stderr, exit 1.",
        options: [htm, htu, ath, jkt, nonce, maxAge, leeway, alg, replayCache, CommonOptions.now, json],
        positionals: [PositionalSpec("proof", "The proof, a file holding it, or \"-\" (the default) for standard input.")],
        command: DPoPCheck.self)

    static func run(_ a: ParsedArguments) throws {
        var s = DPoP.VerifySettings()
        s.htm = a.value(htm)
        s.htu = a.value(htu)
        s.athFile = a.value(ath)
        s.jkt = a.value(jkt)
        s.nonce = a.value(nonce)
        s.maxAge = a.value(maxAge)
        s.leeway = a.value(leeway)
        s.algs = a.values(alg)
        s.replayCache = a.value(replayCache)
        let proofArg = a.positional(default: "-") ?? "-"
        try Input.requireStandardInputOnce([proofArg, s.athFile], "the proof and --ath")
        let req = try s.requirements()
        let clock = try CommonOptions.clock(a)
        let proof = try DPoP.readProof(proofArg)
        var w = StdoutWriter()
        switch Result(catching: { () throws(WIFError) in
            try DPoP.verify(proof, req, now: clock.now(), replayCache: s.cache(), clock: { clock.now() })
        }) {
        case .success(let v):
            try w.write(v.json.serialized() + "\n")
            try w.flush()
        case .failure(let e):
            guard a.flag(json) && e.reason.isRejection else { throw e }
            try w.write(VerifyReport.failure(e).serialized() + "\n")
            try w.flush()
            throw ExitStatusRequest.rejected
        }
    }
}
