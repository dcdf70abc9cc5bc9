# SPDX-License-Identifier: Apache-2.0
"""DPoP proofs (RFC 9449, issue 16 items 1-2) through the built tools: `wif-mint dpop` and `wif-verify dpop`.

Every RFC 9449 §4.3 check has a fixture of `wif-mint dpop --fixtures` that fails with exactly its reason, and the
proofs are taken apart here with Python's own base64/json/hashlib (not wif) to check what they carry."""
import hashlib
import json

import pytest

from conftest import (b64u_encode, jwk_thumbprint, jws_split, verify_assert_json_rejected, verify_assert_rejected,
                      wif_ok, wif_run, write_private)

HTU = "https://as.example/token"
NOW = "1767323400"


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    d = tmp_path_factory.mktemp("dpop-key")
    return write_private(d / "client.jwk", wif_ok("wif-mint", "key", "--alg", "ES256"))


@pytest.fixture(scope="module")
def doc(key):
    return json.loads(wif_ok("wif-mint", "dpop", "--key", key, "--htm", "POST", "--htu", HTU, "--now", NOW, "--fixtures"))


def verify(proof, *args, **kw):
    return wif_run("wif-verify", "dpop", "--htm", "POST", "--htu", HTU, "--now", NOW, *args, proof, **kw)


def test_minted_proof_shape(key, tmp_path):
    at = tmp_path / "at.txt"
    at.write_text("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU\n")
    proof = wif_ok("wif-mint", "dpop", "--key", key, "--htm", "GET", "--htu", "https://rs.example/mcp?q=1#f",
                   "--ath", at, "--nonce", "n-1", "--jti", "j-1", "--iat", NOW).strip()
    h, c, _ = jws_split(proof)
    jwk = json.loads(key.read_text())
    assert h == {"typ": "dpop+jwt", "alg": "ES256", "jwk": {m: jwk[m] for m in ("crv", "kty", "x", "y")}}
    # RFC 9449 §7.1: this access token's ath.
    assert c == {"jti": "j-1", "htm": "GET", "htu": "https://rs.example/mcp", "iat": int(NOW),
                 "ath": "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", "nonce": "n-1"}
    p = wif_run("wif-verify", "dpop", "--htm", "GET", "--htu", "https://RS.example:443/mcp", "--ath", at, "--nonce", "n-1",
                "--jkt=" + jwk_thumbprint(jwk), "--now", NOW, "-", input=proof + "\n")
    assert p.returncode == 0, p.stderr
    o = json.loads(p.stdout)
    assert o["valid"] is True and o["jkt"] == jwk_thumbprint(jwk) and o["claims"] == c and o["header"] == h


def test_random_jti_and_now(key):
    a = jws_split(wif_ok("wif-mint", "dpop", "--key", key, "--htm", "POST", "--htu", HTU))[1]
    b = jws_split(wif_ok("wif-mint", "dpop", "--key", key, "--htm", "POST", "--htu", HTU))[1]
    assert a["jti"] != b["jti"] and len(a["jti"]) == 22


def test_fixture_document(doc, key):
    assert doc["jkt"] == jwk_thumbprint(json.loads(key.read_text()))
    assert set(doc["proofs"]) == set(doc["reasons"])
    assert doc["reasons"]["valid"] is None
    for name, proof in doc["proofs"].items():
        h, c, _ = jws_split(proof)
        if name != "private_key_in_header" and "jwk" in h:
            assert "d" not in h["jwk"], name


def _args(doc, tmp_path):
    at = tmp_path / "at.txt"
    at.write_text(doc["access_token"])
    return ["--ath", at, "--nonce", doc["nonce"], "--jkt=" + doc["jkt"], "--replay-cache", tmp_path / "replay"]


REASONS = ["dpop_malformed", "dpop_bad_typ", "dpop_alg_not_allowed", "dpop_bad_jwk", "dpop_private_jwk",
           "dpop_bad_signature", "dpop_htm_mismatch", "dpop_htu_mismatch", "dpop_iat_stale", "dpop_iat_future",
           "dpop_bad_nonce", "dpop_ath_missing", "dpop_ath_mismatch", "dpop_jkt_mismatch", "dpop_replayed_jti"]


