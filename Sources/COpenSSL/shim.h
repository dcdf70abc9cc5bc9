/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WIF_COPENSSL_SHIM_H
#define WIF_COPENSSL_SHIM_H
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_MAJOR < 3
#error "wif requires OpenSSL 3"
#endif
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

/* Swift cannot import function-like or compound macros. */
static inline void wif_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline void wif_OPENSSL_clear_free(void *p, size_t n) { OPENSSL_clear_free(p, n); }
static const int WIF_EVP_PKEY_KEYPAIR = EVP_PKEY_KEYPAIR;
static const int WIF_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
/* EVP_PKEY_Q_keygen is variadic; these wrappers give Swift a fixed signature. */
static inline EVP_PKEY *wif_keygen_rsa(size_t bits) { return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits); }
static inline EVP_PKEY *wif_keygen_ec(const char *group) { return EVP_PKEY_Q_keygen(NULL, NULL, "EC", group); }
static inline EVP_PKEY *wif_keygen_raw(const char *type) { return EVP_PKEY_Q_keygen(NULL, NULL, type); }
/* A PEM passphrase callback that refuses, so OpenSSL never prompts on a terminal. */
static inline int wif_no_passphrase(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u; return -1;
}
/* OSSL_PARAM_BLD keeps the key-name pointers it is given until OSSL_PARAM_BLD_to_param: names handed over from
 * Swift must therefore live in static storage, not in temporary bridged strings. */
static inline const char *wif_param_name(int i) {
    static const char *const names[] = {
        "n", "e", "d", "rsa-factor1", "rsa-factor2", "rsa-exponent1", "rsa-exponent2", "rsa-coefficient1",
        "group", "pub", "priv", "digest"
    };
    return (i >= 0 && i < (int)(sizeof names / sizeof names[0])) ? names[i] : "";
}
/* OpenSSL loads the reason strings of every library (0.9 M instructions) when a thread first touches its error
 * queue, which every run does. The loader is internal to libcrypto: a static link (release) can call it, the
 * shared library does not export it, so the weak reference is NULL in debug builds, which load them at start. */
extern int ossl_err_load_crypto_strings(void) __attribute__((weak));
static inline int wif_error_strings_loadable_later(void) { return ossl_err_load_crypto_strings != 0; }
static inline int wif_load_error_strings(void) {
    return ossl_err_load_crypto_strings != 0 ? ossl_err_load_crypto_strings() : 0;
}
/* The kernel's CSPRNG for public randomness (sys/random.h is not in Swift's Glibc module). */
#include <sys/random.h>
static inline long wif_getrandom(void *buf, size_t n) { return (long)getrandom(buf, n, 0); }
#endif
