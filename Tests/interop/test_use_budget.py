# SPDX-License-Identifier: Apache-2.0
"""Use budgets (issue 16 item 5): `wif-mint token --max-uses N` writes the claim `wif_max_uses` (wif(7)), and a
verifier with a replay cache accepts the token at most N times, exactly, under concurrent processes:
`wif-verify` (one token and --batch), `wif-verify request` (a file cache) and `serve` (its cache in memory,
concurrent HTTP requests). Exhausted is `use_budget_exhausted`; a token with a budget and no cache is not judged
(exit 2, `use_budget_needs_cache`); the cache file keeps its version-1 lines for tokens without a budget.
"""
import base64
import http.client
import json
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from conftest import (VERIFY_AUD, VERIFY_ISS, VERIFY_NOW, VERIFY_SUB, assert_usage_error, verify_assert_rejected,
                      verify_assert_valid, wif_binary, wif_ok, wif_run)

NOW = VERIFY_NOW
AS = "https://as.example"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PROCESSES = 20
BUDGET = 5


def mint(keys, *args, aud=VERIFY_AUD, now=NOW):
    extra = ["--now", str(now)] if now is not None else []
    return wif_ok("wif-mint", "token", "-k", keys.private["ES256"], "--iss", VERIFY_ISS, "--sub", VERIFY_SUB,
                  "--aud", aud, *extra, *map(str, args)).strip()