def test_every_check_has_a_fixture(doc):
    assert set(REASONS) == {r for r in doc["reasons"].values() if r}


@pytest.mark.parametrize("json_out", [False, True])
def test_each_fixture_fails_with_exactly_its_reason(doc, tmp_path, json_out):
    args = _args(doc, tmp_path) + (["--json"] if json_out else [])
    p = verify(doc["proofs"]["valid"], *args)
    assert p.returncode == 0, p.stderr
    for name, reason in doc["reasons"].items():
        if reason is None:
            continue
        p = verify(doc["proofs"][name], *args)
        oauth = "use_dpop_nonce" if reason == "dpop_bad_nonce" else "invalid_dpop_proof"
        if json_out:
            verify_assert_json_rejected(p, reason, oauth)
        else:
            verify_assert_rejected(p, reason, oauth)
    # valid was spent: a second use is a replay.
    verify_assert_rejected(verify(doc["proofs"]["valid"], *_args(doc, tmp_path)), "dpop_replayed_jti", "invalid_dpop_proof")


def test_reused_jti_without_a_cache_is_not_judged(doc, tmp_path):
    """Without --replay-cache nothing remembers a jti: the reused proof passes (the cache is the replay check)."""
    args = _args(doc, tmp_path)[:-2]
    assert verify(doc["proofs"]["reused_jti"], *args).returncode == 0


def test_max_age_and_leeway(doc, tmp_path):
    args = _args(doc, tmp_path)[:-2]
    assert verify(doc["proofs"]["stale_iat"], *args, "--max-age", "2h").returncode == 0
    assert verify(doc["proofs"]["future_iat"], *args, "--leeway", "15m").returncode == 0
    verify_assert_rejected(verify(doc["proofs"]["valid"], *args, "--alg", "EdDSA"), "dpop_alg_not_allowed", "invalid_dpop_proof")


def test_python_built_proof_accepted(tmp_path):
    """An independent producer: a proof signed here with `cryptography` verifies, one changed claim does not."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    k = ec.generate_private_key(ec.SECP256R1())
    n = k.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": b64u_encode(n.x.to_bytes(32, "big")), "y": b64u_encode(n.y.to_bytes(32, "big"))}

    def proof(claims):
        h = b64u_encode(json.dumps({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}).encode())
        c = b64u_encode(json.dumps(claims).encode())
        r, s = decode_dss_signature(k.sign(f"{h}.{c}".encode(), ec.ECDSA(hashes.SHA256())))
        return f"{h}.{c}.{b64u_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    at = "an-access-token"
    (tmp_path / "at").write_text(at)
    ath = b64u_encode(hashlib.sha256(at.encode()).digest())
    good = {"jti": "py-1", "htm": "POST", "htu": HTU, "iat": int(NOW), "ath": ath}
    p = verify(proof(good), "--ath", tmp_path / "at", "--jkt=" + jwk_thumbprint(jwk))
    assert p.returncode == 0, p.stderr
    verify_assert_rejected(verify(proof(dict(good, htu=HTU + "/x")), "--ath", tmp_path / "at"),
                           "dpop_htu_mismatch", "invalid_dpop_proof")


def test_usage_errors(key):
    for args in (["--htm", "POST", "--htu", "/token"], ["--htm", "POST", "--htu", HTU, "--alg", "HS256"]):
        p = wif_run("wif-verify", "dpop", *args, "a.b.c")
        assert p.returncode == 2, p.stderr
    p = wif_run("wif-mint", "dpop", "--key", key, "--htm", "POST", "--htu", "relative/path")
    assert p.returncode == 2 and p.stdout == "", p.stderr
    p = wif_run("wif-verify", "dpop", "--htm", "POST", "--htu", HTU, "-", input="")
    assert p.returncode == 2 and "empty" in p.stderr


# ---------------------------------------------------------------------------------------------------------------
# The token endpoint: `wif-verify request --dpop` (issue 16 item 3).

@pytest.fixture(scope="module")
def grant(tmp_path_factory):
    """A CI key and its JWKS, the endpoint's issuer key, and a fresh jwt-bearer request body per call."""
    d = tmp_path_factory.mktemp("dpop-grant")
    ci = write_private(d / "ci.jwk", wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "ci"))
    (d / "jwks.json").write_text(wif_ok("wif-mint", "jwks", ci))
    issuer = write_private(d / "as.jwk", wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "as"))

    def body(*extra):
        a = wif_ok("wif-mint", "token", "--key", ci, "--iss", "https://ci.example", "--sub", "job",
                   "--aud", HTU, "--now", NOW).strip()
        return wif_ok("wif-mint", "request", *extra, a)

    return {"jwks": d / "jwks.json", "issuer": issuer, "body": body, "ci": ci}


