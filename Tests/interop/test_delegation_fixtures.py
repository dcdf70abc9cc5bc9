# SPDX-License-Identifier: Apache-2.0
"""`wif-mint fixtures`, delegation chains (`--act`, `--max-delegation-depth`, `--actor`) and every grant of
`wif-mint request`, judged by `wif-verify` and `wif-verify request`, through the built binaries.

Binaries come from $WIF_BIN_DIR (default <repo>/.build/debug). Shared helpers are in conftest.py.
"""
import json
import os
import re
import subprocess
from urllib.parse import parse_qsl

import pytest

from conftest import REPO_ROOT, assert_usage_error, jws_split, wif_ok, wif_run

NOW = 1767323400                      # 2026-01-02T03:10:00Z
ISS = "https://issuer.example"
SUB = "spiffe://example.org/ns/agents/sa/planner"
AUD = "https://as.example/token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
CLIENT_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCESS_TYPE = "urn:ietf:params:oauth:token-type:access_token"

# The fixture names and the reason `wif-verify --profile mcp-wif` gives each (Core/Operations/Fixtures.swift).
EXPECTED = {
    "valid": None, "expired": "expired", "not_yet_valid": "not_yet_valid", "wrong_audience": "bad_audience",
    "wrong_issuer": "bad_issuer", "bad_signature": "bad_signature", "alg_none": "alg_none",
    "missing_exp": "missing_claim", "missing_jti": "missing_claim", "unknown_kid": "unknown_kid",
    "lifetime_too_long": "lifetime_too_long", "issued_in_future": "issued_in_future",
}
SPECS = {"ES256": ["--alg", "ES256"], "RS256": ["--alg", "RS256"], "EdDSA": ["--alg", "EdDSA"],
         "HS256": ["--alg", "HS256"]}


class Keys:
    """Private JWK files made by `wif-mint key --kid kid-<spec>`, and their public JWKS (an HMAC key: itself)."""

    def __init__(self, folder):
        self.folder = folder
        for spec, args in SPECS.items():
            wif_ok("wif-mint", "key", *args, "--kid", f"kid-{spec}", "--out", self.path(spec))
            if spec != "HS256":
                self.jwks_path(spec).write_text(wif_ok("wif-mint", "jwks", self.path(spec)))
        # an ES256 key that no JWKS here lists
        wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "stranger", "--out", self.path("stranger"))

    def path(self, spec):
        return self.folder / f"{spec}.jwk"

    def jwk(self, spec):
        return json.loads(self.path(spec).read_text())

    def jwks_path(self, spec):
        return self.path(spec) if spec == "HS256" else self.folder / f"{spec}.jwks"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return Keys(tmp_path_factory.mktemp("delegation-keys"))


def mint(keys, *args, spec="ES256"):
    return wif_ok("wif-mint", "token", "-k", keys.path(spec), "--now", NOW, *args).strip()


def verify(keys, token, *args, spec="ES256"):
    """wif-verify --json: (exit status, result object)."""
    p = wif_run("wif-verify", "--json", "--jwks", keys.jwks_path(spec), "--now", NOW, *args, token)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


def reason(keys, token, *args, spec="ES256"):
    status, o = verify(keys, token, *args, spec=spec)
    assert (status == 0) == o["valid"], o
    return o.get("reason")


# ---------------------------------------------------------------------------------------------------------------
# fixtures

def test_expected_table_matches_the_source():
    src = (REPO_ROOT / "Sources" / "Core" / "Operations" / "Fixtures.swift").read_text()
    # The `expected` table only: the ID-JAG fixtures have their own (`idJAGExpected`, test_idjag.py).
    src = src[src.index("public static let expected"):]
    src = src[:src.index("\n    ]")]
    pairs = re.findall(r'\("([a-z_]+)", (nil|\.[A-Za-z]+)\)', src)
    camel = {n: (None if r == "nil" else re.sub(r"([A-Z])", r"_\1", r[1:]).lower()) for n, r in pairs}
    assert camel == EXPECTED


@pytest.fixture(scope="module", params=list(SPECS))
def fixture_set(request, keys):
    spec = request.param
    out = wif_ok("wif-mint", "fixtures", "-k", keys.path(spec), "--iss", ISS, "--sub", SUB, "--aud", AUD,
                 "--now", NOW)
    return spec, json.loads(out)


