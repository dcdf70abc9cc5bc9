#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Makes the fixed signing keys behind the wif-mint golden tokens (Tests/Golden/mint-*.jwt), once.
# The keys are committed; rerunning this replaces them, after which the goldens must be re-recorded:
#   WIF_RECORD_GOLDEN=1 python3 -m pytest -q Tests/interop/test_mint_cli.py -k golden
# Binaries come from $WIF_BIN_DIR (default: .build/debug under the repository root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${WIF_BIN_DIR:-$here/../../../.build/debug}
"$bin/wif-mint" key --alg HS256 --kid golden-hs256 --out "$here/golden-hs256.jwk"
"$bin/wif-mint" key --alg EdDSA --kid golden-eddsa --out "$here/golden-eddsa.jwk"
"$bin/wif-mint" key --alg RS256 --kid golden-rs256 --out "$here/golden-rs256.jwk"
echo "wrote $here/golden-hs256.jwk golden-eddsa.jwk golden-rs256.jwk"
