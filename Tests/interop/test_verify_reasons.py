# SPDX-License-Identifier: Apache-2.0
"""`wif-verify` end to end through real pipes: one token per rejection reason, the attack list of REFERENCES §11,
every alg accepted, and the exit-2 (could not judge) cases.

Rules checked for every rejection (issue 3, STYLE "Errors"):
  - exit 1, stdout empty, stderr exactly one line `wif-verify: <oauth_error> (<reason>): <message>`;
  - with --json: exit 1, stderr empty, stdout one `{"valid":false,"error":...,"reason":...,"message":...}` line.
Negative tests assert the precise reason, so that a test cannot pass because an earlier check failed for an
unrelated reason (REFERENCES §11, last paragraph).

Tokens come from `wif-mint` where it can make them (its --header can replace alg, typ, kid), otherwise from
`verify_jws` in conftest.py (hand-built segments signed in Python with `cryptography`).
"""
import json
import re
import shutil
import subprocess

import pytest

from conftest import (REPO_ROOT, VERIFY_ALGS, VERIFY_AUD, VERIFY_ISS, VERIFY_NOW, VERIFY_REASONS, VERIFY_SUB,
                      assert_usage_error, b64u_decode, b64u_encode, verify_assert_json_rejected,
                      verify_assert_rejected, verify_assert_valid, verify_claims, verify_json, verify_jws,
                      verify_private_key, verify_sign, wif_binary, wif_ok, wif_run)

NOW = VERIFY_NOW
OTHER = "https://other.example"


def mint(keys, *args, alg="ES256", aud=VERIFY_AUD):
    """`wif-mint token` with the standard claims (iss, sub, aud, exp now+300, iat now, random jti)."""
    base = ["token", "-k", keys.private[alg], "--iss", VERIFY_ISS, "--sub", VERIFY_SUB, "--now", NOW]
    if aud:
        base += ["--aud", aud]
    return wif_ok("wif-mint", *base, *args).strip()


def verify(token, *args, jwks, aud=VERIFY_AUD, json_out=False, input=None):
    """`wif-verify token` with a fixed clock; the token goes as an argument after `--` (or stdin for "-")."""
    cmd = ["token", "--jwks", jwks, "--now", NOW]
    if aud:
        cmd += ["--aud", aud]
    cmd += list(args)
    if json_out:
        cmd.append("--json")
    cmd += ["--", token]
    return wif_run("wif-verify", *cmd, input=input)


