# SPDX-License-Identifier: Apache-2.0
"""wif against independent JOSE/OAuth implementations, through the built binaries.

  wif -> joserfc        every alg: `wif-mint key | jwks | token`, verified by joserfc against the printed
                        JWKS (HS*: the oct key), and again by `cryptography` directly
  joserfc -> wif        keys made and tokens signed by joserfc; `wif-verify --profile none --jwks` accepts them
  PEM -> wif            keys written by `cryptography` as PKCS#8, PKCS#1 (RSA), SEC1 (EC) and SPKI, imported
                        with `wif-mint jwks key.pem`; `wif-mint --key key.pem` signs for joserfc, too
  openssl               ES256, RS256, PS256, EdDSA both ways with the openssl CLI (JWS R||S <-> DER for ECDSA)
  Authlib               RFC 7523 JWTBearerGrant accepts wif ES256/RS256 assertions in a `wif-mint request`
                        body; Authlib-made assertions (no kid, exp = iat + 1h) pass `wif-verify`

joserfc, cryptography and pytest are required (`make test` installs them); Authlib-based tests are skipped
with a reason when Authlib cannot be imported.
"""
import hashlib
import hmac
import json
import shutil
import subprocess
import time
import urllib.parse

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from joserfc import jwt
from joserfc.jwk import ECKey, JWKRegistry, KeySet, OctKey, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from conftest import (KEY_SPECS, PRIVATE_MEMBERS, b64u_decode, b64u_encode, jwk_thumbprint, jws_split,
                      wif_binary, wif_ok, wif_run)

ISS = "https://ci.example"
SUB = "spiffe://example.org/ci/job"
AUD = "https://as.example/token"

HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
EC_CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1, "secp256k1": ec.SECP256K1}
EC_SIZES = {"P-256": 32, "P-384": 48, "P-521": 66, "secp256k1": 32}
ES_HASH = {"ES256": "256", "ES384": "384", "ES512": "512", "ES256K": "256"}
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")   # joserfc, about the RFC 9864 names


def joserfc_supports(alg):
    return alg in JWSRegistry.algorithms


def joserfc_decode(token, key, alg):
    """joserfc verification restricted to exactly `alg` (non-recommended algs need to be named)."""
    if not joserfc_supports(alg):
        pytest.skip(f"joserfc {getattr(__import__('joserfc'), '__version__', '?')} has no {alg}")
    return jwt.decode(token, key, algorithms=[alg])


def b2i(s):
    return int.from_bytes(b64u_decode(s), "big")


def crypto_verify(alg, jwk, token):
    """Verifies a compact JWS with `cryptography` alone (a second, independent check). Raises on failure."""
    h, p, s = token.split(".")
    signing_input = f"{h}.{p}".encode("ascii")
    sig = b64u_decode(s)
    if alg.startswith("HS"):
        want = hmac.new(b64u_decode(jwk["k"]), signing_input, getattr(hashlib, "sha" + alg[2:])).digest()
        if not hmac.compare_digest(want, sig):
            raise InvalidSignature("HMAC")
    elif alg[:2] in ("RS", "PS"):
        pub = rsa.RSAPublicNumbers(b2i(jwk["e"]), b2i(jwk["n"])).public_key()
        hh = HASHES[alg[2:]]()
        pad = padding.PKCS1v15() if alg[:2] == "RS" else padding.PSS(padding.MGF1(hh), hh.digest_size)
        pub.verify(sig, signing_input, pad, hh)
    elif alg in ES_HASH:
        n = EC_SIZES[jwk["crv"]]
        assert len(sig) == 2 * n, f"{alg} signature must be R||S of {2 * n} bytes, got {len(sig)}"
        pub = ec.EllipticCurvePublicNumbers(b2i(jwk["x"]), b2i(jwk["y"]), EC_CURVES[jwk["crv"]]()).public_key()
        der = encode_dss_signature(int.from_bytes(sig[:n], "big"), int.from_bytes(sig[n:], "big"))
        pub.verify(der, signing_input, ec.ECDSA(HASHES[ES_HASH[alg]]()))
    elif alg in ("EdDSA", "Ed25519", "Ed448"):
        cls = ed25519.Ed25519PublicKey if jwk["crv"] == "Ed25519" else ed448.Ed448PublicKey
        cls.from_public_bytes(b64u_decode(jwk["x"])).verify(sig, signing_input)
    else:
        raise AssertionError(alg)


