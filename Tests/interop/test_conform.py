# SPDX-License-Identifier: Apache-2.0
"""`wif-verify conform` (issue 14): the built binary runs the clients of Tests/conform through the SEP-1933 runs.

The good clients (urllib, curl/sh, Authlib, the MCP Python SDK) must pass every check; each broken client must fail
exactly the check it breaks (the suite's WARNING checks fail with --strict). The expected check ids and statuses
come from the issue and the MCP conformance suite's auth/wif-jwt-bearer scenario, not from running wif.
"""
import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO_ROOT, assert_usage_error, wif_binary, wif_ok

CLIENTS = REPO_ROOT / "Tests" / "conform"
RUNS = ["positive", "expired", "wrong-audience", "unauthorized-subject", "replayed-jti", "invalid-scope",
        "invalid-request", "unauthorized-client"]
POSITIVE = ["wif-grant-type", "wif-assertion-verified", "mcp-authorized", "wif-no-retry", "wif-grant-fallback",
            "client-exit", "client-timeout"]
NEGATIVE = ["wif-grant-type", "token-error", "wif-no-retry", "wif-grant-fallback", "mcp-unauthorized", "client-exit",
            "client-timeout", "error-surfaced"]
PY = sys.executable


def conform(*args, timeout=120):
    return subprocess.run([str(wif_binary("wif-verify")), "conform", *map(str, args)], capture_output=True, text=True,
                          cwd=CLIENTS, timeout=timeout)


def conform_json(*args):
    p = conform(*args, "--json")
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


def not_success(report):
    """{(run, check id): status} of every judged check that is not SUCCESS."""
    return {(r["name"], c["id"]): c["status"] for r in report["runs"] for c in r["checks"]
            if c["status"] not in ("SUCCESS", "SKIPPED")}


@pytest.mark.parametrize("client,prefix", [(f"{PY} good_client.py", "client: "), ("sh curl_client.sh", "curl-client: "),
                                           (f"{PY} authlib_client.py", "authlib-client: ")])
def test_good_clients_pass_every_check(client, prefix):
    rc, report = conform_json("--command", client)
    assert rc == 0 and report["passed"] is True, not_success(report)
    assert [r["name"] for r in report["runs"]] == RUNS
    for r in report["runs"]:
        # Each refusal is reported by the client itself, not by a traceback.
        assert (r["stderr_last_line"] or prefix).startswith(prefix), r["stderr_last_line"]
        assert [c["id"] for c in r["checks"]] == (POSITIVE if r["name"] == "positive" else NEGATIVE)
        assert all(c["status"] == "SUCCESS" for c in r["checks"]), r
    assert report["counts"] == {"SUCCESS": 63, "FAILURE": 0, "WARNING": 0, "SKIPPED": 0}


def test_text_table_of_the_good_client():
    p = conform("--command", f"{PY} good_client.py", "--check", "positive", "--check", "invalid-scope")
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[1].split() == ["RUN", "CHECK", "STATUS", "EVIDENCE"]
    rows = [l.split()[:3] for l in lines[2:-1]]
    assert ["positive", "mcp-authorized", "SUCCESS"] in rows
    assert ["invalid-scope", "error-surfaced", "SUCCESS"] in rows
    assert ["expired", "token-error", "SKIPPED"] in rows
    assert lines[-1].startswith("15 checks in 2 runs: 15 SUCCESS, 0 WARNING, 0 FAILURE, 48 SKIPPED") and "PASS" in lines[-1]


def test_mcp_python_sdk_identity_assertion_provider():
    """The SDK's IdentityAssertionOAuthProvider sends the jwt-bearer grant (with a client_secret it insists on)."""
    pytest.importorskip("mcp.client.auth.extensions.identity_assertion")
    rc, report = conform_json("--command", f"{PY} mcp_sdk_client.py", "--check", "positive", "--check", "invalid-scope")
    assert rc == 0, not_success(report)


def test_mcp_python_sdk_private_key_jwt_provider_is_not_the_jwt_bearer_grant():
    """The SDK's PrivateKeyJWTOAuthProvider, documented for a pre-built workload identity JWT, sends it as a
    client_credentials client assertion: not SEP-1933's jwt-bearer grant, so wif-grant-type fails."""
    pytest.importorskip("mcp.client.auth.extensions.client_credentials")
    rc, report = conform_json("--command", f"{PY} mcp_sdk_client.py private-key-jwt", "--check", "positive")
    assert rc == 1
    failed = {k[1] for k, v in not_success(report).items() if v == "FAILURE"}
    assert failed == {"wif-grant-type", "wif-assertion-verified", "mcp-authorized", "client-exit"}
    assert "client_credentials" in report["runs"][0]["checks"][0]["detail"]


