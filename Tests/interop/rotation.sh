#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A full signing-key rotation, old key -> new key, with every step checked by wif (the runbook of
# wif-verify(1), ROTATION). Run by Tests/interop/test_keys_rotation.py; the binaries come from $WIF_BIN_DIR.
# Times are fixed with --now, so the script is reproducible:
#   T0  the old key signs; T1 = T0 + 1d  the next key is pre-published;
#   T2 = T1 + 1d  signing switches (verifiers have refreshed their JWKS cache since T1);
#   T3 = T2 + 10m the old key is still needed; T4 = T2 + 1h + 60s  the old key is retired.
# Prints one "ok <step>" line per checked step and "rotation ok" at the end; exits non-zero on the first surprise.
set -euo pipefail

BIN=${WIF_BIN_DIR:?set WIF_BIN_DIR to the folder with wif-mint and wif-verify}
export PATH="$BIN:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

umask 077
printf 'rotation passphrase\n' > passphrase
KDF=(--insecure-kdf --kdf-memory 256 --kdf-time 1 --kdf-lanes 1)   # small Argon2id costs: a test, not production
PASS=(--passphrase-file passphrase)
ISS=https://ci.example
SUB=spiffe://example.org/ci/deploy
AUD=https://as.example/token
LIFE=1h
T0=1767323400
T1=$((T0 + 86400))
T2=$((T1 + 86400))
T3=$((T2 + 600))
T4=$((T2 + 3600 + 60))

ok() { echo "ok $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# expect STATUS CMD...: run CMD (stdout to ./out, stderr to ./err) and require its exit status.
expect() {
    local want=$1 got=0
    shift
    "$@" > out 2> err || got=$?
    [ "$got" = "$want" ] || fail "exit $got, expected $want: $* (stderr: $(cat err))"
}

# has_code CODE: the last jwks-check --json report holds a finding with this code.
has_code() { grep -q "\"code\":\"$1\"" out || fail "no finding $1 in: $(cat out)"; }

mint() {   # mint KEY NOW: a token valid for LIFE from NOW
    wif-mint token --key "$1" "${PASS[@]}" --iss "$ISS" --sub "$SUB" --aud "$AUD" --now "$2" --exp "+$LIFE"
}
verify() {   # verify STATUS JWKS NOW TOKEN
    expect "$1" wif-verify --jwks "$2" --iss "$ISS" --aud "$AUD" --now "$3" "$4"
}

# 0. Before the rotation: the old key signs and is the only published key.
wif-mint key --alg ES256 --kid 2026-01 --encrypt "${KDF[@]}" "${PASS[@]}" --out old.key
[ "$(stat -c %a old.key)" = 600 ] || fail "old.key is not mode 0600"
grep -q '"wif":"encrypted-key"' old.key || fail "old.key is not an encrypted key file"
wif-mint jwks "${PASS[@]}" old.key > jwks-1.json
expect 0 wif-verify jwks-check --published jwks-1.json --signing old.key "${PASS[@]}" --now "$T0"
old_token=$(mint old.key "$T0")
verify 0 jwks-1.json "$T0" "$old_token"
ok "0 the old key signs, published in jwks-1.json"

# 1. Generate the next key, encrypted at rest.
wif-mint key --alg ES256 --kid 2026-02 --encrypt "${KDF[@]}" "${PASS[@]}" --out new.key
[ "$(stat -c %a new.key)" = 600 ] || fail "new.key is not mode 0600"
expect 0 wif-mint key decrypt "${PASS[@]}" new.key
grep -q '"kid":"2026-02"' out || fail "new.key does not decrypt to kid 2026-02"
ok "1 next key generated and encrypted"

# 2. Pre-publish: both keys in jwks-2.json, the old key still signs.
wif-mint jwks "${PASS[@]}" old.key new.key > jwks-2.json
expect 0 wif-verify jwks-check --published jwks-2.json --previous jwks-1.json --signing old.key "${PASS[@]}" --now "$T1" --json
grep -q '"safe":true' out || fail "pre-publication not safe: $(cat out)"
# Switching now would break verifiers that still cache jwks-1.json ...
expect 1 wif-verify jwks-check --published jwks-2.json --previous jwks-1.json --signing new.key "${PASS[@]}" --now "$T1" --json
has_code signing_key_not_prepublished
# ... as a token of the new key shows against the cached set.
verify 1 jwks-1.json "$T1" "$(mint new.key "$T1")"
grep -q '(unknown_kid)' err || fail "expected unknown_kid: $(cat err)"
verify 0 jwks-2.json "$T1" "$(mint old.key "$T1")"
ok "2 next key pre-published; an early switch is refused"

# 3. Switch signing, once verifiers have had jwks-2.json for their cache lifetime: it is now the previous set.
expect 0 wif-verify jwks-check --published jwks-2.json --previous jwks-2.json --signing new.key "${PASS[@]}" --now "$T2"
last_old_token=$(mint old.key $((T2 - 1)))   # the old key's last token, signed just before the switch
new_token=$(mint new.key "$T2")
verify 0 jwks-2.json "$T2" "$new_token"
verify 0 jwks-2.json "$T2" "$last_old_token"
ok "3 signing switched to the new key; old and new tokens verify"

# 4. Retire the old key after the token lifetime.
wif-mint jwks "${PASS[@]}" new.key > jwks-3.json
# Too early: the old key's last token is still valid, and jwks-3.json would reject it.
expect 1 wif-verify jwks-check --published jwks-3.json --previous jwks-2.json --signing new.key "${PASS[@]}" \
    --max-token-lifetime "$LIFE" --retired-at "$T2" --now "$T3" --json
has_code removed_key_tokens_alive
verify 0 jwks-2.json "$T3" "$last_old_token"
verify 1 jwks-3.json "$T3" "$last_old_token"
# Without --retired-at the check assumes the old key signed until now: still unsafe.
expect 1 wif-verify jwks-check --published jwks-3.json --previous jwks-2.json --signing new.key "${PASS[@]}" \
    --max-token-lifetime "$LIFE" --now "$T4"
grep -q '^error removed_key_tokens_alive: ' out || fail "expected removed_key_tokens_alive: $(cat out)"
# Still signing with the old key while removing it: unsafe twice over.
expect 1 wif-verify jwks-check --published jwks-3.json --previous jwks-2.json --signing old.key "${PASS[@]}" \
    --max-token-lifetime "$LIFE" --retired-at "$T2" --now "$T4" --json
has_code signing_key_unpublished
# After last signature + lifetime + leeway: safe, and every old token has expired.
expect 0 wif-verify jwks-check --published jwks-3.json --previous jwks-2.json --signing new.key "${PASS[@]}" \
    --max-token-lifetime "$LIFE" --retired-at "$T2" --now "$T4" --json
grep -q '"safe":true' out || fail "retirement not safe: $(cat out)"
verify 1 jwks-2.json "$T4" "$last_old_token"
grep -q '(expired)' err || fail "expected the old token to have expired: $(cat err)"
ok "4 old key retired after the token lifetime"

# 5. After the rotation: the new key signs, alone in the published set.
expect 0 wif-verify jwks-check --published jwks-3.json --signing new.key "${PASS[@]}" --now "$T4"
verify 0 jwks-3.json "$T4" "$(mint new.key "$T4")"
verify 1 jwks-3.json "$T4" "$(mint old.key "$T4")"
ok "5 only the new key signs and is published"
echo "rotation ok"
