# SPDX-License-Identifier: Apache-2.0
"""The peer of `wif-verify serve` in bench/serve.sh: Authlib's RFC 7523 JWT-bearer grant on Flask, served by
Werkzeug's threaded WSGI server on 127.0.0.1 (a free port, written to URL_FILE), with what wif does per request:
the assertion's signature, iss, aud and exp checked against the IdP's JWKS, its jti remembered (a replay is
invalid_grant), and an RFC 9068 JWT access token signed with ES256 by the server's own key.

usage: authlib_server.py IDP_JWKS AS_JWK ISS AUD URL_FILE
"""
import json
import logging
import os
import sys
import threading

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, InvalidGrantError
from authlib.oauth2.rfc7523 import JWTBearerGrant
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from flask import Flask
from joserfc.jwk import ECKey, KeySet
from werkzeug.serving import make_server

idp_jwks, as_jwk, ISS, AUD, url_file = sys.argv[1:6]
IDP_KEYS = KeySet.import_key_set(json.load(open(idp_jwks)))
AS_KEY = ECKey.import_key(json.load(open(as_jwk)))
SEEN = set()
SEEN_LOCK = threading.Lock()


class Client(ClientMixin):
    client_id = ISS

    def get_client_id(self):
        return self.client_id

    def check_grant_type(self, grant_type):
        return grant_type == JWTBearerGrant.GRANT_TYPE

    def get_allowed_scope(self, scope):
        return scope or ""


CLIENT = Client()


class User:
    def __init__(self, sub):
        self.sub = sub

    def get_user_id(self):
        return self.sub


class Grant(JWTBearerGrant):
    CLAIMS_OPTIONS = {"iss": {"essential": True, "value": ISS}, "aud": {"essential": True},
                      "exp": {"essential": True}}

    def resolve_issuer_client(self, issuer):
        return CLIENT if issuer == ISS else None

    def resolve_client_public_key(self, client):
        return IDP_KEYS

    def get_audiences(self):
        return [AUD]

    def authenticate_user(self, subject):
        return User(subject)

    def has_granted_permission(self, client, user):
        return True

    def verify_claims(self, claims):
        super().verify_claims(claims)
        key = (claims.get("iss"), claims.get("jti"))
        with SEEN_LOCK:
            if key in SEEN:
                raise InvalidGrantError(description="jti was already presented")
            SEEN.add(key)


class Tokens(JWTBearerTokenGenerator):
    def get_jwks(self):
        return KeySet([AS_KEY])


app = Flask(__name__)
server = AuthorizationServer(app, query_client=lambda cid: CLIENT if cid == ISS else None,
                             save_token=lambda token, request: None)
server.register_grant(Grant)
server.register_token_generator("default", Tokens(issuer="http://authlib.bench", alg="ES256"))


@app.route("/token", methods=["POST"])
def token():
    return server.create_token_response()


logging.getLogger("werkzeug").setLevel(logging.ERROR)
httpd = make_server("127.0.0.1", 0, app, threaded=True)
tmp = url_file + ".tmp"
with open(tmp, "w") as f:
    f.write(f"http://127.0.0.1:{httpd.server_port}\n")
os.replace(tmp, url_file)
httpd.serve_forever()
