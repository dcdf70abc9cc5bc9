#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh — `make bench`: one markdown table, measured in one run, of wif against the ceiling
# (`openssl speed` on one core) and its peers (Go `jwt`, C `jose`, Python PyJWT and joserfc).
#
#   0. set-up      bench/deps.sh (installs what is missing, as `make test` does), binaries, temp dir,
#                  machine facts, keys and tokens for every alg
#   per alg (ES256, EdDSA, RS256, HS256), interleaved so that compared figures are measured together:
#   1. ceiling     openssl speed on one core: ecdsap256 / ed25519 / rsa2048 sign/s and verify/s, or
#                  HMAC-SHA256 over a buffer as long as a real HS256 signing input
#   2. batch       wif-mint --count N and wif-verify --batch M on the same core, N and M calibrated to
#                  ~BENCH_SECONDS; 1 and 2 run BENCH_REPS rounds and keep the best of each
#   3. py peers    PyJWT and joserfc sign/verify loops in one Python process (bench/peers.py)
#   then:
#   4. memory      max RSS of wif-mint --count and wif-verify --batch at each N of BENCH_MEM_N
#   5. per process hyperfine: --version start-up against a C hello-world (gcc -O2), `jwt -help`,
#                  `jose alg`; one-token mint and verify per process against `jwt` and `jose`
#   6. instructions valgrind callgrind (bench/callgrind.sh): the same per-process operations of wif and `jwt`,
#                  counted in instructions, which a busy machine does not disturb
#   7. report      bench/report.py renders the tables; BENCH_WRITE=1 also writes BENCHMARKS.md
#
# Environment (all optional):
#   WIF_BIN_DIR          directory with wif-mint and wif-verify (default .build/release; when that has
#                        no binaries they are built with --scratch-path .build-bench)
#   BENCH_WRITE=1        also write the report to BENCHMARKS.md
#   BENCH_CPU=0          the core everything is pinned to (taskset), "" for no pinning
#   BENCH_CLOCK=cpu      cpu: rates per CPU-second (user+sys; openssl's default, user); wall: elapsed
#   BENCH_SECONDS=2      target length of each wif batch run
#   BENCH_SPEED_SECONDS=1  openssl speed -seconds (per operation)
#   BENCH_REPS=2         rounds of [openssl speed, wif batch] and of each Python loop; the best counts
#   BENCH_PY_SECONDS=0.75  length of each Python peer loop
#   BENCH_RUNS=30        hyperfine runs per per-process command, in all rounds together
#   BENCH_PP_ROUNDS=3    rounds of the per-process rows: each round runs wif and its peers for one operation in
#                        turn (BENCH_RUNS / rounds runs each, after 3 warm-up runs), so a drift of the machine
#                        during the run reaches both sides of a ratio; the statistic is over all rounds' runs
#   BENCH_STAT=median    per-process statistic reported: median, mean or min of the runs' wall times
#   BENCH_MEM_ALG=HS256  BENCH_MEM_N="10000 100000"   the memory rows
#   BENCH_SKIP="jwt jose pyjwt joserfc"  peers to leave out (shown as n/a)
#   BENCH_NO_INSTALL=1   never install anything (missing peers are n/a; missing hyperfine exits 2)
#   BENCH_CG_BASE=DIR    also count the instructions of the wif-mint and wif-verify in DIR (e.g. a build of
#                        main), shown as a "before" column; BENCH_SKIP="callgrind" leaves the counts out
# Progress goes to stderr; the report to stdout. Nothing here uses the network except bench/deps.sh,
# and that only to install what is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
START=$EPOCHREALTIME

