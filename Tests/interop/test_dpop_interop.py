# SPDX-License-Identifier: Apache-2.0
"""DPoP interop with an independent implementation from PyPI, requests-oauth2client (its `dpop` module: DPoPKey,
validate_dpop_proof, DPoPToken): wif's proofs pass its validator, its proofs pass `wif-verify dpop`, and its
OAuth2Client, with dpop_bound_access_tokens, gets a DPoP-bound token from `wif-verify serve` and uses it at /mcp.
Its validator reads the system clock, so the proofs here are minted now."""
import base64
import hashlib
import json

import pytest

from conftest import jwk_thumbprint, wif_ok, wif_run, write_private
from test_serve import ISS, jwt_payload, keys, mint, serve  # noqa: F401 (fixtures)

roc = pytest.importorskip("requests_oauth2client")
from requests_oauth2client.dpop import DPoPKey, InvalidDPoPProof, validate_dpop_proof  # noqa: E402

HTU = "https://as.example/token"


def ath(token):
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return write_private(tmp_path_factory.mktemp("dpop-interop") / "k.jwk", wif_ok("wif-mint", "key", "--alg", "ES256"))


@pytest.mark.parametrize("alg", ["ES256", "ES384", "PS256", "EdDSA"])
def test_wif_proofs_pass_their_validator(tmp_path, alg):
    k = write_private(tmp_path / "k.jwk", wif_ok("wif-mint", "key", "--alg", alg))
    (tmp_path / "at").write_text("the-access-token")
    proof = wif_ok("wif-mint", "dpop", "--key", k, "--htm", "POST", "--htu", HTU + "?q=1",
                   "--ath", tmp_path / "at", "--nonce", "n-1").strip()
    jwt = validate_dpop_proof(proof, htm="POST", htu=HTU, ath=ath("the-access-token"), nonce="n-1", algs=[alg])
    assert jwt.jwt_token_id and jwt.htu == HTU
    # Their view of the key's thumbprint is wif's.
    import jwskate
    assert jwskate.Jwk(jwt.headers["jwk"]).thumbprint() == jwk_thumbprint(json.loads(k.read_text()))


def test_wif_negative_fixtures_fail_their_validator_too(key, tmp_path):
    doc = json.loads(wif_ok("wif-mint", "dpop", "--key", key, "--htm", "POST", "--htu", HTU, "--fixtures"))
    a = ath(doc["access_token"])
    kw = dict(htm="POST", htu=HTU, ath=a, nonce=doc["nonce"], algs=["ES256"])
    validate_dpop_proof(doc["proofs"]["valid"], **kw)
    # Checks both implement (their validator has no replay cache and no jkt; it folds iat into one leeway).
    for name in ["wrong_typ", "missing_jwk", "private_key_in_header", "signature_by_another_key", "wrong_htm",
                 "wrong_htu", "stale_iat", "future_iat", "missing_nonce", "wrong_nonce", "missing_ath", "wrong_ath",
                 "missing_jti", "symmetric_alg", "alg_none"]:
        with pytest.raises(Exception) as e:
            validate_dpop_proof(doc["proofs"][name], **kw)
        assert e.type is not AssertionError, name


@pytest.mark.parametrize("alg", ["ES256", "ES512", "RS256", "PS384", "EdDSA"])
def test_their_proofs_pass_wif(tmp_path, alg):
    dk = DPoPKey.generate(alg=alg)
    token = "their-access-token"
    (tmp_path / "at").write_text(token)
    proof = str(dk.proof(htm="GET", htu="https://rs.example/mcp", ath=ath(token), nonce="n-2"))
    p = wif_run("wif-verify", "dpop", "--htm", "GET", "--htu", "https://rs.example/mcp", "--ath", tmp_path / "at",
                "--nonce", "n-2", "--jkt=" + dk.dpop_jkt, proof)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["jkt"] == dk.dpop_jkt
    # The same proof for another method fails with wif's reason.
    p = wif_run("wif-verify", "dpop", "--json", "--htm", "POST", "--htu", "https://rs.example/mcp", proof)
    assert p.returncode == 1 and json.loads(p.stdout)["reason"] == "dpop_htm_mismatch"


def test_their_client_against_serve(serve, keys):
    """OAuth2Client with dpop_bound_access_tokens: the jwt-bearer grant at /token gives a DPoP token bound to its
    key, and DPoPToken as requests auth (Authorization: DPoP + a proof with ath) is accepted at /mcp."""
    import requests
    s = serve()
    client = roc.OAuth2Client(f"{s.url}/token", client_id="interop-client", dpop_bound_access_tokens=True,
                              testing=True)  # testing: it allows http on loopback
    tok = client.jwt_bearer(mint(keys, s.url), dpop=True)
    assert tok.token_type == "DPoP"
    assert jwt_payload(tok.access_token)["cnf"]["jkt"] == tok.dpop_key.dpop_jkt
    r = requests.post(f"{s.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, auth=tok,
                      headers={"Accept": "application/json, text/event-stream"}, timeout=20)
    assert r.status_code == 200, (r.status_code, r.headers, r.text)
    assert r.json()["result"] == {}
    # The same token as a plain Bearer is refused.
    r = requests.post(f"{s.url}/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "ping"},
                      headers={"Authorization": f"Bearer {tok.access_token}"}, timeout=20)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith('DPoP error="invalid_token"')