def test_fixtures_names_and_jwks(fixture_set, keys):
    spec, fx = fixture_set
    names = [n for n in fx if n != "jwks"]
    assert names == list(EXPECTED)
    if spec == "HS256":
        assert "jwks" not in fx                            # an HMAC key has no public half to publish
    else:
        assert fx["jwks"] == json.loads(keys.jwks_path(spec).read_text())
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(fx["jwks"]["keys"][0])


def test_every_fixture_gets_exactly_its_reason(fixture_set, keys, tmp_path):
    spec, fx = fixture_set
    jwks = keys.jwks_path(spec)
    if "jwks" in fx:                                         # verify against the set printed next to the tokens
        jwks = tmp_path / "fixtures.jwks"
        jwks.write_text(json.dumps(fx["jwks"]))
    base = ["--profile", "mcp-wif", "--iss", ISS, "--aud", AUD, "--jwks", jwks, "--now", NOW]
    for name, want in EXPECTED.items():
        p = wif_run("wif-verify", *base, fx[name])
        if want is None:
            assert p.returncode == 0 and p.stderr == "", (name, p.stderr)
            assert json.loads(p.stdout)["sub"] == SUB
        else:
            assert p.returncode == 1, (name, p.returncode, p.stderr)
            m = re.fullmatch(r"wif-verify: ([a-z_]+) \(([a-z_]+)\): .+\n", p.stderr)
            assert m and m.group(2) == want, f"{spec} {name}: want {want}, got {p.stderr!r}"
            assert m.group(1) == "invalid_grant"


def test_fixtures_in_batch_mode(fixture_set, keys):
    spec, fx = fixture_set
    lines = "".join(fx[n] + "\n" for n in EXPECTED)
    p = wif_run("wif-verify", "--batch", "--profile", "mcp-wif", "--iss", ISS, "--aud", AUD,
                "--jwks", keys.jwks_path(spec), "--now", NOW, input=lines)
    assert p.returncode == 1
    got = [json.loads(l).get("reason") for l in p.stdout.splitlines()]
    assert got == list(EXPECTED.values())


def test_fixtures_wrong_in_exactly_one_way(fixture_set):
    spec, fx = fixture_set
    vh, vp, vs = jws_split(fx["valid"])
    assert vp["iss"] == ISS and vp["sub"] == SUB and vp["aud"] == AUD and vp["exp"] - vp["iat"] == 300
    assert vp["iat"] == NOW

    def diff(name):
        parts = fx[name].split(".")
        h, p, _ = jws_split(fx[name] + ("AA" if parts[2] == "" else ""))
        changed = {k for k in set(vp) | set(p) if vp.get(k) != p.get(k)} - {"jti"}
        hchanged = {k for k in set(vh) | set(h) if vh.get(k) != h.get(k)}
        return changed, hchanged, h, p

    assert diff("expired")[:2] == ({"exp", "iat"}, set()) and diff("expired")[3]["exp"] < NOW
    assert diff("not_yet_valid")[:2] == ({"nbf", "exp"}, set())
    assert diff("wrong_audience")[:2] == ({"aud"}, set())
    assert diff("wrong_issuer")[:2] == ({"iss"}, set())
    assert diff("missing_exp")[:2] == ({"exp"}, set()) and "exp" not in diff("missing_exp")[3]
    assert "jti" not in jws_split(fx["missing_jti"])[1]
    assert diff("unknown_kid")[:2] == (set(), {"kid"})
    assert diff("lifetime_too_long")[:2] == ({"exp"}, set())
    assert diff("issued_in_future")[:2] == ({"iat", "exp"}, set())
    # bad_signature: the valid token with one signature bit flipped
    b = fx["bad_signature"].split(".")
    v = fx["valid"].split(".")
    assert b[:2] == v[:2] and b[2] != v[2] and len(b[2]) == len(v[2])
    # alg_none: the valid payload under {"alg":"none"}, empty signature
    n = fx["alg_none"].split(".")
    assert n[1] == v[1] and n[2] == "" and jws_split(fx["alg_none"] + "AA")[0]["alg"] == "none"


