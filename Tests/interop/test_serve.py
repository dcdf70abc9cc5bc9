# SPDX-License-Identifier: Apache-2.0
"""`wif-verify serve` (issue 13): the real binary on 127.0.0.1 with a free port, driven with curl, raw sockets,
Authlib's OAuth clients and (when installed) the MCP Python SDK, its event log read back.

Every server here binds 127.0.0.1:0, stops by itself (--timeout) and is stopped with SIGTERM at the end of its
test, which must then exit 0 and write a summary line. Assertions are minted with real time (the server reads the
system clock per request) by `wif-mint token`; the expected answers come from RFC 6749 §5.2, RFC 7523 §3.1,
RFC 6750 §3, RFC 9728 §5.1 and the MCP conformance suite's check ids, not from running wif.
"""
import base64
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import wif_binary, wif_ok

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ISS = "https://wif-idp.conformance-test.local"
SUB = "conformance:test-workload"
CLIENT_ID = "conformance-wif-workload"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("serve-keys")
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "idp-1", "--out", d / "idp.jwk")
    (d / "idp.jwks").write_text(wif_ok("wif-mint", "jwks", d / "idp.jwk"))
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "other", "--out", d / "other.jwk")
    return d


class Server:
    """One running `wif-verify serve`; `log()` reads its event log (the --log file) as a list of dicts."""

    def __init__(self, keys, tmp_path, *extra, log_to_file=True, policy=True, timeout=60):
        self.tmp = tmp_path
        self.log_path = tmp_path / f"serve-{time.monotonic_ns()}.log"
        args = [str(wif_binary("wif-verify")), "serve", "--timeout", str(timeout)]
        if policy:
            args += ["--jwks", str(keys / "idp.jwks"), "--iss", ISS]
        if log_to_file:
            args += ["--log", str(self.log_path)]
        args += [str(a) for a in extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        if not line:
            err = self.proc.stderr.read().decode()
            raise AssertionError(f"serve did not start: exit {self.proc.wait()}: {err}")
        self.url = line.rstrip("\n")
        self.port = int(self.url.rsplit(":", 1)[1])

    def log(self):
        text = self.log_path.read_text() if self.log_path.exists() else ""
        return [json.loads(x) for x in text.splitlines()]

    def requests(self, path=None):
        return [e for e in self.log() if "summary" not in e and (path is None or e["path"] == path)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=20)
        self.stderr = self.proc.stderr.read().decode()
        self.stdout_rest = self.proc.stdout.read().decode()
        return rc


@pytest.fixture
def serve(keys, tmp_path):
    started = []

    def start(*extra, **kw):
        s = Server(keys, tmp_path, *extra, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        rc = s.stop()
        assert rc == 0, s.stderr
        if s.log_path.exists():
            assert "summary" in s.log()[-1], "the last log line is the summary"


def mint(keys, aud, *extra, key="idp.jwk", sub=SUB):
    return wif_ok("wif-mint", "token", "--key", keys / key, "--iss", ISS, "--sub", sub, "--aud", aud,
                  *map(str, extra)).strip()


def curl(*args, data=None):
    """curl -s -i; returns (status, headers dict (lowercase names), body text)."""
    cmd = ["curl", "-s", "-i", "--max-time", "20", *args]
    if data is not None:
        cmd += ["--data-binary", data]
    out = subprocess.run(cmd, capture_output=True, timeout=30).stdout.decode()
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for h in lines[1:]:
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def token_request(s, **params):
    return curl("-H", "Content-Type: application/x-www-form-urlencoded", f"{s.url}/token", data=urlencode(params))


def jwt_payload(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def checks(event):
    return {(c["id"], c["status"]) for c in event.get("checks", [])}


def mcp_post(s, token, message, extra_headers=()):
    args = ["-H", "Content-Type: application/json", "-H", "Accept: application/json, text/event-stream"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    for h in extra_headers:
        args += ["-H", h]
    return curl(*args, f"{s.url}/mcp", data=json.dumps(message))


# ---- start, metadata --------------------------------------------------------------------------------------------

def test_url_line_port_file_and_loopback(serve, tmp_path):
    pf = tmp_path / "url"
    s = serve("--port-file", pf)
    assert s.url.startswith("http://127.0.0.1:") and 0 < s.port < 65536
    assert pf.read_text() == s.url + "\n"


def test_metadata_documents(serve, keys):
    s = serve("--allow-grant", "client_credentials", "--allow-scope", "mcp:tools", "--resource-scope", "mcp:tools")
    st, h, body = curl(f"{s.url}/.well-known/oauth-authorization-server")
    assert st == 200 and h["content-type"] == "application/json"
    md = json.loads(body)
    assert md["issuer"] == s.url
    assert md["token_endpoint"] == s.url + "/token" and md["jwks_uri"] == s.url + "/jwks"
    assert md["authorization_endpoint"] == s.url + "/authorize"
    assert md["grant_types_supported"] == [JWT_BEARER, "client_credentials"]
    assert "private_key_jwt" in md["token_endpoint_auth_methods_supported"]
    assert md["scopes_supported"] == ["mcp:tools"]
    assert json.loads(curl(f"{s.url}/.well-known/openid-configuration")[2]) == md
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]:
        st, _, body = curl(s.url + path)
        pr = json.loads(body)
        assert st == 200 and pr["resource"] == s.url + "/mcp" and pr["authorization_servers"] == [s.url]
        assert pr["bearer_methods_supported"] == ["header"] and pr["scopes_supported"] == ["mcp:tools"]
    jwks = json.loads(curl(f"{s.url}/jwks")[2])
    assert len(jwks["keys"]) == 1 and jwks["keys"][0]["kty"] == "EC" and "d" not in jwks["keys"][0]


def test_authorize_answers_unsupported_response_type(serve):
    s = serve()
    st, _, body = curl(f"{s.url}/authorize?response_type=code&client_id=x")
    assert st == 400 and json.loads(body)["error"] == "unsupported_response_type"
    assert s.requests("/authorize")[0]["status"] == 400


# ---- the SEP-1933 positive flow, with curl -----------------------------------------------------------------------

@pytest.mark.parametrize("aud", ["{url}", "{url}/", "{url}/token"])
def test_positive_flow_curl(serve, keys, aud):
    s = serve()
    assertion = mint(keys, aud.format(url=s.url), "--claim", f"client_id={CLIENT_ID}")
    st, h, body = token_request(s, grant_type=JWT_BEARER, assertion=assertion, resource=s.url + "/mcp")
    assert st == 200, body
    assert h["cache-control"] == "no-store"
    tok = json.loads(body)
    assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3600
    at = tok["access_token"]
    claims = jwt_payload(at)
    assert claims["aud"] == s.url + "/mcp" and claims["iss"] == s.url and claims["sub"] == SUB
    # The access token is an RFC 9068 JWT signed by the key /jwks publishes: checked with joserfc.
    from joserfc import jwt
    from joserfc.jwk import KeySet
    ks = KeySet.import_key_set(json.loads(curl(f"{s.url}/jwks")[2]))
    t = jwt.decode(at, ks)
    assert t.header["typ"] == "at+jwt" and t.claims["jti"]

    st, _, body = mcp_post(s, at, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                   "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                              "clientInfo": {"name": "curl", "version": "1"}}})
    init = json.loads(body)
    assert st == 200 and init["result"]["protocolVersion"] == "2025-06-18"
    assert "tools" in init["result"]["capabilities"]
    st, _, body = mcp_post(s, at, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert st == 202 and body == ""
    st, _, body = mcp_post(s, at, {"jsonrpc": "2.0", "id": 2, "method": "ping"})
    assert json.loads(body)["result"] == {}
    st, _, body = mcp_post(s, at, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"})
    assert [t["name"] for t in json.loads(body)["result"]["tools"]] == ["whoami"]
    st, _, body = mcp_post(s, at, {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                                   "params": {"name": "whoami", "arguments": {}}})
    who = json.loads(body)["result"]["structuredContent"]
    assert who == {"sub": SUB, "client_id": CLIENT_ID, "scope": None, "act": []}
    st, h, _ = curl(f"{s.url}/mcp")
    assert st == 405 and h["allow"] == "POST"

    ev = s.requests("/token")[0]
    assert ev["status"] == 200 and ev["grant_type"] == JWT_BEARER and ev["client_auth"] == "none"
    assert ev["sub"] == SUB and ev["client_id"] == CLIENT_ID and ev["jti"] == jwt_payload(assertion)["jti"]
    assert checks(ev) == {("wif-grant-type", "SUCCESS"), ("wif-assertion-verified", "SUCCESS")}
    mcp = s.requests("/mcp")
    assert [e["mcp_authorized"] for e in mcp[:5]] == [True] * 5
    assert [e.get("mcp_method") for e in mcp[:5]] == ["initialize", "notifications/initialized", "ping",
                                                      "tools/list", "tools/call"]
    for e in s.log():
        assert "summary" in e or {"time", "method", "path", "status"} <= e.keys()


def test_mcp_without_token_and_with_bad_token(serve, keys):
    s = serve("--resource-scope", "mcp:tools", "--allow-scope", "mcp:tools", "--allow-scope", "other")
    st, h, _ = mcp_post(s, None, {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    meta = f'resource_metadata="{s.url}/.well-known/oauth-protected-resource/mcp"'
    assert st == 401 and h["www-authenticate"].startswith("Bearer ") and meta in h["www-authenticate"]
    assert "error=" not in h["www-authenticate"] and 'scope="mcp:tools"' in h["www-authenticate"]
    # The IdP's own assertion is not an access token of this server (typ, key, aud): invalid_token.
    st, h, _ = mcp_post(s, mint(keys, s.url), {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert st == 401 and 'error="invalid_token"' in h["www-authenticate"] and meta in h["www-authenticate"]
    ev = s.requests("/mcp")[-1]
    assert ev["mcp_authorized"] is False and ev["reason"] in {"bad_typ", "unknown_kid", "bad_signature"}
    # A valid token without the required scope: 403 insufficient_scope.
    at = json.loads(token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, s.url), scope="other")[2])
    st, h, _ = mcp_post(s, at["access_token"], {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert st == 403 and 'error="insufficient_scope"' in h["www-authenticate"]
    at = json.loads(token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, s.url), scope="mcp:tools")[2])
    st, _, body = mcp_post(s, at["access_token"], {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert st == 200 and json.loads(body)["result"] == {}


# ---- every SEP-1933 negative case --------------------------------------------------------------------------------

# (name, server options, how to make the request params from (keys, url), expected status, error, reason, check)
NEGATIVE = [
    ("expired", [], lambda k, u: {"assertion": mint(k, u, "--iat", "-10m", "--exp", "-5m")},
     400, "invalid_grant", "expired", ("wif-assertion-expired", "FAILURE")),
    ("wrong-audience", [], lambda k, u: {"assertion": mint(k, "https://wrong.example")},
     400, "invalid_grant", "bad_audience", ("wif-assertion-audience", "FAILURE")),
    ("unauthorized-subject", ["--sub", "conformance:some-other-workload"], lambda k, u: {"assertion": mint(k, u)},
     400, "invalid_grant", "bad_subject", ("wif-assertion-malformed", "FAILURE")),
    ("rejected-subject", ["--reject-sub", SUB], lambda k, u: {"assertion": mint(k, u)},
     400, "invalid_grant", "subject_rejected", ("wif-assertion-malformed", "FAILURE")),
    ("bad-signature", [], lambda k, u: {"assertion": mint(k, u, key="other.jwk")},
     400, "invalid_grant", "unknown_kid", ("wif-assertion-malformed", "FAILURE")),
    ("invalid-scope", ["--reject-scope", "wif.rejected"], lambda k, u: {"assertion": mint(k, u), "scope": "wif.rejected"},
     400, "invalid_scope", "scope_not_allowed", ("wif-assertion-scope-rejected", "FAILURE")),
    ("invalid-request", [], lambda k, u: {},
     400, "invalid_request", "invalid_request", ("wif-assertion-missing", "FAILURE")),
    ("unauthorized-client", ["--reject-grant-type", JWT_BEARER], lambda k, u: {"assertion": mint(k, u)},
     400, "unauthorized_client", "grant_type_rejected", ("wif-grant-type", "SUCCESS")),
    ("unauthorized-scope", ["--unauthorized-scope", "wif.trigger-unauthorized"],
     lambda k, u: {"assertion": mint(k, u), "scope": "wif.trigger-unauthorized"},
     400, "unauthorized_client", "scope_unauthorized", ("wif-assertion-verified", "SUCCESS")),
]


@pytest.mark.parametrize("name,opts,params,status,error,reason,check", NEGATIVE, ids=[n[0] for n in NEGATIVE])
def test_sep1933_negative_cases_curl(serve, keys, name, opts, params, status, error, reason, check):
    s = serve(*opts)
    st, h, body = token_request(s, grant_type=JWT_BEARER, **params(keys, s.url))
    assert st == status, body
    err = json.loads(body)
    assert err["error"] == error and err["error_description"].startswith(reason + ":")
    assert h["cache-control"] == "no-store"
    ev = s.requests("/token")[0]
    assert ev["status"] == status and ev["error"] == error and ev["reason"] == reason
    assert check in checks(ev), ev
    if name != "unauthorized-client" and name != "invalid-request":
        assert ("wif-grant-type", "SUCCESS") in checks(ev)


def test_replayed_jti_and_no_retry_warning(serve, keys):
    s = serve()
    a = mint(keys, s.url)
    assert token_request(s, grant_type=JWT_BEARER, assertion=a)[0] == 200
    st, _, body = token_request(s, grant_type=JWT_BEARER, assertion=a)
    assert st == 400 and json.loads(body)["error"] == "invalid_grant"
    ev = s.requests("/token")
    assert ev[1]["reason"] == "replayed_jti" and ("wif-assertion-malformed", "FAILURE") in checks(ev[1])
    assert not any(c[0] == "wif-no-retry" for c in checks(ev[1])), "the first failure is not a retry"
    # A second jwt-bearer request after the failure is a retry (still judged: a fresh assertion succeeds).
    st, _, _ = token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, s.url))
    assert st == 200
    assert ("wif-no-retry", "WARNING") in checks(s.requests("/token")[2])


def test_grant_fallback_warnings(serve, keys):
    s = serve("--allow-grant", "client_credentials")
    token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, "https://wrong.example"))
    st, _, body = token_request(s, grant_type="client_credentials")
    assert st == 401 and json.loads(body)["error"] == "invalid_client"
    ev = s.requests("/token")[1]
    assert ("wif-grant-fallback", "WARNING") in checks(ev) and ("wif-grant-type", "FAILURE") in checks(ev)
    curl(f"{s.url}/authorize?response_type=code")
    assert ("wif-grant-fallback", "WARNING") in checks(s.requests("/authorize")[0])


def test_token_endpoint_takes_form_encoding_only(serve, keys):
    s = serve()
    st, _, body = curl("-H", "Content-Type: application/json", f"{s.url}/token",
                       data=json.dumps({"grant_type": JWT_BEARER, "assertion": mint(keys, s.url)}))
    assert st == 400 and json.loads(body)["error"] == "invalid_request"
    st, _, _ = token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, s.url))
    assert st == 200


def test_explicit_aud_replaces_the_defaults(serve, keys):
    s = serve("--aud", "https://as.example")
    assert token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, s.url))[0] == 400
    assert token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, "https://as.example"))[0] == 200


