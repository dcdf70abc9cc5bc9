# SPDX-License-Identifier: Apache-2.0
"""No byte from the input acts on a terminal (issue 9 item 4, issue 11 item 5): ESC, C1 CSI, bidi overrides and
isolates, line and paragraph separators, CR, LF and BEL in member names, values, parameter names and key
members never reach wif-inspect's text view, jwks-check's text report or any tool's stderr raw, with or without
colour. Colour itself (SGR) appears only where wif-inspect was asked for it."""
import base64
import json

import pytest

from conftest import wif_run

EVIL = ["\x1b[31mX", "\u009b31m", "\u202eevil", "\u2066iso", "line\nbreak", "cr\rx", "\u2028sep", "\x07bell",
        "\u200fmark"]
RAW = ["\x1b", "\u009b", "\u202e", "\u2066", "line\nbreak", "\r", "\u2028", "\x07", "\u200f"]


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def pct(s):
    return "".join("%%%02X" % x for x in s.encode())


def assert_clean(text, allow_sgr=False):
    for c in RAW:
        if c == "\x1b" and allow_sgr:
            # Only wif's own SGR sequences: ESC [ digits m.
            import re
            assert not re.search(r"\x1b(?!\[[0-9;]*m)", text), repr(text)
            assert "\x1b[31mX" not in text, repr(text)
            continue
        assert c not in text, (repr(c), repr(text[:400]))


def evil_token(b):
    hdr = {"alg": "ES256", "kid": b, b: "v", "typ": b}
    pl = {"iss": b, "sub": b, b: 1, "aud": b, "exp": "x" + b, "act": {"sub": b}, "may_act": {"sub": b}}
    return b64(json.dumps(hdr).encode()) + "." + b64(json.dumps(pl).encode()) + ".AAAA"


@pytest.mark.parametrize("bad", EVIL)
@pytest.mark.parametrize("color", ["never", "always"])
def test_inspect_token_view(bad, color):
    p = wif_run("wif-inspect", "--color", color, evil_token(bad))
    assert p.returncode == 0, p.stderr
    assert_clean(p.stdout, allow_sgr=color == "always")
    assert_clean(p.stderr)


@pytest.mark.parametrize("bad", EVIL)
def test_inspect_request_view(bad):
    body = f"grant_type={pct(bad)}&{pct(bad)}=1&{pct(bad)}=2&scope={pct(bad)}&client_secret{pct(bad)}=s3cr3t"
    p = wif_run("wif-inspect", "--color", "never", body)
    assert_clean(p.stdout)
    assert_clean(p.stderr)
    assert "s3cr3t" not in p.stdout


@pytest.mark.parametrize("bad", EVIL)
def test_key_set_views(bad, tmp_path):
    jwks = {"keys": [{"kty": "EC", "crv": "P-256", "x": "uLE_7ePofjV8kspGS_kYkirYy3uoJB9cpl5u8RTvKYs",
                      "y": "FAawIKcN5bIBN1awMi1mH5N7S6avYRJaFTB56vLVmgY", "kid": bad, "use": bad, "alg": bad}],
            bad: bad}
    f = tmp_path / "bad.jwks"
    f.write_text(json.dumps(jwks))
    for tool in (["wif-verify", "jwks-check", "--published", f], ["wif-inspect", "--color", "never", f]):
        p = wif_run(*tool)
        assert_clean(p.stdout)
        assert_clean(p.stderr)


@pytest.mark.parametrize("bad", EVIL)
def test_stderr_of_every_tool(bad, tmp_path):
    runs = [
        wif_run("wif-verify", "--jwks", tmp_path / f"{bad}.jwks", "--aud", "x", "a.b.c"),
        wif_run("wif-verify", "--profile", bad, "--jwks", "x", "--aud", "x", "a.b.c"),
        wif_run("wif-verify", "request", "--jwks", tmp_path / "x", "--aud", "x", input=f"grant_type={pct(bad)}"),
        wif_run("wif-mint", "--alg", bad, "-k", tmp_path / "k"),
        wif_run("wif-mint", f"--{bad}"),
        wif_run("wif-inspect", "--color", bad, "-", input="x"),
        wif_run("wif-inspect", bad),
    ]
    for p in runs:
        assert p.returncode == 2, p.stderr
        assert_clean(p.stderr)
        assert p.stderr.count("\n") <= 2, p.stderr
