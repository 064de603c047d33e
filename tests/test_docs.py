"""The transcripts in README.md and docs/ run as shown: every `console` block whose
commands start with `$ ` is run with bash in a scratch copy of the project, and each
command's output (stdout and stderr as a terminal shows them) must match the lines
under it. A line `...` stands for any lines; `...` inside a line for any text.

A block preceded by `<!-- not checked: reason -->` is left out (output that depends on
the machine, such as paths and timings); a block without `$ ` lines lists commands to
copy, not a transcript.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from diplograph.cli import cli
from diplograph.cli.reference import commands, reference

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
COPIED = ["ontology", "data", "queries", "tests/fixtures"]
MARK = "\x1e--- command %d ---\x1e"
SKIP = re.compile(r"<!--\s*not checked:")


@dataclass(frozen=True)
class Step:
    """One `$ command` of a transcript and the output shown under it."""

    command: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Transcript:
    """A console block: where it is and its steps."""

    path: Path
    line: int
    steps: tuple[Step, ...]

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def transcripts(path: Path) -> list[Transcript]:
    """The checked console blocks of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, at = [], 0
    while at < len(lines):
        if lines[at].strip() != "```console":
            at += 1
            continue
        start = at
        end = next(i for i in range(at + 1, len(lines)) if lines[i].strip() == "```")
        skipped = start > 0 and SKIP.search(lines[start - 1])
        steps: list[Step] = []
        for line in lines[start + 1:end]:
            if steps and not steps[-1].expected and not _complete(steps[-1].command):
                steps[-1] = Step(f"{steps[-1].command}\n{line}", ())
            elif line.startswith("$ "):
                steps.append(Step(line[2:], ()))
            elif steps:
                steps[-1] = Step(steps[-1].command, (*steps[-1].expected, line))
        if steps and not skipped:
            found.append(Transcript(path, start + 1, tuple(steps)))
        at = end + 1
    return found


def _complete(command: str) -> bool:
    """Whether a command is whole, or goes on on the next line (an open quote)."""
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def _trimmed(lines: list[str] | tuple[str, ...]) -> list[str]:
    """The lines without the blank ones at the end."""
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    """Whether the output lines fit the shown ones (`...` lines and `...` in lines
    standing for anything)."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.rstrip().split("..."))
    return re.fullmatch(pattern, actual[0].rstrip()) is not None and matches(rest, actual[1:])


def run_transcript(transcript: Transcript, scratch: Path, store: Path) -> list[list[str]]:
    """Run the steps in one bash shell in `scratch`; each step's output lines."""
    script = "status=0\n" + "\n".join(  # $? is the last step's, not the marker's
        f"printf '{MARK % n}\\n'\n(exit $status)\n{step.command} 2>&1\nstatus=$?"
        for n, step in enumerate(transcript.steps))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "DIPLOGRAPH_STORE": str(store), "PYTHONUNBUFFERED": "1", "LC_ALL": "C.UTF-8"}
    env.pop("DIPLOGRAPH_PROJECT", None)
    done = subprocess.run(["bash", "-c", script], cwd=scratch, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    parts = re.split("\x1e--- command \\d+ ---\x1e\n", done.stdout)[1:]
    return [part.splitlines() for part in parts]


ALL = [t for path in DOCS for t in transcripts(path)]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("docs-store")


@pytest.mark.slow
@pytest.mark.parametrize("transcript", ALL, ids=[t.name for t in ALL])
def test_transcript_runs_as_shown(transcript: Transcript, tmp_path: Path, store: Path) -> None:
    for folder in COPIED:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    outputs = run_transcript(transcript, tmp_path, store)
    assert len(outputs) == len(transcript.steps), f"{transcript.name}: the script stopped"
    for step, actual in zip(transcript.steps, outputs, strict=True):
        assert matches(tuple(_trimmed(step.expected)), _trimmed(actual)), (
            f"{transcript.name}: `{step.command}` printed:\n" + "\n".join(actual))


def test_the_cli_reference_is_the_commands_own_help() -> None:
    written = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert written == reference(), (
        "stale: python -m diplograph.cli.reference > docs/cli-reference.md")


def test_every_command_has_help() -> None:
    for invocation, command in commands(cli, ("diplograph",)):
        assert (command.help or "").strip(), f"{invocation} has no help text"


def test_there_are_transcripts_to_check() -> None:
    assert len(ALL) >= 5


@pytest.mark.parametrize(("expected", "actual", "fits"), [
    (("a", "...", "d"), ["a", "b", "c", "d"], True),
    (("a", "...", "d"), ["a", "d"], True),
    (("a", "...", "d"), ["a", "b"], False),
    (("x = ... end",), ["x = 1 2 end"], True),
    (("x = ... end",), ["x = 1 2 ending"], False),
    (("a",), ["a", "b"], False),
    ((), [], True),
])
def test_wildcards(expected: tuple[str, ...], actual: list[str], fits: bool) -> None:
    assert matches(expected, actual) is fits
