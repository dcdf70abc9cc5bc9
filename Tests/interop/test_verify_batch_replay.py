# SPDX-License-Identifier: Apache-2.0
"""`wif-verify --batch`, size bounds and malformed input, and the replay cache under concurrency.

Batch: one JSON result a line, in input order; exit 0 when all are valid, 1 when any is rejected; a 10 MB line is
reported as malformed without being kept in memory, and the lines after it still verify.
Replay cache (`--replay-cache FILE`): of two processes presenting one jti at once exactly one wins; the file is
mode 0600; expired entries are pruned; tokens without jti are remembered by a hash of their signing input, and
`--require jti` rejects them instead. Issue 11: a token without exp is refused (replay_needs_exp); the lock is
held per update with a bounded wait (--lock-timeout); the clock is read per token in --batch; the cache and lock
files must be regular files of the caller, not writable by others, with exact lines.
"""
import json
import os
import select
import stat
import subprocess
import time

import pytest

from conftest import (VERIFY_AUD, VERIFY_ISS, VERIFY_NOW, VERIFY_SUB, b64u_decode, b64u_encode,
                      verify_assert_json_rejected, verify_assert_rejected, verify_assert_valid, verify_claims,
                      verify_jws, wif_binary, wif_ok, wif_run)

NOW = VERIFY_NOW
BIG = 10 * 1000 * 1000


def mint(keys, *args, alg="ES256"):
    return wif_ok("wif-mint", "token", "-k", keys.private[alg], "--iss", VERIFY_ISS, "--sub", VERIFY_SUB,
                  "--aud", VERIFY_AUD, "--now", NOW, *args).strip()


def verify_cmd(keys, *args, alg="ES256"):
    return [str(wif_binary("wif-verify")), "--jwks", str(keys.public[alg]), "--aud", VERIFY_AUD, "--now", str(NOW),
            *map(str, args)]


def run_batch(keys, data, *args, alg="ES256"):
    p = subprocess.run(verify_cmd(keys, "--batch", *args, alg=alg), input=data, capture_output=True, timeout=60)
    lines = p.stdout.decode().splitlines()
    return p, [json.loads(line) for line in lines]


