// SPDX-License-Identifier: Apache-2.0
// fuzz-token: compact JWS parsing and full verification against fixed ES256, RS256, EdDSA and HS256 keys.
//
// Two inputs per run: the bytes as a token; and, when they start with `{`, the bytes as JSON texts
// `HEADER\nPAYLOAD` (or `PAYLOAD` under a fixed HS256 header) that the harness signs with the HS256 key, so the
// header, claim, time and delegation checks see validly signed input.
//
// Invariants: CompactJWS.parse and Validator.verify only ever throw WIFError; on arbitrary token bytes every
// error is a rejection (exit 1), never "could not judge" (a batch would stop on it); a token that verifies
// has a signing input of exactly the first two segments, and its report serializes and parses back; a
// validator that has judged earlier inputs answers exactly as a fresh one.
import Core

nonisolated(unsafe) var validators: [Validator] = [
    Fixed.validator(.none),
    Fixed.validator(.mcpWIF, strict: true),
    Fixed.validator(.rfc7523, strict: true),
]

nonisolated(unsafe) let signer: Signer = {
    guard let key = Fixed.keys.first(where: { $0.kid == "fuzz-hs256" }),
          let s = try? Signer(key: key, algorithm: .hs256) else { fatalError("fuzz: no HS256 signer") }
    return s
}()

let defaultHeader = Array(#"{"alg":"HS256","kid":"fuzz-hs256","typ":"JWT"}"#.utf8)

func judge(_ token: [UInt8]) {
    if let jws = try? CompactJWS.parse(token) {
        invariant(jws.signingInput.count == jws.signingInputEnd, "signing input length")
        invariant(jws.headerJSON.count <= CompactJWS.maxHeaderSize, "decoded header over the bound")
        _ = try? jws.claims()
    }
    var first: String?
    for v in validators {
        do {
            let ok = try v.verify(token, now: Fixed.now)
            let report = VerifyReport.success(ok).serialized()
            invariant((try? JSON.parse(report)) != nil, "success report does not parse back")
            if first == nil { first = report }
        } catch {
            invariant(error.reason.isRejection, "verify threw \(error.reason.rawValue): \(error.detail)")
            exercise(error)
            if first == nil { first = "\(error.reason.rawValue): \(error.detail)" }
        }
    }
    // A validator that has judged earlier inputs (and remembers what it can of them) answers exactly as a
    // fresh one does.
    let fresh = Fixed.validator(.none)
    let again: String
    do { again = VerifyReport.success(try fresh.verify(token, now: Fixed.now)).serialized() } catch {
        again = "\(error.reason.rawValue): \(error.detail)"
    }
    invariant(again == first, "a used validator said \(first ?? "-"), a fresh one \(again)")
}

/// `HEADER\nPAYLOAD` or `PAYLOAD`, signed with the HS256 key.
func signed(_ input: [UInt8]) -> [UInt8] {
    guard let token = signedJWS(input, defaultHeader: defaultHeader, signer: signer) else {
        fatalError("fuzz: HS256 signing failed")
    }
    return token
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzArgv) -> CInt {
    releaseAtExit { validators.removeAll() }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    judge(input)
    if input.first == UInt8(ascii: "{") { judge(signed(input)) }
    return 0
}