def tamper(token):
    """The same token with one bit of the signature flipped (still canonical base64url)."""
    h, p, s = token.split(".")
    sig = bytearray(b64u_decode(s))
    sig[len(sig) // 2] ^= 0x01
    return f"{h}.{p}.{b64u_encode(bytes(sig))}"


def verify_ok(jwks_path, token, *extra):
    p = wif_run("wif-verify", "--profile", "none", "--jwks", jwks_path, *extra, token)
    assert p.returncode == 0, f"wif-verify rejected a valid token (exit {p.returncode}): {p.stderr}"
    return json.loads(p.stdout)


def verify_rejects(jwks_path, token, *extra):
    p = wif_run("wif-verify", "--profile", "none", "--jwks", jwks_path, *extra, token)
    assert p.returncode == 1, f"wif-verify should reject (exit 1), got {p.returncode}: {p.stderr}{p.stdout}"
    assert p.stderr.startswith("wif-verify: ")
    return p.stderr


# =====================================================================================================
# wif-mint -> joserfc (and cryptography)

@pytest.mark.parametrize("spec", list(KEY_SPECS))
def test_wif_mint_verified_by_joserfc(spec, wif_keys):
    alg, _, kty, _ = KEY_SPECS[spec]
    jwks_path = wif_keys.jwks_path(spec)
    published = json.loads(jwks_path.read_text())
    if kty != "oct":
        assert not PRIVATE_MEMBERS & set(published["keys"][0])
    token = wif_ok("wif-mint", "--key", wif_keys.path(spec), "--iss", ISS, "--sub", SUB, "--aud", AUD,
                   "--claim", "n=1").strip()
    keyset = KeySet.import_key_set(published if kty != "oct" else {"keys": [published]})
    tok = joserfc_decode(token, keyset, alg)
    assert tok.header["alg"] == alg and tok.header["kid"] == wif_keys.kid(spec)
    assert tok.claims["iss"] == ISS and tok.claims["sub"] == SUB and tok.claims["aud"] == AUD
    assert tok.claims["n"] == 1
    # And with cryptography directly, against the one published key.
    pub = published if kty == "oct" else published["keys"][0]
    crypto_verify(alg, pub, token)
    # Negative control: a flipped signature bit fails in joserfc.
    with pytest.raises(Exception):
        jwt.decode(tamper(token), keyset, algorithms=[alg])
    # wif-verify agrees with itself on the round trip.
    assert verify_ok(jwks_path, token)["sub"] == SUB


def test_wif_mint_es_signature_is_raw_r_s(wif_keys):
    for spec, n in (("ES256", 64), ("ES384", 96), ("ES512", 132), ("ES256K", 64)):
        _, _, sig = jws_split(wif_ok("wif-mint", "--key", wif_keys.path(spec)))
        assert len(sig) == n, f"{spec}: {len(sig)} bytes, want R||S of {n} (never DER)"


@pytest.mark.parametrize("spec,count", [("ES256", 400), ("ES512", 150), ("ES256K", 300), ("RS256", 150),
                                        ("PS256", 100)])
def test_wif_mint_count_signatures_full_length(spec, count, wif_keys):
    """Many signatures, so that some R, S (or RSA signatures) have leading zero bytes: every one must keep
    its full length (RFC 7518 §3.4 R||S of fixed size; RFC 8017 I2OSP to the modulus size) and verify."""
    alg = KEY_SPECS[spec][0]
    pub = json.loads(wif_keys.jwks_path(spec).read_text())["keys"][0]
    want = {"ES256": 64, "ES512": 132, "ES256K": 64}[spec] if pub["kty"] == "EC" else len(b64u_decode(pub["n"]))
    tokens = wif_ok("wif-mint", "--key", wif_keys.path(spec), "--count", count).split()
    assert len(tokens) == count
    for t in tokens:
        assert len(b64u_decode(t.split(".")[2])) == want
        crypto_verify(alg, pub, t)


def test_ec_coordinates_with_leading_zeros(tmp_path):
    """A P-256 key whose x (and one whose y) has a leading zero byte: wif-mint jwks keeps 32 bytes
    (RFC 7518 §6.2.1.2: the full coordinate length), and wif-verify accepts joserfc tokens made with it."""
    found = {}
    for _ in range(20000):
        key = ec.generate_private_key(ec.SECP256R1())
        n = key.public_key().public_numbers()
        if n.x < 2 ** 248 and "x" not in found:
            found["x"] = key
        if n.y < 2 ** 248 and "y" not in found:
            found["y"] = key
        if len(found) == 2:
            break
    assert len(found) == 2, "no key with a leading zero coordinate in 20000 tries"
    for coord, key in found.items():
        pem = tmp_path / f"lead-{coord}.pem"
        pem.write_bytes(pem_bytes(key, "spki"))
        jwks_text = wif_ok("wif-mint", "jwks", pem)
        (k,) = json.loads(jwks_text)["keys"]
        assert len(b64u_decode(k["x"])) == 32 and len(b64u_decode(k["y"])) == 32, k
        assert public_numbers_match(k, key)
        assert k["kid"] == ECKey.import_key(k).thumbprint()
        (tmp_path / "lead.jwks").write_text(jwks_text)
        signer = ECKey.import_key(pem_bytes(key, "pkcs8"))
        token = jwt.encode({"alg": "ES256"}, {"sub": coord}, signer, algorithms=["ES256"])
        assert verify_ok(tmp_path / "lead.jwks", token) == {"sub": coord}


# =====================================================================================================
# joserfc -> wif-verify (JWK route)

def joserfc_key(spec, py_rsa_key):
    alg, extra, kty, crv = KEY_SPECS[spec]
    params = {"kid": f"py-{spec}"}
    if kty == "oct":
        return OctKey.generate_key(int(alg[2:]), parameters=params)
    if kty == "RSA":
        pem = py_rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
        return RSAKey.import_key(pem, parameters=params)
    if kty == "EC":
        return ECKey.generate_key(crv, parameters=params)
    return OKPKey.generate_key(crv, parameters=params)


@pytest.mark.parametrize("spec", list(KEY_SPECS))
def test_joserfc_signed_verified_by_wif(spec, py_rsa_key, tmp_path):
    alg, _, kty, _ = KEY_SPECS[spec]
    if not joserfc_supports(alg):
        pytest.skip(f"joserfc has no {alg} in its registry")
    key = joserfc_key(spec, py_rsa_key)
    claims = {"iss": ISS, "sub": SUB, "aud": [AUD, "other"], "exp": int(time.time()) + 300, "x": {"y": [1]}}
    token = jwt.encode({"alg": alg, "kid": f"py-{spec}"}, claims, key, algorithms=[alg])
    jwks = tmp_path / "keys.jwks"
    if kty == "oct":
        jwks.write_text(json.dumps(key.as_dict(private=True)))              # the HMAC key itself
    else:
        exported = key.as_dict(private=False)
        assert not PRIVATE_MEMBERS & set(exported)
        jwks.write_text(json.dumps({"keys": [exported]}))
    assert verify_ok(jwks, token) == claims
    assert verify_ok(jwks, token, "--alg", alg) == claims
    verify_rejects(jwks, tamper(token))
    # wif-mint jwks reads joserfc's export as it is (not for oct, which has no public half).
    if kty != "oct":
        (k,) = json.loads(wif_ok("wif-mint", "jwks", jwks))["keys"]
        assert k["kid"] == f"py-{spec}" and k == key.as_dict(private=False) | k
        assert jwk_thumbprint(k) == key.thumbprint()


def test_joserfc_keyset_rotation_by_kid(py_rsa_key, tmp_path):
    """Two keys in the JWKS (a rotation): wif-verify picks each by kid."""
    k1 = ECKey.generate_key("P-256", parameters={"kid": "old"})
    k2 = OKPKey.generate_key("Ed25519", parameters={"kid": "new"})
    jwks = tmp_path / "rot.jwks"
    jwks.write_text(json.dumps({"keys": [k1.as_dict(private=False), k2.as_dict(private=False)]}))
    t1 = jwt.encode({"alg": "ES256", "kid": "old"}, {"sub": "a"}, k1, algorithms=["ES256"])
    t2 = jwt.encode({"alg": "Ed25519", "kid": "new"}, {"sub": "b"}, k2, algorithms=["Ed25519"])
    assert verify_ok(jwks, t1) == {"sub": "a"}
    assert verify_ok(jwks, t2) == {"sub": "b"}


# =====================================================================================================
# cryptography PEM -> wif-mint jwks -> wif-verify, and wif-mint --key PEM -> joserfc

def py_private_key(kty, crv, py_rsa_key):
    if kty == "RSA":
        return py_rsa_key
    if kty == "EC":
        return ec.generate_private_key(EC_CURVES[crv]())
    return (ed25519.Ed25519PrivateKey if crv == "Ed25519" else ed448.Ed448PrivateKey).generate()


def pem_bytes(key, fmt):
    E, P = serialization.Encoding.PEM, serialization.PrivateFormat
    if fmt == "spki":
        return key.public_key().public_bytes(E, serialization.PublicFormat.SubjectPublicKeyInfo)
    form = {"pkcs8": P.PKCS8, "pkcs1": P.TraditionalOpenSSL, "sec1": P.TraditionalOpenSSL}[fmt]
    return key.private_bytes(E, form, serialization.NoEncryption())


PEM_HEADERS = {"pkcs8": b"-----BEGIN PRIVATE KEY-----", "pkcs1": b"-----BEGIN RSA PRIVATE KEY-----",
               "sec1": b"-----BEGIN EC PRIVATE KEY-----", "spki": b"-----BEGIN PUBLIC KEY-----"}
PEM_CASES = []
for _spec, (_alg, _x, _kty, _crv) in KEY_SPECS.items():
    _fmts = {"RSA": ["pkcs8", "pkcs1", "spki"], "EC": ["pkcs8", "sec1", "spki"], "OKP": ["pkcs8", "spki"]}.get(_kty, [])
    PEM_CASES += [(_spec, f) for f in _fmts]


def public_numbers_match(jwk, key):
    pub = key.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        n = pub.public_numbers()
        return jwk["kty"] == "RSA" and (b2i(jwk["n"]), b2i(jwk["e"])) == (n.n, n.e)
    if isinstance(pub, ec.EllipticCurvePublicKey):
        n = pub.public_numbers()
        return jwk["kty"] == "EC" and (b2i(jwk["x"]), b2i(jwk["y"])) == (n.x, n.y)
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return jwk["kty"] == "OKP" and b64u_decode(jwk["x"]) == raw


@pytest.mark.parametrize("spec,fmt", PEM_CASES, ids=[f"{s}-{f}" for s, f in PEM_CASES])
def test_pem_from_cryptography(spec, fmt, py_rsa_key, tmp_path):
    alg, _, kty, crv = KEY_SPECS[spec]
    key = py_private_key(kty, crv, py_rsa_key)
    pem = pem_bytes(key, fmt)
    assert pem.startswith(PEM_HEADERS[fmt])
    pem_file = tmp_path / f"key-{fmt}.pem"
    pem_file.write_bytes(pem)

    # PEM -> JWKS: the public key cryptography holds, no private member, kid = thumbprint.
    jwks_text = wif_ok("wif-mint", "jwks", pem_file)
    (k,) = json.loads(jwks_text)["keys"]
    assert public_numbers_match(k, key)
    assert not PRIVATE_MEMBERS & set(k)
    if kty == "EC" or kty == "OKP":
        assert k["crv"] == crv
    assert k["kid"] == jwk_thumbprint(k)
    jwks = tmp_path / "pub.jwks"
    jwks.write_text(jwks_text)

    # A token signed by joserfc with the same PEM, no kid: wif-verify accepts it.
    signer = JWKRegistry.import_key(pem_bytes(key, "pkcs8"), kty)
    claims = {"iss": ISS, "sub": SUB, "exp": int(time.time()) + 120}
    token = jwt.encode({"alg": alg}, claims, signer, algorithms=[alg])
    assert verify_ok(jwks, token, "--alg", alg) == claims
    verify_rejects(jwks, tamper(token), "--alg", alg)

    # A private PEM signs in wif-mint (--alg, since a PEM key names none), and joserfc verifies.
    if fmt != "spki":
        t2 = wif_ok("wif-mint", "--key", pem_file, "--alg", alg, "--sub", SUB).strip()
        tok = joserfc_decode(t2, JWKRegistry.import_key(k), alg)
        assert tok.claims["sub"] == SUB and tok.header["alg"] == alg and tok.header["kid"] == k["kid"]


# =====================================================================================================
# The openssl CLI, both ways

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl CLI is not installed")


def der_len(n):
    return bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")


def raw_to_der(sig):
    """JWS ECDSA R||S (RFC 7518 §3.4) -> DER ECDSA-Sig-Value, encoded here by hand."""
    half = len(sig) // 2
    parts = b""
    for v in (sig[:half], sig[half:]):
        v = v.lstrip(b"\x00") or b"\x00"
        if v[0] & 0x80:
            v = b"\x00" + v
        parts += b"\x02" + der_len(len(v)) + v
    return b"\x30" + der_len(len(parts)) + parts


def der_to_raw(der, size):
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def openssl(*args, input=None):
    return subprocess.run([OPENSSL, *map(str, args)], input=input, capture_output=True, timeout=60)


def test_raw_to_der_matches_cryptography():
    for r, s in ((1, 2), (2 ** 255 + 7, 2 ** 200), (2 ** 520 + 1, 3)):
        n = 66 if r > 2 ** 384 else 32
        raw = r.to_bytes(n, "big") + s.to_bytes(n, "big")
        assert raw_to_der(raw) == encode_dss_signature(r, s)


OPENSSL_ALGS = {
    # alg: (genpkey args, key spec for wif, dgst args for sign/verify or None for Ed25519 raw)
    "ES256": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], ["-sha256"]),
    "RS256": (None, ["-sha256"]),
    "PS256": (None, ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                     "-sigopt", "rsa_mgf1_md:sha256"]),
    "EdDSA": (["-algorithm", "ED25519"], None),
}


