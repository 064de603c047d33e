"""Writing a dump on two cores. Past a few hundred thousand lines, the sections of
lines are cut in two between subjects; a worker process (`python -m
diplograph.workers`) writes the later half while this process writes the earlier.
A format's pieces join into the same bytes as the whole (see `TextFormat`), so the
result does not depend on whether the worker could run: if it cannot, this process
writes its half too."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from diplograph.writers import FORMATS

Key = TypeVar("Key")
SHARE_FROM = 200_000  # lines: below this a worker's start (about 50 ms) gains nothing


def written(kind: str, sections: Sequence[tuple[Key, list[bytes]]]) -> list[tuple[Key, bytes]]:
    """Each section's body in the format `kind` (a key of `FORMATS`), a section cut in
    two giving two bodies under its key; the later half written by a worker."""
    body = FORMATS[kind].body
    total = sum(len(lines) for _, lines in sections)
    if total < SHARE_FROM:
        return [(key, body(lines)) for key, lines in sections]
    mine, theirs = _halves(sections, total // 2)
    with tempfile.TemporaryDirectory(prefix="diplograph-") as folder:
        worker = _start(kind, theirs, Path(folder))
        done = [(key, body(lines)) for key, lines in mine]
        bodies = _finish(worker, Path(folder))
    if bodies is None:
        bodies = [body(lines) for _, lines in theirs]
    return done + [(key, text) for (key, _), text in zip(theirs, bodies, strict=True)]


def _halves(sections: Sequence[tuple[Key, list[bytes]]], middle: int,
            ) -> tuple[list[tuple[Key, list[bytes]]], list[tuple[Key, list[bytes]]]]:
    """The sections before and after the first subject boundary past line `middle`,
    the section it falls in cut in two."""
    seen = 0
    for at, (key, lines) in enumerate(sections):
        if seen + len(lines) > middle:
            cut = _subject_end(lines, middle - seen)
            before, after = list(sections[:at]), list(sections[at + 1:])
            if cut:
                before.append((key, lines[:cut]))
            if cut < len(lines):
                after.insert(0, (key, lines[cut:]))
            return before, after
        seen += len(lines)
    return list(sections), []


def _subject_end(lines: list[bytes], at: int) -> int:
    """The index of the first line from `at` on whose subject differs from the line
    before it's."""
    if at == 0:
        return 0
    subject = lines[at - 1][:lines[at - 1].index(b" ") + 1]
    while at < len(lines) and lines[at].startswith(subject):
        at += 1
    return at


def _start(kind: str, sections: list[tuple[Key, list[bytes]]],
           folder: Path) -> subprocess.Popen[bytes] | None:
    """A worker writing the sections' bodies, or None if it cannot be started."""
    source = folder / "lines.nt"
    source.write_bytes(b"".join(line for _, lines in sections for line in lines))
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    counts = [str(len(lines)) for _, lines in sections]
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "diplograph.workers", kind, str(source),
             str(folder / "written"), *counts],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None


def _finish(worker: subprocess.Popen[bytes] | None, folder: Path) -> list[bytes] | None:
    """The bodies the worker wrote, or None if it failed (this process writes them)."""
    if worker is None:
        return None
    sizes, _ = worker.communicate()
    if worker.returncode != 0:
        return None
    data, bodies, at = (folder / "written").read_bytes(), [], 0
    for size in map(int, sizes.split()):
        bodies.append(data[at:at + size])
        at += size
    return bodies


def main(arguments: list[str]) -> None:
    """Worker: `KIND LINES WRITTEN COUNT...` writes the bodies of the runs of COUNT lines
    of the file LINES to the file WRITTEN, one after another, and prints their sizes."""
    kind, source, target, *counts = arguments
    lines = Path(source).read_bytes().splitlines(keepends=True)
    bodies, at = [], 0
    for count in map(int, counts):
        bodies.append(FORMATS[kind].body(lines[at:at + count]))
        at += count
    Path(target).write_bytes(b"".join(bodies))
    print(" ".join(str(len(b)) for b in bodies))


if __name__ == "__main__":
    main(sys.argv[1:])
