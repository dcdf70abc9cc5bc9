#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A SEP-1933 client that behaves: standard library only (urllib).

Run as the MCP conformance suite runs a client: the MCP server URL is the last argument, the context (valid_jwt,
client_id, ...) is JSON in MCP_CONFORMANCE_CONTEXT. It discovers the authorization server from the 401 challenge
(RFC 9728), POSTs the workload JWT with the jwt-bearer grant (RFC 7523), calls the MCP server with the access token
(initialize, tools/list, tools/call whoami) and exits 0; on any OAuth error it prints the error (and the scope it
asked for) on stderr and exits 1 at once: no retry, no other grant.

tests/conform/bad_client.py reuses this flow with one behaviour broken (mode argument).
"""
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OAuthFailure(Exception):
    def __init__(self, error, description, scope):
        super().__init__(error)
        self.error, self.description, self.scope = error, description, scope


def http(method, url, body=None, headers=None, timeout=5):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def discover(mcp_url):
    """(token endpoint, scope to ask for) from the resource's 401 challenge and the two metadata documents."""
    status, headers, _ = http("POST", mcp_url, b"{}", {"Content-Type": "application/json"})
    challenge = next((v for k, v in headers.items() if k.lower() == "www-authenticate"), "")
    if status != 401 or "resource_metadata" not in challenge:
        raise SystemExit(f"client: expected a 401 with resource_metadata from {mcp_url}, got {status}")
    prm_url = re.search(r'resource_metadata="([^"]+)"', challenge).group(1)
    scope = (re.search(r'scope="([^"]+)"', challenge) or [None, None])[1]
    prm = json.loads(http("GET", prm_url)[2])
    issuer = prm["authorization_servers"][0]
    asm = json.loads(http("GET", issuer.rstrip("/") + "/.well-known/oauth-authorization-server")[2])
    if JWT_BEARER not in asm.get("grant_types_supported", []):
        raise SystemExit("client: the authorization server does not support the jwt-bearer grant")
    if scope is None and prm.get("scopes_supported"):
        scope = " ".join(prm["scopes_supported"])
    return asm["token_endpoint"], scope


def token_request(token_endpoint, form):
    status, _, body = http("POST", token_endpoint, urllib.parse.urlencode(form).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    answer = json.loads(body or b"{}")
    if status != 200:
        raise OAuthFailure(answer.get("error", f"http_{status}"), answer.get("error_description", ""), form.get("scope"))
    return answer["access_token"]


def jwt_bearer_form(context, scope):
    form = {"grant_type": JWT_BEARER, "assertion": context["valid_jwt"]}
    if scope:
        form["scope"] = scope
    return form


def call_mcp(mcp_url, access_token):
    headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream"}
    def rpc(message):
        status, _, body = http("POST", mcp_url, json.dumps(message).encode(), headers)
        if status not in (200, 202):
            raise SystemExit(f"client: MCP {message['method']} answered {status}: {body[:200]!r}")
        return json.loads(body) if body else None
    init = rpc({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "wif-good-client", "version": "1"}}})
    headers["MCP-Protocol-Version"] = init["result"]["protocolVersion"]
    rpc({"jsonrpc": "2.0", "method": "notifications/initialized"})
    tools = rpc({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    names = [t["name"] for t in tools["result"]["tools"]]
    if "whoami" in names:
        who = rpc({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "whoami", "arguments": {}}})
        print(who["result"]["content"][0]["text"])


def report(e):
    extra = f" for scope {e.scope}" if e.error == "invalid_scope" and e.scope else ""
    print(f"client: token request failed: {e.error}{extra}: {e.description}", file=sys.stderr)


def main():
    mcp_url = sys.argv[-1]
    context = json.loads(os.environ["MCP_CONFORMANCE_CONTEXT"])
    token_endpoint, scope = discover(mcp_url)
    try:
        access_token = token_request(token_endpoint, jwt_bearer_form(context, scope))
    except OAuthFailure as e:
        report(e)
        return 1
    call_mcp(mcp_url, access_token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
