# SPDX-License-Identifier: Apache-2.0
"""Every documented bound of wif-verify(1) "Limits" through the built binaries: at the bound and one past it,
with the exact reason; standard input from generators that would never end (the tools must stop reading at
the bound and finish fast); and linear time on wide, deep and escaped inputs.

Core's side of the same bounds, with CPU-time budgets, is Tests/CoreTests/LimitsTests.swift. The 10 MB batch
line and the 10 MB stdin token are in test_verify_batch_replay.py.
"""
import json
import subprocess
import threading
import time

import pytest

from conftest import (VERIFY_AUD, VERIFY_NOW, b64u_encode, verify_assert_rejected, verify_assert_valid,
                      verify_claims, verify_jws, wif_binary, wif_run)

NOW = VERIFY_NOW
MAX_TOKEN = 65536
MAX_HEADER = 8192
MAX_BODY = 256 * 1024
MAX_JWKS_FILE = 1 << 20
MAX_KEYS = 256


def hs_token(keys, claims=None, header=None):
    """An HS256 token over the session's HS256 key (kid hs256)."""
    h = header if header is not None else {"alg": "HS256", "kid": "hs256"}
    return verify_jws(h, claims if claims is not None else verify_claims(), keys.jwk("HS256"))


def verify(keys, *args, token=None, input=None, timeout=60):
    cmd = ["--jwks", keys.public["HS256"], "--aud", VERIFY_AUD, "--now", NOW, *args]
    return wif_run("wif-verify", *cmd, *([token] if token is not None else []), input=input, timeout=timeout)


def exit_code_2(p, needle):
    err = p.stderr if isinstance(p.stderr, str) else p.stderr.decode("utf-8", "replace")
    assert p.returncode == 2, f"exit {p.returncode} (want 2): {err!r}"
    assert needle in err, f"{needle!r} not in {err!r}"
    assert "Fatal error" not in err and "Sanitizer" not in err, err