def test_fixtures_mcp_conformance(keys, tmp_path):
    for spec in SPECS:
        out = wif_ok("wif-mint", "fixtures", "--format", "mcp-conformance", "-k", keys.path(spec), "--iss", ISS,
                     "--sub", SUB, "--aud", AUD, "--now", NOW)
        ctx = json.loads(out)
        assert list(ctx) == ["client_id", "valid_jwt", "wrong_audience_jwt", "expired_jwt"]
        assert ctx["client_id"] == SUB
        base = ["--profile", "mcp-wif", "--iss", ISS, "--aud", AUD]
        assert reason(keys, ctx["valid_jwt"], *base, spec=spec) is None
        assert reason(keys, ctx["wrong_audience_jwt"], *base, spec=spec) == "bad_audience"
        assert reason(keys, ctx["expired_jwt"], *base, spec=spec) == "expired"
    ctx = json.loads(wif_ok("wif-mint", "fixtures", "--format", "mcp-conformance", "--client-id", "mcp-client-7",
                            "-k", keys.path("ES256"), "--iss", ISS, "--sub", SUB, "--aud", AUD))
    assert ctx["client_id"] == "mcp-client-7"


def test_fixtures_with_alg_kid_and_several_audiences(tmp_path):
    pem = tmp_path / "rsa.pem"
    wif_ok("wif-mint", "key", "--alg", "RS256", "--pem", "--out", pem)          # PEM: no alg, no kid
    fx = json.loads(wif_ok("wif-mint", "fixtures", "-k", pem, "--alg", "PS256", "--kid", "pem-1", "--iss", ISS,
                           "--sub", SUB, "--aud", AUD, "--aud", "https://other", "--now", NOW))
    h, p, _ = jws_split(fx["valid"])
    assert h["alg"] == "PS256" and h["kid"] == "pem-1" and p["aud"] == [AUD, "https://other"]
    assert [k["kid"] for k in fx["jwks"]["keys"]] == ["pem-1"]
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(fx["jwks"]))
    base = ["--profile", "mcp-wif", "--iss", ISS, "--aud", AUD, "--jwks", jwks, "--now", NOW, "--json"]
    for name, want in EXPECTED.items():
        o = json.loads(wif_run("wif-verify", *base, fx[name]).stdout)
        assert o.get("reason") == want, (name, o)


def test_fixtures_errors(keys):
    base = ["fixtures", "-k", keys.path("ES256"), "--iss", ISS, "--sub", SUB]
    assert wif_run("wif-mint", *base).returncode == 2                                 # no --aud
    assert_usage_error(wif_run("wif-mint", *base, "--aud", AUD, "--format", "yaml"), "format")
    assert_usage_error(wif_run("wif-mint", "fixtures", "-k", keys.jwks_path("ES256"), "--iss", ISS, "--sub", SUB,
                               "--aud", AUD))                                         # a public key cannot sign
    assert_usage_error(wif_run("wif-mint", *base, "--aud", AUD, "--now", "yesterday"), "--now")


# ---------------------------------------------------------------------------------------------------------------
# delegation

def test_act_chain_verifies(keys):
    tok = mint(keys, "--iss", ISS, "--sub", "user@example.com", "--aud", AUD, "--act", "svc-c", "--act", "svc-b",
               "--act", "svc-a", "--act-claim", "client_id=ci", "--may-act", '{"sub":"svc-z"}')
    status, claims = verify(keys, tok, "--aud", AUD)
    assert status == 0 and claims["valid"]
    act = jws_split(tok)[1]["act"]
    assert act == {"sub": "svc-c", "act": {"sub": "svc-b", "act": {"sub": "svc-a", "client_id": "ci"}}}
    assert jws_split(tok)[1]["may_act"] == {"sub": "svc-z"}
    p = wif_run("wif-verify", "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--now", NOW, tok)
    assert p.returncode == 0 and json.loads(p.stdout)["act"] == act


