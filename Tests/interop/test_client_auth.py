# SPDX-License-Identifier: Apache-2.0
"""Client authentication at the token endpoint (issue 15, item 3): `--clients FILE`, client_secret_basic,
client_secret_post, none and private_key_jwt, offline through `wif-mint request | wif-verify request
--http-request` and live against `wif-verify serve` with Authlib's OAuth client.

Expected answers come from RFC 6749 §2.3.1 (Basic credentials form-urlencoded before base64), §5.2 (401
invalid_client, WWW-Authenticate naming the scheme tried) and RFC 7591 §2 (client metadata), not from running wif.

Authlib 1.9.x does not form-urlencode the Basic credentials (it base64-encodes `id:secret` as is), so the live
Authlib tests use ids and secrets made of unreserved characters, where both encodings agree; the offline tests
check the form-urlencoding with ids and secrets that need it.
"""
import base64
import hashlib
import json
import subprocess
import time
from urllib.parse import quote_plus, urlencode

import pytest

from conftest import wif_binary, wif_ok, wif_run
from test_serve import Server, curl

ISS = "https://idp.example"
AS = "https://as.example"
CC = "client_credentials"
SECRET = "s3cr3t-value_1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("clientauth")
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "idp-1", "--out", d / "idp.jwk")
    (d / "idp.jwks").write_text(wif_ok("wif-mint", "jwks", d / "idp.jwk"))
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "bot-1", "--out", d / "bot.jwk")
    (d / "bot.jwks").write_text(wif_ok("wif-mint", "jwks", d / "bot.jwk"))
    (d / "secret").write_text(SECRET + "\n")
    (d / "wrong").write_text("not-the-secret\n")
    (d / "odd-secret").write_text("p&ss:w rd%\n")
    for f in ("secret", "wrong", "odd-secret"):
        (d / f).chmod(0o600)  # a client secret others can read is warned about
    clients = {"clients": [
        {"client_id": "svc", "token_endpoint_auth_method": "client_secret_basic",
         "client_secret_file": str(d / "secret"), "grant_types": [CC], "scope": "read write"},
        {"client_id": "poster", "token_endpoint_auth_method": "client_secret_post",
         "client_secret_sha256": hashlib.sha256(SECRET.encode()).hexdigest()},
        {"client_id": "odd:id é", "client_secret_file": str(d / "odd-secret")},
        {"client_id": "public", "token_endpoint_auth_method": "none"},
        {"client_id": "bot", "token_endpoint_auth_method": "private_key_jwt", "jwks_file": str(d / "bot.jwks")},
    ]}
    (d / "clients.json").write_text(json.dumps(clients))
    return d


def verify_args(world, *extra):
    return ["request", "--json", "--profile", "none", "--jwks", world / "idp.jwks", "--allow-grant", CC,
            "--clients", world / "clients.json", *extra]


def offline(world, *mint_args, verify_extra=(), http=False):
    """wif-mint request --http-request URL | wif-verify request --http-request; returns (exit, json, stderr)."""
    req = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--http-request", "http://127.0.0.1/token",
                 *mint_args, cwd=world)
    p = wif_run("wif-verify", *verify_args(world, "--http-request", *verify_extra), input=req, cwd=world)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() and p.stdout.startswith("{") else p.stdout), p.stderr


def test_basic_offline_positive_and_negative(world):
    status, o, err = offline(world, "--client-id", "svc", "--client-secret-file", "secret", "--client-auth", "basic")
    assert status == 0, err
    assert o["token_type"] == "Bearer"
    status, o, _ = offline(world, "--client-id", "svc", "--client-secret-file", "wrong", "--client-auth", "basic")
    assert status == 1 and o["error"] == "invalid_client" and o["reason"] == "bad_client_secret"
    status, o, _ = offline(world, "--client-id", "nobody", "--client-secret-file", "secret", "--client-auth", "basic")
    assert status == 1 and o["reason"] == "unknown_client"
    # Registered for basic, sent post: the method is part of the registration.
    status, o, _ = offline(world, "--client-id", "svc", "--client-secret-file", "secret", "--client-auth", "post")
    assert status == 1 and o["reason"] == "client_auth_method"


