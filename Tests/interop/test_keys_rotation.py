# SPDX-License-Identifier: Apache-2.0
"""Passphrase-protected keys and key-rotation checks (issue 5), end to end with the built binaries.

  encrypted keys   `wif-mint key --encrypt`, `key encrypt|decrypt`: a file written by one run is opened by
                   another (token, jwks, fixtures, decrypt, wif-verify request --issuer-key); mode 0600; the
                   format as documented, checked and decrypted here independently (libargon2 through ctypes,
                   AES-GCM from `cryptography`), and a file written here opens in wif; a changed byte at every
                   position is refused; wrong passphrase; cost options and their bounds
  passphrases      --passphrase-file, --passphrase-fd, WIF_PASSPHRASE, the no-echo prompt on a pseudo-terminal;
                   no prompt (and no hang) when stdin is not a terminal; never on the command line
  encrypted PEM    PKCS#8 made by `openssl genpkey ... -aes256 -pass pass:...` is read wherever keys are read
  jwks-check       every finding code and verdict through the CLI (--json and text), exit 0 / 1 / 2
  rotation         Tests/interop/rotation.sh: a full rotation, old key -> new key, every step checked

Small Argon2id costs (--insecure-kdf) keep the tests fast; one test writes the default costs.
"""
import base64
import ctypes
import json
import os
import pty
import re
import select
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import WIF_BIN_DIR, b64u_decode, b64u_encode, jwk_thumbprint, jws_split, wif_binary, wif_ok, wif_run

HERE = Path(__file__).resolve().parent
PASSPHRASE = "correct horse battery staple"
FAST = ["--insecure-kdf", "--kdf-memory", "256", "--kdf-time", "1", "--kdf-lanes", "1"]
NOW = 1767323400
ISS, SUB, AUD = "https://ci.example", "spiffe://example.org/ci/job", "https://as.example/token"


def env(passphrase=PASSPHRASE, **extra):
    """The test environment: WIF_PASSPHRASE set to `passphrase`, or removed when None."""
    e = {k: v for k, v in os.environ.items() if k != "WIF_PASSPHRASE"}
    if passphrase is not None:
        e["WIF_PASSPHRASE"] = passphrase
    e.update(extra)
    return e


def run(tool, *args, passphrase=PASSPHRASE, **kw):
    return wif_run(tool, *args, env=env(passphrase), **kw)


def ok(tool, *args, passphrase=PASSPHRASE, **kw):
    p = run(tool, *args, passphrase=passphrase, **kw)
    assert p.returncode == 0, f"{tool} {' '.join(map(str, args))} -> {p.returncode}\n{p.stderr}"
    return p.stdout


def assert_fails(p, status=2, *needles, tool=None):
    """Exit `status`, nothing on stdout, one message line (plus an optional hint), no crash, no passphrase."""
    err = p.stderr if isinstance(p.stderr, str) else p.stderr.decode("utf-8", "replace")
    out = p.stdout if isinstance(p.stdout, str) else p.stdout.decode("utf-8", "replace")
    assert p.returncode == status, f"exit {p.returncode}, want {status}; stderr: {err}"
    assert out == "", f"stdout should be empty: {out[:200]!r}"
    lines = err.rstrip("\n").split("\n")
    assert 1 <= len(lines) <= 2 and err.endswith("\n"), err
    if tool:
        assert lines[0].startswith(f"{tool}: "), err
    if len(lines) == 2:
        assert ": hint: " in lines[1], err
    for bad in ("Fatal error", "Stack dump", "Segmentation", "Illegal instruction", PASSPHRASE, "hunter"):
        assert bad not in err, err
    for n in needles:
        assert n.lower() in err.lower(), f"{n!r} not in {err!r}"
    return lines[0]


def make_key(tmp_path, name="k.enc", alg="ES256", kid="k1", extra=(), passphrase=PASSPHRASE):
    path = tmp_path / name
    ok("wif-mint", "key", "--alg", alg, "--kid", kid, "--encrypt", *FAST, *extra, "--out", path, passphrase=passphrase)
    return path


# ---------------------------------------------------------------------------------------------------
# The documented format, implemented here independently

def argon2id(password, salt, t, m, p, length=32):
    lib = ctypes.CDLL("libargon2.so.1")
    out = ctypes.create_string_buffer(length)
    rc = lib.argon2id_hash_raw(ctypes.c_uint32(t), ctypes.c_uint32(m), ctypes.c_uint32(p), password,
                               ctypes.c_size_t(len(password)), salt, ctypes.c_size_t(len(salt)), out,
                               ctypes.c_size_t(length))
    assert rc == 0, rc
    return out.raw


def compact(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)