# ---- real OAuth client libraries ---------------------------------------------------------------------------------

def test_authlib_assertion_session_flow_and_errors(serve, keys):
    """Authlib's RFC 7523 client signs its own jwt-bearer assertion, gets a token and uses it at /mcp."""
    from authlib.integrations.requests_client import AssertionSession
    from authlib.oauth2.base import OAuth2Error as OAuthError
    s = serve("--reject-scope", "wif.rejected")
    key = json.loads((keys / "idp.jwk").read_text())

    def session(aud, **kw):
        return AssertionSession(token_endpoint=s.url + "/token", issuer=ISS, subject=SUB, audience=aud,
                                grant_type=JWT_BEARER, key=key, header={"alg": "ES256", "kid": "idp-1"},
                                claims={"jti": os.urandom(8).hex()}, **kw)

    sess = session(s.url)
    r = sess.post(s.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                        "params": {"name": "whoami", "arguments": {}}})
    assert r.status_code == 200 and r.json()["result"]["structuredContent"]["sub"] == SUB
    ev = s.requests("/token")[0]
    assert checks(ev) == {("wif-grant-type", "SUCCESS"), ("wif-assertion-verified", "SUCCESS")}
    assert s.requests("/mcp")[0]["mcp_authorized"] is True

    with pytest.raises(OAuthError) as e:
        session("https://wrong.example").refresh_token()
    assert e.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as e:
        session(s.url, scope="wif.rejected").refresh_token()
    assert e.value.error == "invalid_scope"
    ev = s.requests("/token")
    assert ev[1]["reason"] == "bad_audience" and ("wif-assertion-audience", "FAILURE") in checks(ev[1])
    assert ("wif-no-retry", "WARNING") in checks(ev[2])


