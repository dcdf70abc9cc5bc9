# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the end-to-end tests of the built wif binaries (Tests/interop).

Binaries come from $WIF_BIN_DIR (default: .build/debug under the repository root).

Helpers (importable with `from conftest import ...`, since pytest puts this folder on sys.path):
  wif_run(tool, *args, ...)      run a built binary through real pipes, return CompletedProcess
  b64u_encode / b64u_decode      base64url without padding
  jws_split(token)               (header dict, payload dict, signature bytes)
  jwk_thumbprint(jwk)            RFC 7638 SHA-256 thumbprint, computed here in Python
  write_private(path, data)      write a key file with mode 0600
  assert_usage_error(proc, ...)  exit 2, empty stdout, one `tool: ...` stderr line plus an optional hint line

Fixtures (session scope):
  wif_keys      private JWKs made by `wif-mint key`, one per key spec (KEY_SPECS), generated lazily and
                once per session (RSA key generation is slow: never per test)
  py_rsa_key    one 2048-bit RSA private key from `cryptography`, for the reverse-direction tests

Fixture names here are prefixed (`wif_`, `py_`) so that other test modules can add their own.
"""
import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
WIF_BIN_DIR = Path(os.environ.get("WIF_BIN_DIR") or REPO_ROOT / ".build" / "debug").resolve()
GOLDEN_DIR = REPO_ROOT / "Tests" / "Golden"
FIXTURE_KEY_DIR = REPO_ROOT / "Tests" / "Fixtures" / "keys"
RECORD_GOLDEN = os.environ.get("WIF_RECORD_GOLDEN") == "1"

# Every alg wif-mint accepts, in the order of its --help.
WIF_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448"]

# Key specs: an id, the alg, extra `wif-mint key` arguments, and the expected kty / crv.
KEY_SPECS = {
    "HS256": ("HS256", [], "oct", None), "HS384": ("HS384", [], "oct", None), "HS512": ("HS512", [], "oct", None),
    "RS256": ("RS256", [], "RSA", None), "RS384": ("RS384", [], "RSA", None), "RS512": ("RS512", [], "RSA", None),
    "PS256": ("PS256", [], "RSA", None), "PS384": ("PS384", [], "RSA", None), "PS512": ("PS512", [], "RSA", None),
    "ES256": ("ES256", [], "EC", "P-256"), "ES384": ("ES384", [], "EC", "P-384"),
    "ES512": ("ES512", [], "EC", "P-521"), "ES256K": ("ES256K", [], "EC", "secp256k1"),
    "EdDSA": ("EdDSA", [], "OKP", "Ed25519"), "EdDSA-Ed448": ("EdDSA", ["--crv", "Ed448"], "OKP", "Ed448"),
    "Ed25519": ("Ed25519", [], "OKP", "Ed25519"), "Ed448": ("Ed448", [], "OKP", "Ed448"),
}

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}


def wif_binary(tool):
    p = WIF_BIN_DIR / tool
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"{p} is not built: run `swift build` (or set WIF_BIN_DIR)", pytrace=False)
    return p


def wif_run(tool, *args, input=None, text=True, timeout=60, cwd=None, env=None):
    """Runs a built tool with stdin/stdout/stderr as real pipes; bytes `input` (or text=False) means bytes out."""
    binary = not text or isinstance(input, bytes)
    kw = {} if binary else {"encoding": "utf-8", "errors": "surrogateescape"}
    return subprocess.run([str(wif_binary(tool)), *map(str, args)], input=input, capture_output=True,
                          timeout=timeout, cwd=cwd, env=env, **kw)


def wif_ok(tool, *args, **kw):
    """Runs a tool that must succeed; returns stdout."""
    p = wif_run(tool, *args, **kw)
    assert p.returncode == 0, f"{tool} {' '.join(map(str, args))} -> {p.returncode}\n{p.stderr}"
    return p.stdout


def b64u_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def b64u_decode(s):
    if isinstance(s, bytes):
        s = s.decode("ascii")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jws_split(token):
    """Splits a compact JWS into (header dict, payload dict, signature bytes)."""
    token = token.strip()
    h, p, s = token.split(".")
    return json.loads(b64u_decode(h)), json.loads(b64u_decode(p)), b64u_decode(s)


_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
                       "OKP": ("crv", "kty", "x"), "oct": ("k", "kty")}


def jwk_thumbprint(jwk):
    """RFC 7638 §3: SHA-256 over the required members, sorted, no whitespace; base64url."""
    members = {m: jwk[m] for m in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return b64u_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def write_private(path, data):
    """Writes a private key file with mode 0600 (wif-mint warns about group/other-readable key files)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    os.chmod(path, 0o600)
    return path


def public_jwk(jwk):
    return {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}


