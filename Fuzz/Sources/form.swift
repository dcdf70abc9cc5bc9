// SPDX-License-Identifier: Apache-2.0
// fuzz-form: application/x-www-form-urlencoded bodies (FormEncoding.decode) and the offline token endpoint
// (TokenEndpoint.handle) over the fixed keys. Decoded pairs encode and decode back to themselves; the
// endpoint answers every body with an OAuth outcome whose HTTP response is well formed.
import Core

nonisolated(unsafe) var endpoint: TokenEndpoint? = {
    // The client-assertion validator (iss = sub) is derived by the endpoint itself.
    guard var e = try? TokenEndpoint(validator: Fixed.validator(.none)) else { return nil }
    e.allowGrants = [TokenRequest.clientCredentialsGrant, TokenRequest.tokenExchangeGrant]
    e.rejectScopes = ["admin"]
    e.unauthorizedScopes = ["root"]
    return e
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzArgv) -> CInt {
    releaseAtExit { endpoint = nil }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = bytes(data, size)
    if let pairs = try? FormEncoding.decode(body) {
        let text = FormEncoding.encode(pairs)
        guard let back = try? FormEncoding.decode(Array(text.utf8)) else {
            fatalError("encoded form does not decode: \(text)")
        }
        invariant(back.count == pairs.count, "pair count changes through encode/decode")
        for (a, b) in zip(pairs, back) {
            invariant(a.0.utf8.elementsEqual(b.0.utf8) && a.1.utf8.elementsEqual(b.1.utf8), "pair changes")
        }
        _ = FormEncoding.jsonObject(pairs).serialized()
    }
    do {
        guard let endpoint else { return 0 }
        let outcome = try endpoint.handle(body: body, now: Fixed.now)
        let http = TokenEndpoint.httpResponse(outcome)
        invariant(http.hasPrefix("HTTP/1.1 "), "bad HTTP response")
        invariant((try? JSON.parse(outcome.json.serialized())) != nil, "outcome JSON does not parse back")
        if case .failure(_, let e) = outcome { exercise(e) }
    } catch {
        fatalError("TokenEndpoint.handle threw \(error.reason.rawValue): \(error.detail)")
    }
    return 0
}
