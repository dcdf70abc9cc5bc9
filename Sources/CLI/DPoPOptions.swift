// SPDX-License-Identifier: Apache-2.0
import Core

/// The DPoP options of the token endpoint (`wif-verify request` and `serve`), read into Core's
/// `TokenEndpoint.DPoPPolicy`, and the request's proofs (`request` only: a server reads them from its headers).
public enum DPoPOptions {
    public static let requireDPoP = Flag("require-dpop", "Refuse token requests without a DPoP proof (dpop_required).")
    public static let dpopNonce = Opt.string(
        "dpop-nonce", "nonce", "Require this nonce in every DPoP proof; a proof without it is answered use_dpop_nonce with a DPoP-Nonce header.")
    public static let dpop = Multi.strings(
        "dpop", "proof", "The request's DPoP header: a proof or a file holding one; repeat for two headers (dpop_multiple).")
    public static let htu = Opt.string("htu", "url", "The token endpoint's URL, which DPoP proofs must name (required with --dpop, and with --http-request when the request carries a DPoP header).")

    public static let endpoint: [any OptionDeclaration] = [requireDPoP, dpopNonce]
    public static let request: [any OptionDeclaration] = [dpop, htu]

    public static func policy(_ a: ParsedArguments) -> TokenEndpoint.DPoPPolicy {
        var p = TokenEndpoint.DPoPPolicy()
        p.required = a.flag(requireDPoP)
        p.nonce = a.value(dpopNonce)
        return p
    }

    /// `--htu`, checked (`request --http-request`, where the proofs are the request's own DPoP headers).
    public static func htuValue(_ a: ParsedArguments) throws(WIFError) -> String? {
        guard let url = a.value(htu) else { return nil }
        guard DPoP.normalizedURI(url) != nil else {
            throw WIFError(.usage, "--htu \(JSON.escapedForMessage(url)) is not an absolute http(s) URI")
        }
        return url
    }

    /// The request's DPoP headers, each read from its argument (a proof or a file); nil without `--dpop`.
    public static func request(_ a: ParsedArguments) throws(WIFError) -> TokenEndpoint.DPoPRequest? {
        let args = a.values(dpop)
        guard !args.isEmpty else {
            if a.value(htu) != nil { throw WIFError(.usage, "--htu goes with --dpop") }
            return nil
        }
        guard let url = a.value(htu) else { throw WIFError(.usage, "--dpop needs --htu, the token endpoint's URL the proof names") }
        guard DPoP.normalizedURI(url) != nil else {
            throw WIFError(.usage, "--htu \(JSON.escapedForMessage(url)) is not an absolute http(s) URI")
        }
        var proofs: [String] = []
        for arg in args {
            if arg == "-" { throw WIFError(.usage, "--dpop -: standard input holds the request body; give the proof or a file") }
            proofs.append(String(decoding: try Input.token(arg, limit: DPoP.maxProofSize, what: "the DPoP proof"), as: UTF8.self))
        }
        return TokenEndpoint.DPoPRequest(proofs: proofs, htu: url)
    }
}

/// The DPoP options of `wif-verify token`: the proof that comes with a bound access token.
public enum DPoPBindingOptions {
    public static let dpopProof = Opt.string(
        "dpop-proof", "file", "The DPoP proof sent with a bound access token (cnf.jkt): checked with ath and the bound key.")
    public static let htm = Opt.string("htm", "method", "With --dpop-proof: the request's HTTP method.")
    public static let htu = Opt.string("htu", "url", "With --dpop-proof: the request's URI.")

    public static let all: [any OptionDeclaration] = [dpopProof, htm, htu]

    /// The binding check of a `wif-verify token` run: always on (a bound token needs its proof).
    public static func check(_ a: ParsedArguments, token: String, batch: Bool) throws(WIFError) -> DPoP.BindingCheck {
        guard let path = a.value(dpopProof) else {
            if a.value(htm) != nil || a.value(htu) != nil { throw WIFError(.usage, "--htm and --htu go with --dpop-proof") }
            return DPoP.BindingCheck(proof: nil, requirements: DPoP.Requirements(htm: "", htu: ""))
        }
        if batch { throw WIFError(.usage, "--dpop-proof goes with one token, not --batch") }
        try Input.requireStandardInputOnce([token, path], "it cannot hold both the token and the DPoP proof")
        var s = DPoP.VerifySettings()
        s.htm = a.value(htm)
        s.htu = a.value(htu)
        guard s.htm != nil, s.htu != nil else { throw WIFError(.usage, "--dpop-proof needs --htm and --htu, the request it came with") }
        let proof = try Input.token(path, limit: DPoP.maxProofSize, what: "the DPoP proof")
        return DPoP.BindingCheck(proof: proof, requirements: try s.requirements())
    }
}