BENCH_CPU=${BENCH_CPU-0}
BENCH_CLOCK=${BENCH_CLOCK:-cpu}
BENCH_SECONDS=${BENCH_SECONDS:-2}
BENCH_SPEED_SECONDS=${BENCH_SPEED_SECONDS:-1}
BENCH_REPS=${BENCH_REPS:-2}
BENCH_PY_SECONDS=${BENCH_PY_SECONDS:-0.75}
BENCH_RUNS=${BENCH_RUNS:-30}
BENCH_PP_ROUNDS=${BENCH_PP_ROUNDS:-3}
case $BENCH_PP_ROUNDS in '' | *[!0-9]* | 0) echo "bench: BENCH_PP_ROUNDS must be a positive integer" >&2; exit 2 ;; esac
BENCH_STAT=${BENCH_STAT:-median}
BENCH_SKIP=${BENCH_SKIP:-}
case $BENCH_STAT in median | mean | min) ;; *) echo "bench: BENCH_STAT must be median, mean or min" >&2; exit 2 ;; esac
BENCH_MEM_ALG=${BENCH_MEM_ALG:-HS256}
BENCH_MEM_N=${BENCH_MEM_N:-10000 100000}
ALGS="ES256 EdDSA RS256 HS256"
export BENCH_CLOCK BENCH_SKIP

ISS=https://ci.example
SUB=spiffe://example.org/ci/job
AUD=https://as.example/token

log() { echo "bench: [$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0fs", b - a }')] $*" >&2; }
die() { echo "bench: $*" >&2; exit 2; }

# --- 0. dependencies ------------------------------------------------------------------------------
bash "$ROOT/bench/deps.sh"
for c in hyperfine /usr/bin/time openssl gcc python3; do
    command -v "$c" >/dev/null 2>&1 || die "$c not found (see bench/deps.sh)"
done

# --- binaries ---------------------------------------------------------------------------------------
if [ -n "${WIF_BIN_DIR:-}" ]; then
    BIN=$(cd "$WIF_BIN_DIR" && pwd) || die "WIF_BIN_DIR=$WIF_BIN_DIR: no such directory"
    [ -x "$BIN/wif-mint" ] && [ -x "$BIN/wif-verify" ] || die "no wif-mint and wif-verify in $BIN"
else
    BIN=$ROOT/.build/release
    if ! [ -x "$BIN/wif-mint" ] || ! [ -x "$BIN/wif-verify" ]; then
        log "no release binaries in .build/release; building into .build-bench"
        ${SWIFT:-swift} build -c release --static-swift-stdlib --scratch-path "$ROOT/.build-bench" >&2
        BIN=$ROOT/.build-bench/release
    fi
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/wif-bench.XXXXXX")
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
R=$T/results.tsv
: >"$R"
put() { printf '%s\t%s\n' "$1" "$2" >>"$R"; }

PIN=()
if [ -n "$BENCH_CPU" ] && command -v taskset >/dev/null 2>&1 && taskset -c "$BENCH_CPU" true 2>/dev/null; then
    PIN=(taskset -c "$BENCH_CPU")
    put fact.pinned "core $BENCH_CPU (taskset)"
else
    put fact.pinned "no (taskset unavailable or BENCH_CPU empty)"
fi
run() { "${PIN[@]}" "$@"; }

# --- machine facts ------------------------------------------------------------------------------------
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo n/a; }
put fact.date "$(date -u '+%Y-%m-%d %H:%M UTC')"
put fact.machine "$(nproc) cores ($(nproc --all) online), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
put fact.os "$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -s), kernel $(uname -r)"
put fact.load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
put fact.wif "$("$BIN/wif-mint" --version) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')), ${BIN#"$ROOT"/}"
put fact.openssl "$(openssl version)"
put fact.jwt "$(ver jwt)"
put fact.jose "$(ver jose)"
put fact.hyperfine "$(hyperfine --version | cut -d' ' -f2)"
put fact.gcc "$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)"
put fact.python "$(python3 -c 'import platform; print(platform.python_version())')"
put fact.clock "$BENCH_CLOCK"

# --- fixtures ---------------------------------------------------------------------------------------------
CLAIMS=(--iss "$ISS" --sub "$SUB" --aud "$AUD" --exp +1h)
VCHECK=(--iss "$ISS" --aud "$AUD")
now=$(date +%s)
printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%d,"iat":%d,"jti":"bench-0001"}' \
    "$ISS" "$SUB" "$AUD" $((now + 3600)) "$now" >"$T/claims.json"
