"""Writing a dump on two cores. The sections are cut in two between subjects; a worker
process (`python -m diplograph.workers`), started while the dump is still being read,
writes the later half while this process writes the earlier.
A format's pieces join into the same bytes as the whole (see `TextFormat`), so the
result does not depend on whether the worker could run: if it cannot, this process
writes its half too."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from diplograph.writers import FORMATS

Key = TypeVar("Key")
SHARE_FROM = 200_000  # triples: below, a worker's start-up (about 0.1 s) gains nothing


class Worker:
    """A worker process for one format, started ahead of its task so that its start-up
    overlaps other work; it leaves quietly if given none."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        package_root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        try:
            self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", "diplograph.workers", kind], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError:
            self.process = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.process is not None:
            if self.process.returncode is None:
                self.process.kill()
                self.process.wait()
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None:
                    pipe.close()

    def start(self, source: Path, target: Path, sizes: list[int]) -> bool:
        """Hand over the task: write the bodies of the pieces of `source`; False if the
        worker is gone."""
        if self.process is None or self.process.stdin is None:
            return False
        try:
            self.process.stdin.write(f"{source}\0{target}\0{' '.join(map(str, sizes))}".encode())
            self.process.stdin.close()
        except OSError:
            return False
        return True

    def finish(self, target: Path) -> list[bytes] | None:
        """The bodies the worker wrote, or None if it failed."""
        assert self.process is not None and self.process.stdout is not None
        sizes = self.process.stdout.read()
        if self.process.wait() != 0:
            return None
        return _cut(target.read_bytes(), map(int, sizes.split()))


def written(kind: str, sections: Sequence[tuple[Key, bytes]],
            worker: Worker | None = None) -> list[tuple[Key, bytes]]:
    """Each section's body in the format `kind` (a key of `FORMATS`), a section cut in
    two giving two bodies under its key; the later half written by `worker`, if any."""
    body = FORMATS[kind].body
    if worker is None:
        return [(key, body(text)) for key, text in sections]
    mine, theirs = _halves(sections)
    with tempfile.TemporaryDirectory(prefix="diplograph-") as folder:
        source, target = Path(folder) / "lines.nt", Path(folder) / "written"
        with source.open("wb") as out:
            for _, text in theirs:
                out.write(text)
        started = worker.start(source, target, [len(text) for _, text in theirs])
        done = [(key, body(text)) for key, text in mine]
        bodies = worker.finish(target) if started else None
    if bodies is None:
        bodies = [body(text) for _, text in theirs]
    return done + [(key, text) for (key, _), text in zip(theirs, bodies, strict=True)]


def _halves(sections: Sequence[tuple[Key, bytes]],
            ) -> tuple[list[tuple[Key, bytes]], list[tuple[Key, bytes]]]:
    """The sections before and after the first subject boundary past the middle line
    (the work goes by lines, not bytes), the section it falls in cut in two."""
    counts = [text.count(b"\n") for _, text in sections]
    middle, seen = sum(counts) / 2, 0
    for at, ((key, text), count) in enumerate(zip(sections, counts, strict=True)):
        if seen + count > middle:
            cut = _subject_end(text, int(len(text) * (middle - seen) / count))
            before, after = list(sections[:at]), list(sections[at + 1:])
            if cut:
                before.append((key, text[:cut]))
            if cut < len(text):
                after.insert(0, (key, text[cut:]))
            return before, after
        seen += count
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


def _cut(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """`data` cut into pieces of the given sizes."""
    pieces, at = [], 0
    for size in sizes:
        pieces.append(data[at:at + size])
        at += size
    return pieces


def main(kind: str) -> None:
    """Worker: read `SOURCE\\0TARGET\\0SIZE...` on standard input (nothing: leave), write
    the bodies of the pieces of SIZE bytes of the N-Triples file SOURCE to the file
    TARGET, one after another, and print their sizes."""
    task = sys.stdin.buffer.read()
    if not task:
        return
    source, target, sizes = task.decode().split("\0")
    texts = _cut(Path(source).read_bytes(), map(int, sizes.split()))
    bodies = [FORMATS[kind].body(text) for text in texts]
    Path(target).write_bytes(b"".join(bodies))
    print(" ".join(str(len(body)) for body in bodies))


if __name__ == "__main__":
    main(sys.argv[1])
