// SPDX-License-Identifier: Apache-2.0
// fuzz-jwk: JWK and JWKS reading (KeySource.parse, JWKSet.parse), lenient and strict. A key that loads
// exports public JSON that loads again as the same key (same thumbprint); a lenient set accounts for every
// entry (kept or skipped); no error other than key/input ones; an encrypted key file that parses serializes
// and parses back to itself.
import Core

let allowed: Set<Reason> = [.keyInvalid, .keyWeak, .inputInvalid, .inputTooLarge, .passphraseRequired, .usage]

func reload(_ k: JWK) {
    if k.keyType == .oct { return reloadPrivate(k) }  // a symmetric key has no public half
    let pub = JSON.object(k.json(includePrivate: false)).serialized()
    guard case .key(let again)? = try? KeySource.parse(Array(pub.utf8), what: "public JWK") else {
        fatalError("the public JWK of a loaded key does not load: \(pub)")
    }
    invariant(again.thumbprint == k.thumbprint, "thumbprint changes on reload")
    invariant(!again.isPrivate, "public export kept private material")
    if k.isPrivate { reloadPrivate(k) }
}

func reloadPrivate(_ k: JWK) {
    let priv = JSON.object(k.json(includePrivate: true)).serialized()
    guard case .key(let p)? = try? KeySource.parse(Array(priv.utf8), what: "private JWK") else {
        fatalError("the private JWK of a loaded key does not load")
    }
    invariant(p.thumbprint == k.thumbprint, "thumbprint changes on private reload")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    for lenient in [true, false] {
        do {
            switch try KeySource.parse(input, what: "fuzz", lenient: lenient) {
            case .key(let k): reload(k)
            case .set(let s):
                s.keys.forEach(reload)
                _ = s.publicJSON().serialized()
            }
        } catch {
            invariant(allowed.contains(error.reason), "KeySource.parse threw \(error.reason.rawValue): \(error.detail)")
            exercise(error)
        }
    }
    // The set reader directly, on whatever object parses.
    if let o = try? JSON.parseObject(input, what: "fuzz") {
        if let s = try? JWKSet.parse(o, what: "fuzz", lenient: true), let keys = o["keys"]?.arrayValue {
            invariant(s.keys.count + s.skipped.count == keys.count, "lenient set lost entries")
        }
        _ = try? JWKSet.parse(o, what: "fuzz", lenient: false)
        _ = try? JWK.parse(o, what: "fuzz")
        // wif's encrypted key files: the reader only (opening one runs Argon2 at the costs the file asks for).
        if EncryptedKey.isWIFFile(o), let file = try? EncryptedKey.parse(input, what: "fuzz") {
            invariant((try? EncryptedKey.parse(file.serialized(), what: "again")) == file,
                      "an encrypted key file does not survive serialize/parse")
        }
    }
    return 0
}