@needs_openssl
@pytest.mark.parametrize("alg", list(OPENSSL_ALGS))
def test_wif_mint_verified_by_openssl(alg, wif_keys, tmp_path, py_rsa_key):
    _, dgst = OPENSSL_ALGS[alg]
    # The key as PKCS#8 PEM from wif-mint itself (RSA from the session key, to spare a keygen).
    key_pem = tmp_path / "key.pem"
    if alg.startswith(("RS", "PS")):
        key_pem.write_bytes(pem_bytes(py_rsa_key, "pkcs8"))
    else:
        key_pem.write_text(wif_ok("wif-mint", "key", "--alg", alg, "--pem"))
    pub_pem = tmp_path / "pub.pem"
    p = openssl("pkey", "-in", key_pem, "-pubout", "-out", pub_pem)
    assert p.returncode == 0, p.stderr
    token = wif_ok("wif-mint", "--key", key_pem, "--alg", alg, "--sub", SUB).strip()
    h, pl, s = token.split(".")
    (tmp_path / "input").write_bytes(f"{h}.{pl}".encode())
    sig = b64u_decode(s)
    if alg == "ES256":
        assert len(sig) == 64
        sig = raw_to_der(sig)
    (tmp_path / "sig").write_bytes(sig)
    if dgst is None:
        args = ["pkeyutl", "-verify", "-pubin", "-inkey", pub_pem, "-rawin", "-in", tmp_path / "input",
                "-sigfile", tmp_path / "sig"]
    else:
        args = ["dgst", *dgst, "-verify", pub_pem, "-signature", tmp_path / "sig", tmp_path / "input"]
    p = openssl(*args)
    assert p.returncode == 0 and b"Verified" in p.stdout + p.stderr, p.stdout + p.stderr
    # Negative control: one changed byte of the signing input fails.
    (tmp_path / "input").write_bytes(f"{h}.{pl}x".encode())
    assert openssl(*args).returncode != 0