def run_from_generator(args, chunk=b"A" * 4096, limit_s=10, stdin_prefix=b""):
    """Runs a tool with stdin fed from an endless generator (as `yes` or `cat /dev/zero` would be); returns
    (CompletedProcess-like, bytes the generator managed to write before the pipe closed, seconds)."""
    p = subprocess.Popen([str(wif_binary(args[0])), *map(str, args[1:])], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    written = [0]

    def feed():
        try:
            if stdin_prefix:
                p.stdin.write(stdin_prefix)
                written[0] += len(stdin_prefix)
            while True:
                p.stdin.write(chunk)
                p.stdin.flush()
                written[0] += len(chunk)
        except (BrokenPipeError, OSError, ValueError):
            pass

    t0 = time.monotonic()
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    watchdog = threading.Timer(limit_s, p.kill)
    watchdog.start()
    out, err = p.stdout.read(), p.stderr.read()
    p.wait()
    watchdog.cancel()
    secs = time.monotonic() - t0
    assert secs < limit_s, f"{args[0]} still reading an endless stdin after {limit_s}s"
    try:
        p.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    feeder.join(timeout=5)
    return subprocess.CompletedProcess(args, p.returncode, out.decode(), err.decode()), written[0], secs


# ---------------------------------------------------------------------------------------------------------------
# Token size: --max-token-size, default 64 KiB; stdin never read past it

def test_default_token_size_bound_exact(verify_keys):
    # A valid token of exactly 65536 bytes verifies; one byte more is malformed, on stdin and as an argument.
    base = len(hs_token(verify_keys, verify_claims(pad="", q="")))
    guess = (MAX_TOKEN - base) * 3 // 4
    at = next(t for pad in range(guess - 8, guess + 8) for q in ("", "x", "xy")
              if len(t := hs_token(verify_keys, verify_claims(pad="p" * pad, q=q))) == MAX_TOKEN)
    verify_assert_valid(verify(verify_keys, "-", input=at))
    verify_assert_valid(verify(verify_keys, token=at))
    past = at + "A"
    for p in (verify(verify_keys, "-", input=past), verify(verify_keys, token=past)):
        msg = verify_assert_rejected(p, "malformed")
        assert msg == "the token has 65537 bytes, more than the limit of 65536", msg
    msg = verify_assert_rejected(verify(verify_keys, "-", input=past + "AA"), "malformed")
    assert msg == "the token is longer than the limit of 65536 bytes", msg


@pytest.mark.parametrize("max_size", [16, 1000, MAX_TOKEN])
def test_endless_stdin_token_stops_at_the_bound(verify_keys, max_size):
    """A generator that would write gigabytes: wif-verify reads at most the bound (+ what the pipe buffers),
    answers malformed and exits at once."""
    p, written, secs = run_from_generator(
        ["wif-verify", "--jwks", verify_keys.public["HS256"], "--aud", VERIFY_AUD, "--now", NOW,
         "--max-token-size", max_size, "-"])
    msg = verify_assert_rejected(p, "malformed")
    assert f"limit of {max_size} bytes" in msg, msg
    assert secs < 10, f"took {secs:.1f}s"
    # Whatever was not read stayed in the pipe (64 KiB on Linux) or in the writer's last chunk.
    assert written <= max_size + 2 + 65536 + 2 * 4096 + 1, f"{written} bytes went into the pipe"


def test_endless_stdin_inspect_stops_at_the_bound():
    p, written, secs = run_from_generator(["wif-inspect", "-"])
    assert p.returncode == 2, p.stderr
    assert "larger than 1048576 bytes" in p.stderr, p.stderr
    assert secs < 10
    assert written <= (1 << 20) + 1 + 65536 + 2 * 4096


def test_max_token_size_option_range(verify_keys):
    for bad in ("15", str((16 << 20) + 1), "-1", "x"):
        p = verify(verify_keys, "--max-token-size", bad, token="a.b.c")
        assert p.returncode == 2, (bad, p.stderr)
        assert "--max-token-size" in p.stderr
    for ok in ("16", str(16 << 20)):
        p = verify(verify_keys, "--max-token-size", ok, token="a.b.c")
        verify_assert_rejected(p, "malformed")


def test_a_megabyte_token_with_a_raised_bound_is_linear(verify_keys):
    """20,000 claims (about 400 KB of token) with --max-token-size 1 MiB: verified, and fast."""
    claims = verify_claims(**{f"claim-{i}": i for i in range(20_000)})
    t = hs_token(verify_keys, claims)
    assert len(t) > 300_000
    start = time.monotonic()
    p = verify(verify_keys, "--max-token-size", 1 << 20, "-", input=t)
    secs = time.monotonic() - start
    assert len(verify_assert_valid(p)) == len(claims)
    assert secs < 10, f"took {secs:.1f}s"
    verify_assert_rejected(verify(verify_keys, "-", input=t), "malformed")   # over the default bound


# ---------------------------------------------------------------------------------------------------------------
# Decoded header: 8 KiB

def header_of(size):
    base = json.dumps({"alg": "HS256", "kid": "hs256", "x": ""}, separators=(",", ":"))
    h = {"alg": "HS256", "kid": "hs256", "x": "a" * (size - len(base))}
    raw = json.dumps(h, separators=(",", ":")).encode()
    assert len(raw) == size
    return raw


def test_decoded_header_bound_exact(verify_keys):
    at = verify_jws(header_of(MAX_HEADER), verify_claims(), verify_keys.jwk("HS256"), alg="HS256")
    verify_assert_valid(verify(verify_keys, token=at))
    for size in (MAX_HEADER + 1, MAX_HEADER + 2, 20_000):
        past = verify_jws(header_of(size), verify_claims(), verify_keys.jwk("HS256"), alg="HS256")
        msg = verify_assert_rejected(verify(verify_keys, token=past), "malformed")
        assert msg == "the decoded header is larger than 8192 bytes", msg


# ---------------------------------------------------------------------------------------------------------------
# JWKS: 1 MiB a file, 256 keys in all

def jwks_text(keys, count, pad_to=None):
    k = keys.public_jwk("ES256")
    text = json.dumps({"keys": [dict(k, kid=f"k{i}") for i in range(count)]})
    if pad_to is not None:
        text += " " * (pad_to - len(text))
    return text


def test_jwks_file_size_bound(verify_keys, tmp_path):
    token = verify_jws({"alg": "ES256", "kid": "k0"}, verify_claims(), verify_keys.jwk("ES256"))
    at = tmp_path / "at.jwks"
    at.write_text(jwks_text(verify_keys, 1, pad_to=MAX_JWKS_FILE))
    verify_assert_valid(wif_run("wif-verify", "--jwks", at, "--aud", VERIFY_AUD, "--now", NOW, token))
    past = tmp_path / "past.jwks"
    past.write_text(jwks_text(verify_keys, 1, pad_to=MAX_JWKS_FILE + 1))
    p = wif_run("wif-verify", "--jwks", past, "--aud", VERIFY_AUD, "--now", NOW, token)
    exit_code_2(p, "larger than 1048576 bytes")


def test_jwks_file_from_an_endless_stdin_stops_at_the_bound(verify_keys):
    p, written, secs = run_from_generator(["wif-verify", "--jwks", "-", "--aud", VERIFY_AUD, "--now", NOW,
                                           "a.b.c"], stdin_prefix=b'{"keys":[')
    exit_code_2(p, "larger than 1048576 bytes")
    assert secs < 10
    assert written <= MAX_JWKS_FILE + 1 + 65536 + 2 * 4096 + 16


def test_jwks_key_count_bound(verify_keys, tmp_path):
    token = verify_jws({"alg": "ES256", "kid": "k255"}, verify_claims(), verify_keys.jwk("ES256"))
    at = tmp_path / "256.jwks"
    at.write_text(jwks_text(verify_keys, MAX_KEYS))
    verify_assert_valid(wif_run("wif-verify", "--jwks", at, "--aud", VERIFY_AUD, "--now", NOW, token))
    past = tmp_path / "257.jwks"
    past.write_text(jwks_text(verify_keys, MAX_KEYS + 1))
    exit_code_2(wif_run("wif-verify", "--jwks", past, "--aud", VERIFY_AUD, "--now", NOW, token), "more than 256 keys")
    # Joined sets count together.
    a, b = tmp_path / "a.jwks", tmp_path / "b.jwks"
    a.write_text(jwks_text(verify_keys, 200))
    b.write_text(jwks_text(verify_keys, 57))
    exit_code_2(wif_run("wif-verify", "--jwks", a, "--jwks", b, "--aud", VERIFY_AUD, "--now", NOW, token),
                "more than 256 keys in all")


def test_wide_jwks_is_linear(verify_keys, tmp_path):
    """A key set with 60,000 extra members (about 700 KB): loaded and used at once."""
    token = verify_jws({"alg": "ES256", "kid": "es256"}, verify_claims(), verify_keys.jwk("ES256"))
    wide = tmp_path / "wide.jwks"
    extra = ",".join(f'"m{i}":0' for i in range(60_000))
    wide.write_text('{"keys":[' + json.dumps(verify_keys.public_jwk("ES256")) + "]," + extra + "}")
    start = time.monotonic()
    verify_assert_valid(wif_run("wif-verify", "--jwks", wide, "--aud", VERIFY_AUD, "--now", NOW, token, timeout=30))
    assert time.monotonic() - start < 10
    start = time.monotonic()
    p = wif_run("wif-inspect", "--json", wide, timeout=30)
    assert p.returncode in (0, 1), p.stderr
    assert time.monotonic() - start < 10


# ---------------------------------------------------------------------------------------------------------------
# JSON depth: 32

def arrays(n):
    """A value nested in `n` arrays."""
    value = 1
    for _ in range(n):
        value = [value]
    return value


def test_json_depth_bound_in_claims(verify_keys):
    at = verify_claims(deep=arrays(31))           # the claims object + 31 arrays = 32 levels
    verify_assert_valid(verify(verify_keys, token=hs_token(verify_keys, at)))
    past = verify_claims(deep=arrays(32))
    msg = verify_assert_rejected(verify(verify_keys, token=hs_token(verify_keys, past)), "malformed")
    assert "nesting deeper than 32" in msg, msg


def test_json_depth_bound_in_header(verify_keys):
    deep = b'{"alg":"HS256","kid":"hs256","x":' + b"[" * 31 + b"]" * 31 + b"}"
    at = verify_jws(deep, verify_claims(), verify_keys.jwk("HS256"), alg="HS256")
    verify_assert_valid(verify(verify_keys, token=at))
    deeper = b'{"alg":"HS256","kid":"hs256","x":' + b"[" * 32 + b"]" * 32 + b"}"
    msg = verify_assert_rejected(verify(verify_keys, token=verify_jws(deeper, verify_claims(), verify_keys.jwk("HS256"),
                                                                     alg="HS256")), "malformed")
    assert "nesting deeper than 32" in msg, msg


def test_deep_and_escaped_payloads_are_linear(verify_keys):
    """Nesting at the bound, repeated to fill the token; a 37 KB string full of escapes: both judged at once."""
    many = verify_claims(deep=[arrays(30)] * 600)      # 32 levels, 600 times
    t1 = hs_token(verify_keys, many)
    escapes = "é😀\n\"\\/\u2028\x01" * 2000
    t2 = hs_token(verify_keys, verify_claims(s=escapes))
    assert len(t1) < MAX_TOKEN and len(t2) < MAX_TOKEN
    for t in (t1, t2):
        start = time.monotonic()
        verify_assert_valid(verify(verify_keys, "-", input=t))
        assert time.monotonic() - start < 10


# ---------------------------------------------------------------------------------------------------------------
# act levels: --max-delegation-depth (default 8, at most 32)

def act_chain(levels):
    act = None
    for i in reversed(range(levels)):
        act = {"sub": f"actor-{i}", **({"act": act} if act else {})}
    return act


def test_delegation_depth_default_and_hard_cap(verify_keys):
    def token(levels):
        return hs_token(verify_keys, verify_claims(act=act_chain(levels)))
    verify_assert_valid(verify(verify_keys, token=token(8)))
    msg = verify_assert_rejected(verify(verify_keys, token=token(9)), "delegation_too_deep")
    assert "deeper than 8" in msg
    verify_assert_valid(verify(verify_keys, "--max-delegation-depth", "32", token=token(31)))
    # 32 act levels nest 33 deep: JSON's depth bound refuses the token before the act check.
    msg = verify_assert_rejected(verify(verify_keys, "--max-delegation-depth", "32", token=token(32)), "malformed")
    assert "nesting deeper than 32" in msg
    p = verify(verify_keys, "--max-delegation-depth", "33", token=token(1))
    exit_code_2(p, "--max-delegation-depth must be 0 to 32")


# ---------------------------------------------------------------------------------------------------------------
# --batch lines: the line bound is --max-token-size

def test_batch_line_bound_exact(verify_keys):
    good = hs_token(verify_keys)
    p = verify(verify_keys, "--batch", "--max-token-size", str(len(good)),
               input="\n".join([good, good + "A", good]) + "\n")
    results = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["valid"] for r in results] == [True, False, True], results
    assert results[1]["reason"] == "malformed"
    assert f"more than the limit of {len(good)}" in results[1]["message"], results[1]