def tamper_signature(token):
    h, p, s = token.split(".")
    sig = bytearray(b64u_decode(s))
    sig[len(sig) // 2] ^= 0x01
    return f"{h}.{p}.{b64u_encode(bytes(sig))}"


def payload_of(token):
    return json.loads(b64u_decode(token.split(".")[1]))


# ---------------------------------------------------------------------------------------------------------------
# 1. One token per reason code.
#
# Each builder returns (token, extra wif-verify args, options) where options may hold:
#   jwks: the JWKS path (default: the ES256 public set), aud: the --aud value (None: no --aud),
#   first: run this verification once before (it must succeed), for replayed_jti.

def case_malformed(k, tmp):
    return "eyJhbGciOiJFUzI1NiJ9.e30.A", [], {}   # compact shape; a 1-character segment is not base64url


def case_alg_none(k, tmp):
    return verify_jws({"alg": "none", "typ": "JWT"}, verify_claims(), signature=b""), [], {}


def case_alg_not_allowed(k, tmp):
    # Signed by the ES256 key, header says ES384: not among the algs the JWKS keys fit.
    return mint(k, "--header", "alg=ES384"), [], {}


def case_alg_key_mismatch(k, tmp):
    # JWKS holds the ES256 and RS256 keys; an RS256 token names the EC key by kid.
    jwks = k.write_jwks("es-rs.jwks", [k.public_jwk("ES256"), k.public_jwk("RS256")])
    return mint(k, "--header", "kid=es256", alg="RS256"), [], {"jwks": jwks}


def case_unknown_kid(k, tmp):
    return mint(k, "--header", "kid=no-such-key"), [], {}


def case_bad_signature(k, tmp):
    return tamper_signature(mint(k)), [], {}


def case_expired(k, tmp):
    return mint(k, "--iat", NOW - 3900, "--exp", NOW - 3600), [], {}


def case_not_yet_valid(k, tmp):
    return mint(k, "--nbf", NOW + 3600, "--exp", NOW + 7200), [], {}


def case_issued_in_future(k, tmp):
    return mint(k, "--iat", NOW + 3600, "--exp", NOW + 3900), [], {}


def case_lifetime_too_long(k, tmp):
    return mint(k, "--exp", NOW + 7200), ["--max-lifetime", "1h"], {}


def case_too_old(k, tmp):
    return mint(k, "--iat", NOW - 7200), ["--max-age", "1h"], {}


def case_missing_claim(k, tmp):
    return mint(k, "--no-exp"), [], {}


def case_bad_issuer(k, tmp):
    return mint(k), ["--iss", OTHER], {}


def case_bad_audience(k, tmp):
    return mint(k), [], {"aud": OTHER}


def case_bad_subject(k, tmp):
    return mint(k), ["--sub", "spiffe://example.org/ns/ci/sa/other"], {}


def case_subject_rejected(k, tmp):
    return mint(k), ["--reject-sub", VERIFY_SUB], {}


def case_replayed_jti(k, tmp):
    return mint(k, "--jti", "once-only"), ["--replay-cache", REPLAY_CACHE], {"first": True}


def case_replay_needs_exp(k, tmp):
    return mint(k, "--no-exp"), ["--profile", "none", "--replay-cache", REPLAY_CACHE], {}


def case_use_budget_exhausted(k, tmp):
    return mint(k, "--jti", "budget-1", "--max-uses", "1"), ["--replay-cache", REPLAY_CACHE], {"first": True}


def case_bad_use_budget(k, tmp):
    return mint(k, "--claim", "wif_max_uses=0"), [], {}


def case_bad_typ(k, tmp):
    return mint(k, "--typ", "at+jwt"), [], {}


def case_unsupported_crit(k, tmp):
    return mint(k, "--header", 'crit=["x-policy"]', "--header", "x-policy=1"), [], {}


def case_disallowed_header(k, tmp):
    return mint(k, "--header", "cty=JWT"), [], {}


def case_delegation_too_deep(k, tmp):
    return mint(k, "--act", "a", "--act", "b", "--act", "c"), ["--max-delegation-depth", "2"], {}


def case_bad_delegation(k, tmp):
    return mint(k, "--claim", 'act={"iss":"https://issuer.example"}'), [], {}


def case_actor_rejected(k, tmp):
    return mint(k, "--act", "spiffe://example.org/agent"), ["--actor", "spiffe://example.org/other-agent"], {}


def case_jti_rejected(k, tmp):
    return mint(k, "--jti", "revoked-1"), ["--reject-jti", "revoked-1"], {}


def case_client_id_mismatch(k, tmp):
    # An ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant) for another client than --client-id.
    return (mint(k, "--profile", "id-jag", "--client-id", "other-client"),
            ["--profile", "id-jag", "--client-id", "mcp-client"], {})


REASON_CASES = {r: globals()["case_" + r] for r in VERIFY_REASONS}
REPLAY_CACHE = object()          # placeholder for a per-test replay cache file
_built = {}                      # reason -> (token, args, options): each token is minted once for both tests


def _run_reason_case(reason, keys, tmp, json_out):
    if reason not in _built:
        _built[reason] = REASON_CASES[reason](keys, tmp)
    token, args, opt = _built[reason]
    args = [tmp / "replay.cache" if a is REPLAY_CACHE else a for a in args]
    jwks = opt.get("jwks", keys.public["ES256"])
    aud = opt.get("aud", VERIFY_AUD)
    if opt.get("first"):
        verify_assert_valid(verify(token, *args, jwks=jwks, aud=aud))
    return verify(token, *args, jwks=jwks, aud=aud, json_out=json_out)


@pytest.mark.parametrize("reason", list(VERIFY_REASONS))
def test_reason_stderr_line(reason, verify_keys, tmp_path):
    verify_assert_rejected(_run_reason_case(reason, verify_keys, tmp_path, json_out=False), reason)


@pytest.mark.parametrize("reason", list(VERIFY_REASONS))
def test_reason_json(reason, verify_keys, tmp_path):
    verify_assert_json_rejected(_run_reason_case(reason, verify_keys, tmp_path, json_out=True), reason)


REQUEST_ONLY_REASONS = {"scope_not_allowed", "scope_unauthorized", "invalid_request", "unsupported_grant_type",
                        "actor_not_permitted", "scope_widened", "audience_widened",
                        "grant_type_rejected", "bad_client_assertion",
                        # client authentication at the token endpoint: Tests/interop/test_client_auth.py
                        "unknown_client", "client_auth_missing", "bad_client_secret", "client_auth_method",
                        "multiple_client_auth"}


def test_every_token_reason_has_a_case():
    """Every exit-1 reason of Reason.swift is either tested here or is a token-endpoint reason
    (test_verify_request.py)."""
    src = (REPO_ROOT / "Sources" / "Core" / "Errors" / "Reason.swift").read_text()
    body = src[src.index("enum Reason"):]
    body = body[:body.index("// Could not judge")]
    reasons = set()
    for m in re.finditer(r"case\s+([^\n]+)", body):
        for item in m.group(1).split(","):
            item = item.split("//")[0].strip()
            mm = re.fullmatch(r'(\w+)(?:\s*=\s*"([a-z_]+)")?', item)
            if mm:
                reasons.add(mm.group(2) or mm.group(1))
    reasons = {r for r in reasons if not r.startswith("dpop_")}  # DPoP proof reasons: test_dpop.py
    covered = set(VERIFY_REASONS) | REQUEST_ONLY_REASONS
    assert reasons - REQUEST_ONLY_REASONS == set(VERIFY_REASONS), sorted(reasons ^ covered)


# ---------------------------------------------------------------------------------------------------------------
# 2. Every alg: a minted token verifies (exit 0, the claims on stdout).

@pytest.mark.parametrize("alg", VERIFY_ALGS)
def test_every_alg_valid(alg, verify_keys):
    token = mint(verify_keys, "--jti", f"jti-{alg}", alg=alg)
    claims = verify_assert_valid(verify(token, jwks=verify_keys.public[alg]))
    assert claims == payload_of(token)
    p = verify(token, jwks=verify_keys.public[alg], json_out=True)
    assert p.returncode == 0 and p.stderr == ""
    o = json.loads(p.stdout)
    assert o["valid"] is True and o["claims"] == claims and o["kid"] == alg.lower()
    assert o["alg"] == ("EdDSA" if alg == "EdDSA-Ed448" else alg)
    assert o["header"] == json.loads(b64u_decode(token.split(".")[0]))


@pytest.mark.parametrize("alg", VERIFY_ALGS)
def test_every_alg_python_signed(alg, verify_keys):
    """Independent producer: the same claims signed in Python (cryptography) verify; one flipped bit does not."""
    header = {"alg": "EdDSA" if alg == "EdDSA-Ed448" else alg, "kid": alg.lower()}
    token = verify_jws(header, verify_claims(), verify_keys.jwk(alg))
    assert verify_assert_valid(verify(token, jwks=verify_keys.public[alg])) == verify_claims()
    verify_assert_rejected(verify(tamper_signature(token), jwks=verify_keys.public[alg]), "bad_signature")


def test_token_from_stdin(verify_keys):
    """"-" (and no argument) reads the token from stdin; the trailing newline of `wif-mint` is fine."""
    token = mint(verify_keys)
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256"], "--aud", VERIFY_AUD, "--now", NOW,
                input=token + "\n")
    assert verify_assert_valid(p) == payload_of(token)


def test_mint_pipe_verify(verify_keys, tmp_path):
    """`wif-mint token | wif-verify -` through a real shell pipe."""
    bindir = wif_binary("wif-mint").parent
    cmd = (f'"{bindir}/wif-mint" -k "{verify_keys.private["EdDSA"]}" --iss {VERIFY_ISS} --sub {VERIFY_SUB} '
           f'--aud {VERIFY_AUD} | "{bindir}/wif-verify" --jwks "{verify_keys.public["EdDSA"]}" --aud {VERIFY_AUD} -')
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["sub"] == VERIFY_SUB


# RFC 7515 A.1 (HS256, header with CR LF) and A.3 (ES256): interop with the RFC's own bytes.
RFC7515_A1 = ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9"
              "leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