@needs_openssl
@pytest.mark.parametrize("alg", list(OPENSSL_ALGS))
def test_openssl_signed_verified_by_wif(alg, tmp_path, py_rsa_key):
    genpkey, dgst = OPENSSL_ALGS[alg]
    key_pem = tmp_path / "key.pem"
    if genpkey is None:
        key_pem.write_bytes(pem_bytes(py_rsa_key, "pkcs1"))
    else:
        p = openssl("genpkey", *genpkey, "-out", key_pem)
        assert p.returncode == 0, p.stderr
    jwks = tmp_path / "pub.jwks"
    jwks.write_text(wif_ok("wif-mint", "jwks", key_pem))
    claims = {"iss": ISS, "sub": SUB, "exp": int(time.time()) + 300}
    h = b64u_encode(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    pl = b64u_encode(json.dumps(claims).encode())
    (tmp_path / "input").write_bytes(f"{h}.{pl}".encode())
    if dgst is None:
        p = openssl("pkeyutl", "-sign", "-inkey", key_pem, "-rawin", "-in", tmp_path / "input")
    else:
        p = openssl("dgst", *dgst, "-sign", key_pem, tmp_path / "input")
    assert p.returncode == 0, p.stderr
    sig = p.stdout
    if alg == "ES256":
        sig = der_to_raw(sig, 32)
    token = f"{h}.{pl}.{b64u_encode(sig)}"
    assert verify_ok(jwks, token, "--alg", alg) == claims
    verify_rejects(jwks, tamper(token), "--alg", alg)
    if alg == "ES256":
        # A DER signature (what openssl emits) is not a JWS signature.
        verify_rejects(jwks, f"{h}.{pl}.{b64u_encode(p.stdout)}", "--alg", alg)


# =====================================================================================================
# Authlib: an independent RFC 7523 token endpoint, and an independent assertion maker

def authlib_or_skip():
    try:
        import authlib  # noqa: F401
        from authlib.oauth2.rfc7523 import JWTBearerGrant  # noqa: F401
    except Exception as e:       # not installable here
        pytest.skip(f"Authlib is not available ({e}); install it with `python3 -m pip install authlib`")


def authlib_token_endpoint(jwks, issuer, audiences, scopes=None):
    """A minimal Authlib AuthorizationServer with only the RFC 7523 JWT bearer grant registered.

    Returns a function: form body (str) -> (HTTP status, response dict)."""
    from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
    from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
    from authlib.oauth2.rfc7523 import JWTBearerGrant

    class Client(ClientMixin):
        def __init__(self, client_id):
            self.client_id = client_id

        def get_client_id(self):
            return self.client_id

        def check_grant_type(self, grant_type):
            return grant_type == JWTBearerGrant.GRANT_TYPE

        def get_allowed_scope(self, scope):
            return scope

    class Grant(JWTBearerGrant):
        CLAIMS_OPTIONS = {"iss": {"essential": True, "value": issuer}, "sub": {"essential": True},
                          "aud": {"essential": True}, "exp": {"essential": True}}

        def resolve_issuer_client(self, iss):
            return Client(iss) if iss == issuer else None

        def resolve_client_public_key(self, client):
            return KeySet.import_key_set(jwks)

        def authenticate_user(self, subject):
            return {"sub": subject}

        def has_granted_permission(self, client, user):
            return True

        def get_audiences(self):
            return audiences

    class FormRequest(OAuth2Request):
        def __init__(self, body):
            super().__init__("POST", "https://as.example/token",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
            self._form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=True))
            self.payload = BasicOAuth2Payload(self._form)

        @property
        def form(self):
            return self._form

        @property
        def args(self):
            return {}

    class Server(AuthorizationServer):
        def create_oauth2_request(self, request):
            return FormRequest(request)

        def handle_response(self, status, body, headers):
            return status, body

        def save_token(self, token, request):
            self.saved = token

        def send_signal(self, name, *args, **kwargs):
            pass

        def query_client(self, client_id):
            return None

    server = Server(scopes_supported=scopes)
    server.register_grant(Grant)
    server.register_token_generator(
        "default", lambda grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True:
        {"access_token": "at-" + user["sub"], "token_type": "Bearer", "expires_in": 3600, "scope": scope})
    return server.create_token_response


