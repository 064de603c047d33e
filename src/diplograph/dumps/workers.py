"""Writing a dump on two cores. The sections are cut between subjects into pieces of
about equal lines; a worker process (`python -m diplograph.dumps.workers`), started while
the dump is still being read, takes pieces from the back while this process takes
them from the front, until they meet, so whichever runs faster writes more. A format's
pieces join into the same bytes as the whole (see `TextFormat`), so the result does
not depend on who wrote which piece: whatever the worker leaves undone (it could not
start, or failed) this process writes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from diplograph.dumps.writers import FORMATS

Key = TypeVar("Key")
SHARE_FROM = 200_000  # triples: below, a worker's start-up (about 0.1 s) gains nothing
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
PIECES = 24  # enough for the two ends to meet within a small piece of each other
_AHEAD = 2  # pieces handed to the worker before it asks: it never waits for one
_PATIENCE = 600.0  # seconds to wait for the worker's last piece before writing it here


class Worker:
    """A worker process for one format, started ahead of its tasks so that its start-up
    overlaps other work. Each task is a line on its standard input, `INDEX\\0SOURCE
    \\0TARGET`: it writes the body of the N-Triples file SOURCE to TARGET, then prints
    INDEX. It leaves at the end of its input."""

    def __init__(self, kind: str) -> None:
        package_root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        try:
            self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", "diplograph.dumps.workers", kind], stdin=subprocess.PIPE,
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
            self.process.wait()
            for pipe in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(OSError):
                    if pipe is not None:
                        pipe.close()

    def send(self, index: int, source: Path, target: Path) -> bool:
        """Hand over a task; False if the worker is gone."""
        if self.process is None or self.process.stdin is None:
            return False
        try:
            self.process.stdin.write(f"{index}\0{source}\0{target}\n".encode())
            self.process.stdin.flush()
        except (OSError, ValueError):  # gone, or stopped
            return False
        return True

    def answers(self) -> Iterator[int]:
        """The indexes of the tasks done, as they are done; ends if the worker does."""
        if self.process is not None and self.process.stdout is not None:
            for line in self.process.stdout:
                yield int(line)


def written(kind: str, sections: Sequence[tuple[Key, bytes]],
            worker: Worker | None = None) -> list[tuple[Key, bytes]]:
    """The body of each piece of the sections in the format `kind` (a key of `FORMATS`),
    under its section's key: one piece per section alone, several shared with `worker`."""
    body = FORMATS[kind].body
    if worker is None:
        return [(key, body(text)) for key, text in sections]
    pieces = _pieces(sections, PIECES)
    with tempfile.TemporaryDirectory(prefix="diplograph-") as folder:
        share = _Share(worker, [text for _, text in pieces], Path(folder))
        try:
            mine = {at: body(pieces[at][1]) for at in share.front()}
            theirs = share.back()
        except BaseException:  # before its folder goes
            worker.stop()
            raise
        if share.reader.is_alive():  # out of patience: its last pieces are written here
            worker.stop()
    done = {**theirs, **mine}
    return [(key, done[at] if at in done else body(text))
            for at, (key, text) in enumerate(pieces)]


class _Share:
    """Pieces handed out from both ends: this process takes them from the front; a
    thread hands them to the worker from the back, `_AHEAD` at a time, and collects
    what it writes."""

    def __init__(self, worker: Worker, texts: list[bytes], folder: Path) -> None:
        self.worker, self.texts, self.folder = worker, texts, folder
        self.next, self.last = 0, len(texts)  # pieces [next, last) are not taken yet
        self.lock = threading.Lock()
        self.written: dict[int, bytes] = {}
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def front(self) -> Iterator[int]:
        """The pieces for this process, first to last, until the worker's are reached."""
        while True:
            with self.lock:
                if self.next >= self.last:
                    return
                at, self.next = self.next, self.next + 1
            yield at

    def back(self) -> dict[int, bytes]:
        """The bodies the worker wrote, by piece, once it is done (or gone)."""
        self.reader.join(_PATIENCE)
        with self.lock:
            return dict(self.written)

    def _hand_over(self) -> bool:
        """Give the worker the last piece not taken; False if there is none."""
        with self.lock:
            if self.next >= self.last:
                return False
            self.last -= 1
            at = self.last
        source = self.folder / f"{at}.nt"
        source.write_bytes(self.texts[at])
        return self.worker.send(at, source, self.folder / f"{at}.out")

    def _collect(self) -> None:
        """In a thread: keep the worker `_AHEAD` pieces ahead, keep what it writes."""
        try:
            handed = sum(self._hand_over() for _ in range(_AHEAD))
            for at in self.worker.answers() if handed else ():
                text = (self.folder / f"{at}.out").read_bytes()
                with self.lock:
                    self.written[at] = text
                handed -= 1
                handed += self._hand_over()
                if not handed:
                    break
        except (OSError, ValueError):  # a worker gone wrong: its pieces are written here
            self.worker.stop()


def _pieces(sections: Sequence[tuple[Key, bytes]], count: int) -> list[tuple[Key, bytes]]:
    """The sections cut between subjects into pieces of about 1/count of all the lines
    (taking lines to be of about equal length); an empty section stays one piece."""
    lines = [text.count(b"\n") for _, text in sections]
    share = max(1, sum(lines) // count)
    pieces: list[tuple[Key, bytes]] = []
    for (key, text), total in zip(sections, lines, strict=True):
        start = 0
        while True:
            step = len(text) * share // total if total else len(text)
            end = _subject_end(text, min(len(text), start + max(1, step)))
            pieces.append((key, text[start:end]))
            if end >= len(text):
                break
            start = end
    return pieces


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


def main(kind: str) -> None:
    """Worker: do the tasks on standard input (see `Worker`) until it ends."""
    for task in sys.stdin.buffer:
        index, source, target = task.decode().rstrip("\n").split("\0")
        Path(target).write_bytes(FORMATS[kind].body(Path(source).read_bytes()))
        print(index, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