def open_file(text, passphrase):
    """Decrypts a wif encrypted key file following wif-mint(1), ENCRYPTED KEY FILES."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    o = json.loads(text)
    assert list(o) == ["wif", "version", "kid", "alg", "kdf", "enc", "ciphertext"], list(o)
    assert list(o["kdf"]) == ["alg", "v", "m", "t", "p", "salt"] and list(o["enc"]) == ["alg", "nonce", "tag"]
    assert text == compact(o) + "\n", "not the canonical compact form"
    kdf, enc = o["kdf"], o["enc"]
    assert (o["wif"], o["version"], kdf["alg"], kdf["v"], enc["alg"]) == ("encrypted-key", 1, "argon2id", 19, "A256GCM")
    header = {k: v for k, v in o.items() if k != "ciphertext"}
    header["enc"] = {"alg": enc["alg"], "nonce": enc["nonce"]}
    key = argon2id(passphrase.encode(), b64u_decode(kdf["salt"]), kdf["t"], kdf["m"], kdf["p"])
    plain = AESGCM(key).decrypt(b64u_decode(enc["nonce"]), b64u_decode(o["ciphertext"]) + b64u_decode(enc["tag"]),
                                compact(header).encode())
    return o, json.loads(plain)


def write_file(jwk, passphrase, m=64, t=1, p=1):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {"wif": "encrypted-key", "version": 1, "kid": jwk["kid"], "alg": jwk["alg"],
              "kdf": {"alg": "argon2id", "v": 19, "m": m, "t": t, "p": p, "salt": b64u_encode(salt)},
              "enc": {"alg": "A256GCM", "nonce": b64u_encode(nonce)}}
    sealed = AESGCM(argon2id(passphrase.encode(), salt, t, m, p)).encrypt(nonce, compact(jwk).encode(),
                                                                         compact(header).encode())
    header["enc"]["tag"] = b64u_encode(sealed[-16:])
    header["ciphertext"] = b64u_encode(sealed[:-16])
    return compact(header) + "\n"


# ---------------------------------------------------------------------------------------------------
# Encrypted keys

def test_written_by_one_run_opened_by_others(tmp_path):
    path = make_key(tmp_path)
    st = path.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600
    text = path.read_text()
    assert text.startswith('{"wif":"encrypted-key","version":1,"kid":"k1","alg":"ES256","kdf":{"alg":"argon2id"')
    plain = json.loads(ok("wif-mint", "key", "decrypt", path))
    assert plain["kid"] == "k1" and plain["alg"] == "ES256" and "d" in plain
    assert plain["d"] not in text and plain["x"] not in text
    jwks = json.loads(ok("wif-mint", "jwks", path))
    assert jwks["keys"][0]["kid"] == "k1" and "d" not in jwks["keys"][0]
    assert jwk_thumbprint(jwks["keys"][0]) == jwk_thumbprint(plain)
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    token = ok("wif-mint", "token", "--key", path, "--iss", ISS, "--sub", SUB, "--aud", AUD, "--now", NOW).strip()
    assert jws_split(token)[0]["kid"] == "k1"
    ok("wif-verify", "--jwks", tmp_path / "jwks.json", "--iss", ISS, "--aud", AUD, "--now", NOW, token, passphrase=None)
    fixtures = json.loads(ok("wif-mint", "fixtures", "--key", path, "--iss", ISS, "--sub", SUB, "--aud", AUD, "--now", NOW))
    assert fixtures["jwks"]["keys"][0]["kid"] == "k1"


def test_format_decrypts_independently(tmp_path):
    path = make_key(tmp_path)
    o, jwk = open_file(path.read_text(), PASSPHRASE)
    assert jwk == json.loads(ok("wif-mint", "key", "decrypt", path))
    assert (o["kdf"]["m"], o["kdf"]["t"], o["kdf"]["p"]) == (256, 1, 1)
    assert len(b64u_decode(o["kdf"]["salt"])) == 16 and len(b64u_decode(o["enc"]["nonce"])) == 12
    assert len(b64u_decode(o["enc"]["tag"])) == 16


def test_file_written_independently_opens(tmp_path):
    jwk = json.loads(wif_ok("wif-mint", "key", "--alg", "EdDSA", "--kid", "py"))
    path = tmp_path / "py.enc"
    path.write_text(write_file(jwk, PASSPHRASE))
    assert json.loads(ok("wif-mint", "key", "decrypt", path)) == jwk
    assert_fails(run("wif-mint", "key", "decrypt", path, passphrase="wrong"), 2, "decrypt", tool="wif-mint")


def test_default_costs_are_rfc9106_second_option(tmp_path):
    path = tmp_path / "k.enc"
    ok("wif-mint", "key", "--alg", "ES256", "--encrypt", "--out", path)
    o = json.loads(path.read_text())
    assert (o["kdf"]["m"], o["kdf"]["t"], o["kdf"]["p"]) == (65536, 3, 4)
    assert open_file(path.read_text(), PASSPHRASE)[1]["kid"] == o["kid"]
    # Stronger costs are fine, and suffixes are read.
    ok("wif-mint", "key", "--alg", "ES256", "--encrypt", "--kdf-memory", "64M", "--kdf-time", "4", "--kdf-lanes", "2",
       "--out", path)
    o = json.loads(path.read_text())
    assert (o["kdf"]["m"], o["kdf"]["t"], o["kdf"]["p"]) == (65536, 4, 2)


@pytest.mark.parametrize("args,needle", [
    (["--kdf-time", "2"], "insecure-kdf"),
    (["--kdf-memory", "32M"], "insecure-kdf"),
    (["--kdf-time", "101", "--insecure-kdf"], "kdf-time"),
    (["--kdf-time", "0", "--insecure-kdf"], "kdf-time"),
    (["--kdf-lanes", "65"], "kdf-lanes"),
    (["--kdf-memory", "5G"], "4 GiB"),
    (["--kdf-memory", "lots"], "memory size"),
    (["--kdf-memory", "16", "--kdf-lanes", "4", "--insecure-kdf"], "per lane"),
])
def test_cost_bounds(args, needle, tmp_path):
    p = run("wif-mint", "key", "--alg", "ES256", "--encrypt", *args, "--out", tmp_path / "k.enc")
    assert_fails(p, 2, needle, tool="wif-mint")
    assert not (tmp_path / "k.enc").exists()


@pytest.mark.parametrize("args,needle", [
    (["--alg", "ES256", "--kdf-time", "3"], "--encrypt"),
    (["--alg", "ES256", "--passphrase-file", "x"], "--encrypt"),
    (["--alg", "ES256", "--encrypt", "--pem"], "cannot be combined"),
    (["--alg", "ES256", "--passphrase", "secret"], "passphrase"),
])
def test_key_option_errors(args, needle):
    assert_fails(run("wif-mint", "key", *args), 2, needle, tool="wif-mint")


@pytest.mark.parametrize("alg", ["ES256", "ES384", "EdDSA", "RS256", "HS256"])
def test_encrypt_and_decrypt_existing_key(alg, wif_keys, tmp_path):
    plain = wif_keys.path(alg)
    out = tmp_path / "k.enc"
    ok("wif-mint", "key", "encrypt", plain, *FAST, "--out", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(ok("wif-mint", "key", "decrypt", out)) == json.loads(plain.read_text())
    # Tokens from the encrypted and the plain key verify alike (HS: byte-identical with a fixed jti).
    args = ["--iss", ISS, "--sub", SUB, "--aud", AUD, "--now", NOW, "--jti", "j"]
    a = ok("wif-mint", "token", "--key", out, *args)
    b = ok("wif-mint", "token", "--key", plain, *args)
    if alg.startswith("HS") or alg in ("EdDSA", "RS256"):
        assert a == b
    # stdin works as the key source, with the passphrase from elsewhere.
    assert ok("wif-mint", "key", "encrypt", "-", *FAST, input=plain.read_text()).startswith('{"wif":"encrypted-key"')


def test_encrypt_decrypt_refusals(tmp_path, wif_keys):
    enc = make_key(tmp_path)
    assert_fails(run("wif-mint", "key", "encrypt", enc, *FAST), 2, "already encrypted", tool="wif-mint")
    assert_fails(run("wif-mint", "key", "decrypt", wif_keys.path("ES256")), 2, "not encrypted", tool="wif-mint")
    pub = tmp_path / "pub.json"
    pub.write_text(wif_ok("wif-mint", "jwks", wif_keys.path("ES256")))
    assert_fails(run("wif-mint", "key", "encrypt", pub, *FAST), 2, tool="wif-mint")
    # The key and the passphrase cannot both come from stdin.
    assert_fails(run("wif-mint", "key", "encrypt", "-", *FAST, "--passphrase-fd", "0", input="{}"), 2, "standard input")


def test_decrypt_to_pem_and_out(tmp_path):
    enc = make_key(tmp_path)
    pem = ok("wif-mint", "key", "decrypt", enc, "--pem")
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    out = tmp_path / "plain.jwk"
    ok("wif-mint", "key", "decrypt", enc, "--out", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["kid"] == "k1"


def test_wrong_passphrase(tmp_path):
    enc = make_key(tmp_path)
    for tool, args in [("wif-mint", ["key", "decrypt", enc]), ("wif-mint", ["jwks", enc]),
                       ("wif-mint", ["token", "--key", enc, "--iss", ISS, "--sub", SUB, "--aud", AUD]),
                       ("wif-verify", ["jwks-check", "--published", enc, "--signing", enc])]:
        line = assert_fails(run(tool, *args, passphrase="correct horse battery stapler"), 2, tool=tool)
        assert "wrong passphrase, or the file was changed" in line, line


def test_every_changed_byte_is_refused(tmp_path):
    """A changed byte makes `key decrypt` fail cleanly with exit 2: every byte up to the ciphertext, every 8th of the
    ciphertext (its bytes all fail the same tag check; EncryptedKeyTests flips every byte in-process), the closing
    bytes, each XOR 0x01, and XOR 0xff at every 13th position."""
    from concurrent.futures import ThreadPoolExecutor
    enc = make_key(tmp_path, alg="EdDSA")
    data = enc.read_bytes()
    body = data.index(b'"ciphertext":"') + len(b'"ciphertext":"')
    positions = [i for i in range(len(data)) if i < body or i >= len(data) - 3 or (i - body) % 8 == 0]
    flips = [(i, m) for i in positions for m in ([0x01, 0xFF] if i % 13 == 0 else [0x01])]

    def attempt(flip):
        i, mask = flip
        b = bytearray(data)
        b[i] ^= mask
        path = tmp_path / f"bad-{i}-{mask}.enc"
        path.write_bytes(bytes(b))
        return flip, run("wif-mint", "key", "decrypt", path)

    reasons = set()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for (i, mask), p in pool.map(attempt, flips):
            line = assert_fails(p, 2, tool="wif-mint")
            reasons.add("decrypt" if "wrong passphrase" in line else "invalid")
    assert len(positions) > 200 and reasons == {"decrypt", "invalid"}
    assert json.loads(ok("wif-mint", "key", "decrypt", enc))["kid"] == "k1"


def test_hostile_costs_refused_before_allocation(tmp_path):
    enc = make_key(tmp_path)
    o = json.loads(enc.read_text())
    for field, value in [("m", 4 * 1024 * 1024 + 1), ("m", 2 ** 40), ("t", 101), ("p", 65), ("t", 0)]:
        h = json.loads(json.dumps(o))
        h["kdf"][field] = value
        bad = tmp_path / "hostile.enc"
        bad.write_text(compact(h) + "\n")
        start = time.monotonic()
        assert_fails(run("wif-mint", "key", "decrypt", bad, timeout=20), 2, f"{field}", tool="wif-mint")
        assert time.monotonic() - start < 10


# ---------------------------------------------------------------------------------------------------
# Passphrase sources

def test_passphrase_file(tmp_path):
    enc = make_key(tmp_path)
    f = tmp_path / "pass"
    f.write_text(PASSPHRASE + "\n")          # one trailing newline is dropped
    ok("wif-mint", "key", "decrypt", enc, "--passphrase-file", f, passphrase=None)
    f.write_text(PASSPHRASE + "\n\n")        # only one
    assert_fails(run("wif-mint", "key", "decrypt", enc, "--passphrase-file", f, passphrase=None), 2, "decrypt")
    # The file beats the environment.
    f.write_text(PASSPHRASE)
    ok("wif-mint", "key", "decrypt", enc, "--passphrase-file", f, passphrase="not this one")
    assert_fails(run("wif-mint", "key", "decrypt", enc, "--passphrase-file", tmp_path / "missing", passphrase=None), 2,
                 "missing")
    f.write_text("")
    assert_fails(run("wif-mint", "key", "decrypt", enc, "--passphrase-file", f, passphrase=None), 2, "empty")


def test_passphrase_fd(tmp_path):
    enc = make_key(tmp_path)
    r, w = os.pipe()
    os.write(w, (PASSPHRASE + "\n").encode())
    os.close(w)
    try:
        p = subprocess.run([str(wif_binary("wif-mint")), "key", "decrypt", str(enc), "--passphrase-fd", str(r)],
                           pass_fds=(r,), env=env(None), capture_output=True, text=True, timeout=60)
    finally:
        os.close(r)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["kid"] == "k1"
    # fd 0 when the key comes from a file.
    ok("wif-mint", "key", "decrypt", enc, "--passphrase-fd", "0", input=PASSPHRASE, passphrase=None)
    assert_fails(run("wif-mint", "key", "decrypt", enc, "--passphrase-fd", "9", passphrase=None), 2, "--passphrase-fd 9")
    assert_fails(run("wif-mint", "key", "decrypt", enc, "--passphrase-fd", "0", "--passphrase-file", "x"), 2,
                 "cannot be combined")


def test_passphrase_environment(tmp_path):
    enc = make_key(tmp_path, passphrase="from the environment")
    ok("wif-mint", "key", "decrypt", enc, passphrase="from the environment")
    assert_fails(run("wif-mint", "key", "decrypt", enc, passphrase=""), 2, "WIF_PASSPHRASE is set but empty")


def test_no_prompt_without_a_terminal(tmp_path):
    """stdin is not a terminal: a clear error naming the ways to give a passphrase, at once, without /dev/tty."""
    enc = make_key(tmp_path)
    for stdin in (subprocess.DEVNULL, subprocess.PIPE):
        start = time.monotonic()
        p = subprocess.run([str(wif_binary("wif-mint")), "key", "decrypt", str(enc)], stdin=stdin, env=env(None),
                           capture_output=True, text=True, timeout=20, start_new_session=True)
        assert time.monotonic() - start < 10
        assert_fails(p, 2, "not a terminal", "--passphrase-file", "WIF_PASSPHRASE", tool="wif-mint")
    # The same for every reader of private keys.
    p = run("wif-mint", "key", "--alg", "ES256", "--encrypt", *FAST, passphrase=None)
    assert_fails(p, 2, "needs a passphrase", tool="wif-mint")
    p = run("wif-verify", "jwks-check", "--published", enc, "--signing", enc, passphrase=None)
    assert_fails(p, 2, "needs a passphrase", tool="wif-verify")


def pty_run(args, answers, timeout=30):
    """Runs a tool on a new pseudo-terminal (stdin, stdout and /dev/tty); answers each prompt (a regex) in turn.
    Returns (exit status, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        e = env(None)
        os.execve(str(args[0]), [str(a) for a in args], e)
    shown, pending = b"", list(answers)
    deadline = time.monotonic() + timeout
    while True:
        if pending and re.search(pending[0][0].encode(), shown):
            os.write(fd, pending[0][1].encode() + b"\n")
            shown += b"<answered>"
            pending.pop(0)
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        assert time.monotonic() < deadline, f"timed out; terminal showed {shown!r}"
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def test_prompt_without_echo_on_a_terminal(tmp_path):
    out = tmp_path / "k.enc"
    code, shown = pty_run([wif_binary("wif-mint"), "key", "--alg", "ES256", "--kid", "tty", "--encrypt", *FAST, "--out", out],
                          [(r"New passphrase for .*k\.enc: ", "typed secret"), (r"Repeat the passphrase: ", "typed secret")])
    assert code == 0, shown
    assert "typed secret" not in shown, f"the passphrase was echoed: {shown!r}"
    code, shown = pty_run([wif_binary("wif-mint"), "key", "decrypt", out], [(r"Passphrase for .*k\.enc: ", "typed secret")])
    assert code == 0, shown
    assert '"kid":"tty"' in shown and "typed secret" not in shown
    # Two different answers: refused, nothing written.
    code, shown = pty_run([wif_binary("wif-mint"), "key", "--alg", "ES256", "--encrypt", *FAST, "--out", tmp_path / "x.enc"],
                          [(r"New passphrase", "one"), (r"Repeat the passphrase", "two")])
    assert code == 2 and "differ" in shown and not (tmp_path / "x.enc").exists()


# ---------------------------------------------------------------------------------------------------
# OpenSSL-encrypted PKCS#8 PEM

@pytest.mark.parametrize("genpkey,alg", [
    (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], "ES256"),
    (["-algorithm", "ED25519"], "EdDSA"),
    (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "RS256"),
])
def test_openssl_encrypted_pem(genpkey, alg, tmp_path):
    pem = tmp_path / "key.pem"
    subprocess.run(["openssl", "genpkey", *genpkey, "-aes256", "-pass", "pass:" + PASSPHRASE, "-out", str(pem)],
                   check=True, capture_output=True)
    assert pem.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    jwks = json.loads(ok("wif-mint", "jwks", pem))
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    token = ok("wif-mint", "token", "--key", pem, "--iss", ISS, "--sub", SUB, "--aud", AUD, "--now", NOW).strip()
    assert jws_split(token)[0]["alg"] == alg
    ok("wif-verify", "--jwks", tmp_path / "jwks.json", "--iss", ISS, "--aud", AUD, "--now", NOW, token, passphrase=None)
    plain = json.loads(ok("wif-mint", "key", "decrypt", pem))
    assert jwk_thumbprint(plain) == jwk_thumbprint(jwks["keys"][0])
    # Re-encrypted into a wif key file with the same passphrase.
    assert ok("wif-mint", "key", "encrypt", pem, *FAST).startswith('{"wif":"encrypted-key"')
    assert_fails(run("wif-mint", "jwks", pem, passphrase="wrong"), 2, "cannot decrypt the PEM private key", tool="wif-mint")
    assert_fails(run("wif-mint", "jwks", pem, passphrase=None), 2, "passphrase", tool="wif-mint")
    # A verifier never reads it as a key set.
    assert_fails(run("wif-verify", "--jwks", pem, "--iss", ISS, "--aud", AUD, token), 2, "encrypted private key",
                 tool="wif-verify")


