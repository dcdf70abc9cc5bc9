#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Authlib's OAuth 2.0 client (requests integration) driven through the SEP-1933 flow: a small adapter that takes
the suite's context, lets Authlib's OAuth2Session make the jwt-bearer token request (RFC 7523 §2.1, client
authentication "none") and use the token at the MCP server. OAuth errors come from Authlib's own parsing.
"""
import json
import os
import sys

from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

import good_client as g


def main():
    mcp_url = sys.argv[-1]
    context = json.loads(os.environ["MCP_CONFORMANCE_CONTEXT"])
    token_endpoint, scope = g.discover(mcp_url)
    session = OAuth2Session(client_id=context["client_id"], token_endpoint_auth_method="none", scope=scope)
    try:
        session.fetch_token(token_endpoint, grant_type=g.JWT_BEARER, assertion=context["valid_jwt"], timeout=5)
    except OAuthError as e:  # what the requests integration raises for an RFC 6749 §5.2 error response
        extra = f" (scope {scope})" if e.error == "invalid_scope" and scope else ""
        print(f"authlib-client: {e.error}{extra}: {e.description}", file=sys.stderr)
        return 1
    headers = {"Accept": "application/json, text/event-stream"}
    init = session.post(mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                       "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                                  "clientInfo": {"name": "authlib-adapter", "version": "1"}}},
                        headers=headers, timeout=5)
    init.raise_for_status()
    headers["MCP-Protocol-Version"] = init.json()["result"]["protocolVersion"]
    session.post(mcp_url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers, timeout=5)
    who = session.post(mcp_url, json={"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                      "params": {"name": "whoami", "arguments": {}}}, headers=headers, timeout=5)
    who.raise_for_status()
    print(who.json()["result"]["content"][0]["text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
