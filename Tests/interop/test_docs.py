# SPDX-License-Identifier: Apache-2.0
"""The man pages against the built tools.

Checks, one pytest case each:
  (a) every long option in `TOOL --help`, `TOOL help SUB` and `TOOL SUB --help` appears in the OPTIONS
      section of man/TOOL.1 (in the `.Ss SUB ...` subsection when the page has one for SUB; options of
      `TOOL --help` itself, such as --version, anywhere in OPTIONS);
  (b) the EXAMPLES section of each page runs: its commands, in order, in one fresh temporary folder;
  (c) `mandoc -Tlint -W warning` prints nothing for each page.

Binaries come from $WIF_BIN_DIR (default: .build/debug under the repository root). A tool that is not
built, or has no page, is skipped, not failed.

EXAMPLES convention (read from the mdoc source):
  - A command is a line starting with "$ " anywhere in the EXAMPLES section (normally in a
    `.Bd -literal` block). A line ending in a backslash (written `\\e` in roff) continues on the next
    line, exactly as in the shell. Roff escapes are undone first (`\\e`, `\\-`, `\\&`, `\\(aq`, ...).
  - Each command runs as `bash -c 'set -eo pipefail; COMMAND'`, in the page's temporary folder, with
    $WIF_BIN_DIR first on PATH and standard input empty. It must exit 0.
  - The lines after a command, up to the next command, macro or comment line, are its displayed output.
  - Comment lines right before a command change what is expected of it:
        .\\" exit N         it must exit with status N instead (e.g. `.\\" exit 1` for a rejection)
        .\\" stdout         its standard output must equal the displayed output
        .\\" stderr         its standard error must equal the displayed output
        .\\" requires TOOL  it is skipped when TOOL is not in $WIF_BIN_DIR (later commands must not
                            depend on it)
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAN_DIR = ROOT / "man"
TOOLS = ["wif-mint", "wif-verify", "wif-inspect"]
BIN_DIR = Path(os.environ.get("WIF_BIN_DIR") or ROOT / ".build" / "debug").resolve()
COMMAND_TIMEOUT = 120


def binary(tool):
    p = BIN_DIR / tool
    return p if p.is_file() and os.access(p, os.X_OK) else None


def page(tool):
    p = MAN_DIR / f"{tool}.1"
    return p if p.is_file() else None


def pages():
    return sorted(list(MAN_DIR.glob("*.1")) + list(MAN_DIR.glob("*.7")))


# ---------------------------------------------------------------------------------------------------
# mdoc source: sections and roff escapes

SPECIAL_CHARS = {
    "aq": "'", "dq": '"', "ga": "`", "ti": "~", "ha": "^", "rs": "\\", "sc": "\u00a7", "em": "\u2014",
    "en": "\u2013", "hy": "-", "mi": "-", "lq": "\u201c", "rq": "\u201d", "oq": "\u2018", "cq": "\u2019",
    "at": "@", "sh": "#", "Do": "$", "bu": "\u2022", "->": "\u2192", "<-": "\u2190", ">=": "\u2265",
    "<=": "\u2264", "mu": "\u00d7", "ba": "|", "br": "|",
}
SIMPLE_ESCAPES = {"e": "\\", "\\": "\\", "-": "-", "&": "", " ": " ", "|": "", "^": "", "%": "", "~": " ",
                  "0": " ", ".": "."}
ESCAPE = re.compile(r"\\(?:\((..)|\[([^\]]*)\]|f(?:\(..|\[[^\]]*\]|.)|(.))")


def unescape(text, where):
    """Undoes the roff escapes a literal example may hold; anything else is an error to fix in the page."""
    if re.search(r"(?<!\\)(?:\\\\)*\\$", text):
        raise ValueError(f"{where}: a line ends in a roff continuation '\\'; write '\\e' for a shell backslash")

    def one(m):
        two, bracket, single = m.group(1), m.group(2), m.group(3)
        name = two or bracket
        if name is not None:
            if name in SPECIAL_CHARS:
                return SPECIAL_CHARS[name]
            raise ValueError(f"{where}: unknown roff character \\[{name}]")
        if single is None:  # a font change
            return ""
        if single not in SIMPLE_ESCAPES:
            raise ValueError(f"{where}: unsupported roff escape \\{single}")
        return SIMPLE_ESCAPES[single]

    return ESCAPE.sub(one, text)


def sections(path):
    """The mdoc source as {section name: [(line number, line)]}, comments kept."""
    out, name = {}, None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"\.Sh\s+(.*)$", line)
        if m:
            name = m.group(1).strip().strip('"')
            out[name] = []
        elif name is not None:
            out[name].append((n, line))
    return out


# ---------------------------------------------------------------------------------------------------
# (a) options from --help

def run_help(tool, *args):
    r = subprocess.run([str(binary(tool)), *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"{tool} {' '.join(args)} exited {r.returncode}: {r.stderr}"
    return r.stdout


def help_block(text, title):
    """The lines of one `TITLE:` block of argument-parser help."""
    lines, inside = [], False
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]*:\s*$", line):
            inside = line.strip() == f"{title}:"
            continue
        if inside:
            lines.append(line)
    return lines


def help_options(text):
    """Long options defined in the OPTIONS block: lines indented two spaces, `  -k, --key <file>`."""
    found = []
    for line in help_block(text, "OPTIONS"):
        m = re.match(r"^  (?:-[A-Za-z0-9], )?(--[A-Za-z0-9][A-Za-z0-9-]*)", line)
        if m and m.group(1) not in found:
            found.append(m.group(1))
    return found


def subcommands(text):
    subs = []
    for line in help_block(text, "SUBCOMMANDS"):
        m = re.match(r"^  ([a-z][a-z0-9-]*)(?: \(default\))?(?:\s|$)", line)
        if m:
            subs.append(m.group(1))
    return subs


def rendered_options_section(path):
    """OPTIONS of the rendered page as {subsection title or "": text}; "" holds the whole section."""
    r = subprocess.run(["mandoc", "-T", "ascii", "-O", "width=400", str(path)], capture_output=True,
                       text=True, timeout=60)
    assert r.stdout.strip(), f"mandoc could not render {path.name}: {r.stderr}"
    text = re.sub(r".\x08", "", r.stdout)
    out, current, inside = {"": []}, None, False
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            inside = line == "OPTIONS"
            current = None
            continue
        if not inside:
            continue
        m = re.match(r"^   (\S.*)$", line)
        if m:
            current = m.group(1).strip()
            out[current] = []
            continue
        out[""].append(line)
        if current is not None:
            out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def option_cases():
    cases = []
    for tool in TOOLS:
        if not binary(tool) or not page(tool):
            why = "not built" if not binary(tool) else "has no man page"
            cases.append(pytest.param(tool, None, None, id=f"{tool}-skipped",
                                      marks=pytest.mark.skip(reason=f"{tool} {why}")))
            continue
        root = run_help(tool, "--help")
        common = help_options(root)  # --help, --version: every subcommand has them; checked once
        found = [(None, o) for o in common]
        for sub in subcommands(root):
            opts = help_options(run_help(tool, "help", sub)) + help_options(run_help(tool, sub, "--help"))
            found += [(sub, o) for o in dict.fromkeys(opts) if o not in common]
        for sub, opt in found:
            cases.append(pytest.param(tool, sub, opt, id=f"{tool}-{sub or 'root'}-{opt}"))
    return cases


@pytest.mark.parametrize("tool,sub,option", option_cases())
def test_option_documented(tool, sub, option):
    sections_ = rendered_options_section(page(tool))
    titled = [t for t in sections_ if t and sub and t.split()[0] == sub]
    where = titled[0] if titled else ""
    pattern = re.compile(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])")
    assert pattern.search(sections_[where]), (
        f"{option} ({tool} {sub or ''} --help) is not in the OPTIONS section of man/{tool}.1"
        + (f", subsection {where!r}" if where else ""))


# ---------------------------------------------------------------------------------------------------
# (b) EXAMPLES

class Example:
    def __init__(self, line):
        self.line = line
        self.command_lines = []
        self.output = []
        self.status = 0
        self.compare = set()
        self.requires = []

    @property
    def command(self):
        return "\n".join(self.command_lines)


def parse_examples(path):
    body = sections(path).get("EXAMPLES", [])
    examples, pending, current, continuing = [], Example(None), None, False
    for n, raw in body:
        where = f"{path.name}:{n}"
        if continuing:
            text = unescape(raw, where)
            current.command_lines.append(text)
            continuing = text.endswith("\\")
            continue
        comment = re.match(r'^\.\\"\s*(.*?)\s*$', raw)
        if comment:
            current = None
            words = comment.group(1).split()
            if words[:1] == ["exit"] and len(words) == 2 and words[1].isdigit():
                pending.status = int(words[1])
            elif words in (["stdout"], ["stderr"]):
                pending.compare.add(words[0])
            elif words[:1] == ["requires"] and len(words) == 2:
                pending.requires.append(words[1])
            continue
        if raw.startswith(".") or raw.startswith("'"):
            current = None
            continue
        if raw.startswith("$ "):
            current, pending = pending, Example(None)
            current.line = n
            text = unescape(raw[2:], where)
            current.command_lines.append(text)
            continuing = text.endswith("\\")
            examples.append(current)
            continue
        if current is not None:
            current.output.append(unescape(raw, where))
    assert not continuing, f"{path.name}: the last example ends in a continuation"
    return examples


def example_cases():
    cases = []
    for p in pages():
        tool = p.stem
        marks = []
        if tool in TOOLS and not binary(tool):
            marks = [pytest.mark.skip(reason=f"{tool} is not built in {BIN_DIR}")]
        cases.append(pytest.param(p, id=p.name, marks=marks))
    return cases


@pytest.mark.parametrize("path", example_cases())
def test_examples_run(path, tmp_path):
    examples = parse_examples(path)
    if not examples:
        pytest.skip(f"{path.name} has no EXAMPLES commands")
    env = dict(os.environ)
    env["PATH"] = f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
    ran = 0
    for ex in examples:
        missing = [t for t in ex.requires if not (binary(t) if t in TOOLS else shutil.which(t))]
        if missing:
            continue
        r = subprocess.run(["bash", "-c", "set -eo pipefail\n" + ex.command], cwd=tmp_path, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        ran += 1
        what = f"{path.name}:{ex.line}: $ {ex.command}"
        assert r.returncode == ex.status, (
            f"{what}\nexited {r.returncode}, the page expects {ex.status}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        shown = "\n".join(ex.output).rstrip("\n")
        if "stdout" in ex.compare:
            assert r.stdout.rstrip("\n") == shown, f"{what}\nstdout differs from the page:\n{r.stdout}"
        if "stderr" in ex.compare:
            assert r.stderr.rstrip("\n") == shown, f"{what}\nstderr differs from the page:\n{r.stderr}"
    assert ran > 0


def test_example_parser_conventions():
    """The parser itself: continuation, escapes, markers and displayed output."""
    src = "\n".join([
        ".Sh EXAMPLES", ".Bd -literal", "$ echo a \\e", "    b", '.\\" exit 3', '.\\" stdout',
        "$ printf \\(aqx\\en\\(aq; exit 3", "x", ".Ed", ".Sh SEE ALSO", "$ not an example",
    ])
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "t.1"
        p.write_text(src + "\n")
        exs = parse_examples(p)
    assert [e.command for e in exs] == ["echo a \\\n    b", "printf 'x\\n'; exit 3"]
    assert (exs[0].status, exs[1].status) == (0, 3)
    assert exs[1].compare == {"stdout"} and exs[1].output == ["x"]
    with pytest.raises(ValueError):
        unescape("echo a \\", "t")


# ---------------------------------------------------------------------------------------------------
# (c) lint

@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in pages()])
def test_mandoc_lint_clean(path):
    if not shutil.which("mandoc"):
        pytest.fail("mandoc is not installed (make test installs it: apt-get install -y mandoc)")
    r = subprocess.run(["mandoc", "-Tlint", "-W", "warning", str(path)], capture_output=True, text=True,
                       timeout=60)
    assert r.stdout == "" and r.stderr == "", r.stdout + r.stderr


def pipeline_stages(command):
    """The top-level stages of a shell pipeline (quotes respected; `||` is not a pipe)."""
    text = command.replace("\\\n", " ")
    stages, cur, quote, i = [], "", None, 0
    while i < len(text):
        c = text[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "|" and text[i + 1:i + 2] != "|" and text[i - 1:i] != "|":
            stages.append(cur.strip())
            cur = ""
            i += 1
            continue
        cur += c
        i += 1
    stages.append(cur.strip())
    return stages


JUDGING_STAGE = re.compile(r"^(wif-verify|wif-inspect|wif-mint request)\b")


@pytest.mark.parametrize("path", example_cases())
def test_every_pipeline_with_a_failing_first_stage_exits_2(path, tmp_path):
    """Issue 10: a gate must not pass when its input is broken. Every pipeline of the page whose last stage is a wif
    tool that reads the previous one is run again (after the examples before it) with its first stage replaced by
    `false`: under pipefail it must exit 2 (could not judge), never 0 or 1."""
    examples = parse_examples(path)
    env = dict(os.environ)
    env["PATH"] = f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
    checked = 0
    for ex in examples:
        missing = [t for t in ex.requires if not (binary(t) if t in TOOLS else shutil.which(t))]
        if missing:
            continue
        stages = pipeline_stages(ex.command)
        if len(stages) > 1 and JUDGING_STAGE.match(stages[-1]) and "\n" not in ex.command.replace("\\\n", ""):
            broken = "false | " + " | ".join(stages[1:])
            r = subprocess.run(["bash", "-c", "set -o pipefail\n" + broken], cwd=tmp_path, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
            assert r.returncode == 2, f"{path.name}:{ex.line}: $ {broken}\nexited {r.returncode}\n{r.stdout}\n{r.stderr}"
            checked += 1
        subprocess.run(["bash", "-c", "set -eo pipefail\n" + ex.command], cwd=tmp_path, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    if not checked:
        pytest.skip(f"{path.name} has no pipeline that ends in a wif tool")