def assert_usage_error(proc, *needles, tool="wif-mint"):
    """Exit 2, nothing on stdout, one clear `tool: message` line (plus optionally `tool: hint: ...`)."""
    err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode("utf-8", "replace")
    out = proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 2, f"exit {proc.returncode} (want 2); stderr:\n{err}"
    assert out == "", f"stdout should be empty, got {out[:200]!r}"
    assert err.endswith("\n"), f"stderr should end in a newline: {err!r}"
    lines = err.rstrip("\n").split("\n")
    assert 1 <= len(lines) <= 2, f"want one message line and at most one hint line:\n{err}"
    assert lines[0].startswith(f"{tool}: ") and not lines[0].startswith(f"{tool}: hint:"), lines[0]
    assert len(lines[0]) > len(tool) + 10, f"message too short to be clear: {lines[0]!r}"
    if len(lines) == 2:
        assert lines[1].startswith(f"{tool}: hint: "), lines[1]
    for bad in ("Fatal error", "Stack dump", "Illegal instruction", "Segmentation", "\x1b["):
        assert bad not in err, err
    for n in needles:
        assert n.lower() in err.lower(), f"{n!r} not in stderr:\n{err}"
    return lines[0]


class WifKeyCache:
    """Private JWKs printed by `wif-mint key --alg ALG` (default kid: the thumbprint), made on first use and
    kept for the session. `stdout(spec)` is exactly what the tool printed."""

    def __init__(self, folder):
        self.folder = folder
        self._paths = {}
        self._stdout = {}

    def stdout(self, spec):
        if spec not in self._stdout:
            alg, extra, _, _ = KEY_SPECS[spec]
            p = wif_run("wif-mint", "key", "--alg", alg, *extra)
            assert p.returncode == 0 and p.stderr == "", f"wif-mint key --alg {alg} {extra}: {p.stderr}"
            self._stdout[spec] = p.stdout
        return self._stdout[spec]

    def path(self, spec):
        if spec not in self._paths:
            p = write_private(self.folder / f"{spec}.jwk", self.stdout(spec))
            self._paths[spec] = p
        return self._paths[spec]

    def kid(self, spec):
        return self.jwk(spec)["kid"]

    def jwk(self, spec):
        return json.loads(self.path(spec).read_text())

    def jwks_path(self, spec):
        """The public JWKS printed by `wif-mint jwks` (for oct keys: the key file itself)."""
        p = self.folder / f"{spec}.jwks"
        if not p.exists():
            if KEY_SPECS[spec][2] == "oct":
                return self.path(spec)
            p.write_text(wif_ok("wif-mint", "jwks", self.path(spec)))
        return p


@pytest.fixture(scope="session")
def wif_keys(tmp_path_factory):
    return WifKeyCache(tmp_path_factory.mktemp("wif-keys"))


@pytest.fixture(scope="session")
def py_rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)

# ---- BEGIN wif-verify interop helpers (test_verify_*.py, test_wycheproof_jws.py) --------------------------------
# Everything in this block is named verify_* / VERIFY_* (helpers) or verify_* (fixtures), so it can live next to
# other engineers' helpers. It relies only on wif_run, wif_ok, b64u_encode and b64u_decode above.
#
#   verify_json(obj)                     compact JSON bytes (no spaces), as a JOSE producer writes them
#   verify_private_key(jwk)              a `cryptography` private key (bytes for oct) from a private JWK dict
#   verify_sign(alg, jwk, data)          a JOSE signature (ECDSA as raw R||S) over `data`
#   verify_jws(header, payload, jwk)     a compact JWS; header/payload are dicts or raw bytes (for duplicates)
#   verify_claims(**over)                the standard claim set of these tests, with overrides
#   verify_assert_rejected(p, reason)    exit 1, empty stdout, exactly one `wif-verify: <error> (<reason>): ...`
#   verify_assert_json_rejected(p, ...)  exit 1, stdout one {"valid":false,"error":...,"reason":...} line
#   verify_assert_valid(p)               exit 0, claims JSON on stdout; returns the claims
#   fixture verify_keys                  VerifyKeys: a private JWK file and a public JWKS file per alg, made by
#                                        `wif-mint key` (RSA generated once, shared by RS*/PS* with its alg changed)
VERIFY_NOW = 1767323400                       # 2026-01-02T03:10:00Z, a fixed clock for every test
VERIFY_ISS = "https://issuer.example"
VERIFY_SUB = "spiffe://example.org/ns/ci/sa/build"
VERIFY_AUD = "https://as.example/token"
VERIFY_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
               "ES256", "ES384", "ES512", "ES256K", "EdDSA", "EdDSA-Ed448", "Ed25519", "Ed448"]
