# SPDX-License-Identifier: Apache-2.0
"""DPoP against `wif-verify serve` (issue 16 items 3-4): a proof at /token binds the access token (cnf.jkt), /mcp
takes `Authorization: DPoP` with a proof carrying ath, a bound token as Bearer is refused, and failures are
challenged `WWW-Authenticate: DPoP error="invalid_dpop_proof", algs="…"`. The bound token's binding is also
checked offline with `wif-verify --dpop-proof`."""
import json
from urllib.parse import urlencode

import pytest

from conftest import jwk_thumbprint, wif_ok, wif_run, write_private
from test_serve import JWT_BEARER, ISS, SUB, curl, jwt_payload, keys, mint, serve  # noqa: F401 (fixtures)

PING = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"})


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    d = tmp_path_factory.mktemp("dpop-client")
    return {"key": write_private(d / "client.jwk", wif_ok("wif-mint", "key", "--alg", "ES256")),
            "other": write_private(d / "other.jwk", wif_ok("wif-mint", "key", "--alg", "EdDSA")), "dir": d}


def proof(key, htu, *args, htm="POST"):
    return wif_ok("wif-mint", "dpop", "--key", key, "--htm", htm, "--htu", htu, *map(str, args)).strip()


def token(s, keys, headers=(), **params):
    args = ["-H", "Content-Type: application/x-www-form-urlencoded"]
    for h in headers:
        args += ["-H", h]
    params.setdefault("grant_type", JWT_BEARER)
    params.setdefault("assertion", mint(keys, s.url))
    return curl(*args, f"{s.url}/token", data=urlencode(params))


def mcp(s, authorization, *proofs):
    args = ["-H", "Content-Type: application/json", "-H", "Accept: application/json, text/event-stream",
            "-H", f"Authorization: {authorization}"]
    for p in proofs:
        args += ["-H", f"DPoP: {p}"]
    return curl(*args, f"{s.url}/mcp", data=PING)


def bound_token(s, keys, client):
    st, h, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token')}"])
    assert st == 200, body
    r = json.loads(body)
    assert r["token_type"] == "DPoP"
    return r["access_token"]


def test_token_endpoint_binds_and_resource_checks(serve, keys, client, tmp_path):
    s = serve()
    at = bound_token(s, keys, client)
    jkt = jwk_thumbprint(json.loads(client["key"].read_text()))
    assert jwt_payload(at)["cnf"] == {"jkt": jkt}
    atf = tmp_path / "at.txt"
    atf.write_text(at)
    good = proof(client["key"], s.url + "/mcp", "--ath", atf)
    st, _, body = mcp(s, f"DPoP {at}", good)
    assert st == 200 and json.loads(body)["result"] == {}
    ev = s.requests("/mcp")[-1]
    assert ev["mcp_authorized"] is True and ev["dpop_jkt"] == jkt
    assert s.requests("/token")[-1]["token_type"] == "DPoP"
    # The same proof again: a replay.
    st, h, _ = mcp(s, f"DPoP {at}", good)
    assert st == 401 and h["www-authenticate"].startswith('DPoP error="invalid_dpop_proof"')
    assert s.requests("/mcp")[-1]["reason"] == "dpop_replayed_jti"
    assert 'algs="' in h["www-authenticate"] and "ES256" in h["www-authenticate"]


@pytest.mark.parametrize("case,reason", [
    ("bearer", "dpop_bound_token"), ("no_proof", "dpop_missing"), ("other_key", "dpop_jkt_mismatch"),
    ("no_ath", "dpop_ath_missing"), ("wrong_htu", "dpop_htu_mismatch"), ("wrong_htm", "dpop_htm_mismatch"),
    ("two_proofs", "dpop_multiple")])