skipped() { case " ${BENCH_SKIP:-} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
have_jwt=0; command -v jwt >/dev/null 2>&1 && ! skipped jwt && have_jwt=1
have_jose=0; command -v jose >/dev/null 2>&1 && ! skipped jose && have_jose=1
for a in $ALGS; do
    "$BIN/wif-mint" key --alg "$a" --kid "bench-$a" --out "$T/$a.jwk"
    if [ "$a" = HS256 ]; then cp "$T/$a.jwk" "$T/$a.pub.json"; else "$BIN/wif-mint" jwks "$T/$a.jwk" >"$T/$a.pub.json"; fi
    "$BIN/wif-mint" token --key "$T/$a.jwk" "${CLAIMS[@]}" >"$T/one.$a"
    if [ $have_jwt = 1 ]; then # the Go command reads PEM (or raw HMAC key bytes), not JWK: its own key
        case $a in
            ES256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/jwt.$a.pem" ;;
            EdDSA) openssl genpkey -algorithm ED25519 -out "$T/jwt.$a.pem" ;;
            RS256) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/jwt.$a.pem" ;;
            HS256) openssl rand -out "$T/jwt.$a.pem" 32 ;;
        esac 2>/dev/null
        if [ "$a" = HS256 ]; then cp "$T/jwt.$a.pem" "$T/jwt.$a.pub.pem"
        else openssl pkey -in "$T/jwt.$a.pem" -pubout -out "$T/jwt.$a.pub.pem"; fi
        jwt -alg "$a" -key "$T/jwt.$a.pem" -sign "$T/claims.json" >"$T/jwt.$a.tok" 2>/dev/null || true
    fi
done
# HS256 ceiling: HMAC-SHA256 over as many bytes as a real signing input (header.payload)
SIGNING_INPUT=$(awk -F. '{ print length($1 "." $2); exit }' "$T/one.HS256")
put ceil.hmac.bytes "$SIGNING_INPUT"

