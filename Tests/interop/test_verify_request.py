# SPDX-License-Identifier: Apache-2.0
"""`wif-verify request`, the offline token endpoint, end to end (issue 3 item 2; MCP SEP-1933 client cases).

The SEP-1933 cases run as real shell pipelines, `wif-mint token ... | wif-mint request ... | wif-verify request ...`,
with each stage's exit status checked (PIPESTATUS). Bodies that wif-mint does not build (client_credentials with a
client assertion, token exchange, broken form encoding) are written by hand.

Checked for every answer: exit 0 with a §5.1 success JSON, or exit 1 with a §5.2 error JSON
`{"error":...,"error_description":...}` on stdout and one stderr line `wif-verify: <error> (<reason>): ...`;
with --http the whole HTTP/1.1 response (status 200/400/401, Content-Type: application/json,
Cache-Control: no-store, a correct Content-Length).
"""
import json
import re
import shlex
import subprocess
from urllib.parse import parse_qsl, quote

import pytest

from conftest import (VERIFY_ISS, VERIFY_NOW, VERIFY_SUB, assert_usage_error, b64u_decode, b64u_encode,
                      verify_assert_valid, wif_binary, wif_ok, wif_run)

NOW = VERIFY_NOW
AS = "https://as.example"                       # the authorization server's issuer (SEP-1933 audience)
RESOURCE = "https://mcp.example.com/mcp"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"
ERROR_DESCRIPTION_CHARS = re.compile(r"[\x20\x21\x23-\x5B\x5D-\x7E]*")   # RFC 6749 §5.2


def q(s):
    """Form-encode one component (space as %20 is valid too, but use + as browsers do)."""
    return quote(s, safe="").replace("%20", "+")


def form(*pairs):
    return "&".join(f"{q(k)}={q(v)}" for k, v in pairs)


def bin_(tool):
    return shlex.quote(str(wif_binary(tool)))


def mint_args(keys, *extra, aud=AS, key=None):
    return ["token", "-k", str(key or keys.private["ES256"]), "--iss", VERIFY_ISS, "--sub", VERIFY_SUB, "--aud", aud,
            "--now", str(NOW), *map(str, extra)]


def verify_args(keys, *extra, aud=AS + "/"):
    """mcp-wif profile, the AS issuer as audience (with a trailing slash: SEP-1933 says it does not matter)."""
    return ["request", "--profile", "mcp-wif", "--jwks", str(keys.public["ES256"]), "--aud", aud,
            "--now", str(NOW), *map(str, extra)]


def pipeline(keys, mint_extra=(), request_extra=(), verify_extra=(), mint_aud=AS, middle=None, key=None):
    """Runs `wif-mint token | wif-mint request | [middle |] wif-verify request` in bash; returns
    (CompletedProcess of the pipeline, [exit status of each stage])."""
    stages = [" ".join([bin_("wif-mint"), *map(shlex.quote, mint_args(keys, *mint_extra, aud=mint_aud, key=key))]),
              " ".join([bin_("wif-mint"), "request", *map(shlex.quote, map(str, request_extra))])]
    if middle:
        stages.append(middle)
    stages.append(" ".join([bin_("wif-verify"), *map(shlex.quote, verify_args(keys, *verify_extra))]))
    script = " | ".join(stages) + '\necho "${PIPESTATUS[*]}" >&2'
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    # The status line went to stderr last: split it off.
    err_lines = p.stderr.rstrip("\n").split("\n")
    statuses = [int(x) for x in err_lines[-1].split()]
    p.stderr = "\n".join(err_lines[:-1]) + ("\n" if len(err_lines) > 1 else "")
    p.returncode = statuses[-1]
    return p, statuses


def endpoint(keys, body, *extra, aud=AS + "/", profile="mcp-wif", jwks=None):
    """`wif-verify request` with `body` on stdin (str or bytes, written exactly)."""
    args = ["request", "--profile", profile, "--jwks", jwks or keys.public["ES256"], "--aud", aud, "--now", NOW,
            *extra]
    p = wif_run("wif-verify", *args, input=body.encode() if isinstance(body, str) else body, text=False)
    p.stdout, p.stderr = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
    return p


def mint(keys, *extra, aud=AS):
    return wif_ok("wif-mint", *mint_args(keys, *extra, aud=aud)).strip()