def test_batch_endless_line_stays_in_bounded_memory(verify_keys):
    """A line that never ends: wif-verify keeps reading (a stream has no size bound) but keeps nothing; once the
    feed stops, the overlong line is one malformed result."""
    p = subprocess.Popen([str(wif_binary("wif-verify")), "--jwks", str(verify_keys.public["HS256"]), "--aud",
                          VERIFY_AUD, "--now", str(NOW), "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    chunk = b"A" * 65536
    for _ in range(32 * 16):                      # 32 MiB without a newline
        p.stdin.write(chunk)
    out, err = p.communicate(input=b"\n" + hs_token(verify_keys).encode() + b"\n", timeout=60)
    results = [json.loads(x) for x in out.decode().splitlines()]
    assert [r["valid"] for r in results] == [False, True], err
    assert str(32 << 20) in results[0]["message"], results[0]


# ---------------------------------------------------------------------------------------------------------------
# Request body: 256 KiB

def request(keys, *args, input=None):
    return wif_run("wif-verify", "request", "--jwks", keys.public["HS256"], "--aud", VERIFY_AUD, "--now", NOW,
                   *args, input=input)


def test_request_body_bound_exact(verify_keys):
    body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + hs_token(verify_keys)
    body += "&pad=" + "x" * (MAX_BODY - len(body) - 5)
    assert len(body) == MAX_BODY
    p = request(verify_keys, input=body)
    assert p.returncode == 0, p.stderr
    assert "access_token" in json.loads(p.stdout)
    p = request(verify_keys, input=body + "x")
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)["error"] == "invalid_request"
    assert "larger than 262144 bytes" in p.stderr, p.stderr


def test_request_body_from_an_endless_stdin(verify_keys):
    p, written, secs = run_from_generator(["wif-verify", "request", "--jwks", verify_keys.public["HS256"], "--aud",
                                           VERIFY_AUD, "--now", NOW], chunk=b"a=b&" * 1024)
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)["error"] == "invalid_request"
    assert secs < 10
    assert written <= MAX_BODY + 1 + 65536 + 2 * 4096