# --- 1.+2.+4. per alg, interleaved so that what is compared is measured close together in time --------
# For each alg: calibrate N, then BENCH_REPS rounds of [openssl speed, wif-mint --count N,
# wif-verify --batch M], keeping the best rate of each (the least disturbed run on a busy machine), then
# the Python peers for that alg (best of BENCH_REPS loops each).
ELAPSED=(); [ "$BENCH_CLOCK" = wall ] && ELAPSED=(-elapsed)
speed() { # alg: print "sign/s verify/s" of openssl speed on one core
    local out
    case $1 in
        ES256) out=$(run openssl speed "${ELAPSED[@]}" -mr -seconds "$BENCH_SPEED_SECONDS" ecdsap256 2>/dev/null) ;;
        EdDSA) out=$(run openssl speed "${ELAPSED[@]}" -mr -seconds "$BENCH_SPEED_SECONDS" ed25519 2>/dev/null) ;;
        RS256) out=$(run openssl speed "${ELAPSED[@]}" -mr -seconds "$BENCH_SPEED_SECONDS" rsa2048 2>/dev/null) ;;
        HS256) out=$(run openssl speed "${ELAPSED[@]}" -mr -seconds "$BENCH_SPEED_SECONDS" \
            -hmac sha256 -bytes "$SIGNING_INPUT" 2>/dev/null) ;;
    esac || return 0
    # -mr lines: +F2:i:2048:sign/s:verify/s  +F4:i:256:sign/s:verify/s  +F6:i:253:Ed25519:sign/s:verify/s
    #            +F:i:hmac(sha256):bytes/s (one column: the -bytes size); HMAC signs and verifies alike
    awk -F: -v L="$SIGNING_INPUT" '
        $1 == "+F2" && $3 == 2048 { print $4, $5 }
        $1 == "+F4" && $3 == 256 { print $4, $5 }
        $1 == "+F6" && $4 == "Ed25519" { print $5, $6 }
        $1 == "+F" && $3 == "hmac(sha256)" { print $4 / L, $4 / L }' <<<"$out" | head -n 1
}
TIMEF='%e %U %S %M'
# seconds of the last timed run on the benchmark clock (/usr/bin/time -o; the last line holds the figures)
secs() {
    tail -n 1 "$T/time.out" | awk -v c="$BENCH_CLOCK" '{ s = (c == "wall") ? $1 : $2 + $3; if (s < 0.01) s = 0.01; print s }'
}
rss() { tail -n 1 "$T/time.out" | awk '{ print $4 }'; }
mint() { # alg n out
    run /usr/bin/time -f "$TIMEF" -o "$T/time.out" \
        "$BIN/wif-mint" token --key "$T/$1.jwk" "${CLAIMS[@]}" --count "$2" >"$3"
}
verify() { # alg in
    run /usr/bin/time -f "$TIMEF" -o "$T/time.out" \
        "$BIN/wif-verify" --jwks "$T/$1.pub.json" "${VCHECK[@]}" --batch <"$2" >/dev/null
}
repeat_lines() { # src n dst: the lines of src repeated up to n lines
    awk -v n="$2" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[i % NR + 1] }' "$1" >"$3"
}
# n for a run of about BENCH_SECONDS: quadruple from 500 until a run takes >= 0.3 s, then scale
calibrated() { # seconds n -> n
    awk -v s="$1" -v n="$2" -v t="$BENCH_SECONDS" 'BEGIN { m = int(n * t / s); if (m < 1000) m = 1000; if (m > 3000000) m = 3000000; print m }'
}
short() { awk -v s="$1" 'BEGIN { exit !(s < 0.3) }'; }
best() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (b > a) ? b : a }'; }
for a in $ALGS; do
    n=500
    while :; do
        mint "$a" "$n" /dev/null || die "wif-mint --count failed for $a"
        s=$(secs); short "$s" && [ "$n" -lt 1000000 ] || break
        n=$((n * 4))
    done
    nm=$(calibrated "$s" "$n")
    # a pool of distinct tokens for the verifiers (wif's input is this pool repeated)
    mint "$a" $((n < 20000 ? n : 20000)) "$T/$a.tok" || die "wif-mint --count failed for $a"
    m=500 verify_ok=1
    while :; do
        repeat_lines "$T/$a.tok" "$m" "$T/$a.vin"
        if ! verify "$a" "$T/$a.vin"; then verify_ok=0; break; fi
        s=$(secs); short "$s" && [ "$m" -lt 1000000 ] || break
        m=$((m * 4))
    done
    if [ $verify_ok = 1 ]; then
        m=$(calibrated "$s" "$m")
        repeat_lines "$T/$a.tok" "$m" "$T/$a.vin"
    else
        log "wif-verify --batch rejected $a tokens minted by wif-mint"
        put "wif.verify.$a" FAIL
    fi
    log "$a: $BENCH_REPS x [openssl speed, wif-mint --count $nm, wif-verify --batch ($m tokens)]"
    cs=0 cv=0 wm=0 wv=0
    for _ in $(seq "$BENCH_REPS"); do
        x='' y=''
        read -r x y <<<"$(speed "$a")" || true
        cs=$(best "$cs" "${x:-0}") cv=$(best "$cv" "${y:-0}")
        mint "$a" "$nm" /dev/null || die "wif-mint --count failed for $a"
        wm=$(best "$wm" "$(awk -v n="$nm" -v s="$(secs)" 'BEGIN { print n / s }')")
        put "wif.mint.rss.$a" "$(rss)"
        if [ $verify_ok = 1 ]; then
            if verify "$a" "$T/$a.vin"; then
                wv=$(best "$wv" "$(awk -v n="$m" -v s="$(secs)" 'BEGIN { print n / s }')")
                put "wif.verify.rss.$a" "$(rss)"
            else
                log "wif-verify --batch rejected $a tokens"; verify_ok=0; put "wif.verify.$a" FAIL
            fi
        fi
    done
    rm -f "$T/$a.vin"
    [ "$cs" != 0 ] && put "ceil.sign.$a" "$cs" && put "ceil.verify.$a" "$cv"
    [ "$cs" = 0 ] && log "openssl speed failed for $a; ceiling n/a"
    put "wif.mint.$a" "$wm"
    put "wif.mint.n.$a" "$nm"
    if [ $verify_ok = 1 ]; then put "wif.verify.$a" "$wv"; put "wif.verify.n.$a" "$m"; fi
    log "$a: PyJWT and joserfc, best of $BENCH_REPS x ${BENCH_PY_SECONDS}s per loop"
    run python3 "$ROOT/bench/peers.py" "$T" "$BENCH_PY_SECONDS" "$BENCH_REPS" "$a" >>"$R" ||
        log "python peers failed for $a"
