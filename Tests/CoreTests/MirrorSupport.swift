// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// Helpers for the tests that mirror Core's rule files (ValidatorTests, PolicySettingsTests, TokenEndpointTests, …):
/// keys made once, tokens signed in-process with Core's own `Minter` or `Signer`, and temporary folders.
///
/// Tokens are signed with real keys, so a test that expects a later reason (a claim, the time) has passed every
/// earlier step for real; raw tokens (duplicate members, non-JSON payloads) are signed over their exact bytes.

/// The instant every mirror test judges at (2026-01-02T03:10:00Z).
let mirrorNow: Int64 = 1_767_323_400

/// Keys generated once per test process: EC and Ed25519 keys cost microseconds; no RSA key is generated here.
enum MirrorKeys {
    /// A P-256 private key with kid "ec-1" and alg ES256.
    static let ec: JWK? = try? JWK.generate(alg: .es256, kid: "ec-1")
    /// A second P-256 private key with kid "ec-2".
    static let ec2: JWK? = try? JWK.generate(alg: .es256, kid: "ec-2")
    /// A secp256k1 private key with kid "k1" and alg ES256K.
    static let es256k: JWK? = try? JWK.generate(alg: .es256k, kid: "k1")

    static func key(_ k: JWK?, sourceLocation: SourceLocation = #_sourceLocation) throws -> JWK {
        try #require(k, "key generation failed", sourceLocation: sourceLocation)
    }

    /// The public half of `key`, as a verifier holds it.
    static func publicHalf(_ key: JWK) throws -> JWK { try reparse(key, includePrivate: false) }
}

/// The RFC 7515 A.1 HMAC key (64 bytes) with a kid and alg HS256.
func hmacKey(kid: String = "hs") throws -> JWK {
    try parseJWK(jwkJSON([("kty", "oct"), ("kid", kid), ("alg", "HS256"),
                          ("k", "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")]))
}

/// A spec with iss, sub, aud and the default exp/iat/jti, at `mirrorNow`.
func baseSpec(iss: String = "https://issuer.example", sub: String = "workload-1",
              aud: [String] = ["https://as.example/token"], now: Int64 = mirrorNow) -> TokenSpec {
    var s = TokenSpec(now: now)
    s.iss = iss
    s.sub = sub
    s.aud = aud
    return s
}

/// A token minted by Core's `Minter` from `spec` (edited by `edit`) with `key`.
func mint(_ key: JWK, _ spec: TokenSpec = baseSpec(), _ edit: (inout TokenSpec) -> Void = { _ in }) throws -> [UInt8] {
    var s = spec
    edit(&s)
    return try Minter(spec: s, key: key).next()
}

/// A compact JWS over exactly these header and payload bytes, signed with `key` under `alg`.
func signRaw(header: String, payload: String, key: JWK, alg: Algorithm) throws -> [UInt8] {
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
    let sig = try Signer(key: key, algorithm: alg).sign(Array(input.utf8))
    return Array((input + "." + Base64URL.encode(sig)).utf8)
}

/// A validator over the public halves of `keys` (secret keys as they are) with `policy`.
func validator(_ keys: [JWK], _ policy: Policy = Policy(profile: .none)) throws -> Validator {
    let ring = try keys.map { k throws -> JWK in k.keyType == .oct ? k : try MirrorKeys.publicHalf(k) }
    return try Validator(keys: KeyRing(keys: ring), policy: policy)
}

/// The reason `validator` gives `token` at `now`, or nil when it accepts it.
func verdict(_ v: Validator, _ token: [UInt8], now: Int64 = mirrorNow,
             sourceLocation: SourceLocation = #_sourceLocation) -> Reason? {
    reason(of: { try v.verify(token, now: now) }, sourceLocation: sourceLocation)
}

/// The detail of the `WIFError` that `body` throws, or nil when it succeeds.
func errorDetail<T>(_ body: () throws -> T) -> String? {
    do { _ = try body() } catch let e as WIFError { return e.detail } catch { return "\(error)" }
    return nil
}

/// The `WIFError` that `body` throws, or nil.
func wifError<T>(_ body: () throws -> T) -> WIFError? {
    do { _ = try body() } catch let e as WIFError { return e } catch { return nil }
    return nil
}

/// A temporary folder for one test, removed with the files made in it (one level deep) when released.
final class TempDir {
    let path: String

    init() throws {
        var template = Array("/tmp/wif-mirror-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        if let dir = opendir(path) {
            while let e = readdir(dir) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// Writes `bytes` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws -> String {
        let p = path + "/" + name
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        try #require(fd >= 0, "cannot create \(p)")
        defer { close(fd) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            try #require(n > 0, "cannot write \(p)")
            off += n
        }
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    /// Writes the public JWK Set of `keys` (secret keys whole) to `name`.
    @discardableResult
    func jwks(_ name: String, _ keys: [JWK]) throws -> String {
        let members = keys.map { JSON.object($0.json(includePrivate: $0.keyType == .oct)) }
        return try write(name, JSON.object(JSONObject([("keys", .array(members))])).serialized())
    }

    func file(_ name: String) -> String { path + "/" + name }
}

/// A pipe whose read end holds `bytes` followed by end of file (for inputs read from a descriptor).
/// The caller closes the returned descriptor. `bytes` must fit the pipe buffer (64 KiB).
func pipeHolding(_ bytes: [UInt8]) throws -> Int32 {
    var fds: [Int32] = [0, 0]
    try #require(pipe(&fds) == 0)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fds[1], $0.baseAddress! + off, bytes.count - off) }
        try #require(n > 0)
        off += n
    }
    close(fds[1])
    return fds[0]
}

/// Collects what a use case writes.
struct CollectingSink: ByteSink {
    var bytes: [UInt8] = []
    mutating func write(_ b: [UInt8]) throws(WIFError) { bytes += b }

    /// Each written line parsed as a JSON object.
    var objects: [JSONObject] {
        bytes.split(separator: 0x0A).compactMap { try? JSON.parseObject(Array($0), what: "result line") }
    }
}

/// Runs `body` with standard input reading `bytes` (a pipe), then restores standard input.
func withStandardInput<T>(_ bytes: [UInt8], _ body: () throws -> T) throws -> T {
    let fd = try pipeHolding(bytes)
    let saved = dup(0)
    try #require(saved >= 0)
    dup2(fd, 0)
    close(fd)
    defer {
        dup2(saved, 0)
        close(saved)
    }
    return try body()
}