RFC7515_A1_KEY = {"kty": "oct",
                  "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}
RFC7515_A3 = ("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19y"
              "b290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")
RFC7515_A3_KEY = {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                  "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}


@pytest.mark.parametrize("token,key", [(RFC7515_A1, RFC7515_A1_KEY), (RFC7515_A3, RFC7515_A3_KEY)],
                         ids=["rfc7515-A.1-HS256", "rfc7515-A.3-ES256"])
def test_rfc7515_vectors(token, key, tmp_path):
    jwks = tmp_path / "key.jwk"
    jwks.write_text(json.dumps(key))
    claims = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    p = wif_run("wif-verify", "--profile", "none", "--jwks", jwks, "--now", 1300819000, token)
    assert verify_assert_valid(p) == claims
    p = wif_run("wif-verify", "--profile", "none", "--jwks", jwks, "--now", 1300819380 + 60, token)
    verify_assert_rejected(p, "expired")


def test_rfc7519_unsecured_jwt_rejected(verify_keys):
    token = ("eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb2"
             "90Ijp0cnVlfQ.")
    verify_assert_rejected(wif_run("wif-verify", "--profile", "none", "--jwks", verify_keys.public["HS256"],
                                   "--now", 1300819000, token), "alg_none")


# ---------------------------------------------------------------------------------------------------------------
# 3. The attack list (REFERENCES §11), each with its exact reason.

# §11 row 1: alg none in every letter case, with an empty signature and with the original signature kept.
@pytest.mark.parametrize("keep_sig", [False, True], ids=["empty-sig", "old-sig"])
@pytest.mark.parametrize("name", ["none", "None", "NONE", "nOnE", "NonE"])
def test_alg_none_variants(name, keep_sig, verify_keys):
    good = verify_jws({"alg": "ES256", "typ": "JWT", "kid": "es256"}, verify_claims(), verify_keys.jwk("ES256"))
    header = {"alg": name, "typ": "JWT", "kid": "es256"}
    sig = b64u_decode(good.split(".")[2]) if keep_sig else b""
    token = verify_jws(header, verify_claims(), signature=sig)
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "alg_none")


def test_alg_none_from_wif_mint_header(verify_keys):
    """wif-mint signs with ES256 but its header says none: still alg_none (the header alg is only checked)."""
    verify_assert_rejected(verify(mint(verify_keys, "--header", "alg=none"), jwks=verify_keys.public["ES256"]),
                           "alg_none")


@pytest.mark.parametrize("value,reason", [
    ('"hs256"', "alg_not_allowed"), ('"es256"', "alg_not_allowed"), ('"RSA"', "alg_not_allowed"),
    ('""', "alg_not_allowed"), ("null", "malformed"), ("256", "malformed"), ('["ES256"]', "malformed"),
], ids=["lowercase-hs256", "lowercase-es256", "RSA", "empty", "null", "number", "array"])
def test_alg_odd_values(value, reason, verify_keys):
    header = b'{"alg":' + value.encode() + b',"kid":"es256"}'
    token = verify_jws(header, verify_claims(), verify_keys.jwk("ES256"), alg="ES256")
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), reason)


def test_alg_missing(verify_keys):
    token = verify_jws({"kid": "es256"}, verify_claims(), verify_keys.jwk("ES256"), alg="ES256")
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "malformed")


# §11 row 2: HS256 MAC'd with the RSA public key in its usual spellings, against a JWKS with only that RSA key.
def _rsa_public_secrets(keys):
    from cryptography.hazmat.primitives import serialization
    pub = verify_private_key(keys.jwk("RS256")).public_key()
    n = pub.public_numbers().n
    public_jwk_text = keys.public["RS256"].read_text()
    return {
        "pem": pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "pem-pkcs1": pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
        "der": pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "n-bytes": n.to_bytes((n.bit_length() + 7) // 8, "big"),
        "jwk-json": json.dumps(keys.public_jwk("RS256")).encode(),
        "jwk-compact": verify_json(keys.public_jwk("RS256")),
        "jwks-file": public_jwk_text.encode(),
    }


@pytest.mark.parametrize("spelling", ["pem", "pem-pkcs1", "der", "n-bytes", "jwk-json", "jwk-compact", "jwks-file"])
@pytest.mark.parametrize("variant", ["jwks-as-is", "jwk-without-alg+alg-list-with-hs256"])
def test_hs_rs_key_confusion(spelling, variant, verify_keys):
    """Also with the key's own alg removed and `--alg HS256 --alg RS256`: HS256 still fits no key."""
    secret = _rsa_public_secrets(verify_keys)[spelling]
    pub = verify_keys.public_jwk("RS256")
    args = []
    jwks = verify_keys.public["RS256"]
    if variant != "jwks-as-is":
        jwks = verify_keys.write_jwks("rsa-noalg.jwks", [{k: v for k, v in pub.items() if k != "alg"}])
        args = ["--alg", "HS256", "--alg", "RS256"]
    token = verify_jws({"alg": "HS256", "typ": "JWT", "kid": "rs256"}, verify_claims(), secret)
    verify_assert_rejected(verify(token, *args, jwks=jwks), "alg_not_allowed")


def test_hs_only_allowlist_with_rsa_key_cannot_judge(verify_keys):
    """--alg HS256 against an RSA-only JWKS leaves no usable key: exit 2 (could not judge), never valid."""
    secret = _rsa_public_secrets(verify_keys)["pem"]
    token = verify_jws({"alg": "HS256", "kid": "rs256"}, verify_claims(), secret)
    assert_usage_error(verify(token, "--alg", "HS256", jwks=verify_keys.public["RS256"]), tool="wif-verify")


# §11 row 3 and 12: keys embedded in or pointed to by the header are never used.
def _attacker(tmp_path):
    p = tmp_path / "attacker.jwk"
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "attacker", "--out", p)
    return json.loads(p.read_text())


def _self_signed_cert_b64(jwk):
    import base64
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    key = verify_private_key(jwk)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    t = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(t).not_valid_after(t + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.mark.parametrize("kid,extra,reason", [
    (None, "jwk", "bad_signature"),
    ("es256", "jwk", "bad_signature"),
    ("attacker", "jwk", "unknown_kid"),
    (None, "x5c", "bad_signature"),
    ("es256", "x5c", "bad_signature"),
    (None, "jku", "bad_signature"),
    ("es256", "x5u", "bad_signature"),
    ("es256", "all", "bad_signature"),
], ids=["jwk-no-kid", "jwk-known-kid", "jwk-attacker-kid", "x5c-no-kid", "x5c-known-kid", "jku-no-kid",
        "x5u-known-kid", "all-known-kid"])
def test_embedded_key_never_trusted(kid, extra, reason, verify_keys, tmp_path):
    attacker = _attacker(tmp_path)
    header = {"alg": "ES256", "typ": "JWT"}
    if kid:
        header["kid"] = kid
    pub = {k: v for k, v in attacker.items() if k != "d"}
    if extra in ("jwk", "all"):
        header["jwk"] = pub
    if extra in ("x5c", "all"):
        header["x5c"] = [_self_signed_cert_b64(attacker)]
    if extra in ("jku", "all"):
        header["jku"] = "https://attacker.example/jwks.json"
    if extra in ("x5u", "all"):
        header["x5u"] = "https://attacker.example/cert.pem"
    token = verify_jws(header, verify_claims(), attacker)
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), reason)