done

# --- 4. memory: max RSS at two N ------------------------------------------------------------------------------
put mem.alg "$BENCH_MEM_ALG"
for n in $BENCH_MEM_N; do
    log "max RSS at N=$n ($BENCH_MEM_ALG)"
    if mint "$BENCH_MEM_ALG" "$n" "$T/mem.tok"; then put "mem.mint.$n" "$(rss)"; else put "mem.mint.$n" FAIL; fi
    if verify "$BENCH_MEM_ALG" "$T/mem.tok"; then put "mem.verify.$n" "$(rss)"; else put "mem.verify.$n" FAIL; fi
    rm -f "$T/mem.tok"
done

# --- 5. per-process costs with hyperfine ---------------------------------------------------------------------
# hf KEY CMD...: one round of CMD (BENCH_RUNS / BENCH_PP_ROUNDS runs after 3 warm-up runs), hyperfine's report
# kept as $T/pp/KEY.ROUND.json; a command that fails is marked KEY.fail and shows n/a. After the rounds, one
# Python process puts BENCH_STAT over all of each key's runs.
mkdir -p "$T/pp"
PP_RUNS=$(( (BENCH_RUNS + BENCH_PP_ROUNDS - 1) / BENCH_PP_ROUNDS ))
[ "$PP_RUNS" -ge 2 ] || PP_RUNS=2
hf() {
    local key=$1; shift
    [ -e "$T/pp/$key.fail" ] && return 0
    if ! "$@" >/dev/null 2>&1; then log "$key: '$*' fails; n/a"; : >"$T/pp/$key.fail"; return 0; fi
    if ! run hyperfine -N --style none --warmup 3 --runs "$PP_RUNS" --export-json "$T/pp/$key.$round.json" \
        -- "$(printf '%q ' "$@")" >/dev/null 2>&1; then
        log "$key: hyperfine failed; n/a"; : >"$T/pp/$key.fail"
    fi
}
log "per-process costs (hyperfine, $BENCH_RUNS runs each in $BENCH_PP_ROUNDS interleaved rounds)"
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$T/hello.c"
gcc -O2 -o "$T/hello" "$T/hello.c" || log "gcc failed: no C hello-world row"
for round in $(seq "$BENCH_PP_ROUNDS"); do
    if [ -x "$T/hello" ]; then hf pp.c.start "$T/hello"; fi
    hf pp.wif-mint.start "$BIN/wif-mint" --version
    hf pp.wif-verify.start "$BIN/wif-verify" --version
    if [ $have_jwt = 1 ]; then hf pp.jwt.start jwt -help; fi
    if [ $have_jose = 1 ]; then hf pp.jose.start jose alg; fi
    for a in $ALGS; do
        hf "pp.wif.mint1.$a" "$BIN/wif-mint" token --key "$T/$a.jwk" "${CLAIMS[@]}"
        if [ $have_jwt = 1 ]; then hf "pp.jwt.mint1.$a" jwt -alg "$a" -key "$T/jwt.$a.pem" -sign "$T/claims.json"; fi
        # jose has no EdDSA: its commands fail and show n/a
        if [ $have_jose = 1 ]; then hf "pp.jose.mint1.$a" jose jws sig -I "$T/claims.json" -k "$T/$a.jwk" -c; fi
        hf "pp.wif.verify1.$a" "$BIN/wif-verify" --jwks "$T/$a.pub.json" "${VCHECK[@]}" "$(cat "$T/one.$a")"
        if [ $have_jwt = 1 ]; then hf "pp.jwt.verify1.$a" jwt -alg "$a" -key "$T/jwt.$a.pub.pem" -verify "$T/jwt.$a.tok"; fi
        if [ $have_jose = 1 ]; then hf "pp.jose.verify1.$a" jose jws ver -i "$(cat "$T/one.$a")" -k "$T/$a.pub.json"; fi
    done
