#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets with swiftc directly, outside SwiftPM, so the normal package is untouched:
# Core's sources are compiled once into a static library (module Core) instrumented with
# -sanitize=fuzzer,address, then each target links its entry file (Fuzz/Sources/<target>.swift, which
# defines LLVMFuzzerTestOneInput with @_cdecl) and Fuzz/Sources/Support.swift against it.
#
# usage: Fuzz/build.sh [target ...]     (no target: all of them)
# env:   FUZZ_BUILD (default .build-fuzz), SWIFTC (default swiftc), CLANG (default clang), FUZZ_OPT (default -O)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${FUZZ_BUILD:-.build-fuzz}
SWIFTC=${SWIFTC:-swiftc}
CLANG=${CLANG:-clang}
OPT=${FUZZ_OPT:--O}
ALL_TARGETS="token jwk pem form json time inspect replay dpop"
TARGETS=${*:-$ALL_TARGETS}
SAN=(-sanitize=fuzzer,address)
LIBS=($(pkg-config --libs libcrypto libargon2))
mkdir -p "$OUT/core" "$OUT/bin"

# Core is compiled from a snapshot (other builds and editors may touch Sources/ meanwhile), and rebuilt only
# when the snapshot differs from Sources/.
SRC="$OUT/src"
lib="$OUT/core/libCore.a"
if [ ! -f "$lib" ] || ! diff -rq Sources/Core "$SRC/Core" >/dev/null 2>&1; then
    rm -rf "$SRC" && mkdir -p "$SRC"
    cp -R Sources/Core Sources/COpenSSL Sources/CArgon2 Sources/CStaticLink "$SRC/"
    # CStaticLink is a C target: SwiftPM makes its module map and compiles its sources; here the same, by hand
    # (without WIF_STATIC_LINK, as in debug builds: glibc's own resolver stays).
    printf 'module CStaticLink {\n    header "process_shim.h"\n    header "static_link.h"\n    export *\n}\n' \
        > "$SRC/CStaticLink/include/module.modulemap"
    echo "fuzz: building CStaticLink"
    rm -f "$OUT/core/libCStaticLink.a"
    for c in "$SRC"/CStaticLink/*.c; do
        "$CLANG" -c -O1 -fsanitize=fuzzer-no-link,address -I "$SRC/CStaticLink/include" "$c" \
            -o "$OUT/core/$(basename "$c" .c).o"
    done
    ar rcs "$OUT/core/libCStaticLink.a" "$OUT"/core/*.o
    echo "fuzz: building Core ($OPT, fuzzer+address instrumentation)"
    find "$SRC/Core" -name '*.swift' | sort > "$OUT/core/sources.txt"
    "$SWIFTC" -parse-as-library -module-name Core -swift-version 6 $OPT -wmo "${SAN[@]}" \
        -I "$SRC/COpenSSL" -I "$SRC/CArgon2" -I "$SRC/CStaticLink/include" \
        -emit-module -emit-module-path "$OUT/core/Core.swiftmodule" \
        -emit-library -static -o "$lib.tmp" @"$OUT/core/sources.txt"
    mv "$lib.tmp" "$lib"
fi

for t in $TARGETS; do
    src=Fuzz/Sources/$t.swift
    [ -f "$src" ] || { echo "fuzz: no target $t ($src)" >&2; exit 2; }
    bin="$OUT/bin/fuzz-$t"
    if [ -f "$bin" ] && [ "$bin" -nt "$lib" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt Fuzz/Sources/Support.swift ]; then
        continue
    fi
    echo "fuzz: building fuzz-$t"
    "$SWIFTC" -parse-as-library -module-name "Fuzz_$t" -swift-version 6 $OPT "${SAN[@]}" -I "$SRC/COpenSSL" -I "$SRC/CArgon2" \
        -I "$SRC/CStaticLink/include" -I "$OUT/core" -use-ld=lld "$src" Fuzz/Sources/Support.swift "$lib" \
        "$OUT/core/libCStaticLink.a" "${LIBS[@]}" -o "$bin"
done