def request(grant, body, *args):
    return wif_run("wif-verify", "request", "--jwks", grant["jwks"], "--aud", HTU, "--issuer-key", grant["issuer"],
                   "--now", NOW, "--json", *args, input=body)


def proof(key, *args, htu=HTU, htm="POST"):
    return wif_ok("wif-mint", "dpop", "--key", key, "--htm", htm, "--htu", htu, "--now", NOW, *args).strip()


def test_request_binds_the_token(grant, key):
    p = request(grant, grant["body"](), "--dpop", proof(key), "--htu", HTU)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["token_type"] == "DPoP"
    assert jws_split(r["access_token"])[1]["cnf"] == {"jkt": jwk_thumbprint(json.loads(key.read_text()))}
    # Without a proof: a bearer token, no cnf.
    p = request(grant, grant["body"]())
    r = json.loads(p.stdout)
    assert p.returncode == 0 and r["token_type"] == "Bearer" and "cnf" not in jws_split(r["access_token"])[1]


def _reason(p):
    assert p.returncode == 1, (p.stdout, p.stderr)
    return json.loads(p.stdout)["error"], json.loads(p.stdout)["reason"]


def test_request_refusals(grant, key, tmp_path):
    jkt = jwk_thumbprint(json.loads(key.read_text()))
    assert _reason(request(grant, grant["body"](), "--require-dpop")) == ("invalid_dpop_proof", "dpop_required")
    assert _reason(request(grant, grant["body"](), "--dpop", proof(key), "--dpop", proof(key), "--htu", HTU)) == \
        ("invalid_dpop_proof", "dpop_multiple")
    assert _reason(request(grant, grant["body"](), "--dpop", proof(key, htm="GET"), "--htu", HTU)) == \
        ("invalid_dpop_proof", "dpop_htm_mismatch")
    assert _reason(request(grant, grant["body"]("--param", "dpop_jkt=" + jkt + "x"), "--dpop", proof(key),
                           "--htu", HTU)) == ("invalid_dpop_proof", "dpop_jkt_mismatch")
    assert request(grant, grant["body"]("--param", "dpop_jkt=" + jkt), "--dpop", proof(key), "--htu", HTU).returncode == 0
    assert _reason(request(grant, grant["body"]("--param", "dpop_jkt=" + jkt))) == ("invalid_dpop_proof", "dpop_missing")
    # A replayed proof, with a replay cache file.
    f = tmp_path / "proof.jwt"
    f.write_text(proof(key, "--jti", "once") + "\n")
    cache = tmp_path / "replay"
    assert request(grant, grant["body"](), "--dpop", f, "--htu", HTU, "--replay-cache", cache).returncode == 0
    assert _reason(request(grant, grant["body"](), "--dpop", f, "--htu", HTU, "--replay-cache", cache)) == \
        ("invalid_dpop_proof", "dpop_replayed_jti")


def test_request_nonce_challenge(grant, key):
    p = wif_run("wif-verify", "request", "--jwks", grant["jwks"], "--aud", HTU, "--now", NOW, "--http",
                "--dpop-nonce", "n-7", "--dpop", proof(key), "--htu", HTU, input=grant["body"]().encode())
    assert p.returncode == 1
    head, body = p.stdout.decode().split("\r\n\r\n", 1)
    assert head.startswith("HTTP/1.1 400 ") and "\r\nDPoP-Nonce: n-7" in head
    assert json.loads(body)["error"] == "use_dpop_nonce"
    p = request(grant, grant["body"](), "--dpop-nonce", "n-7", "--dpop", proof(key, "--nonce", "n-7"), "--htu", HTU)
    assert p.returncode == 0, p.stderr