_shared = {}


def shared_token(keys):
    """One valid assertion for the tests that only need some valid token and use no replay cache."""
    if "token" not in _shared:
        _shared["token"] = mint(keys)
    return _shared["token"]


def assert_success(p, scope=None):
    assert p.returncode == 0, f"exit {p.returncode}; stdout {p.stdout!r}; stderr {p.stderr!r}"
    assert p.stderr == ""
    assert p.stdout.endswith("\n") and p.stdout.count("\n") == 1
    o = json.loads(p.stdout)
    assert isinstance(o["access_token"], str) and len(o["access_token"]) >= 32, o
    assert o["token_type"] == "Bearer"
    assert isinstance(o["expires_in"], int) and o["expires_in"] > 0, o
    if scope is None:
        assert "scope" not in o, o
    else:
        assert o["scope"] == scope, o
    assert "error" not in o
    return o


def assert_error(p, error, reason):
    """Exit 1, one §5.2 error JSON line on stdout, one `wif-verify: <error> (<reason>): ...` line on stderr."""
    assert p.returncode == 1, \
        f"exit {p.returncode} (want 1, {error}/{reason}); stdout {p.stdout!r}; stderr {p.stderr!r}"
    assert p.stdout.endswith("\n") and p.stdout.count("\n") == 1, p.stdout
    o = json.loads(p.stdout)
    assert set(o) == {"error", "error_description"}, o
    assert o["error"] == error, o
    assert ERROR_DESCRIPTION_CHARS.fullmatch(o["error_description"]), o["error_description"]
    assert o["error_description"].startswith(reason + ": "), o
    assert p.stderr.endswith("\n") and p.stderr.count("\n") == 1, p.stderr
    assert re.fullmatch(rf"wif-verify: {error} \({reason}\): .+\n", p.stderr), p.stderr
    return o


def parse_http(text):
    head, sep, body = text.partition("\r\n\r\n")
    assert sep, f"no blank line after the headers: {text!r}"
    lines = head.split("\r\n")
    m = re.fullmatch(r"HTTP/1\.1 (\d{3}) [A-Za-z ]+", lines[0])
    assert m, lines[0]
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(": ")
        assert colon, line
        assert name.lower() not in headers, f"header {name} twice"
        headers[name.lower()] = value
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body.encode("utf-8")), (headers, body)
    return int(m.group(1)), headers, json.loads(body)


# ---------------------------------------------------------------------------------------------------------------
# SEP-1933 client cases through `wif-mint token | wif-mint request | wif-verify request`.

def test_happy_path(verify_keys):
    p, st = pipeline(verify_keys, request_extra=["--scope", "mcp:tools mcp:read", "--resource", RESOURCE],
                     verify_extra=["--allow-scope", "mcp:tools", "--allow-scope", "mcp:read"])
    assert st == [0, 0, 0], (st, p.stderr)
    assert_success(p, scope="mcp:tools mcp:read")


def test_happy_path_no_scope_no_resource(verify_keys):
    p, st = pipeline(verify_keys)
    assert st == [0, 0, 0], (st, p.stderr)
    o = assert_success(p)
    assert o["expires_in"] == 3600


def test_happy_path_audience_slash_variants(verify_keys):
    """mcp-wif: a trailing slash on either side does not matter; the token endpoint URL works when given."""
    p, st = pipeline(verify_keys, mint_aud=AS + "/")
    assert st[-1] == 0, p.stderr
    p = endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", mint(verify_keys, aud=AS + "/token"))),
                 aud=AS + "/token")
    assert_success(p)


