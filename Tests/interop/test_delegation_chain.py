# SPDX-License-Identifier: Apache-2.0
"""Delegation that narrows at every hop (issue 15, part 1), through real pipes: a workload token exchanged with
agent B's actor token, then the issued access token exchanged again with agent C's, one command per hop. Every
hop is recorded in `act` (newest outermost, RFC 8693 §4.1); no hop widens scope, audience or lifetime."""
import json
import subprocess

import pytest

from conftest import VERIFY_NOW as NOW, jws_split, wif_binary, wif_ok

ISS = "https://idp.example"
AS = "https://as.example"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS = "urn:ietf:params:oauth:token-type:access_token"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("chain")
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "idp", "--out", d / "idp.jwk")
    wif_ok("wif-mint", "key", "--alg", "ES256", "--kid", "as", "--out", d / "as.jwk")
    (d / "idp.jwks").write_text(wif_ok("wif-mint", "jwks", d / "idp.jwk"))
    return d


def mint(world, sub, *extra):
    return wif_ok("wif-mint", "-k", world / "idp.jwk", "--iss", ISS, "--sub", sub, "--aud", AS, "--now", NOW,
                  *extra).strip()


def hop(world, subject, actor, *req_args, subject_type=None, policy=()):
    """One exchange as a pipeline: wif-mint request | wif-verify request. Returns (exit, response)."""
    (world / "s.jwt").write_text(subject)
    (world / "a.jwt").write_text(actor)
    mint_req = [str(wif_binary("wif-mint")), "request", "--grant", "token-exchange", "--subject-token", "s.jwt",
                "--actor-token", "a.jwt", *req_args]
    if subject_type:
        mint_req += ["--subject-token-type", subject_type]
    verify = [str(wif_binary("wif-verify")), "request", "--json", "--profile", "none", "--jwks", "idp.jwks",
              "--allow-grant", EXCHANGE, "--issuer-key", "as.jwk", "--issuer", AS, "--now", str(NOW), *policy]
    p = subprocess.run(["bash", "-c", "set -o pipefail; " + " ".join(f"'{a}'" for a in mint_req) + " | " +
                        " ".join(f"'{a}'" for a in verify)], cwd=world, capture_output=True, text=True, timeout=60)
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else {}), p.stderr


def test_three_hops_record_every_actor(world):
    workload = mint(world, "job", "--scope", "read write", "--exp", "+1h")
    agent_b = mint(world, "agent-b", "--exp", "+30m")
    status, o, err = hop(world, workload, agent_b, "--scope", "read write", "--resource", "https://api.example/a",
                         "--resource", "https://api.example/b")
    assert status == 0, err
    _, p1, _ = jws_split(o["access_token"])
    assert p1["sub"] == "job" and p1["act"] == {"sub": "agent-b"} and o["issued_token_type"] == ACCESS
    # The lifetime is capped by the actor's exp (30m), not the endpoint's 1h default.
    assert p1["exp"] == NOW + 1800 and o["expires_in"] == 1800
    agent_c = mint(world, "agent-c", "--exp", "+20m")
    # Hop 2: the subject is hop 1's access token, accepted by its type without extra flags.
    status, o, err = hop(world, o["access_token"], agent_c, "--scope", "read", "--resource", "https://api.example/a",
                         subject_type=ACCESS)
    assert status == 0, err
    _, p2, _ = jws_split(o["access_token"])
    # Agent C's issuer (the IdP) differs from the subject's (this AS), so the hop names it.
    assert p2["sub"] == "job" and p2["act"] == {"sub": "agent-c", "iss": ISS, "act": {"sub": "agent-b"}}
    assert p2["scope"] == "read" and p2["aud"] == "https://api.example/a" and p2["exp"] == NOW + 1200
    # wif-verify shows the chain too, through the at+jwt profile against the AS key.
    (world / "as.jwks").write_text(wif_ok("wif-mint", "jwks", world / "as.jwk"))
    v = json.loads(wif_ok("wif-verify", "--json", "--profile", "at+jwt", "--jwks", world / "as.jwks", "--iss", AS,
                          "--aud", "https://api.example/a", "--now", NOW, o["access_token"]))
    assert v["claims"]["act"] == {"sub": "agent-c", "iss": ISS, "act": {"sub": "agent-b"}}
    # ... and as a list, one level per hop, current actor first, in --json and --batch alike.
    assert v["delegation"] == [{"sub": "agent-c", "iss": ISS}, {"sub": "agent-b"}]
    b = json.loads(wif_ok("wif-verify", "--batch", "--json", "--profile", "at+jwt", "--jwks", world / "as.jwks",
                          "--iss", AS, "--aud", "https://api.example/a", "--now", NOW, input=o["access_token"] + "\n"))
    assert b["delegation"] == v["delegation"]


def hop2_subject(world):
    """An access token from hop 1 with scope 'read' for resource .../a."""
    status, o, err = hop(world, mint(world, "job", "--scope", "read"), mint(world, "agent-b"), "--resource",
                         "https://api.example/a")
    assert status == 0, err
    return o["access_token"]


@pytest.mark.parametrize("case,args,policy,error,reason", [
    ("scope-widens", ["--scope", "read write"], [], "invalid_scope", "scope_widened"),
    ("audience-widens", ["--resource", "https://api.example/other"], [], "invalid_target", "audience_widened"),
    ("too-deep", [], ["--max-delegation-depth", "1"], "invalid_request", "delegation_too_deep"),
    ("actor-not-allowed", [], ["--actor", "agent-z"], "invalid_request", "actor_rejected"),
])
def test_a_widening_hop_is_refused_with_its_reason(world, case, args, policy, error, reason):
    status, o, err = hop(world, hop2_subject(world), mint(world, "agent-c"), *args, subject_type=ACCESS,
                         policy=policy)
    assert status == 1, err
    assert (o["error"], o["reason"]) == (error, reason), o


def test_may_act_names_who_may_act(world):
    subject = mint(world, "alice", "--may-act", '{"sub":"agent-b"}')
    status, o, err = hop(world, subject, mint(world, "agent-b"))
    assert status == 0, err
    status, o, err = hop(world, subject, mint(world, "agent-x"))
    assert status == 1 and (o["error"], o["reason"]) == ("invalid_request", "actor_not_permitted"), o
    # Exact bytes: a look-alike actor (combining accent) is not the permitted one.
    subject = mint(world, "alice", "--may-act", '{"sub":"agent-\\u00e9"}')
    status, o, _ = hop(world, subject, mint(world, "agent-e\u0301"))
    assert status == 1 and o["reason"] == "actor_not_permitted", o


def test_lifetime_is_capped_by_the_subject(world):
    status, o, err = hop(world, mint(world, "job", "--exp", "+10m"), mint(world, "agent-b", "--exp", "+1h"))
    assert status == 0, err
    assert jws_split(o["access_token"])[1]["exp"] == NOW + 600 and o["expires_in"] == 600