def test_max_delegation_depth(keys):
    one = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, "--act", "svc-b")
    two = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, "--act", "svc-b", "--act", "svc-a")
    assert reason(keys, one, "--aud", AUD, "--max-delegation-depth", "1") is None
    assert reason(keys, two, "--aud", AUD, "--max-delegation-depth", "1") == "delegation_too_deep"
    assert reason(keys, two, "--aud", AUD, "--max-delegation-depth", "2") is None
    assert reason(keys, one, "--aud", AUD, "--max-delegation-depth", "0") == "delegation_too_deep"
    none = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD)
    assert reason(keys, none, "--aud", AUD, "--max-delegation-depth", "0") is None
    # the default allows 8 levels
    nine = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, *sum([["--act", f"s{i}"] for i in range(9)], []))
    eight = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, *sum([["--act", f"s{i}"] for i in range(8)], []))
    assert reason(keys, eight, "--aud", AUD) is None
    assert reason(keys, nine, "--aud", AUD) == "delegation_too_deep"
    p = wif_run("wif-verify", "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--now", NOW,
                "--max-delegation-depth", "1", two)
    assert p.returncode == 1 and p.stderr.startswith("wif-verify: invalid_grant (delegation_too_deep): ")
    for bad in ("-1", "33"):
        assert_usage_error(wif_run("wif-verify", "--jwks", keys.jwks_path("ES256"), "--aud", AUD,
                                   "--max-delegation-depth", bad, one), tool="wif-verify")


def test_actor_allow_list(keys):
    tok = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, "--act", "svc-b", "--act", "svc-a")
    assert reason(keys, tok, "--aud", AUD, "--actor", "svc-b") is None
    assert reason(keys, tok, "--aud", AUD, "--actor", "svc-x", "--actor", "svc-b") is None
    assert reason(keys, tok, "--aud", AUD, "--actor", "svc-a") == "actor_rejected"     # only the current actor
    assert reason(keys, tok, "--aud", AUD, "--actor", "SVC-B") == "actor_rejected"     # exact comparison
    plain = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD)
    assert reason(keys, plain, "--aud", AUD, "--actor", "svc-b") == "actor_rejected"   # no act at all
    p = wif_run("wif-verify", "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--now", NOW, "--actor", "svc-a", tok)
    assert p.returncode == 1 and p.stderr.startswith("wif-verify: invalid_grant (actor_rejected): ")


@pytest.mark.parametrize("act", ['"svc-a"', '["svc-a"]', "42", "null", '{"client_id":"x"}', '{"sub":5}',
                                 '{"sub":"a","act":"b"}', '{"sub":"a","act":{"iss":"x"}}', '{"sub":"a","act":[]}'])
def test_bad_delegation(keys, act):
    tok = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, "--claim", f"act={act}")
    assert reason(keys, tok, "--aud", AUD) == "bad_delegation"


def test_may_act_must_be_an_object(keys):
    tok = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, "--claim", 'may_act="admin"')
    assert reason(keys, tok, "--aud", AUD) == "bad_delegation"
    assert_usage_error(wif_run("wif-mint", "-k", keys.path("ES256"), "--may-act", '"admin"'), "--may-act")
    assert_usage_error(wif_run("wif-mint", "-k", keys.path("ES256"), "--may-act", "{"), "--may-act")
    assert_usage_error(wif_run("wif-mint", "-k", keys.path("ES256"), "--act-claim", "x=1"), "--act")


def test_delegation_checked_in_token_requests(keys):
    """The same delegation rules apply to the assertion of a token request."""
    tok = mint(keys, "--iss", ISS, "--sub", "u", "--aud", AUD, "--act", "svc-b", "--act", "svc-a")
    body = wif_ok("wif-mint", "request", tok)
    p = wif_run("wif-verify", "request", "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--now", NOW,
                "--max-delegation-depth", "1", input=body)
    assert p.returncode == 1 and json.loads(p.stdout)["error"] == "invalid_grant"
    assert "(delegation_too_deep)" in p.stderr
    p = wif_run("wif-verify", "request", "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--now", NOW,
                "--actor", "svc-b", input=body)
    assert p.returncode == 0, p.stderr


# ---------------------------------------------------------------------------------------------------------------
# wif-mint request: every grant

