#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the encrypted-key fixtures in this folder, independently of wif (run once; the outputs are committed).

  rfc7515-a3.jwk               the RFC 7515 A.3 P-256 key, with kid and alg (the plaintext)
  rfc7515-a3.wif-key           that key in wif's encrypted key file format, version 1 (wif-mint(1),
                               ENCRYPTED KEY FILES), built here from the documented format with libargon2
                               (ctypes) and AES-256-GCM from Python `cryptography`; fixed salt and nonce
  rfc7515-a3.pkcs8-aes256.pem  the same key as OpenSSL-encrypted PKCS#8 (PBES2, PBKDF2, AES-256-CBC)
The passphrase of both is in PASSPHRASE below.
"""
import base64
import ctypes
import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSPHRASE = b"correct horse battery staple"
JWK = {"kty": "EC", "crv": "P-256", "kid": "rfc7515-a3", "alg": "ES256", "use": "sig",
       "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
       "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def argon2id(password, salt, t, m, p, length=32):
    lib = ctypes.CDLL("libargon2.so.1")
    out = ctypes.create_string_buffer(length)
    rc = lib.argon2id_hash_raw(ctypes.c_uint32(t), ctypes.c_uint32(m), ctypes.c_uint32(p), password,
                               ctypes.c_size_t(len(password)), salt, ctypes.c_size_t(len(salt)), out,
                               ctypes.c_size_t(length))
    assert rc == 0, rc
    return out.raw


def encrypted_key_file(jwk, passphrase, salt, nonce, m, t, p):
    """The documented format: canonical compact JSON, members in this order; AAD = the file without enc.tag and
    ciphertext; key = Argon2id(passphrase, salt, m, t, p) of 32 bytes; plaintext = the private JWK."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    compact = lambda o: json.dumps(o, separators=(",", ":"), ensure_ascii=False)
    kdf = {"alg": "argon2id", "v": 19, "m": m, "t": t, "p": p, "salt": b64u(salt)}
    header = {"wif": "encrypted-key", "version": 1, "kid": jwk["kid"], "alg": jwk["alg"], "kdf": kdf,
              "enc": {"alg": "A256GCM", "nonce": b64u(nonce)}}
    aad = compact(header).encode("utf-8")
    sealed = AESGCM(argon2id(passphrase, salt, t, m, p)).encrypt(nonce, compact(jwk).encode("utf-8"), aad)
    header["enc"]["tag"] = b64u(sealed[-16:])
    header["ciphertext"] = b64u(sealed[:-16])
    return compact(header) + "\n"


def main():
    (HERE / "rfc7515-a3.jwk").write_text(json.dumps(JWK) + "\n")
    (HERE / "rfc7515-a3.wif-key").write_text(
        encrypted_key_file(JWK, PASSPHRASE, bytes(range(16)), bytes(range(100, 112)), m=64, t=1, p=1))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    d = int.from_bytes(base64.urlsafe_b64decode(JWK["d"] + "="), "big")
    plain = ec.derive_private_key(d, ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pem = subprocess.run(["openssl", "pkcs8", "-topk8", "-v2", "aes256", "-passout", "pass:" + PASSPHRASE.decode()],
                         input=plain, capture_output=True, check=True).stdout
    (HERE / "rfc7515-a3.pkcs8-aes256.pem").write_bytes(pem)


if __name__ == "__main__":
    main()
