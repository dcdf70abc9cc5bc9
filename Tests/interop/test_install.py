# SPDX-License-Identifier: Apache-2.0
"""`make install` / `make uninstall` into a temporary DESTDIR, as a packager would run them.

The binaries come from $WIF_BIN_DIR (installed with `make install-files BUILT=...`, so the test needs no
release build); the man pages are rendered with `man -l`, the completion scripts are parsed with
`bash -n`, `zsh -n` and `fish -n` where those shells exist.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, WIF_BIN_DIR as BIN_DIR

TOOLS = ["wif-mint", "wif-verify", "wif-inspect"]
PREFIX = "/usr/local"


def make(target, destdir, *extra):
    return subprocess.run(["make", "-s", "-C", str(REPO_ROOT), target, f"DESTDIR={destdir}", f"PREFIX={PREFIX}",
                           f"BUILT={BIN_DIR}", *extra], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    p = make("install-files", dest)
    assert p.returncode == 0, p.stderr
    return dest / PREFIX.lstrip("/")


def test_binaries_installed_and_run(installed):
    for t in TOOLS:
        b = installed / "bin" / t
        assert b.is_file() and os.access(b, os.X_OK), b
        assert oct(b.stat().st_mode & 0o777) == "0o755"
        p = subprocess.run([str(b), "--version"], capture_output=True, text=True)
        assert p.returncode == 0 and p.stdout.strip(), p.stderr


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO_ROOT / "man").glob("*.[17]")))
def test_man_page_installed_and_renders(installed, page):
    section = page.rsplit(".", 1)[1]
    f = installed / "share" / "man" / f"man{section}" / page
    assert f.is_file()
    assert oct(f.stat().st_mode & 0o777) == "0o644"
    if shutil.which("man") is None:
        pytest.skip("man is not installed")
    p = subprocess.run(["man", "-l", str(f)], capture_output=True, text=True,
                       env={**os.environ, "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"})
    assert p.returncode == 0, p.stderr
    assert "NAME" in p.stdout and page.rsplit(".", 1)[0] in p.stdout


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("shell,where", [("bash", "share/bash-completion/completions/{t}"),
                                         ("zsh", "share/zsh/site-functions/_{t}"),
                                         ("fish", "share/fish/vendor_completions.d/{t}.fish")])
def test_completion_scripts_parse(installed, tool, shell, where):
    f = installed / where.format(t=tool)
    assert f.is_file() and f.stat().st_size > 0
    text = f.read_text()
    assert "--help" in text or "-l help" in text
    # every option of every subcommand is offered
    for opt in ("--json", "--jwks") if tool != "wif-mint" else ("--key", "--alg", "--passphrase-file", "--kdf-memory"):
        assert opt in text or f"-l {opt[2:]}" in text, f"{opt} missing from the {shell} completion of {tool}"
    # every subcommand of the tool is offered
    helptext = subprocess.run([str(Path(BIN_DIR) / tool), "--help"], capture_output=True, text=True).stdout
    subs = []
    if "SUBCOMMANDS:" in helptext:
        subs = [ln.split()[0] for ln in helptext.split("SUBCOMMANDS:")[1].splitlines()[1:] if ln.startswith("  ") and
                not ln.startswith("   ") and not ln.strip().startswith("See")]
    if tool == "wif-mint":
        subs += ["generate", "encrypt", "decrypt"]
    for s in subs:
        assert s in text, f"{s} missing from the {shell} completion of {tool}"
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    p = subprocess.run([shell, "-n", str(f)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_bash_completion_completes_options(installed):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    script = installed / "share/bash-completion/completions/wif-verify"
    probe = f'source {script}; COMP_WORDS=(wif-verify request --allow-); COMP_CWORD=2; _wif_verify; ' \
            'printf "%s\\n" "${COMPREPLY[@]}"'
    p = subprocess.run(["bash", "-c", probe], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "--allow-grant" in p.stdout.split() and "--allow-scope" in p.stdout.split()


def test_unknown_shell_is_a_usage_error():
    p = subprocess.run([str(Path(BIN_DIR) / "wif-mint"), "--generate-completion-script", "tcsh"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == "" and len(p.stderr.splitlines()) == 1, p.stderr


def test_uninstall_removes_everything(tmp_path):
    assert make("install-files", tmp_path).returncode == 0
    p = make("uninstall", tmp_path)
    assert p.returncode == 0, p.stderr
    left = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert left == [], left
