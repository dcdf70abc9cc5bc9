# SPDX-License-Identifier: Apache-2.0
"""`wif-mint` end to end: the built binary through real pipes, asserted against truth computed here.

  key      every alg, --crv, --bits, --pem, --kid, --out (0600, atomic); default kid = RFC 7638 thumbprint
  jwks     JWK, JWKS, PEM and stdin inputs; kid/alg/use kept; never a private member; oct refused
  token    every option; time syntax; defaults; precedence; golden HS256/EdDSA/RS256 tokens;
           --count (distinct jtis, SIGPIPE, flat memory); bad input -> one stderr line, exit 2
  request  RFC 6749 Appendix B form encoding, exactly, with no trailing newline

Golden tokens live in Tests/Golden/mint-*.jwt, signed with the committed keys in Tests/Fixtures/keys
(made once by Tests/Fixtures/keys/make-keys.sh). WIF_RECORD_GOLDEN=1 rewrites them and fails.
"""
import json
import os
import re
import signal
import stat
import subprocess
import time
import urllib.parse
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from conftest import (FIXTURE_KEY_DIR, GOLDEN_DIR, KEY_SPECS, PRIVATE_MEMBERS, RECORD_GOLDEN, WIF_ALGS,
                      assert_usage_error, b64u_decode, jwk_thumbprint, jws_split, public_jwk, wif_binary, wif_ok,
                      wif_run, write_private)

NOW = 1767323400                       # 2026-01-02T03:10:00Z
NOW_RFC3339 = "2026-01-02T03:10:00Z"
B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")   # joserfc, about the RFC 9864 names


def rfc3339(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def mint(key, *args, input=None):
    """`wif-mint --key KEY ARGS` -> the one token it prints (checked: one line, newline-terminated, quiet)."""
    p = wif_run("wif-mint", "--key", key, *args, input=input)
    assert p.returncode == 0, f"wif-mint --key {key} {' '.join(map(str, args))} -> {p.returncode}\n{p.stderr}"
    assert p.stderr == "", p.stderr
    out = p.stdout
    assert out.endswith("\n") and out.count("\n") == 1, repr(out[:200])
    token = out[:-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token), token
    return token


def mint_parts(key, *args, input=None):
    h, p, _ = jws_split(mint(key, *args, input=input))
    return h, p


# =====================================================================================================
# wif-mint key

CURVE_BYTES = {"P-256": 32, "P-384": 48, "P-521": 66, "secp256k1": 32, "Ed25519": 32, "Ed448": 57}
EC_CURVES = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1(), "secp256k1": ec.SECP256K1()}
HMAC_MIN = {"HS256": 32, "HS384": 48, "HS512": 64}


def b2i(s):
    return int.from_bytes(b64u_decode(s), "big")


def check_private_jwk(jwk, alg, kty, crv, rsa_bits=2048):
    """The key is well formed and internally consistent, by `cryptography`'s arithmetic, not wif's."""
    assert jwk["kty"] == kty
    assert jwk["alg"] == alg
    assert jwk["use"] == "sig"
    if kty == "oct":
        assert len(b64u_decode(jwk["k"])) >= HMAC_MIN[alg]
        assert set(jwk) == {"kty", "kid", "use", "alg", "k"}
    elif kty == "EC":
        assert jwk["crv"] == crv
        n = CURVE_BYTES[crv]
        for m in ("x", "y", "d"):
            assert B64URL.match(jwk[m]) and len(b64u_decode(jwk[m])) == n, (m, jwk[m])
        priv = ec.derive_private_key(b2i(jwk["d"]), EC_CURVES[crv])      # d -> public point
        pub = priv.public_key().public_numbers()
        assert (pub.x, pub.y) == (b2i(jwk["x"]), b2i(jwk["y"]))
    elif kty == "OKP":
        assert jwk["crv"] == crv
        cls = ed25519.Ed25519PrivateKey if crv == "Ed25519" else ed448.Ed448PrivateKey
        assert len(b64u_decode(jwk["d"])) == len(b64u_decode(jwk["x"])) == CURVE_BYTES[crv]
        priv = cls.from_private_bytes(b64u_decode(jwk["d"]))
        raw = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert raw == b64u_decode(jwk["x"])
    elif kty == "RSA":
        assert b2i(jwk["n"]).bit_length() == rsa_bits
        pub = rsa.RSAPublicNumbers(b2i(jwk["e"]), b2i(jwk["n"]))
        # RSAPrivateNumbers.private_key() checks p*q = n, d, dp, dq, qi.
        rsa.RSAPrivateNumbers(b2i(jwk["p"]), b2i(jwk["q"]), b2i(jwk["d"]), b2i(jwk["dp"]), b2i(jwk["dq"]),
                              b2i(jwk["qi"]), pub).private_key()
    else:
        raise AssertionError(kty)


