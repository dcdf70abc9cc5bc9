// SPDX-License-Identifier: Apache-2.0
import Core

struct Check {
    static let spec = CommandSpec(
        "token",
        abstract: "Verify an assertion (the default subcommand).",
        discussion: "Valid: the claims as JSON on stdout, exit 0. Rejected: one line 'wif-verify: <oauth_error> (<reason>): <message>' on stderr, exit 1.",
        options: PolicyOptions.specs + [
            .flag("json", "Print a JSON result object on stdout, for valid and rejected tokens alike."),
            .flag("batch", "Read tokens one a line from stdin; print one JSON result a line."),
        ],
        positionals: [PositionalSpec("token", "The token; \"-\" (the default) reads standard input.")])

    let options: PolicyOptions
    let json: Bool
    let batch: Bool
    let token: String

    init(_ a: ParsedArguments) throws {
        options = try PolicyOptions(a)
        json = a.flag("json")
        batch = a.flag("batch")
        token = a.positionals.first ?? "-"
    }

    func run() throws {
        if options.jwks.contains("-") && token == "-" {
            throw WIFError(.usage, "standard input (-) can be read only once: it cannot hold both the JWKS and the token",
                           hint: "give the JWKS as a file, or the token as an argument")
        }
        let validator = try options.validator()
        let now = try options.clock()
        if batch {
            guard token == "-" else { throw WIFError(.usage, "--batch reads standard input; give no token argument") }
            let cache = try options.replayCache.map { try ReplayCache(path: $0, now: now) }
            defer { try? cache?.close() }
            try runBatch(validator, cache: cache, now: now)
            return
        }
        // The token is read before the replay cache is locked, so a process waiting on its input never holds
        // the lock that other verifiers need.
        let bytes = try readToken()
        let cache = try options.replayCache.map { try ReplayCache(path: $0, now: now) }
        var w = StdoutWriter()
        let outcome = Result { () throws(WIFError) -> VerifiedToken in
            let v = try validator.verify(bytes, now: now)
            try cache?.check(v, leeway: validator.policy.leeway, maxLifetime: validator.policy.maxLifetime, now: now)
            try cache?.close()
            return v
        }
        switch outcome {
        case .success(let v):
            try w.write((json ? VerifyReport.success(v) : .object(v.claims)).serialized() + "\n")
            try w.flush()
        case .failure(var e):
            if e.reason == .malformed, token != "-", Input.isReadableFile(token) {
                e.hint = "the argument is the token itself; to read a file, give - and redirect: wif-verify ... - < \(token)"
            }
            guard json && e.reason.isRejection else { throw e }
            try w.write(VerifyReport.failure(e).serialized() + "\n")
            try w.flush()
            throw ExitStatusRequest.rejected
        }
    }

    /// The token from the argument or stdin; stdin is read only up to the size bound.
    func readToken() throws(WIFError) -> [UInt8] {
        guard token == "-" else { return Array(token.utf8) }
        let r = Result { () throws(WIFError) -> [UInt8] in try Input.readTrimmed("-", limit: options.maxTokenSize + 2) }
        if case .failure(let e) = r, e.reason == .inputTooLarge {
            throw WIFError(.malformed, "the token is longer than the limit of \(options.maxTokenSize) bytes")
        }
        return try r.get()
    }

    func runBatch(_ validator: Validator, cache: ReplayCache?, now: Int64) throws {
        var reader = LineReader(fd: 0, maxLine: options.maxTokenSize)
        var w = StdoutWriter()
        var rejected = false
        var count = 0
        var out = [UInt8]()
        while let line = try reader.next() {
            out.removeAll(keepingCapacity: true)
            switch line {
            case .tooLong(let n):
                rejected = true
                VerifyReport.failure(WIFError(.malformed, "the token has \(n) bytes, more than the limit of \(options.maxTokenSize)")).write(to: &out)
                out.append(0x0A)
            case .line(let bytes):
                let r = Result { () throws(WIFError) -> VerifiedToken in
                    let v = try validator.verify(bytes, now: now)
                    try cache?.check(v, leeway: validator.policy.leeway, maxLifetime: validator.policy.maxLifetime, now: now)
                    return v
                }
                switch r {
                case .success(let v):
                    VerifyReport.writeSuccessLine(v, to: &out)
                case .failure(let e):
                    guard e.reason.isRejection else { throw e }
                    rejected = true
                    VerifyReport.failure(e).write(to: &out)
                    out.append(0x0A)
                }
            }
            try w.write(out)
            count += 1
            // Record accepted tokens in the replay cache every 1000 lines, so a killed batch loses little.
            if count % 1000 == 0 { try cache?.save() }
        }
        try w.flush()
        try cache?.close()
        if rejected { throw ExitStatusRequest.rejected }
    }
}

struct Request {
    static let spec = CommandSpec(
        "request",
        abstract: "Answer a form-encoded token request on stdin as a token endpoint would (RFC 6749 §5).",
        discussion: "Success: the token response JSON, exit 0. An OAuth error: the error JSON, exit 1. Configuration error: exit 2.",
        options: PolicyOptions.specs + EndpointOptions.specs + [
            .value("issuer-key", "file", "Private key that signs a JWT access token (RFC 9068); default: an opaque token."),
            .value("issuer", "uri", "iss of issued access tokens (default urn:wif:offline-token-endpoint)."),
            .flag("http", "Print the whole HTTP/1.1 response (status, headers, body)."),
        ] + PassphraseOptions.specs)

    let options: PolicyOptions
    let endpointOptions: EndpointOptions
    let issuerKey: String?
    let issuer: String
    let http: Bool
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        options = try PolicyOptions(a)
        endpointOptions = EndpointOptions(a)
        issuerKey = a.string("issuer-key")
        issuer = a.string("issuer") ?? "urn:wif:offline-token-endpoint"
        http = a.flag("http")
        passphrase = try PassphraseOptions(a)
    }

    func run() throws {
        if options.jwks.contains("-") {
            throw WIFError(.usage, "standard input (-) can be read only once: it holds the request body, not the JWKS")
        }
        let now = try options.clock()
        var endpoint = try endpointOptions.endpoint(options)
        endpoint.issuerKey = try issuerKey.map {
            try KeySource.loadSigningKey(path: $0, kid: nil, passphrase: try passphrase.passphrase(stdinUsed: true))
        }
        endpoint.issuer = issuer
        let outcome: TokenEndpoint.Outcome
        let read = Result { () throws(WIFError) -> [UInt8] in
            try Input.read("-", limit: TokenEndpoint.maxBodySize, what: "the request body")
        }
        switch read {
        case .success(let body):
            endpoint.replayCache = try options.replayCache.map { try ReplayCache(path: $0, now: now) }
            outcome = try endpoint.handle(body: body, now: now)
        case .failure(let e) where e.reason == .inputTooLarge:
            outcome = .failure(.invalidRequest, WIFError(.invalidRequest, "the request body is larger than \(TokenEndpoint.maxBodySize) bytes"))
        case .failure(let e): throw e
        }
        try endpoint.replayCache?.close()
        var w = StdoutWriter()
        try w.write(http ? TokenEndpoint.httpResponse(outcome) : outcome.json.serialized() + "\n")
        try w.flush()
        if case .failure(let e, let why) = outcome {
            Diagnostics.writeStderr("wif-verify: \(e.rawValue) (\(why.reason.rawValue)): \(why.detail)\n")
            throw ExitStatusRequest.rejected
        }
    }
}