def test_basic_credentials_are_form_urlencoded_first(world):
    """RFC 6749 §2.3.1: `odd:id é` and `p&ss:w rd%` are form-urlencoded, then joined with ':', then base64."""
    req = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--http-request", "http://127.0.0.1/token",
                 "--client-id", "odd:id é", "--client-secret-file", "odd-secret", "--client-auth", "basic", cwd=world)
    # Text-mode pipes turn CRLF into LF; wif-verify accepts bare LF line ends too (RFC 9112 §2.2).
    header = [line for line in req.splitlines() if line.startswith("Authorization: ")][0]
    expected = base64.b64encode((quote_plus("odd:id é") + ":" + quote_plus("p&ss:w rd%")).encode()).decode()
    assert header == "Authorization: Basic " + expected
    p = wif_run("wif-verify", *verify_args(world, "--http-request"), input=req, cwd=world)
    assert p.returncode == 0, p.stderr


def test_www_authenticate_names_basic(world):
    req = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--http-request", "http://127.0.0.1/token",
                 "--client-id", "svc", "--client-secret-file", "wrong", "--client-auth", "basic", cwd=world)
    p = wif_run("wif-verify", "request", "--http", "--http-request", "--profile", "none", "--jwks", world / "idp.jwks",
                "--allow-grant", CC, "--clients", world / "clients.json", "--issuer", AS, input=req)
    assert p.returncode == 1
    head = p.stdout.split("\n\n")[0].splitlines()
    assert head[0] == "HTTP/1.1 401 Unauthorized"
    assert f'WWW-Authenticate: Basic realm="{AS}", charset="UTF-8"' in head


def test_post_none_and_two_methods(world):
    status, o, err = offline(world, "--client-id", "poster", "--client-secret-file", "secret", "--client-auth", "post")
    assert status == 0, err
    status, o, _ = offline(world, "--client-id", "poster", "--client-secret-file", "wrong", "--client-auth", "post")
    assert status == 1 and o["reason"] == "bad_client_secret"
    # RFC 6749 §4.4: client_credentials is for confidential clients only.
    status, o, _ = offline(world, "--client-id", "public")
    assert status == 1 and (o["error"], o["reason"]) == ("unauthorized_client", "grant_type_rejected")
    status, o, _ = offline(world, "--client-id", "svc")
    assert status == 1 and o["reason"] == "client_auth_missing"
    # Basic and client_secret in the body (wif-mint refuses --param client_secret=: the body is edited here).
    head, body = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--http-request", "http://127.0.0.1/token",
                        "--client-id", "svc", "--client-secret-file", "secret", "--client-auth", "basic",
                        cwd=world, text=False).split(b"\r\n\r\n", 1)
    body += b"&client_secret=" + quote_plus(SECRET).encode()
    head = head.replace(head.split(b"Content-Length: ")[1], str(len(body)).encode())
    p = wif_run("wif-verify", *verify_args(world, "--http-request"), input=head + b"\r\n\r\n" + body, cwd=world)
    o = json.loads(p.stdout)
    assert p.returncode == 1 and o["error"] == "invalid_request" and o["reason"] == "multiple_client_auth"


def test_registered_grants_and_scopes(world):
    status, o, _ = offline(world, "--client-id", "svc", "--client-secret-file", "secret", "--client-auth", "basic",
                           "--scope", "admin")
    assert status == 1 and o["error"] == "invalid_scope" and o["reason"] == "scope_not_allowed"
    status, o, err = offline(world, "--client-id", "svc", "--client-secret-file", "secret", "--client-auth", "basic",
                             "--scope", "read")
    assert status == 0, err


def test_private_key_jwt_with_the_clients_jwks(world):
    now = int(time.time())
    ca = wif_ok("wif-mint", "-k", world / "bot.jwk", "--iss", "bot", "--sub", "bot", "--aud", AS).strip()
    body = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--client-assertion", ca)
    p = wif_run("wif-verify", *verify_args(world, "--aud", AS), input=body)
    assert p.returncode == 0, p.stderr
    wrong = wif_ok("wif-mint", "-k", world / "idp.jwk", "--iss", "bot", "--sub", "bot", "--aud", AS).strip()
    body = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--client-assertion", wrong)
    p = wif_run("wif-verify", *verify_args(world, "--aud", AS), input=body)
    assert p.returncode == 1 and json.loads(p.stdout)["error"] == "invalid_client"
    assert now  # the assertions use real time, as the endpoint does


def test_a_secret_without_clients_fails_closed(world):
    body = "grant_type=client_credentials&client_id=svc&client_secret=" + SECRET
    p = wif_run("wif-verify", "request", "--json", "--profile", "none", "--jwks", world / "idp.jwks",
                "--allow-grant", CC, input=body)
    assert p.returncode == 1
    o = json.loads(p.stdout)
    assert o["error"] == "invalid_client" and o["reason"] == "unknown_client"