def test_python_thumbprint_rfc7638_vector():
    """The Python thumbprint used below reproduces RFC 7638 §3.1."""
    n = ("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
         "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZH"
         "zu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEg"
         "U8awapJzKnqDKgw")
    jwk = {"kty": "RSA", "n": n, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize("spec", list(KEY_SPECS))
def test_key_every_alg(spec, wif_keys):
    alg, extra, kty, crv = KEY_SPECS[spec]
    out = wif_keys.stdout(spec)             # `wif-mint key --alg ALG [EXTRA]`: exit 0, empty stderr (checked)
    assert out.endswith("\n") and out.count("\n") == 1
    jwk = json.loads(out)
    check_private_jwk(jwk, alg, kty, crv)
    # Default kid: the RFC 7638 thumbprint, computed here, and as joserfc computes it.
    assert jwk["kid"] == jwk_thumbprint(jwk)
    from joserfc.jwk import JWKRegistry
    assert JWKRegistry.import_key(jwk).thumbprint() == jwk["kid"]


def test_key_fresh_each_time():
    a = json.loads(wif_ok("wif-mint", "key", "--alg", "ES256"))
    b = json.loads(wif_ok("wif-mint", "key", "--alg", "ES256"))
    assert a["d"] != b["d"] and a["kid"] != b["kid"]


def test_key_rsa_3072():
    jwk = json.loads(wif_ok("wif-mint", "key", "--alg", "PS384", "--bits", "3072"))
    check_private_jwk(jwk, "PS384", "RSA", None, rsa_bits=3072)
    assert jwk["kid"] == jwk_thumbprint(jwk)


def test_key_rsa_1024_refused():
    assert_usage_error(wif_run("wif-mint", "key", "--alg", "RS256", "--bits", "1024"), "2048")


@pytest.mark.parametrize("args,needle", [
    (["--alg", "ES256", "--crv", "Ed448"], "--crv"),
    (["--alg", "EdDSA", "--crv", "P-256"], "--crv"),
    (["--alg", "ES256", "--bits", "3072"], "--bits"),
    (["--alg", "HS256", "--pem"], "pem"),
    (["--alg", "nope"], "ES256K"),
    (["--alg", "none"], "none"),
    ([], "--alg"),
])
def test_key_bad_options(args, needle):
    assert_usage_error(wif_run("wif-mint", "key", *args), needle)


def test_key_custom_kid():
    jwk = json.loads(wif_ok("wif-mint", "key", "--alg", "EdDSA", "--kid", "ci-2026-01"))
    assert jwk["kid"] == "ci-2026-01"
    assert jwk["kid"] != jwk_thumbprint(jwk)


PEM_LOADERS = {"EC": ec.EllipticCurvePrivateKey, "OKP": (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey),
               "RSA": rsa.RSAPrivateKey}


@pytest.mark.parametrize("spec", ["RS256", "ES256", "ES384", "ES512", "ES256K", "EdDSA", "EdDSA-Ed448"])
def test_key_pem(spec, tmp_path):
    alg, extra, kty, crv = KEY_SPECS[spec]
    pem = wif_ok("wif-mint", "key", "--alg", alg, *extra, "--pem")
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n") and pem.endswith("-----END PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(pem.encode(), password=None)      # PKCS#8
    assert isinstance(key, PEM_LOADERS[kty])
    if kty == "EC":
        assert key.curve.name == EC_CURVES[crv].name
    # Its public JWK, through wif-mint jwks, is the public half cryptography computes.
    f = tmp_path / "k.pem"
    f.write_text(pem)
    (pub,) = json.loads(wif_ok("wif-mint", "jwks", f))["keys"]
    assert not PRIVATE_MEMBERS & set(pub)
    spki = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (f2 := tmp_path / "pub.pem").write_bytes(spki)
    (pub2,) = json.loads(wif_ok("wif-mint", "jwks", f2))["keys"]
    assert pub == pub2
    assert pub["kid"] == jwk_thumbprint(pub)


def test_key_out_file_mode_0600_atomic(tmp_path):
    out = tmp_path / "signing.jwk"
    # A permissive umask must not loosen the mode.
    p = subprocess.run([str(wif_binary("wif-mint")), "key", "--alg", "ES256", "--kid", "k-out", "--out", str(out)],
                       capture_output=True, text=True, preexec_fn=lambda: os.umask(0))
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(x.name for x in tmp_path.iterdir()) == ["signing.jwk"], "temporary file left behind"
    jwk = json.loads(out.read_text())
    assert jwk["alg"] == "ES256" and jwk["kid"] == "k-out" and jwk["use"] == "sig" and "d" in jwk
    check_private_jwk(jwk, "ES256", "EC", "P-256")


def test_key_out_replaces_existing_file(tmp_path):
    out = tmp_path / "k.jwk"
    out.write_text("old contents\n")
    out.chmod(0o644)
    old_inode = out.stat().st_ino
    wif_ok("wif-mint", "key", "--alg", "EdDSA", "--out", out)
    st = out.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert st.st_ino != old_inode, "not replaced by rename(2): written in place"
    jwk = json.loads(out.read_text())
    assert jwk["kid"] == jwk_thumbprint(jwk)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["k.jwk"]


def test_key_out_pem(tmp_path):
    out = tmp_path / "k.pem"
    wif_ok("wif-mint", "key", "--alg", "ES384", "--pem", "--out", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert isinstance(serialization.load_pem_private_key(out.read_bytes(), None), ec.EllipticCurvePrivateKey)


def test_key_out_unwritable_folder(tmp_path):
    assert_usage_error(wif_run("wif-mint", "key", "--alg", "ES256", "--out", tmp_path / "missing" / "k.jwk"),
                       "missing")
    (tmp_path / "adir").mkdir()
    assert_usage_error(wif_run("wif-mint", "key", "--alg", "ES256", "--out", tmp_path / "adir"), "adir")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["adir"], "temporary file left behind after a failed rename"
    assert list((tmp_path / "adir").iterdir()) == []


# =====================================================================================================
# wif-mint jwks

def check_public_set(text, expected_private_jwks):
    assert text.endswith("\n") and text.count("\n") == 1
    keys = json.loads(text)["keys"]
    assert set(json.loads(text)) == {"keys"}
    assert len(keys) == len(expected_private_jwks)
    for got, priv in zip(keys, expected_private_jwks):
        assert not PRIVATE_MEMBERS & set(got), f"private member published: {sorted(PRIVATE_MEMBERS & set(got))}"
        assert got == public_jwk(priv), (got, priv)
    return keys


@pytest.mark.parametrize("spec", [s for s in KEY_SPECS if KEY_SPECS[s][2] != "oct"])
def test_jwks_of_jwk_every_type(spec, wif_keys):
    out = wif_ok("wif-mint", "jwks", wif_keys.path(spec))
    (k,) = check_public_set(out, [wif_keys.jwk(spec)])
    assert k["kid"] == wif_keys.kid(spec) and k["alg"] == KEY_SPECS[spec][0] and k["use"] == "sig"


def test_jwks_several_files_jwks_and_stdin(wif_keys, tmp_path):
    a, b, c = (wif_keys.jwk(s) for s in ("ES256", "EdDSA", "RS256"))
    jwks = tmp_path / "two.jwks"
    jwks.write_text(json.dumps({"keys": [a, b]}))
    out = wif_ok("wif-mint", "jwks", jwks, "-", input=json.dumps(c))
    check_public_set(out, [a, b, c])
    # A JWKS given on stdin.
    check_public_set(wif_ok("wif-mint", "jwks", "-", input=jwks.read_text()), [a, b])


@pytest.mark.parametrize("fmt", ["pkcs8", "spki"])
def test_jwks_of_pem_stdin(fmt):
    key = ec.generate_private_key(ec.SECP384R1())
    if fmt == "pkcs8":
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    else:
        pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    (k,) = json.loads(wif_ok("wif-mint", "jwks", "-", input=pem.decode()))["keys"]
    n = key.public_key().public_numbers()
    assert (k["kty"], k["crv"], b2i(k["x"]), b2i(k["y"])) == ("EC", "P-384", n.x, n.y)
    assert not PRIVATE_MEMBERS & set(k)
    assert k["kid"] == jwk_thumbprint(k)


def test_jwks_public_input_is_idempotent(wif_keys, tmp_path):
    first = wif_ok("wif-mint", "jwks", wif_keys.path("PS256"))
    (tmp_path / "pub.jwks").write_text(first)
    assert wif_ok("wif-mint", "jwks", tmp_path / "pub.jwks") == first


@pytest.mark.parametrize("spec", ["HS256", "HS512"])
def test_jwks_refuses_oct(spec, wif_keys, tmp_path):
    assert_usage_error(wif_run("wif-mint", "jwks", wif_keys.path(spec)), "oct")
    mixed = tmp_path / "mixed.jwks"
    write_private(mixed, json.dumps({"keys": [wif_keys.jwk("ES256"), wif_keys.jwk(spec)]}))
    assert_usage_error(wif_run("wif-mint", "jwks", mixed), "oct")


def test_jwks_bad_inputs(tmp_path):
    (tmp_path / "junk").write_text("hello\n")
    assert_usage_error(wif_run("wif-mint", "jwks", tmp_path / "junk"), "junk")
    assert_usage_error(wif_run("wif-mint", "jwks", tmp_path / "nope"), "nope")
    assert_usage_error(wif_run("wif-mint", "jwks", tmp_path), "directory")


def _pem(tmp_path, name, alg="ES256"):
    path = tmp_path / name
    wif_ok("wif-mint", "key", "--alg", alg, "--pem", "--out", path)
    return path


def test_jwks_of_pem_keys_for_operators_passes_jwks_check(tmp_path):
    """PEM keys carry no kid, alg or use: --alg names the alg, the kid is the RFC 7638 thumbprint, use is sig,
    and the set passes wif's own rotation gate."""
    old, new = _pem(tmp_path, "old.pem"), _pem(tmp_path, "new.pem")
    bare = tmp_path / "bare.json"
    bare.write_text(wif_ok("wif-mint", "jwks", old, new))
    p = wif_run("wif-verify", "jwks-check", "--published", bare, "--signing", old, "--json")
    assert p.returncode == 1 and {f["code"] for f in json.loads(p.stdout)["findings"]} == {"missing_alg"}, p.stdout
    out = wif_ok("wif-mint", "jwks", "--alg", "ES256", old, new)
    keys = json.loads(out)["keys"]
    assert [(k["alg"], k["use"], k["kid"]) for k in keys] == [("ES256", "sig", jwk_thumbprint(k)) for k in keys]
    jwks = tmp_path / "jwks.json"
    jwks.write_text(out)
    p = wif_run("wif-verify", "jwks-check", "--published", jwks, "--signing", old, "--signing", new, "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["findings"] == [], p.stdout
    # a token of the PEM key verifies against the set
    tok = wif_ok("wif-mint", "-k", old, "--aud", "a", "--sub", "s", "--iss", "s").strip()
    assert wif_run("wif-verify", "--jwks", jwks, "--aud", "a", tok).returncode == 0


def test_jwks_kid_for_the_key_without_one(wif_keys, tmp_path):
    one = _pem(tmp_path, "one.pem", "EdDSA")
    (k,) = json.loads(wif_ok("wif-mint", "jwks", "--alg", "EdDSA", "--kid", "edge-2026", one))["keys"]
    assert k["kid"] == "edge-2026" and k["alg"] == "EdDSA"
    # the PEM key gets --kid, the JWK keeps its own
    keys = json.loads(wif_ok("wif-mint", "jwks", "--kid", "edge-2026", one, wif_keys.path("ES256")))["keys"]
    assert [k["kid"] for k in keys] == ["edge-2026", wif_keys.kid("ES256")]
    # every key has a kid: --kid must name one of them
    assert wif_run("wif-mint", "jwks", f"--kid={wif_keys.kid('ES256')}", wif_keys.path("ES256")).returncode == 0
    assert_usage_error(wif_run("wif-mint", "jwks", "--kid", "other", wif_keys.path("ES256")), "--kid")
    # two keys without kid: one --kid cannot name both
    assert_usage_error(wif_run("wif-mint", "jwks", "--kid", "x", one, _pem(tmp_path, "two.pem")), "2 keys")
    # --kid equal to another key's kid is two keys under one kid
    assert_usage_error(wif_run("wif-mint", "jwks", f"--kid={wif_keys.kid('ES256')}", one, wif_keys.path("ES256")),
                       "share kid")


def test_jwks_alg_for_keys_without_one(wif_keys, tmp_path):
    pem = _pem(tmp_path, "k.pem")
    assert_usage_error(wif_run("wif-mint", "jwks", "--alg", "EdDSA", pem), "EdDSA")          # does not fit
    assert_usage_error(wif_run("wif-mint", "jwks", "--alg", "XS256", pem), "XS256")          # not an alg
    assert_usage_error(wif_run("wif-mint", "jwks", "--alg", "ES384", wif_keys.path("ES256")), "carry none")
    (k,) = json.loads(wif_ok("wif-mint", "jwks", "--alg", "ES256", wif_keys.path("ES256")))["keys"]
    assert k["alg"] == "ES256"
    (k,) = json.loads(wif_ok("wif-mint", "jwks", "--use", "jwt-svid", pem))["keys"]
    assert k["use"] == "jwt-svid" and "alg" not in k


def test_jwks_same_key_twice_is_refused(wif_keys, tmp_path):
    p = wif_run("wif-mint", "jwks", wif_keys.path("ES256"), wif_keys.path("ES256"))
    assert_usage_error(p, "same key")
    # the same key as a JWK and as its PEM public half
    pub = tmp_path / "pub.pem"
    from cryptography.hazmat.primitives.asymmetric import ec as _ec
    jwk = wif_keys.jwk("ES256")
    nums = _ec.EllipticCurvePublicNumbers(b2i(jwk["x"]), b2i(jwk["y"]), _ec.SECP256R1())
    pub.write_bytes(nums.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    assert_usage_error(wif_run("wif-mint", "jwks", wif_keys.path("ES256"), pub), "same key")


# =====================================================================================================
# wif-mint token: options

@pytest.fixture(scope="module")
def hs(wif_keys):
    return wif_keys.path("HS256")


def test_token_default_subcommand_and_defaults(hs):
    t1 = mint(hs, "--now", str(NOW), "--jti", "j1", "--sub", "s")
    t2 = wif_ok("wif-mint", "token", "--key", hs, "--now", str(NOW), "--jti", "j1", "--sub", "s").rstrip("\n")
    assert t1 == t2
    h, p, sig = jws_split(t1)
    assert h == {"alg": "HS256", "typ": "JWT", "kid": jws_split(mint(hs))[0]["kid"]}
    assert h["kid"] == json.loads(hs.read_text())["kid"]
    assert p == {"sub": "s", "exp": NOW + 300, "iat": NOW, "jti": "j1"}
    assert len(sig) == 32


def test_token_short_key_option(hs):
    assert mint_parts(hs, "--now", "0", "--jti", "x")[1] == \
        jws_split(wif_ok("wif-mint", "-k", hs, "--now", "0", "--jti", "x"))[1]


def test_token_alg_option(wif_keys, tmp_path):
    # A PEM RSA key has no alg of its own: --alg chooses among the RSA algs.
    jwk = wif_keys.jwk("RS256")
    from joserfc.jwk import RSAKey
    pem = write_private(tmp_path / "rsa.pem", RSAKey.import_key(jwk).as_pem(private=True))
    for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
        h, _ = mint_parts(pem, "--alg", alg)
        assert h["alg"] == alg
    # The key's own alg is the default, and the same alg may be given explicitly.
    assert mint_parts(wif_keys.path("ES384"))[0]["alg"] == "ES384"
    assert mint_parts(wif_keys.path("ES384"), "--alg", "ES384")[0]["alg"] == "ES384"
    assert mint_parts(wif_keys.path("Ed448"))[0]["alg"] == "Ed448"
    assert mint_parts(wif_keys.path("EdDSA-Ed448"))[0]["alg"] == "EdDSA"


def test_token_kid_option(hs, bad, wif_keys):
    own = wif_keys.kid("HS256")
    assert mint_parts(hs, "--kid", own)[0]["kid"] == own
    h, _ = mint_parts(hs, "--kid", "")
    assert "kid" not in h and h == {"alg": "HS256", "typ": "JWT"}
    # A single key whose own kid differs is an error (wif-mint(1)); --header kid=... puts another kid in the header.
    p = wif_run("wif-mint", "--key", hs, "--kid", "other")
    assert p.returncode == 2 and p.stdout == "" and "--header kid=other" in p.stderr, p.stderr
    assert mint_parts(hs, "--header", "kid=other")[0]["kid"] == "other"
    # In a JWKS, --kid picks the key (an unknown one is an error: see BAD_TOKEN_CASES).
    h, _ = mint_parts(bad / "two.jwks", f"--kid={wif_keys.kid('EdDSA')}")
    assert h["alg"] == "EdDSA" and h["kid"] == wif_keys.kid("EdDSA")


def test_token_typ_option(hs):
    assert mint_parts(hs, "--typ", "at+jwt")[0]["typ"] == "at+jwt"
    assert "typ" not in mint_parts(hs, "--typ", "")[0]


def test_token_iss_sub(hs):
    _, p = mint_parts(hs, "--iss", "https://ci.example", "--sub", "spiffe://example.org/ci/job")
    assert p["iss"] == "https://ci.example" and p["sub"] == "spiffe://example.org/ci/job"


def test_token_aud_string_or_array(hs):
    assert mint_parts(hs, "--aud", "https://as.example/token")[1]["aud"] == "https://as.example/token"
    assert mint_parts(hs, "--aud", "a", "--aud", "b", "--aud", "c")[1]["aud"] == ["a", "b", "c"]
    assert "aud" not in mint_parts(hs)[1]


TIME_FORMS = [
    ("1767400000", 1767400000),
    ("0", 0),
    ("2026-01-02T04:10:00Z", NOW + 3600),
    ("2026-01-02T05:10:00+02:00", NOW),
    ("2026-01-02t03:10:00.999z", NOW),
    ("+300", NOW + 300),
    ("+5m", NOW + 300),
    ("-1h", NOW - 3600),
    ("+2d", NOW + 2 * 86400),
    ("-30", NOW - 30),
]


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("form,want", TIME_FORMS, ids=[f for f, _ in TIME_FORMS])
def test_token_time_forms(hs, claim, form, want):
    # Two argv items, even for "-1h": `--exp -1h`.
    if form == "0":
        # Epoch seconds before 2001 are kept, with a warning naming the relative spelling (`--exp 300` is 1970).
        p = wif_run("wif-mint", "--key", hs, "--now", str(NOW), f"--{claim}", form)
        assert p.returncode == 0 and f"warning: --{claim} 0 is an absolute time before 2001" in p.stderr
        assert f"--{claim} +0" in p.stderr
        assert jws_split(p.stdout.strip())[1][claim] == want
        return
    _, p = mint_parts(hs, "--now", str(NOW), f"--{claim}", form)
    assert p[claim] == want


def test_token_rfc3339_matches_python(hs):
    for s in ("2030-12-31T23:59:59Z", "2024-02-29T12:00:00Z", "1999-01-01T00:00:00-05:30"):
        assert mint_parts(hs, "--exp", s)[1]["exp"] == rfc3339(s)


def test_token_now_defaults(hs):
    _, p = mint_parts(hs, "--now", NOW_RFC3339)
    assert p["exp"] == NOW + 300 and p["iat"] == NOW and "nbf" not in p
    # Without --now: the system clock.
    before = int(time.time())
    _, p = mint_parts(hs)
    after = int(time.time())
    assert before <= p["iat"] <= after and p["exp"] == p["iat"] + 300


def test_token_no_iat_exp_jti(hs):
    _, p = mint_parts(hs, "--now", str(NOW), "--no-iat", "--no-exp", "--no-jti", "--sub", "s")
    assert p == {"sub": "s"}
    _, p = mint_parts(hs, "--now", str(NOW), "--no-iat")
    assert set(p) == {"exp", "jti"}


def test_token_fixed_jti(hs):
    assert mint_parts(hs, "--jti", "run-42/step-1")[1]["jti"] == "run-42/step-1"


def test_token_default_jti_128_bits(hs):
    jtis = set()
    for _ in range(3):
        j = mint_parts(hs, "--now", str(NOW))[1]["jti"]
        assert len(j) == 22 and B64URL.match(j), j
        assert len(b64u_decode(j)) == 16
        jtis.add(j)
    assert len(jtis) == 3


def test_token_scope(hs):
    assert mint_parts(hs, "--scope", "mcp:read mcp:write")[1]["scope"] == "mcp:read mcp:write"


def test_token_claim_values(hs, tmp_path):
    f = tmp_path / "groups.json"
    f.write_text('{"groups": ["a", "b"], "n": 1.5}')
    _, p = mint_parts(hs, "--no-iat", "--no-exp", "--no-jti",
                      "--claim", "num=42", "--claim", "big=12345678901234567890",
                      "--claim", "t=true", "--claim", "z=null",
                      "--claim", 'o={"a":[1,{"b":"c"}]}', "--claim", "arr=[1,2]",
                      "--claim", 'q="42"', "--claim", "word=hello", "--claim", "sp=hello world",
                      "--claim", "eq=a=b", "--claim", "empty=", "--claim", "file=@" + str(f),
                      "--claim", "uni=café")
    assert p == {"num": 42, "big": 12345678901234567890, "t": True, "z": None, "o": {"a": [1, {"b": "c"}]},
                 "arr": [1, 2], "q": "42", "word": "hello", "sp": "hello world", "eq": "a=b", "empty": "",
                 "file": {"groups": ["a", "b"], "n": 1.5}, "uni": "café"}


def test_token_json_escaping(hs):
    """Strings with quotes, backslashes, control characters, U+2028 and non-BMP characters, in names and values,
    come out as JSON that Python reads back to the same text."""
    tricky = 'a"b\\c\nd\te\x01\x1f é 😀 \u2028 </script>'
    _, p = mint_parts(hs, "--no-iat", "--no-exp", "--no-jti", "--sub", tricky, "--claim", 'we"ird\\name=v',
                      "--claim", f"t={tricky}", "--aud", "")
    assert p == {"sub": tricky, 'we"ird\\name': "v", "t": tricky, "aud": ""}


def test_token_claim_file_missing(hs, tmp_path):
    assert_usage_error(wif_run("wif-mint", "--key", hs, "--claim", f"x=@{tmp_path}/nope.json"), "nope.json")


def test_token_claims_file_and_stdin(hs, tmp_path):
    obj = {"repo": "wif", "nested": {"k": [1, 2]}, "ok": False}
    f = tmp_path / "c.json"
    f.write_text(json.dumps(obj))
    _, p = mint_parts(hs, "--no-iat", "--no-exp", "--no-jti", "--claims", f)
    assert p == obj
    _, p = mint_parts(hs, "--no-iat", "--no-exp", "--no-jti", "--claims", "-", input=json.dumps(obj))
    assert p == obj


def test_token_precedence(hs, tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"sub": "from-claims", "iss": "from-claims", "exp": 1, "scope": "c"}))
    _, p = mint_parts(hs, "--now", str(NOW), "--sub", "opt", "--iss", "opt", "--aud", "opt", "--scope", "opt",
                      "--claims", f, "--claim", "iss=from-claim", "--claim", "jti=from-claim")
    assert p["sub"] == "from-claims"        # --claims beats the dedicated option
    assert p["iss"] == "from-claim"         # --claim beats --claims
    assert p["exp"] == 1 and p["scope"] == "c"
    assert p["aud"] == "opt" and p["iat"] == NOW
    assert p["jti"] == "from-claim"
    # Repeated --claim: the last wins.
    assert mint_parts(hs, "--claim", "x=1", "--claim", "x=2")[1]["x"] == 2


def test_token_header_option(hs):
    h, _ = mint_parts(hs, "--header", "x5t=abc", "--header", 'ext={"v":1}', "--header", "n=7")
    assert h["x5t"] == "abc" and h["ext"] == {"v": 1} and h["n"] == 7
    assert h["alg"] == "HS256" and h["typ"] == "JWT"
    assert mint_parts(hs, "--header", "typ=secevent+jwt")[0]["typ"] == "secevent+jwt"
    assert mint_parts(hs, "--header", "kid=hdr")[0]["kid"] == "hdr"


def test_token_act_delegation(hs):
    _, p = mint_parts(hs, "--sub", "user", "--act", "current-agent", "--act", "prior-agent", "--act", "first")
    # RFC 8693 §4.1: the outermost act is the current actor; nested ones are prior actors.
    assert p["act"] == {"sub": "current-agent", "act": {"sub": "prior-agent", "act": {"sub": "first"}}}
    _, p = mint_parts(hs, "--act", "a", "--act-claim", "iss=https://idp", "--act-claim", "n=3")
    assert p["act"] == {"sub": "a", "iss": "https://idp", "n": 3}
    _, p = mint_parts(hs, "--may-act", '{"sub":"admin@example.com"}')
    assert p["may_act"] == {"sub": "admin@example.com"}


def test_token_act_bad(hs):
    assert_usage_error(wif_run("wif-mint", "--key", hs, "--act-claim", "x=1"), "--act")
    assert_usage_error(wif_run("wif-mint", "--key", hs, "--may-act", "[1]"), "--may-act")


def test_token_verifies_with_joserfc(wif_keys):
    # The HS256 MAC is right (the full per-alg matrix is in test_interop.py).
    from joserfc import jwt
    from joserfc.jwk import OctKey
    t = mint(wif_keys.path("HS256"), "--sub", "s")
    assert jwt.decode(t, OctKey.import_key(wif_keys.jwk("HS256")), algorithms=["HS256"]).claims["sub"] == "s"


# =====================================================================================================
# wif-mint token: determinism and golden files

GOLDEN_ARGS = ["--jti", "golden-jti-0001", "--iss", "https://ci.example", "--sub", "spiffe://example.org/ci/job",
               "--aud", "https://as.example/token", "--aud", "https://as.example", "--nbf", "-1m", "--exp", "+10m",
               "--scope", "mcp:read mcp:write", "--act", "agent-1", "--claim", "repo=wif",
               "--claim", 'ctx={"run":7,"tags":["x","y"]}', "--header", "x-env=ci"]
GOLDEN_KEYS = {"HS256": "golden-hs256.jwk", "EdDSA": "golden-eddsa.jwk", "RS256": "golden-rs256.jwk"}


@pytest.mark.parametrize("alg", list(GOLDEN_KEYS))
def test_token_golden(alg, tmp_path):
    # A 0600 copy: git checks the committed key out with the umask's mode.
    key = write_private(tmp_path / GOLDEN_KEYS[alg], (FIXTURE_KEY_DIR / GOLDEN_KEYS[alg]).read_bytes())
    golden = GOLDEN_DIR / f"mint-{alg.lower()}.jwt"
    by_epoch = mint(key, "--now", str(NOW), *GOLDEN_ARGS)
    by_rfc3339 = mint(key, "--now", NOW_RFC3339, *GOLDEN_ARGS)
    assert by_epoch == by_rfc3339, "--now as epoch and as RFC 3339 must give the same bytes"
    assert mint(key, "--now", NOW_RFC3339, *GOLDEN_ARGS) == by_epoch, f"{alg} signing is not deterministic"

    # External truth: joserfc verifies it with the committed key.
    from joserfc import jwt
    from joserfc.jwk import JWKRegistry
    from joserfc.jws import JWSRegistry
    jwk = json.loads(key.read_text())
    tok = jwt.decode(by_epoch, JWKRegistry.import_key(jwk), algorithms=[alg],
                     registry=JWSRegistry(algorithms=[alg], strict_check_header=False))   # allow x-env
    assert tok.header == {"alg": alg, "typ": "JWT", "kid": jwk["kid"], "x-env": "ci"}
    assert tok.claims["nbf"] == NOW - 60 and tok.claims["exp"] == NOW + 600 and tok.claims["iat"] == NOW

    if RECORD_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(by_epoch + "\n")
        pytest.fail(f"recorded {golden}; rerun without WIF_RECORD_GOLDEN=1")
    assert golden.exists(), f"{golden} missing: record it with WIF_RECORD_GOLDEN=1"
    assert by_epoch + "\n" == golden.read_text()


# =====================================================================================================
# wif-mint token --count

def test_count_1000_distinct_jtis(hs):
    out = wif_ok("wif-mint", "--key", hs, "--now", str(NOW), "--sub", "s", "--count", "1000")
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 1001
    jtis = set()
    for t in lines[:-1]:
        h, p, _ = jws_split(t)
        assert p["sub"] == "s" and p["iat"] == NOW
        assert len(p["jti"]) == 22
        jtis.add(p["jti"])
    assert len(jtis) == 1000


def test_count_with_fixed_jti_refused(hs):
    assert_usage_error(wif_run("wif-mint", "--key", hs, "--jti", "x", "--count", "2"), "jti", "--count")


@pytest.mark.parametrize("n", ["0", "-1", "x"])
def test_count_bad(hs, n):
    assert_usage_error(wif_run("wif-mint", "--key", hs, "--count", n))


def test_count_sigpipe_exits_promptly(hs):
    # `wif-mint --count 200000 | head -1`: the reader goes away after one line.
    start = time.monotonic()
    p = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" --key "$1" --count 200000 | head -1',
                        str(wif_binary("wif-mint")), str(hs)], capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    assert p.stdout.count("\n") == 1 and len(p.stdout.split(".")) == 3
    assert p.stderr == "", f"error spam on SIGPIPE: {p.stderr[:300]!r}"
    assert p.returncode in (0, 128 + signal.SIGPIPE), p.returncode
    assert elapsed < 5, f"took {elapsed:.1f}s: kept minting after the reader left"

    # And directly: the writer is ended by SIGPIPE (or exits 0), with nothing on stderr.
    proc = subprocess.Popen([str(wif_binary("wif-mint")), "--key", str(hs), "--count", "200000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    try:
        rc = proc.wait(timeout=10)
    finally:
        proc.kill()
    err = proc.stderr.read()
    proc.stderr.close()
    assert rc in (0, -signal.SIGPIPE), rc
    assert err == b""


def max_rss_kb(args):
    proc = subprocess.Popen([str(wif_binary("wif-mint")), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, err
    return usage.ru_maxrss


def test_count_memory_flat(hs):
    small = max_rss_kb(["--key", hs, "--count", "1000"])
    large = max_rss_kb(["--key", hs, "--count", "100000"])
    assert large - small <= 4096, f"max RSS grew from {small} KB to {large} KB: output is not streamed"


# =====================================================================================================
# wif-mint token: bad input -> one clear stderr line, exit 2

@pytest.fixture(scope="module")
def bad(tmp_path_factory, wif_keys):
    d = tmp_path_factory.mktemp("bad")
    (d / "adir").mkdir()
    big = d / "big.jwk"
    with open(big, "wb") as f:                    # sparse: 50 MB apparent size, no disk used
        f.truncate(50 << 20)
    (d / "latin1.jwk").write_bytes(b'{"kty":"oct","k":"\xff\xfe\xe9t\xe9"}')
    (d / "binary.jwk").write_bytes(b"\xff\xfe\x00\x01garbage\x80")
    (d / "pub.jwks").write_text(wif_ok("wif-mint", "jwks", wif_keys.path("ES256")))
    (d / "pub.jwk").write_text(json.dumps(json.loads((d / "pub.jwks").read_text())["keys"][0]))
    write_private(d / "two.jwks", json.dumps({"keys": [wif_keys.jwk("ES256"), wif_keys.jwk("EdDSA")]}))
    (d / "array.json").write_text("[1, 2]")
    (d / "string.json").write_text('"sub"')
    (d / "broken.json").write_text('{"sub": ')
    (d / "dup.json").write_text('{"sub": "a", "sub": "b"}')
    return d


BAD_TOKEN_CASES = {
    "key-missing": (lambda d, keys: ["--key", d / "nope.jwk"], ["nope.jwk"]),
    "key-under-a-file": (lambda d, keys: ["--key", d / "array.json" / "k.jwk"], ["k.jwk"]),
    "key-read-error": (lambda d, keys: ["--key", "/proc/self/mem"], ["/proc/self/mem"]),   # open works, read EIO
    "key-directory": (lambda d, keys: ["--key", d / "adir"], ["adir", "directory"]),
    "key-es256-alg-rs256": (lambda d, keys: ["--key", keys.path("ES256"), "--alg", "RS256"], ["RS256"]),
    "key-es256-alg-es384": (lambda d, keys: ["--key", keys.path("ES256"), "--alg", "ES384"], ["ES384"]),
    "key-hs256-alg-es256": (lambda d, keys: ["--key", keys.path("HS256"), "--alg", "ES256"], ["ES256"]),
    "key-hs256-alg-hs512": (lambda d, keys: ["--key", keys.path("HS256"), "--alg", "HS512"], ["HS512"]),
    "key-ed25519-alg-ed448": (lambda d, keys: ["--key", keys.path("EdDSA"), "--alg", "Ed448"], ["Ed448"]),
    "key-rsa-alg-eddsa": (lambda d, keys: ["--key", keys.path("RS256"), "--alg", "EdDSA"], ["EdDSA"]),
    "key-public-jwks": (lambda d, keys: ["--key", d / "pub.jwks"], ["public"]),
    "key-public-jwk": (lambda d, keys: ["--key", d / "pub.jwk"], ["public"]),
    "exp-word": (lambda d, keys: ["--key", keys.path("HS256"), "--exp", "tomorrow"], ["--exp", "tomorrow"]),
    "exp-unit": (lambda d, keys: ["--key", keys.path("HS256"), "--exp", "+5x"], ["--exp"]),
    "exp-month-13": (lambda d, keys: ["--key", keys.path("HS256"), "--exp", "2026-13-01T00:00:00Z"], ["--exp"]),
    "exp-no-zone": (lambda d, keys: ["--key", keys.path("HS256"), "--exp", "2026-01-01T00:00:00"], ["--exp"]),
    "exp-empty": (lambda d, keys: ["--key", keys.path("HS256"), "--exp", ""], ["--exp"]),
    "nbf-bad": (lambda d, keys: ["--key", keys.path("HS256"), "--nbf", "1h"], ["--nbf"]),
    "now-bad": (lambda d, keys: ["--key", keys.path("HS256"), "--now", "yesterday"], ["--now"]),
    "claim-no-equals": (lambda d, keys: ["--key", keys.path("HS256"), "--claim", "foo"], ["--claim", "="]),
    "header-no-equals": (lambda d, keys: ["--key", keys.path("HS256"), "--header", "foo"], ["--header"]),
    "claims-array": (lambda d, keys: ["--key", keys.path("HS256"), "--claims", d / "array.json"], ["object"]),
    "claims-string": (lambda d, keys: ["--key", keys.path("HS256"), "--claims", d / "string.json"], ["object"]),
    "claims-broken": (lambda d, keys: ["--key", keys.path("HS256"), "--claims", d / "broken.json"], ["--claims"]),
    "claims-duplicate": (lambda d, keys: ["--key", keys.path("HS256"), "--claims", d / "dup.json"], ["--claims"]),
    "jwks-several-no-kid": (lambda d, keys: ["--key", d / "two.jwks"], ["--kid"]),
    "jwks-unknown-kid": (lambda d, keys: ["--key", d / "two.jwks", "--kid", "nope"], ["nope"]),
    "alg-unknown": (lambda d, keys: ["--key", keys.path("HS256"), "--alg", "HS257"], WIF_ALGS),
    "alg-lowercase": (lambda d, keys: ["--key", keys.path("HS256"), "--alg", "hs256"], ["HS256"]),
    "alg-none": (lambda d, keys: ["--key", keys.path("HS256"), "--alg", "none"], ["none"]),
    "unknown-option": (lambda d, keys: ["--key", keys.path("HS256"), "--frobnicate"], ["--frobnicate"]),
    "unknown-option-first": (lambda d, keys: ["--frobnicate", "--key", keys.path("HS256")], ["--frobnicate"]),
    "no-key": (lambda d, keys: ["--sub", "x"], ["--key"]),
    "big-sparse-key": (lambda d, keys: ["--key", d / "big.jwk"], ["larger than"]),
    "latin1-key": (lambda d, keys: ["--key", d / "latin1.jwk"], ["latin1.jwk"]),
    "binary-key": (lambda d, keys: ["--key", d / "binary.jwk"], ["binary.jwk"]),
    "key-and-claims-stdin": (lambda d, keys: ["--key", "-", "--claims", "-"], ["standard input"]),
    "no-exp-and-exp": (lambda d, keys: ["--key", keys.path("HS256"), "--no-exp", "--exp", "+1m"], ["--no-exp"]),
    "may-act-not-json": (lambda d, keys: ["--key", keys.path("HS256"), "--may-act", "{oops"], ["--may-act"]),
    "claim-file-bad-json": (lambda d, keys: ["--key", keys.path("HS256"), "--claim", f"x=@{d}/broken.json"],
                            ["--claim", "broken.json"]),
    "claim-empty-name": (lambda d, keys: ["--key", keys.path("HS256"), "--claim", "=1"], ["--claim"]),
}


# Cases that fail because of a known bug in the tools: case -> reason (run as strict xfail).
KNOWN_BUGS = {}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[c]))
                                  if c in KNOWN_BUGS else c for c in BAD_TOKEN_CASES])
def test_token_bad_input(case, bad, wif_keys):
    build, needles = BAD_TOKEN_CASES[case]
    start = time.monotonic()
    p = wif_run("wif-mint", *build(bad, wif_keys), input="", timeout=30)
    elapsed = time.monotonic() - start
    line = assert_usage_error(p, *needles)
    assert elapsed < 5, f"{case} took {elapsed:.1f}s"
    assert "-----BEGIN" not in p.stderr and '"d":' not in p.stderr, "a key leaked into the message"
    if case == "alg-unknown":
        assert "HS257" in p.stderr


def test_token_unreadable_key_mode_000(wif_keys):
    """A key file with mode 000. Root reads it anyway, so as root the tool runs as nobody (setpriv)."""
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(prefix="wif-unreadable-")
    try:
        os.chmod(folder, 0o755)
        key = os.path.join(folder, "k.jwk")
        with open(key, "w") as f:
            f.write(wif_keys.path("HS256").read_text())
        os.chmod(key, 0)
        cmd = [str(wif_binary("wif-mint")), "--key", key]
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv: mode 000 does not stop root from reading")
            cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if "setpriv:" in p.stderr:
            pytest.skip(f"cannot drop privileges here: {p.stderr.strip()}")
        assert_usage_error(p, "k.jwk", "permission denied")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_token_key_file_readable_by_others_warns(wif_keys, tmp_path):
    """A group/other-readable private key still signs, with one warning line naming the file and its mode."""
    key = tmp_path / "loose.jwk"
    key.write_text(wif_keys.path("ES256").read_text())
    key.chmod(0o644)
    p = wif_run("wif-mint", "--key", key, "--sub", "s")
    assert p.returncode == 0 and p.stdout.count("\n") == 1
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wif-mint: warning: ") and "loose.jwk" in lines[0] \
        and "644" in lines[0], p.stderr
    assert "-----BEGIN" not in p.stderr and '"d"' not in p.stderr


def test_token_key_from_stdin(wif_keys):
    h, p = mint_parts("-", "--sub", "s", input=wif_keys.path("ES256").read_text())
    assert h["alg"] == "ES256" and p["sub"] == "s"


# =====================================================================================================
# wif-mint request

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def form_encode(pairs):
    """RFC 6749 Appendix B with the REFERENCES D5.6 policy: A-Z a-z 0-9 - . _ * kept, space -> +, else %XX."""
    def enc(s):
        out = []
        for b in s.encode("utf-8"):
            c = chr(b)
            if c.isascii() and (c.isalnum() or c in "-._*"):
                out.append(c)
            elif c == " ":
                out.append("+")
            else:
                out.append("%%%02X" % b)
        return "".join(out)
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def test_form_encode_reference_vector():
    # RFC 6749 Appendix B: " %&+£€" -> "+%25%26%2B%C2%A3%E2%82%AC".
    assert form_encode([("v", " %&+£€")]) == "v=+%25%26%2B%C2%A3%E2%82%AC"


@pytest.fixture(scope="module")
def assertion(wif_keys):
    return mint(wif_keys.path("ES256"), "--iss", "https://ci.example", "--sub", "job", "--aud", "https://as/token")


def test_request_from_argument(assertion):
    p = wif_run("wif-mint", "request", assertion, text=False)
    assert p.returncode == 0 and p.stderr == b""
    assert p.stdout == form_encode([("grant_type", JWT_BEARER), ("assertion", assertion)]).encode()
    assert p.stdout.startswith(b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey")
    assert not p.stdout.endswith(b"\n")


@pytest.mark.parametrize("stdin_suffix", ["", "\n", "\r\n"])
def test_request_from_stdin(assertion, stdin_suffix):
    p = wif_run("wif-mint", "request", input=(assertion + stdin_suffix).encode())
    assert p.returncode == 0, p.stderr
    assert p.stdout == form_encode([("grant_type", JWT_BEARER), ("assertion", assertion)]).encode()
    p2 = wif_run("wif-mint", "request", "-", input=(assertion + stdin_suffix).encode())
    assert p2.stdout == p.stdout


def test_request_scope_resource_exact(assertion):
    scope = "mcp:read files/write ~x a+b 100% £€"
    resources = ["https://api.example.com/v1?x=1&y=2", "urn:example:res", "https://r.example/a b#frag"]
    args = ["request", "--scope", scope]
    for r in resources:
        args += ["--resource", r]
    p = wif_run("wif-mint", *args, assertion, text=False)
    assert p.returncode == 0, p.stderr
    want = [("grant_type", JWT_BEARER), ("assertion", assertion), ("scope", scope)] + \
        [("resource", r) for r in resources]
    assert p.stdout == form_encode(want).encode()
    assert not p.stdout.endswith(b"\n")
    assert urllib.parse.parse_qsl(p.stdout.decode(), keep_blank_values=True, strict_parsing=True) == want
    assert b"%7E" in p.stdout and b"%2B" in p.stdout and b"%25" in p.stdout and b"+" in p.stdout


def test_request_appendix_b_vector(assertion):
    out = wif_ok("wif-mint", "request", "--scope", " %&+£€", assertion)
    assert out.endswith("&scope=+%25%26%2B%C2%A3%E2%82%AC")


def test_request_pipeline(wif_keys):
    # wif-mint token | wif-mint request, as bytes through a real pipe.
    p = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" --key "$1" --sub s | "$0" request --scope "a b"',
                        str(wif_binary("wif-mint")), str(wif_keys.path("EdDSA"))], capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    d = urllib.parse.parse_qs(p.stdout.decode(), strict_parsing=True)
    assert d["grant_type"] == [JWT_BEARER] and d["scope"] == ["a b"]
    assert jws_split(d["assertion"][0])[1]["sub"] == "s"
    assert not p.stdout.endswith(b"\n")


@pytest.mark.parametrize("stdin", ["", "\n", "   \n"])
def test_request_empty_assertion(stdin):
    assert_usage_error(wif_run("wif-mint", "request", input=stdin), "assertion")


@pytest.mark.parametrize("option", ["--curl", "--http-request"])
@pytest.mark.parametrize("url", ["https://as.example/token\r\nurl = http://127.0.0.1:1/token\r\n",
                                 "https://as.example/token\ndata-binary = @/etc/passwd", "https://as.example/a b",
                                 "https://as.example/\x7f"])
@pytest.mark.parametrize("auth", [False, True])
def test_request_url_with_a_control_byte_is_refused(tmp_path, option, url, auth):
    # A CR LF in the URL used to pass curl's config quoting raw (one grapheme) and start new curl directives.
    (tmp_path / "secret").write_text("s3cret\n")
    extra = ["--client-auth", "post", "--client-secret-file", tmp_path / "secret"] if auth else []
    p = wif_run("wif-mint", "request", "--grant", "client-credentials", "--client-id", "svc", *extra, option, url)
    assert_usage_error(p, option)
    assert len(p.stderr.splitlines()) == 1


def test_request_client_secret_param_is_refused():
    p = wif_run("wif-mint", "request", "--grant", "client-credentials", "--client-id", "svc",
                "--param", "client_secret=s3cret")
    assert_usage_error(p, "client_secret", "--client-secret-file")
    assert "s3cret" not in p.stderr