@pytest.mark.parametrize("mode,run,extra,failed", [
    ("retry", "expired", ["--strict"], {"wif-no-retry"}),
    ("fallback", "unauthorized-client", ["--strict"], {"wif-grant-fallback"}),
    ("exit0", "invalid-request", [], {"client-exit"}),
    ("hang", "replayed-jti", ["--timeout", "1s"], {"client-timeout"}),
    ("no-assertion", "positive", [], {"wif-assertion-verified", "mcp-authorized", "client-exit"}),
    ("wrong-param", "expired", [], {"token-error"}),
    ("wrong-param", "positive", [], {"wif-assertion-verified", "mcp-authorized", "client-exit"}),
])
def test_each_broken_client_fails_its_check(mode, run, extra, failed):
    started = time.monotonic()
    rc, report = conform_json("--command", f"{PY} bad_client.py {mode}", "--check", run, *extra)
    assert rc == 1 and report["passed"] is False
    assert {k for k, v in not_success(report).items() if v == "FAILURE"} == {(run, c) for c in failed}
    if mode == "hang":
        assert time.monotonic() - started < 5
        r = next(r for r in report["runs"] if r["name"] == run)
        assert r["timed_out"] is True and r["signal"] == signal.SIGTERM
        assert {c["id"]: c["status"] for c in r["checks"]}["client-exit"] == "SKIPPED"


@pytest.mark.parametrize("mode,run,check", [("retry", "invalid-scope", "wif-no-retry"),
                                            ("fallback", "expired", "wif-grant-fallback")])
def test_suite_warnings_stay_warnings_without_strict(mode, run, check):
    rc, report = conform_json("--command", f"{PY} bad_client.py {mode}", "--check", run)
    assert rc == 0 and report["passed"] is True
    assert not_success(report) == {(run, check): "WARNING"}


def test_error_surfaced_is_a_warning_only():
    script = "import sys; print('token failed', file=sys.stderr); sys.exit(3)"
    rc, report = conform_json("--command", f"{PY} -c \"{script}\"", "--check", "error-surfaced")
    # The client makes no request: the other checks are SKIPPED, error-surfaced warns in each negative run.
    assert rc == 0
    assert set(not_success(report).values()) == {"WARNING"}
    assert {k[1] for k in not_success(report)} == {"error-surfaced"} and len(not_success(report)) == 7


def test_check_filter_by_check_id_judges_only_that_check():
    rc, report = conform_json("--command", "sh curl_client.sh", "--check", "mcp-unauthorized")
    assert rc == 0
    made = [r["name"] for r in report["runs"] if r["made"]]
    assert made == RUNS[1:]
    assert report["counts"]["SUCCESS"] == 7 and report["counts"]["SKIPPED"] == 56
    assert "requests" not in report["runs"][0]


def test_keep_dir_holds_each_runs_record(tmp_path):
    keep = tmp_path / "runs"
    p = conform("--command", f"{PY} good_client.py", "--check", "positive", "--check", "expired", "--keep", keep)
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(keep)) == ["expired", "positive"]
    for run in ["positive", "expired"]:
        assert sorted(os.listdir(keep / run)) == ["client.stderr", "client.stdout", "context.json", "server.log"]
    events = [json.loads(l) for l in (keep / "positive" / "server.log").read_text().splitlines()]
    assert [e["path"] for e in events if "path" in e][:4] == [
        "/mcp", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server", "/token"]
    assert "summary" in events[-1]
    assert json.loads((keep / "positive" / "client.stdout").read_text())["sub"] == "conformance-workload"
    assert "invalid_grant" in (keep / "expired" / "client.stderr").read_text()


def claims(jwt):
    header, payload = [json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))) for s in jwt.split(".")[:2]]
    return header, payload