@pytest.mark.parametrize("bad, member", [
    ({"clients": [{"client_id": "a", "client_secret": "plain"}]}, "client_secret"),
    ({"clients": [{"client_id": "a", "client_secret_sha256": "00"}]}, "client_secret_sha256"),
    ({"clients": [{"client_id": "a", "token_endpoint_auth_method": "none", "scope": 1}]}, "scope"),
])
def test_strict_client_files(world, tmp_path, bad, member):
    f = tmp_path / "c.json"
    f.write_text(json.dumps(bad))
    p = wif_run("wif-verify", "request", "--profile", "none", "--jwks", world / "idp.jwks", "--clients", f,
                input="grant_type=x")
    assert p.returncode == 2 and p.stdout == ""
    assert "clients[0] (a)" in p.stderr and member in p.stderr
    f.write_text('{"clients":[{"client_id":"a","client_id":"b"}]}')
    p = wif_run("wif-verify", "request", "--profile", "none", "--jwks", world / "idp.jwks", "--clients", f,
                input="grant_type=x")
    assert p.returncode == 2 and "duplicate" in p.stderr


@pytest.mark.parametrize("raw", [
    "GET /token HTTP/1.1\r\n\r\n",
    "POST /token HTTP/1.1\r\nContent-Length: 99\r\n\r\nabc",
    "POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    "POST /token\r\n\r\n",
])
def test_malformed_http_requests_cannot_be_judged(world, raw):
    p = wif_run("wif-verify", *verify_args(world, "--http-request"), input=raw)
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and "HTTP request" in p.stderr


def test_curl_keeps_the_secret_off_argv(world):
    out = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--client-id", "svc",
                 "--client-secret-file", "secret", "--client-auth", "basic", "--curl", "http://127.0.0.1:9/token",
                 cwd=world)
    first, *config = out.splitlines()
    assert first == "curl -sS -K - <<'WIF_CURL_CONFIG'" and config[-1] == "WIF_CURL_CONFIG"
    assert SECRET not in first
    basic = base64.b64encode(f"svc:{SECRET}".encode()).decode()
    assert f'header = "Authorization: Basic {basic}"' in config
    # Basic needs a header: the plain body cannot carry it.
    p = wif_run("wif-mint", "request", "--grant", "client-credentials", "--client-id", "svc",
                "--client-secret-file", "secret", "--client-auth", "basic", cwd=world)
    assert p.returncode == 2 and "--curl" in p.stderr


@pytest.fixture
def server(world, tmp_path):
    started = []

    def start(*extra):
        s = Server(world, tmp_path, "--profile", "none", "--jwks", world / "idp.jwks", "--allow-grant", CC,
                   "--clients", world / "clients.json", *extra, policy=False)
        started.append(s)
        return s

    yield start
    for s in started:
        assert s.stop() == 0, s.stderr


def test_serve_metadata_lists_the_configured_methods(server):
    s = server()
    status, _, body = curl(s.url + "/.well-known/oauth-authorization-server")
    assert status == 200
    assert json.loads(body)["token_endpoint_auth_methods_supported"] == [
        "none", "client_secret_basic", "client_secret_post", "private_key_jwt"]


def test_serve_curl_config_and_basic_challenge(server, world):
    s = server()
    out = wif_ok("wif-mint", "request", "--grant", "client-credentials", "--client-id", "svc",
                 "--client-secret-file", "secret", "--client-auth", "basic", "--curl", s.url + "/token", cwd=world)
    p = subprocess.run(["bash", "-c", out], capture_output=True, text=True, timeout=30)
    assert json.loads(p.stdout)["token_type"] == "Bearer", p.stdout + p.stderr
    status, headers, body = curl("-u", "svc:wrong", "-H", "Content-Type: application/x-www-form-urlencoded",
                                 s.url + "/token", data="grant_type=client_credentials")
    assert status == 401 and json.loads(body)["error"] == "invalid_client"
    assert headers["www-authenticate"] == f'Basic realm="{s.url}", charset="UTF-8"'
    ev = s.requests("/token")
    assert ev[0]["client_auth"] == "client_secret_basic" and ev[0]["client_id"] == "svc"
    assert ev[1]["reason"] == "bad_client_secret"
    assert SECRET not in s.log_path.read_text(), "a secret never reaches the event log"