@pytest.mark.parametrize("spec", ["ES256", "RS256"])
def test_authlib_accepts_wif_assertion(spec, wif_keys):
    authlib_or_skip()
    jwks = json.loads(wif_keys.jwks_path(spec).read_text())
    endpoint = authlib_token_endpoint(jwks, ISS, [AUD], scopes=["mcp:read", "mcp:write"])
    key = wif_keys.path(spec)

    def body(*mint_args, scope="mcp:read"):
        p = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" --key "$1" "${@:3}" | "$0" request --scope "$2"',
                            str(wif_binary("wif-mint")), str(key), scope, *mint_args],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        assert not p.stdout.endswith("\n")
        return p.stdout

    status, resp = endpoint(body("--iss", ISS, "--sub", SUB, "--aud", AUD))
    assert status == 200, resp
    assert resp["access_token"] == "at-" + SUB and resp["scope"] == "mcp:read"
    status, resp = endpoint(body("--iss", ISS, "--sub", SUB, "--aud", AUD, "--aud", "https://other"))
    assert status == 200, resp

    # Negative controls: Authlib really checks what wif put in.
    for args, scope, error in [
        (["--iss", ISS, "--sub", SUB, "--aud", "https://wrong.example"], "mcp:read", "invalid_grant"),
        (["--iss", ISS, "--sub", SUB, "--aud", AUD, "--exp", "-10m", "--iat", "-15m"], "mcp:read", "invalid_grant"),
        (["--iss", "https://stranger", "--sub", SUB, "--aud", AUD], "mcp:read", "invalid_grant"),
        (["--iss", ISS, "--sub", SUB, "--aud", AUD], "admin", "invalid_scope"),
    ]:
        status, resp = endpoint(body(*args, scope=scope))
        assert status == 400 and resp["error"] == error, (args, resp)