def test_context_and_environment_as_the_suite_gives_them(tmp_path):
    """The client gets the suite's environment and context; the assertions follow createWorkloadJwt's defaults."""
    dump = tmp_path / "env.json"
    script = (f"import json, os, sys; json.dump({{'argv': sys.argv[1:], 'env': dict(os.environ)}}, open({str(dump)!r}, 'w'))")
    p = conform("--command", f"{PY} -c \"{script}\" extra-arg", "--check", "positive")
    assert p.returncode == 1  # it makes no request
    got = json.loads(dump.read_text())
    url = got["argv"][-1]
    assert got["argv"][0] == "extra-arg" and url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
    assert got["env"]["MCP_CONFORMANCE_SCENARIO"] == "auth/wif-jwt-bearer"
    ctx = json.loads(got["env"]["MCP_CONFORMANCE_CONTEXT"])
    assert sorted(ctx) == ["client_id", "expired_jwt", "name", "valid_jwt", "wrong_audience_jwt"]
    assert ctx["name"] == "auth/wif-jwt-bearer" and ctx["client_id"] == "conformance-wif-workload"
    base = url[: -len("/mcp")]
    h, c = claims(ctx["valid_jwt"])
    assert h["alg"] == "ES256"
    assert c["iss"] == "https://idp.conformance-test.local" and c["sub"] == "conformance-workload"
    assert c["aud"] == base and c["exp"] - c["iat"] == 300 and len(c["jti"]) >= 16
    assert abs(c["iat"] - time.time()) < 30
    assert claims(ctx["wrong_audience_jwt"])[1]["aud"] == "https://wrong.example"
    e = claims(ctx["expired_jwt"])[1]
    assert e["aud"] == base and e["exp"] < time.time() - 30


PROBE = """
import json, sys, urllib.request, urllib.error
url = sys.argv[-1]; base = url[:-len("/mcp")]; out = {}
try:
    urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=5)
except urllib.error.HTTPError as e:
    out["challenge"] = e.headers["WWW-Authenticate"]
for doc in ["oauth-authorization-server", "openid-configuration", "oauth-protected-resource/mcp"]:
    out[doc] = json.load(urllib.request.urlopen(base + "/.well-known/" + doc, timeout=5))
json.dump(out, open(sys.argv[1], "w"))
"""


@pytest.mark.parametrize("run,scopes", [("invalid-scope", ["mcp:tools"]), ("expired", None)])
def test_invalid_scope_run_advertises_its_scope(tmp_path, run, scopes):
    (tmp_path / "probe.py").write_text(PROBE)
    seen = tmp_path / "seen.json"
    p = conform("--command", f"{PY} {tmp_path / 'probe.py'} {seen}", "--check", run)
    assert p.returncode == 1  # it never asks for a token
    got = json.loads(seen.read_text())
    for doc in ["oauth-authorization-server", "openid-configuration", "oauth-protected-resource/mcp"]:
        assert got[doc].get("scopes_supported") == scopes, doc
    assert ('scope="mcp:tools"' in got["challenge"]) == (scopes is not None)
    assert 'resource_metadata="' in got["challenge"]


def test_client_is_killed_on_sigint_and_exit_130(tmp_path):
    pidfile = tmp_path / "pid"
    script = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    proc = subprocess.Popen([str(wif_binary("wif-verify")), "conform", "--command", f"{PY} -c \"{script}\""],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=CLIENTS)
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130, err
    assert out == "" and "interrupted" in err
    time.sleep(0.1)
    # Gone, or a zombie waiting for a reaper (the conform process that was its parent has exited).
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z", "X"), state


@pytest.mark.parametrize("args,needle", [
    ([], "--command is required"),
    (["--command", " "], "--command is required"),
    (["--command", "true", "--timeout", "soon"], "--timeout"),
    (["--command", "true", "--timeout", "0s"], "--timeout must be"),
    (["--command", "true", "--check", "no-such-check"], "no such run or check"),
    (["--command", "true", "--scenario", "auth/basic-cimd"], "only scenario"),
    (["--command", "./no-such-client-here"], "could not be started"),
])
def test_could_not_judge_is_exit_2(args, needle):
    assert_usage_error(conform(*args), needle, tool="wif-verify")


def test_keep_dir_that_cannot_be_made_is_exit_2(tmp_path):
    (tmp_path / "file").write_text("")
    p = conform("--command", "true", "--keep", tmp_path / "file" / "sub")
    assert_usage_error(p, "--keep", tool="wif-verify")


def test_an_executable_client_runs_as_given():
    p = conform("--command", "./good_client.py", "--check", "positive")
    assert p.returncode == 0, p.stdout + p.stderr


def test_scenario_names_accepted():
    for name in ["wif-jwt-bearer", "auth/wif-jwt-bearer"]:
        p = conform("--command", "sh curl_client.sh", "--scenario", name, "--check", "positive")
        assert p.returncode == 0, p.stderr


def test_help_lists_every_option():
    out = wif_ok("wif-verify", "conform", "--help")
    for opt in ["--command", "--scenario", "--check", "--timeout", "--strict", "--json", "--keep"]:
        assert opt in out


