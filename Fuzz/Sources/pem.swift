// SPDX-License-Identifier: Apache-2.0
// fuzz-pem: PEM key reading (JWK.fromPEM, through OpenSSL). A key that loads writes PEM that loads again as
// the same key; errors are key errors only.
import Core

let allowed: Set<Reason> = [.keyInvalid, .keyWeak, .passphraseRequired, .decryptFailed, .cryptoFailure]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    do {
        let k = try JWK.fromPEM(input, what: "fuzz")
        let pem = try k.pem(includePrivate: k.isPrivate)
        let again = try JWK.fromPEM(Array(pem.utf8), what: "fuzz again")
        invariant(again.thumbprint == k.thumbprint, "thumbprint changes through PEM")
        invariant(again.isPrivate == k.isPrivate, "privateness changes through PEM")
        _ = JSON.object(k.json(includePrivate: false)).serialized()
    } catch {
        invariant(allowed.contains(error.reason), "fromPEM threw \(error.reason.rawValue): \(error.detail)")
        invariant(error.reason != .cryptoFailure || !error.detail.isEmpty, "empty crypto failure")
        exercise(error)
    }
    return 0
}
