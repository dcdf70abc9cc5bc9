// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Initialises OpenSSL once, with only what wif uses, before its first use (every Core type that calls OpenSSL
/// calls `ensure()` first; OpenSSL's own implicit initialisation would otherwise do all of the below).
///
/// Rules (each measured with callgrind on a one-token run, issue 12):
/// - no configuration file unless `OPENSSL_CONF` is set in the environment: then OpenSSL loads that file as
///   usual, so FIPS or provider configuration applies (wif-mint(1), wif-verify(1), ENVIRONMENT). Loading the
///   system's openssl.cnf cost 0.80 M instructions on every run and configures nothing wif uses;
/// - no atexit cleanup: the process ends right after, and OPENSSL_cleanup cost 0.7 to 1.2 M;
/// - no table of all legacy ciphers and digests: wif fetches algorithms by name from the provider. The only
///   reader of that table is a traditional encrypted PEM key (`Proc-Type`/`DEK-Info`), whose ciphers are added
///   on that path (`addPEMCiphers`). Building the table cost 2.9 M on every run;
/// - a HASH-DRBG over SHA-256 instead of the default CTR-DRBG, whose AES-256-CTR fetch built the whole cipher
///   store (3.1 M on ECDSA and RSA signing); with `OPENSSL_CONF` set, the configured (or default) DRBG applies;
/// - OpenSSL's error reason strings stay in messages, but are loaded when an error is reported rather than at
///   start-up, which cost 0.92 M instructions on every run (23 % of a one-token ES256 mint, 34 % of HS256),
///   error or not. Only a static link can load them later (the loader is internal to libcrypto); debug builds,
///   which link libcrypto dynamically, load them at start as before.
enum OpenSSLLibrary {
    /// Whether the configuration file was loaded (OPENSSL_CONF set).
    static let configured: Bool = getenv("OPENSSL_CONF") != nil

    /// Whether the reason strings are loaded on the first error (static link) instead of at start.
    static let lazyErrorStrings: Bool = wif_error_strings_loadable_later() != 0

    private static let ready: Bool = {
        var opts = UInt64(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS)
        opts |= UInt64(configured ? OPENSSL_INIT_LOAD_CONFIG : OPENSSL_INIT_NO_LOAD_CONFIG)
        if lazyErrorStrings { opts |= UInt64(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS) }
        guard OPENSSL_init_crypto(opts, nil) == 1 else { return false }
        if !configured { _ = RAND_set_DRBG_type(nil, "HASH-DRBG", nil, nil, "SHA256") }
        return true
    }()

    /// Initialises OpenSSL on the first call; later calls cost one check.
    @inline(__always)
    static func ensure() { _ = ready }

    /// Loads OpenSSL's reason strings, once, before an error is turned into a message (`OpenSSLError`).
    static let errorStrings: Void = {
        if lazyErrorStrings { _ = wif_load_error_strings() }
    }()

    /// Adds the ciphers of traditional PEM encryption (`DEK-Info`, RFC 1421) to OpenSSL's cipher-name table,
    /// which `ensure()` leaves empty: AES, Camellia and ARIA in CBC mode, and DES-EDE3-CBC (what `openssl
    /// rsa|ec|pkey` write with `-aes256`, `-des3` and so on). Single DES and other legacy ciphers are in
    /// OpenSSL's legacy provider, which wif does not load, so they were unreadable before as well.
    static let addPEMCiphers: Void = {
        ensure()
        let ciphers: [OpaquePointer?] = [
            EVP_aes_128_cbc(), EVP_aes_192_cbc(), EVP_aes_256_cbc(), EVP_des_ede3_cbc(),
            EVP_camellia_128_cbc(), EVP_camellia_192_cbc(), EVP_camellia_256_cbc(),
            EVP_aria_128_cbc(), EVP_aria_192_cbc(), EVP_aria_256_cbc(),
        ]
        for c in ciphers { if let c { _ = EVP_add_cipher(c) } }
    }()
}
