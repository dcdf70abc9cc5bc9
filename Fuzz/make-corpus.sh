#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates the seed corpora under Fuzz/corpus/<target>/ from the fixed fuzz keys (Fuzz/keys/), RFC
# vectors and hand-written edge cases. Needs built tools: BIN (default .build/debug) and openssl.
# Seeds are small on purpose; libFuzzer grows its working corpus under .build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug}
C=Fuzz/corpus
K=Fuzz/keys
NOW=1767323400
chmod 600 $K/*.jwk
rm -rf "$C" && mkdir -p "$C"/{token,jwk,pem,form,json,time,inspect,replay,dpop}
seed() { printf "%s" "$3" > "$C/$1/$2"; }
mint() { "$BIN/wif-mint" token --now $NOW --iat $NOW --jti "fuzz-$RANDOM" "$@"; }

# --- token: one valid token per key and a few profile shapes, RFC 7515 vectors, known-bad forms
common=(--iss https://ci.example --sub spiffe://example.org/ci/job --aud https://as.example/token --exp +10m)
for a in es256 rs256 eddsa hs256; do
    mint -k $K/$a.jwk "${common[@]}" > $C/token/$a-valid
    mint -k $K/$a.jwk "${common[@]}" --act spiffe://example.org/agent --act spiffe://example.org/ci \
        --scope "read write" --claim client_id=ci > $C/token/$a-act
done
mint -k $K/es256.jwk "${common[@]}" --exp $((NOW - 3600)) --iat $((NOW - 7200)) > $C/token/es256-expired
mint -k $K/eddsa.jwk --sub x --aud https://as.example/token --no-exp --kid "" > $C/token/eddsa-nokid-noexp
mint -k $K/hs256.jwk "${common[@]}" --header crit='["x"]' --header x=1 > $C/token/hs256-crit
mint -k $K/hs256.jwk "${common[@]}" --claim 'aud=["a","https://as.example/token"]' --claim exp=1.7673234e9 \
    > $C/token/hs256-aud-array
seed token rfc7515-a1 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
seed token rfc7515-a3 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q'
seed token rfc7519-unsecured 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.'
seed token jwe 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d'
seed token empty-segments '..'
# Structure-aware seeds: PAYLOAD or HEADER\nPAYLOAD JSON, which fuzz-token signs with the HS256 key itself.
python3 - "$C/token" $NOW <<'PY'
import base64, json, sys
d, now = sys.argv[1], int(sys.argv[2])
dec = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
for name in ("hs256-act", "es256-valid", "hs256-aud-array"):
    h, p, _ = open(f"{d}/{name}").read().split(".")
    open(f"{d}/claims-{name}", "wb").write(dec(p))
    open(f"{d}/header-claims-{name}", "wb").write(dec(h) + b"\n" + dec(p))
c = {"iss": "https://ci.example", "sub": "spiffe://example.org/ci/job", "aud": ["https://as.example/token"],
     "exp": now + 300, "iat": now, "nbf": now - 10, "jti": "j1", "client_id": "ci", "scope": "a b",
     "may_act": {"sub": "x"}, "act": {"sub": "spiffe://example.org/agent", "act": {"sub": "y"}}}
open(f"{d}/claims-everything", "w").write(json.dumps(c, separators=(",", ":")))
open(f"{d}/header-claims-crit", "w").write(
    '{"alg":"HS256","kid":"fuzz-hs256","crit":["exp"],"b64":false,"cty":"JWT"}\n' + json.dumps(c))
PY

# --- jwk: the fuzz keys (private and public), other algorithms, RFC 7517/8037 keys, odd sets
cp $K/public.jwks $C/jwk/public.jwks
for a in es256 rs256 eddsa hs256; do cp $K/$a.jwk $C/jwk/$a.jwk; done
for a in ES384 ES512 ES256K PS256 HS512; do "$BIN/wif-mint" key --alg $a --kid $a > $C/jwk/$a.jwk; done
"$BIN/wif-mint" key --alg EdDSA --crv Ed448 > $C/jwk/ed448.jwk
seed jwk rfc8037-a1 '{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
seed jwk rfc7515-a3 '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}'
seed jwk mixed-set '{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","use":"enc"},{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},{"kty":"oct","k":"c2hvcnQ"},1,{"kty":"RSA","n":"AQAB","e":"AQAB"}],"spiffe_sequence":1}'
cp Tests/Fixtures/argon2/rfc7515-a3.wif-key $C/jwk/encrypted.wif-key
python3 - "$C/jwk/rsa-no-crt" "$K/rs256.jwk" <<'PY'
import json, sys
k = json.load(open(sys.argv[2]))
for m in ("p", "q", "dp", "dq", "qi"): k.pop(m, None)
open(sys.argv[1], "w").write(json.dumps(k, separators=(",", ":")))
PY

# --- pem: PKCS#8 private keys, SPKI public keys, PKCS#1 and SEC1, an encrypted PKCS#8 key
for a in ES256 ES384 RS256 EdDSA; do
    "$BIN/wif-mint" key --alg $a --pem > $C/pem/$a-pkcs8.pem
    openssl pkey -in $C/pem/$a-pkcs8.pem -pubout -out $C/pem/$a-spki.pem
done
openssl pkey -in $C/pem/RS256-pkcs8.pem -traditional -out $C/pem/RS256-pkcs1.pem
openssl pkey -in $C/pem/ES256-pkcs8.pem -traditional -out $C/pem/ES256-sec1.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:fuzz -in $C/pem/ES256-pkcs8.pem -out $C/pem/ES256-encrypted.pem

# --- form: token requests for each grant, and odd encodings
tok=$(cat $C/token/es256-valid)
"$BIN/wif-mint" request "$tok" --scope "read write" --resource https://mcp.example.com > $C/form/jwt-bearer
printf '%s' "$tok" > /tmp/wif-fuzz-tok.$$
"$BIN/wif-mint" request --grant client-credentials --client-assertion /tmp/wif-fuzz-tok.$$ --scope admin > $C/form/client-credentials
"$BIN/wif-mint" request --grant token-exchange --subject-token /tmp/wif-fuzz-tok.$$ --actor-token /tmp/wif-fuzz-tok.$$ \
    --audience a --audience b --requested-token-type urn:ietf:params:oauth:token-type:jwt > $C/form/token-exchange
rm -f /tmp/wif-fuzz-tok.$$
seed form odd 'grant_type=urn%3aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c&scope=a+b&x=%F0%9F%98%80&y&=z'
seed form repeated 'grant_type=client_credentials&scope=root&scope=x&resource=a&resource=b'

# --- json: headers, claims, sets, escapes, numbers, nesting
cp $K/public.jwks $C/json/jwks
seed json header '{"alg":"ES256","typ":"JWT","kid":"fuzz-es256"}'
seed json claims '{"iss":"https://ci.example","sub":"spiffe://example.org/ci/job","aud":["a","b"],"exp":1767323700,"iat":1.7673234e9,"act":{"sub":"x","act":{"sub":"y"}},"may_act":{},"n":null,"t":true,"f":false}'
seed json escapes '["\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r\u0000", "é", "\u2028", -0.0e+10, 123456789012345678901234567890]'
seed json nested '[[[[[[[[[[[[[[[[{"a":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}]]]]]]]]]]]]]]]]'
seed json wide '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18}'

# --- time: durations, instants, RFC 3339
i=0
for t in 30 30s 5m 1h 2d 9999999999999 +300 +5m -1h +2d 1767323400 2026-01-02T03:10:00Z \
         2026-01-02t03:10:00.123456+05:30 '2024-02-29 23:59:60-00:00' 0000-01-01T00:00:00Z 9999-12-31T23:59:59Z; do
    seed time "seed-$i" "$t"; i=$((i + 1))
done

# --- inspect: one of each kind of input
cp $C/token/hs256-act $C/inspect/token
cat $C/token/es256-valid <(echo) $C/token/rfc7515-a3 <(echo) $C/token/jwe > $C/inspect/token-lines
cp $K/public.jwks $C/inspect/jwks
cp $K/rs256.jwk $C/inspect/jwk
cp $C/pem/EdDSA-spki.pem $C/inspect/pem
cp $C/form/token-exchange $C/inspect/form
printf '{"valid":"%s","jwks":%s}' "$(cat $C/token/eddsa-valid)" "$(cat $K/public.jwks)" > $C/inspect/named-tokens
seed inspect json-request '{"grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","assertion":"a.b.c","resource":["x","y"]}'
# --- replay: cache files as wif-verify writes them (two tokens), and damaged lines
cache=$(mktemp -d)
for a in es256 eddsa; do
    mint -k $K/$a.jwk "${common[@]}" | "$BIN/wif-verify" --jwks $K/public.jwks --aud https://as.example/token \
        --now $NOW --replay-cache "$cache/c" - > /dev/null
done
cp "$cache/c" $C/replay/written
# a token with a use budget of 3, spent twice: a version-2 line with a use count
budget=$(mint -k $K/es256.jwk "${common[@]}" --max-uses 3)
for _ in 1 2; do
    printf '%s' "$budget" | "$BIN/wif-verify" --jwks $K/public.jwks --aud https://as.example/token \
        --now $NOW --replay-cache "$cache/c" - > /dev/null
done
cp "$cache/c" $C/replay/written-uses; rm -rf "$cache"
h=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU
seed replay one "1767323760 $h"$'\n'
seed replay crlf "1767323760 $h"$'\r\n'
seed replay truncated "1767323760 ${h:0:20}"
seed replay extra "1767323760 $h x"$'\n'
seed replay duplicate "1767323760 $h"$'\n'"1767323000 $h"$'\n'
seed replay empty ''
seed replay uses "1767323760 $h 2"$'\n'"1767323761 $h 1000000"$'\n'
seed replay uses-one "1767323760 $h 1"$'\n'
seed replay uses-zero-padded "1767323760 $h 02"$'\n'
seed replay uses-too-many "1767323760 $h 1000001"$'\n'
seed replay uses-crlf "1767323760 $h 5"$'\r\n'
# --- dpop: proofs for fuzz-dpop's requirements, the fixtures (each wrong in exactly one way), and PAYLOAD /
# HEADER\nPAYLOAD JSON that fuzz-dpop signs itself with the ES256 key
printf 'fuzz-access-token' > "$C/dpop/.ath"
dpop() { "$BIN/wif-mint" dpop -k $K/es256.jwk --now $NOW --iat $NOW --jti "fuzz-$RANDOM" "$@"; }
dpop --htm POST --htu https://as.example/token > $C/dpop/token-request
dpop --htm GET --htu https://rs.example/mcp --ath "$C/dpop/.ath" --nonce n-0S6_WzA2Mj > $C/dpop/resource-request
"$BIN/wif-mint" dpop -k $K/eddsa.jwk --now $NOW --iat $NOW --htm POST --htu https://as.example/token > $C/dpop/eddsa
"$BIN/wif-mint" dpop -k $K/rs256.jwk --now $NOW --iat $NOW --htm POST --htu https://as.example/token > $C/dpop/rs256
dpop --htm POST --htu https://as.example/token --fixtures | python3 -c '
import json, sys
for name, proof in json.load(sys.stdin)["proofs"].items():
    open(sys.argv[1] + "/fixture-" + name, "w").write(proof)
' "$C/dpop"
rm -f "$C/dpop/.ath"
seed dpop payload '{"jti":"fuzz-1","htm":"POST","htu":"https://as.example/token","iat":1767323400}'
seed dpop payload-ath '{"jti":"fuzz-2","htm":"GET","htu":"https://rs.example/mcp","iat":1767323400,"ath":"sjCx80gFr6frn_RKoRX-SYCkOC8fqCVESxLr5oWZFlw","nonce":"n-0S6_WzA2Mj"}'
seed dpop header-payload '{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"fzTO6Rk05-QO68qw3UQOGxz8oV2h-_jgciiA22e1nM4","y":"5dLjmgtxfgA4nZPDIFYA3bnO3Rz_SlEsBsDhowCZQlU"}}
{"jti":"fuzz-3","htm":"POST","htu":"https://as.example:443/a/../token","iat":1767323400}'
du -sh "$C"; for d in "$C"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