JKU_HEADERS = ["jku=http://169.254.169.254/latest/meta-data/", "x5u=file:///etc/passwd",
               "jku=https://attacker.example/jwks.json", "x5u=http://127.0.0.1:1/x"]


@pytest.mark.parametrize("header", JKU_HEADERS, ids=["jku-metadata", "x5u-file", "jku-attacker", "x5u-localhost"])
def test_jku_x5u_ignored_valid_token_passes(header, verify_keys):
    """A token signed by the JWKS key passes whatever jku/x5u say: they are ignored, not fetched."""
    token = mint(verify_keys, "--header", header)
    verify_assert_valid(verify(token, jwks=verify_keys.public["ES256"]))


def test_no_network_no_file_access_for_header_urls_and_kid(verify_keys, tmp_path):
    """Under strace (and without a network namespace, when unshare works): no socket, no connect, and none of
    the header's paths (kid, x5u) is opened."""
    if not shutil.which("strace"):
        pytest.skip("strace not installed")
    token = mint(verify_keys, "--header", "jku=http://169.254.169.254/latest/meta-data/",
                 "--header", "x5u=file:///etc/passwd", "--header", "kid=../../../../../../etc/shadow")
    log = tmp_path / "strace.log"
    cmd = ["strace", "-f", "-qq", "-o", str(log), "-e", "trace=%network,open,openat,openat2,stat,newfstatat",
           str(wif_binary("wif-verify")), "--jwks", str(verify_keys.public["ES256"]), "--aud", VERIFY_AUD,
           "--now", str(NOW), token]
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        cmd = ["unshare", "-n"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if "PTRACE" in p.stderr or "Operation not permitted" in p.stderr:
        pytest.skip(f"strace cannot trace here: {p.stderr.strip()}")
    verify_assert_rejected(p, "unknown_kid")
    trace = log.read_text()
    for needle in ("socket(", "connect(", "/etc/passwd", "/etc/shadow", "169.254.169.254"):
        assert needle not in trace, f"{needle} in strace output:\n" + "\n".join(
            line for line in trace.splitlines() if needle in line)


# §11 row 4 and 15: ECDSA special signatures, DER encoding, wrong lengths.
CURVE_ORDER = {
    "ES256": int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16),
    "ES384": int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196acc"
                 "c52973", 16),
    "ES512": int("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03"
                 "bb5c9b8899c47aebb6fb71e91386409", 16),
}
COORD = {"ES256": 32, "ES384": 48, "ES512": 66}


def _ecdsa_variant(alg, good_sig, variant):
    n, size = CURVE_ORDER[alg], COORD[alg]
    r = int.from_bytes(good_sig[:size], "big")
    s = int.from_bytes(good_sig[size:], "big")
    pairs = {"all-zero": (0, 0), "r=s=n": (n, n), "r=0": (0, s), "s=0": (r, 0), "r=n+1": (n + 1, s),
             "r=n": (n, s), "s=n": (r, n), "r+n": (r + n, s) if r + n < 256 ** size else (n, s)}
    if variant in pairs:
        a, b = pairs[variant]
        return a.to_bytes(size, "big") + b.to_bytes(size, "big")
    if variant == "der":
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
        return encode_dss_signature(r, s)
    if variant == "short":
        return good_sig[:-1]
    if variant == "long":
        return good_sig + b"\x00"
    if variant == "swapped":
        return good_sig[size:] + good_sig[:size]
    raise ValueError(variant)


ECDSA_ROW4 = ["all-zero", "r=s=n", "r=0", "s=0", "r=n+1", "der"]                  # REFERENCES §11 rows 4 and 15
ECDSA_MORE = ["r=n", "s=n", "r+n", "short", "long", "swapped"]
ECDSA_CASES = [(a, v) for a in ("ES256", "ES384", "ES512") for v in ECDSA_ROW4] + [("ES256", v) for v in ECDSA_MORE]


@pytest.mark.parametrize("alg,variant", ECDSA_CASES, ids=[f"{a}-{v}" for a, v in ECDSA_CASES])
def test_ecdsa_special_signatures(alg, variant, verify_keys):
    # The unmodified token verifies (test_every_alg_python_signed), so only the signature is at fault here.
    good = verify_jws({"alg": alg, "kid": alg.lower()}, verify_claims(), verify_keys.jwk(alg))
    h, p, s = good.split(".")
    bad = f"{h}.{p}.{b64u_encode(_ecdsa_variant(alg, b64u_decode(s), variant))}"
    verify_assert_rejected(verify(bad, jwks=verify_keys.public[alg]), "bad_signature")


def test_es512_with_128_byte_signature(verify_keys):
    good = mint(verify_keys, alg="ES512")
    h, p, s = good.split(".")
    sig = b64u_decode(s)
    bad = f"{h}.{p}.{b64u_encode(sig[1:65] + sig[67:])}"
    verify_assert_rejected(verify(bad, jwks=verify_keys.public["ES512"]), "bad_signature")


# §11 row 11: HMAC of the wrong length or with one bit changed.
@pytest.mark.parametrize("variant", ["truncated-16", "one-byte-longer", "last-byte-changed", "empty"])
def test_hmac_tampering(variant, verify_keys):
    good = mint(verify_keys, alg="HS256")
    h, p, s = good.split(".")
    mac = b64u_decode(s)
    bad = {"truncated-16": mac[:16], "one-byte-longer": mac + b"\x00",
           "last-byte-changed": mac[:-1] + bytes([mac[-1] ^ 1]), "empty": b""}[variant]
    verify_assert_rejected(verify(f"{h}.{p}.{b64u_encode(bad)}", jwks=verify_keys.public["HS256"]), "bad_signature")


# §11 row 7: duplicate member names.
@pytest.mark.parametrize("where,raw", [
    ("header", b'{"alg":"ES256","alg":"none","kid":"es256"}'),
    ("header", b'{"alg":"none","alg":"ES256","kid":"es256"}'),
    ("header", b'{"alg":"ES256","kid":"es256","kid":"es256"}'),
    ("payload", b'{"iss":"https://issuer.example","sub":"s","aud":"https://as.example/token",'
                b'"exp":1,"exp":9999999999}'),
    ("payload", b'{"iss":"https://issuer.example","sub":"s","aud":"evil","aud":"https://as.example/token",'
                b'"exp":1767323700}'),
    ("payload", b'{"iss":"https://issuer.example","sub":"s","sub":"t","aud":"https://as.example/token",'
                b'"exp":1767323700}'),
], ids=["alg-ES256-none", "alg-none-ES256", "kid-twice", "exp-twice", "aud-twice", "sub-twice"])
def test_duplicate_members(where, raw, verify_keys):
    key = verify_keys.jwk("ES256")
    if where == "header":
        token = verify_jws(raw, verify_claims(), key, alg="ES256")
    else:
        token = verify_jws({"alg": "ES256", "kid": "es256"}, raw, key)
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "malformed")


