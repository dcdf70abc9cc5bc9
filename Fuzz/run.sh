#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds (Fuzz/build.sh) and runs each fuzz target for SECONDS seconds, one after another.
#
# usage: Fuzz/run.sh SECONDS [target ...]
# Seeds: Fuzz/corpus/<target>/ (read only). New inputs: .build-fuzz/corpus/<target>/. Crashes, leaks and
# timeouts: Fuzz/artifacts/<target>/ (git-ignored). Logs: .build-fuzz/logs/<target>.log.
# Exit status: 0 when no target found anything, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${FUZZ_BUILD:-.build-fuzz}
SECS=${1:?usage: Fuzz/run.sh SECONDS [target ...]}
shift
TARGETS=${*:-token jwk pem form json time inspect replay dpop}
Fuzz/build.sh $TARGETS || exit 2

# Longest input per target: enough for the documented bounds the target exercises, small enough to stay fast.
max_len() {
    case $1 in
        token) echo 16384 ;;    # past the 8 KiB decoded-header bound (its base64url is 10924 bytes)
        jwk) echo 16384 ;;      # an RSA-16384 private JWK without CRT members is ~11 KB
        pem) echo 12288 ;;      # an RSA-16384 PKCS#8 PEM is ~12 KB
        form) echo 16384 ;;
        json) echo 16384 ;;
        time) echo 64 ;;
        inspect) echo 16384 ;;
        replay) echo 4096 ;;    # about 70 lines: enough for ordering, duplicates and a damaged line among good ones
        dpop) echo 17408 ;;     # past the 16 KiB proof bound (DPoP.maxProofSize)
    esac
}
dict() { case $1 in json|jwk|inspect|token|dpop) echo -dict=Fuzz/dict/json.dict ;; esac; }

export SWIFT_BACKTRACE=enable=no           # libFuzzer reports crashes itself; the Swift backtracer is slow
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0}
mkdir -p "$OUT/logs"
status=0
printf '%-8s %12s %9s %s\n' target execs exec/s result
for t in $TARGETS; do
    mkdir -p "$OUT/corpus/$t" "Fuzz/artifacts/$t"
    log="$OUT/logs/$t.log"
    # shellcheck disable=SC2046
    "$OUT/bin/fuzz-$t" "$OUT/corpus/$t" "Fuzz/corpus/$t" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=5 \
        -max_len="$(max_len "$t")" $(dict "$t") -artifact_prefix="Fuzz/artifacts/$t/" -print_final_stats=1 \
        >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ $rc -eq 0 ]; then result=clean; else
        status=1
        result="FOUND: $(grep -m1 -E 'ERROR: |Fatal error|invariant' "$log" | cut -c1-100) ($(ls "Fuzz/artifacts/$t" | tail -1))"
    fi
    printf '%-8s %12s %9s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$result"
done
exit $status
