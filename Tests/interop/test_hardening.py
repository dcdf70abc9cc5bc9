# SPDX-License-Identifier: Apache-2.0
"""Issue 11 ("Hardening II") through the built binaries: writes that refuse what is not a regular file,
small-order Ed25519 keys, look-alike identifiers, Argon2 cost bombs and the private-key permission warning on
every path that reads a private key. (The replay-cache items are in test_verify_batch_replay.py.)
Devices, FIFOs and symlinks are made only inside pytest's temporary folder."""
import base64
import json
import os
import stat
import subprocess
import time

import pytest

from conftest import (VERIFY_AUD, VERIFY_NOW, b64u_encode, verify_assert_rejected, verify_claims, verify_jws,
                      wif_ok, wif_run, write_private)

PASS = "correct horse battery staple"


# ---------------------------------------------------------------------------------------------------------------
# 1. Atomic writes replace only regular files

def special_paths(tmp_path):
    out = {}
    os.mkfifo(tmp_path / "fifo")
    out["fifo"] = "a FIFO"
    (tmp_path / "dir").mkdir()
    out["dir"] = "a directory"
    os.symlink("/proc/self/fd/1", tmp_path / "stdout")
    out["stdout"] = "a symbolic link"
    os.symlink(tmp_path / "absent", tmp_path / "dangling")
    out["dangling"] = "a symbolic link"
    if os.geteuid() == 0:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        out["null"] = "a character device"
    return out


def test_key_out_refuses_special_files(tmp_path):
    for name, kind in special_paths(tmp_path).items():
        target = tmp_path / name
        before = os.lstat(target)
        p = wif_run("wif-mint", "key", "--alg", "ES256", "--out", target, timeout=20)
        assert p.returncode == 2 and p.stdout == "", (name, p)
        assert str(target) in p.stderr and kind in p.stderr, (name, p.stderr)
        after = os.lstat(target)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_ino == before.st_ino, name
    assert not (tmp_path / "absent").exists()
    assert not [f for f in os.listdir(tmp_path) if ".wif-" in f], os.listdir(tmp_path)


def test_replay_cache_on_a_device_is_refused(tmp_path, verify_keys):
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    t = wif_ok("wif-mint", "token", "-k", verify_keys.private["ES256"], "--iss", "i", "--sub", "s", "--aud", VERIFY_AUD,
               "--now", VERIFY_NOW).strip()
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256"], "--aud", VERIFY_AUD, "--now", VERIFY_NOW,
                "--replay-cache", dev, t, timeout=20)
    assert p.returncode == 2 and "character device" in p.stderr, p
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


# ---------------------------------------------------------------------------------------------------------------
# 2. Small-order Ed25519 keys

IDENTITY = {"kty": "OKP", "crv": "Ed25519", "x": "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "kid": "id",
            "alg": "EdDSA", "use": "sig"}
ORDER8 = dict(IDENTITY, x=b64u_encode(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")),
              kid="o8")


def forged(claims):
    """R = identity, S = 0: verifies under the identity key for any message."""
    return verify_jws({"alg": "EdDSA"}, claims, signature=b"\x01" + bytes(63))


def test_identity_key_forgery_refused(tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [IDENTITY]}))
    p = wif_run("wif-verify", "--jwks", jwks, "--aud", VERIFY_AUD, "--now", VERIFY_NOW, forged(verify_claims()))
    assert p.returncode == 2 and p.stdout == "", p
    assert "small order" in p.stderr, p.stderr


def test_jwks_check_reports_small_order(tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [IDENTITY, ORDER8]}))
    p = wif_run("wif-verify", "jwks-check", "--published", jwks, "--now", VERIFY_NOW, "--json")
    assert p.returncode == 1, p
    o = json.loads(p.stdout)
    bad = [f for f in o["findings"] if f["code"] == "invalid_key"]
    assert len(bad) == 2 and all("small order" in f["message"] for f in bad), o


def test_inspect_reports_small_order(tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [IDENTITY]}))
    p = wif_run("wif-inspect", "--json", jwks)
    o = json.loads(p.stdout)
    errors = [f for f in o["findings"] if f["severity"] == "error"]
    assert any("small order" in f["message"] for f in errors), o
    der = bytes.fromhex("302a300506032b6570032100") + b"\x01" + bytes(31)
    pem = tmp_path / "id.pem"
    pem.write_text("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n")
    p = wif_run("wif-inspect", pem)
    assert p.returncode == 2 and "small order" in p.stderr, p


# ---------------------------------------------------------------------------------------------------------------
# 4. Look-alike identifiers