# §11 row 8: odd NumericDate values, each with its precise reason.
NUMERIC_CASES = [
    ("exp", '"2000000000"', "malformed"), ("exp", "1e400", "malformed"), ("exp", "-1e400", "malformed"),
    ("exp", "true", "malformed"), ("exp", "null", "malformed"), ("exp", "[]", "malformed"), ("exp", "{}", "malformed"),
    ("exp", "9223372036854775808", "malformed"), ("exp", "18446744073709551616", "malformed"),
    ("exp", "-1", "expired"), ("exp", "0", "expired"), ("exp", "1.5e9", "expired"), ("exp", "1300819380", "expired"),
    ("exp", "2e9", None), ("exp", "1767323700.5", None), ("exp", "17673237e2", None),
    ("nbf", "1e400", "malformed"), ("nbf", '"0"', "malformed"), ("nbf", "2e9", "not_yet_valid"),
    ("iat", "1e400", "malformed"), ("iat", "false", "malformed"), ("iat", "2e9", "issued_in_future"),
]


@pytest.mark.parametrize("claim,literal,reason", NUMERIC_CASES,
                         ids=[f"{c}={v}" for c, v, _ in NUMERIC_CASES])
def test_numeric_date_values(claim, literal, reason, verify_keys):
    base = {"iss": VERIFY_ISS, "sub": VERIFY_SUB, "aud": VERIFY_AUD, "exp": NOW + 300}
    if claim == "exp":
        del base["exp"]
    payload = verify_json(base)[:-1] + b',"' + claim.encode() + b'":' + literal.encode() + b"}"
    token = verify_jws({"alg": "ES256", "kid": "es256"}, payload, verify_keys.jwk("ES256"))
    p = verify(token, jwks=verify_keys.public["ES256"])
    if reason is None:
        verify_assert_valid(p)
    else:
        verify_assert_rejected(p, reason)


def test_exp_boundary_with_leeway(verify_keys):
    """now < exp + leeway passes; now = exp + leeway is expired (RFC 7519 §4.1.4, leeway 60 s)."""
    token = mint(verify_keys, "--exp", NOW - 59, "--iat", NOW - 300)
    verify_assert_valid(verify(token, jwks=verify_keys.public["ES256"]))
    token = mint(verify_keys, "--exp", NOW - 60, "--iat", NOW - 300)
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "expired")
    verify_assert_valid(verify(token, "--leeway", "61s", jwks=verify_keys.public["ES256"]))


# §11 row 5: kid injection and odd kid values (never a path, never a query).
KID_CASES = [("traversal", "../../../../etc/passwd"), ("dev-zero", "/dev/zero"), ("sql", "' OR '1'='1"),
             ("nul", "a\u0000b"), ("long-4k", "k" * 4096), ("number", 123), ("object", {}), ("null", None),
             ("case", "ES256"), ("space", "es256 "), ("empty", ""), ("long-10k", "k" * 10240)]


@pytest.mark.parametrize("kid", [v for _, v in KID_CASES], ids=[i for i, _ in KID_CASES])
def test_kid_values(kid, verify_keys):
    """unknown_kid, without echoing the kid at length; a 10 KB kid makes the header exceed the 8 KiB header bound
    (Core policy since 32cb1af), so that one is malformed."""
    token = verify_jws({"alg": "ES256", "kid": kid}, verify_claims(), verify_keys.jwk("ES256"))
    p = subprocess.run([str(wif_binary("wif-verify")), "--jwks", str(verify_keys.public["ES256"]), "--aud",
                        VERIFY_AUD, "--now", str(NOW), token], capture_output=True, text=True, timeout=10)
    long_header = isinstance(kid, str) and len(kid) > 8192
    msg = verify_assert_rejected(p, "malformed" if long_header else "unknown_kid")
    assert len(msg) < 400, "the message must not echo a long kid"


@pytest.mark.parametrize("kid", ["a\nb", "x\r\ny", "\u001b[31mred", "\u0085", "\u009b31m", "\u2028", "\u2029"],
                         ids=["LF", "CRLF", "ESC", "NEL-U+0085", "CSI-U+009B", "LS-U+2028", "PS-U+2029"])
def test_message_quotes_token_text_safely(kid, verify_keys):
    """Values from the token are quoted in messages without control characters or line terminators, so the
    stderr report stays one line for any line splitter (str.splitlines splits on U+0085, U+2028, U+2029 too) and
    cannot drive a terminal (U+001B, and C1 controls such as U+009B CSI)."""
    token = verify_jws({"alg": "ES256", "kid": kid}, verify_claims(), verify_keys.jwk("ES256"))
    p = verify(token, jwks=verify_keys.public["ES256"])
    verify_assert_rejected(p, "unknown_kid")
    assert len(p.stderr.splitlines()) == 1, f"stderr splits into {len(p.stderr.splitlines())} lines: {p.stderr!r}"
    bad = [c for c in p.stderr[:-1] if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"]
    assert not bad, f"raw control characters {bad!r} in {p.stderr!r}"


# §11 row 6 and RFC 7797: crit and b64.
CRIT_CASES = [
    ("unknown-ext", {"crit": ["x-policy"], "x-policy": 1}), ("empty-array", {"crit": []}),
    ("registered-name", {"crit": ["alg"]}), ("absent-param", {"crit": ["x-missing"]}),
    ("not-array", {"crit": "b64"}), ("duplicate-names", {"crit": ["x", "x"], "x": 1}),
    ("b64-false-with-crit", {"crit": ["b64"], "b64": False}), ("b64-false-no-crit", {"b64": False}),
    ("b64-true", {"b64": True}), ("crit-null", {"crit": None}),
]


@pytest.mark.parametrize("extra", [v for _, v in CRIT_CASES], ids=[i for i, _ in CRIT_CASES])
def test_crit_and_b64(extra, verify_keys):
    token = verify_jws({"alg": "ES256", "kid": "es256", **extra}, verify_claims(), verify_keys.jwk("ES256"))
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "unsupported_crit")