@pytest.fixture(scope="module")
def tokens(keys, tmp_path_factory):
    d = tmp_path_factory.mktemp("request-tokens")
    t = {
        "assertion": mint(keys, "--iss", ISS, "--sub", SUB, "--aud", AUD),
        "client": mint(keys, "--iss", "client-1", "--sub", "client-1", "--aud", AUD),
        "subject": mint(keys, "--iss", ISS, "--sub", "alice", "--aud", AUD, "--scope", "files:read files:write"),
        "actor": mint(keys, "--iss", ISS, "--sub", "agent-a", "--aud", AUD),
    }
    for name, tok in t.items():
        (d / f"{name}.jwt").write_text(tok + "\n")
    t["dir"] = d
    return t


def req(*args, input=None):
    return wif_ok("wif-mint", "request", *map(str, args), input=input)


def pairs(body):
    return parse_qsl(body, keep_blank_values=True, strict_parsing=True)


def test_jwt_bearer_body(tokens):
    a = tokens["assertion"]
    body = req(a)
    assert body == f"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={a}"
    assert req(input=a + "\n") == body                                    # stdin, trimmed, no trailing newline
    assert req("--grant", "jwt-bearer", "-", input=a) == body
    full = req("--scope", "mcp:tools mcp:read", "--resource", "https://mcp.example.com/mcp", "--resource",
               "https://b.example/", "--client-id", "cli", "--param", "x=1", "--param", "x=2", a)
    assert pairs(full) == [("grant_type", BEARER), ("assertion", a), ("scope", "mcp:tools mcp:read"),
                           ("resource", "https://mcp.example.com/mcp"), ("resource", "https://b.example/"),
                           ("client_id", "cli"), ("x", "1"), ("x", "2")]
    assert "&scope=mcp%3Atools+mcp%3Aread&resource=https%3A%2F%2Fmcp.example.com%2Fmcp&" in full


def test_form_encoding_rules(tokens):
    a = tokens["assertion"]
    body = req("--param", "we ird=a b&c=d/é*~+%'\"", "--param", "empty=", a)
    tail = body.split("&", 2)[2]
    assert tail == "we+ird=a+b%26c%3Dd%2F%C3%A9*%7E%2B%25%27%22&empty="
    assert pairs(body)[2:] == [("we ird", "a b&c=d/é*~+%'\""), ("empty", "")]
    # only A-Z a-z 0-9 - . _ * stay; space is +; everything else %XX upper-case
    raw = "".join(chr(c) for c in range(0x20, 0x7F))
    enc = req("--param", f"p={raw}", a).split("&p=", 1)[1]
    assert re.fullmatch(r"(?:[A-Za-z0-9._*+-]|%[0-9A-F]{2})+", enc)
    assert pairs("p=" + enc) == [("p", raw)]


def test_client_credentials_body(tokens):
    c = tokens["client"]
    f = tokens["dir"] / "client.jwt"
    body = req("--grant", "client-credentials", "--client-assertion", f, "--scope", "s1", "--client-id", "client-1")
    assert pairs(body) == [("grant_type", "client_credentials"), ("client_assertion_type", CLIENT_TYPE),
                           ("client_assertion", c), ("scope", "s1"), ("client_id", "client-1")]
    assert req("--grant", "client-credentials", "--client-assertion", "-", "--scope", "s1", "--client-id",
               "client-1", input=c) == body
    # a client assertion goes with a jwt-bearer grant too (RFC 7523 §2.2 with §2.1)
    both = req("--client-assertion", f, tokens["assertion"])
    assert [n for n, _ in pairs(both)] == ["grant_type", "assertion", "client_assertion_type", "client_assertion"]


