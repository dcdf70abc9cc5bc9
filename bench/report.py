#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Render the results TSV of bench/run.sh (key<TAB>value lines) as the markdown report.

Ratios are always wif's speed divided by the other's: rates (tokens/s) wif ÷ other, times (ms)
other ÷ wif. Above 1, wif is faster. "—" means not applicable, "n/a" means the peer is missing or its
command failed (bench/run.sh says which on stderr).
"""
import sys

ALGS = ["ES256", "EdDSA", "RS256", "HS256"]


def load(path):
    facts, res = [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue
            k, v = line.split("\t", 1)
            if k.startswith("fact."):
                facts.append((k[5:], v))
            res[k] = v
    return facts, res


def num(res, key):
    v = res.get(key)
    if v is None:
        return None
    try:
        return float(v)
    except ValueError:
        return v  # e.g. FAIL


def fmt_rate(v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    return f"{v:,.0f}"


def fmt_ms(v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    return f"{v * 1000:.2f}"


def fmt_mib(v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    return f"{v / 1024:.1f}"


def ratio(wif, other, time=False):
    if not isinstance(wif, float) or not isinstance(other, float) or wif <= 0 or other <= 0:
        return "n/a" if other is None or wif is None or isinstance(other, str) or isinstance(wif, str) else "—"
    r = other / wif if time else wif / other
    return f"{r:.2f}"


def main():
    facts, res = load(sys.argv[1])
    f = dict(facts)
    out = []
    w = out.append
    w(f"## wif benchmark — {f.get('date', '?')}")
    w("")
    w(f"- machine: {f.get('machine', '?')}; {f.get('os', '?')}")
    w(f"- load average at start {f.get('load_start', '?')}, at end {f.get('load_end', '?')}; "
      f"pinned: {f.get('pinned', '?')}; whole run {f.get('duration', '?')}")
    w(f"- wif {f.get('wif', '?')}; {f.get('openssl', '?')}; Go jwt {f.get('jwt', 'n/a')}; "
      f"jose {f.get('jose', 'n/a')}; Python {f.get('python', '?')}, PyJWT {res.get('version.pyjwt', 'n/a')}, "
      f"joserfc {res.get('version.joserfc', 'n/a')}; hyperfine {f.get('hyperfine', '?')}; gcc {f.get('gcc', '?')}")
    w("")
    hdr = ["operation", "alg", "unit", "ceiling", "wif", "wif/ceiling", "Go jwt", "wif/jwt",
           "jose (C)", "wif/jose", "PyJWT", "wif/PyJWT", "joserfc", "wif/joserfc"]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "|".join(["---", "---", "---"] + ["---:"] * (len(hdr) - 3)) + "|")

    def row(cells):
        w("| " + " | ".join(cells) + " |")

    dash = "—"
    # start-up
    c = num(res, "pp.c.start")
    jwt_s, jose_s = num(res, "pp.jwt.start"), num(res, "pp.jose.start")
    for tool in ("wif-mint", "wif-verify"):
        t = num(res, f"pp.{tool}.start")
        row([f"start-up `{tool} --version` (ceiling: C hello-world)", dash, "ms", fmt_ms(c), fmt_ms(t),
             ratio(t, c, time=True), fmt_ms(jwt_s), ratio(t, jwt_s, time=True), fmt_ms(jose_s),
             ratio(t, jose_s, time=True), dash, dash, dash, dash])
    # one token per process
    for op, label in (("mint1", "mint 1 token / process"), ("verify1", "verify 1 token / process")):
        for a in ALGS:
            t = num(res, f"pp.wif.{op}.{a}")
            j, o = num(res, f"pp.jwt.{op}.{a}"), num(res, f"pp.jose.{op}.{a}")
            row([label, a, "ms", dash, fmt_ms(t), dash, fmt_ms(j), ratio(t, j, time=True),
                 fmt_ms(o), ratio(t, o, time=True), dash, dash, dash, dash])
    # batch
    for op, cop, pop, label in (("mint", "sign", "sign", "batch mint `--count`"),
                                ("verify", "verify", "verify", "batch verify `--batch`")):
        for a in ALGS:
            t = num(res, f"wif.{op}.{a}")
            ceil = num(res, f"ceil.{cop}.{a}")
            p, q = num(res, f"py.pyjwt.{pop}.{a}"), num(res, f"py.joserfc.{pop}.{a}")
            row([label, a, "tokens/s", fmt_rate(ceil), fmt_rate(t), ratio(t, ceil), dash, dash, dash, dash,
                 fmt_rate(p), ratio(t, p), fmt_rate(q), ratio(t, q)])
    # memory
    ns = sorted({int(k.split(".")[2]) for k in res if k.startswith("mem.mint.")})
    for op, label in (("mint", "max RSS `wif-mint --count`"), ("verify", "max RSS `wif-verify --batch`")):
        for n in ns:
            row([f"{label} N={n:,}", res.get("mem.alg", "?"), "MiB", dash, fmt_mib(num(res, f"mem.{op}.{n}")),
                 dash, dash, dash, dash, dash, dash, dash, dash, dash])
    w("")
    # instructions (callgrind)
    if any(k.startswith("cg.") for k in res):
        base = any(k.startswith("base.cg.") for k in res)
        w("Instructions per process (valgrind callgrind, millions; not disturbed by load):")
        w("")
        h2 = ["operation", "alg"] + (["wif before", "before/now"] if base else []) + ["wif", "Go jwt", "wif/jwt"]
        w("| " + " | ".join(h2) + " |")
        w("|" + "|".join(["---", "---"] + ["---:"] * (len(h2) - 2)) + "|")

        def mi(key):
            v = num(res, key)
            return v if isinstance(v, float) and v > 0 else None

        def fm(v):
            return "n/a" if v is None else f"{v / 1e6:.2f}"

        def rt(a, b):
            return "n/a" if a is None or b is None else f"{b / a:.2f}"

        cg_rows = [("start-up `wif-mint --version` (jwt: `-help`)", dash, "start.mint", "start"),
                   ("start-up `wif-verify --version` (jwt: `-help`)", dash, "start.verify", "start")]
        for op, label in (("mint1", "mint 1 token / process"), ("verify1", "verify 1 token / process")):
            cg_rows += [(label, a, f"{op}.{a}", f"{op}.{a}") for a in ALGS]
        for label, a, key, jkey in cg_rows:
            v, j = mi(f"cg.{key}"), mi(f"cg.jwt.{jkey}")
            cells = [label, a]
            if base:
                b = mi(f"base.cg.{key}")
                cells += [fm(b), rt(v, b)]
            row(cells + [fm(v), fm(j), rt(v, j)])
        w("")
    w("Ratios are wif's speed over the other's: tokens/s wif ÷ other, ms other ÷ wif; above 1 wif is faster. "
      "— not applicable; n/a peer missing or failing (jose has no EdDSA).")
    w("")
    clock = f.get("clock", "cpu")
    sp = f.get("speed_seconds", "?")
    w(f"- Ceiling: `openssl speed -mr -seconds {sp} ecdsap256|ed25519|rsa2048` (sign/s, verify/s) and, for HS256, "
      f"`openssl speed -mr -seconds {sp} -hmac sha256 -bytes {res.get('ceil.hmac.bytes', '?')}` (HMAC-SHA256 over a buffer as long "
      f"as wif's HS256 signing input), on the pinned core. Rates are per {'CPU second (user+sys; openssl: user)' if clock == 'cpu' else 'wall-clock second (openssl -elapsed)'}.")
    ns_txt = ", ".join(
        f"{a} {int(float(res[f'wif.mint.n.{a}'])):,}/{int(float(res[f'wif.verify.n.{a}'])):,}"
        for a in ALGS if f"wif.mint.n.{a}" in res and f"wif.verify.n.{a}" in res)
    w(f"- wif batch: one process on the pinned core, whole-process time, best of {f.get('reps', '?')} round(s) "
      f"interleaved with openssl speed for the same alg; tokens mint/verify: {ns_txt}. "
      "Verify input is the minted tokens (repeated when needed), checked with --iss and --aud under the "
      "default rfc7523 profile; output (tokens, JSON results) to /dev/null.")
    w("- PyJWT and joserfc: one Python process on the pinned core, keys imported once, signing fresh claims "
      "(random jti) and verifying wif's tokens with iss/aud/exp checks; best of "
      f"{f.get('reps', '?')} loop(s), run right after wif's figures for the same alg.")
    w(f"- Per process: {f.get('stat', 'median')} wall time of {f.get('runs', '?')} runs under hyperfine -N, in {f.get('pp_rounds', '1')} rounds "
      "that take wif and its peers in turn for each operation (3 warm-up runs each round), pinned core. "
      "C hello-world: gcc -O2, dynamic glibc. Go `jwt` start-up is `jwt -help`, jose's is `jose alg`. "
      "`jwt` uses its own PEM keys (it reads no JWK) and verifies its own token (signature and exp); "
      "`jose` uses wif's JWKs and verifies wif's token (signature only).")
    if any(k.startswith("cg.") for k in res):
        w("- Instructions: `valgrind --tool=callgrind` (\"Collected\"), one run each, same keys and tokens as the "
          "per-process rows; ratios are the other's count over wif's (above 1, wif runs fewer instructions)"
          + (f"; before: the binaries in {f['cg_base']}" if f.get("cg_base") else "") + ".")
    print("\n".join(out))


if __name__ == "__main__":
    main()
