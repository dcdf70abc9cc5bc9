#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A SEP-1933 client in POSIX sh with curl: the MCP URL is the last argument, the context is JSON in
# MCP_CONFORMANCE_CONTEXT. Token endpoint from the authorization server's metadata (the resource's origin),
# one jwt-bearer request, then initialize at the MCP server. Any error: the OAuth error on stderr, exit 1.
set -eu
for last; do :; done
mcp=$last
base=${mcp%/mcp}
jwt=$(printf '%s' "$MCP_CONFORMANCE_CONTEXT" | sed -n 's/.*"valid_jwt":"\([^"]*\)".*/\1/p')
[ -n "$jwt" ] || { echo "curl-client: no valid_jwt in MCP_CONFORMANCE_CONTEXT" >&2; exit 2; }
token_endpoint=$(curl -sS --max-time 5 "$base/.well-known/oauth-authorization-server" \
  | sed -n 's/.*"token_endpoint":"\([^"]*\)".*/\1/p')
body=$(curl -sS --max-time 5 -w '\n%{http_code}' -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
  --data-urlencode "assertion=$jwt" "$token_endpoint")
status=$(printf '%s\n' "$body" | tail -n 1)
json=$(printf '%s\n' "$body" | sed '$d')
if [ "$status" != 200 ]; then
  error=$(printf '%s' "$json" | sed -n 's/.*"error":"\([^"]*\)".*/\1/p')
  echo "curl-client: token request failed ($status): ${error:-unknown}: $json" >&2
  exit 1
fi
at=$(printf '%s' "$json" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -sS --max-time 5 -f -H "Authorization: Bearer $at" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl-client","version":"1"}}}' \
  "$mcp" >/dev/null
