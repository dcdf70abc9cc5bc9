// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Shared helpers and the published RFC keys the Core tests check against.
///
/// Rules for these tests: every expected value comes from outside wif (an RFC, Wycheproof, Python's
/// `datetime`/`cryptography`), never from running wif itself; negative tests assert the exact `Reason`.

/// The `Reason` of the `WIFError` that `body` throws, or nil when it succeeds; any other error is an issue.
func reason<T>(of body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> Reason? {
    do {
        _ = try body()
        return nil
    } catch let error as WIFError {
        return error.reason
    } catch {
        Issue.record("not a WIFError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Bytes of a fixed hex literal; records an issue (and returns []) when the literal is malformed.
func hex(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    let digits = Array(s.utf8)
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
    guard digits.count % 2 == 0 else {
        Issue.record("odd-length hex literal", sourceLocation: sourceLocation)
        return []
    }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var i = 0
    while i < digits.count {
        guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else {
            Issue.record("bad hex literal", sourceLocation: sourceLocation)
            return []
        }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

/// Bytes of a fixed base64url literal; records an issue (and returns []) when it does not decode.
func b64u(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    guard let b = Base64URL.decode(s) else {
        Issue.record("bad base64url literal \(s)", sourceLocation: sourceLocation)
        return []
    }
    return b
}

/// Parses a JWK given as JSON text through Core, as a key file would be.
func parseJWK(_ json: String) throws(WIFError) -> JWK {
    try JWK.parse(try JSON.parseObject(Array(json.utf8), what: "test key"), what: "test key")
}

/// Re-parses a key from its own JSON export.
func reparse(_ key: JWK, includePrivate: Bool) throws(WIFError) -> JWK {
    try JWK.parse(key.json(includePrivate: includePrivate), what: "re-parsed key")
}

/// Builds a JSON object text from string members, in the given order.
func jwkJSON(_ members: [(String, String)]) -> String {
    JSON.object(JSONObject(members.map { ($0.0, JSON.string($0.1)) })).serialized()
}

/// The directory of test fixtures, found from this source file (`Tests/Fixtures`).
func fixturesDirectory(file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)  // CoreTests/TestSupport.swift
    return parts.joined(separator: "/") + "/Fixtures"
}

/// Members of a JWK that are private or secret (RFC 7517 §9.2, RFC 7518 §6.2.2, §6.3.2, §6.4.1, RFC 8037 §2).
let privateJWKMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

/// The JWS signature length each algorithm must produce (RFC 7518 §3.2–3.5, RFC 8037 §3.1), given the key.
func signatureLength(_ alg: Algorithm, key: JWK) -> Int {
    switch alg.family {
    case .hmac: return alg.hashLength
    case .rsa, .pss: return (key.bits + 7) / 8
    case .ecdsa: return 2 * (key.curve?.size ?? 0)
    case .eddsa: return key.curve == .ed448 ? 114 : 64
    }
}

/// Keys and tokens published in RFCs, copied verbatim.
enum RFC {
    /// The JWS Signing Input and payload shared by RFC 7515 A.1–A.3 (the payload has `\r\n` line breaks).
    static let payloadSegment =
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let payload = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"

    /// RFC 7515 A.1.1: the HS256 key (64 bytes) and token.
    static let a1Key = """
        {"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}
        """
    static let a1Token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + payloadSegment
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    /// RFC 7515 A.2.1: the RS256 key (2048 bits) and token.
    static let a2Key = jwkJSON([
        ("kty", "RSA"),
        ("n", "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-"
            + "SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
            + "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2eth"
            + "FkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"),
        ("e", "AQAB"),
        ("d", "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395"
            + "IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcop"
            + "V_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_R"
            + "QyGWSeWjnczT0QU91p1DhOVRuOopznQ"),
        ("p", "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7"
            + "ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"),
        ("q", "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wD"
            + "mpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"),
        ("dp", "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12"
            + "Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"),
        ("dq", "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjM"
            + "d2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"),
        ("qi", "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKL"
            + "EdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"),
    ])
    static let a2Token = "eyJhbGciOiJSUzI1NiJ9." + payloadSegment + "."
        + "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CU"
        + "Ar7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_d"
        + "O--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0ig"
        + "cN_IoypGlUPQGe77Rw"

    /// RFC 7515 A.3.1: the ES256 key and token.
    static let a3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
    static let a3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    static let a3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
    static let a3Key = jwkJSON([("kty", "EC"), ("crv", "P-256"), ("x", a3X), ("y", a3Y), ("d", a3D)])
    static let a3PublicKey = jwkJSON([("kty", "EC"), ("crv", "P-256"), ("x", a3X), ("y", a3Y)])
    static let a3Token = "eyJhbGciOiJFUzI1NiJ9." + payloadSegment
        + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

    /// RFC 8037 A.1/A.2: the Ed25519 key; A.4: the EdDSA token over "Example of Ed25519 signing".
    static let ed25519X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    static let ed25519D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    static let ed25519Key = jwkJSON([("kty", "OKP"), ("crv", "Ed25519"), ("d", ed25519D), ("x", ed25519X)])
    static let ed25519PublicKey = jwkJSON([("kty", "OKP"), ("crv", "Ed25519"), ("x", ed25519X)])
    static let ed25519Token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
        + "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

    /// RFC 7638 §3.1: the RSA public key whose thumbprint the RFC computes.
    static let rfc7638Key = jwkJSON([
        ("kty", "RSA"),
        ("n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjB"
            + "ZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8"
            + "KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_"
            + "xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"),
        ("e", "AQAB"),
        ("alg", "RS256"),
        ("kid", "2011-04-29"),
    ])
}

/// One freshly generated private key per algorithm, made once and shared by the suites (RSA generation is slow).
enum GeneratedKeys {
    static let byAlgorithm: [Algorithm: JWK] = {
        var keys: [Algorithm: JWK] = [:]
        for alg in Algorithm.allCases { keys[alg] = try? JWK.generate(alg: alg) }
        return keys
    }()

    /// The key for `alg`; when the shared generation failed, generates again so the test sees the error.
    static func key(_ alg: Algorithm) throws(WIFError) -> JWK {
        if let k = byAlgorithm[alg] { return k }
        return try JWK.generate(alg: alg)
    }
}

/// A fresh directory under the system temporary folder, removed with everything in it by `remove()`. Tests that
/// make devices, FIFOs and symlinks make them only in here.
final class ScratchDir {
    let path: String

    init() throws {
        var template = Array("/tmp/wif-test-XXXXXX".utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw WIFError(.outputFailed, "mkdtemp failed")
        }
        path = String(cString: p)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` with `mode`, returning its path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let p = file(name)
        try Output.writeAtomically(Array(text.utf8), to: p, mode: mode)
        chmod(p, mode)
        return p
    }

    func remove() { ScratchDir.removeTree(path) }

    /// Removes `p` and, for a directory (never followed through a symlink), everything in it.
    static func removeTree(_ p: String) {
        var st = stat()
        guard lstat(p, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR, let d = opendir(p) {
            var names: [String] = []
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(d)
            for n in names { removeTree(p + "/" + n) }
            rmdir(p)
        } else {
            unlink(p)
        }
    }

    deinit { remove() }
}
