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
    public static let htu = Opt.string("htu", "url", "The token endpoint's URL, which DPoP proofs must name (required with --dpop).")

    public static let endpoint: [any OptionDeclaration] = [requireDPoP, dpopNonce]
    public static let request: [any OptionDeclaration] = [dpop, htu]

    public static func policy(_ a: ParsedArguments) -> TokenEndpoint.DPoPPolicy {
        var p = TokenEndpoint.DPoPPolicy()
        p.required = a.flag(requireDPoP)
        p.nonce = a.value(dpopNonce)
        return p
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