def test_resource_refusals(serve, keys, client, tmp_path, case, reason):
    s = serve()
    at = bound_token(s, keys, client)
    atf = tmp_path / "at.txt"
    atf.write_text(at)
    mcp_url = s.url + "/mcp"
    if case == "bearer":
        st, h, _ = mcp(s, f"Bearer {at}")
    elif case == "no_proof":
        st, h, _ = mcp(s, f"DPoP {at}")
    elif case == "other_key":
        st, h, _ = mcp(s, f"DPoP {at}", proof(client["other"], mcp_url, "--ath", atf))
    elif case == "no_ath":
        st, h, _ = mcp(s, f"DPoP {at}", proof(client["key"], mcp_url))
    elif case == "wrong_htu":
        st, h, _ = mcp(s, f"DPoP {at}", proof(client["key"], s.url + "/token", "--ath", atf))
    elif case == "wrong_htm":
        st, h, _ = mcp(s, f"DPoP {at}", proof(client["key"], mcp_url, "--ath", atf, htm="GET"))
    else:
        st, h, _ = mcp(s, f"DPoP {at}", proof(client["key"], mcp_url, "--ath", atf),
                       proof(client["key"], mcp_url, "--ath", atf))
    assert st == 401
    assert s.requests("/mcp")[-1]["reason"] == reason
    want = "invalid_token" if reason == "dpop_bound_token" else "invalid_dpop_proof"
    assert h["www-authenticate"].startswith(f'DPoP error="{want}"'), h["www-authenticate"]


def test_metadata_names_the_dpop_algs(serve):
    s = serve()
    md = json.loads(curl(f"{s.url}/.well-known/oauth-authorization-server")[2])
    assert "ES256" in md["dpop_signing_alg_values_supported"]
    assert not [a for a in md["dpop_signing_alg_values_supported"] if a.startswith("HS")]
    pr = json.loads(curl(f"{s.url}/.well-known/oauth-protected-resource/mcp")[2])
    assert pr["dpop_signing_alg_values_supported"] == md["dpop_signing_alg_values_supported"]


def test_bound_token_in_a_batch_is_refused(serve, keys, client, tmp_path):
    s = serve()
    at = bound_token(s, keys, client)
    (tmp_path / "jwks.json").write_text(curl(f"{s.url}/jwks")[2])
    p = wif_run("wif-verify", "--batch", "--jwks", tmp_path / "jwks.json", "--profile", "at+jwt", "--iss", s.url,
                "--aud", s.url + "/mcp", input=at + "\n")
    assert p.returncode == 1 and json.loads(p.stdout)["reason"] == "dpop_bound_token"


def test_unbound_token_as_bearer_still_works(serve, keys):
    s = serve()
    st, _, body = token(s, keys)
    r = json.loads(body)
    assert st == 200 and r["token_type"] == "Bearer"
    st, _, _ = mcp(s, f"Bearer {r['access_token']}")
    assert st == 200


def test_require_dpop_and_nonce(serve, keys, client):
    s = serve("--require-dpop", "--dpop-nonce", "n-42")
    st, h, body = token(s, keys)
    assert st == 400 and json.loads(body)["error"] == "invalid_dpop_proof" and h["dpop-nonce"] == "n-42"
    assert s.requests("/token")[-1]["reason"] == "dpop_required"
    st, h, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token')}"])
    assert st == 400 and json.loads(body)["error"] == "use_dpop_nonce" and h["dpop-nonce"] == "n-42"
    st, _, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token', '--nonce', 'n-42')}"])
    assert st == 200 and json.loads(body)["token_type"] == "DPoP"


def test_dpop_jkt_parameter(serve, keys, client):
    s = serve()
    jkt = jwk_thumbprint(json.loads(client["key"].read_text()))
    st, _, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token')}"], dpop_jkt=jkt + "x")
    assert st == 400 and s.requests("/token")[-1]["reason"] == "dpop_jkt_mismatch"
    st, _, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token')}"], dpop_jkt=jkt)
    assert st == 200


def test_offline_binding_check(serve, keys, client, tmp_path):
    """`wif-verify --dpop-proof`: the bound token verifies only with its own key's proof carrying its ath."""
    s = serve()
    at = bound_token(s, keys, client)
    (tmp_path / "jwks.json").write_text(curl(f"{s.url}/jwks")[2])
    (tmp_path / "at.txt").write_text(at)
    mcp_url = s.url + "/mcp"
    base = ["--jwks", tmp_path / "jwks.json", "--profile", "at+jwt", "--iss", s.url, "--aud", mcp_url]

    def check(*args):
        return wif_run("wif-verify", *base, *args, "-", input=at + "\n")

    (tmp_path / "p.jwt").write_text(proof(client["key"], mcp_url, "--ath", tmp_path / "at.txt"))
    p = check("--dpop-proof", tmp_path / "p.jwt", "--htm", "POST", "--htu", mcp_url)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["cnf"]["jkt"] == jwk_thumbprint(json.loads(client["key"].read_text()))
    p = check()
    assert p.returncode == 1 and "(dpop_bound_token)" in p.stderr
    (tmp_path / "q.jwt").write_text(proof(client["other"], mcp_url, "--ath", tmp_path / "at.txt"))
    p = check("--dpop-proof", tmp_path / "q.jwt", "--htm", "POST", "--htu", mcp_url)
    assert p.returncode == 1 and "(dpop_jkt_mismatch)" in p.stderr
    p = check("--dpop-proof", tmp_path / "p.jwt", "--htm", "GET", "--htu", mcp_url)
    assert p.returncode == 1 and "(dpop_htm_mismatch)" in p.stderr
    p = check("--htm", "POST")
    assert p.returncode == 2


