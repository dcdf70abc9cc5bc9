#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/callgrind.sh BIN_DIR [OUT_DIR] — instructions (valgrind callgrind, "Collected") of one process per
# operation: `wif-mint --version`, `wif-verify --version`, and one-token mint and verify per algorithm.
# Instruction counts do not depend on the machine's load, so a change that costs start-up shows up even
# on a busy machine. Prints "key<TAB>instructions" lines (keys cg.start.mint, cg.start.verify,
# cg.mint1.ALG, cg.verify1.ALG); prints nothing and exits 0 when valgrind is missing.
# Peers: when `jwt` (Go) is installed and JWT_KEYS=DIR holds its keys and tokens as bench/run.sh makes them
# (jwt.ALG.pem, jwt.ALG.pub.pem, jwt.ALG.tok, claims.json), the same operations of `jwt` too (cg.jwt.*).
set -euo pipefail
BIN=${1:?usage: bench/callgrind.sh BIN_DIR [OUT_DIR]}
command -v valgrind >/dev/null 2>&1 || exit 0
ALGS=${ALGS:-ES256 EdDSA RS256 HS256}
T=${2:-}
own=0
if [ -z "$T" ]; then T=$(mktemp -d "${TMPDIR:-/tmp}/wif-cg.XXXXXX"); own=1; fi
cleanup() { [ $own = 1 ] && rm -rf "$T"; return 0; }
trap cleanup EXIT
ISS=https://ci.example SUB=spiffe://example.org/ci/job AUD=https://as.example/token
# valgrind 3.19 cannot read the DWARF 5 of the static release binaries and then counts nothing: count copies
# made with `strip --strip-debug` (the same code; only the debug sections go).
if command -v strip >/dev/null 2>&1; then
    mkdir -p "$T/stripped"
    for b in wif-mint wif-verify; do strip --strip-debug -o "$T/stripped/$b" "$BIN/$b"; done
    BIN=$T/stripped
fi

# the instructions of one command (0 when it fails: shown as n/a)
ir() {
    local out
    if ! out=$(valgrind --tool=callgrind --callgrind-out-file="$T/callgrind.out" "$@" 2>&1 >/dev/null); then
        echo 0
        return
    fi
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1
}
put() { printf '%s\t%s\n' "$1" "$2"; }

put cg.start.mint "$(ir "$BIN/wif-mint" --version)"
put cg.start.verify "$(ir "$BIN/wif-verify" --version)"
for a in $ALGS; do
    [ -f "$T/$a.jwk" ] || "$BIN/wif-mint" key --alg "$a" --kid "bench-$a" --out "$T/$a.jwk"
    if [ "$a" = HS256 ]; then cp "$T/$a.jwk" "$T/$a.pub.json"; else "$BIN/wif-mint" jwks "$T/$a.jwk" >"$T/$a.pub.json"; fi
    tok=$("$BIN/wif-mint" token --key "$T/$a.jwk" --iss $ISS --sub $SUB --aud $AUD --exp +1h)
    put "cg.mint1.$a" "$(ir "$BIN/wif-mint" token --key "$T/$a.jwk" --iss $ISS --sub $SUB --aud $AUD --exp +1h)"
    put "cg.verify1.$a" "$(ir "$BIN/wif-verify" --jwks "$T/$a.pub.json" --iss $ISS --aud $AUD "$tok")"
done
if command -v jwt >/dev/null 2>&1 && [ -n "${JWT_KEYS:-}" ]; then
    # Go's asynchronous preemption signals crash callgrind (threads.c assertion); without them it counts
    export GODEBUG=asyncpreemptoff=1
    put cg.jwt.start "$(ir jwt -help)"
    for a in $ALGS; do
        [ -f "$JWT_KEYS/jwt.$a.tok" ] || continue
        put "cg.jwt.mint1.$a" "$(ir jwt -alg "$a" -key "$JWT_KEYS/jwt.$a.pem" -sign "$JWT_KEYS/claims.json")"
        put "cg.jwt.verify1.$a" "$(ir jwt -alg "$a" -key "$JWT_KEYS/jwt.$a.pub.pem" -verify "$JWT_KEYS/jwt.$a.tok")"
    done
fi