def test_authlib_client_credentials_private_key_jwt(serve, keys):
    """Authlib's OAuth2Session: client_credentials with an RFC 7523 §2.2 client assertion (private_key_jwt)."""
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc7523 import PrivateKeyJWT
    from joserfc.jwk import ECKey
    s = serve("--allow-grant", "client_credentials")
    key = ECKey.import_key(json.loads((keys / "idp.jwk").read_text()))
    # RFC 7523 §3: a client assertion's iss and sub are the client id; this IdP issues as ISS.
    sess = OAuth2Session(ISS, key, token_endpoint_auth_method="private_key_jwt")
    sess.register_client_auth_method(PrivateKeyJWT(s.url + "/token", alg="ES256", headers={"kid": "idp-1"}))
    tok = sess.fetch_token(s.url + "/token", grant_type="client_credentials")
    assert tok["token_type"] == "Bearer"
    ev = s.requests("/token")[0]
    assert ev["status"] == 200 and ev["client_auth"] == "private_key_jwt" and ev["client_id"] == ISS
    assert ("wif-grant-type", "FAILURE") in checks(ev), "not the jwt-bearer grant SEP-1933 asks for"


def test_mcp_python_sdk_client(serve, keys):
    """The MCP Python SDK's Streamable HTTP client initializes, lists tools and calls whoami with the token."""
    pytest.importorskip("mcp")
    import anyio
    from mcp import ClientSession
    from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client
    s = serve()
    at = json.loads(token_request(s, grant_type=JWT_BEARER, assertion=mint(keys, s.url),
                                  resource=s.url + "/mcp")[2])["access_token"]

    async def run():
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {at}"})
        async with client, streamable_http_client(s.url + "/mcp", http_client=client) as streams:
            r, w = streams[0], streams[1]
            async with ClientSession(r, w) as session:
                await session.initialize()
                tools = await session.list_tools()
                result = await session.call_tool("whoami", {})
                return [t.name for t in tools.tools], result

    names, result = anyio.run(run)
    assert names == ["whoami"]
    assert json.loads(result.content[0].text)["sub"] == SUB
    methods = [e.get("mcp_method") for e in s.requests("/mcp")]
    assert methods[:4] == ["initialize", "notifications/initialized", "tools/list", "tools/call"]


