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