def test_kelvin_sign_alg_is_not_es256k(verify_keys):
    token = verify_jws({"alg": "ES256\u212a"}, verify_claims(), jwk=verify_keys.jwk("ES256K"), alg="ES256K")
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256K"], "--aud", VERIFY_AUD, "--now", VERIFY_NOW, token)
    verify_assert_rejected(p, "alg_not_allowed")


def test_kelvin_sign_kty_is_not_okp(tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"kty": "O\u212aP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}))
    p = wif_run("wif-verify", "--jwks", jwks, "--aud", VERIFY_AUD, "--now", VERIFY_NOW, "a.b.c")
    assert p.returncode == 2 and "unsupported kty" in p.stderr, p


# ---------------------------------------------------------------------------------------------------------------
# 8. Argon2 cost bombs

def hostile_key(tmp_path, m, t, p):
    key = tmp_path / "k.jwk"
    wif_ok("wif-mint", "key", "--alg", "ES256", "--out", key)
    pw = write_private(tmp_path / "pw", PASS)
    enc = tmp_path / "k.enc"
    wif_ok("wif-mint", "key", "encrypt", key, "--passphrase-file", pw, "--insecure-kdf", "--kdf-memory", "64",
           "--kdf-time", "1", "--kdf-lanes", "1", "--out", enc)
    o = json.loads(enc.read_text())
    o["kdf"].update(m=m, t=t, p=p)
    enc.write_text(json.dumps(o, separators=(",", ":")) + "\n")
    os.chmod(enc, 0o600)
    return enc, pw


@pytest.mark.parametrize("m,t,p,needle", [(4 << 20, 1, 64, "lanes p=64"), (4 << 20, 1, 4, "memory m=4194304 KiB"),
                                          (65536, 100, 4, "passes t=100"), (1 << 20, 10, 4, "m × t")])
def test_argon2_cost_bomb_refused_quickly(tmp_path, m, t, p, needle):
    enc, pw = hostile_key(tmp_path, m, t, p)
    start = time.monotonic()
    r = wif_run("wif-mint", "token", "-k", enc, "--passphrase-file", pw, "--iss", "i", "--sub", "s", "--aud", "a",
                timeout=30)
    assert time.monotonic() - start < 5
    assert r.returncode == 2 and needle in r.stderr, r


def test_max_kdf_memory_raises_only_memory(tmp_path):
    enc, pw = hostile_key(tmp_path, 4 << 20, 1, 64)
    r = wif_run("wif-mint", "jwks", enc, "--passphrase-file", pw, "--max-kdf-memory", "4G", timeout=30)
    assert r.returncode == 2 and "lanes p=64" in r.stderr, r
    r = wif_run("wif-mint", "jwks", enc, "--passphrase-file", pw, "--max-kdf-memory", "5G")
    assert r.returncode == 2 and "--max-kdf-memory" in r.stderr, r


# ---------------------------------------------------------------------------------------------------------------
# 11. The permission warning on every path that reads a private key

def test_every_private_key_reader_warns(tmp_path):
    key = tmp_path / "k.jwk"
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "k1", "--out", key)
    os.chmod(key, 0o644)
    pw = write_private(tmp_path / "pw", PASS)
    enc = tmp_path / "k.enc"
    wif_ok("wif-mint", "key", "encrypt", key, "--passphrase-file", pw, "--insecure-kdf", "--kdf-memory", "64",
           "--kdf-time", "1", "--out", enc)
    os.chmod(enc, 0o644)
    published = tmp_path / "jwks.json"
    published.write_text(wif_ok("wif-mint", "jwks", key))
    warn = "has mode 644, readable by group or others"
    runs = {
        "token": wif_run("wif-mint", "token", "-k", key, "--iss", "i", "--sub", "s", "--aud", "a"),
        "jwks": wif_run("wif-mint", "jwks", key),
        "key encrypt": wif_run("wif-mint", "key", "encrypt", key, "--passphrase-file", pw, "--insecure-kdf",
                               "--kdf-memory", "64", "--kdf-time", "1"),
        "key decrypt": wif_run("wif-mint", "key", "decrypt", enc, "--passphrase-file", pw),
        "jwks-check --signing": wif_run("wif-verify", "jwks-check", "--published", published, "--signing", key,
                                        "--now", VERIFY_NOW),
        "request --issuer-key": wif_run("wif-verify", "request", "--jwks", published, "--aud", "a", "--issuer-key", key,
                                        input="grant_type=x"),
    }
    for name, p in runs.items():
        assert warn in p.stderr, (name, p.returncode, p.stderr)
        assert p.stderr.count(warn) == 1, (name, p.stderr)
    os.chmod(key, 0o600)
    p = wif_run("wif-mint", "jwks", key)
    assert p.returncode == 0 and p.stderr == "", p
    p = wif_run("wif-mint", "jwks", published)  # a public file may be world-readable
    assert p.stderr == "", p