# ---- hostile HTTP ------------------------------------------------------------------------------------------------

def raw(s, data, read_timeout=10):
    """Sends raw bytes on a new connection; returns everything read until the server closes (or the timeout)."""
    with socket.create_connection(("127.0.0.1", s.port), timeout=read_timeout) as c:
        if data:
            c.sendall(data)
        out = b""
        try:
            while chunk := c.recv(65536):
                out += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return out


def status_of(resp):
    return int(resp.split(b" ", 2)[1])


def test_oversize_header_is_431(serve):
    s = serve()
    r = raw(s, b"GET /jwks HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert status_of(r) == 431 and b"connection: close" in r.lower()
    ev = s.requests()[-1]
    assert ev["status"] == 431
    # 16 KiB in all is the bound: a header a little under it is served.
    assert status_of(raw(s, b"GET /jwks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * 15000 + b"\r\n\r\n")) == 200


def test_oversize_body_is_413(serve, tmp_path):
    s = serve()
    big = tmp_path / "body"
    big.write_text("grant_type=x&assertion=" + "a" * (300 * 1024))
    st, h, _ = curl("-H", "Content-Type: application/x-www-form-urlencoded", f"{s.url}/token", data=f"@{big}")
    assert st == 413
    r = raw(s, b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + (b"10000\r\n" + b"a" * 0x10000 + b"\r\n") * 5 + b"0\r\n\r\n")
    assert status_of(r) == 413
    assert [e["status"] for e in s.requests("/token")] == [413, 413]


def test_slow_client_is_408(serve):
    s = serve("--read-timeout", "1")
    t0 = time.monotonic()
    r = raw(s, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ngrant_type=", read_timeout=10)
    assert status_of(r) == 408 and time.monotonic() - t0 < 5
    ev = s.requests("/token")[0]
    assert ev["status"] == 408 and ev["method"] == "POST"


def test_read_timeout_restarts_at_each_response(serve):
    """The timeout counts from the connection's opening or the last response, not from the first request: three
    requests 0.6 s apart on one keep-alive connection with --read-timeout 1 are all served (1.8 s in all), and
    an idle connection is then answered 408 and closed about one second after its last response."""
    s = serve("--read-timeout", "1")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        for _ in range(3):
            time.sleep(0.6)
            c.sendall(b"GET /jwks HTTP/1.1\r\nHost: x\r\n\r\n")
            resp = c.recv(65536)
            assert status_of(resp) == 200
        t0 = time.monotonic()
        out = b""
        while chunk := c.recv(65536):
            out += chunk
        waited = time.monotonic() - t0
    assert status_of(out) == 408 and b"connection: close" in out.lower()
    assert 0.8 < waited < 3
    assert [e["status"] for e in s.requests()][-4:] == [200, 200, 200, 408]


def test_too_many_connections_is_503(serve):
    s = serve("--max-connections", "1")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as first:
        time.sleep(0.2)
        r = raw(s, b"GET /jwks HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status_of(r) == 503
        first.sendall(b"GET /jwks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert status_of(first.recv(65536)) == 200
    assert [e["status"] for e in s.requests("/jwks")] == [503, 200]


@pytest.mark.parametrize("data", [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
                                  b"POST /token HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde"])
def test_malformed_request_is_400_and_close(serve, data):
    s = serve()
    r = raw(s, data)
    assert status_of(r) == 400 and b"connection: close" in r.lower()
    ev = s.requests()[-1]
    assert ev["status"] == 400 and ev["error"] == "malformed_http"
    assert status_of(raw(s, b"GET /jwks HTTP/1.1\r\nConnection: close\r\n\r\n")) == 200, "the server still serves"


def test_404_405_and_keep_alive(serve):
    s = serve()
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    c.request("GET", "/nope")
    r = c.getresponse()
    assert r.status == 404
    r.read()
    c.request("GET", "/token")
    r = c.getresponse()
    assert r.status == 405 and r.getheader("Allow") == "POST"
    r.read()
    c.request("GET", "/jwks")
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Connection") is None
    r.read()
    sock_before = c.sock
    c.request("GET", "/.well-known/oauth-authorization-server")
    assert c.getresponse().status == 200 and c.sock is sock_before, "one connection for all four"
    c.close()
    # Pipelined requests are answered in order.
    r = raw(s, b"GET /jwks HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\nGET /jwks HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert [int(x) for x in re.findall(rb"HTTP/1\.1 (\d{3}) ", r)] == [200, 404, 200]


def test_head_answer_has_no_body(serve):
    """A HEAD is answered without its body (RFC 9110 §9.3.2) but with the body's Content-Length, so the next
    response on the same connection is read where it starts."""
    s = serve()
    r = raw(s, b"HEAD /jwks HTTP/1.1\r\n\r\nGET /jwks HTTP/1.1\r\nConnection: close\r\n\r\n")
    first, _, rest = r.partition(b"\r\n\r\n")
    assert status_of(first) == 405 and re.search(rb"\r\nContent-Length: [1-9]", first)
    assert rest.startswith(b"HTTP/1.1 200 OK\r\n"), rest[:60]
    assert rest.endswith(b"]}"), "the GET's body follows whole"


# ---- stopping ----------------------------------------------------------------------------------------------------

def test_max_requests_stops_with_summary(keys, tmp_path):
    s = Server(keys, tmp_path, "--max-requests", "2")
    curl(f"{s.url}/jwks")
    curl(f"{s.url}/nope")
    assert s.proc.wait(timeout=10) == 0
    summary = s.log()[-1]["summary"]
    assert summary["requests"] == 2 and summary["stopped_by"] == "max-requests"
    assert summary["statuses"] == {"200": 1, "404": 1}


def test_idle_timeout_and_timeout_stop_by_themselves(keys, tmp_path):
    t0 = time.monotonic()
    s = Server(keys, tmp_path, "--idle-timeout", "1")
    assert s.proc.wait(timeout=10) == 0 and time.monotonic() - t0 < 6
    assert s.log()[-1]["summary"]["stopped_by"] == "idle-timeout"
    s = Server(keys, tmp_path, timeout=1)
    assert s.proc.wait(timeout=10) == 0
    assert s.log()[-1]["summary"]["stopped_by"] == "timeout"


def test_sigint_stops_cleanly_log_on_stdout(keys, tmp_path):
    s = Server(keys, tmp_path, log_to_file=False)
    curl(f"{s.url}/jwks")
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(timeout=10) == 0
    lines = [json.loads(x) for x in s.proc.stdout.read().decode().splitlines()]
    assert lines[0]["path"] == "/jwks" and lines[0]["status"] == 200
    assert lines[-1]["summary"]["stopped_by"] == "SIGINT"


def test_port_in_use_and_bad_listen_are_exit_2(keys, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        p = subprocess.run([str(wif_binary("wif-verify")), "serve", "--jwks", str(keys / "idp.jwks"), "--iss", ISS,
                            "--listen", f"127.0.0.1:{port}", "--timeout", "5"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and p.stdout == ""
    assert "address already in use" in p.stderr and p.stderr.startswith("wif-verify: ")
    p = subprocess.run([str(wif_binary("wif-verify")), "serve", "--jwks", str(keys / "idp.jwks"), "--iss", ISS,
                        "--listen", "localhost:0", "--timeout", "5"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "not a numeric IP address" in p.stderr
    p = subprocess.run([str(wif_binary("wif-verify")), "serve", "--iss", ISS, "--timeout", "5"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "--jwks is required" in p.stderr and p.stdout == ""


def test_replay_cache_file_outlives_the_server(keys, tmp_path):
    cache = tmp_path / "replay"
    a = mint(keys, "https://as.example")
    s = Server(keys, tmp_path, "--aud", "https://as.example", "--replay-cache", cache)
    assert token_request(s, grant_type=JWT_BEARER, assertion=a)[0] == 200
    assert s.stop() == 0
    s = Server(keys, tmp_path, "--aud", "https://as.example", "--replay-cache", cache)
    st, _, body = token_request(s, grant_type=JWT_BEARER, assertion=a)
    assert st == 400 and "replayed_jti" in body
    assert s.stop() == 0


def test_concurrent_replays_exactly_one_wins(serve, keys):
    s = serve()
    a = mint(keys, s.url)
    body = urlencode({"grant_type": JWT_BEARER, "assertion": a})
    procs = [subprocess.Popen(["curl", "-s", "-w", "%{http_code}", "-H",
                               "Content-Type: application/x-www-form-urlencoded", "--data-binary", body,
                               f"{s.url}/token"], stdout=subprocess.PIPE) for _ in range(16)]
    codes = [p.communicate(timeout=30)[0].decode()[-3:] for p in procs]
    assert sorted(codes) == ["200"] + ["400"] * 15


# ---- wif-verify serve runs wif-serve (SwiftNIO is linked there only) ---------------------------------------------

def test_installed_wif_verify_serve_runs_the_installed_helper(keys, tmp_path):
    from conftest import REPO_ROOT, WIF_BIN_DIR
    p = subprocess.run(["make", "-s", "-C", str(REPO_ROOT), "install-files", f"DESTDIR={tmp_path}", "PREFIX=/usr",
                        f"BUILT={WIF_BIN_DIR}"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    verify = tmp_path / "usr" / "bin" / "wif-verify"
    assert (tmp_path / "usr" / "bin" / "wif-serve").is_file()
    proc = subprocess.Popen([str(verify), "serve", "--jwks", str(keys / "idp.jwks"), "--iss", ISS, "--max-requests",
                             "1", "--timeout", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={"PATH": "/usr/bin:/bin"})
    url = proc.stdout.readline().decode().strip()
    assert curl(f"{url}/jwks")[0] == 200
    assert proc.wait(timeout=20) == 0
    assert json.loads(proc.stdout.read().decode().splitlines()[-1])["summary"]["stopped_by"] == "max-requests"


def test_wif_verify_serve_without_the_helper_is_exit_2(keys, tmp_path):
    import shutil
    lonely = tmp_path / "wif-verify"
    shutil.copy(wif_binary("wif-verify"), lonely)
    p = subprocess.run([str(lonely), "serve", "--jwks", str(keys / "idp.jwks"), "--iss", ISS, "--timeout", "5"],
                       capture_output=True, text=True, timeout=30, env={"PATH": str(tmp_path)})
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("wif-verify: cannot run wif-serve") and "hint: install wif-serve" in p.stderr
