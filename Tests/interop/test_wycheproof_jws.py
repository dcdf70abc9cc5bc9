# SPDX-License-Identifier: Apache-2.0
"""Wycheproof `json_web_signature_test.json` through the built `wif-verify` (issue 3 item 3).

Every vector runs as `wif-verify --profile none --jwks <the group's key as a one-key JWKS> --json -- <jws>`:
  - `valid` must exit 0, `invalid` must exit 1; exit 2 only where the key itself is unusable for verification
    (its `use` or `key_ops` forbid it), counted exactly;
  - a rejected `invalid` vector must not fail only at the payload stage (that would mean its signature verified),
    and vectors flagged ModifiedSignature/ModifiedPadding/AlgIsNone must fail with bad_signature/alg_none.

Where a `valid` vector cannot exit 0, the cause is a deliberate wif policy, not a Core bug. Those vectors are
checked to fail for exactly that policy (and, where possible, shown to carry a good signature), then reported as
skipped with the policy as the reason; test_census asserts how many there are of each:
  - payload-not-jwt   wif-verify judges JWTs: the payload must be a JSON object (RFC 7519 §7.2 step 10). All
                      Wycheproof payloads are arbitrary bytes ("foo", "Test", ""), so no `valid` vector can exit 0.
                      The payload is parsed only after the signature verified (Validator.swift steps 5-6), so the
                      reason `malformed` with a message about the payload shows the signature was accepted.
  - strict-base64url  a `?` inside a segment; wif accepts only base64url characters and dots (REFERENCES §1.1,
                      RFC 8725bis format check), whatever lenient decoders do.
  - key-alg-unknown   the JWK says alg "ES521", not a JWS algorithm; such a key is unusable (RFC 8725 §3.1: a key
                      is used with its one alg) -> exit 2 "no usable verification key". Without its alg member the
                      same key verifies the signature.
  - key-alg-differs   a PS384 token (RFC 7520 Figure 20) against a JWK whose alg is PS256 -> alg_not_allowed.
                      Without its alg member the same key verifies the signature.
Also counted:
  - json-serialization  the one JSON-serialized vector (invalid): not compact, rejected as malformed (run, not
                        skipped, since rejection is its expected result). JWE vectors: none.
  - key-unusable        invalid vectors whose key has use "enc" or key_ops without "verify": exit 2.
  - duplicate-of-valid  two `invalid` vectors (367 and 370, "invalidBase64Padding...") whose JWS is byte-for-byte
                        the `valid` vector 357 of the same key: a data error in the vector file. They are checked to
                        behave exactly as 357 and reported as skipped.
"""
import collections
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO_ROOT, b64u_decode, wif_binary

FIXTURE = REPO_ROOT / "Tests" / "Fixtures" / "wycheproof" / "json_web_signature_test.json"
SHARED = Path("/work/shared/vectors/wycheproof/json_web_signature_test.json")
if not FIXTURE.exists() and SHARED.exists():
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHARED, FIXTURE)

DATA = json.loads(FIXTURE.read_text())
JWS_ALGS = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
            "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448"}
B64URL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
EXPECTED_COUNTS = {
    "valid": 0, "payload-not-jwt": 40, "strict-base64url": 2, "key-alg-unknown": 2, "key-alg-differs": 2,
    "invalid": 348, "json-serialization": 1, "jwe": 0, "key-unusable": 4, "duplicate-of-valid": 2,
}


def group_key(g):
    """The verification key: the group's public JWK, or (HMAC groups) its secret JWK."""
    return g.get("public") or g["private"]


def jws_text(t):
    j = t["jws"]
    return json.dumps(j) if isinstance(j, dict) else j


def payload_bytes(jws):
    try:
        return b64u_decode(jws.split(".")[1])
    except Exception:
        return None


def is_jwt_payload(jws):
    try:
        return isinstance(json.loads(payload_bytes(jws)), dict)
    except Exception:
        return False


def classify(g, t, valid_twins):
    """The category of a vector (see the module docstring)."""
    jws = jws_text(t)
    key = group_key(g)
    if jws.lstrip().startswith("{"):
        return "json-serialization"
    if jws.count(".") == 4:
        return "jwe"
    if t["result"] == "valid":
        header_alg = None
        try:
            header_alg = json.loads(b64u_decode(jws.split(".")[0])).get("alg")
        except Exception:
            pass
        if not set(jws) <= B64URL:
            return "strict-base64url"
        if "alg" in key and key["alg"] not in JWS_ALGS:
            return "key-alg-unknown"
        if "alg" in key and key["alg"] != header_alg:
            return "key-alg-differs"
        return "valid" if is_jwt_payload(jws) else "payload-not-jwt"
    if key.get("use", "sig") != "sig" or ("key_ops" in key and "verify" not in key["key_ops"]):
        return "key-unusable"
    if (id(g), jws) in valid_twins:
        return "duplicate-of-valid"
    return "invalid"


def _cases():
    out = []
    for gi, g in enumerate(DATA["testGroups"]):
        valid_twins = {(id(g), jws_text(t)) for t in g["tests"] if t["result"] == "valid"}
        for t in g["tests"]:
            out.append((gi, g, t, classify(g, t, valid_twins)))
    return out


CASES = _cases()