def run_with_rusage(cmd, stdin_path):
    """Runs cmd with stdin from a file; returns (exit status, stdout bytes, stderr bytes, max RSS in KiB, seconds).
    os.wait4 gives the resource usage of exactly this child."""
    with open(stdin_path, "rb") as fin:
        t = time.monotonic()
        p = subprocess.Popen(cmd, stdin=fin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.stdout.read(), p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - t
    return p.returncode, out, err, ru.ru_maxrss, elapsed


# ---------------------------------------------------------------------------------------------------------------
# Batch mode

def test_batch_mixed_lines_in_order(verify_keys):
    good = [mint(verify_keys, "--jti", f"b{i}") for i in range(3)]
    expired = mint(verify_keys, "--iat", NOW - 900, "--exp", NOW - 600)
    tampered = good[0][:-4] + ("AAAA" if not good[0].endswith("AAAA") else "BBBA")
    lines = [good[0], "not-a-token", good[1], expired, tampered, "", good[2], good[0] + "\r"]
    p, results = run_batch(verify_keys, ("\n".join(lines) + "\n").encode())
    assert p.returncode == 1, p.stderr
    assert p.stderr == b""
    assert len(results) == len(lines)
    want = [None, "malformed", None, "expired", "bad_signature", "malformed", None, None]
    for n, (line, r, reason) in enumerate(zip(lines, results, want), start=1):
        assert r["line"] == n, r                 # traceable: the 1-based input line
        if reason is None:
            assert r["valid"] is True, (line, r)
            assert r["claims"] == json.loads(b64u_decode(line.strip().split(".")[1]))
            assert r["kid"] == "es256" and r["alg"] == "ES256" and r["header"]["alg"] == "ES256"
        else:
            claims = {}
            if line.count(".") == 2:
                claims = json.loads(b64u_decode(line.split(".")[1]))
            # A rejected token that parsed names its jti and sub.
            extra = {k: claims[k] for k in ("jti", "sub") if k in claims}
            assert r == {"valid": False, "line": n, "error": "invalid_grant", "reason": reason,
                         "message": r["message"], **extra}, r


def test_batch_all_valid_exit_0(verify_keys):
    tokens = wif_ok("wif-mint", "token", "-k", verify_keys.private["EdDSA"], "--iss", VERIFY_ISS, "--sub",
                    VERIFY_SUB, "--aud", VERIFY_AUD, "--now", NOW, "--count", 50)
    assert tokens.count("\n") == 50
    p, results = run_batch(verify_keys, tokens.encode(), alg="EdDSA")
    assert p.returncode == 0, p.stderr
    assert p.stderr == b""
    assert [r["valid"] for r in results] == [True] * 50
    assert len({r["claims"]["jti"] for r in results}) == 50


def test_batch_last_line_without_newline(verify_keys):
    t = mint(verify_keys)
    p, results = run_batch(verify_keys, (t + "\n" + t).encode())
    assert p.returncode == 0 and [r["valid"] for r in results] == [True, True]


def test_batch_empty_input(verify_keys):
    """Zero tokens is nothing to judge (exit 2), never a vacuous pass a broken pipeline could hide behind."""
    p, results = run_batch(verify_keys, b"")
    assert p.returncode == 2 and results == [] and p.stdout == b""
    assert b"holds no token" in p.stderr


def test_batch_10mb_line_bounded_memory(verify_keys, tmp_path):
    """A 10 MB line is one malformed result; the lines around it verify; max RSS stays far below 10 MB more than
    a small batch (the line is skipped, not kept)."""
    t1, t2, t3 = (mint(verify_keys, "--jti", f"m{i}") for i in range(3))
    small = tmp_path / "small.txt"
    small.write_bytes(f"{t1}\n{t2}\n".encode())
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.write(f"{t1}\n".encode())
        f.write(b"A" * BIG + b"\n")
        f.write(f"{t2}\n".encode())
        f.write(b"eyJ" * (BIG // 3) + b".x.y\n")       # a second big line, with dots
        f.write(f"{t3}\n".encode())
    cmd = verify_cmd(verify_keys, "--batch")
    rc0, out0, _, rss_small, _ = run_with_rusage(cmd, small)
    assert rc0 == 0
    rc, out, err, rss_big, secs = run_with_rusage(cmd, big)
    results = [json.loads(line) for line in out.decode().splitlines()]
    assert rc == 1, err
    assert [r["valid"] for r in results] == [True, False, True, False, True]
    for r in (results[1], results[3]):
        assert r["reason"] == "malformed" and r["error"] == "invalid_grant", r
    assert str(BIG) in results[1]["message"], results[1]
    assert [r["claims"]["jti"] for r in results if r["valid"]] == ["m0", "m1", "m2"]
    assert rss_big - rss_small < 4 * 1024, f"max RSS grew by {rss_big - rss_small} KiB for a 10 MB line"
    assert secs < 20


def test_single_10mb_token_on_stdin_is_malformed_quickly(verify_keys, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"A" * BIG)
    rc, out, err, rss, secs = run_with_rusage(verify_cmd(verify_keys), big)
    p = subprocess.CompletedProcess([], rc, out, err)
    msg = verify_assert_rejected(p, "malformed")
    assert "65536" in msg
    assert secs < 5, f"took {secs:.1f}s"
    # Linux counts a child's max RSS from before its exec (the forked Python image), so compare with a child
    # that reads nothing: the difference is what wif-verify itself used.
    _, _, _, baseline, _ = run_with_rusage(["true"], big)
    assert rss - baseline < 64 * 1024, f"max RSS {rss} KiB (baseline {baseline}): the input was read beyond the bound"


def test_single_10mb_token_argument_is_malformed(verify_keys):
    """As an argument (the kernel allows one argument of up to 128 KiB): of compact shape, it is judged malformed
    (too long); without dots it is neither a token nor a file: exit 2 naming it, never a judgement."""
    big = "A" * 50_000
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256"], "--aud", VERIFY_AUD, f"{big}.{big}.AAAA")
    verify_assert_rejected(p, "malformed")
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256"], "--aud", VERIFY_AUD, "A" * 100_000)
    assert p.returncode == 2 and "neither an existing file nor a compact token" in p.stderr, p.stderr


def test_max_token_size_option(verify_keys):
    t = mint(verify_keys)
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256"], "--aud", VERIFY_AUD, "--now", NOW,
                "--max-token-size", len(t) - 1, t)
    verify_assert_rejected(p, "malformed")
    p = wif_run("wif-verify", "--jwks", verify_keys.public["ES256"], "--aud", VERIFY_AUD, "--now", NOW,
                "--max-token-size", len(t), t)
    verify_assert_valid(p)


def _malformed_inputs(keys):
    good = verify_jws({"alg": "ES256", "kid": "es256"}, verify_claims(), keys.jwk("ES256"))
    h, p, s = good.split(".")
    key = keys.jwk("ES256")
    return {
        "invalid-utf8-byte": (f"{h}.{p}.".encode() + b"\xff\xfe" + s.encode()),
        "invalid-utf8-in-header-json": verify_jws(b'{"alg":"ES256","x":"\xc3\x28"}', verify_claims(), key,
                                                  alg="ES256").encode(),
        "invalid-utf8-in-payload-json": verify_jws({"alg": "ES256"}, b'{"sub":"\xed\xa0\x80"}', key).encode(),
        "one-segment": h.encode(),
        "two-segments": f"{h}.{p}".encode(),
        "four-segments": f"{h}.{p}.{s}.{s}".encode(),
        "bad-base64url-header": f"{h[:-1]}!.{p}.{s}".encode(),
        "bad-base64url-length": f"{h}.{p}{'A' * ((1 - len(p)) % 4)}.{s}".encode(),      # length 1 mod 4
        "base64-padding": f"{h}.{p}.{s}==".encode(),
        "std-base64-chars": f"{h}.{p}.{s[:-2]}+/".encode(),
        "non-object-payload-array": verify_jws({"alg": "ES256"}, b"[1,2]", key).encode(),
        "non-object-payload-string": verify_jws({"alg": "ES256"}, b'"sub"', key).encode(),
        "non-object-payload-number": verify_jws({"alg": "ES256"}, b"42", key).encode(),
        "non-object-header": f"{b64u_encode(b'[]')}.{p}.{s}".encode(),
        "duplicate-members": verify_jws({"alg": "ES256"}, b'{"sub":"a","sub":"b"}', key).encode(),
        "deep-json": verify_jws({"alg": "ES256"}, b'{"x":' + b"[" * 5000 + b"]" * 5000 + b"}", key).encode(),
        "nul-byte": f"{h}.{p}".encode() + b"\x00." + s.encode(),
    }


MALFORMED_IDS = ["invalid-utf8-byte", "invalid-utf8-in-header-json", "invalid-utf8-in-payload-json", "one-segment",
                 "two-segments", "four-segments", "bad-base64url-header", "bad-base64url-length", "base64-padding",
                 "std-base64-chars", "non-object-payload-array", "non-object-payload-string",
                 "non-object-payload-number", "non-object-header", "duplicate-members", "deep-json", "nul-byte"]


@pytest.mark.parametrize("case", MALFORMED_IDS)
def test_malformed_single_on_stdin(case, verify_keys):
    data = _malformed_inputs(verify_keys)[case]
    p = subprocess.run(verify_cmd(verify_keys, "--profile", "none"), input=data, capture_output=True, timeout=30)
    verify_assert_rejected(p, "malformed")
    p = subprocess.run(verify_cmd(verify_keys, "--profile", "none", "--json"), input=data, capture_output=True,
                       timeout=30)
    verify_assert_json_rejected(p, "malformed")


def test_malformed_all_in_one_batch(verify_keys):
    cases = _malformed_inputs(verify_keys)
    good = mint(verify_keys).encode()
    data = b"".join(cases[c] + b"\n" + good + b"\n" for c in MALFORMED_IDS)
    p, results = run_batch(verify_keys, data, "--profile", "none")
    assert p.returncode == 1, p.stderr
    assert len(results) == 2 * len(MALFORMED_IDS)
    for i, c in enumerate(MALFORMED_IDS):
        assert results[2 * i]["reason"] == "malformed", (c, results[2 * i])
        assert results[2 * i + 1]["valid"] is True, (c, results[2 * i + 1])


# ---------------------------------------------------------------------------------------------------------------
# Replay cache

def replay_cmd(keys, cache, *args):
    return verify_cmd(keys, "--replay-cache", cache, *args)


def test_replay_concurrent_pairs_exactly_one_wins(verify_keys, tmp_path):
    """20 pairs started at once, all 40 processes on one cache file; each pair presents its own token."""
    cache = tmp_path / "replay.cache"
    tokens = wif_ok("wif-mint", "token", "-k", verify_keys.private["ES256"], "--iss", VERIFY_ISS, "--sub", VERIFY_SUB,
                    "--aud", VERIFY_AUD, "--now", NOW, "--count", 20).split()
    assert len(set(tokens)) == 20
    procs = []
    for t in tokens:
        procs.append([subprocess.Popen(replay_cmd(verify_keys, cache, "--json", t), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE) for _ in range(2)])
    outcomes = []
    for pair in procs:
        results = []
        for pr in pair:
            out, err = pr.communicate(timeout=60)
            assert err == b"", err
            results.append((pr.returncode, json.loads(out)))
        outcomes.append(results)
    for i, results in enumerate(outcomes):
        codes = sorted(rc for rc, _ in results)
        assert codes == [0, 1], f"pair {i}: exit statuses {codes}: {results}"
        loser = next(o for rc, o in results if rc == 1)
        assert loser["reason"] == "replayed_jti", loser
    # No update was lost: every token is now remembered.
    lines = cache.read_text().splitlines()
    assert len(lines) == 20, lines
    for t in tokens:
        verify_assert_rejected(subprocess.run(replay_cmd(verify_keys, cache, t), capture_output=True, text=True),
                               "replayed_jti")


def test_replay_same_token_many_processes(verify_keys, tmp_path):
    """Ten processes with the very same token at once: exactly one is accepted."""
    cache = tmp_path / "replay.cache"
    t = mint(verify_keys)
    procs = [subprocess.Popen(replay_cmd(verify_keys, cache, t), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(10)]
    codes = [(pr.wait(timeout=60), pr.stderr.read().decode()) for pr in procs]
    assert sorted(c for c, _ in codes) == [0] + [1] * 9, codes
    assert all("(replayed_jti)" in e for c, e in codes if c == 1), codes


def test_replay_lock_not_held_while_reading_stdin(verify_keys, tmp_path):
    """A verifier still waiting for its token on stdin must not hold the cache lock: another process with the
    same cache finishes meanwhile."""
    cache = tmp_path / "replay.cache"
    waiting = subprocess.Popen(replay_cmd(verify_keys, cache, "-"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        time.sleep(0.3)
        p = subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True, text=True,
                           timeout=15)
        verify_assert_valid(p)
        out, err = waiting.communicate((mint(verify_keys) + "\n").encode(), timeout=30)
        assert waiting.returncode == 0, err
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
    assert len(cache.read_text().splitlines()) == 2


def test_replay_cache_file_mode_and_format(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    old = os.umask(0o022)
    try:
        verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True,
                                           text=True))
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600, oct(cache.stat().st_mode)
    lines = cache.read_text().splitlines()
    assert len(lines) == 1
    expiry, key = lines[0].split(" ")
    assert int(expiry) == NOW + 300 + 60            # exp + leeway
    assert len(b64u_decode(key)) == 32              # SHA-256, no token or jti in clear
    assert not list(tmp_path.glob(".*wif-*")), "temporary file left behind"


def test_replay_expired_entries_pruned(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    first = mint(verify_keys, "--jti", "early")
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, first), capture_output=True, text=True))
    assert len(cache.read_text().splitlines()) == 1
    later = NOW + 3600
    second = wif_ok("wif-mint", "token", "-k", verify_keys.private["ES256"], "--iss", VERIFY_ISS, "--sub", VERIFY_SUB,
                    "--aud", VERIFY_AUD, "--now", later, "--jti", "late").strip()
    cmd = [str(wif_binary("wif-verify")), "--jwks", str(verify_keys.public["ES256"]), "--aud", VERIFY_AUD,
           "--now", str(later), "--replay-cache", str(cache), second]
    verify_assert_valid(subprocess.run(cmd, capture_output=True, text=True))
    lines = cache.read_text().splitlines()
    assert len(lines) == 1, lines
    assert int(lines[0].split(" ")[0]) == later + 300 + 60


def test_replay_rejected_token_not_remembered(verify_keys, tmp_path):
    """A token rejected for another reason never enters the cache (Validator.swift step 10)."""
    cache = tmp_path / "replay.cache"
    t = mint(verify_keys, "--jti", "x1")
    verify_assert_rejected(subprocess.run(replay_cmd(verify_keys, cache, "--reject-sub", VERIFY_SUB, t),
                                          capture_output=True, text=True), "subject_rejected")
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, t), capture_output=True, text=True))