done
python3 - "$T/pp" "$BENCH_STAT" >>"$R" <<'PY'
import collections, json, os, statistics, sys
d, stat = sys.argv[1], sys.argv[2]
names = os.listdir(d)
failed = {n[:-5] for n in names if n.endswith(".fail")}
times = collections.defaultdict(list)
for n in names:
    key = n.rsplit(".", 2)[0]
    if n.endswith(".json") and key not in failed:
        times[key] += json.load(open(os.path.join(d, n)))["results"][0]["times"]
f = {"median": statistics.median, "mean": statistics.mean, "min": min}[stat]
for key in sorted(times):
    print(f"{key}\t{f(times[key])}")
PY

# --- 6. instructions (callgrind) ------------------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1 && ! skipped callgrind; then
    log "instructions per process (callgrind)"
    jk=""; [ $have_jwt = 1 ] && jk=$T
    JWT_KEYS=$jk ALGS=$ALGS bash "$ROOT/bench/callgrind.sh" "$BIN" "$T" >>"$R" || log "callgrind failed; n/a"
    if [ -n "${BENCH_CG_BASE:-}" ]; then
        mkdir -p "$T/base"
        cp "$T"/*.jwk "$T/base/"
        JWT_KEYS="" ALGS=$ALGS bash "$ROOT/bench/callgrind.sh" "$BENCH_CG_BASE" "$T/base" | sed 's/^cg\./base.cg./' >>"$R" ||
            log "callgrind of $BENCH_CG_BASE failed; n/a"
        put fact.cg_base "$BENCH_CG_BASE"
    fi
else
    log "valgrind not installed (or skipped): no instruction counts"
fi

# --- 7. report -----------------------------------------------------------------------------------------------
put fact.load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
put fact.duration "$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f s", b - a }')"
put fact.runs "$(( PP_RUNS * BENCH_PP_ROUNDS ))"
put fact.pp_rounds "$BENCH_PP_ROUNDS"
put fact.stat "$BENCH_STAT"
put fact.reps "$BENCH_REPS"
put fact.speed_seconds "$BENCH_SPEED_SECONDS"
python3 "$ROOT/bench/report.py" "$R" >"$T/report.md"
cat "$T/report.md"
if [ "${BENCH_WRITE:-0}" = 1 ]; then
    # Replaces only the "wif benchmark" section: the serve section (bench/serve.sh) and the dated
    # before/after tables of earlier issues stay.
    python3 - "$ROOT/BENCHMARKS.md" "$T/report.md" <<'EOF'
import os, re, sys
path, report = sys.argv[1], open(sys.argv[2]).read().rstrip() + "\n"
head = ("# Benchmarks\n\nThe latest table of `make bench` (bench/run.sh), measured in one run; "
        "regenerate with `BENCH_WRITE=1 make bench` on an otherwise idle machine.\n\n")
text = open(path).read() if os.path.exists(path) else head
m = re.search(r"^## wif benchmark .*?(?=^## |\Z)", text, flags=re.S | re.M)
text = text[:m.start()] + report + "\n" + text[m.end():] if m else head + report + "\n" + text[len(head):]
open(path, "w").write(text.rstrip() + "\n")
EOF
    log "wrote BENCHMARKS.md"
fi