def test_token_exchange_body(tokens):
    d = tokens["dir"]
    body = req("--grant", "token-exchange", "--subject-token", d / "subject.jwt")
    assert pairs(body) == [("grant_type", EXCHANGE), ("subject_token", tokens["subject"]),
                           ("subject_token_type", JWT_TYPE)]
    full = req("--grant", "token-exchange", "--subject-token", d / "subject.jwt", "--subject-token-type",
               "urn:ietf:params:oauth:token-type:id_token", "--actor-token", d / "actor.jwt", "--actor-token-type",
               "urn:example:actor", "--requested-token-type", ACCESS_TYPE, "--audience", "svc-1", "--audience",
               "svc-2", "--scope", "files:read", "--resource", "https://files.example", "--client-id", "agent-a",
               "--client-assertion", d / "client.jwt", "--param", "extra=1")
    assert pairs(full) == [
        ("grant_type", EXCHANGE), ("subject_token", tokens["subject"]),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:id_token"), ("actor_token", tokens["actor"]),
        ("actor_token_type", "urn:example:actor"), ("requested_token_type", ACCESS_TYPE),
        ("client_assertion_type", CLIENT_TYPE), ("client_assertion", tokens["client"]), ("audience", "svc-1"),
        ("audience", "svc-2"), ("scope", "files:read"), ("resource", "https://files.example"),
        ("client_id", "agent-a"), ("extra", "1")]
    assert pairs(req("--grant", "token-exchange", "--subject-token", "-", "--actor-token", d / "actor.jwt",
                     input=tokens["subject"]))[3:] == [("actor_token", tokens["actor"]), ("actor_token_type", JWT_TYPE)]


def test_request_json(tokens):
    d = tokens["dir"]
    out = req("--grant", "token-exchange", "--subject-token", d / "subject.jwt", "--audience", "a1", "--audience",
              "a2", "--resource", "r1", "--scope", "s", "--json")
    assert out.endswith("}\n")
    o = json.loads(out, object_pairs_hook=lambda p: p)
    assert o == [("grant_type", EXCHANGE), ("subject_token", tokens["subject"]), ("subject_token_type", JWT_TYPE),
                 ("audience", ["a1", "a2"]), ("scope", "s"), ("resource", "r1")]
    o = json.loads(req("--json", "--param", "k=v é", tokens["assertion"]))
    assert o == {"grant_type": BEARER, "assertion": tokens["assertion"], "k": "v é"}


def test_request_curl(tokens, tmp_path):
    a = tokens["assertion"]
    url = "https://as.example/token?x='y$z'&q=1;`x`"  # shell metacharacters; a space is refused (not a URI)
    line = req("--curl", url, "--scope", "a b", "--param", "q=it's", a)
    assert line.endswith("\n") and line.count("\n") == 1
    assert line.startswith("curl -sS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary '")
    body = req("--scope", "a b", "--param", "q=it's", a)
    assert f"--data-binary '{body}' " in line
    r = subprocess.run(["bash", "-n"], input=line, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # run it with a curl stand-in that prints its arguments: the body and URL arrive exactly
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "curl").write_text('#!/usr/bin/env python3\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n')
    (fake / "curl").chmod(0o755)
    r = subprocess.run(["bash", "-c", line], capture_output=True, text=True,
                       env=dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == ["-sS", "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded",
                                    "--data-binary", body, url]
    assert_usage_error(wif_run("wif-mint", "request", "--curl", "https://as.example/token?x=y z", a),
                       "space or a control character")
    simple = req("--curl", "https://as.example/token", a)
    assert simple.rstrip("\n").endswith("' https://as.example/token")
    r = subprocess.run(["bash", "-n"], input=simple, capture_output=True, text=True)
    assert r.returncode == 0


@pytest.mark.parametrize("args,needle", [
    (["--grant", "password", "A.B.C"], "grant"),
    (["--grant", "client-credentials"], "--client-assertion"),
    (["--grant", "token-exchange"], "--subject-token"),
    (["--grant", "token-exchange", "--subject-token", "{d}/subject.jwt", "--actor-token-type", "x"], "--actor-token"),
    (["--grant", "client-credentials", "--client-assertion", "{d}/client.jwt", "A.B.C"], "assertion"),
    (["--subject-token", "{d}/subject.jwt", "A.B.C"], "token-exchange"),
    (["--audience", "x", "A.B.C"], "token-exchange"),
    (["--requested-token-type", "x", "A.B.C"], "token-exchange"),
    (["--json", "--curl", "https://x", "A.B.C"], "--json"),
    (["--client-assertion", "-"], "standard input"),
    (["--grant", "token-exchange", "--subject-token", "-", "--actor-token", "-"], "standard input"),
    (["--param", "novalue", "A.B.C"], "--param"),
    (["--grant", "token-exchange", "--subject-token", "{d}/missing.jwt"], "missing.jwt"),
    (["--grant", "token-exchange", "--subject-token", "{d}/empty.jwt"], "empty"),
    (["--grant", "client-credentials", "--client-assertion", "{d}/binary.jwt"], "UTF-8"),
])
def test_request_errors(tokens, args, needle):
    d = tokens["dir"]
    (d / "empty.jwt").write_text("\n")
    (d / "binary.jwt").write_bytes(b"\xff\xfe\x00")
    args = [a.replace("{d}", str(d)) for a in args]
    assert_usage_error(wif_run("wif-mint", "request", *args, input=""), needle)


def test_request_empty_stdin_assertion():
    assert_usage_error(wif_run("wif-mint", "request", input=""), "empty")


# ---------------------------------------------------------------------------------------------------------------
# wif-verify request accepts what wif-mint request builds

def endpoint(keys, body, *args):
    p = wif_run("wif-verify", "request", "--jwks", keys.jwks_path("ES256"), "--aud", AUD, "--now", NOW, *args,
                input=body)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout), p.stderr


