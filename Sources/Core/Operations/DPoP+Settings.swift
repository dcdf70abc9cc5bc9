// SPDX-License-Identifier: Apache-2.0

extension DPoP {
    /// The option values of `wif-mint dpop`, checked here: a proof spec and the key that signs it.
    public struct MintSettings: Sendable {
        public var key = ""
        public var alg: String?
        public var htm: String?
        public var htu: String?
        /// A file holding the access token (`-`: standard input); its hash becomes `ath`.
        public var athFile: String?
        public var nonce: String?
        public var iat: String?
        public var jti: String?

        public init() {}

        /// Whether standard input is read (the key or the access token), for the passphrase source.
        public var readsStandardInput: Bool { key == "-" || athFile == "-" }

        public func spec(now: Int64) throws(WIFError) -> ProofSpec {
            try Input.requireStandardInputOnce([key, athFile], "--key and --ath")
            guard let htm, let htu else { throw WIFError(.usage, "--htm and --htu are required") }
            var s = ProofSpec(htm: htm, htu: htu, iat: try iat.map { t throws(WIFError) in
                try NumericDate.parseInstant(t, now: now, what: "--iat") } ?? now)
            s.alg = try alg.map { a throws(WIFError) in try Algorithm.parse(a) }
            s.jti = jti
            if let jti, jti.isEmpty { throw WIFError(.usage, "--jti must not be empty") }
            s.nonce = nonce
            s.accessToken = try athFile.map { p throws(WIFError) in try DPoP.readAccessToken(p) }
            return s
        }
    }

    /// The access token of an `--ath FILE` option: the file's bytes without surrounding whitespace, not empty.
    public static func readAccessToken(_ path: String) throws(WIFError) -> [UInt8] {
        let t = try Input.readTrimmed(path, limit: 64 * 1024, what: path == "-" ? "standard input (the access token)" : path)
        guard !t.isEmpty else { throw Input.emptyInput(path, what: "the access token") }
        return t
    }

    /// The option values of `wif-verify dpop`, checked here.
    public struct VerifySettings: Sendable {
        public var htm: String?
        public var htu: String?
        public var athFile: String?
        public var jkt: String?
        public var nonce: String?
        public var maxAge: String?
        public var leeway: String?
        public var algs: [String] = []
        public var replayCache: String?

        public init() {}

        public func requirements() throws(WIFError) -> Requirements {
            guard let htm, let htu else { throw WIFError(.usage, "--htm and --htu are required") }
            guard DPoP.normalizedURI(htu) != nil else {
                throw WIFError(.usage, "--htu \(JSON.escapedForMessage(htu)) is not an absolute http(s) URI")
            }
            var r = Requirements(htm: htm, htu: htu)
            r.jkt = jkt
            r.nonce = nonce
            if let maxAge { r.maxAge = try NumericDate.parseDuration(maxAge, what: "--max-age") }
            if let leeway {
                r.leeway = try NumericDate.parseDuration(leeway, what: "--leeway")
                guard r.leeway <= 3600 else { throw WIFError(.usage, "--leeway is at most 1h") }
            }
            if !algs.isEmpty {
                var list: [Algorithm] = []
                for name in algs {
                    let a = try Algorithm.parse(name)
                    guard a.family != .hmac else {
                        throw WIFError(.usage, "--alg \(a.rawValue): a DPoP proof is never signed with a symmetric alg")
                    }
                    list.append(a)
                }
                r.algorithms = list
            }
            r.accessToken = try athFile.map { p throws(WIFError) in try DPoP.readAccessToken(p) }
            return r
        }

        public func cache() -> ReplayCache? { replayCache.map { ReplayCache(path: $0) } }
    }
}
