"""Writing a dump on two cores. Past 32 MB of N-Triples, the sections are cut in two
between subjects; a worker process (`python -m diplograph.workers`) writes the later
half while this process writes the earlier. A format's pieces join into the same bytes
as the whole (see `TextFormat`), so the result does not depend on whether the worker
could run: if it cannot, this process writes its half too."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from diplograph.writers import FORMATS

Key = TypeVar("Key")
SHARE_FROM = 32 << 20  # bytes (200,000 lines): below, a worker's start gains nothing


def written(kind: str, sections: Sequence[tuple[Key, bytes]]) -> list[tuple[Key, bytes]]:
    """Each section's body in the format `kind` (a key of `FORMATS`), a section cut in
    two giving two bodies under its key; the later half written by a worker."""
    body = FORMATS[kind].body
    total = sum(len(text) for _, text in sections)
    if total < SHARE_FROM:
        return [(key, body(text)) for key, text in sections]
    mine, theirs = _halves(sections, total // 2)
    with tempfile.TemporaryDirectory(prefix="diplograph-") as folder:
        worker = _start(kind, theirs, Path(folder))
        done = [(key, body(text)) for key, text in mine]
        bodies = _finish(worker, Path(folder))
    if bodies is None:
        bodies = [body(text) for _, text in theirs]
    return done + [(key, text) for (key, _), text in zip(theirs, bodies, strict=True)]


def _halves(sections: Sequence[tuple[Key, bytes]], middle: int,
            ) -> tuple[list[tuple[Key, bytes]], list[tuple[Key, bytes]]]:
    """The sections before and after the first subject boundary past byte `middle`,
    the section it falls in cut in two."""
    seen = 0
    for at, (key, text) in enumerate(sections):
        if seen + len(text) > middle:
            cut = _subject_end(text, middle - seen)
            before, after = list(sections[:at]), list(sections[at + 1:])
            if cut:
                before.append((key, text[:cut]))
            if cut < len(text):
                after.insert(0, (key, text[cut:]))
            return before, after
        seen += len(text)
    return list(sections), []


def _subject_end(ntriples: bytes, at: int) -> int:
    """The offset of the first line past offset `at` whose subject is not that of the
    line before it."""
    start = ntriples.rfind(b"\n", 0, at) + 1  # the line holding `at`
    subject = ntriples[start:ntriples.index(b" ", start) + 1]
    end = ntriples.index(b"\n", at) + 1
    while end < len(ntriples) and ntriples.startswith(subject, end):
        end = ntriples.index(b"\n", end) + 1
    return end


def _start(kind: str, sections: list[tuple[Key, bytes]],
           folder: Path) -> subprocess.Popen[bytes] | None:
    """A worker writing the sections' bodies, or None if it cannot be started."""
    with (folder / "lines.nt").open("wb") as source:
        for _, text in sections:
            source.write(text)
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    sizes = [str(len(text)) for _, text in sections]
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "diplograph.workers", kind, source.name,
             str(folder / "written"), *sizes],
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
    return _cut((folder / "written").read_bytes(), map(int, sizes.split()))


def _cut(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """`data` cut into pieces of the given sizes."""
    pieces, at = [], 0
    for size in sizes:
        pieces.append(data[at:at + size])
        at += size
    return pieces


def main(arguments: list[str]) -> None:
    """Worker: `KIND SOURCE TARGET SIZE...` writes the bodies of the pieces of SIZE bytes
    of the N-Triples file SOURCE to the file TARGET, one after another, and prints their
    sizes."""
    kind, source, target, *sizes = arguments
    texts = _cut(Path(source).read_bytes(), map(int, sizes))
    bodies = [FORMATS[kind].body(text) for text in texts]
    Path(target).write_bytes(b"".join(bodies))
    print(" ".join(str(len(body)) for body in bodies))


if __name__ == "__main__":
    main(sys.argv[1:])
