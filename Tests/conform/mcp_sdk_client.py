#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The MCP Python SDK as the client under test: its IdentityAssertionOAuthProvider (RFC 7523 jwt-bearer grant,
SEP-990's leg 2) given the suite's valid_jwt as the assertion, and its Streamable HTTP client and ClientSession
for initialize, tools/list and tools/call. The provider is for confidential clients only: it requires a
client_secret (sent as client_secret_post; conform records it without judging it, as the suite
does) and the issuer as configuration, which this adapter reads from the resource's metadata. Any failure: the
SDK's message on stderr, exit 1.

With the argument `private-key-jwt` (before the URL) it uses the SDK's PrivateKeyJWTOAuthProvider instead, which
the SDK documents for a "pre-built JWT via Workload Identity Federation": it sends grant_type=client_credentials
with the JWT as an RFC 7523 section 2.2 client assertion, not the jwt-bearer grant of SEP-1933, so
`wif-verify conform` fails it on wif-grant-type.
"""
import json
import os
import sys

import anyio
from mcp import ClientSession
from mcp.client.auth.extensions.client_credentials import PrivateKeyJWTOAuthProvider, static_assertion_provider
from mcp.client.auth.extensions.identity_assertion import IdentityAssertionOAuthProvider
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

import good_client as g


class MemoryStorage:
    def __init__(self):
        self.tokens, self.info = None, None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.info

    async def set_client_info(self, info):
        self.info = info


def issuer_of(mcp_url):
    base = mcp_url.rsplit("/mcp", 1)[0]
    prm = json.loads(g.http("GET", base + "/.well-known/oauth-protected-resource/mcp")[2])
    return prm["authorization_servers"][0]


async def run(mcp_url, context, mode):
    async def assertion(audience, resource):
        return context["valid_jwt"]

    if mode == "private-key-jwt":
        provider = PrivateKeyJWTOAuthProvider(server_url=mcp_url, storage=MemoryStorage(), client_id=context["client_id"],
                                              assertion_provider=static_assertion_provider(context["valid_jwt"]),
                                              issuer=issuer_of(mcp_url))
    else:
        provider = IdentityAssertionOAuthProvider(server_url=mcp_url, storage=MemoryStorage(),
                                                  client_id=context["client_id"], client_secret="unused-by-wif",
                                                  issuer=issuer_of(mcp_url), assertion_provider=assertion)
    client = create_mcp_http_client(auth=provider)
    with anyio.fail_after(8):
        await session_flow(client, mcp_url)


async def session_flow(client, mcp_url):
    async with client, streamable_http_client(mcp_url, http_client=client) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            await session.list_tools()
            result = await session.call_tool("whoami", {})
            print(result.content[0].text)


def main():
    mcp_url = sys.argv[-1]
    context = json.loads(os.environ["MCP_CONFORMANCE_CONTEXT"])
    try:
        anyio.run(run, mcp_url, context, sys.argv[1] if len(sys.argv) > 2 else "identity-assertion")
    except BaseException as e:  # the SDK raises inside task groups: report the innermost message
        while isinstance(e, BaseExceptionGroup) and e.exceptions:
            e = e.exceptions[0]
        print(f"mcp-sdk-client: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
