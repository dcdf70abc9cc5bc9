#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Batch peers for `make bench`: PyJWT and joserfc signing and verifying in one Python process.

usage: peers.py DIR SECONDS REPS ALG...

DIR holds, per ALG, the files the wif benchmark made: ALG.jwk (private JWK from `wif-mint key`),
ALG.pub.json (public JWKS from `wif-mint jwks`, or the oct JWK for HS algs) and ALG.tok (tokens minted
by `wif-mint --count`, one a line). For each (library, alg, op) the loop runs REPS times for SECONDS of CPU
time each (or wall time with BENCH_CLOCK=wall), and the best rate counts: `sign` encodes fresh claims (iss, sub, aud, exp, iat and a random
jti, like `wif-mint --count`) with a key imported once; `verify` checks the signature and the claims
(iss, aud, exp required and checked) of the tokens wif minted, cycling through them, with a key
imported once, like `wif-verify --batch`.

Prints TSV lines `py.<lib>.<op>.<ALG><TAB><tokens/s>` on stdout, `version.<lib><TAB><v>` first.
Any failure (library missing, alg unsupported, a token rejected) prints the reason on stderr and
leaves that figure out; the table then shows n/a.
"""
import json
import os
import secrets
import sys
import time
import warnings

ISS = "https://ci.example"
SUB = "spiffe://example.org/ci/job"
AUD = "https://as.example/token"

warnings.simplefilter("ignore")
clock = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.process_time


def claims():
    now = int(time.time())
    return {"iss": ISS, "sub": SUB, "aud": AUD, "exp": now + 300, "iat": now,
            "jti": secrets.token_urlsafe(16)}


def rate(fn, seconds):
    """Call fn() until `seconds` have passed on the benchmark clock; return calls per second."""
    fn()  # warm-up, and fail fast
    n = 0
    start = clock()
    deadline = start + seconds
    while True:
        fn()
        n += 1
        if (n & 7) == 0 and clock() >= deadline:
            break
    return n / (clock() - start)


def load(d, alg):
    with open(os.path.join(d, alg + ".jwk")) as f:
        priv = json.load(f)
    with open(os.path.join(d, alg + ".pub.json")) as f:
        pub = json.load(f)
    if "keys" in pub:
        pub = pub["keys"][0]
    with open(os.path.join(d, alg + ".tok")) as f:
        toks = [line.strip() for _, line in zip(range(2000), f) if line.strip()]
    if not toks:
        raise RuntimeError("no tokens")
    return priv, pub, toks


def cycler(items):
    state = {"i": 0}

    def nxt():
        i = state["i"]
        state["i"] = i + 1 if i + 1 < len(items) else 0
        return items[i]
    return nxt


def pyjwt_ops(priv, pub, toks, alg):
    import jwt
    skey = jwt.PyJWK(priv, algorithm=alg).key
    vkey = jwt.PyJWK(pub, algorithm=alg).key
    kid = priv.get("kid")
    nxt = cycler(toks)

    def sign():
        jwt.encode(claims(), skey, algorithm=alg, headers={"kid": kid, "typ": "JWT"})

    def verify():
        jwt.decode(nxt(), vkey, algorithms=[alg], audience=AUD, issuer=ISS, leeway=60,
                   options={"require": ["exp", "iss", "sub", "aud"]})
    return sign, verify


def joserfc_ops(priv, pub, toks, alg):
    from joserfc import jwt
    from joserfc.jwk import JWKRegistry
    skey = JWKRegistry.import_key(priv)
    vkey = JWKRegistry.import_key(pub)
    kid = priv.get("kid")
    registry = jwt.JWTClaimsRegistry(
        leeway=60, iss={"essential": True, "value": ISS}, aud={"essential": True, "value": AUD},
        sub={"essential": True}, exp={"essential": True})
    nxt = cycler(toks)

    def sign():
        jwt.encode({"alg": alg, "typ": "JWT", "kid": kid}, claims(), skey, algorithms=[alg])

    def verify():
        tok = jwt.decode(nxt(), vkey, algorithms=[alg])
        registry.validate(tok.claims)
    return sign, verify


def version(mod):
    try:
        if mod == "joserfc":
            from importlib.metadata import version as v
            return v("joserfc")
        m = __import__(mod)
        return getattr(m, "__version__", "?")
    except Exception:
        return None


def main():
    d, seconds, reps, algs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    libs = [("pyjwt", "jwt", pyjwt_ops), ("joserfc", "joserfc", joserfc_ops)]
    for name, mod, _ in libs:
        v = version(mod)
        if v:
            print(f"version.{name}\t{v}", flush=True)
    skip = os.environ.get("BENCH_SKIP", "").split()
    for name, mod, make in libs:
        if name in skip:
            continue
        if version(mod) is None:
            print(f"bench: python module {mod} not importable; {name} n/a", file=sys.stderr)
            continue
        for alg in algs:
            try:
                sign, verify = make(*load(d, alg), alg)
            except Exception as e:  # noqa: BLE001 - any failure is reported, not fatal
                print(f"bench: {name} {alg}: key import failed: {type(e).__name__}: {e}", file=sys.stderr)
                continue
            for op, fn in (("sign", sign), ("verify", verify)):
                try:
                    r = max(rate(fn, seconds) for _ in range(max(1, reps)))
                except Exception as e:  # noqa: BLE001
                    print(f"bench: {name} {alg} {op} failed: {type(e).__name__}: {e}", file=sys.stderr)
                    continue
                print(f"py.{name}.{op}.{alg}\t{r:.1f}", flush=True)


if __name__ == "__main__":
    main()