def test_verify_request_jwt_bearer(keys, tokens):
    status, o, err = endpoint(keys, req("--scope", "mcp:tools", "--resource", "https://mcp.example.com/mcp",
                                        tokens["assertion"]))
    assert status == 0 and err == "" and o["token_type"] == "Bearer" and o["scope"] == "mcp:tools"


def test_verify_request_client_credentials(keys, tokens):
    body = req("--grant", "client-credentials", "--client-assertion", tokens["dir"] / "client.jwt", "--scope", "s1",
               "--client-id", "client-1")
    status, o, err = endpoint(keys, body, "--allow-grant", "client_credentials")
    assert status == 0, err
    assert set(o) == {"access_token", "token_type", "expires_in", "scope"} and o["scope"] == "s1"
    status, o, err = endpoint(keys, body)
    assert status == 1 and o["error"] == "unsupported_grant_type"


def test_verify_request_token_exchange(keys, tokens):
    d = tokens["dir"]
    body = req("--grant", "token-exchange", "--subject-token", d / "subject.jwt", "--actor-token", d / "actor.jwt",
               "--requested-token-type", JWT_TYPE, "--scope", "files:read", "--audience", "files")
    # A JWT is issued only when it can be signed: without --issuer-key an opaque token is no JWT.
    status, o, err = endpoint(keys, body, "--allow-grant", EXCHANGE)
    assert status == 1 and o["error"] == "invalid_request" and "issuer-key" in err, err
    status, o, err = endpoint(keys, body, "--allow-grant", EXCHANGE, "--issuer-key", keys.path("EdDSA"))
    assert status == 0, err
    assert o["issued_token_type"] == JWT_TYPE and o["scope"] == "files:read" and o["token_type"] == "N_A"
    assert jws_split(o["access_token"])[0]["typ"] == "JWT"
    status, o, _ = endpoint(keys, req("--grant", "token-exchange", "--subject-token", d / "subject.jwt"),
                            "--allow-grant", EXCHANGE)
    assert status == 0 and o["issued_token_type"] == ACCESS_TYPE
    status, o, _ = endpoint(keys, body)
    assert status == 1 and o["error"] == "unsupported_grant_type"


def test_verify_request_issues_jwt_with_the_chain(keys, tokens, tmp_path):
    """With --issuer-key the access token is an RFC 9068 JWT that carries the subject token's act."""
    chained = mint(keys, "--iss", ISS, "--sub", "alice", "--aud", AUD, "--act", "agent-a", "--scope", "files:read")
    (tmp_path / "s.jwt").write_text(chained)
    body = req("--grant", "token-exchange", "--subject-token", tmp_path / "s.jwt", "--resource", "https://files")
    status, o, err = endpoint(keys, body, "--allow-grant", EXCHANGE, "--issuer-key", keys.path("EdDSA"))
    assert status == 0, err
    h, p, _ = jws_split(o["access_token"])
    assert h["typ"] == "at+jwt" and p["sub"] == "alice" and p["act"] == {"sub": "agent-a"}
    assert p["aud"] == "https://files"