def _run(jwks_path, jws):
    # On standard input: an argument that is not of compact shape is refused before any judgement (wif(7), the
    # rule for token arguments), while what stdin holds is always judged as the token.
    p = subprocess.run([str(wif_binary("wif-verify")), "--profile", "none", "--jwks", str(jwks_path), "--json", "-"],
                       input=jws.encode("utf-8"), capture_output=True, timeout=60)
    p.stdout, p.stderr = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    return p


@pytest.fixture(scope="module")
def wycheproof_runs(tmp_path_factory):
    """Runs every vector once, a few processes at a time; the tests below assert on the results."""
    folder = tmp_path_factory.mktemp("wycheproof")
    paths = {}
    for gi, g in enumerate(DATA["testGroups"]):
        paths[gi] = folder / f"group{gi}.jwks"
        paths[gi].write_text(json.dumps({"keys": [group_key(g)]}))
    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2))) as pool:
        futures = {t["tcId"]: pool.submit(_run, paths[gi], jws_text(t)) for gi, g, t, _ in CASES}
        return {tc: f.result() for tc, f in futures.items()}, folder


def result_of(p):
    """(exit status, reason or None, message)."""
    if p.returncode in (0, 1) and p.stdout.strip():
        o = json.loads(p.stdout)
        return p.returncode, (None if o.get("valid") else o["reason"]), o.get("message", "")
    return p.returncode, None, p.stderr


def payload_stage(msg):
    """Whether a `malformed` message comes from parsing the payload JSON, which happens after the signature check
    (not from splitting or base64url-decoding the token, which happens before)."""
    return msg.startswith("the payload:") or msg.startswith("the payload is ")


def assert_signature_verified(p, jws):
    """The signature was accepted: exit 0 for a JWT payload, else `malformed` at the payload stage."""
    rc, reason, msg = result_of(p)
    if is_jwt_payload(jws):
        assert rc == 0, (rc, reason, msg)
    else:
        assert (rc, reason) == (1, "malformed") and payload_stage(msg), (rc, reason, msg)
    assert p.stderr == ""


def _ids():
    return [f"tc{t['tcId']}-{t['result']}-{t['comment']}" for _, _, t, _ in CASES]


def test_census():
    counts = collections.Counter(c for _, _, _, c in CASES)
    assert sum(counts.values()) == DATA["numberOfTests"] == 401
    assert dict(counts) == {k: v for k, v in EXPECTED_COUNTS.items() if v}, dict(counts)


@pytest.mark.parametrize("gi,group,test,category", CASES, ids=_ids())
def test_vector(gi, group, test, category, wycheproof_runs):
    runs, folder = wycheproof_runs
    p = runs[test["tcId"]]
    jws = jws_text(test)
    rc, reason, msg = result_of(p)
    assert "Fatal error" not in p.stderr and "Stack dump" not in p.stderr, p.stderr
    if category == "valid":
        assert rc == 0, (reason, msg)
        return
    if category == "payload-not-jwt":
        assert_signature_verified(p, jws)
        pytest.skip("policy payload-not-jwt: the payload is not a JSON object, so not a JWT (RFC 7519 §7.2); "
                    "signature verified")
    if category == "strict-base64url":
        assert (rc, reason) == (1, "malformed") and "only base64url characters" in msg, (rc, reason, msg)
        pytest.skip("policy strict-base64url: only base64url characters and dots in a compact JWS")
    if category in ("key-alg-unknown", "key-alg-differs"):
        if category == "key-alg-unknown":
            assert rc == 2 and "no usable verification key" in msg, (rc, reason, msg)
            assert p.stdout == ""
        else:
            assert (rc, reason) == (1, "alg_not_allowed"), (rc, reason, msg)
        stripped = folder / f"group{gi}-no-alg.jwks"
        stripped.write_text(json.dumps({"keys": [{k: v for k, v in group_key(group).items() if k != "alg"}]}))
        assert_signature_verified(_run(stripped, jws), jws)
        pytest.skip(f"policy {category}: the JWK's own alg {group_key(group)['alg']!r} is enforced "
                    f"(RFC 8725 §3.1); without it the signature verifies")
    if category == "duplicate-of-valid":
        twin = next(t for t in group["tests"] if t["result"] == "valid" and jws_text(t) == jws)
        assert result_of(runs[twin["tcId"]]) == (rc, reason, msg)
        pytest.skip(f"vector data error: byte-identical to valid vector {twin['tcId']} of the same key")
    if category == "key-unusable":
        assert rc == 2, (rc, reason, msg)
        assert p.stdout == "" and "no usable verification key" in msg, (p.stdout, msg)
        return
    if jws.strip() == "":
        # Nothing to judge: exit 2 (input_empty), never a rejection that a broken pipeline could pass as.
        assert rc == 2 and "empty" in p.stderr and p.stdout == "", (rc, p.stderr)
        return
    # invalid, json-serialization
    assert rc == 1, f"invalid vector: exit {rc} ({reason}: {msg})"
    assert p.stderr == "", p.stderr
    assert not payload_stage(msg), f"the signature of an invalid vector verified: {msg}"
    flags = set(test["flags"])
    if category == "json-serialization":
        assert reason == "malformed", (reason, msg)
    if flags & {"ModifiedSignature", "ModifiedPadding"}:
        assert reason == "bad_signature", (reason, msg)
    if "AlgIsNone" in flags:
        assert reason == "alg_none", (reason, msg)
    if "WrongPrimitive" in flags:
        assert reason in ("alg_not_allowed", "alg_key_mismatch", "bad_signature"), (reason, msg)
