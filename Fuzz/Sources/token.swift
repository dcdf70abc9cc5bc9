// SPDX-License-Identifier: Apache-2.0
// fuzz-token: compact JWS parsing and full verification against fixed ES256, RS256, EdDSA and HS256 keys.
//
// Invariants: CompactJWS.parse and Validator.verify only ever throw WIFError; on arbitrary token bytes every
// error is a rejection (exit 1), never "could not judge" (a batch would stop on it); a token that verifies
// has a signing input of exactly the first two segments, and its report serializes and parses back.
import Core

nonisolated(unsafe) let validators: [Validator] = [
    Fixed.validator(.none),
    Fixed.validator(.mcpWIF, strict: true),
    Fixed.validator(.rfc7523, strict: true),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let token = bytes(data, size)
    if let jws = try? CompactJWS.parse(token) {
        invariant(jws.signingInput.count == jws.signingInputEnd, "signing input length")
        invariant(jws.headerJSON.count <= CompactJWS.maxHeaderSize, "decoded header over the bound")
        _ = try? jws.claims()
    }
    for v in validators {
        do {
            let ok = try v.verify(token, now: Fixed.now)
            let report = VerifyReport.success(ok).serialized()
            invariant((try? JSON.parse(report)) != nil, "success report does not parse back")
        } catch {
            invariant(error.reason.isRejection, "verify threw \(error.reason.rawValue): \(error.detail)")
            exercise(error)
        }
    }
    return 0
}
