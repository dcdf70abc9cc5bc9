# SPDX-License-Identifier: Apache-2.0
"""wif-inspect through the built binary: detection, findings, the human view, --json, --claim/--header,
--strict, colour, --jwks verdicts, secrets, bad input, and "wif-inspect shows exactly what wif-mint minted".

Binaries come from $WIF_BIN_DIR (default <repo>/.build/debug). Shared helpers are in conftest.py.
Every run uses a fixed clock (--now), so the expected times and words are exact.
"""
import json
import os
import pty
import re
import subprocess

import pytest

from conftest import (REPO_ROOT, assert_usage_error, b64u_decode, b64u_encode, jwk_thumbprint, jws_split,
                      public_jwk, wif_binary, wif_ok, wif_run)

NOW = 1767323400                      # 2026-01-02T03:10:00Z
ISS = "https://issuer.example"
SUB = "spiffe://example.org/ns/ci/sa/build"
AUD = "https://as.example/token"
ESC = "\x1b["
INSPECT_SWIFT = REPO_ROOT / "Sources" / "Core" / "Operations" / "Inspect.swift"
KEY_SET_LINT_SWIFT = REPO_ROOT / "Sources" / "Core" / "Operations" / "KeySetLint.swift"


# ---------------------------------------------------------------------------------------------------------------
# helpers

def inspect(*args, input=None, env=None):
    return wif_run("wif-inspect", *args, input=input, env=env)


def inspect_json(*args, input=None, status=0):
    p = inspect("--json", *args, input=input)
    verdict = re.findall(r'"reason":"[a-z_]+"', p.stdout)
    assert p.returncode == status, f"exit {p.returncode} (want {status}) {verdict}\nstdout {p.stdout[:500]}\n" \
                                   f"stderr {p.stderr}"
    return json.loads(p.stdout)


def ordered(text):
    """JSON with objects as lists of (name, value) pairs, to compare member order too."""
    return json.loads(text, object_pairs_hook=lambda pairs: pairs)


def findings(report):
    """Every (code, severity) of a report, nested tokens and key sets included."""
    out = []

    def walk(o):
        if isinstance(o, dict):
            for f in o.get("findings", []):
                out.append((f["code"], f["severity"]))
                assert isinstance(f["message"], str) and f["message"], f
            for key in ("tokens", "jwks"):
                v = o.get(key)
                if isinstance(v, list):
                    for x in v:
                        walk(x)
                elif isinstance(v, dict):
                    if "type" in v:
                        walk(v)
                    else:
                        for x in v.values():
                            walk(x)
    walk(report)
    return out


def _b64int(s):
    return int.from_bytes(b64u_decode(s), "big")