@pytest.mark.parametrize("method, client_id", [("client_secret_basic", "svc"), ("client_secret_post", "poster")])
def test_authlib_client_secret(server, method, client_id):
    """Authlib's OAuth2Session authenticates with a client secret (ids and secrets of unreserved characters: Authlib
    1.9.x does not form-urlencode Basic credentials)."""
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.integrations.base_client.errors import OAuthError
    s = server()
    sess = OAuth2Session(client_id, SECRET, token_endpoint_auth_method=method)
    tok = sess.fetch_token(s.url + "/token", grant_type=CC)
    assert tok["token_type"] == "Bearer"
    bad = OAuth2Session(client_id, "wrong", token_endpoint_auth_method=method)
    with pytest.raises(OAuthError) as e:
        bad.fetch_token(s.url + "/token", grant_type=CC)
    assert e.value.error == "invalid_client"
    ev = s.requests("/token")
    assert ev[0]["status"] == 200 and ev[0]["client_auth"] == method and ev[0]["client_id"] == client_id
    assert ev[1]["status"] == 401 and ev[1]["reason"] == "bad_client_secret"


def test_authlib_private_key_jwt_registered(server, world):
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc7523 import PrivateKeyJWT
    from joserfc.jwk import ECKey
    s = server()
    key = ECKey.import_key(json.loads((world / "bot.jwk").read_text()))
    sess = OAuth2Session("bot", key, token_endpoint_auth_method="private_key_jwt")
    sess.register_client_auth_method(PrivateKeyJWT(s.url + "/token", alg="ES256", headers={"kid": "bot-1"}))
    tok = sess.fetch_token(s.url + "/token", grant_type=CC)
    assert tok["token_type"] == "Bearer"
    ev = s.requests("/token")[0]
    assert ev["client_auth"] == "private_key_jwt" and ev["client_id"] == "bot"


def test_clients_cannot_be_standard_input(world):
    p = wif_run("wif-verify", "request", "--profile", "none", "--jwks", world / "idp.jwks", "--clients", "-",
                input="grant_type=x")
    assert p.returncode == 2 and p.stdout == "" and "--clients -" in p.stderr


def test_crlf_request_bytes(world):
    """The exact bytes wif-mint writes (CRLF line ends) are read as they are, through binary pipes."""
    req = subprocess.run([str(wif_binary("wif-mint")), "request", "--grant", "client-credentials", "--client-id",
                          "poster", "--client-secret-file", "secret", "--client-auth", "post", "--http-request",
                          "http://127.0.0.1/token"], cwd=world, capture_output=True, timeout=30).stdout
    assert req.startswith(b"POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\n") and b"\r\n\r\n" in req
    body = req.split(b"\r\n\r\n", 1)[1]
    assert f"Content-Length: {len(body)}\r\n".encode() in req
    p = wif_run("wif-verify", *verify_args(world, "--http-request"), input=req)
    assert p.returncode == 0, p.stderr


def test_client_keys_are_public_asymmetric_keys(world, tmp_path):
    """An oct (HMAC) key or a private key in a private_key_jwt registration is a secret on disk: exit 2."""
    private = json.loads((world / "bot.jwk").read_text())
    oct_key = {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}
    (tmp_path / "private.jwks").write_text(json.dumps({"keys": [private]}))
    cases = [({"jwks": {"keys": [oct_key]}}, "oct"), ({"jwks": {"keys": [private]}}, "private member d"),
             ({"jwks_file": str(tmp_path / "private.jwks")}, "private member d")]
    for keys, why in cases:
        f = tmp_path / "c.json"
        f.write_text(json.dumps({"clients": [{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", **keys}]}))
        p = wif_run("wif-verify", "request", "--profile", "none", "--jwks", world / "idp.jwks", "--clients", f,
                    input="grant_type=x")
        assert p.returncode == 2 and p.stdout == "", keys
        assert "clients[0] (a)" in p.stderr and why in p.stderr, p.stderr


def test_a_client_secret_file_others_can_read_is_warned_about(world, tmp_path):
    """The same warning as a private key file's: a client secret its group or others can read is no secret."""
    secret = tmp_path / "s"
    secret.write_text(SECRET + "\n")
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"clients": [{"client_id": "a", "client_secret_file": str(secret)}]}))
    args = ["request", "--profile", "none", "--jwks", world / "idp.jwks", "--clients", f]
    secret.chmod(0o644)
    p = wif_run("wif-verify", *args, input="grant_type=x")
    assert "client secret file" in p.stderr and "has mode 644, readable by group or others" in p.stderr, p.stderr
    assert "clients[0] (a)" in p.stderr and SECRET not in p.stderr
    secret.chmod(0o600)
    p = wif_run("wif-verify", *args, input="grant_type=x")
    assert "readable by group or others" not in p.stderr, p.stderr