@pytest.mark.parametrize("case,mint_extra,verify_extra,reason", [
    ("expired", ["--iat", NOW - 900, "--exp", NOW - 600], [], "expired"),
    ("not-yet-valid", ["--nbf", NOW + 600, "--exp", NOW + 900], [], "not_yet_valid"),
    ("lifetime-over-1h", ["--exp", NOW + 7200], [], "lifetime_too_long"),
    ("unauthorised-sub", [], ["--reject-sub", VERIFY_SUB], "subject_rejected"),
    ("sub-not-allowed", [], ["--sub", "spiffe://example.org/other"], "bad_subject"),
    ("untrusted-issuer", [], ["--iss", "https://elsewhere.example"], "bad_issuer"),
    ("no-jti", ["--no-jti"], [], "missing_claim"),
    ("no-iat", ["--no-iat"], [], "missing_claim"),
    ("revoked-jti", ["--jti", "revoked"], ["--reject-jti", "revoked"], "jti_rejected"),
    ("typ-at+jwt", ["--typ", "at+jwt"], [], "bad_typ"),
    ("bad-signature", [], [], "bad_signature"),
])
def test_invalid_grant(case, mint_extra, verify_extra, reason, verify_keys, tmp_path):
    key = None
    if case == "bad-signature":      # signed by another key that claims the JWKS key's kid
        key = tmp_path / "other.jwk"
        wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "es256", "--out", key)
    p, st = pipeline(verify_keys, mint_extra=mint_extra, verify_extra=verify_extra, key=key)
    assert st[:2] == [0, 0], (st, p.stderr)
    assert_error(p, "invalid_grant", reason)


def test_invalid_grant_wrong_audience(verify_keys):
    p, st = pipeline(verify_keys, mint_aud="https://other-as.example")
    assert_error(p, "invalid_grant", "bad_audience")


def test_invalid_grant_malformed_assertion(verify_keys):
    for a in ("not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."):
        p = endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", a)))
        assert_error(p, "invalid_grant", "alg_none" if a.startswith("eyJhbGciOiJub25l") else "malformed")


def test_replayed_jti_second_request_fails(verify_keys, tmp_path):
    body = wif_ok("wif-mint", "request", "--resource", RESOURCE, mint(verify_keys))
    cache = tmp_path / "replay.cache"
    assert_success(endpoint(verify_keys, body, "--replay-cache", cache))
    assert_error(endpoint(verify_keys, body, "--replay-cache", cache), "invalid_grant", "replayed_jti")
    assert_error(endpoint(verify_keys, body, "--replay-cache", cache), "invalid_grant", "replayed_jti")
    # A different jti from the same workload is fine.
    assert_success(endpoint(verify_keys, wif_ok("wif-mint", "request", mint(verify_keys)), "--replay-cache", cache))


def test_rejected_request_does_not_consume_jti(verify_keys, tmp_path):
    """Replay is checked last: a request refused for its scope leaves the jti unused."""
    token = mint(verify_keys, "--jti", "kept")
    cache = tmp_path / "replay.cache"
    bad = wif_ok("wif-mint", "request", "--scope", "admin", token)
    assert_error(endpoint(verify_keys, bad, "--replay-cache", cache, "--allow-scope", "read"), "invalid_scope",
                 "scope_not_allowed")
    assert_success(endpoint(verify_keys, wif_ok("wif-mint", "request", token), "--replay-cache", cache))


@pytest.mark.parametrize("scope,verify_extra", [
    ("read write", ["--allow-scope", "read"]),
    ("admin", ["--allow-scope", "read", "--allow-scope", "write"]),
    ("read admin", ["--reject-scope", "admin"]),
    ("admin", ["--reject-scope", "admin"]),
], ids=["outside-allow-list", "single-outside", "reject-scope-mixed", "reject-scope"])
def test_invalid_scope(scope, verify_extra, verify_keys):
    p, st = pipeline(verify_keys, request_extra=["--scope", scope], verify_extra=verify_extra)
    assert st[:2] == [0, 0]
    assert_error(p, "invalid_scope", "scope_not_allowed")


def test_unauthorized_client_trigger_scope(verify_keys):
    p, st = pipeline(verify_keys, request_extra=["--scope", "mcp:read wif.trigger-unauthorized"],
                     verify_extra=["--unauthorized-scope", "wif.trigger-unauthorized"])
    assert_error(p, "unauthorized_client", "scope_unauthorized")


def test_unauthorized_client_rejected_grant_type(verify_keys):
    p, st = pipeline(verify_keys, verify_extra=["--reject-grant-type", JWT_BEARER])
    assert_error(p, "unauthorized_client", "grant_type_rejected")


@pytest.mark.parametrize("grant", ["authorization_code", "client_credentials", "refresh_token", "password",
                                   TOKEN_EXCHANGE, "urn:ietf:params:oauth:grant-type:saml2-bearer",
                                   JWT_BEARER.upper()])
