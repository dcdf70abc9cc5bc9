#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/serve.sh — the load test of `wif-verify serve` (issue 13), run by `make bench` after bench/run.sh.
#
#   1. ceiling   openssl speed ecdsap256 on the server's core: one token request costs one ES256 verify (the
#                assertion) and one ES256 sign (the access token), so the ceiling is 1 / (1/sign + 1/verify)
#   2. wrk       POST /token at BENCH_SERVE_CONNS connections (default 32) for BENCH_SERVE_SECONDS, each request
#                a fresh assertion (replay detection is on: every jti is new), the server pinned to one core
#                and wrk to the other; requests/s, p50/p99 latency, non-200 answers
#   1 and 2 run in BENCH_SERVE_ROUNDS interleaved rounds (default 3: a fresh server, its warm-up, the ceiling,
#   the load), and the round with the median ratio is reported, every round's ratio beside it: on a shared
#   machine one run's ratio moved from 0.65 to 0.73 between runs 15 minutes apart with the same binary
#   3. memory    the server's RSS after BENCH_SERVE_MEM_N requests (10,000 and 100,000 by default), and its
#                replay-cache entries (each remembered jti costs memory until the token expires)
#   4. peer      the same load against Authlib's RFC 7523 grant (Flask, served by Werkzeug's threaded WSGI
#                server) in bench/authlib_server.py, when Authlib and Flask import; the ratio wif / Authlib
# Prints a markdown section; with BENCH_WRITE=1 it also replaces the "serve" section of BENCHMARKS.md.
# Environment: WIF_BIN_DIR (default .build/release), BENCH_SERVE_SECONDS=10, BENCH_SERVE_ROUNDS=3, BENCH_SERVE_CONNS=32,
# BENCH_SERVE_CPU=0 (server core; wrk gets the other), BENCH_SERVE_MEM_N="10000 100000", BENCH_SKIP="authlib".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$(cd "${WIF_BIN_DIR:-$ROOT/.build/release}" && pwd)
SECONDS_=${BENCH_SERVE_SECONDS:-10}
ROUNDS=${BENCH_SERVE_ROUNDS:-3}
CONNS=${BENCH_SERVE_CONNS:-32}
CPU=${BENCH_SERVE_CPU:-0}
MEM_N=${BENCH_SERVE_MEM_N:-10000 100000}
OTHER=$(( (CPU + 1) % $(nproc) ))
die() { echo "bench/serve: $*" >&2; exit 2; }
log() { echo "bench/serve: $*" >&2; }
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && [ -z "${BENCH_NO_INSTALL:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || true
fi
for c in wrk openssl taskset curl python3; do command -v $c >/dev/null || die "$c not found (run: apt-get install wrk)"; done
[ -x "$BIN/wif-verify" ] && [ -x "$BIN/wif-serve" ] || die "no wif-verify and wif-serve in $BIN"

T=$(mktemp -d "${TMPDIR:-/tmp}/wif-bench-serve.XXXXXX")
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

ISS=https://ci.example
AUD=https://as.example
JWT_BEARER=urn:ietf:params:oauth:grant-type:jwt-bearer
"$BIN/wif-mint" key --alg ES256 --kid idp --out "$T/idp.jwk"
"$BIN/wif-mint" jwks "$T/idp.jwk" >"$T/idp.jwks"
"$BIN/wif-mint" key --alg ES256 --kid as --out "$T/as.jwk"

# Enough assertions for every run: each wrk thread takes its own slice, one fresh jti per request.
max_n=0; for n in $MEM_N; do [ "$n" -gt "$max_n" ] && max_n=$n; done
NTOK=$(( max_n > 400000 ? max_n : 400000 ))
log "minting $NTOK assertions"
"$BIN/wif-mint" token --key "$T/idp.jwk" --iss "$ISS" --sub spiffe://example.org/ci/job --aud "$AUD" \
    --exp +1h --count "$NTOK" >"$T/tokens"

cat >"$T/post.lua" <<'EOF'
-- Each thread reads the assertion file and takes every THREADS-th line from its own offset.
local counter, threads = 0, {}
function setup(thread) thread:set("id", counter); counter = counter + 1; table.insert(threads, thread) end
function init(args)
  nthreads = tonumber(args[2]); tokens = {}; local n = 0
  for line in io.lines(args[1]) do
    if n % nthreads == id then tokens[#tokens + 1] = line end
    n = n + 1
  end
  i = tonumber(args[3]) or 0  -- skip what earlier runs against the same server used
end
function request()
  i = i + 1
  if i > #tokens then i = 1 end
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"},
    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" .. tokens[i])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f errors=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests))
end
EOF

# wrk URL SECONDS -> "RESULT ..." line; two threads so the load generator is not the bottleneck. Each thread skips
# the assertions earlier runs against the same server took: all of USED (a count of requests), not its half, since
# the two threads need not have shared the earlier run evenly (pinned to one core they do not), plus 2000 to spare.
USED=0
load() {
    local out
    out=$(taskset -c "$OTHER" wrk -t2 -c"$CONNS" -d"$2"s --latency -s "$T/post.lua" "$1/token" -- "$T/tokens" 2 \
        $(( USED + 2000 )) | grep '^RESULT')
    USED=$(( USED + $(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out") + 4000 ))
    echo "$out"
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

start_wif() { # -> sets URL, SERVER_PID
    rm -f "$T/url" "$T/events.log"
    USED=0
    taskset -c "$CPU" "$BIN/wif-verify" serve --jwks "$T/idp.jwks" --iss "$ISS" --aud "$AUD" \
        --issuer-key "$T/as.jwk" --port-file "$T/url" --log "$T/events.log" --max-connections 1024 \
        --timeout 600 >"$T/serve.out" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do [ -s "$T/url" ] && break; sleep 0.05; done
    URL=$(cat "$T/url")
}
stop_server() { kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# CPU seconds (user + system) the process has used: the machine is shared, so rates per CPU second are the
# figure comparable with openssl speed (which reports per CPU second too).
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# --- 1 and 2. ceiling and wif under wrk, in interleaved rounds ------------------------------------------------
rounds=""
for round in $(seq "$ROUNDS"); do
    speed=$(taskset -c "$CPU" openssl speed -mr -seconds 2 ecdsap256 2>/dev/null | grep '^+F4:' | head -1)
    r_sign=$(cut -d: -f4 <<<"$speed"); r_verify=$(cut -d: -f5 <<<"$speed")
    r_ceiling=$(awk -v s="$r_sign" -v v="$r_verify" 'BEGIN { printf "%.0f", 1 / (1/s + 1/v) }')
    start_wif
    log "round $round: ceiling sign $r_sign/s verify $r_verify/s -> $r_ceiling/s; wif $URL, warm-up 2 s, then ${SECONDS_} s at $CONNS connections"
    load "$URL" 2 >"$T/r"
    c0=$(cpu_s "$SERVER_PID")
    load "$URL" "$SECONDS_" >"$T/r"; r=$(cat "$T/r")
    c1=$(cpu_s "$SERVER_PID")
    stop_server
    r_cpu=$(awk -v n="$(field requests "$r")" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.0f", n / (b - a) }')
    r_frac=$(awk -v a="$r_cpu" -v c="$r_ceiling" 'BEGIN { printf "%.3f", a / c }')
    log "round $round: $r, per CPU second $r_cpu, ratio $r_frac"
    rounds+="$r_frac $r_sign $r_verify $r_ceiling $r_cpu $r"$'\n'
done
# The median round by ratio (sort is numeric on the first field).
med=$(sort -n <<<"${rounds%$'\n'}" | sed -n "$(( (ROUNDS + 1) / 2 ))p")
read -r _ sign verify ceiling wif_cpu r <<<"$med"
all_fracs=$(cut -d' ' -f1 <<<"${rounds%$'\n'}" | awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 }')
wif_rps=$(field rps "$r"); wif_p50=$(field p50 "$r"); wif_p99=$(field p99 "$r"); wif_non2xx=$(field non2xx "$r")
wif_errors=$(field errors "$r")

# --- 3. memory over N requests --------------------------------------------------------------------------------
mem_rows=""
start_wif
done_n=0
base_rss=$(rss_kib "$SERVER_PID")
for n in $MEM_N; do
    # wrk runs by time, not count: run until the server has answered n requests in all.
    while :; do
        answered=$(grep -c '"path":"/token"' "$T/events.log" || true)
        [ "$answered" -ge "$n" ] && break
        load "$URL" 1 >"$T/r"
    done
    mem_rows+="| RSS after $answered token requests | $(awk -v k="$(rss_kib "$SERVER_PID")" 'BEGIN{printf "%.1f", k/1024}') MiB |"$'\n'
done
stop_server
entries=$(grep -o '"replay_entries":[0-9]*' "$T/events.log" | tail -1 | cut -d: -f2)
non200=$(grep '"path":"/token"' "$T/events.log" | grep -vc '"status":200' || true)

# --- 4. Authlib -----------------------------------------------------------------------------------------------
peer_row="| Authlib (Flask, Werkzeug threaded) | n/a | n/a | n/a | n/a | n/a |"
ratio="n/a"; ratio_cpu="n/a"
case " ${BENCH_SKIP:-} " in *" authlib "*) skip_peer=1 ;; *) skip_peer=0 ;; esac
if [ $skip_peer = 0 ] && python3 -c 'import authlib, flask' 2>/dev/null; then
    rm -f "$T/peer.url"
    taskset -c "$CPU" python3 "$ROOT/bench/authlib_server.py" "$T/idp.jwks" "$T/as.jwk" "$ISS" "$AUD" "$T/peer.url" \
        >"$T/peer.out" 2>&1 &
    SERVER_PID=$!
    USED=0
    for _ in $(seq 200); do [ -s "$T/peer.url" ] && break; sleep 0.05; done
    PURL=$(cat "$T/peer.url")
    # The same assertions again would be replays: mint a second set for the peer.
    "$BIN/wif-mint" token --key "$T/idp.jwk" --iss "$ISS" --sub spiffe://example.org/ci/job --aud "$AUD" \
        --exp +1h --count "$NTOK" >"$T/tokens"
    load "$PURL" 2 >"$T/r"
    c0=$(cpu_s "$SERVER_PID")
    load "$PURL" "$SECONDS_" >"$T/r"; pr=$(cat "$T/r")
    c1=$(cpu_s "$SERVER_PID")
    p_cpu=$(awk -v n="$(field requests "$pr")" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.0f", n / (b - a) }')
    stop_server
    log "authlib: $pr"
    p_rps=$(field rps "$pr")
    peer_row="| Authlib (Flask, Werkzeug threaded) | $(printf "%'.0f" "$p_rps") | $(printf "%'.0f" "$p_cpu") | $(field p50 "$pr") | $(field p99 "$pr") | $(field non2xx "$pr") |"
    ratio=$(awk -v a="$wif_rps" -v b="$p_rps" 'BEGIN { printf "%.1f", a / b }')
    ratio_cpu=$(awk -v a="$wif_cpu" -v b="$p_cpu" 'BEGIN { printf "%.1f", a / b }')
fi

frac=$(awk -v a="$wif_rps" -v c="$ceiling" 'BEGIN { printf "%.2f", a / c }')
frac_cpu=$(awk -v a="$wif_cpu" -v c="$ceiling" 'BEGIN { printf "%.2f", a / c }')
report=$(cat <<EOF
## serve — $(date -u '+%Y-%m-%d %H:%M UTC')

\`bench/serve.sh\`: POST /token (one ES256 assertion verified, one ES256 access token signed, replay cache on,
every jti fresh) at $CONNS connections for ${SECONDS_} s; server pinned to core $CPU, wrk (2 threads) to core $OTHER;
$(nproc) cores, load average at end $(cut -d' ' -f1-3 /proc/loadavg); wif $("$BIN/wif-verify" --version) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')).

| server | token requests/s (wall) | per CPU second | p50 ms | p99 ms | non-2xx |
|---|---:|---:|---:|---:|---:|
| ceiling: openssl speed ecdsap256, 1/(1/sign + 1/verify) (sign $sign/s, verify $verify/s) | — | $(printf "%'.0f" "$ceiling") | — | — | — |
| wif-verify serve | $(printf "%'.0f" "$wif_rps") | $(printf "%'.0f" "$wif_cpu") | $wif_p50 | $wif_p99 | $wif_non2xx |
$peer_row

- wif / ceiling: **$frac_cpu** per CPU second, $frac wall-clock (target ≥ 0.7), the median of $ROUNDS interleaved rounds
  (ceiling, then a fresh server under load) whose per-CPU-second ratios were $all_fracs; wif / Authlib: **$ratio_cpu** per
  CPU second, $ratio wall-clock; socket errors during that wif run: $wif_errors. non-2xx as wrk counts them.

| memory (RSS of the server, one process) | |
|---|---:|
| at start | $(awk -v k="$base_rss" 'BEGIN{printf "%.1f", k/1024}') MiB |
$mem_rows| replay-cache entries at the end (live jti, remembered until exp + leeway) | $entries |
| token requests not answered 200 in the memory run | $non200 |
EOF
)
echo "$report"
if [ "${BENCH_WRITE:-}" = 1 ]; then
    python3 - "$ROOT/BENCHMARKS.md" "$report" <<'EOF'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip() + "\n"
text = open(path).read()
m = re.search(r"^## serve .*?(?=^## |\Z)", text, flags=re.S | re.M)
text = text[:m.start()] + section + "\n" + text[m.end():] if m else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
EOF
fi