def test_bound_access_token_is_not_exchanged_into_a_bearer_one(serve, keys, client):
    """A stolen DPoP-bound access token given as subject_token: refused without its key's proof (never a bearer
    token /mcp would take), refused with another key's proof (never re-bound), bound again with its own."""
    tx = "urn:ietf:params:oauth:grant-type:token-exchange"
    s = serve("--allow-grant", tx)
    at = bound_token(s, keys, client)
    ex = {"grant_type": tx, "subject_token": at, "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
          "audience": s.url + "/mcp", "assertion": ""}
    st, _, body = token(s, keys, **ex)
    assert st == 400 and json.loads(body)["error"] == "invalid_request", body
    assert s.requests("/token")[-1]["reason"] == "dpop_bound_token"
    st, _, body = token(s, keys, [f"DPoP: {proof(client['other'], s.url + '/token')}"], **ex)
    assert st == 400 and json.loads(body)["error"] == "invalid_dpop_proof", body
    assert s.requests("/token")[-1]["reason"] == "dpop_jkt_mismatch"
    st, _, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token')}"], **ex)
    assert st == 200, body
    r = json.loads(body)
    assert r["token_type"] == "DPoP"
    assert jwt_payload(r["access_token"])["cnf"] == {"jkt": jwk_thumbprint(json.loads(client["key"].read_text()))}
    st, _, _ = mcp(s, f"Bearer {r['access_token']}")
    assert st == 401


def test_a_dpop_request_is_challenged_in_dpop(serve, keys, client):
    """A request that used `Authorization: DPoP` is answered with a DPoP challenge even when the token itself is
    bad: the client is told in the scheme it spoke (RFC 9449 section 7.1)."""
    s = serve()
    st, h, _ = mcp(s, "DPoP not.a.token", proof(client["key"], s.url + "/mcp"))
    assert st == 401 and h["www-authenticate"].startswith('DPoP error="invalid_token"'), h["www-authenticate"]
    st, h, _ = mcp(s, "Bearer not.a.token")
    assert st == 401 and h["www-authenticate"].startswith("Bearer "), h["www-authenticate"]


@pytest.mark.parametrize("role", ["assertion", "actor_token"])
def test_bound_assertion_or_actor_token_needs_its_proof(serve, keys, client, role):
    tx = "urn:ietf:params:oauth:grant-type:token-exchange"
    jwt_type = "urn:ietf:params:oauth:token-type:jwt"
    s = serve("--allow-grant", tx)
    jkt = jwk_thumbprint(json.loads(client["key"].read_text()))

    def params():
        bound = mint(keys, s.url, "--claim", "cnf=" + json.dumps({"jkt": jkt}),
                     sub="spiffe://example.org/agent" if role == "actor_token" else SUB)
        if role == "assertion":
            return {"assertion": bound}, "invalid_grant"
        return {"grant_type": tx, "subject_token": mint(keys, s.url), "subject_token_type": jwt_type,
                "actor_token": bound, "actor_token_type": jwt_type, "assertion": ""}, "invalid_request"

    p, oauth = params()
    st, _, body = token(s, keys, **p)
    assert st == 400 and json.loads(body)["error"] == oauth, body
    assert s.requests("/token")[-1]["reason"] == "dpop_bound_token"
    p, _ = params()
    st, _, body = token(s, keys, [f"DPoP: {proof(client['other'], s.url + '/token')}"], **p)
    assert st == 400 and s.requests("/token")[-1]["reason"] == "dpop_jkt_mismatch", body
    p, _ = params()
    st, _, body = token(s, keys, [f"DPoP: {proof(client['key'], s.url + '/token')}"], **p)
    assert st == 200, body
    assert jwt_payload(json.loads(body)["access_token"])["cnf"] == {"jkt": jkt}