# Token rejection reasons of `wif-verify token` (Reason.swift), each with its OAuth error (RFC 7523 §3.1).
VERIFY_REASONS = {r: "invalid_grant" for r in [
    "malformed", "alg_none", "alg_not_allowed", "alg_key_mismatch", "unknown_kid", "bad_signature", "expired",
    "not_yet_valid", "issued_in_future", "lifetime_too_long", "too_old", "missing_claim", "bad_issuer",
    "bad_audience", "bad_subject", "subject_rejected", "replayed_jti", "bad_typ", "unsupported_crit",
    "disallowed_header", "delegation_too_deep", "bad_delegation", "actor_rejected", "jti_rejected",
    "replay_needs_exp", "use_budget_exhausted", "bad_use_budget", "client_id_mismatch"]}
_VERIFY_CURVES = {"P-256": ("SECP256R1", 32), "P-384": ("SECP384R1", 48), "P-521": ("SECP521R1", 66),
                  "secp256k1": ("SECP256K1", 32)}
_VERIFY_HASH = {"256": "SHA256", "384": "SHA384", "512": "SHA512"}


def verify_json(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _verify_int(s):
    return int.from_bytes(b64u_decode(s), "big")


def verify_private_key(jwk):
    """A `cryptography` private key for a private JWK (the raw secret bytes for kty oct)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
    kty = jwk["kty"]
    if kty == "oct":
        return b64u_decode(jwk["k"])
    if kty == "RSA":
        pub = rsa.RSAPublicNumbers(_verify_int(jwk["e"]), _verify_int(jwk["n"]))
        return rsa.RSAPrivateNumbers(_verify_int(jwk["p"]), _verify_int(jwk["q"]), _verify_int(jwk["d"]),
                                     _verify_int(jwk["dp"]), _verify_int(jwk["dq"]), _verify_int(jwk["qi"]),
                                     pub).private_key()
    if kty == "EC":
        curve = getattr(ec, _VERIFY_CURVES[jwk["crv"]][0])()
        return ec.derive_private_key(_verify_int(jwk["d"]), curve)
    if kty == "OKP":
        cls = {"Ed25519": ed25519.Ed25519PrivateKey, "Ed448": ed448.Ed448PrivateKey}[jwk["crv"]]
        return cls.from_private_bytes(b64u_decode(jwk["d"]))
    raise ValueError(f"unsupported kty {kty}")


def verify_sign(alg, jwk, data):
    """The JOSE signature of `data` (RFC 7518 §3): HMAC, PKCS#1 v1.5, PSS with salt = hash length, ECDSA R||S,
    PureEdDSA. `jwk` may also be raw bytes (an HMAC secret, e.g. for key-confusion tokens)."""
    import hmac as _hmac
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    key = jwk if isinstance(jwk, (bytes, bytearray)) else verify_private_key(jwk)
    if alg.startswith("HS"):
        return _hmac.new(bytes(key), data, _VERIFY_HASH[alg[2:]].lower()).digest()
    if alg in ("EdDSA", "Ed25519", "Ed448"):
        return key.sign(data)
    h = getattr(hashes, _VERIFY_HASH[alg[2:5]])()
    if alg.startswith("RS"):
        return key.sign(data, padding.PKCS1v15(), h)
    if alg.startswith("PS"):
        return key.sign(data, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
    if alg.startswith("ES"):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(h)))
        n = (key.curve.key_size + 7) // 8
        return r.to_bytes(n, "big") + s.to_bytes(n, "big")
    raise ValueError(f"unsupported alg {alg}")


def verify_jws(header, payload, jwk=None, alg=None, signature=None):
    """A compact JWS. `header`/`payload` are dicts (serialized compactly) or raw bytes (kept as given, e.g. with
    duplicate members); the signature is made with `jwk` for `alg` (default: the header's alg) unless given."""
    hb = header if isinstance(header, (bytes, bytearray)) else verify_json(header)
    pb = payload if isinstance(payload, (bytes, bytearray)) else verify_json(payload)
    signing_input = (b64u_encode(hb) + "." + b64u_encode(pb)).encode("ascii")
    if signature is None:
        signature = verify_sign(alg or json.loads(hb)["alg"], jwk, signing_input)
    return signing_input.decode("ascii") + "." + b64u_encode(signature)


def verify_claims(**over):
    """iss, sub, aud, exp (now + 300), iat (now), jti; a value of None removes the claim."""
    c = {"iss": VERIFY_ISS, "sub": VERIFY_SUB, "aud": VERIFY_AUD, "exp": VERIFY_NOW + 300, "iat": VERIFY_NOW,
         "jti": "jti-0001"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def _verify_text(b):
    return b if isinstance(b, str) else b.decode("utf-8", "replace")


def _verify_no_crash(err):
    for bad in ("Fatal error", "Stack dump", "Illegal instruction", "Segmentation", "Traceback", "\x1b["):
        assert bad not in err, f"crash marker {bad!r} on stderr:\n{err}"


def verify_assert_rejected(p, reason, oauth=None):
    """Exit 1, nothing on stdout, exactly one stderr line `wif-verify: <oauth_error> (<reason>): <message>`."""
    import re
    out, err = _verify_text(p.stdout), _verify_text(p.stderr)
    oauth = oauth or VERIFY_REASONS.get(reason, "invalid_grant")
    assert p.returncode == 1, f"exit {p.returncode} (want 1, {reason}); stderr: {err!r}"
    assert out == "", f"stdout should be empty, got {out[:300]!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"want exactly one stderr line, got {err!r}"
    m = re.fullmatch(r"wif-verify: ([a-z_]+) \(([a-z_]+)\): (.+)\n", err, re.S)
    assert m, f"stderr line not in the form 'wif-verify: <oauth_error> (<reason>): <message>': {err!r}"
    assert (m.group(1), m.group(2)) == (oauth, reason), f"want {oauth} ({reason}), got: {err!r}"
    return m.group(3)


def verify_assert_json_rejected(p, reason, oauth=None):
    """--json: exit 1, stdout exactly one {"valid":false,"error":...,"reason":...,"message":...} line,
    nothing on stderr."""
    out, err = _verify_text(p.stdout), _verify_text(p.stderr)
    oauth = oauth or VERIFY_REASONS.get(reason, "invalid_grant")
    assert p.returncode == 1, f"exit {p.returncode} (want 1, {reason}); stdout {out!r} stderr {err!r}"
    assert err == "", f"stderr should be empty with --json, got {err!r}"
    assert out.endswith("\n") and out.count("\n") == 1, f"want one JSON line, got {out!r}"
    o = json.loads(out)
    assert o["valid"] is False and o["error"] == oauth and o["reason"] == reason, o
    assert set(o) == {"valid", "error", "reason", "message"}, o
    assert isinstance(o["message"], str) and o["message"], o
    return o


def verify_assert_valid(p):
    """Exit 0, the verified claims as one JSON object line on stdout, nothing on stderr."""
    out, err = _verify_text(p.stdout), _verify_text(p.stderr)
    assert p.returncode == 0, f"exit {p.returncode} (want 0); stderr: {err!r}"
    assert err == "", f"stderr should be empty, got {err!r}"
    assert out.endswith("\n") and out.count("\n") == 1, f"want one JSON line, got {out!r}"
    o = json.loads(out)
    assert isinstance(o, dict)
    return o


class VerifyKeys:
    """Per alg (VERIFY_ALGS): a private JWK file (`kid` = the alg name in lowercase) and a public JWKS file.

    One RSA key is generated for the session and reused for RS256..PS512 with its `alg` and `kid` changed (a JWK's
    `alg` is metadata: the key material is the same)."""

    def __init__(self, folder):
        self.folder = folder
        self.private = {}
        self.public = {}
        rsa_made = None
        for name in VERIFY_ALGS:
            kid = name.lower()
            alg = "EdDSA" if name == "EdDSA-Ed448" else name
            extra = ["--crv", "Ed448"] if name == "EdDSA-Ed448" else []
            path = folder / f"{kid}.jwk"
            if alg[:2] in ("RS", "PS") and rsa_made is not None:
                jwk = dict(rsa_made, alg=alg, kid=kid)
                path.touch(mode=0o600)
                path.write_text(json.dumps(jwk))
            else:
                wif_ok("wif-mint", "key", "--alg", alg, *extra, "--kid", kid, "--out", path)
                if alg[:2] in ("RS", "PS"):
                    rsa_made = json.loads(path.read_text())
            self.private[name] = path
            if alg.startswith("HS"):
                self.public[name] = path          # an HMAC key verifies as itself
            else:
                pub = folder / f"{kid}.jwks"
                pub.write_text(wif_ok("wif-mint", "jwks", path))
                self.public[name] = pub

    def jwk(self, name):
        return json.loads(self.private[name].read_text())

    def public_jwk(self, name):
        return json.loads(self.public[name].read_text())["keys"][0]

    def write_jwks(self, filename, keys):
        """Writes {"keys": keys} to a file in the key folder and returns its path."""
        p = self.folder / filename
        p.write_text(json.dumps({"keys": keys}))
        return p


@pytest.fixture(scope="session")
def verify_keys(tmp_path_factory):
    return VerifyKeys(tmp_path_factory.mktemp("verify-keys"))
# ---- END wif-verify interop helpers ------------------------------------------------------------------------------