@pytest.mark.parametrize("spec", ["ES256", "RS256"])
def test_authlib_jwt_decode_claims_options(spec, wif_keys):
    authlib_or_skip()
    from authlib.oauth2.rfc7523 import JWTBearerGrant  # noqa: F401  (same joserfc claims registry it uses)
    jwks = KeySet.import_key_set(json.loads(wif_keys.jwks_path(spec).read_text()))
    token = wif_ok("wif-mint", "--key", wif_keys.path(spec), "--iss", ISS, "--sub", SUB, "--aud", AUD).strip()
    tok = jwt.decode(token, jwks)                                  # default (recommended) algs only
    jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": ISS}, sub={"essential": True, "value": SUB},
                          aud={"essential": True, "values": [AUD]}, exp={"essential": True}).validate(tok.claims)


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_authlib_assertion_passes_wif_verify(alg, py_rsa_key, tmp_path):
    authlib_or_skip()
    from authlib.oauth2.rfc7523 import JWTBearerGrant
    if alg == "ES256":
        key = ECKey.generate_key("P-256")
    else:
        key = RSAKey.import_key(pem_bytes(py_rsa_key, "pkcs8"))
    assertion = JWTBearerGrant.sign(key, issuer=ISS, audience=AUD, subject=SUB, alg=alg)
    if isinstance(assertion, bytes):
        assertion = assertion.decode()
    h, claims, _ = jws_split(assertion)
    assert "kid" not in h and claims["exp"] == claims["iat"] + 3600
    jwks = tmp_path / "one.jwks"
    public = key.as_dict(private=False)
    public.pop("kid", None)
    jwks.write_text(json.dumps({"keys": [public]}))
    p = wif_run("wif-verify", "--jwks", jwks, "--aud", AUD, "--iss", ISS, assertion)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == claims
    # Same JWKS, wrong audience: rejected (exit 1) with the reason code.
    p = wif_run("wif-verify", "--jwks", jwks, "--aud", "https://elsewhere", "--iss", ISS, assertion)
    assert p.returncode == 1 and "bad_audience" in p.stderr, p.stderr