@pytest.mark.parametrize("make,oauth,why", [
    (lambda k: mint(k, "--iss", "client-1", "--sub", "client-1", "--aud", "https://wrong"), "invalid_client",
     "bad_audience"),
    (lambda k: mint(k, "--iss", "client-1", "--sub", "client-1", "--aud", AUD, spec="stranger"), "invalid_client",
     "unknown_kid"),
    (lambda k: mint(k, "--iss", "client-1", "--sub", "other", "--aud", AUD), "invalid_client", "bad_subject"),
    (lambda k: mint(k, "--iss", "client-1", "--sub", "client-1", "--aud", AUD, "--exp", "-10m", "--iat", "-20m"),
     "invalid_client", "expired"),
])
def test_verify_request_bad_client_assertion(keys, tmp_path, make, oauth, why):
    f = tmp_path / "ca.jwt"
    f.write_text(make(keys))
    body = req("--grant", "client-credentials", "--client-assertion", f)
    status, o, err = endpoint(keys, body, "--allow-grant", "client_credentials")
    assert status == 1 and o["error"] == oauth, o
    assert err.startswith(f"wif-verify: {oauth} ({why}): client_assertion: "), err


def test_verify_request_client_id_must_match(keys, tokens):
    body = req("--grant", "client-credentials", "--client-assertion", tokens["dir"] / "client.jwt", "--client-id",
               "someone-else")
    status, o, err = endpoint(keys, body, "--allow-grant", "client_credentials")
    assert status == 1 and o["error"] == "invalid_client" and "(bad_client_assertion)" in err


@pytest.mark.parametrize("which", ["subject", "actor"])
def test_verify_request_bad_exchange_tokens(keys, tokens, tmp_path, which):
    bad = tmp_path / "bad.jwt"
    bad.write_text(mint(keys, "--iss", ISS, "--sub", "x", "--aud", AUD, "--exp", "-10m", "--iat", "-20m"))
    d = tokens["dir"]
    subject = bad if which == "subject" else d / "subject.jwt"
    actor = bad if which == "actor" else d / "actor.jwt"
    body = req("--grant", "token-exchange", "--subject-token", subject, "--actor-token", actor)
    status, o, err = endpoint(keys, body, "--allow-grant", EXCHANGE)
    assert status == 1 and o["error"] == "invalid_request", o
    assert err.startswith(f"wif-verify: invalid_request (expired): {which}_token: "), err


def test_verify_request_bad_subject_signature(keys, tokens, tmp_path):
    t = tokens["subject"].split(".")
    sig = bytearray(t[2].encode())
    sig[5] = ord("A") if sig[5] != ord("A") else ord("B")
    (tmp_path / "s.jwt").write_text(".".join(t[:2] + [sig.decode()]))
    body = req("--grant", "token-exchange", "--subject-token", tmp_path / "s.jwt")
    status, o, err = endpoint(keys, body, "--allow-grant", EXCHANGE)
    assert status == 1 and o["error"] == "invalid_request" and "subject_token" in err


def test_scope_narrowing_along_a_chain(keys, tokens, tmp_path):
    """Each hop may ask only for scopes the token it presents carries (the man page's worked example)."""
    d = tokens["dir"]
    hop1 = req("--grant", "token-exchange", "--subject-token", d / "subject.jwt", "--actor-token", d / "actor.jwt",
               "--scope", "files:read")
    allow = ["--allow-grant", EXCHANGE, "--allow-scope", "files:read", "--allow-scope", "files:write"]
    assert endpoint(keys, hop1, *allow)[0] == 0
    hop1_token = tmp_path / "hop1.jwt"
    hop1_token.write_text(mint(keys, "--iss", ISS, "--sub", "alice", "--aud", AUD, "--act", "agent-a",
                               "--scope", "files:read"))
    allow2 = ["--allow-grant", EXCHANGE, "--allow-scope", "files:read"]
    ok = req("--grant", "token-exchange", "--subject-token", hop1_token, "--actor-token", d / "actor.jwt",
             "--scope", "files:read")
    assert endpoint(keys, ok, *allow2)[0] == 0
    wider = req("--grant", "token-exchange", "--subject-token", hop1_token, "--actor-token", d / "actor.jwt",
                "--scope", "files:read files:write")
    status, o, err = endpoint(keys, wider, *allow2)
    assert status == 1 and o["error"] == "invalid_scope" and "(scope_not_allowed)" in err
