// SPDX-License-Identifier: Apache-2.0

/// The public JWK Set of some key files: the engine of `wif-mint jwks`.
///
/// Rules, in order (each a usage error, exit 2, unless said otherwise):
/// 1. standard input (`-`) is read once;
/// 2. an oct (HMAC) key has no public half to publish;
/// 3. `alg` is for keys that carry none (a PEM key): a key with another alg is an error, and the alg must fit each
///    key it is given to (`keyInvalid`);
/// 4. `kid` is for the one key that carries none; with several such keys it is an error, and when every key has a
///    kid it must be one of theirs (a differing kid is an error, as for `wif-mint token --kid`);
/// 5. a key that still has no kid gets its RFC 7638 thumbprint, and a key without use gets `use` (default `sig`);
///    `use` given replaces every key's use (e.g. `jwt-svid` for a SPIFFE bundle);
/// 6. the same key (by thumbprint) twice is an error, and so is one kid for two different keys.
/// A set made this way passes `KeySetLint` when the keys have an alg (their own or `alg`).
public struct KeySetPublisher {
    public var alg: String?
    public var kid: String?
    public var use: String?

    public init(alg: String? = nil, kid: String? = nil, use: String? = nil) {
        self.alg = alg
        self.kid = kid
        self.use = use
    }

    /// Reads the key files (JWK, JWKS, PEM or encrypted, opened with `passphrase`) and returns the public set.
    public func publish(paths: [String], passphrase: Passphrase?) throws(WIFError) -> JSON {
        if paths.filter({ $0 == "-" }).count > 1 { throw WIFError(.usage, "standard input (-) can be read only once") }
        var keys: [(key: JWK, file: String)] = []
        for p in paths {
            let data = try Input.read(p)
            switch try KeySource.parse(data, what: Input.label(p), passphrase: passphrase) {
            case .key(let k):
                // A PEM key carries no kid: JWK.fromPEM names it by its thumbprint, which --kid may replace.
                if Input.trim(data).starts(with: Array("-----BEGIN".utf8)) { k.kid = nil }
                keys.append((k, Input.label(p)))
            case .set(let s):
                for k in s.keys { keys.append((k, Input.label(p))) }
            }
        }
        return try publish(keys)
    }

    /// The public set of `keys`, each with the file it came from (for messages); a key whose `kid` is nil
    /// carries none.
    public func publish(_ keys: [(key: JWK, file: String)]) throws(WIFError) -> JSON {
        for (k, file) in keys where k.keyType == .oct {
            throw WIFError(.usage, "\(file): key\(k.kidLabel) is a symmetric (oct) key: it has no public half to publish",
                           hint: "give the HMAC key file itself to the verifier")
        }
        // The same key twice (by thumbprint), before anything is named.
        for (i, a) in keys.enumerated() {
            if let j = keys.prefix(i).firstIndex(where: { $0.key.thumbprint == a.key.thumbprint }) {
                throw WIFError(.usage, "\(a.file): key\(a.key.kidLabel) is the same key as key\(keys[j].key.kidLabel) of \(keys[j].file) (thumbprint \(a.key.thumbprint))",
                               hint: "list each key once")
            }
        }
        if let alg {
            let a = try Algorithm.parse(alg)
            for (k, file) in keys {
                if let own = k.algName, !own.utf8.elementsEqual(a.rawValue.utf8) {
                    throw WIFError(.usage, "\(file): key\(k.kidLabel) has alg \(JSON.escapedForMessage(own)); --alg \(a.rawValue) is for keys that carry none")
                }
                do { try k.checkFits(a) } catch { throw error.located(file) }
            }
        }
        // Named through this array by index (JWK is a class today; as a value type, make this `var`).
        let list = keys.map(\.key)
        if let alg = alg.flatMap(Algorithm.init(rawValue:)) {
            for i in list.indices where list[i].algName == nil { list[i].algName = alg.rawValue }
        }
        if let kid {
            let bare = list.indices.filter { list[$0].kid == nil }
            if bare.count > 1 {
                throw WIFError(.usage, "--kid names one key, but \(bare.count) keys have no kid",
                               hint: "leave --kid out: each key then gets its RFC 7638 thumbprint as kid")
            }
            if let only = bare.first {
                list[only].kid = kid
            } else if !list.contains(where: { $0.kid.map { $0.utf8.elementsEqual(kid.utf8) } == true }) {
                let kids = list.compactMap(\.kid).map { "\"\(JSON.escapedForMessage($0))\"" }.joined(separator: ", ")
                throw WIFError(.usage, "--kid \(JSON.escapedForMessage(kid)) is for a key without kid, and every key has one (\(kids))",
                               hint: "a key's kid is kept; set it in the key file")
            }
        }
        for i in list.indices {
            if list[i].kid == nil { list[i].kid = list[i].thumbprint }
            if let use { list[i].use = use } else if list[i].use == nil { list[i].use = "sig" }
        }
        var seen: [[UInt8]: (String, String)] = [:]
        for (k, file) in zip(list, keys.map(\.file)) {
            guard let kid = k.kid else { continue }
            if let (t, other) = seen[Array(kid.utf8)], t != k.thumbprint {
                throw WIFError(.usage, "two different keys share kid \"\(JSON.escapedForMessage(kid))\" (\(other) and \(file))")
            }
            seen[Array(kid.utf8)] = (k.thumbprint, file)
        }
        return JWKSet(keys: list).publicJSON()
    }
}