def test_b64_false_raw_payload(verify_keys):
    """RFC 7797 signing input (raw payload bytes after the dot) is not even a compact JWT here."""
    claims = verify_json(verify_claims())
    hb = verify_json({"alg": "HS256", "kid": "hs256", "b64": False, "crit": ["b64"]})
    sig = verify_sign("HS256", verify_keys.jwk("HS256"), b64u_encode(hb).encode() + b"." + claims)
    token = b64u_encode(hb) + "." + claims.decode() + "." + b64u_encode(sig)
    # Not of compact shape, so judged only from stdin (as an argument it is refused before any judgement).
    verify_assert_rejected(verify("-", jwks=verify_keys.public["HS256"], input=token), "malformed")


def test_unknown_header_param_ignored(verify_keys):
    token = mint(verify_keys, "--header", "x-unknown=1")
    verify_assert_valid(verify(token, jwks=verify_keys.public["ES256"]))


# §11 row 13: cross-JWT confusion.
@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "dpop+jwt", "secevent+jwt"])
def test_explicitly_typed_tokens_are_not_assertions(typ, verify_keys):
    verify_assert_rejected(verify(mint(verify_keys, "--typ", typ), jwks=verify_keys.public["ES256"]), "bad_typ")


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/JWT", ""])
def test_jwt_typ_accepted(typ, verify_keys):
    verify_assert_valid(verify(mint(verify_keys, "--typ", typ), jwks=verify_keys.public["ES256"]))


@pytest.mark.parametrize("cty", ["JWT", "jwt", "application/jwt"])
def test_nested_jwt_rejected(cty, verify_keys):
    verify_assert_rejected(verify(mint(verify_keys, "--header", f"cty={cty}"), jwks=verify_keys.public["ES256"]),
                           "disallowed_header")


# §11 row 14 and §1.8: format confusion and compact-form damage.
HDR_BAD_UTF8 = b64u_encode(b'{"alg":"ES256","x":"\xff"}')
HDR_SURROGATE = b64u_encode(b'{"alg":"ES256","x":"\\ud800"}')
HDR_TRAILING = b64u_encode(b'{"alg":"ES256"}x')


def _format_cases(token):
    h, p, s = token.split(".")
    general = json.dumps({"payload": p, "signatures": [{"protected": h, "signature": s}]})
    flattened = json.dumps({"payload": p, "protected": h, "signature": s})
    return {
        "json-general": general, "json-flattened": flattened,
        "space-inside": f"{h}.{p[:5]} {p[5:]}.{s}", "newline-inside": f"{h}.{p}\n.{s}", "tab-inside": f"{h}\t.{p}.{s}",
        "bearer-prefix": "Bearer " + token, "padding": f"{h}.{p}.{s}==" if len(s) % 4 else f"{h}=.{p}.{s}",
        "plus-slash": f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}" if ("-" in s or "_" in s) else f"{h}.{p}+.{s}",
        "two-segments": f"{h}.{p}", "four-segments": f"{h}.{p}.{s}.", "jwe-five": f"{h}.{p}.{s}.{s}.{s}",
        "empty-header": f".{p}.{s}", "len-1-mod-4": f"{h}.{p}.{s}" + "A" * ((1 - len(s)) % 4),
        "non-canonical-tail": _non_canonical(token),
        "header-array": f"{b64u_encode(b'[]')}.{p}.{s}", "header-string": f"{b64u_encode(b'1')}.{p}.{s}",
        "header-invalid-utf8": f"{HDR_BAD_UTF8}.{p}.{s}", "header-lone-surrogate": f"{HDR_SURROGATE}.{p}.{s}",
        "header-trailing-garbage": f"{HDR_TRAILING}.{p}.{s}",
        "non-ascii-byte": f"{h}.{p}.{s}\u00e9",
        "empty": "",
    }


def _non_canonical(token):
    """Change the unused low bits of the last signature character (RFC 4648 §3.5: non-canonical)."""
    h, p, s = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = {2: 4, 3: 2}[len(s) % 4]
    i = alphabet.index(s[-1])
    return f"{h}.{p}.{s[:-1]}{alphabet[i | ((1 << unused) - 1)] if i & 1 == 0 else alphabet[i & ~((1 << unused) - 1)]}"


FORMAT_IDS = list(_format_cases("a.b.cc").keys())


@pytest.mark.parametrize("case", FORMAT_IDS)
def test_format_confusion_malformed(case, verify_keys):
    token = verify_jws({"alg": "ES256", "kid": "es256"}, verify_claims(), verify_keys.jwk("ES256"))
    assert len(token.split(".")[2]) == 86          # 64 bytes: length mod 4 = 2, as _non_canonical expects
    bad = _format_cases(token)[case]
    assert bad != token
    # Through stdin, which is always judged as the token (an argument must have compact shape to be one).
    p = subprocess.run([str(wif_binary("wif-verify")), "--jwks", str(verify_keys.public["ES256"]), "--aud",
                        VERIFY_AUD, "--now", str(NOW), "-"], input=bad.encode("utf-8", "surrogateescape")
                       if isinstance(bad, str) else bad, capture_output=True, timeout=10)
    if bad.strip() == "":
        assert p.returncode == 2 and b"empty" in p.stderr, p.stderr
        return
    verify_assert_rejected(p, "malformed")


def test_non_object_payload(verify_keys):
    for payload in (b"[]", b'"x"', b"1", b"null", b"", b"foo", b'{"a":1}x'):
        token = verify_jws({"alg": "ES256", "kid": "es256"}, payload, verify_keys.jwk("ES256"))
        verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "malformed")


@pytest.mark.parametrize("claim,value", [("iss", 1), ("sub", None), ("aud", 5), ("aud", [1]), ("jti", {}),
                                         ("sub", ["a"])])
def test_registered_claim_types(claim, value, verify_keys):
    c = verify_claims()
    c[claim] = value
    token = verify_jws({"alg": "ES256", "kid": "es256"}, c, verify_keys.jwk("ES256"))
    verify_assert_rejected(verify(token, jwks=verify_keys.public["ES256"]), "malformed")


@pytest.mark.parametrize("aud,ok", [([VERIFY_AUD], True), (["x", VERIFY_AUD], True), ([], False),
                                    (VERIFY_AUD + "/", False), (VERIFY_AUD.upper(), False)],
                         ids=["array-1", "array-2", "empty-array", "trailing-slash", "uppercase"])
def test_audience_forms(aud, ok, verify_keys):
    token = verify_jws({"alg": "ES256", "kid": "es256"}, verify_claims(aud=aud), verify_keys.jwk("ES256"))
    p = verify(token, jwks=verify_keys.public["ES256"])
    if ok:
        verify_assert_valid(p)
    else:
        verify_assert_rejected(p, "bad_audience")


