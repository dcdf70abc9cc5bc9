#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/deps.sh — install what `make bench` needs, the way `make test` does.
#
# Required (Debian): hyperfine, time (/usr/bin/time), gcc + libc6-dev (C hello-world), openssl,
# util-linux (taskset). Missing ones are installed with apt-get when run as root; otherwise the exact
# apt-get line is printed and the script exits 2.
# Peers (optional; a missing peer shows as n/a in the table): Debian `jwt` (Go) and `jose` (C),
# Python `pyjwt` and `joserfc` (+ `cryptography`); valgrind for the instruction counts. Installed when possible,
# never fatal.
#
# This is the only part of the benchmark that may use the network, and only when something is missing.
# BENCH_NO_INSTALL=1 checks without installing (required ones missing -> exit 2).
set -euo pipefail

need_deb() { # package -> missing?
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' && return 1 || return 0
}

required=""
for p in hyperfine time gcc libc6-dev openssl util-linux; do
    if need_deb "$p"; then required="$required $p"; fi
done
optional=""
for p in jwt jose valgrind; do
    if need_deb "$p"; then optional="$optional $p"; fi
done

apt_install() { # packages...
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ -n "$required" ]; then
    if [ "$(id -u)" = 0 ] && [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
        echo "bench: installing:$required" >&2
        # shellcheck disable=SC2086
        apt_install $required || { echo "bench: apt-get install failed" >&2; exit 2; }
    else
        echo "bench: make bench needs Debian packages:$required" >&2
        echo "run: sudo apt-get install -y$required" >&2
        exit 2
    fi
fi

if [ -n "$optional" ]; then
    if [ "$(id -u)" = 0 ] && [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
        echo "bench: installing peers:$optional" >&2
        # shellcheck disable=SC2086
        apt_install $optional || echo "bench: could not install$optional; shown as n/a" >&2
    else
        echo "bench: peers missing (shown as n/a):$optional; to add them: sudo apt-get install -y$optional" >&2
    fi
fi

if command -v python3 >/dev/null 2>&1; then
    missing=""
    for m in jwt:pyjwt joserfc:joserfc cryptography:cryptography; do
        python3 -c "import ${m%%:*}" 2>/dev/null || missing="$missing ${m#*:}"
    done
    if [ -n "$missing" ]; then
        if [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
            echo "bench: installing python modules:$missing" >&2
            # shellcheck disable=SC2086
            python3 -m pip install -q $missing >&2 ||
                echo "bench: could not install$missing (run: python3 -m pip install$missing); shown as n/a" >&2
        else
            echo "bench: python modules missing (shown as n/a):$missing" >&2
        fi
    fi
else
    echo "bench: python3 not found; Python peers shown as n/a" >&2
fi
exit 0
