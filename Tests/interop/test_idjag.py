# SPDX-License-Identifier: Apache-2.0
"""ID-JAG (issue 15, item 2; draft-ietf-oauth-identity-assertion-authz-grant, MCP enterprise-managed
authorization): `wif-mint token --profile id-jag`, `wif-verify --profile id-jag`, and the two legs through real
pipes and against `wif-verify serve`:

  leg 1, the identity provider: token exchange, the user's token as subject, requested_token_type id-jag,
         audience = the resource authorization server's issuer → an ID-JAG (typ oauth-id-jag+jwt);
  leg 2, the resource authorization server: the jwt-bearer grant carrying the ID-JAG plus client
         authentication; its client_id must be the authenticated client, and the access token names it.
"""
import json
import subprocess

import pytest

from conftest import jws_split, wif_binary, wif_ok, wif_run
from test_serve import Server, curl

IDP = "https://idp.example"
AS = "https://as.example"
MCP = "https://mcp.example/mcp"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
IDJAG = "urn:ietf:params:oauth:token-type:id-jag"
SECRET = "agent-secret-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("idjag")
    for name in ("user-idp", "idp", "as"):
        wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", name, "--out", d / f"{name}.jwk")
        (d / f"{name}.jwks").write_text(wif_ok("wif-mint", "jwks", d / f"{name}.jwk"))
    (d / "secret").write_text(SECRET + "\n")
    (d / "secret").chmod(0o600)
    (d / "clients.json").write_text(json.dumps({"clients": [
        {"client_id": "agent", "client_secret_file": str(d / "secret")},
        {"client_id": "other", "token_endpoint_auth_method": "client_secret_post",
         "client_secret_file": str(d / "secret")},
    ]}))
    return d


def pipe(world, left, right):
    p = subprocess.run(["bash", "-c", "set -o pipefail; " + " ".join(f"'{a}'" for a in left) + " | " +
                        " ".join(f"'{a}'" for a in right)], cwd=world, capture_output=True, text=True, timeout=60)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip().startswith("{") else p.stdout), p.stderr


def mint_bin():
    return str(wif_binary("wif-mint"))


def verify_bin():
    return str(wif_binary("wif-verify"))


def leg1(world, *extra):
    """The user's login token exchanged at the IdP for an ID-JAG for AS."""
    (world / "user.jwt").write_text(wif_ok("wif-mint", "-k", world / "user-idp.jwk", "--iss", IDP, "--sub", "alice",
                                           "--aud", IDP, "--scope", "openid mcp:read"))
    req = [mint_bin(), "request", "--grant", "token-exchange", "--subject-token", "user.jwt",
           "--requested-token-type", IDJAG, "--audience", AS, "--resource", MCP, "--scope", "mcp:read",
           "--client-id", "agent", "--client-secret-file", "secret", "--client-auth", "basic",
           "--http-request", IDP + "/token", *extra]
    idp = [verify_bin(), "request", "--json", "--http-request", "--jwks", "user-idp.jwks", "--iss", IDP, "--aud", IDP,
           "--allow-grant", EXCHANGE, "--clients", "clients.json", "--issuer-key", "idp.jwk", "--issuer", IDP]
    return pipe(world, req, idp)


def test_leg1_needs_client_authentication(world):
    """The ID-JAG's client_id is one the IdP authenticated, never a bare client_id parameter."""
    (world / "user.jwt").write_text(wif_ok("wif-mint", "-k", world / "user-idp.jwk", "--iss", IDP, "--sub", "alice",
                                           "--aud", IDP))
    req = [mint_bin(), "request", "--grant", "token-exchange", "--subject-token", "user.jwt",
           "--requested-token-type", IDJAG, "--audience", AS, "--client-id", "agent"]
    for clients in ([], ["--clients", "clients.json"]):
        idp = [verify_bin(), "request", "--json", "--jwks", "user-idp.jwks", "--iss", IDP, "--aud", IDP,
               "--allow-grant", EXCHANGE, "--issuer-key", "idp.jwk", "--issuer", IDP, *clients]
        status, r, err = pipe(world, req, idp)
        assert status == 1, err
        assert (r["error"], r["reason"]) == ("invalid_client", "client_auth_missing")