def test_replay_same_jti_other_issuer_is_distinct(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    a = mint(verify_keys, "--jti", "shared")
    b = mint(verify_keys, "--jti", "shared", "--iss", "https://issuer-2.example")
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, a), capture_output=True, text=True))
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, b), capture_output=True, text=True))
    verify_assert_rejected(subprocess.run(replay_cmd(verify_keys, cache, a), capture_output=True, text=True),
                           "replayed_jti")


def test_replay_no_jti_keyed_by_token_hash(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    t1 = mint(verify_keys, "--no-jti")
    t2 = mint(verify_keys, "--no-jti", "--iat", NOW - 1)
    assert "jti" not in json.loads(b64u_decode(t1.split(".")[1]))
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, t1), capture_output=True, text=True))
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, t2), capture_output=True, text=True))
    msg = verify_assert_rejected(subprocess.run(replay_cmd(verify_keys, cache, t1), capture_output=True, text=True),
                                 "replayed_jti")
    assert "no jti" in msg
    p = subprocess.run(replay_cmd(verify_keys, cache, "--require", "jti", mint(verify_keys, "--no-jti", "--iat",
                                                                                NOW - 2)),
                       capture_output=True, text=True)
    verify_assert_rejected(p, "missing_claim")


def test_replay_in_batch_mode(verify_keys, tmp_path):
    """Within one batch the second sight is rejected too, and the cache is written at the end."""
    cache = tmp_path / "replay.cache"
    t = mint(verify_keys)
    u = mint(verify_keys)
    p, results = run_batch(verify_keys, f"{t}\n{u}\n{t}\n".encode(), "--replay-cache", cache)
    assert p.returncode == 1
    assert [r.get("reason") for r in results] == [None, None, "replayed_jti"]
    assert len(cache.read_text().splitlines()) == 2