# §11 rows 9/10 (keys the JWKS must not yield): a weak RSA key or an off-curve EC point is skipped, so the
# token signed with that very key finds no key: exit 2 with one key (nothing usable), unknown_kid with another.
def test_weak_and_invalid_keys_are_skipped(verify_keys, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    nums = weak.private_numbers()

    def b(i):
        return b64u_encode(i.to_bytes((i.bit_length() + 7) // 8, "big"))
    weak_jwk = {"kty": "RSA", "kid": "weak", "n": b(nums.public_numbers.n), "e": b(nums.public_numbers.e),
                "d": b(nums.d), "p": b(nums.p), "q": b(nums.q), "dp": b(nums.dmp1), "dq": b(nums.dmq1),
                "qi": b(nums.iqmp)}
    token = verify_jws({"alg": "RS256", "kid": "weak"}, verify_claims(), weak_jwk)
    pub = {k: weak_jwk[k] for k in ("kty", "kid", "n", "e")}
    only_weak = verify_keys.write_jwks("weak-only.jwks", [pub])
    assert_usage_error(verify(token, jwks=only_weak), tool="wif-verify")
    mixed = verify_keys.write_jwks("weak-mixed.jwks", [pub, verify_keys.public_jwk("RS256")])
    verify_assert_rejected(verify(token, jwks=mixed), "unknown_kid")
    ec = dict(verify_keys.public_jwk("ES256"))
    y = bytearray(b64u_decode(ec["y"]))
    y[-1] ^= 1
    off = dict(ec, y=b64u_encode(bytes(y)), kid="off-curve")
    mixed = verify_keys.write_jwks("offcurve-mixed.jwks", [off, verify_keys.public_jwk("ES256")])
    token = verify_jws({"alg": "ES256", "kid": "off-curve"}, verify_claims(), verify_keys.jwk("ES256"))
    verify_assert_rejected(verify(token, jwks=mixed), "unknown_kid")


# Curve and padding confusion (REFERENCES §2 edge cases).
def test_es256_header_with_secp256k1_key(verify_keys):
    """ES256 and ES256K keys look alike but for crv: an ES256 token naming the secp256k1 key is a mismatch; without
    a kid only the P-256 key is tried, and the secp256k1 signature does not verify with it."""
    jwks = verify_keys.write_jwks("p256-k1.jwks", [verify_keys.public_jwk("ES256"), verify_keys.public_jwk("ES256K")])
    k1 = verify_keys.jwk("ES256K")
    token = verify_jws({"alg": "ES256", "kid": "es256k"}, verify_claims(), k1)
    verify_assert_rejected(verify(token, jwks=jwks), "alg_key_mismatch")
    token = verify_jws({"alg": "ES256"}, verify_claims(), k1)
    verify_assert_rejected(verify(token, jwks=jwks), "bad_signature")


def test_pss_signature_under_rs256_header(verify_keys):
    """A PS256 signature presented as RS256 (RSA key without alg, so both families fit) does not verify."""
    pub = {k: v for k, v in verify_keys.public_jwk("RS256").items() if k != "alg"}
    jwks = verify_keys.write_jwks("rsa-any.jwks", [pub])
    good_ps = verify_jws({"alg": "PS256", "kid": "rs256"}, verify_claims(), verify_keys.jwk("RS256"))
    verify_assert_valid(verify(good_ps, jwks=jwks))
    h = b64u_encode(verify_json({"alg": "RS256", "kid": "rs256"}))
    p = good_ps.split(".")[1]
    sig = verify_sign("PS256", verify_keys.jwk("RS256"), f"{h}.{p}".encode())
    verify_assert_rejected(verify(f"{h}.{p}.{b64u_encode(sig)}", jwks=jwks), "bad_signature")


def test_hmac_key_shorter_than_hash_is_refused(tmp_path):
    """RFC 7518 §3.2: a 31-byte HS256 key is unusable (exit 2); 32 bytes works."""
    for n, ok in ((31, False), (32, True)):
        jwk = {"kty": "oct", "kid": "h", "k": b64u_encode(bytes(range(n)))}
        path = tmp_path / f"k{n}.jwk"
        path.write_text(json.dumps(jwk))
        token = verify_jws({"alg": "HS256", "kid": "h"}, verify_claims(), jwk)
        p = verify(token, jwks=path)
        if ok:
            verify_assert_valid(p)
        else:
            assert_usage_error(p, tool="wif-verify")


# SPIFFE JWT-SVID profile: keys with use jwt-svid, sub a SPIFFE ID, only alg/kid/typ headers.
@pytest.mark.parametrize("case,reason", [
    ("valid", None), ("sub-uppercase-trust-domain", "bad_subject"), ("sub-trailing-slash", "bad_subject"),
    ("sub-dot-segment", "bad_subject"), ("sub-port", "bad_subject"), ("sub-http", "bad_subject"),
    ("extra-header-x5c", "disallowed_header"), ("typ-at+jwt", "bad_typ"), ("typ-JOSE", None),
    ("other-trust-domain", "bad_subject"), ("no-aud", "missing_claim"),
])
def test_spiffe_profile(case, reason, verify_keys, tmp_path):
    pub = dict(verify_keys.public_jwk("ES256"), use="jwt-svid")
    jwks = verify_keys.write_jwks("svid.jwks", [pub])
    sub = {"sub-uppercase-trust-domain": "spiffe://Example.org/ns/a", "sub-trailing-slash": "spiffe://example.org/ns/",
           "sub-dot-segment": "spiffe://example.org/ns/../a", "sub-port": "spiffe://example.org:443/a",
           "sub-http": "https://example.org/a", "other-trust-domain": "spiffe://evil.org/ns/a"}.get(case, VERIFY_SUB)
    header = {"alg": "ES256", "kid": "es256", "typ": "JWT"}
    if case == "extra-header-x5c":
        header["x5c"] = ["AAAA"]
    if case.startswith("typ-"):
        header["typ"] = case[4:]
    claims = verify_claims(sub=sub, iss=None, aud=None if case == "no-aud" else VERIFY_AUD)
    token = verify_jws(header, claims, verify_keys.jwk("ES256"))
    p = verify(token, "--profile", "spiffe", "--trust-domain", "example.org", jwks=jwks)
    if reason is None:
        verify_assert_valid(p)
    else:
        verify_assert_rejected(p, reason)


def test_spiffe_profile_ignores_sig_keys(verify_keys):
    """JWT-SVID bundles: only keys with use jwt-svid verify; a plain sig key leaves nothing usable (exit 2)."""
    token = verify_jws({"alg": "ES256", "kid": "es256"}, verify_claims(), verify_keys.jwk("ES256"))
    assert_usage_error(verify(token, "--profile", "spiffe", jwks=verify_keys.public["ES256"]), tool="wif-verify")


# ---------------------------------------------------------------------------------------------------------------
# 4. Exit 2: could not judge. One clear stderr line (plus an optional hint), never a stack trace.

def _exit2_cases(keys, tmp):
    token = "eyJhbGciOiJFUzI1NiJ9.e30.AA"
    es = str(keys.public["ES256"])
    (tmp / "garbage.jwks").write_text("garbage")
    (tmp / "truncated.jwks").write_text('{"keys":[')
    (tmp / "keys-not-array.jwks").write_text('{"keys":1}')
    (tmp / "no-keys.jwks").write_text('{"keys":[]}')
    (tmp / "empty.jwks").write_text("")
    (tmp / "dup.jwks").write_text('{"keys":[],"keys":[]}')
    (tmp / "enc-only.jwks").write_text(json.dumps({"keys": [dict(keys.public_jwk("ES256"), use="enc")]}))
    (tmp / "private-ec.jwks").write_text(json.dumps({"keys": [keys.jwk("ES256")]}))
    (tmp / "private-rsa.jwks").write_text(json.dumps({"keys": [keys.public_jwk("ES256"), keys.jwk("RS256")]}))
    (tmp / "private-okp.jwk").write_text(json.dumps(keys.jwk("EdDSA")))
    (tmp / "huge.jwks").write_text('{"keys":[],"pad":"' + "x" * (2 << 20) + '"}')
    base = ["--aud", VERIFY_AUD, "--now", str(NOW)]
    return {
        "missing-jwks": (["--aud", VERIFY_AUD, token], ["--jwks"]),
        "jwks-not-found": (["--jwks", str(tmp / "nope.jwks"), *base, token], ["nope.jwks"]),
        "jwks-is-directory": (["--jwks", str(tmp), *base, token], [str(tmp)]),
        "jwks-garbage": (["--jwks", str(tmp / "garbage.jwks"), *base, token], ["garbage.jwks"]),
        "jwks-truncated-json": (["--jwks", str(tmp / "truncated.jwks"), *base, token], ["truncated.jwks"]),
        "jwks-keys-not-array": (["--jwks", str(tmp / "keys-not-array.jwks"), *base, token], ["keys"]),
        "jwks-empty-file": (["--jwks", str(tmp / "empty.jwks"), *base, token], ["empty.jwks"]),
        "jwks-duplicate-keys": (["--jwks", str(tmp / "dup.jwks"), *base, token], ["dup.jwks"]),
        "jwks-no-keys": (["--jwks", str(tmp / "no-keys.jwks"), *base, token], ["key"]),
        "jwks-enc-only": (["--jwks", str(tmp / "enc-only.jwks"), *base, token], ["key"]),
        "jwks-too-large": (["--jwks", str(tmp / "huge.jwks"), *base, token], ["huge.jwks"]),
        "jwks-private-ec": (["--jwks", str(tmp / "private-ec.jwks"), *base, token], ["private"]),
        "jwks-private-rsa": (["--jwks", str(tmp / "private-rsa.jwks"), *base, token], ["private"]),
        "jwk-private-okp": (["--jwks", str(tmp / "private-okp.jwk"), *base, token], ["private"]),
        "jwks-stdin-twice": (["--jwks", "-", "--jwks", "-", *base, token], ["standard input"]),
        "unknown-profile": (["--jwks", es, "--profile", "nope", *base, token], ["nope"]),
        "profile-without-aud": (["--jwks", es, "--now", str(NOW), token], ["--aud"]),
        "leeway-not-duration": (["--jwks", es, "--leeway", "abc", *base, token], ["--leeway"]),
        "leeway-too-large": (["--jwks", es, "--leeway", "2h", *base, token], ["--leeway"]),
        "leeway-negative": (["--jwks", es, "--leeway=-5", *base, token], ["--leeway"]),
        "unknown-alg": (["--jwks", es, "--alg", "XS256", *base, token], ["XS256"]),
        "alg-none-allowlist": (["--jwks", es, "--alg", "none", *base, token], ["none"]),
        "bad-now": (["--jwks", es, "--aud", VERIFY_AUD, "--now", "yesterday", token], ["--now"]),
        "bad-max-age": (["--jwks", es, "--max-age", "5x", *base, token], ["--max-age"]),
        "unknown-option": (["--jwks", es, "--frobnicate", *base, token], ["frobnicate"]),
        "batch-with-token": (["--jwks", es, "--batch", *base, token], ["--batch"]),
    }


EXIT2_IDS = ["missing-jwks", "jwks-not-found", "jwks-is-directory", "jwks-garbage", "jwks-truncated-json",
             "jwks-keys-not-array", "jwks-empty-file", "jwks-duplicate-keys", "jwks-no-keys", "jwks-enc-only",
             "jwks-too-large", "jwks-private-ec", "jwks-private-rsa", "jwk-private-okp", "jwks-stdin-twice",
             "unknown-profile", "profile-without-aud", "leeway-not-duration", "leeway-too-large", "leeway-negative",
             "unknown-alg", "alg-none-allowlist", "bad-now", "bad-max-age", "unknown-option", "batch-with-token"]


@pytest.mark.parametrize("case", EXIT2_IDS)
def test_exit2_could_not_judge(case, verify_keys, tmp_path):
    cases = _exit2_cases(verify_keys, tmp_path)
    assert set(cases) == set(EXIT2_IDS)
    args, needles = cases[case]
    p = wif_run("wif-verify", *args, input="")
    assert_usage_error(p, *needles, tool="wif-verify")


@pytest.mark.parametrize("mode", ["token", "batch", "request"])
def test_jwks_and_input_both_from_stdin_is_usage_error(mode, verify_keys):
    """`--jwks -` with the token (or batch, or request body) also on stdin cannot work: stdin can be read only once.
    Like two `--jwks -` (already exit 2), this must be a usage error, not a judgement of an empty input."""
    args = {"token": [], "batch": ["--batch"], "request": []}[mode]
    cmd = (["request"] if mode == "request" else []) + ["--jwks", "-", "--aud", VERIFY_AUD, "--now", NOW, *args]
    p = wif_run("wif-verify", *cmd, input=verify_keys.public["ES256"].read_text())
    assert_usage_error(p, "standard input", tool="wif-verify")


def test_exit2_with_json_still_on_stderr(verify_keys, tmp_path):
    """--json reports rejections on stdout; a configuration error is still exit 2 with a stderr line."""
    p = wif_run("wif-verify", "--json", "--jwks", tmp_path / "nope.jwks", "--aud", VERIFY_AUD, "x.y.z")
    assert_usage_error(p, "nope.jwks", tool="wif-verify")