def test_unsupported_grant_type(grant, verify_keys):
    p = endpoint(verify_keys, form(("grant_type", grant), ("assertion", shared_token(verify_keys))))
    assert_error(p, "unsupported_grant_type", "unsupported_grant_type")


def _invalid_request_bodies(token):
    g = "grant_type=" + q(JWT_BEARER)
    return {
        "missing-assertion": f"{g}",
        "empty-assertion": f"{g}&assertion=",
        "empty-assertion-no-equals": f"{g}&assertion",
        "repeated-assertion": f"{g}&assertion={token}&assertion={token}",
        "repeated-assertion-one-empty": f"{g}&assertion={token}&assertion=x",
        "repeated-grant-type": f"{g}&{g}&assertion={token}",
        "bad-percent-zz": f"{g}&assertion=%zz{token}",
        "bad-percent-truncated": f"{g}&assertion={token}%4",
        "bad-percent-at-end": f"{g}&assertion={token}%",
        "bad-percent-in-name": f"{g}&assert%G1on={token}",
        "invalid-utf8-ff": f"{g}&assertion={token}&scope=%FF",
        "invalid-utf8-overlong": f"{g}&assertion={token}&scope=%C0%AF",
        "invalid-utf8-truncated": f"{g}&assertion={token}&scope=%E2%82",
        "invalid-utf8-surrogate": f"{g}&assertion={token}&scope=%ED%A0%80",
        "stray-ampersand": f"{g}&&assertion={token}",
        "missing-grant-type": f"assertion={token}",
        "client-assertion-type-alone": f"{g}&assertion={token}&client_assertion_type={q(CLIENT_ASSERTION_TYPE)}",
    }


INVALID_REQUEST_IDS = list(_invalid_request_bodies("T"))


@pytest.mark.parametrize("case", INVALID_REQUEST_IDS)
def test_invalid_request(case, verify_keys):
    body = _invalid_request_bodies(shared_token(verify_keys))[case]
    assert_error(endpoint(verify_keys, body), "invalid_request", "invalid_request")


@pytest.mark.parametrize("body", ["", "\n", "\r\n"])
def test_empty_body_is_nothing_to_judge(body, verify_keys):
    """An empty body (a failed `wif-mint request` upstream) could not be judged: exit 2, not invalid_request."""
    p = endpoint(verify_keys, body)
    assert p.returncode == 2 and p.stdout == "" and "no request body to judge" in p.stderr, p.stderr


def test_invalid_utf8_raw_bytes(verify_keys):
    """A raw (not percent-encoded) invalid UTF-8 byte in the body."""
    body = ("grant_type=" + q(JWT_BEARER) + "&assertion=" + shared_token(verify_keys) + "&scope=").encode() + b"\xff"
    assert_error(endpoint(verify_keys, body), "invalid_request", "invalid_request")


def test_client_id_is_ignored_for_jwt_bearer(verify_keys):
    body = form(("grant_type", JWT_BEARER), ("assertion", shared_token(verify_keys)), ("client_id", "public-client"))
    assert_success(endpoint(verify_keys, body))


@pytest.mark.parametrize("status,extra,body_kind", [
    (200, [], "ok"), (400, ["--allow-scope", "read"], "scope"), (400, [], "expired"),
    (400, [], "missing"), (400, ["--reject-grant-type", JWT_BEARER], "ok"), (400, [], "unsupported"),
])
def test_http_response(status, extra, body_kind, verify_keys):
    token = (mint(verify_keys, "--iat", NOW - 900, "--exp", NOW - 600) if body_kind == "expired"
             else shared_token(verify_keys))
    body = {"ok": form(("grant_type", JWT_BEARER), ("assertion", token)),
            "expired": form(("grant_type", JWT_BEARER), ("assertion", token)),
            "scope": form(("grant_type", JWT_BEARER), ("assertion", token), ("scope", "admin")),
            "missing": form(("grant_type", JWT_BEARER)),
            "unsupported": form(("grant_type", "password"), ("assertion", token))}[body_kind]
    p = endpoint(verify_keys, body, "--http", *extra)
    code, headers, o = parse_http(p.stdout)
    assert code == status
    assert p.returncode == (0 if status == 200 else 1)
    assert ("access_token" in o) == (status == 200)
    if status == 200:
        assert p.stdout.startswith("HTTP/1.1 200 OK\r\n")
    else:
        assert p.stdout.startswith("HTTP/1.1 400 Bad Request\r\n")
        assert set(o) == {"error", "error_description"}