def test_replay_corrupt_cache_is_exit_2(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    cache.write_text("this is not a cache line\n")
    p = subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("wif-verify: ") and "replay cache" in p.stderr
    assert cache.read_text() == "this is not a cache line\n"


# ---------------------------------------------------------------------------------------------------------------
# Issue 11: hostile cache files, stale clocks, tokens without exp

def test_replay_needs_exp(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    t = mint(verify_keys, "--no-exp")
    p = subprocess.run(replay_cmd(verify_keys, cache, "--profile", "none", t), capture_output=True, text=True)
    msg = verify_assert_rejected(p, "replay_needs_exp")
    assert "no exp" in msg
    assert not cache.exists()


def test_max_lifetime_requires_exp(verify_keys):
    t = mint(verify_keys, "--no-exp")
    p = subprocess.run(verify_cmd(verify_keys, "--profile", "none", "--max-lifetime", "1h", t), capture_output=True,
                       text=True)
    verify_assert_rejected(p, "missing_claim")


def test_replay_fifo_cache_does_not_hang(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    os.mkfifo(cache)
    p = subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and p.stdout == "", p
    assert "is a FIFO" in p.stderr and str(cache) in p.stderr


def test_replay_dangling_lock_symlink_not_followed(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    os.symlink(tmp_path / "created-by-lock", str(cache) + ".lock")
    p = subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "symbolic link" in p.stderr, p
    assert not (tmp_path / "created-by-lock").exists()


def test_replay_cache_writable_by_others_refused(verify_keys, tmp_path):
    cache = tmp_path / "replay.cache"
    cache.write_text("")
    os.chmod(cache, 0o666)
    p = subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "writable by group or others" in p.stderr, p


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another user")
def test_replay_cache_of_another_user_refused(verify_keys, tmp_path):
    """Pre-creating the cache in a shared directory marked a victim's jti as seen."""
    t = mint(verify_keys, "--jti", "victim")
    cache = tmp_path / "replay.cache"
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, tmp_path / "mine", t), capture_output=True, text=True))
    cache.write_bytes((tmp_path / "mine").read_bytes())
    os.chown(cache, 65534, 65534)
    p = subprocess.run(replay_cmd(verify_keys, cache, t), capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "belongs to user 65534" in p.stderr, p


@pytest.mark.parametrize("damage", ["truncated", "crlf", "extra"])
def test_replay_damaged_line_is_unusable(verify_keys, tmp_path, damage):
    """A truncated last line or CRLF endings parsed, the entry no longer matched, and the token was accepted again."""
    cache = tmp_path / "replay.cache"
    t = mint(verify_keys)
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, mint(verify_keys)), capture_output=True,
                                       text=True))
    verify_assert_valid(subprocess.run(replay_cmd(verify_keys, cache, t), capture_output=True, text=True))
    text = cache.read_bytes()
    damaged = {"truncated": text[:-3], "crlf": text.replace(b"\n", b"\r\n"),
               "extra": text.replace(b"\n", b" x\n")}[damage]
    cache.write_bytes(damaged)
    p = subprocess.run(replay_cmd(verify_keys, cache, t), capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "line " in p.stderr and "unusable" in p.stderr, p
    assert cache.read_bytes() == damaged


def test_replay_lock_timeout_busy(verify_keys, tmp_path):
    import fcntl
    cache = tmp_path / "replay.cache"
    with open(str(cache) + ".lock", "w") as lock:
        os.chmod(lock.name, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        start = time.monotonic()
        p = subprocess.run(replay_cmd(verify_keys, cache, "--lock-timeout", "1", mint(verify_keys)),
                           capture_output=True, text=True, timeout=20)
        waited = time.monotonic() - start
    assert p.returncode == 2 and "replay cache busy" in p.stderr, p
    assert 1 <= waited < 8, waited


def test_lock_timeout_needs_replay_cache(verify_keys):
    p = subprocess.run(verify_cmd(verify_keys, "--lock-timeout", "1", mint(verify_keys)), capture_output=True,
                       text=True)
    assert p.returncode == 2 and "--lock-timeout" in p.stderr


def test_idle_batch_does_not_hold_the_lock(verify_keys, tmp_path):
    """An idle --batch held the cache lock, blocking every other verifier on that cache without limit."""
    cache = tmp_path / "replay.cache"
    batch = subprocess.Popen(replay_cmd(verify_keys, cache, "--batch"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        batch.stdin.write((mint(verify_keys) + "\n").encode())
        batch.stdin.flush()
        deadline = time.monotonic() + 20
        while not cache.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        p = subprocess.run(replay_cmd(verify_keys, cache, "--lock-timeout", "2", mint(verify_keys)),
                           capture_output=True, text=True, timeout=20)
        verify_assert_valid(p)
        out, err = batch.communicate(b"", timeout=20)
        assert batch.returncode == 0, err
        assert json.loads(out)["valid"] is True
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert len(cache.read_text().splitlines()) == 2


def test_batch_answers_each_token_before_reading_the_next(verify_keys, tmp_path):
    """A producer that sends one token and waits for its answer before the next got nothing until standard input
    closed: the results were buffered. With a replay cache the tokens read so far are also spent before the batch
    waits for more, so the first token sent again after its answer is a replay."""
    cache = tmp_path / "replay.cache"
    t, u = mint(verify_keys), mint(verify_keys)
    batch = subprocess.Popen(verify_cmd(verify_keys, "--batch", "--replay-cache", cache), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    answers, pending = [], b""
    fd = batch.stdout.fileno()
    try:
        # The second write ends in an empty line: its answer, and the token's before it, come at once too.
        for chunk, n in ((t + "\n", 1), (u + "\n\n", 2), (t + "\n", 1)):
            batch.stdin.write(chunk.encode())
            batch.stdin.flush()
            while pending.count(b"\n") < n:
                ready, _, _ = select.select([fd], [], [], 20)
                assert ready, f"no answer to line {len(answers) + 1} while the batch waited for the next token"
                data = os.read(fd, 65536)
                assert data, "the batch closed its output early"
                pending += data
            *lines, pending = pending.split(b"\n")
            answers += [json.loads(line) for line in lines]
        batch.stdin.close()
        assert batch.wait(timeout=20) == 1
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert [a.get("reason") for a in answers] == [None, None, "malformed", "replayed_jti"]
    assert [a["line"] for a in answers] == [1, 2, 3, 4]
    assert len(cache.read_text().splitlines()) == 2


def test_batch_reads_the_clock_per_token(verify_keys, tmp_path):
    """--batch read the clock once: a token past exp + leeway was accepted late in a long batch."""
    now = int(time.time())
    def fresh(jti):
        return wif_ok("wif-mint", "token", "-k", verify_keys.private["ES256"], "--iss", VERIFY_ISS, "--sub", VERIFY_SUB,
                      "--aud", VERIFY_AUD, "--now", now, "--exp", now + 2, "--jti", jti).strip()
    first, second = fresh("first"), fresh("second")
    cmd = [str(wif_binary("wif-verify")), "--jwks", str(verify_keys.public["ES256"]), "--aud", VERIFY_AUD,
           "--leeway", "0", "--batch"]
    batch = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        batch.stdin.write((first + "\n").encode())
        batch.stdin.flush()
        time.sleep(max(0, now + 3 - time.time()))
        out, _ = batch.communicate((second + "\n").encode(), timeout=20)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    results = [json.loads(line) for line in out.decode().splitlines()]
    assert [r.get("reason") for r in results] == [None, "expired"], results