def sign_jws(header, payload, jwk, alg=None, signature=None):
    """A compact JWS signed here with `cryptography` (ES256 or RS256 private JWK); header/payload are dicts, or
    bytes kept as given. `signature` replaces the real one."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    hb = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    pb = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    signing_input = (b64u_encode(hb) + "." + b64u_encode(pb)).encode()
    if signature is None:
        if jwk["kty"] == "EC":
            key = ec.derive_private_key(_b64int(jwk["d"]), ec.SECP256R1())
            r, s_ = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s_.to_bytes(32, "big")
        else:
            pub = rsa.RSAPublicNumbers(_b64int(jwk["e"]), _b64int(jwk["n"]))
            key = rsa.RSAPrivateNumbers(*(_b64int(jwk[m]) for m in ("p", "q", "d", "dp", "dq", "qi")),
                                        pub).private_key()
            signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + b64u_encode(signature)


def good_header(kid="kid-ES256", alg="ES256"):
    return {"alg": alg, "typ": "JWT", "kid": kid}


def good_claims(**over):
    c = {"iss": ISS, "sub": SUB, "aud": AUD, "exp": NOW + 300, "iat": NOW, "jti": "jti-1"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def jwe_compact(header=None):
    """A JWE compact serialization built by hand: five base64url segments, only the header readable."""
    h = header or {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "enc-1"}
    parts = [json.dumps(h, separators=(",", ":")).encode(), os.urandom(256), os.urandom(12), os.urandom(40),
             os.urandom(16)]
    return ".".join(b64u_encode(p) for p in parts)


class Keys:
    """Private JWK files made by `wif-mint key --kid kid-<spec>`, and their public JWKS (an HMAC key: itself)."""
    SPECS = {"ES256": ["--alg", "ES256"], "EdDSA": ["--alg", "EdDSA"], "HS256": ["--alg", "HS256"],
             "RS256": ["--alg", "RS256"]}

    def __init__(self, folder):
        self.folder = folder
        for spec, args in self.SPECS.items():
            wif_ok("wif-mint", "key", *args, "--kid", f"kid-{spec}", "--out", self.path(spec))
            if spec != "HS256":
                self.jwks_path(spec).write_text(wif_ok("wif-mint", "jwks", self.path(spec)))

    def path(self, spec):
        return self.folder / f"{spec}.jwk"

    def jwk(self, spec):
        return json.loads(self.path(spec).read_text())

    def jwks_path(self, spec):
        return self.path(spec) if spec == "HS256" else self.folder / f"{spec}.jwks"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return Keys(tmp_path_factory.mktemp("inspect-keys"))


@pytest.fixture(scope="module")
def es(keys):
    return keys.jwk("ES256")


def token_es(es, header=None, claims=None, signature=None):
    return sign_jws(header if header is not None else good_header(), claims if claims is not None else good_claims(),
                      es, alg="ES256", signature=signature)


# ---------------------------------------------------------------------------------------------------------------
# detection

def test_detect_jws_from_argument_stdin_and_file(keys, tmp_path):
    tok = wif_ok("wif-mint", "-k", keys.path("ES256"), "--now", NOW, "--iss", ISS, "--sub", SUB, "--aud", AUD,
                 "--jti", "j1").strip()
    f = tmp_path / "t.jwt"
    f.write_text(tok + "\n")
    reports = [inspect_json("--now", NOW, tok), inspect_json("--now", NOW, "-", input=tok + "\n"),
               inspect_json("--now", NOW, f), inspect_json("--now", NOW, input="  \n" + tok + "\r\n\n")]
    h, p, sig = jws_split(tok)
    for r in reports:
        assert r["type"] == "jws"
        assert r["header"] == h and r["payload"] == p
        assert r["size"] == len(tok)
        assert r["signature"] == {"alg": "ES256", "bytes": 64, "kid": "kid-ES256", "verified": False}
        assert r["findings"] == []
    assert reports[0] == reports[1] == reports[2] == reports[3]


def test_argument_rules_of_the_man_page(keys, es, tmp_path):
    """wif-inspect(1), Input: an existing file is read; token-shaped, JSON or form text is the input itself;
    anything else is a file name (a missing file is exit 2, naming it)."""
    tok = token_es(es)
    (tmp_path / "keys").mkdir()
    jwk = json.dumps(_pub(keys, "ES256"))
    (tmp_path / "keys" / "jwks").write_text(_jwks(_pub(keys, "ES256")))
    assert wif_ok("wif-inspect", "--json", "keys/jwks", cwd=tmp_path).startswith('{"type":"jwks"')
    assert json.loads(wif_ok("wif-inspect", "--json", "--now", NOW, tok))["type"] == "jws"
    assert json.loads(wif_ok("wif-inspect", "--json", jwk))["type"] == "jwk"
    assert json.loads(wif_ok("wif-inspect", "--json", _form(grant_type=BEARER, assertion=tok)))["type"] == "request"
    for name in ("./keys/jwks.jsn", "keys/missing", "token"):
        p = wif_run("wif-inspect", name, cwd=tmp_path)
        assert_usage_error(p, tool="wif-inspect")
        assert name in p.stderr


def test_absent_key_members_are_a_dash_as_in_jwks_check(keys, tmp_path):
    f = tmp_path / "set.json"
    f.write_text(_jwks(_pub(keys, "ES256", kid=None, alg=None, use=None)))
    text = wif_ok("wif-inspect", f)
    assert re.search(r"^  0\. kid -, EC P-256, alg -, use -$", text, re.M), text
    assert "null" not in text
    rep = wif_run("wif-verify", "jwks-check", "--published", f).stdout
    assert re.search(r"^  \(no kid\)  EC P-256  -  -  ", rep, re.M), rep


def test_json_is_one_compact_line(keys, es):
    out = wif_ok("wif-inspect", "--json", "--now", NOW, token_es(es))
    assert out.count("\n") == 1 and out.endswith("}\n") and '": ' not in out
    assert json.loads(out)["type"] == "jws"


def test_detect_jwe_compact():
    tok = jwe_compact()
    r = inspect_json(tok)
    assert r["type"] == "jwe"
    assert r["header"] == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "enc-1"}
    assert "payload" not in r and "signature" not in r
    assert findings(r) == [("encrypted", "info")]
    text = inspect(tok).stdout
    assert "encrypted" in text and "RSA-OAEP-256" in text and "A256GCM" in text


def test_detect_jwk_private(keys):
    jwk = keys.jwk("ES256")
    r = inspect_json(keys.path("ES256"))
    assert r["type"] == "jwk"
    assert r["key"]["private"] is True and r["key"]["kty"] == "EC" and r["key"]["crv"] == "P-256"
    assert r["key"]["thumbprint"] == jwk_thumbprint(jwk)
    assert r["key"]["kid"] == "kid-ES256" and r["key"]["alg"] == "ES256" and r["key"]["use"] == "sig"
    assert r["members"]["d"] == "(secret, 32 bytes)"
    assert {k: v for k, v in r["members"].items() if k != "d"} == public_jwk(jwk)
    assert ("private_key", "info") in findings(r)


def test_detect_jwk_public(keys):
    pub = public_jwk(keys.jwk("EdDSA"))
    r = inspect_json(input=json.dumps(pub))
    assert r["type"] == "jwk" and r["members"] == pub
    assert r["key"]["private"] is False and r["key"]["kty"] == "OKP" and r["key"]["crv"] == "Ed25519"
    assert r["key"]["thumbprint"] == jwk_thumbprint(pub)
    assert findings(r) == []


def test_detect_jwks(keys):
    r = inspect_json(keys.jwks_path("ES256"))
    assert r["type"] == "jwks" and len(r["keys"]) == 1
    k = r["keys"][0]
    jwk = keys.jwk("ES256")
    assert k == {"kid": "kid-ES256", "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "private": False,
                 "thumbprint": jwk_thumbprint(jwk)}
    assert findings(r) == []


def test_detect_jwks_rsa_size_and_view(keys, tmp_path):
    f = tmp_path / "two.json"
    f.write_text(wif_ok("wif-mint", "jwks", keys.path("RS256"), keys.path("ES256")))
    r = inspect_json(f)
    assert [k["kid"] for k in r["keys"]] == ["kid-RS256", "kid-ES256"]
    assert r["keys"][0]["bits"] == 2048 and "crv" not in r["keys"][0]
    text = inspect(f).stdout
    assert "JWKS, 2 keys" in text
    assert "0. kid kid-RS256, RSA 2048 bits, alg RS256, use sig" in text
    assert "1. kid kid-ES256, EC P-256, alg ES256, use sig" in text
    assert f"thumbprint {jwk_thumbprint(keys.jwk('RS256'))}" in text


def _pem_private_and_public(tmp_path):
    priv = tmp_path / "k.pem"
    wif_ok("wif-mint", "key", "--alg", "ES384", "--pem", "--out", priv)
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(priv.read_bytes(), None)
    pub = tmp_path / "k.pub.pem"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return priv, pub, key


def test_detect_pem_private_and_public(tmp_path):
    priv, pub, key = _pem_private_and_public(tmp_path)
    rp = inspect_json(priv)
    ru = inspect_json(pub)
    for r in (rp, ru):
        assert r["type"] == "pem"
        assert r["key"]["kty"] == "EC" and r["key"]["crv"] == "P-384"
        assert "d" not in r["jwk"] and r["jwk"]["kty"] == "EC"
        assert r["key"]["thumbprint"] == jwk_thumbprint(r["jwk"])
    assert rp["key"]["private"] is True and ru["key"]["private"] is False
    assert rp["jwk"] == ru["jwk"]
    assert ("private_key", "info") in findings(rp) and findings(ru) == []
    assert "PEM private key, EC P-384" in inspect(priv).stdout
    assert "PEM public key, EC P-384" in inspect(pub).stdout


def test_detect_form_body(keys):
    tok = wif_ok("wif-mint", "-k", keys.path("ES256"), "--now", NOW, "--iss", ISS, "--sub", SUB, "--aud", AUD).strip()
    body = wif_ok("wif-mint", "request", "--scope", "a b", "--resource", "https://r1", "--resource", "https://r2",
                  tok)
    r = inspect_json("--now", NOW, input=body)
    assert r["type"] == "request"
    assert r["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert r["parameters"] == [{"name": n, "value": v} for n, v in [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", tok), ("scope", "a b"),
        ("resource", "https://r1"), ("resource", "https://r2")]]
    inner = r["tokens"]["assertion"]
    assert inner["type"] == "jws" and inner["payload"] == jws_split(tok)[1]
    assert findings(r) == []
    text = inspect("--now", NOW, input=body).stdout
    assert "token request: JWT bearer grant (RFC 7523 §2.1)" in text
    assert "expires in 5m" in text                      # the assertion inside is shown too


def test_detect_request_json_output(keys, tmp_path):
    sub_tok = tmp_path / "s.jwt"
    act_tok = tmp_path / "a.jwt"
    sub_tok.write_text(wif_ok("wif-mint", "-k", keys.path("ES256"), "--sub", "user", "--now", NOW))
    act_tok.write_text(wif_ok("wif-mint", "-k", keys.path("ES256"), "--sub", "agent", "--now", NOW))
    out = wif_ok("wif-mint", "request", "--grant", "token-exchange", "--subject-token", sub_tok,
                 "--actor-token", act_tok, "--audience", "a1", "--audience", "a2", "--json")
    r = inspect_json("--now", NOW, input=out)
    assert r["type"] == "request"
    assert r["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    names = [p["name"] for p in r["parameters"]]
    assert names == ["grant_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type",
                     "audience", "audience"]
    assert r["tokens"]["subject_token"]["payload"]["sub"] == "user"
    assert r["tokens"]["actor_token"]["payload"]["sub"] == "agent"
    assert ("repeated_parameter", "error") not in findings(r)     # audience may repeat


def test_detect_several_tokens_one_a_line(keys):
    out = wif_ok("wif-mint", "-k", keys.path("ES256"), "--sub", "load", "--count", "3", "--now", NOW)
    r = inspect_json("--now", NOW, input=out)
    assert r["type"] == "tokens" and len(r["tokens"]) == 3
    lines = out.split()
    for t, line in zip(r["tokens"], lines):
        assert t["type"] == "jws" and t["payload"] == jws_split(line)[1]
    assert len({t["payload"]["jti"] for t in r["tokens"]}) == 3
    text = inspect("--now", NOW, input=out).stdout
    assert [l for l in text.splitlines() if l.startswith("token ")] == ["token 1", "token 2", "token 3"]


def test_detect_fixtures_output(keys):
    out = wif_ok("wif-mint", "fixtures", "-k", keys.path("ES256"), "--iss", ISS, "--sub", SUB, "--aud", AUD,
                 "--now", NOW)
    src = json.loads(out)
    r = inspect_json("--now", NOW, input=out)
    assert r["type"] == "named_tokens"
    assert list(r["tokens"]) == [n for n in src if n != "jwks"]
    for name, t in r["tokens"].items():
        h, p, _ = jws_split(src[name]) if name != "alg_none" else (*jws_split(src[name] + "AA")[:2], b"")
        assert t["header"] == h and t["payload"] == p, name
    assert r["jwks"]["type"] == "jwks" and r["jwks"]["keys"][0]["kid"] == "kid-ES256"
    got = {n: [c for c, _ in findings(t)] for n, t in r["tokens"].items()}
    assert "expired" in got["expired"] and "not_yet_valid" in got["not_yet_valid"]
    assert "alg_none" in got["alg_none"] and "no_exp" in got["missing_exp"] and "no_jti" in got["missing_jti"]
    assert "long_lifetime" in got["lifetime_too_long"] and "iat_in_future" in got["issued_in_future"]
    assert got["valid"] == []
    # mcp-conformance context: client_id is not a token and is left out
    mcp = wif_ok("wif-mint", "fixtures", "-k", keys.path("ES256"), "--iss", ISS, "--sub", SUB, "--aud", AUD,
                 "--now", NOW, "--format", "mcp-conformance")
    r = inspect_json("--now", NOW, input=mcp)
    assert r["type"] == "named_tokens" and list(r["tokens"]) == ["valid_jwt", "wrong_audience_jwt", "expired_jwt"]


def test_jws_json_serialization_is_refused(es):
    p = inspect(input=json.dumps({"payload": "e30", "signatures": [{"protected": "e30", "signature": "AA"}]}))
    assert_usage_error(p, "JSON serialization", tool="wif-inspect")


# ---------------------------------------------------------------------------------------------------------------
# findings: each code from a crafted input

def _jwks(*keys_):
    return json.dumps({"keys": list(keys_)})


def _pub(keys, spec, **over):
    k = public_jwk(keys.jwk(spec))
    k.update(over)
    return {a: b for a, b in k.items() if b is not None}


def _form(**params):
    from urllib.parse import urlencode
    return urlencode(list(params.items()) if isinstance(params, dict) else params)


BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
CLIENT_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# name: (builder(keys, es) -> input text, expected code, severity). Inputs are inspected with --now NOW.
FINDING_CASES = {
    "encrypted": (lambda k, es: jwe_compact(), "encrypted", "info"),
    "malformed": (lambda k, es: "e30.e30.e30.e30", "malformed", "error"),
    "malformed-header": (lambda k, es: b64u_encode(b"not json") + ".e30.AAAA", "malformed", "error"),
    "payload_not_json": (lambda k, es: sign_jws(good_header(), b"hello, world", es), "payload_not_json", "error"),
    "no_alg-token": (lambda k, es: sign_jws({"typ": "JWT", "kid": "kid-ES256"}, good_claims(), es, alg="ES256"),
                     "no_alg", "error"),
    "alg_none": (lambda k, es: b64u_encode(b'{"alg":"none","typ":"JWT"}') + "." +
                 b64u_encode(json.dumps(good_claims()).encode()) + ".", "alg_none", "error"),
    "alg_none-case": (lambda k, es: b64u_encode(b'{"alg":"nOnE"}') + "." + b64u_encode(b"{}") + ".",
                      "alg_none", "error"),
    "unknown_alg": (lambda k, es: sign_jws(good_header(alg="XS256"), good_claims(), es, alg="ES256"),
                    "unknown_alg", "error"),
    "no_typ": (lambda k, es: token_es(es, header={"alg": "ES256", "kid": "kid-ES256"}), "no_typ", "info"),
    "no_kid-token": (lambda k, es: token_es(es, header={"alg": "ES256", "typ": "JWT"}), "no_kid", "info"),
    "embedded_key-jwk": (lambda k, es: token_es(es, header=dict(good_header(), jwk=_pub(k, "ES256"))),
                         "embedded_key", "warning"),
    "embedded_key-jku": (lambda k, es: token_es(es, header=dict(good_header(), jku="https://evil.example/jwks")),
                         "embedded_key", "warning"),
    "embedded_key-x5u": (lambda k, es: token_es(es, header=dict(good_header(), x5u="https://evil.example/c.pem")),
                         "embedded_key", "warning"),
    "embedded_key-x5c": (lambda k, es: token_es(es, header=dict(good_header(), x5c=["MIIB"])),
                         "embedded_key", "warning"),
    "crit": (lambda k, es: token_es(es, header=dict(good_header(), crit=["exp"], exp=1)), "crit", "warning"),
    "b64": (lambda k, es: token_es(es, header=dict(good_header(), b64=False)), "b64", "warning"),
    "nested_jwt": (lambda k, es: token_es(es, header=dict(good_header(), cty="JWT")), "nested_jwt", "warning"),
    "signature_length": (lambda k, es: token_es(es, signature=b"\x01" * 10), "signature_length", "error"),
    "no_exp": (lambda k, es: token_es(es, claims=good_claims(exp=None)), "no_exp", "warning"),
    "no_aud": (lambda k, es: token_es(es, claims=good_claims(aud=None)), "no_aud", "warning"),
    "no_jti": (lambda k, es: token_es(es, claims=good_claims(jti=None)), "no_jti", "warning"),
    "no_iss": (lambda k, es: token_es(es, claims=good_claims(iss=None)), "no_iss", "warning"),
    "long_lifetime": (lambda k, es: token_es(es, claims=good_claims(exp=NOW + 3601)), "long_lifetime", "warning"),
    "long_lifetime-no-iat": (lambda k, es: token_es(es, claims=good_claims(iat=None, exp=NOW + 7200)),
                             "long_lifetime", "warning"),
    "bad_numeric_date": (lambda k, es: token_es(es, claims=good_claims(exp="tomorrow")), "bad_numeric_date", "error"),
    "bad_spiffe_id": (lambda k, es: token_es(es, claims=good_claims(sub="spiffe://Example.org/x")),
                      "bad_spiffe_id", "warning"),
    "bad_spiffe_id-slash": (lambda k, es: token_es(es, claims=good_claims(sub="spiffe://example.org/x/")),
                            "bad_spiffe_id", "warning"),
    "dpop_bound": (lambda k, es: token_es(es, claims=good_claims(cnf={"jkt": "abc"})), "dpop_bound", "warning"),
    "dpop_bound-no-jkt": (lambda k, es: token_es(es, claims=good_claims(cnf={"x5t#S256": "abc"})), "dpop_bound",
                          "warning"),
    "use_budget": (lambda k, es: token_es(es, claims=good_claims(wif_max_uses=5)), "use_budget", "info"),
    "bad_use_budget": (lambda k, es: token_es(es, claims=good_claims(wif_max_uses=0)), "bad_use_budget", "error"),
    "bad_use_budget-string": (lambda k, es: token_es(es, claims=good_claims(wif_max_uses="5")), "bad_use_budget",
                              "error"),
    "expired": (lambda k, es: token_es(es, claims=good_claims(iat=NOW - 600, exp=NOW - 1)), "expired", "warning"),
    "not_yet_valid": (lambda k, es: token_es(es, claims=good_claims(nbf=NOW + 60)), "not_yet_valid", "warning"),
    "iat_in_future": (lambda k, es: token_es(es, claims=good_claims(iat=NOW + 10, exp=NOW + 300)),
                      "iat_in_future", "warning"),
    # keys
    "private_key-jwk": (lambda k, es: json.dumps(es), "private_key", "info"),
    # key sets: KeySetLint, the same codes and severities as jwks-check (test_key_set_facts_agree_with_jwks_check)
    "private_key_published-oct": (lambda k, es: _jwks(k.jwk("HS256")), "private_key_published", "error"),
    "private_key_published": (lambda k, es: _jwks(es), "private_key_published", "error"),
    "missing_kid": (lambda k, es: _jwks(_pub(k, "ES256", kid=None)), "missing_kid", "error"),
    "missing_alg": (lambda k, es: _jwks(_pub(k, "ES256", alg=None)), "missing_alg", "error"),
    "missing_use": (lambda k, es: _jwks(_pub(k, "ES256", use=None)), "missing_use", "error"),
    "missing_kid-jwk": (lambda k, es: json.dumps(_pub(k, "ES256", kid=None)), "missing_kid", "error"),
    "bad_use": (lambda k, es: _jwks(_pub(k, "RS256", alg="RSA-OAEP", use="enc")), "bad_use", "error"),
    "bad_use-key_ops": (lambda k, es: _jwks(_pub(k, "ES256", key_ops=["encrypt"])), "bad_use", "error"),
    "weak_key-jwk": (lambda k, es: json.dumps({"kty": "oct", "k": b64u_encode(b"k" * 16), "kid": "short"}),
                     "weak_key", "error"),
    "weak_key-jwks": (lambda k, es: _jwks({"kty": "oct", "k": b64u_encode(b"k" * 16), "kid": "short"}),
                      "weak_key", "error"),
    "weak_key-rsa1024": (lambda k, es: _jwks(_rsa1024()), "weak_key", "error"),
    "invalid_key-jwk": (lambda k, es: json.dumps(_pub(k, "ES256", x=b64u_encode(b"\x00" * 31))), "invalid_key",
                        "error"),
    "invalid_key-jwks": (lambda k, es: _jwks(_pub(k, "ES256", y=b64u_encode(b"\x01" * 32))), "invalid_key", "error"),
    "invalid_key-not-object": (lambda k, es: _jwks("a string"), "invalid_key", "error"),
    "invalid_key-curve": (lambda k, es: _jwks({"kty": "OKP", "crv": "X25519", "kid": "x",
                                               "x": b64u_encode(b"\x09" * 32)}), "invalid_key", "error"),
    "invalid_key-kty": (lambda k, es: _jwks({"kty": "AKP", "kid": "pq", "pub": "AAAA"}), "invalid_key", "error"),
    "no_keys": (lambda k, es: json.dumps({"keys": "none"}), "no_keys", "error"),
    "duplicate_kid": (lambda k, es: _jwks(_pub(k, "ES256"), _pub(k, "EdDSA", kid="kid-ES256")), "duplicate_kid",
                      "error"),
    "duplicate_key": (lambda k, es: _jwks(_pub(k, "ES256"), _pub(k, "ES256")), "duplicate_key", "error"),
    "too_many_keys": (lambda k, es: _jwks(*[_pub(k, "ES256", kid=f"k{i}") for i in range(257)]), "too_many_keys",
                      "error"),
    "empty_set": (lambda k, es: _jwks(), "empty_set", "error"),
    # token requests
    "repeated_parameter": (lambda k, es: f"grant_type={BEARER}&assertion=a.b.c&scope=x&scope=y",
                           "repeated_parameter", "error"),
    "missing_parameter-assertion": (lambda k, es: _form(grant_type=BEARER, scope="x"), "missing_parameter", "error"),
    "missing_parameter-exchange": (lambda k, es: _form(grant_type=EXCHANGE, subject_token=token_es(es)),
                                   "missing_parameter", "error"),
    "unknown_grant": (lambda k, es: _form(grant_type="password", username="u", password="p"), "unknown_grant",
                      "warning"),
    "bad_client_assertion_type": (lambda k, es: _form(grant_type="client_credentials",
                                                      client_assertion_type="urn:example:wrong",
                                                      client_assertion=token_es(es)),
                                  "bad_client_assertion_type", "error"),
}


def _rsa1024():
    from cryptography.hazmat.primitives.asymmetric import rsa
    n = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()
    return {"kty": "RSA", "kid": "small", "n": b64u_encode(n.n.to_bytes(128, "big")), "e": "AQAB"}


@pytest.mark.parametrize("case", list(FINDING_CASES))
def test_finding(case, keys, es):
    build, code, severity = FINDING_CASES[case]
    text = build(keys, es)
    r = inspect_json("--now", NOW, input=text)
    got = findings(r)
    assert (code, severity) in got, f"{case}: want ({code}, {severity}) in {got}"
    # the human view lists it as well, with the severity word first
    human = inspect("--now", NOW, input=text).stdout
    assert re.search(rf"^\s*{severity}\s+{code}: \S", human, re.M), human


def test_finding_alg_key_mismatch_with_jwks(keys, tmp_path):
    f = tmp_path / "mixed.json"
    f.write_text(_jwks(_pub(keys, "RS256"), _pub(keys, "ES256")))
    tok = sign_jws(good_header(alg="RS256", kid="kid-ES256"), good_claims(), keys.jwk("RS256"))
    r = inspect_json("--now", NOW, "--jwks", f, tok, status=1)
    assert ("alg_key_mismatch", "error") in findings(r)
    assert r["verdict"]["reason"] == "alg_key_mismatch"
    # without keys there is nothing to compare the alg with
    assert ("alg_key_mismatch", "error") not in findings(inspect_json("--now", NOW, tok))


def test_finding_short_hmac_key_with_jwks(tmp_path):
    import hashlib
    import hmac
    secret = b"s" * 32
    key = tmp_path / "oct.jwk"
    key.write_text(json.dumps({"kty": "oct", "kid": "o", "k": b64u_encode(secret)}))
    hb = b64u_encode(json.dumps({"alg": "HS512", "typ": "JWT", "kid": "o"}).encode())
    pb = b64u_encode(json.dumps(good_claims()).encode())
    sig = hmac.new(secret, f"{hb}.{pb}".encode(), hashlib.sha512).digest()
    p = inspect("--json", "--now", NOW, "--jwks", key, f"{hb}.{pb}.{b64u_encode(sig)}")
    assert ("short_hmac_key", "error") in findings(json.loads(p.stdout))


def _key_set_codes():
    """The cases of KeySetLint.Code, the linter wif-inspect and jwks-check share."""
    src = KEY_SET_LINT_SWIFT.read_text()
    return set(re.findall(r'^\s+case \w+ = "([a-z0-9_]+)"$', src, re.M))


def _source_codes():
    src = INSPECT_SWIFT.read_text()
    return set(re.findall(r'Finding\("([a-z0-9_]+)",', src)) | _key_set_codes()


def test_every_finding_code_in_the_source_is_tested():
    tested = {c for _, c, _ in FINDING_CASES.values()} | {"alg_key_mismatch", "short_hmac_key", "encrypted_key"}
    missing = _source_codes() - tested
    assert not missing, f"finding codes without a test: {sorted(missing)}"


def test_every_finding_code_is_in_the_man_page():
    page = REPO_ROOT / "man" / "wif-inspect.1"
    if not page.exists():
        pytest.fail("man/wif-inspect.1 is missing")
    text = page.read_text()
    for code in sorted(_source_codes()):
        assert re.search(rf"^\.It Li {re.escape(code)}\b", text, re.M), f"{code} is not an .It in man/wif-inspect.1"


@pytest.mark.parametrize("case", [c for c, (_, code, _) in FINDING_CASES.items()
                                  if code in _key_set_codes() - {"no_keys", "too_many_keys"} and "jwk" not in c]
                         + ["mixed"])
def test_key_set_facts_agree_with_jwks_check(case, keys, es, tmp_path):
    """The same key-set fact gets the same code and severity from wif-inspect --json and jwks-check --json
    (jwks-check refuses a file without a keys array or with too many keys as an input error, exit 2)."""
    if case == "mixed":
        text = _jwks(es, _pub(keys, "RS256", alg="RSA-OAEP", use="enc"), _pub(keys, "ES256", kid=None, use=None),
                     "junk", _pub(keys, "EdDSA", kid="kid-ES256"), _pub(keys, "EdDSA", kid="kid-ES256"))
    else:
        text = FINDING_CASES[case][0](keys, es)
    f = tmp_path / "set.json"
    f.write_text(text)
    inspected = findings(inspect_json("--now", NOW, f))
    p = wif_run("wif-verify", "jwks-check", "--published", f, "--now", NOW, "--json")
    assert p.returncode == 1, p.stderr
    checked = [(x["code"], x["severity"]) for x in json.loads(p.stdout)["findings"]]
    assert inspected == checked and inspected


def test_clean_token_has_no_findings(es):
    r = inspect_json("--now", NOW, token_es(es))
    assert r["findings"] == []
    assert inspect("--strict", "--now", NOW, token_es(es)).returncode == 0


# ---------------------------------------------------------------------------------------------------------------
# the human view

def test_times_rfc3339_and_relative(es):
    tok = token_es(es, claims=good_claims(nbf=NOW - 90, exp=NOW + 300, iat=NOW - 252, auth_time=NOW - 3 * 3600))
    text = inspect("--now", NOW, tok).stdout
    assert re.search(r"^\s+exp\s+1767323700  2026-01-02T03:15:00Z  \(expires in 5m\)$", text, re.M), text
    assert re.search(r"^\s+nbf\s+1767323310  2026-01-02T03:08:30Z  \(valid since 1m 30s ago\)$", text, re.M), text
    assert re.search(r"^\s+iat\s+1767323148  2026-01-02T03:05:48Z  \(4m 12s ago\)$", text, re.M), text
    assert re.search(r"^\s+auth_time\s+1767312600  2026-01-02T00:10:00Z  \(3h ago\)$", text, re.M), text
    # an hour and five minutes later, as RFC 3339 --now
    later = inspect("--now", "2026-01-02T04:15:00Z", tok).stdout
    assert "2026-01-02T03:15:00Z  (expired 1h ago)" in later, later
    assert "warning  expired: expired 1h ago" in later
    # not yet valid
    fut = inspect("--now", NOW, token_es(es, claims=good_claims(nbf=NOW + 600, exp=NOW + 900))).stdout
    assert "(valid in 10m)" in fut
    j = inspect_json("--now", NOW, tok)
    assert j["times"]["exp"] == {"value": NOW + 300, "utc": "2026-01-02T03:15:00Z", "relative": "expires in 5m"}


def test_header_and_claims_in_order(es):
    claims = {"sub": "z", "aud": AUD, "iss": ISS, "exp": NOW + 60, "custom": {"b": 1, "a": [1, 2]}, "jti": "x"}
    tok = token_es(es, header={"kid": "kid-ES256", "alg": "ES256", "typ": "JWT"}, claims=claims)
    text = inspect("--now", NOW, tok).stdout
    lines = text.splitlines()
    head = lines[lines.index("header") + 1: lines.index("payload")]
    assert [l.split()[0] for l in head] == ["kid", "alg", "typ"]
    pay = lines[lines.index("payload") + 1: lines.index("signature")]
    assert [l.split()[0] for l in pay] == list(claims)
    assert '  custom  {"b":1,"a":[1,2]}' in text
    assert dict(ordered(inspect("--json", "--now", NOW, tok).stdout))["header"] == [
        ("kid", "kid-ES256"), ("alg", "ES256"), ("typ", "JWT")]


def test_delegation_chain_numbered_current_actor_first(keys):
    tok = wif_ok("wif-mint", "-k", keys.path("ES256"), "--now", NOW, "--sub", "user@example.com",
                 "--act", "svc-c", "--act", "svc-b", "--act", "svc-a", "--act-claim", "client_id=ci").strip()
    text = inspect("--now", NOW, tok).stdout
    lines = text.splitlines()
    i = lines.index("delegation (the subject, then each hop; the current actor last)")
    assert lines[i + 1: i + 5] == ["  user@example.com (subject)", '  `- svc-a  {"client_id":"ci"}', "     `- svc-b",
                                   "        `- svc-c (current actor)"]
    r = inspect_json("--now", NOW, tok)
    assert r["delegation"] == [{"sub": "svc-c"}, {"sub": "svc-b"}, {"sub": "svc-a", "client_id": "ci"}]
    assert "delegation" not in inspect_json("--now", NOW, wif_ok("wif-mint", "-k", keys.path("ES256"),
                                                                   "--sub", "x").strip())


def test_signature_not_verified_without_jwks(es):
    text = inspect("--now", NOW, token_es(es)).stdout
    assert "ES256, 64 bytes, kid kid-ES256: signature not verified (give --jwks FILE to verify)" in text
    assert "verdict" not in text


def test_request_view_shortens_tokens(es):
    tok = token_es(es)
    text = inspect("--now", NOW, input=_form(grant_type=BEARER, assertion=tok)).stdout
    assert f"assertion               {tok[:40]}..." in text
    assert tok not in text


# ---------------------------------------------------------------------------------------------------------------
# --jwks: wif-verify's checks and verdict

def test_jwks_verdict_valid(keys, es):
    tok = token_es(es)
    p = inspect("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--iss", ISS, tok)
    assert p.returncode == 0, p.stderr
    assert f"ES256, 64 bytes, kid kid-ES256: verified with key {jwk_thumbprint(es)}" in p.stdout
    assert re.search(r"^verdict  valid$", p.stdout, re.M)
    assert "not verified" not in p.stdout
    r = inspect_json("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, tok)
    assert r["verdict"] == {"valid": True}
    assert r["signature"]["verified"] is True and r["signature"]["key"] == jwk_thumbprint(es)


def test_jwks_verdict_of_a_bound_token_warns_its_proof_is_unchecked(keys, es):
    tok = token_es(es, claims=good_claims(cnf={"jkt": "the-jkt"}))
    r = inspect_json("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, tok)
    assert r["verdict"] == {"valid": True}
    assert ("dpop_bound", "warning") in findings(r)
    p = inspect("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, tok)
    assert p.returncode == 0 and "the-jkt" in p.stdout and "not checked here" in p.stdout


def test_jwks_verdict_rejected_exit_1(keys, es):
    tok = token_es(es, claims=good_claims(iat=NOW - 600, exp=NOW - 120))
    p = inspect("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, tok)
    assert p.returncode == 1 and p.stderr == ""
    assert re.search(r"^verdict  rejected: invalid_grant \(expired\): exp 1767323280 is 2m in the past", p.stdout,
                     re.M), p.stdout
    r = inspect_json("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, tok, status=1)
    assert r["verdict"]["valid"] is False and r["verdict"]["reason"] == "expired"
    assert r["verdict"]["error"] == "invalid_grant"
    # wrong audience, wrong issuer, other key
    assert inspect_json("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", "https://other", token_es(es),
                        status=1)["verdict"]["reason"] == "bad_audience"
    assert inspect_json("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--iss", "https://x",
                        token_es(es), status=1)["verdict"]["reason"] == "bad_issuer"
    assert inspect_json("--now", NOW, "--jwks", keys.jwks_path("EdDSA"), "--aud", AUD, token_es(es),
                        status=1)["verdict"]["reason"] in ("unknown_kid", "alg_not_allowed")


@pytest.mark.parametrize("claims,extra,reason", [
    (good_claims(iat=NOW - 600, exp=NOW - 120), [], "expired"), (good_claims(aud="https://other"), [], "bad_audience"),
    (good_claims(exp=None), [], "missing_claim"), (good_claims(), ["--iss", "https://other"], "bad_issuer"),
])
def test_signature_verified_also_when_claims_are_rejected(keys, es, claims, extra, reason):
    """signature.verified is true, with the key's kid and RFC 7638 thumbprint, whenever the signature verified."""
    tok = token_es(es, claims=claims)
    args = ["--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, *extra, tok]
    r = inspect_json(*args, status=1)
    assert r["verdict"]["reason"] == reason
    assert r["signature"] == {"alg": "ES256", "bytes": 64, "kid": "kid-ES256", "verified": True,
                              "key": jwk_thumbprint(es), "key_kid": "kid-ES256"}
    text = inspect(*args).stdout
    assert f"ES256, 64 bytes, kid kid-ES256: verified with key {jwk_thumbprint(es)} (kid kid-ES256)\n" in text, text
    assert re.search(rf"^verdict  rejected: invalid_grant \({reason}\)", text, re.M), text


def test_signature_not_verified_when_it_does_not_verify(keys, es):
    bad = token_es(es, signature=b"\x01" * 64)
    r = inspect_json("--now", NOW, "--jwks", keys.jwks_path("ES256"), "--aud", AUD, bad, status=1)
    assert r["verdict"]["reason"] == "bad_signature" and r["signature"]["verified"] is False
    assert "key" not in r["signature"]
    # a key without kid: the verifying key is named by its thumbprint alone
    anon = token_es(es, header={"alg": "ES256", "typ": "JWT"}, claims=good_claims(exp=NOW - 100, iat=NOW - 200))
    jwks = keys.folder / "anon.jwks"
    jwks.write_text(_jwks(_pub(keys, "ES256", kid=None)))
    r = inspect_json("--now", NOW, "--jwks", jwks, "--aud", AUD, anon, status=1)
    assert r["signature"]["verified"] is True and r["signature"]["key_kid"] is None
    text = inspect("--now", NOW, "--jwks", jwks, "--aud", AUD, anon).stdout
    assert f"ES256, 64 bytes: verified with key {jwk_thumbprint(es)}\n" in text, text


@pytest.mark.parametrize("spec", ["ES256", "EdDSA", "HS256"])
def test_jwks_verdict_equals_wif_verify_for_every_fixture(keys, spec):
    out = json.loads(wif_ok("wif-mint", "fixtures", "-k", keys.path(spec), "--iss", ISS, "--sub", SUB,
                            "--aud", AUD, "--now", NOW))
    jwks = keys.jwks_path(spec)
    args = ["--profile", "mcp-wif", "--iss", ISS, "--aud", AUD, "--jwks", jwks, "--now", NOW]
    r = inspect_json(*args, input=json.dumps(out), status=1)
    for name, tok in out.items():
        if name == "jwks":
            continue
        v = wif_run("wif-verify", "--json", *args, tok)
        want = json.loads(v.stdout)
        got = r["tokens"][name]["verdict"]
        assert got.get("reason") == want.get("reason") and got["valid"] == want["valid"], (name, got, want)
        if not want["valid"]:
            assert got["error"] == want["error"] and got["message"] == want["message"], (name, got, want)


def test_jwks_option_errors(keys, es):
    tok = token_es(es)
    assert_usage_error(inspect("--aud", AUD, tok), "--jwks", tool="wif-inspect")
    assert_usage_error(inspect("--jwks", keys.jwks_path("ES256"), "--profile", "mcp-wif", tok), "--aud",
                       tool="wif-inspect")
    assert_usage_error(inspect("--jwks", keys.jwks_path("ES256"), "--profile", "nope", "--aud", AUD, tok),
                       "profile", tool="wif-inspect")
    p = inspect("--jwks", "/nonexistent/jwks.json", tok)
    assert p.returncode == 2 and p.stdout == "" and p.stderr.startswith("wif-inspect: ")


# ---------------------------------------------------------------------------------------------------------------
# --claim / --header

def test_claim_and_header_values(keys, es):
    tok = token_es(es, claims=good_claims(aud=["a1", "a2"], n=5, ok=True, obj={"k": "v"}, s="x y"))
    def one(*a):
        p = inspect(*a, tok)
        assert p.returncode == 0 and p.stderr == "", p.stderr
        return p.stdout
    assert one("--claim", "iss") == ISS + "\n"
    assert one("--claim", "s") == "x y\n"
    assert one("--claim", "aud") == '["a1","a2"]\n'
    assert one("--claim", "n") == "5\n"
    assert one("--claim", "ok") == "true\n"
    assert one("--claim", "obj") == '{"k":"v"}\n'
    assert one("--claim", "exp") == f"{NOW + 300}\n"
    assert one("--header", "kid") == "kid-ES256\n"
    assert one("--header", "alg") == "ES256\n"


def test_claim_and_header_absent_exit_1(es):
    tok = token_es(es)
    p = inspect("--claim", "nope", tok)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr == "wif-inspect: claim nope is absent\n"
    p = inspect("--header", "x5c", tok)
    assert p.returncode == 1 and p.stdout == "" and p.stderr == "wif-inspect: header member x5c is absent\n"


def test_claim_in_shell_substitution(keys, tmp_path):
    (tmp_path / "t.jwt").write_text(wif_ok("wif-mint", "-k", keys.path("ES256"), "--sub", "job 7", "--now", NOW))
    env = dict(os.environ, PATH=f"{wif_binary('wif-inspect').parent}:{os.environ['PATH']}")
    r = subprocess.run(["bash", "-c", 'sub="$(wif-inspect --claim sub t.jwt)"; printf "[%s]" "$sub"'], cwd=tmp_path,
                       env=env, capture_output=True, text=True)
    assert r.stdout == "[job 7]"


def test_claim_over_several_tokens_and_requests(keys, es):
    out = wif_ok("wif-mint", "-k", keys.path("ES256"), "--sub", "load", "--count", "3", "--now", NOW)
    p = inspect("--claim", "jti", input=out)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 3
    assert p.stdout.splitlines() == [jws_split(t)[1]["jti"] for t in out.split()]
    body = _form(grant_type=BEARER, assertion=token_es(es))
    assert inspect("--claim", "sub", input=body).stdout == SUB + "\n"
    # one of the tokens lacks it: the others are printed, exit 1
    mixed = token_es(es) + "\n" + token_es(es, claims=good_claims(jti=None)) + "\n"
    p = inspect("--claim", "jti", input=mixed)
    assert p.returncode == 1 and p.stdout == "jti-1\n" and "jti is absent" in p.stderr


def test_claim_needs_a_token_and_excludes_header(keys, es):
    assert_usage_error(inspect("--claim", "sub", keys.jwks_path("ES256")), "needs a token", tool="wif-inspect")
    assert_usage_error(inspect("--claim", "sub", "--header", "kid", token_es(es)), "cannot be combined",
                       tool="wif-inspect")


# ---------------------------------------------------------------------------------------------------------------
# --strict

def test_strict_exits_1_on_warnings_only(keys, es):
    warn = token_es(es, claims=good_claims(jti=None))                    # no_jti: warning
    info = token_es(es, header={"alg": "ES256"})                         # no_typ, no_kid: info
    err = token_es(es, signature=b"\x00")                                 # signature_length: error
    assert inspect("--now", NOW, warn).returncode == 0
    assert inspect("--now", NOW, "--strict", warn).returncode == 1
    assert inspect("--now", NOW, "--strict", "--json", warn).returncode == 1
    assert inspect("--now", NOW, "--strict", info).returncode == 0
    assert inspect("--now", NOW, "--strict", err).returncode == 1
    assert inspect("--now", NOW, err).returncode == 0
    assert inspect("--strict", input=_jwks(_pub(keys, "ES256", use=None))).returncode == 1
    assert inspect("--strict", keys.jwks_path("ES256")).returncode == 0
    p = inspect("--now", NOW, "--strict", warn)
    assert p.stderr == "" and "warning  no_jti" in p.stdout       # the view is still printed


# ---------------------------------------------------------------------------------------------------------------
# colour

def _run_on_tty(args, env):
    """Runs wif-inspect with stdout on a pseudo-terminal; returns (exit status, output)."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([str(wif_binary("wif-inspect")), *map(str, args)], stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        slave = None
        chunks = []
        while True:
            try:
                b = os.read(master, 65536)
            except OSError:
                break
            if not b:
                break
            chunks.append(b)
        status = p.wait(timeout=60)
        return status, b"".join(chunks).decode("utf-8", "replace")
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


def test_colour_only_when_asked_or_on_a_terminal(keys, es):
    tok = token_es(es, claims=good_claims(jti=None, exp=NOW - 600, iat=NOW - 900))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    plain = inspect("--now", NOW, tok, env=env)
    assert ESC not in plain.stdout and ESC not in plain.stderr                # piped: never
    assert ESC not in inspect("--now", NOW, "--color", "never", tok, env=env).stdout
    assert ESC not in inspect("--now", NOW, "--color", "auto", tok, env=env).stdout
    colored = inspect("--now", NOW, "--color", "always", tok, env=env).stdout
    assert "\x1b[1mheader\x1b[0m" in colored and "\x1b[33mwarning\x1b[0m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain.stdout              # same text, only painted
    assert ESC not in inspect("--now", NOW, "--json", "--color", "always", tok, env=env).stdout
    assert ESC not in inspect("--claim", "sub", "--color", "always", tok, env=env).stdout
    # verdict colours
    ok = inspect("--now", NOW, "--color", "always", "--jwks", keys.jwks_path("ES256"), token_es(es), env=env).stdout
    assert "\x1b[32mvalid\x1b[0m" in ok
    bad = inspect("--now", NOW, "--color", "always", "--jwks", keys.jwks_path("ES256"), tok, env=env)
    assert bad.returncode == 1 and "\x1b[31mrejected\x1b[0m" in bad.stdout


def test_colour_on_a_terminal_and_no_color(es):
    tok = token_es(es)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    status, out = _run_on_tty(["--now", NOW, tok], env)
    assert status == 0 and ESC in out
    status, out = _run_on_tty(["--now", NOW, tok], dict(env, NO_COLOR="1"))
    assert status == 0 and ESC not in out and "signature not verified" in out
    status, out = _run_on_tty(["--now", NOW, "--color", "never", tok], env)
    assert ESC not in out
    # an explicit --color always wins over NO_COLOR
    assert ESC in inspect("--now", NOW, "--color", "always", tok, env=dict(env, NO_COLOR="1")).stdout


def test_colour_bad_value(es):
    assert_usage_error(inspect("--color", "sometimes", token_es(es)), "--color", tool="wif-inspect")


# ---------------------------------------------------------------------------------------------------------------
# secrets are never printed

def _all_output(*args, input=None):
    outs = []
    for extra in ([], ["--json"], ["--color", "always"]):
        p = inspect(*extra, *args, input=input)
        outs.append(p.stdout + p.stderr)
    return "\n".join(outs)


@pytest.mark.parametrize("spec,members", [("ES256", ["d"]), ("EdDSA", ["d"]), ("HS256", ["k"]),
                                           ("RS256", ["d", "p", "q", "dp", "dq", "qi"])])
def test_private_key_members_never_printed(keys, spec, members):
    jwk = keys.jwk(spec)
    outputs = _all_output(keys.path(spec)) + _all_output(input=_jwks(jwk)) + _all_output(
        input=json.dumps({"keys": [jwk], "extra": 1}))
    for m in members:
        assert jwk[m] not in outputs, f"{spec} member {m} leaked"
    assert "(secret, " in outputs


def test_pem_private_key_never_printed(tmp_path):
    priv, _, key = _pem_private_and_public(tmp_path)
    d = key.private_numbers().private_value.to_bytes(48, "big")
    out = _all_output(priv)
    assert b64u_encode(d) not in out and "PRIVATE KEY" not in out
    pem_body = "".join(priv.read_text().splitlines()[1:-1])
    assert pem_body[:40] not in out


def test_hmac_key_given_with_jwks_never_printed(keys):
    tok = wif_ok("wif-mint", "-k", keys.path("HS256"), "--sub", "x", "--now", NOW).strip()
    out = _all_output("--now", NOW, "--jwks", keys.path("HS256"), tok)
    assert keys.jwk("HS256")["k"] not in out


def test_secret_request_parameters_shown_by_size_only(es, tmp_path):
    secret = "s3cr3t-Value-9f2c41"
    body = _form(grant_type="client_credentials", client_id="c1", client_secret=secret,
                 client_assertion_type=CLIENT_TYPE, client_assertion=token_es(es), code_verifier="v" * 43,
                 refresh_token="rt-SECRET-123", password="hunter2-pw", code="authz-code-77")
    out = _all_output(input=body)
    for s in (secret, "v" * 43, "rt-SECRET-123", "hunter2-pw", "authz-code-77"):
        assert s not in out, s
    r = inspect_json(input=body)
    shown = {p["name"]: p["value"] for p in r["parameters"]}
    assert shown["client_secret"] == f"(secret, {len(secret)} bytes)"
    assert shown["code_verifier"] == "(secret, 43 bytes)"
    assert shown["client_id"] == "c1"
    # the same through wif-mint request --client-auth post and --json
    (tmp_path / "secret").write_text(secret + "\n")
    out = _all_output(input=wif_ok("wif-mint", "request", "--client-id", "c1", "--client-auth", "post",
                                   "--client-secret-file", tmp_path / "secret", "--json", token_es(es)))
    assert secret not in out


# ---------------------------------------------------------------------------------------------------------------
# bad input: one clear line, exit 2, never a crash

def test_bad_input_random_binary_file(tmp_path):
    f = tmp_path / "random.bin"
    f.write_bytes(os.urandom(4096).replace(b"-----BEGIN", b"") + b"\x00\xff")
    assert_usage_error(inspect(f), "none of", tool="wif-inspect")


def test_bad_input_empty_stdin():
    assert_usage_error(inspect("-", input=""), "empty", tool="wif-inspect")
    assert_usage_error(inspect(input=" \n\t\n"), "empty", tool="wif-inspect")


def test_bad_input_empty_file(tmp_path):
    (tmp_path / "e").write_text("")
    assert_usage_error(inspect(tmp_path / "e"), "empty", tool="wif-inspect")


def test_bad_input_10mb_line(tmp_path):
    line = b"eyJ" + b"A" * (10 * 1024 * 1024) + b"\n"
    f = tmp_path / "big.txt"
    f.write_bytes(line)
    assert_usage_error(inspect(f), "larger than", tool="wif-inspect")
    assert_usage_error(inspect("-", input=line), "larger than", tool="wif-inspect")


def test_bad_input_invalid_utf8(tmp_path):
    for data in (b"abc\xff\xfe.def.ghi", b'{"kty":"\xff"}', b"grant_type=x&assertion=\xc3\x28",
                 b"\xef\xbb\xbfeyJhbGciOiJFUzI1NiJ9.e30.AAAA", b"eyJhbGc\x80.e30.AA"):
        f = tmp_path / "bad"
        f.write_bytes(data)
        assert_usage_error(inspect(f), tool="wif-inspect")
        assert_usage_error(inspect("-", input=data), tool="wif-inspect")


@pytest.mark.parametrize("text", [
    '{"hello":"world"}', '{}', '{"n":1,"list":[1,2]}', '[1,2,3]', '"just a string"', '4 2', 'hello world',
    '{"a":"b"', 'name=value&other=1', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    '-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n', '{"a":1,"a":2}',
])
def test_bad_input_none_of_the_kinds(text):
    p = inspect(input=text)
    assert_usage_error(p, tool="wif-inspect")


def test_bad_input_files(tmp_path):
    assert_usage_error(inspect(tmp_path / "sub" / "missing.jwt"), tool="wif-inspect")
    assert_usage_error(inspect(tmp_path), tool="wif-inspect")                    # a directory


@pytest.mark.parametrize("arg,stdin", [("missing-token.jwt", None), ("-", "hello\n"), ("-", "42")])
def test_text_that_is_not_a_token_is_an_error(tmp_path, arg, stdin):
    p = wif_run("wif-inspect", arg, input=stdin, cwd=tmp_path)
    assert_usage_error(p, tool="wif-inspect")
    if stdin is None:
        assert "missing-token.jwt" in p.stderr


def test_no_crash_on_garbage_tokens(es):
    good = token_es(es)
    h, pl, s = good.split(".")
    for tok in [".", "..", "....", "a.b.c", f"{h}..{s}", f"{h}.{pl}.", f"{h}.{pl}.{s}.x", "A" * 5000 + ".e30.AA",
                b64u_encode(b"[1,2]") + ".e30.AA", b64u_encode(b'{"alg":"ES256","alg":"ES256"}') + ".e30.AA",
                b64u_encode(b'{"alg":"ES256"}') + "." + b64u_encode(b'{"a":1,"a":2}') + ".AA",
                h + "." + b64u_encode(json.dumps({"exp": NOW, "nbf": -1e300, "auth_time": "x",
                                                  "iat": 1e300}).encode()) + "." + s,
                h + "." + b64u_encode(json.dumps({"exp": 1e18, "iat": 0}).encode()) + "." + s]:
        p = inspect("--json", "--now", NOW, tok)
        assert p.returncode in (0, 2), (tok, p.returncode, p.stderr)
        for bad in ("Fatal error", "Stack dump", "Illegal instruction", "Segmentation"):
            assert bad not in p.stderr
        if p.returncode == 0:
            json.loads(p.stdout)


@pytest.mark.parametrize("claims", [{"exp": 1e300}, {"exp": NOW + 300, "iat": -1e300},
                                    {"exp": 9223372036854775807, "iat": -9223372036854775807}])
def test_huge_lifetime_does_not_crash(es, claims):
    tok = token_es(es, claims=dict(good_claims(), **claims))
    p = inspect("--json", "--now", NOW, tok)
    assert p.returncode in (0, 2) and "Fatal error" not in p.stderr, p.stderr[:300]


# ---------------------------------------------------------------------------------------------------------------
# wif-inspect on any output of wif-mint shows exactly what was minted

@pytest.mark.parametrize("spec", ["ES256", "EdDSA", "HS256", "RS256"])
def test_minted_token_shown_exactly(keys, spec):
    args = ["-k", keys.path(spec), "--now", NOW, "--iss", ISS, "--sub", SUB, "--aud", AUD, "--aud", "https://b",
            "--exp", "+10m", "--nbf", "-1m", "--iat", "-30", "--jti", "jti-all", "--scope", "read write",
            "--claim", "env=prod", "--claim", "n=7", "--claim", 'groups=["a","b"]', "--header", "x-trace=t-1",
            "--act", "svc-b", "--act", "svc-a", "--act-claim", "client_id=ci", "--may-act", '{"sub":"admin"}',
            "--typ", "wif+jwt", "--kid", f"kid-{spec}"]
    tok = wif_ok("wif-mint", *args).strip()
    rep = inspect("--json", "--now", NOW, tok)
    assert rep.returncode == 0, rep.stderr
    r = ordered(rep.stdout)
    got = dict(r)
    alg = {"ES256": "ES256", "EdDSA": "EdDSA", "HS256": "HS256", "RS256": "RS256"}[spec]
    assert got["header"] == [("alg", alg), ("typ", "wif+jwt"), ("kid", f"kid-{spec}"), ("x-trace", "t-1")]
    assert got["payload"] == [
        ("iss", ISS), ("sub", SUB), ("aud", ["https://as.example/token", "https://b"]), ("exp", NOW + 600),
        ("nbf", NOW - 60), ("iat", NOW - 30), ("jti", "jti-all"), ("scope", "read write"),
        ("act", [("sub", "svc-b"), ("act", [("sub", "svc-a"), ("client_id", "ci")])]),
        ("may_act", [("sub", "admin")]), ("env", "prod"), ("n", 7), ("groups", ["a", "b"])]
    # and the decoding agrees with a plain base64url decode of the token
    h, p, sig = jws_split(tok)
    plain = json.loads(rep.stdout)
    assert plain["header"] == h and plain["payload"] == p and plain["signature"]["bytes"] == len(sig)
    assert plain["delegation"] == [{"sub": "svc-b"}, {"sub": "svc-a", "client_id": "ci"}]
    assert [c for c, _ in findings(plain)] == []
    # and verifies against its own key set
    v = inspect_json("--now", NOW, "--jwks", keys.jwks_path(spec), "--profile", "none", "--aud", AUD, "--iss", ISS,
                     tok)
    assert v["verdict"] == {"valid": True}


def test_minted_token_without_defaults_shown_exactly(keys):
    tok = wif_ok("wif-mint", "-k", keys.path("ES256"), "--no-exp", "--no-iat", "--no-jti", "--typ", "", "--kid", "",
                 "--claim", "x=1").strip()
    r = inspect_json("--now", NOW, tok)
    assert r["header"] == {"alg": "ES256"} and r["payload"] == {"x": 1}
    assert {c for c, _ in findings(r)} == {"no_typ", "no_kid", "no_exp", "no_aud", "no_jti", "no_iss"}


def test_minted_key_jwks_and_pem_shown_exactly(keys, tmp_path):
    for spec in ("ES256", "EdDSA", "RS256", "HS256"):
        jwk = keys.jwk(spec)
        r = inspect_json(keys.path(spec))
        secret = {m for m in jwk if m in {"d", "p", "q", "dp", "dq", "qi", "k"}}
        assert list(r["members"]) == list(jwk)
        assert {m: v for m, v in r["members"].items() if m not in secret} == public_jwk(jwk)
        for m in secret:
            assert re.fullmatch(r"\(secret, \d+ bytes\)", r["members"][m])
            assert r["members"][m] == f"(secret, {len(b64u_decode(jwk[m]))} bytes)"
    f = tmp_path / "set.json"
    f.write_text(wif_ok("wif-mint", "jwks", keys.path("ES256"), keys.path("EdDSA"), keys.path("RS256")))
    r = inspect_json(f)
    src = json.loads(f.read_text())["keys"]
    assert [(k["kid"], k["kty"], k.get("crv"), k["alg"], k["use"], k["thumbprint"]) for k in r["keys"]] == [
        (k["kid"], k["kty"], k.get("crv"), k["alg"], k["use"], jwk_thumbprint(k)) for k in src]
    pem = tmp_path / "k.pem"
    wif_ok("wif-mint", "key", "--alg", "EdDSA", "--pem", "--out", pem)
    r = inspect_json(pem)
    assert r["jwk"]["kty"] == "OKP" and r["jwk"]["crv"] == "Ed25519" and r["jwk"]["kid"] == r["key"]["thumbprint"]


def test_minted_encrypted_key_shown(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("correct horse\n")
    enc = tmp_path / "enc.jwk"
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "enc-1", "--encrypt", "--passphrase-file", pw,
           "--out", enc)
    p = inspect(enc)
    assert p.returncode == 0, p.stderr
    assert "enc-1" in p.stdout and json.loads(enc.read_text())["ciphertext"] not in p.stdout
    assert ("encrypted_key", "info") in findings(inspect_json(enc))


def test_minted_requests_shown_exactly(keys, tmp_path):
    tok = wif_ok("wif-mint", "-k", keys.path("ES256"), "--sub", "c1", "--iss", "c1", "--now", NOW).strip()
    (tmp_path / "t.jwt").write_text(tok)
    cases = [
        ["request", "--scope", "a b", "--resource", "https://r/1", "--client-id", "c1", "--param", "x=y z", tok],
        ["request", "--grant", "client-credentials", "--client-assertion", tmp_path / "t.jwt", "--scope", "s"],
        ["request", "--grant", "token-exchange", "--subject-token", tmp_path / "t.jwt", "--actor-token",
         tmp_path / "t.jwt", "--requested-token-type", "urn:ietf:params:oauth:token-type:access_token",
         "--audience", "svc", "--resource", "https://r"],
    ]
    from urllib.parse import parse_qsl
    for args in cases:
        body = wif_ok("wif-mint", *args)
        want = [{"name": n, "value": v} for n, v in parse_qsl(body, keep_blank_values=True, strict_parsing=True)]
        assert inspect_json("--now", NOW, input=body)["parameters"] == want
        js = wif_ok("wif-mint", *args, "--json")
        assert inspect_json("--now", NOW, input=js)["parameters"] == want