def test_http_401_invalid_client(verify_keys):
    ca = mint(verify_keys, "--iss", "client-1", aud=AS)      # sub is the workload, not client-1: iss != sub
    body = form(("grant_type", "client_credentials"), ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                ("client_assertion", ca))
    p = endpoint(verify_keys, body, "--http", "--allow-grant", "client_credentials")
    code, headers, o = parse_http(p.stdout)
    assert code == 401 and p.stdout.startswith("HTTP/1.1 401 Unauthorized\r\n")
    assert o["error"] == "invalid_client"
    assert headers.get("www-authenticate", "").startswith("Bearer")
    assert p.returncode == 1


def test_http_body_equals_plain_body(verify_keys):
    body = form(("grant_type", JWT_BEARER))
    plain = endpoint(verify_keys, body)
    http = endpoint(verify_keys, body, "--http")
    assert parse_http(http.stdout)[2] == json.loads(plain.stdout)
    assert http.stderr == plain.stderr


def test_issuer_key_access_token_is_at_jwt(verify_keys, tmp_path):
    as_key = tmp_path / "as.jwk"
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "as-1", "--out", as_key)
    as_jwks = tmp_path / "as.jwks"
    as_jwks.write_text(wif_ok("wif-mint", "jwks", as_key))
    p, st = pipeline(verify_keys, request_extra=["--scope", "mcp:tools", "--resource", RESOURCE],
                     verify_extra=["--issuer-key", as_key, "--issuer", AS, "--expires-in", "10m"])
    assert st == [0, 0, 0], p.stderr
    o = assert_success(p, scope="mcp:tools")
    assert o["expires_in"] == 600
    at = o["access_token"]
    header = json.loads(b64u_decode(at.split(".")[0]))
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256" and header["kid"] == "as-1"
    v = wif_run("wif-verify", "--profile", "at+jwt", "--jwks", as_jwks, "--iss", AS, "--aud", RESOURCE,
                "--now", NOW, at)
    claims = verify_assert_valid(v)
    assert claims["sub"] == VERIFY_SUB and claims["iss"] == AS and claims["aud"] == RESOURCE
    assert claims["scope"] == "mcp:tools" and claims["exp"] == NOW + 600 and claims["iat"] == NOW
    assert isinstance(claims["client_id"], str) and isinstance(claims["jti"], str)
    # The access token is not an assertion: presented as a jwt-bearer grant it is refused (typ at+jwt).
    p = endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", at)), aud=RESOURCE, jwks=as_jwks,
                 profile="rfc7523")
    assert_error(p, "invalid_grant", "bad_typ")