def test_wide_request_body_is_linear(verify_keys):
    grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
    body = "&".join(f"p{i}=v" for i in range(20_000)) + "&" + grant
    start = time.monotonic()
    p = request(verify_keys, input=body)
    assert p.returncode == 1 and json.loads(p.stdout)["error"] == "invalid_request", p.stderr
    start2 = time.monotonic()
    q = wif_run("wif-inspect", "--json", "-", input=body)
    assert q.returncode in (0, 1), q.stderr
    assert start2 - start < 10 and time.monotonic() - start2 < 10


# ---------------------------------------------------------------------------------------------------------------
# RSA: moduli above 16384 bits, exponents that are even, < 3 or > 64 bits

def der_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def der_int(i):
    return der(2, i.to_bytes(i.bit_length() // 8 + 1, "big"))


def rsa_spki_pem(n, e):
    import base64
    key = der(0x30, der_int(n) + der_int(e))
    spki = der(0x30, der(0x30, bytes.fromhex("06092a864886f70d0101010500")) + der(3, b"\0" + key))
    b = base64.b64encode(spki).decode()
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + \
        "\n-----END PUBLIC KEY-----\n"


def rsa_n(keys):
    from conftest import b64u_decode
    return int.from_bytes(b64u_decode(keys.public_jwk("RS256")["n"]), "big")


@pytest.mark.parametrize("e", [1, 2, 4, 65536, (1 << 64) + 1, (1 << 70) + 1])
def test_rsa_bad_exponents_refused_in_jwk_and_pem(verify_keys, tmp_path, e):
    n = rsa_n(verify_keys)
    jwk = dict(verify_keys.public_jwk("RS256"), e=b64u_encode(e.to_bytes((e.bit_length() + 7) // 8, "big")))
    jwk_file = tmp_path / "key.jwk"
    jwk_file.write_text(json.dumps(jwk))
    pem_file = tmp_path / "key.pem"
    pem_file.write_text(rsa_spki_pem(n, e))
    for f in (jwk_file, pem_file):
        p = wif_run("wif-verify", "--jwks", f, "--aud", VERIFY_AUD, "--now", NOW, "a.b.c")
        exit_code_2(p, 'public exponent "e" must be odd, at least 3 and at most 64 bits')
    # In a set, the key is skipped, and the set has no usable key left.
    jwks_file = tmp_path / "set.jwks"
    jwks_file.write_text(json.dumps({"keys": [jwk]}))
    p = wif_run("wif-verify", "--jwks", jwks_file, "--aud", VERIFY_AUD, "--now", NOW, "a.b.c")
    exit_code_2(p, "no usable verification key")


@pytest.mark.parametrize("e", [3, 65537, (1 << 64) - 1])
def test_rsa_good_exponents_accepted(verify_keys, tmp_path, e):
    n = rsa_n(verify_keys)
    pem_file = tmp_path / "key.pem"
    pem_file.write_text(rsa_spki_pem(n, e))
    p = wif_run("wif-verify", "--jwks", pem_file, "--aud", VERIFY_AUD, "--now", NOW, "a.b.c")
    verify_assert_rejected(p, "malformed")


@pytest.mark.parametrize("bits", [16385, 16392, 20000])
def test_rsa_moduli_above_16384_bits_refused_fast(tmp_path, bits):
    import random
    rnd = random.Random(bits)
    n = rnd.getrandbits(bits) | (1 << (bits - 1)) | 1
    pem_file = tmp_path / "big.pem"
    pem_file.write_text(rsa_spki_pem(n, 65537))
    jwk_file = tmp_path / "big.jwk"
    jwk_file.write_text(json.dumps({"kty": "RSA", "n": b64u_encode(n.to_bytes((bits + 7) // 8, "big")), "e": "AQAB"}))
    for f in (pem_file, jwk_file):
        start = time.monotonic()
        p = wif_run("wif-verify", "--jwks", f, "--aud", VERIFY_AUD, "--now", NOW, "a.b.c")
        exit_code_2(p, f"has {bits} bits; wif refuses moduli above 16384 bits")
        assert time.monotonic() - start < 10