# Traditional encrypted PEM (RFC 1421 Proc-Type/DEK-Info headers, as `openssl rsa|ec -aes256` writes): OpenSSL
# finds the DEK-Info cipher in its legacy name table, which wif leaves empty at start-up (issue 12) and fills
# with the PEM ciphers on this path only.
@pytest.mark.parametrize("kind,cipher", [
    ("rsa", "-aes256"), ("rsa", "-des3"), ("ec", "-aes128"), ("ec", "-aes192"), ("ec", "-camellia256"),
])
def test_openssl_traditional_encrypted_pem(kind, cipher, tmp_path):
    plain = tmp_path / "plain.pem"
    genpkey = (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"] if kind == "rsa"
               else ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
    subprocess.run(["openssl", "genpkey", *genpkey, "-out", str(plain)], check=True, capture_output=True)
    pem = tmp_path / "key.pem"
    traditional = ["-traditional"] if kind == "rsa" else []  # `openssl ec` writes SEC1 (traditional) anyway
    subprocess.run(["openssl", kind, "-in", str(plain), cipher, *traditional, "-passout", "pass:" + PASSPHRASE,
                    "-out", str(pem)], check=True, capture_output=True)
    text = pem.read_text()
    assert "Proc-Type: 4,ENCRYPTED" in text and "DEK-Info: " in text
    jwks = json.loads(ok("wif-mint", "jwks", pem))
    want = json.loads(ok("wif-mint", "jwks", plain))
    assert jwk_thumbprint(jwks["keys"][0]) == jwk_thumbprint(want["keys"][0])
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    token = ok("wif-mint", "token", "--key", pem, "--iss", ISS, "--sub", SUB, "--aud", AUD, "--now", NOW).strip()
    ok("wif-verify", "--jwks", tmp_path / "jwks.json", "--iss", ISS, "--aud", AUD, "--now", NOW, token, passphrase=None)
    assert_fails(run("wif-mint", "jwks", pem, passphrase="wrong"), 2, "cannot decrypt the PEM private key", tool="wif-mint")


def test_issuer_key_encrypted(tmp_path, wif_keys):
    """wif-verify request --issuer-key reads an encrypted key (the body is on stdin, so not the passphrase)."""
    issuer = make_key(tmp_path, name="as.enc", kid="as-1")
    client = wif_keys.path("ES256")
    jwks = tmp_path / "client.jwks"
    jwks.write_text(wif_ok("wif-mint", "jwks", client))
    assertion = wif_ok("wif-mint", "token", "--key", client, "--iss", ISS, "--sub", SUB, "--aud", AUD, "--now", NOW).strip()
    body = wif_ok("wif-mint", "request", assertion)
    out = ok("wif-verify", "request", "--jwks", jwks, "--aud", AUD, "--now", NOW, "--issuer-key", issuer, input=body)
    at = json.loads(out)["access_token"]
    assert jws_split(at)[0]["kid"] == "as-1"
    assert_fails(run("wif-verify", "request", "--jwks", jwks, "--aud", AUD, "--now", NOW, "--issuer-key", issuer,
                     "--passphrase-fd", "0", input=body), 2, "standard input", tool="wif-verify")


# ---------------------------------------------------------------------------------------------------
# jwks-check

class Keys:
    def __init__(self, folder):
        self.folder = folder
        for name in ("old", "new", "other"):
            ok("wif-mint", "key", "--alg", "ES256", "--kid", name, "--encrypt", *FAST, "--out", folder / f"{name}.enc")
        self.public = {n: json.loads(ok("wif-mint", "jwks", folder / f"{n}.enc"))["keys"][0] for n in ("old", "new", "other")}
        self.private = {n: json.loads(ok("wif-mint", "key", "decrypt", folder / f"{n}.enc")) for n in ("old", "new", "other")}

    def enc(self, name):
        return self.folder / f"{name}.enc"

    def write(self, name, keys):
        p = self.folder / name
        p.write_text(json.dumps({"keys": keys}))
        return p


@pytest.fixture(scope="module")
def rot(tmp_path_factory):
    return Keys(tmp_path_factory.mktemp("rotation-keys"))


def check(rot, published, signing=(), previous=None, *extra, passphrase=PASSPHRASE, json_out=True):
    args = ["jwks-check", "--published", rot.write("published.json", published), "--now", NOW]
    for s in signing:
        args += ["--signing", rot.enc(s) if isinstance(s, str) else s]
    if previous is not None:
        args += ["--previous", rot.write("previous.json", previous)]
    args += list(extra)
    if json_out:
        args.append("--json")
    return run("wif-verify", *args, passphrase=passphrase)


def verdict(p, status):
    assert p.returncode == status, f"exit {p.returncode}, want {status}: {p.stdout} {p.stderr}"
    assert p.stderr == ""
    o = json.loads(p.stdout)
    assert o["safe"] is (status == 0)
    return [f["code"] for f in o["findings"] if f["severity"] == "error"], o


def test_check_safe(rot):
    codes, o = verdict(check(rot, [rot.public["old"], rot.public["new"]], ["old"]), 0)
    assert codes == []
    assert [k["signing"] for k in o["published"]["keys"]] == [True, False]
    assert o["signing"][0]["thumbprint"] == jwk_thumbprint(rot.public["old"])


@pytest.mark.parametrize("case,code", [
    ("empty", "empty_set"), ("private", "private_key_published"), ("oct", "private_key_published"),
    ("no-kid", "missing_kid"), ("no-alg", "missing_alg"), ("no-use", "missing_use"), ("use-enc", "bad_use"),
    ("dup-kid", "duplicate_kid"), ("dup-key", "duplicate_key"), ("weak", "weak_key"), ("x25519", "invalid_key"),
    ("unpublished", "signing_key_unpublished"), ("kid-mismatch", "kid_mismatch"), ("impostor", "signing_key_unpublished"),
])
def test_check_published_findings(rot, case, code):
    old, new = rot.public["old"], rot.public["new"]
    n1024 = b64u_encode(b"\xc3" + b"\x5a" * 126 + b"\x01")
    published = {
        "empty": [],
        "private": [rot.private["old"]],
        "oct": [old, {"kty": "oct", "kid": "h", "alg": "HS256", "use": "sig", "k": b64u_encode(b"\x01" * 32)}],
        "no-kid": [{k: v for k, v in old.items() if k != "kid"}],
        "no-alg": [{k: v for k, v in old.items() if k != "alg"}],
        "no-use": [{k: v for k, v in old.items() if k != "use"}],
        "use-enc": [dict(old, use="enc")],
        "dup-kid": [old, dict(new, kid="old")],
        "dup-key": [old, dict(old, kid="copy")],
        "weak": [old, {"kty": "RSA", "kid": "w", "alg": "RS256", "use": "sig", "n": n1024, "e": "AQAB"}],
        "x25519": [old, {"kty": "OKP", "crv": "X25519", "kid": "x", "alg": "EdDSA", "use": "sig", "x": b64u_encode(b"\x09" * 32)}],
        "unpublished": [new],
        "kid-mismatch": [dict(old, kid="renamed")],
        "impostor": [dict(new, kid="old")],       # the right kid on other key material
    }[case]
    p = check(rot, published, ["old"])
    codes, _ = verdict(p, 1)
    assert code in codes, codes
    # The text report names the same code, and the verdict line.
    t = check(rot, published, ["old"], json_out=False)
    assert t.returncode == 1 and t.stderr == ""
    assert f"error {code}: " in t.stdout and re.search(r"\nunsafe: \d+ problems?\n$", t.stdout), t.stdout
    if case == "private":
        assert rot.private["old"]["d"] not in p.stdout + t.stdout


def test_check_alg_mismatch(rot, wif_keys):
    rsa = json.loads(wif_keys.path("RS256").read_text())   # alg RS256
    pub = {k: v for k, v in rsa.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    codes, _ = verdict(check(rot, [dict(pub, alg="PS256")], [wif_keys.path("RS256")]), 1)
    assert codes == ["alg_mismatch"]


def test_check_diff_and_prepublication(rot):
    old, new = rot.public["old"], rot.public["new"]
    codes, o = verdict(check(rot, [old, new], ["old"], [old]), 0)
    assert [k["kid"] for k in o["previous"]["added"]] == ["new"]
    assert [k["kid"] for k in o["previous"]["kept"]] == ["old"]
    assert o["previous"]["removed"] == []
    codes, _ = verdict(check(rot, [old, new], ["new"], [old]), 1)
    assert codes == ["signing_key_not_prepublished"]
    codes, _ = verdict(check(rot, [old, new], ["new"], [old, new]), 0)


def test_check_kid_reused(rot):
    codes, _ = verdict(check(rot, [dict(rot.public["new"], kid="old")], [], [rot.public["old"]],
                             "--max-token-lifetime", "5m", "--retired-at", NOW - 3600), 1)
    assert codes == ["kid_reused"]


@pytest.mark.parametrize("retired,status", [(NOW - 3600 - 60, 0), (NOW - 3600 - 59, 1), (None, 1)])
def test_check_removed_key(rot, retired, status):
    old, new = rot.public["old"], rot.public["new"]
    extra = ["--max-token-lifetime", "1h"] + (["--retired-at", str(retired)] if retired is not None else [])
    codes, o = verdict(check(rot, [new], ["new"], [old, new], *extra), status)
    removed = o["previous"]["removed"]
    assert [r["kid"] for r in removed] == ["old"]
    assert removed[0]["tokens_valid_until"] == (retired if retired is not None else NOW) + 3600 + 60
    assert codes == ([] if status == 0 else ["removed_key_tokens_alive"])
    assert o["max_token_lifetime"] == 3600 and o["leeway"] == 60


def test_check_removed_key_still_signing(rot):
    codes, o = verdict(check(rot, [rot.public["new"]], ["old"], [rot.public["old"], rot.public["new"]],
                             "--max-token-lifetime", "1h", "--retired-at", NOW - 86400), 1)
    assert codes == ["signing_key_unpublished", "removed_key_tokens_alive"]
    assert o["previous"]["removed"][0]["still_signing"] is True


def test_check_warning_is_not_unsafe(rot):
    codes, o = verdict(check(rot, [rot.public["old"]], ["old"], [rot.public["old"], "junk"]), 0)
    assert [f["code"] for f in o["findings"]] == ["previous_key_ignored"]


@pytest.mark.parametrize("case,needle", [
    ("no-lifetime", "--max-token-lifetime"), ("lifetime-without-previous", "go with --previous"),
    ("public-signing", "public key"), ("single-jwk", "not a JWK Set"), ("not-json", "published.json"),
    ("missing-file", "no such file"), ("hmac-signing", "symmetric"), ("no-published", "--published"),
])
def test_check_input_errors(rot, case, needle, wif_keys):
    old, new = rot.public["old"], rot.public["new"]
    if case == "no-lifetime":
        p = check(rot, [new], ["new"], [old, new])
    elif case == "lifetime-without-previous":
        p = check(rot, [old], ["old"], None, "--max-token-lifetime", "1h")
    elif case == "public-signing":
        p = check(rot, [old], [rot.write("pub.json", [old])])
    elif case == "single-jwk":
        path = rot.folder / "one.jwk"
        path.write_text(json.dumps(old))
        p = run("wif-verify", "jwks-check", "--published", path)
    elif case == "not-json":
        (rot.folder / "published.json").write_text("not json")
        p = run("wif-verify", "jwks-check", "--published", rot.folder / "published.json")
    elif case == "missing-file":
        p = run("wif-verify", "jwks-check", "--published", rot.folder / "missing.json")
    elif case == "hmac-signing":
        p = check(rot, [old], [wif_keys.path("HS256")])
    else:
        p = run("wif-verify", "jwks-check")
    assert_fails(p, 2, needle, tool="wif-verify")


def test_check_text_report(rot):
    p = check(rot, [rot.public["old"], rot.public["new"]], ["new"], [rot.public["old"]], json_out=False)
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert lines[0] == f"published {rot.folder / 'published.json'}: 2 keys"
    assert "signing: 1 key" in lines
    assert lines[-1] == "unsafe: 1 problem"
    assert any(l.startswith("error signing_key_not_prepublished: ") for l in lines)
    p = check(rot, [rot.public["old"]], ["old"], json_out=False)
    assert p.returncode == 0 and p.stdout.endswith("\nsafe\n")


@pytest.mark.parametrize("published_at,status", [(NOW - 3600, 0), (NOW - 3599, 1), ("-2h", 0), ("-10m", 1)])
def test_check_published_long_enough_before_signing(rot, published_at, status):
    """With --cache-ttl, a signing key is safe once the set that first held it has been live that long."""
    old, new = rot.public["old"], rot.public["new"]
    codes, o = verdict(check(rot, [old, new], ["new"], None, "--published-at", published_at, "--cache-ttl", "1h"),
                       status)
    assert codes == ([] if status == 0 else ["signing_key_not_prepublished"])
    live = NOW - (7200 if published_at == "-2h" else 600 if published_at == "-10m" else NOW - published_at)
    assert o["signing"][0]["live_since"] == live and o["signing"][0]["verifiable_from"] == live + 3600
    assert o["cache_ttl"] == 3600 and o["published_at"] == live


def test_check_previous_published_at(rot):
    """A key of the previous set counts from when that set went live; time replaces the previous-set proxy."""
    old, new = rot.public["old"], rot.public["new"]
    times = ["--cache-ttl", "1h", "--published-at", NOW - 60]
    codes, _ = verdict(check(rot, [old, new], ["new"], [old, new], *times, "--previous-published-at", NOW - 3600), 0)
    codes, o = verdict(check(rot, [old, new], ["new"], [old, new], *times, "--previous-published-at", NOW - 120), 1)
    assert codes == ["signing_key_not_prepublished"] and o["previous_published_at"] == NOW - 120
    # not in the previous set, but the published set has been live for a day: safe
    verdict(check(rot, [old, new], ["new"], [old], "--cache-ttl", "1h", "--published-at", NOW - 86400), 0)
    t = check(rot, [old, new], ["new"], [old], "--cache-ttl", "1h", "--published-at", NOW - 60, json_out=False)
    assert t.returncode == 1 and "in every verifier's cache from 2026-01-02T04:09:00Z" in t.stdout, t.stdout


@pytest.mark.parametrize("args,needle", [
    (["--published-at", "-1d"], "--cache-ttl"), (["--cache-ttl", "1h"], "--published-at"),
    (["--cache-ttl", "1h", "--published-at", "-1h", "--previous-published-at", "-2h"], "--previous"),
    (["--cache-ttl", "soon", "--published-at", "-1h"], "--cache-ttl"), (["--allow", "nope"], "nope"),
    (["--allow", "private_key_published"], "cannot be waived"),
])
def test_check_time_and_allow_errors(rot, args, needle):
    assert_fails(check(rot, [rot.public["old"]], ["old"], None, *args), 2, needle, tool="wif-verify")


def test_check_previous_published_after_published_is_an_error(rot):
    old = rot.public["old"]
    p = check(rot, [old], ["old"], [old], "--cache-ttl", "1h", "--published-at", NOW - 7200,
              "--previous-published-at", NOW - 60)
    assert_fails(p, 2, "is after --published-at", tool="wif-verify")


def test_check_signing_alg_changed_is_a_warning(rot, wif_keys):
    ed = json.loads(wif_keys.path("EdDSA").read_text())
    ed_pub = {k: v for k, v in ed.items() if k != "d"}
    old = rot.public["old"]
    codes, o = verdict(check(rot, [old, ed_pub], [wif_keys.path("EdDSA")], [old, ed_pub]), 0)
    assert codes == []
    # the previous set had ES256 keys only: the switch to EdDSA breaks verifiers pinned to ES256
    codes, o = verdict(check(rot, [old, ed_pub], [wif_keys.path("EdDSA")], [old], "--allow",
                             "signing_key_not_prepublished"), 0)
    warn = [f for f in o["findings"] if f["code"] == "signing_alg_changed"]
    assert len(warn) == 1 and warn[0]["severity"] == "warning" and "EdDSA" in warn[0]["message"]
    codes, _ = verdict(check(rot, [old, rot.public["new"]], ["new"], [old, rot.public["new"]]), 0)


def test_check_allow_waives_and_lists(rot):
    no_use = {k: v for k, v in rot.public["old"].items() if k != "use"}
    verdict(check(rot, [no_use], ["old"]), 1)
    codes, o = verdict(check(rot, [no_use], ["old"], None, "--allow", "missing_use", "--allow", "kid_reused"), 0)
    assert o["findings"] == [] and [f["code"] for f in o["waived"]] == ["missing_use"]
    assert o["allowed"] == ["missing_use", "kid_reused"]
    t = check(rot, [no_use], ["old"], None, "--allow", "missing_use", json_out=False)
    assert t.returncode == 0 and re.search(r"^waived error missing_use: ", t.stdout, re.M), t.stdout
    assert t.stdout.endswith("\nsafe\n")
    # a waiver for one code leaves the others
    codes, _ = verdict(check(rot, [{k: v for k, v in no_use.items() if k != "alg"}], ["old"], None,
                             "--allow", "missing_use"), 1)
    assert codes == ["missing_alg"]


# ---------------------------------------------------------------------------------------------------
# The full rotation

def test_rotation_script():
    script = HERE / "rotation.sh"
    p = subprocess.run(["bash", str(script)], env=env(None, WIF_BIN_DIR=str(WIF_BIN_DIR)), capture_output=True,
                       text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"rotation.sh failed:\n{p.stdout}\n{p.stderr}"
    steps = [l for l in p.stdout.splitlines() if l.startswith("ok ")]
    assert len(steps) == 6 and p.stdout.endswith("rotation ok\n"), p.stdout