def leg2(world, idjag, *mint_extra, client=("agent", "basic")):
    (world / "idjag.jwt").write_text(idjag)
    req = [mint_bin(), "request", "--http-request", AS + "/token", "idjag.jwt", *mint_extra]
    if client:
        req += ["--client-id", client[0], "--client-secret-file", "secret", "--client-auth", client[1]]
    resource_as = [verify_bin(), "request", "--json", "--http-request", "--profile", "id-jag", "--jwks", "idp.jwks",
                   "--iss", IDP, "--aud", AS, "--clients", "clients.json", "--issuer-key", "as.jwk", "--issuer", AS]
    return pipe(world, req, resource_as)


def test_two_legs_through_pipes(world):
    status, o, err = leg1(world)
    assert status == 0, err
    assert o["issued_token_type"] == IDJAG and o["token_type"] == "N_A"
    h, p, _ = jws_split(o["access_token"])
    assert h["typ"] == "oauth-id-jag+jwt"
    assert (p["iss"], p["sub"], p["aud"], p["client_id"], p["resource"], p["scope"]) == (
        IDP, "alice", AS, "agent", MCP, "mcp:read")
    assert {"jti", "iat", "exp"} <= p.keys()
    status, at, err = leg2(world, o["access_token"])
    assert status == 0, err
    _, ap, _ = jws_split(at["access_token"])
    assert ap["client_id"] == "agent" and ap["sub"] == "alice" and ap["iss"] == AS


def test_leg2_refuses_another_client_and_no_client(world):
    _, o, _ = leg1(world)
    status, r, _ = leg2(world, o["access_token"], client=("other", "post"))
    assert status == 1 and (r["error"], r["reason"]) == ("invalid_grant", "client_id_mismatch")
    status, r, _ = leg2(world, o["access_token"], client=None)
    assert status == 1 and (r["error"], r["reason"]) == ("invalid_client", "client_auth_missing")
    # A plain JWT is not an ID-JAG under --profile id-jag.
    plain = wif_ok("wif-mint", "-k", world / "idp.jwk", "--iss", IDP, "--sub", "alice", "--aud", AS,
                   "--claim", "client_id=agent").strip()
    status, r, _ = leg2(world, plain)
    assert status == 1 and r["reason"] == "bad_typ"


def test_leg1_needs_one_audience(world):
    (world / "user.jwt").write_text(wif_ok("wif-mint", "-k", world / "user-idp.jwk", "--iss", IDP, "--sub", "alice",
                                           "--aud", IDP))
    req = [mint_bin(), "request", "--grant", "token-exchange", "--subject-token", "user.jwt",
           "--requested-token-type", IDJAG, "--client-id", "agent"]
    idp = [verify_bin(), "request", "--json", "--jwks", "user-idp.jwks", "--iss", IDP, "--aud", IDP,
           "--allow-grant", EXCHANGE, "--issuer-key", "idp.jwk", "--issuer", IDP]
    status, r, _ = pipe(world, req, idp)
    assert status == 1 and r["error"] == "invalid_request" and "audience" in r["error_description"]


def test_mint_and_verify_profile(world):
    t = wif_ok("wif-mint", "--profile", "id-jag", "-k", world / "idp.jwk", "--iss", IDP, "--sub", "alice",
               "--aud", AS, "--client-id", "agent", "--resource", MCP).strip()
    h, p, _ = jws_split(t)
    assert h["typ"] == "oauth-id-jag+jwt" and p["client_id"] == "agent" and p["resource"] == MCP
    ok = wif_run("wif-verify", "--profile", "id-jag", "--jwks", world / "idp.jwks", "--aud", AS, "--client-id",
                 "agent", t)
    assert ok.returncode == 0, ok.stderr
    bad = wif_run("wif-verify", "--json", "--profile", "id-jag", "--jwks", world / "idp.jwks", "--aud", AS,
                  "--client-id", "someone", t)
    assert bad.returncode == 1 and json.loads(bad.stdout)["reason"] == "client_id_mismatch"
    no_client = wif_ok("wif-mint", "-k", world / "idp.jwk", "--typ", "oauth-id-jag+jwt", "--iss", IDP, "--sub", "a",
                       "--aud", AS).strip()
    r = wif_run("wif-verify", "--json", "--profile", "id-jag", "--jwks", world / "idp.jwks", "--aud", AS, no_client)
    assert r.returncode == 1 and json.loads(r.stdout)["reason"] == "missing_claim"
    for args, needle in [(["--iss", IDP, "--sub", "a", "--aud", AS], "--client-id"),
                         (["--iss", IDP, "--sub", "a", "--aud", AS, "--client-id", "c", "--no-jti"], "--no-jti"),
                         (["--client-id", "c"], "--client-id"),
                         (["--resource", MCP], "--resource"),
                         (["--profile", "at+jwt"], "id-jag only")]:
        prof = [] if "--profile" in args or len(args) == 2 else ["--profile", "id-jag"]
        p = wif_run("wif-mint", *prof, "-k", world / "idp.jwk", *args)
        assert p.returncode == 2 and needle in p.stderr, p.stderr