def test_request_dpop_usage(grant, key):
    for args in (["--dpop", proof(key)], ["--htu", HTU], ["--dpop", "-", "--htu", HTU]):
        p = request(grant, grant["body"](), *args)
        assert p.returncode == 2 and p.stdout == "", (args, p.stderr)


def test_oversize_proof_is_malformed(tmp_path):
    f = tmp_path / "big.jwt"
    f.write_text("a" * 20000 + ".b.c")
    verify_assert_rejected(verify(str(f)), "dpop_malformed", "invalid_dpop_proof")


def _bound(grant, key, sub="job", **kw):
    jkt = jwk_thumbprint(json.loads(key.read_text()))
    return wif_ok("wif-mint", "token", "--key", grant["ci"], "--iss", "https://ci.example", "--sub", sub,
                  "--aud", HTU, "--now", NOW, "--claim", "cnf=" + json.dumps(kw.get("cnf", {"jkt": jkt}))).strip()


def _plain(grant, sub="job"):
    return wif_ok("wif-mint", "token", "--key", grant["ci"], "--iss", "https://ci.example", "--sub", sub,
                  "--aud", HTU, "--now", NOW).strip()


@pytest.mark.parametrize("role", ["assertion", "subject_token", "actor_token"])
def test_bound_token_given_to_the_grant_needs_its_proof(grant, key, tmp_path, role):
    """A DPoP-bound token (cnf.jkt) given to the grant never becomes a bearer one nor is re-bound to another key."""
    other = write_private(tmp_path / "other.jwk", wif_ok("wif-mint", "key", "--alg", "EdDSA"))
    tx = "urn:ietf:params:oauth:grant-type:token-exchange"
    if role == "assertion":
        body, args = wif_ok("wif-mint", "request", _bound(grant, key)), []
    elif role == "subject_token":
        body = wif_ok("wif-mint", "request", "--grant", "token-exchange", "--subject-token", _bound(grant, key))
        args = ["--allow-grant", tx]
    else:
        body = wif_ok("wif-mint", "request", "--grant", "token-exchange", "--subject-token", _plain(grant),
                      "--actor-token", _bound(grant, key, sub="agent"))
        args = ["--allow-grant", tx]
    oauth = "invalid_grant" if role == "assertion" else "invalid_request"
    assert _reason(request(grant, body, *args)) == (oauth, "dpop_bound_token")
    assert _reason(request(grant, body, *args, "--dpop", proof(other), "--htu", HTU)) == \
        ("invalid_dpop_proof", "dpop_jkt_mismatch")
    p = request(grant, body, *args, "--dpop", proof(key), "--htu", HTU)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["token_type"] == "DPoP"
    assert jws_split(r["access_token"])[1]["cnf"] == {"jkt": jwk_thumbprint(json.loads(key.read_text()))}


def test_bound_assertion_with_cnf_wif_cannot_check(grant, key):
    body = wif_ok("wif-mint", "request", _bound(grant, key, cnf={"x5t#S256": "abc"}))
    assert _reason(request(grant, body, "--dpop", proof(key), "--htu", HTU)) == ("invalid_grant", "dpop_bound_token")


def test_failing_request_does_not_spend_its_proof(grant, key, tmp_path):
    f = tmp_path / "proof.jwt"
    f.write_text(proof(key, "--jti", "kept") + "\n")
    cache = tmp_path / "replay"
    bad = wif_ok("wif-mint", "request", "--scope", "write", _plain(grant))
    assert _reason(request(grant, bad, "--allow-scope", "read", "--dpop", f, "--htu", HTU, "--replay-cache", cache)) == \
        ("invalid_scope", "scope_not_allowed")
    assert request(grant, grant["body"](), "--dpop", f, "--htu", HTU, "--replay-cache", cache).returncode == 0
    assert _reason(request(grant, grant["body"](), "--dpop", f, "--htu", HTU, "--replay-cache", cache)) == \
        ("invalid_dpop_proof", "dpop_replayed_jti")