def payload(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def verify_cmd(keys, *args):
    return [str(wif_binary("wif-verify")), "--jwks", str(keys.public["ES256"]), "--aud", VERIFY_AUD,
            "--now", str(NOW), *map(str, args)]


def run_at_once(cmds, inputs=None):
    """Starts every command before waiting for any; returns [(exit status, stdout, stderr)]."""
    procs = [subprocess.Popen(c, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for c in cmds]
    out = []
    for i, p in enumerate(procs):
        o, e = p.communicate(input=(inputs[i] if inputs else b""), timeout=120)
        out.append((p.returncode, o.decode(), e.decode()))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Minting

def test_mint_writes_the_claim(verify_keys):
    assert payload(mint(verify_keys, "--max-uses", 5))["wif_max_uses"] == 5
    assert payload(mint(verify_keys, "--max-uses", 1000000))["wif_max_uses"] == 1000000
    assert "wif_max_uses" not in payload(mint(verify_keys))


@pytest.mark.parametrize("bad", ["0", "05", "+5", "-1", "1000001", "99999999999999999999", "5.0", "1e3", "five",
                                 "", " 5", "0x5", "٥"])
def test_mint_max_uses_strict(bad, verify_keys):
    p = wif_run("wif-mint", "token", "-k", verify_keys.private["ES256"], "--aud", VERIFY_AUD, f"--max-uses={bad}")
    assert_usage_error(p, "--max-uses")


def test_mint_max_uses_needs_exp(verify_keys):
    p = wif_run("wif-mint", "token", "-k", verify_keys.private["ES256"], "--max-uses", "2", "--no-exp")
    assert_usage_error(p, "--no-exp")


# ---------------------------------------------------------------------------------------------------------------
# wif-verify with a replay cache file

def test_twenty_processes_budget_five_exactly_five_accepted(verify_keys, tmp_path):
    cache = tmp_path / "uses.cache"
    token = mint(verify_keys, "--max-uses", BUDGET)
    results = run_at_once([verify_cmd(verify_keys, "--replay-cache", cache, "--json", token)
                           for _ in range(PROCESSES)])
    codes = sorted(rc for rc, _, _ in results)
    assert codes == [0] * BUDGET + [1] * (PROCESSES - BUDGET), results
    for rc, out, err in results:
        assert err == ""
        o = json.loads(out)
        assert o["valid"] is (rc == 0)
        if rc == 1:
            assert o["reason"] == "use_budget_exhausted" and o["error"] == "invalid_grant", o
    # one entry, five uses spent, a version-2 line
    lines = cache.read_text().splitlines()
    assert len(lines) == 1 and lines[0].split(" ")[2] == str(BUDGET), lines
    verify_assert_rejected(subprocess.run(verify_cmd(verify_keys, "--replay-cache", cache, token),
                                          capture_output=True, text=True), "use_budget_exhausted")


def test_without_claim_is_plain_jti_replay(verify_keys, tmp_path):
    cache = tmp_path / "plain.cache"
    token = mint(verify_keys)
    results = run_at_once([verify_cmd(verify_keys, "--replay-cache", cache, token) for _ in range(6)])
    assert sorted(rc for rc, _, _ in results) == [0] + [1] * 5, results
    assert all("(replayed_jti)" in e for rc, _, e in results if rc == 1), results
    # a version-1 file: two fields a line, as older wif reads it
    assert [len(line.split(" ")) for line in cache.read_text().splitlines()] == [2]


def test_batch_spends_uses(verify_keys, tmp_path):
    cache = tmp_path / "batch.cache"
    three = mint(verify_keys, "--max-uses", 3)
    plain = mint(verify_keys)
    data = "\n".join([three] * 5 + [plain, plain, three]) + "\n"
    p = subprocess.run(verify_cmd(verify_keys, "--batch", "--replay-cache", cache), input=data.encode(),
                       capture_output=True, timeout=60)
    assert p.returncode == 1, p.stderr
    got = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert [o["valid"] for o in got] == [True, True, True, False, False, True, False, False], got
    assert [o.get("reason") for o in got if not o["valid"]] == ["use_budget_exhausted", "use_budget_exhausted",
                                                                "replayed_jti", "use_budget_exhausted"], got
    # a second batch process shares the count
    p = subprocess.run(verify_cmd(verify_keys, "--batch", "--replay-cache", cache), input=(three + "\n").encode(),
                       capture_output=True, timeout=60)
    assert p.returncode == 1 and json.loads(p.stdout)["reason"] == "use_budget_exhausted"


def test_budget_without_replay_cache_is_not_judged(verify_keys):
    token = mint(verify_keys, "--max-uses", 2)
    p = subprocess.run(verify_cmd(verify_keys, token), capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == "", p
    assert "replay cache" in p.stderr and "wif_max_uses" in p.stderr, p.stderr
    p = subprocess.run(verify_cmd(verify_keys, "--json", token), capture_output=True, text=True)
    assert p.returncode == 2, p
    p = subprocess.run(verify_cmd(verify_keys, "--batch"), input=token + "\n", capture_output=True, text=True)
    assert p.returncode == 2, p


def test_bad_claim_is_rejected_with_or_without_cache(verify_keys, tmp_path):
    for bad in ["0", "-3", "2.5", '"4"', "1000001", "[1]"]:
        token = mint(verify_keys, "--claim", f"wif_max_uses={bad}")
        verify_assert_rejected(subprocess.run(verify_cmd(verify_keys, token), capture_output=True, text=True),
                               "bad_use_budget")
        verify_assert_rejected(subprocess.run(verify_cmd(verify_keys, "--replay-cache", tmp_path / "c", token),
                                              capture_output=True, text=True), "bad_use_budget")
    assert not (tmp_path / "c").exists(), "a rejected token never enters the cache"


def test_version_1_cache_file_still_reads(verify_keys, tmp_path):
    """A cache written before use budgets (two fields a line) is read as is; its plain entries keep their bytes."""
    cache = tmp_path / "old.cache"
    plain = mint(verify_keys)
    verify_assert_valid(subprocess.run(verify_cmd(verify_keys, "--replay-cache", cache, plain),
                                       capture_output=True, text=True))
    v1 = cache.read_text()
    assert len(v1.split(" ")) == 2
    twice = mint(verify_keys, "--max-uses", 2)
    for _ in range(2):
        verify_assert_valid(subprocess.run(verify_cmd(verify_keys, "--replay-cache", cache, twice),
                                           capture_output=True, text=True))
    lines = cache.read_text().splitlines()
    assert v1.rstrip("\n") in lines and sorted(len(x.split(" ")) for x in lines) == [2, 3], lines
    verify_assert_rejected(subprocess.run(verify_cmd(verify_keys, "--replay-cache", cache, plain),
                                          capture_output=True, text=True), "replayed_jti")


@pytest.mark.parametrize("line", ["{exp} {h} 1", "{exp} {h} 0", "{exp} {h} 007", "{exp} {h} 1000001",
                                  "{exp} {h} 2 x", "{exp} {h}  2"])
def test_damaged_use_count_makes_the_cache_unusable(line, verify_keys, tmp_path):
    cache = tmp_path / "bad.cache"
    cache.write_text(line.format(exp=NOW + 600, h="47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU") + "\n")
    cache.chmod(0o600)
    p = subprocess.run(verify_cmd(verify_keys, "--replay-cache", cache, mint(verify_keys)), capture_output=True,
                       text=True)
    assert p.returncode == 2 and "line 1" in p.stderr and "unusable" in p.stderr, p


# ---------------------------------------------------------------------------------------------------------------
# wif-verify request: the assertion's budget in a file cache

def request_cmd(keys, cache):
    cmd = [str(wif_binary("wif-verify")), "request", "--profile", "mcp-wif", "--jwks", str(keys.public["ES256"]),
           "--aud", AS + "/", "--now", str(NOW)]
    return cmd + (["--replay-cache", str(cache)] if cache else [])


def test_request_twenty_processes_budget_five(verify_keys, tmp_path):
    cache = tmp_path / "request.cache"
    body = wif_ok("wif-mint", "request", mint(verify_keys, "--max-uses", BUDGET, aud=AS)).encode()
    results = run_at_once([request_cmd(verify_keys, cache) for _ in range(PROCESSES)], [body] * PROCESSES)
    codes = sorted(rc for rc, _, _ in results)
    assert codes == [0] * BUDGET + [1] * (PROCESSES - BUDGET), results
    for rc, out, err in results:
        o = json.loads(out)
        if rc == 0:
            assert o["token_type"] == "Bearer" and o["access_token"], o
        else:
            assert o["error"] == "invalid_grant" and o["error_description"].startswith("use_budget_exhausted: "), o


def test_request_without_cache_is_not_judged(verify_keys):
    body = wif_ok("wif-mint", "request", mint(verify_keys, "--max-uses", 3, aud=AS)).encode()
    (rc, out, err), = run_at_once([request_cmd(verify_keys, None)], [body])
    assert rc == 2 and "replay cache" in err, (rc, out, err)


# ---------------------------------------------------------------------------------------------------------------
# serve: the in-memory cache, concurrent HTTP requests

SERVE_ISS = "https://wif-idp.budget.local"


@pytest.fixture
def server(tmp_path):
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "idp-1", "--out", tmp_path / "idp.jwk")
    (tmp_path / "idp.jwks").write_text(wif_ok("wif-mint", "jwks", tmp_path / "idp.jwk"))
    proc = subprocess.Popen([str(wif_binary("wif-verify")), "serve", "--timeout", "60", "--jwks",
                             str(tmp_path / "idp.jwks"), "--iss", SERVE_ISS], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    url = proc.stdout.readline().decode().rstrip("\n")
    assert url, proc.stderr.read()
    yield tmp_path, url
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0, proc.stderr.read()


def post_token(url, assertion):
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        c.request("POST", "/token", urlencode({"grant_type": JWT_BEARER, "assertion": assertion}),
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def test_serve_concurrent_requests_exactly_budget_200s(server):
    keydir, url = server
    assertion = wif_ok("wif-mint", "token", "--key", keydir / "idp.jwk", "--iss", SERVE_ISS, "--sub",
                       "budget:workload", "--aud", url, "--max-uses", BUDGET).strip()
    start = threading.Barrier(PROCESSES)

    def one(_):
        start.wait()
        return post_token(url, assertion)

    with ThreadPoolExecutor(PROCESSES) as pool:
        results = list(pool.map(one, range(PROCESSES)))
    statuses = sorted(st for st, _ in results)
    assert statuses == [200] * BUDGET + [400] * (PROCESSES - BUDGET), results
    for st, body in results:
        if st == 400:
            assert body["error"] == "invalid_grant" and body["error_description"].startswith("use_budget_exhausted"), body
    # a plain assertion is still one-time
    plain = wif_ok("wif-mint", "token", "--key", keydir / "idp.jwk", "--iss", SERVE_ISS, "--sub", "budget:workload",
                   "--aud", url).strip()
    assert post_token(url, plain)[0] == 200
    st, body = post_token(url, plain)
    assert st == 400 and body["error_description"].startswith("replayed_jti"), body
