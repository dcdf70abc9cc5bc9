# SPDX-License-Identifier: Apache-2.0
"""Exit statuses a CI gate can trust (issue 10): nothing to judge is exit 2 in every tool and mode, a file name is
never judged or sent as a token, time options take a leading '-', request --json carries the wif reason, and no
raw terminal control from input reaches stderr. Everything runs the built binaries through real pipes."""
import json
import subprocess

import pytest

from conftest import (VERIFY_NOW as NOW, VERIFY_AUD, VERIFY_ISS, VERIFY_SUB, assert_usage_error, wif_binary, wif_ok, wif_run)

BIN = {t: str(wif_binary(t)) for t in ("wif-mint", "wif-verify", "wif-inspect")}


def sh(script, tmp_path, **env):
    """Runs `script` under bash with pipefail, the wif binaries on PATH, in tmp_path."""
    path = str(wif_binary("wif-mint").parent) + ":/usr/bin:/bin"
    return subprocess.run(["bash", "-c", "set -o pipefail\n" + script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={"PATH": path, "LC_ALL": "C", **env})


@pytest.fixture
def keyset(tmp_path, verify_keys):
    """k1.jwk (ES256, kid es256) and jwks.json in tmp_path."""
    (tmp_path / "k1.jwk").write_text(verify_keys.private["ES256"].read_text())
    (tmp_path / "k1.jwk").chmod(0o600)
    (tmp_path / "jwks.json").write_text(verify_keys.public["ES256"].read_text())
    return tmp_path


# ---- 1. nothing to judge is exit 2 -------------------------------------------------------------------------------

FAILING_FIRST_STAGE = "wif-mint -k k1.jwk --exp tomorrow --aud x"       # exit 2, prints nothing

PIPELINES = {
    "verify": f"{FAILING_FIRST_STAGE} | wif-verify --jwks jwks.json --aud x",
    "verify-json": f"{FAILING_FIRST_STAGE} | wif-verify --json --jwks jwks.json --aud x -",
    "verify-batch": f"{FAILING_FIRST_STAGE} | wif-verify --batch --jwks jwks.json --aud x",
    "request": f"{FAILING_FIRST_STAGE} | wif-mint request | wif-verify request --jwks jwks.json --aud x",
    "request-json": f"{FAILING_FIRST_STAGE} | wif-mint request | wif-verify request --json --jwks jwks.json --aud x",
    "request-http": f"{FAILING_FIRST_STAGE} | wif-mint request | wif-verify request --http --jwks jwks.json --aud x",
    "inspect": f"{FAILING_FIRST_STAGE} | wif-inspect",
    "inspect-jwks": f"{FAILING_FIRST_STAGE} | wif-inspect --jwks jwks.json --aud x",
    # the stage after a failure sees empty input even without pipefail's help
    "request-body": "printf '' | wif-verify request --jwks jwks.json --aud x",
}


@pytest.mark.parametrize("name", list(PIPELINES))
def test_failing_first_stage_is_exit_2(name, keyset):
    p = sh(PIPELINES[name], keyset)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Fatal error" not in p.stderr


EMPTY_INPUT_MODES = {
    "verify": ["wif-verify", "--jwks", "jwks.json", "--aud", "x"],
    "verify-dash": ["wif-verify", "--jwks", "jwks.json", "--aud", "x", "-"],
    "verify-json": ["wif-verify", "--json", "--jwks", "jwks.json", "--aud", "x"],
    "verify-batch": ["wif-verify", "--batch", "--jwks", "jwks.json", "--aud", "x"],
    "request": ["wif-verify", "request", "--jwks", "jwks.json", "--aud", "x"],
    "request-json": ["wif-verify", "request", "--json", "--jwks", "jwks.json", "--aud", "x"],
    "inspect": ["wif-inspect"],
    "inspect-json": ["wif-inspect", "--json"],
    "mint-request": ["wif-mint", "request"],
    "mint-request-exchange": ["wif-mint", "request", "--grant", "token-exchange", "--subject-token", "-"],
}


@pytest.mark.parametrize("name", list(EMPTY_INPUT_MODES))
@pytest.mark.parametrize("source", ["empty-file", "newline", "null-device"])
def test_empty_stdin_is_exit_2_in_every_tool_and_mode(name, source, keyset):
    """`< /dev/null` and friends: could not judge, with a message naming the empty input. The null device is one
    made in the test's own folder (never the system's /dev/null)."""
    tool, *args = EMPTY_INPUT_MODES[name]
    if source == "null-device":
        dev = keyset / "null"
        subprocess.run(["mknod", str(dev), "c", "1", "3"], check=True)
        stdin = open(dev, "rb")
    else:
        f = keyset / "in.txt"
        f.write_bytes(b"" if source == "empty-file" else b"\n")
        stdin = open(f, "rb")
    with stdin:
        p = subprocess.run([BIN[tool], *args], stdin=stdin, cwd=keyset, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stdout == "" and "empty" in p.stderr or "no token" in p.stderr, p.stderr


# ---- 2. one rule for a token argument ----------------------------------------------------------------------------

def test_a_file_name_is_read_never_judged_as_a_token(keyset):
    token = wif_ok("wif-mint", "-k", keyset / "k1.jwk", "--iss", VERIFY_ISS, "--sub", VERIFY_SUB, "--aud", "x",
                   "--now", NOW).strip()
    (keyset / "job.jwt").write_text(token + "\n")
    # An existing file is read, whatever its name, in all three tools.
    p = wif_run("wif-verify", "--json", "--jwks", "jwks.json", "--aud", "x", "--now", NOW, "job.jwt", cwd=keyset)
    assert p.returncode == 0 and json.loads(p.stdout)["valid"] is True, p.stderr
    p = wif_run("wif-inspect", "--json", "job.jwt", cwd=keyset)
    assert p.returncode == 0 and json.loads(p.stdout)["type"] == "jws", p.stderr
    body = wif_run("wif-mint", "request", "job.jwt", cwd=keyset)
    assert body.returncode == 0 and body.stdout.endswith("assertion=" + token), body.stdout
    # A name that is neither a file nor a token is exit 2 naming it: never judged, never sent.
    for tool, args in (("wif-verify", ["--json", "--jwks", "jwks.json", "--aud", "x"]), ("wif-inspect", ["--json"]),
                       ("wif-mint", ["request"]),
                       ("wif-mint", ["request", "--grant", "token-exchange", "--subject-token"]),
                       ("wif-mint", ["request", "--grant", "client-credentials", "--client-assertion"])):
        p = wif_run(tool, *args, "missing.jwt", cwd=keyset)
        assert_usage_error(p, "missing.jwt", tool=tool)
    # A literal token of compact shape is still the token itself.
    p = wif_run("wif-verify", "--jwks", "jwks.json", "--aud", "x", "--now", NOW, token, cwd=keyset)
    assert p.returncode == 0, p.stderr


# ---- 4, 5. --kid, --now -1h -------------------------------------------------------------------------------------

def test_kid_differing_from_the_keys_own_is_an_error_in_token_and_fixtures(keyset):
    for cmd in (["-k", "k1.jwk", "--kid", "other"],
                ["fixtures", "-k", "k1.jwk", "--kid", "other", "--iss", "i", "--sub", "s", "--aud", "a"]):
        p = wif_run("wif-mint", *cmd, cwd=keyset)
        assert_usage_error(p, "--header kid=other", tool="wif-mint")
    # The key's own kid, and a PEM key (which has none), are fine.
    assert wif_run("wif-mint", "-k", "k1.jwk", "--kid", "es256", cwd=keyset).returncode == 0


@pytest.mark.parametrize("cmd", [
    ["wif-mint", "-k", "k1.jwk", "--now", "-1h"],
    ["wif-mint", "fixtures", "-k", "k1.jwk", "--iss", "i", "--sub", "s", "--aud", "a", "--now", "-1h"],
    ["wif-verify", "--jwks", "jwks.json", "--profile", "none", "--now", "-1h", "TOKEN"],
    ["wif-inspect", "--now", "-1h", "TOKEN"],
    ["wif-verify", "jwks-check", "--published", "jwks.json", "--now", "-1h"],
])
def test_now_takes_a_leading_dash_as_a_separate_word(cmd, keyset):
    token = wif_ok("wif-mint", "-k", keyset / "k1.jwk", "--now", NOW).strip()
    tool, *args = [token if a == "TOKEN" else a for a in cmd]
    p = wif_run(tool, *args, cwd=keyset)
    assert "needs a value" not in p.stderr, p.stderr
    assert p.returncode in (0, 1), (p.returncode, p.stderr)


# ---- 9. request --json -------------------------------------------------------------------------------------------

def test_request_json_carries_the_stable_reason(keyset):
    expired = wif_ok("wif-mint", "-k", keyset / "k1.jwk", "--iss", VERIFY_ISS, "--sub", VERIFY_SUB, "--aud",
                     VERIFY_AUD, "--now", NOW, "--exp", "-1h").strip()
    body = wif_ok("wif-mint", "request", expired)
    p = wif_run("wif-verify", "request", "--json", "--jwks", "jwks.json", "--aud", VERIFY_AUD, "--now", NOW,
                input=body, cwd=keyset)
    assert p.returncode == 1
    o = json.loads(p.stdout)
    assert o["error"] == "invalid_grant" and o["reason"] == "expired" and p.stdout.count("\n") == 1
    # Without --json the OAuth body has no wif member.
    p = wif_run("wif-verify", "request", "--jwks", "jwks.json", "--aud", VERIFY_AUD, "--now", NOW, input=body,
                cwd=keyset)
    assert "reason" not in json.loads(p.stdout)
    assert_usage_error(wif_run("wif-verify", "request", "--json", "--http", "--jwks", "jwks.json", "--aud", "x",
                               input=body, cwd=keyset), "--http", tool="wif-verify")


# ---- terminal safety of stderr -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["%1B%5B31mRED", "%0Awif-verify%3A+forged+line", "%E2%80%AEevil", "%C2%9B31m",
                                 "%E2%80%A8sep", "%0D"])
def test_request_stderr_never_carries_raw_controls(raw, keyset):
    for body in (f"grant_type=x{raw}", f"grant_type={raw}&grant_type=y",
                 f"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c&a{raw}=1&a{raw}=2"):
        p = wif_run("wif-verify", "request", "--jwks", "jwks.json", "--aud", "x", input=body, cwd=keyset)
        assert p.returncode == 1, p.stderr
        for bad in ("\x1b", "\u009b", "\u202e", "\u2028", "\r"):
            assert bad not in p.stderr, (body, p.stderr)
        assert p.stderr.count("\n") == 1, p.stderr
