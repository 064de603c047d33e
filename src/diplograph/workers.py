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
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_PATIENCE = 600.0  # seconds to wait for a worker's half before writing it here


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
        self.stop()

    def stop(self) -> None:
        """End the process if it still runs, and close its pipes."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.communicate()

    def start(self, source: Path, target: Path, sizes: list[int]) -> bool:
        """Hand over the task: write the bodies of the pieces of `source` (of the given
        sizes) to `target`; False if the worker is gone."""
        if self.process is None or self.process.stdin is None:
            return False
        try:
            task = "\0".join([str(source), str(target), *map(str, sizes)])
            self.process.stdin.write(task.encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            return False
        return True

    def finish(self, target: Path, sizes: list[int]) -> list[bytes] | None:
        """The bodies the worker wrote for pieces of the given sizes, or None if it
        failed, answered otherwise or took too long."""
        assert self.process is not None
        try:
            answer, _ = self.process.communicate(timeout=_PATIENCE)
            written = [int(size) for size in answer.split()]
            data = target.read_bytes()
        except (subprocess.TimeoutExpired, ValueError, OSError):
            return None
        if self.process.returncode != 0 or len(written) != len(sizes) or sum(written) != len(data):
            return None
        return _cut(data, written)


def written(kind: str, sections: Sequence[tuple[Key, bytes]],
            worker: Worker | None = None) -> list[tuple[Key, bytes]]:
    """Each section's body in the format `kind` (a key of `FORMATS`), a section cut in
    two giving two bodies under its key; the later half written by `worker`, if any."""
    body = FORMATS[kind].body
    if worker is None:
        return [(key, body(text)) for key, text in sections]
    mine, theirs = _halves(sections)
    sizes = [len(text) for _, text in theirs]
    with tempfile.TemporaryDirectory(prefix="diplograph-") as folder:
        source, target = Path(folder) / "lines.nt", Path(folder) / "written"
        try:
            with source.open("wb") as out:
                for _, text in theirs:
                    out.write(text)
            started = worker.start(source, target, sizes)
            done = [(key, body(text)) for key, text in mine]
            bodies = worker.finish(target, sizes) if started else None
        finally:  # before its folder goes
            worker.stop()
    if bodies is None:
        bodies = [body(text) for _, text in theirs]
    return done + [(key, text) for (key, _), text in zip(theirs, bodies, strict=True)]


def _halves(sections: Sequence[tuple[Key, bytes]],
            ) -> tuple[list[tuple[Key, bytes]], list[tuple[Key, bytes]]]:
    """The sections before and after the first subject boundary from the middle line on
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
    """The offset of the first line starting at or after offset `at` whose subject is
    not that of the line before it: 0 at the start, the length if there is none."""
    line = ntriples.rfind(b"\n", 0, at) + 1  # the start of the line holding `at`
    if line < at:
        line = ntriples.index(b"\n", at) + 1
    while 0 < line < len(ntriples):
        previous = ntriples.rfind(b"\n", 0, line - 1) + 1
        subject = ntriples[previous:ntriples.index(b" ", previous) + 1]
        if not ntriples.startswith(subject, line):
            break
        line = ntriples.index(b"\n", line) + 1
    return line


def _cut(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """`data` cut into pieces of the given sizes."""
    pieces, at = [], 0
    for size in sizes:
        pieces.append(data[at:at + size])
        at += size
    return pieces


def main(kind: str) -> None:
    """Worker: read a line `SOURCE\\0TARGET\\0SIZE...` on standard input (none: leave),
    write the bodies of the pieces of SIZE bytes of the N-Triples file SOURCE to the
    file TARGET, one after another, and print their sizes."""
    task = sys.stdin.buffer.readline()
    if not task:
        return
    source, target, *sizes = task.decode().rstrip("\n").split("\0")
    texts = _cut(Path(source).read_bytes(), map(int, sizes))
    bodies = [FORMATS[kind].body(text) for text in texts]
    Path(target).write_bytes(b"".join(bodies))
    print(" ".join(str(len(body)) for body in bodies))


if __name__ == "__main__":
    main(sys.argv[1])