# ---- serve --force-error -------------------------------------------------------------------------------------------

def test_serve_force_error(tmp_path):
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "k", "--out", tmp_path / "k.jwk")
    (tmp_path / "k.jwks").write_text(wif_ok("wif-mint", "jwks", tmp_path / "k.jwk"))
    for forced, reason in [("invalid_scope", "scope_not_allowed"), ("invalid_request", "invalid_request"),
                           ("unauthorized_client", "grant_type_rejected")]:
        proc = subprocess.Popen([str(wif_binary("wif-verify")), "serve", "--jwks", tmp_path / "k.jwks", "--iss", "https://idp",
                                 "--timeout", "30", "--log", tmp_path / f"{forced}.log", "--force-error", forced],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            url = proc.stdout.readline().decode().strip()
            jwt = wif_ok("wif-mint", "token", "--key", tmp_path / "k.jwk", "--iss", "https://idp", "--sub", "w",
                         "--aud", url).strip()
            body = f"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion={jwt}".encode()
            req = urllib.request.Request(url + "/token", data=body,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=5)
            assert e.value.code == 400 and json.loads(e.value.read())["error"] == forced
            # A request the judge refuses keeps its own answer.
            req = urllib.request.Request(url + "/token", data=b"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=5)
            assert json.loads(e.value.read())["error"] == "invalid_request"
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        events = [json.loads(l) for l in (tmp_path / f"{forced}.log").read_text().splitlines()]
        token = [e for e in events if e.get("path") == "/token"]
        assert token[0]["error"] == forced and token[0]["reason"] == reason
        assert {"id": "wif-assertion-verified", "status": "SUCCESS"}.items() <= token[0]["checks"][1].items()


def test_serve_force_error_rejects_other_values(tmp_path):
    p = subprocess.run([str(wif_binary("wif-verify")), "serve", "--jwks", tmp_path / "none.jwks", "--aud", "x",
                        "--force-error", "invalid_grant"], capture_output=True, text=True, timeout=10)
    assert_usage_error(p, "--force-error", tool="wif-verify")


def test_client_gets_only_stdio_and_never_the_passphrase(tmp_path):
    # NIO's listening socket and epoll descriptor are not close-on-exec: the client must not inherit them.
    dump = tmp_path / "fds.json"
    script = ("import json, os; fds = [f for f in os.listdir('/proc/self/fd') if os.path.exists('/proc/self/fd/' + f)]; "
              f"json.dump({{'fds': sorted(fds), 'env': sorted(os.environ)}}, open({str(dump)!r}, 'w'))")
    p = subprocess.run([str(wif_binary("wif-verify")), "conform", "--command", f"exec {PY} -c \"{script}\" #",
                        "--check", "positive"], capture_output=True, text=True, cwd=CLIENTS, timeout=60,
                       env={**os.environ, "WIF_PASSPHRASE": "s3cret"})
    assert p.returncode == 1, p.stderr  # it makes no request
    got = json.loads(dump.read_text())
    assert got["fds"] == ["0", "1", "2"]
    assert "WIF_PASSPHRASE" not in got["env"] and "MCP_CONFORMANCE_CONTEXT" in got["env"]


def test_timeout_holds_for_a_client_that_leaves_its_group():
    # It joins conform's process group, where the group kill does not reach it.
    leave = "import os, time; os.setpgid(0, os.getpgid(os.getppid())); time.sleep(1e9)"
    started = time.monotonic()
    rc, report = conform_json("--timeout", "2s", "--check", "positive", "--command", f"exec {PY} -c \"{leave}\" #")
    assert time.monotonic() - started < 15
    assert rc == 1
    timeout = [c for r in report["runs"] for c in r["checks"] if c["id"] == "client-timeout" and c["status"] != "SKIPPED"]
    assert [c["status"] for c in timeout] == ["FAILURE"]


def processes_running(needle):
    found = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and needle in (d / "cmdline").read_bytes():
                found.append(int(d.name))
        except OSError:
            pass
    return found


def test_a_descendant_that_leaves_the_group_does_not_outlive_the_run():
    marker = f"{os.getpid() % 1000 + 77}.{time.time_ns() % 1000000}"
    rc, _ = conform_json("--check", "positive", "--command", f"setsid sleep {marker} & exit 0 #")
    assert rc == 1
    time.sleep(0.2)
    assert processes_running(f"sleep\0{marker}".encode()) == []
