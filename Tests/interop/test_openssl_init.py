# SPDX-License-Identifier: Apache-2.0
"""How wif initialises OpenSSL (Core/Crypto/OpenSSLLibrary.swift, issue 12): no configuration file unless
OPENSSL_CONF is set in the environment; when it is, the file applies (FIPS or provider configuration)."""
import os
import shutil
import subprocess

import pytest

from conftest import wif_binary, wif_run

ISS, SUB, AUD = "https://ci.example", "spiffe://example.org/ci/job", "https://as.example/token"
CLAIMS = ["--iss", ISS, "--sub", SUB, "--aud", AUD, "--exp", "+1h"]


def env_without_conf(**extra):
    e = {k: v for k, v in os.environ.items() if k != "OPENSSL_CONF"}
    e.update(extra)
    return e


@pytest.mark.parametrize("alg", ["ES256", "RS256", "HS256"])
def test_no_config_file_is_read(wif_keys, alg):
    """Without OPENSSL_CONF no openssl.cnf (nor any other *.cnf) is opened, by mint or verify."""
    if not shutil.which("strace"):
        pytest.skip("strace not installed")
    key = wif_keys.path(alg)
    token = wif_run("wif-mint", "token", "--key", key, *CLAIMS, env=env_without_conf()).stdout.strip()
    assert token.count(".") == 2
    for cmd in ([str(wif_binary("wif-mint")), "token", "--key", str(key), *CLAIMS],
                [str(wif_binary("wif-verify")), "--jwks", str(wif_keys.jwks_path(alg)), "--iss", ISS, "--aud", AUD,
                 token]):
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat,openat2,stat,newfstatat,access",
                            *cmd], capture_output=True, text=True, timeout=60, env=env_without_conf())
        if "PTRACE" in p.stderr or "Operation not permitted" in p.stderr:
            pytest.skip(f"strace cannot trace here: {p.stderr.strip()}")
        assert p.returncode == 0, p.stderr
        opened = [line for line in p.stderr.splitlines() if ".cnf" in line]
        assert opened == [], "\n".join(opened)


def test_openssl_conf_applies(wif_keys, tmp_path):
    """With OPENSSL_CONF set the file is loaded: default properties that name no provider make every fetch fail,
    so wif cannot judge (exit 2); unset, the same command works."""
    conf = tmp_path / "openssl.cnf"
    conf.write_text("openssl_conf = openssl_init\n[openssl_init]\nalg_section = evp_properties\n"
                    "[evp_properties]\ndefault_properties = \"provider=wif-test-none\"\n")
    key = wif_keys.path("ES256")
    p = wif_run("wif-mint", "token", "--key", key, *CLAIMS, env=env_without_conf(OPENSSL_CONF=str(conf)))
    assert p.returncode == 2 and p.stdout == "", p.stderr
    assert p.stderr.startswith("wif-mint: ") and len(p.stderr.splitlines()) <= 2, p.stderr
    assert wif_run("wif-mint", "token", "--key", key, *CLAIMS, env=env_without_conf()).returncode == 0


def test_openssl_reason_strings_stay_in_messages(tmp_path):
    """OpenSSL's reason text ends the message of a key OpenSSL cannot read. Release binaries load the reason
    strings only when an error is reported; run with WIF_BIN_DIR=.build/release to check that path."""
    pem = tmp_path / "bad.pem"
    pem.write_text("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n")
    p = wif_run("wif-mint", "jwks", pem, env=env_without_conf())
    assert p.returncode == 2 and p.stdout == ""
    prefix = f"wif-mint: {pem}: not a readable PEM key: "
    assert p.stderr.startswith(prefix), p.stderr
    reason = p.stderr[len(prefix):].strip()
    assert reason and reason.islower() and "error:" not in reason, p.stderr