def test_leg2_against_serve(world, tmp_path):
    _, o, _ = leg1(world)
    s = Server(world, tmp_path, "--profile", "id-jag", "--jwks", world / "idp.jwks", "--iss", IDP, "--aud", AS,
               "--issuer", AS, "--clients", world / "clients.json", policy=False)
    try:
        status, _, body = curl("-u", f"agent:{SECRET}", "-H", "Content-Type: application/x-www-form-urlencoded",
                               s.url + "/token",
                               data=f"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion={o['access_token']}")
        assert status == 200, body
        _, ap, _ = jws_split(json.loads(body)["access_token"])
        assert ap["client_id"] == "agent"
        status, _, body = curl("-H", "Content-Type: application/x-www-form-urlencoded", s.url + "/token",
                               data="grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&client_id=other"
                                    f"&client_secret={SECRET}&assertion={o['access_token']}")
        assert status == 400 and json.loads(body)["error"] == "invalid_grant"
        ev = s.requests("/token")
        assert ev[0]["client_id"] == "agent" and ev[1]["reason"] == "client_id_mismatch"
    finally:
        assert s.stop() == 0, s.stderr


EXPECTED_FIXTURES = {"valid": None, "wrong_typ": "bad_typ", "missing_client_id": "missing_claim",
                     "other_client": "client_id_mismatch", "wrong_audience": "bad_audience", "expired": "expired",
                     "missing_jti": "missing_claim"}


def test_fixtures_fail_as_named(world, tmp_path):
    doc = json.loads(wif_ok("wif-mint", "fixtures", "--format", "id-jag", "-k", world / "idp.jwk", "--iss", IDP,
                            "--sub", "alice", "--aud", AS, "--client-id", "agent", "--now", "1767323400"))
    (tmp_path / "jwks.json").write_text(json.dumps(doc.pop("jwks")))
    assert set(doc) == set(EXPECTED_FIXTURES)
    for name, reason in EXPECTED_FIXTURES.items():
        p = wif_run("wif-verify", "--json", "--profile", "id-jag", "--jwks", tmp_path / "jwks.json", "--iss", IDP,
                    "--aud", AS, "--client-id", "agent", "--now", "1767323400", doc[name])
        if reason is None:
            assert p.returncode == 0, p.stdout
        else:
            assert p.returncode == 1 and json.loads(p.stdout)["reason"] == reason, (name, p.stdout)


def test_an_idjag_is_no_token_exchange_subject(world):
    """A stolen ID-JAG redeemed through token exchange would skip its client binding: refused (bad_typ)."""
    _, o, _ = leg1(world)
    (world / "stolen.jwt").write_text(o["access_token"])
    req = [mint_bin(), "request", "--grant", "token-exchange", "--subject-token", "stolen.jwt"]
    resource_as = [verify_bin(), "request", "--json", "--profile", "id-jag", "--jwks", "idp.jwks", "--iss", IDP,
                   "--aud", AS, "--allow-grant", EXCHANGE, "--issuer-key", "as.jwk", "--issuer", AS]
    status, r, err = pipe(world, req, resource_as)
    assert status == 1, err
    assert (r["error"], r["reason"]) == ("invalid_request", "bad_typ")
    assert "access_token" not in r