def test_opaque_access_tokens_differ(verify_keys):
    a = assert_success(endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", mint(verify_keys)))))
    b = assert_success(endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", mint(verify_keys)))))
    assert a["access_token"] != b["access_token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", a["access_token"])


def test_trailing_newline_from_echo_is_ignored(verify_keys):
    """`echo "$(wif-mint request ...)" | wif-verify request`: the one newline echo adds is ignored."""
    p, st = pipeline(verify_keys, middle='(body=$(cat); echo "$body")')
    assert st == [0, 0, 0, 0], p.stderr
    assert_success(p)
    token = mint(verify_keys)
    assert_success(endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", token)) + "\r\n"))
    # Only one: a second newline is part of the assertion, which is then not a JWT.
    p = endpoint(verify_keys, form(("grant_type", JWT_BEARER), ("assertion", token)) + "\n\n")
    assert_error(p, "invalid_grant", "malformed")


# ---------------------------------------------------------------------------------------------------------------
# `wif-mint request`: the exact body.

def test_mint_request_exact_body_rfc6749_appendix_b(verify_keys):
    """RFC 6749 Appendix B: " %&+£€" is encoded "+%25%26%2B%C2%A3%E2%82%AC"; no trailing newline."""
    token = mint(verify_keys)
    p = wif_run("wif-mint", "request", "--scope", " %&+£€", "--resource", RESOURCE, "--resource",
                "https://mcp.example.com/a b?x=1&y=2", token, text=False)
    assert p.returncode == 0 and p.stderr == b""
    body = p.stdout.decode("ascii")
    assert body == ("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + token +
                    "&scope=+%25%26%2B%C2%A3%E2%82%AC"
                    "&resource=https%3A%2F%2Fmcp.example.com%2Fmcp"
                    "&resource=https%3A%2F%2Fmcp.example.com%2Fa+b%3Fx%3D1%26y%3D2")
    assert not body.endswith("\n")
    assert parse_qsl(body, strict_parsing=True, keep_blank_values=True) == [
        ("grant_type", JWT_BEARER), ("assertion", token), ("scope", " %&+£€"), ("resource", RESOURCE),
        ("resource", "https://mcp.example.com/a b?x=1&y=2")]


def test_mint_request_assertion_from_stdin_equals_argument(verify_keys):
    token = mint(verify_keys)
    a = wif_run("wif-mint", "request", "--scope", "x", token, text=False).stdout
    b = wif_run("wif-mint", "request", "--scope", "x", input=(token + "\n").encode(), text=False).stdout
    c = wif_run("wif-mint", "request", "--scope", "x", "-", input=token.encode(), text=False).stdout
    assert a == b == c and not a.endswith(b"\n")


def test_mint_request_empty_assertion_is_usage_error():
    assert_usage_error(wif_run("wif-mint", "request", input=""), "assertion", tool="wif-mint")


def test_endpoint_decodes_appendix_b_scope(verify_keys):
    body = wif_ok("wif-mint", "request", "--scope", " %&+£€", mint(verify_keys))
    assert_success(endpoint(verify_keys, body, "--allow-scope", "%&+£€"), scope="%&+£€")


# ---------------------------------------------------------------------------------------------------------------
# Other grants, bodies built by hand.

def client_assertion(keys, client="client-1", aud=AS):
    return wif_ok("wif-mint", "token", "-k", keys.private["ES256"], "--iss", client, "--sub", client, "--aud", aud,
                  "--now", NOW).strip()


def test_client_credentials_with_client_assertion(verify_keys):
    body = form(("grant_type", "client_credentials"), ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                ("client_assertion", client_assertion(verify_keys)), ("scope", "read"))
    assert_success(endpoint(verify_keys, body, "--allow-grant", "client_credentials"), scope="read")
    body_id = form(("grant_type", "client_credentials"), ("client_id", "client-1"),
                   ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                   ("client_assertion", client_assertion(verify_keys)))
    assert_success(endpoint(verify_keys, body_id, "--allow-grant", "client_credentials"))


@pytest.mark.parametrize("case,reason", [
    ("iss-not-sub", "bad_subject"), ("client-id-mismatch", "bad_client_assertion"),
    ("no-client-assertion", "bad_client_assertion"), ("wrong-assertion-type", "bad_client_assertion"),
    ("expired", "expired"), ("wrong-aud", "bad_audience"), ("bad-signature", "bad_signature"),
])
def test_client_credentials_invalid_client(case, reason, verify_keys):
    ca = client_assertion(verify_keys)
    pairs = [("grant_type", "client_credentials"), ("client_assertion_type", CLIENT_ASSERTION_TYPE),
             ("client_assertion", ca)]
    if case == "iss-not-sub":
        pairs[2] = ("client_assertion", mint(verify_keys, "--iss", "client-1"))
    elif case == "client-id-mismatch":
        pairs.append(("client_id", "client-2"))
    elif case == "no-client-assertion":
        pairs = pairs[:1]
    elif case == "wrong-assertion-type":
        pairs[1] = ("client_assertion_type", JWT_BEARER)
    elif case == "expired":
        pairs[2] = ("client_assertion", wif_ok("wif-mint", "token", "-k", verify_keys.private["ES256"], "--iss",
                                               "client-1", "--sub", "client-1", "--aud", AS, "--now", NOW,
                                               "--iat", NOW - 900, "--exp", NOW - 600).strip())
    elif case == "wrong-aud":
        pairs[2] = ("client_assertion", client_assertion(verify_keys, aud="https://elsewhere.example"))
    elif case == "bad-signature":
        h, p_, s = ca.split(".")
        sig = bytearray(b64u_decode(s))
        sig[5] ^= 1
        pairs[2] = ("client_assertion", f"{h}.{p_}.{b64u_encode(bytes(sig))}")
    p = endpoint(verify_keys, form(*pairs), "--allow-grant", "client_credentials")
    assert_error(p, "invalid_client", reason)


def test_token_exchange(verify_keys, tmp_path):
    subject = mint(verify_keys)
    actor = mint(verify_keys, "--sub", "spiffe://example.org/agent")
    body = form(("grant_type", TOKEN_EXCHANGE), ("subject_token", subject), ("subject_token_type", JWT_TOKEN_TYPE),
                ("actor_token", actor), ("actor_token_type", JWT_TOKEN_TYPE), ("resource", RESOURCE))
    o = assert_success(endpoint(verify_keys, body, "--allow-grant", TOKEN_EXCHANGE))
    assert o["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    # With an issuer key the access token is an at+jwt for the subject, audience the resource.
    as_key = tmp_path / "as.jwk"
    wif_ok("wif-mint", "key", "--alg", "EdDSA", "--kid", "as-ed", "--out", as_key)
    o = assert_success(endpoint(verify_keys, body, "--allow-grant", TOKEN_EXCHANGE, "--issuer-key", as_key))
    claims = json.loads(b64u_decode(o["access_token"].split(".")[1]))
    assert claims["sub"] == VERIFY_SUB and claims["aud"] == RESOURCE


@pytest.mark.parametrize("case", ["no-subject-token-type", "no-subject-token", "actor-token-without-type",
                                  "actor-type-without-token", "expired-subject-token", "bad-actor-token"])
def test_token_exchange_invalid_request(case, verify_keys):
    subject = shared_token(verify_keys)
    pairs = {"grant_type": TOKEN_EXCHANGE, "subject_token": subject, "subject_token_type": JWT_TOKEN_TYPE}
    if case == "no-subject-token-type":
        del pairs["subject_token_type"]
    elif case == "no-subject-token":
        del pairs["subject_token"]
    elif case == "actor-token-without-type":
        pairs["actor_token"] = shared_token(verify_keys)
    elif case == "actor-type-without-token":
        pairs["actor_token_type"] = JWT_TOKEN_TYPE
    elif case == "expired-subject-token":
        pairs["subject_token"] = mint(verify_keys, "--iat", NOW - 900, "--exp", NOW - 600)
    elif case == "bad-actor-token":
        pairs["actor_token"] = "x.y.z"
        pairs["actor_token_type"] = JWT_TOKEN_TYPE
    reason = {"expired-subject-token": "expired", "bad-actor-token": "malformed"}.get(case, "invalid_request")
    p = endpoint(verify_keys, form(*pairs.items()), "--allow-grant", TOKEN_EXCHANGE)
    assert_error(p, "invalid_request", reason)


# ---------------------------------------------------------------------------------------------------------------
# Exit 2: configuration errors produce no response at all.

@pytest.mark.parametrize("case", ["no-jwks", "jwks-missing", "bad-issuer-key", "bad-expires-in", "unknown-profile"])
def test_request_configuration_errors(case, verify_keys, tmp_path):
    body = form(("grant_type", JWT_BEARER), ("assertion", "x.y.z"))
    args = {"no-jwks": ["request", "--aud", AS],
            "jwks-missing": ["request", "--aud", AS, "--jwks", tmp_path / "nope.jwks"],
            "bad-issuer-key": ["request", "--aud", AS, "--jwks", verify_keys.public["ES256"],
                               "--issuer-key", verify_keys.public["ES256"]],
            "bad-expires-in": ["request", "--aud", AS, "--jwks", verify_keys.public["ES256"], "--expires-in", "soon"],
            "unknown-profile": ["request", "--aud", AS, "--jwks", verify_keys.public["ES256"], "--profile", "x"]}[case]
    p = wif_run("wif-verify", *args, "--http", input=body)
    assert_usage_error(p, tool="wif-verify")


def test_oversized_body_is_invalid_request(verify_keys):
    """A body over the 256 KiB bound is a bad request (invalid_request, exit 1), not a configuration error."""
    body = "grant_type=" + q(JWT_BEARER) + "&assertion=" + "A" * 300_000
    p = endpoint(verify_keys, body)
    assert p.returncode == 1, (p.returncode, p.stderr)
    o = json.loads(p.stdout)
    assert o["error"] == "invalid_request", o
    assert p.stderr.startswith("wif-verify: invalid_request (") and p.stderr.count("\n") == 1, p.stderr
