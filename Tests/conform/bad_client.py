#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The good client with one behaviour broken, named by the first argument (the URL comes last):

  retry         after a failed token request, sends the same jwt-bearer request again (wif-no-retry)
  fallback      after a failed token request, tries grant_type=client_credentials (wif-grant-fallback)
  exit0         reports the error but exits 0 (client-exit)
  hang          after a failed token request, waits forever (client-timeout)
  no-assertion  sends the jwt-bearer grant without the assertion parameter (wif-assertion-verified, token-error)
  wrong-param   sends the JWT as parameter "jwt" instead of "assertion" (same checks)
"""
import sys
import time

import good_client as g


def main():
    mode, mcp_url = sys.argv[1], sys.argv[-1]
    context = g.json.loads(g.os.environ["MCP_CONFORMANCE_CONTEXT"])
    token_endpoint, scope = g.discover(mcp_url)
    form = g.jwt_bearer_form(context, scope)
    if mode == "no-assertion":
        del form["assertion"]
    elif mode == "wrong-param":
        form["jwt"] = form.pop("assertion")
    try:
        access_token = g.token_request(token_endpoint, form)
    except g.OAuthFailure as e:
        g.report(e)
        if mode == "retry":
            try:
                g.token_request(token_endpoint, form)
            except g.OAuthFailure as again:
                g.report(again)
        elif mode == "fallback":
            try:
                g.token_request(token_endpoint, {"grant_type": "client_credentials", "client_id": context["client_id"]})
            except g.OAuthFailure as again:
                g.report(again)
        elif mode == "hang":
            time.sleep(3600)
        return 0 if mode == "exit0" else 1
    g.call_mcp(mcp_url, access_token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
