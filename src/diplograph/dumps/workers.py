"""Writing a dump on every core. Its lines are cut between subjects into pieces of
about equal lines; worker processes (`python -m diplograph.dumps.workers`), one per
core, started while the dump is still being read, write them in turn as this process
reads and merges the lines that follow. A format's pieces join into the same bytes as
the whole (see `TextFormat`), so the result does not depend on who wrote which piece:
whatever a worker leaves undone (it could not start, or failed) this process writes."""

from __future__ import annotations

import contextlib
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from diplograph.dumps.writers import FORMATS
from diplograph.processes import start_module

SHARE_FROM = 200_000  # triples: below, the workers' start-up (about 0.1 s) gains nothing


def cpu_quota(cgroups: Path = Path("/sys/fs/cgroup")) -> float | None:
    """The CPUs a container's quota grants (cgroup v2 `cpu.max`, else v1's CFS quota, as
    a container sees its own cgroup at the root), or None if there is no quota."""
    try:
        quota, period = (cgroups / "cpu.max").read_text().split()
    except (OSError, ValueError):
        try:
            quota = (cgroups / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroups / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    try:
        granted = int(quota) / int(period)
    except (ValueError, ZeroDivisionError):  # "max" or -1: no quota
        return None
    return granted if granted > 0 else None


def usable_cores() -> int:
    """The cores this process may run on, or fewer if a CPU quota grants fewer."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = cpu_quota()
    return max(1, min(cores or 1, math.ceil(quota) if quota else cores or 1))


CORES = usable_cores()
PIECES = 24  # pieces a batch of lines is cut into: small enough for the workers to share
_AHEAD = 2  # pieces handed to a worker before it asks: it never waits for one
_PATIENCE = 60.0  # seconds a worker may keep a piece (about 10 ms of work) before it is stopped
# where pieces pass to the workers and back: in memory if it can (no write-back to disk)
_IN_MEMORY = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None


class Worker:
    """A worker process for one format, started ahead of its tasks so that its start-up
    overlaps other work. Each task is a line on its standard input, `INDEX\\0SOURCE
    \\0TARGET`: it writes the body of the N-Triples file SOURCE to TARGET, then prints
    INDEX. It leaves at the end of its input."""

    def __init__(self, kind: str) -> None:
        try:
            self.process: subprocess.Popen[bytes] | None = start_module(
                "diplograph.dumps.workers", kind, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
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


class Piece:
    """Lines to be written into a format, and the body a worker wrote of them."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.body: bytes | None = None
        self.ready = threading.Event()
        self.stuck: Callable[[], None] | None = None  # stops the worker that took it

    def done(self, body: bytes | None) -> None:
        """The worker's body, or None: written here."""
        self.body = body
        self.ready.set()

    def result(self, write: Callable[[bytes], bytes]) -> bytes:
        """The body once a worker wrote it; `write(text)` if none could, or if the worker
        kept it past `_PATIENCE`: that worker is stopped, as stuck, and the other pieces it
        took come back at once."""
        if not self.ready.wait(_PATIENCE) and self.stuck is not None:
            self.stuck()
        return self.body if self.body is not None else write(self.text)


class Pool:
    """Worker processes for one format, one per core (`count`), started ahead of their
    pieces; each takes the next piece handed in (`submit`) when it is free, `_AHEAD` at a
    time, so the pieces are written while this process reads the lines that follow."""

    def __init__(self, kind: str, count: int = CORES) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="diplograph-", dir=_IN_MEMORY)
        self.pending: queue.Queue[tuple[int, Piece] | None] = queue.Queue()
        self.handed = 0
        self.feeds = [_Feed(Worker(kind), self.pending, Path(self.folder.name))
                      for _ in range(count)]

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.pending.put(None)  # each feed passes it on to the next, and leaves
        for feed in self.feeds:
            feed.stop()
        self.folder.cleanup()

    def submit(self, text: bytes) -> Piece:
        """Hand in lines to be written; their piece is done once a worker wrote it."""
        piece = Piece(text)
        self.pending.put((self.handed, piece))
        self.handed += 1
        return piece


class _Feed:
    """Two threads keeping a worker busy: one hands it the pieces it takes, one collects
    what it wrote. Once the worker is gone, its pieces are left to this process."""

    def __init__(self, worker: Worker, pending: queue.Queue[tuple[int, Piece] | None],
                 folder: Path) -> None:
        self.worker, self.pending, self.folder = worker, pending, folder
        self.room = threading.Semaphore(_AHEAD)
        self.lock = threading.Lock()
        self.taken: dict[int, Piece] = {}
        self.gone = worker.process is None
        self.threads = [threading.Thread(target=run, daemon=True)
                        for run in (self._hand, self._collect)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.worker.stop()
        for thread in self.threads:
            thread.join(_PATIENCE)

    def _hand(self) -> None:
        while self.room.acquire() and (task := self.pending.get()) is not None:
            at, piece = task
            with self.lock:
                if self.gone:
                    piece.done(None)
                    self.room.release()
                    continue
                source = self.folder / f"{at}.nt"
                self.taken[at] = piece
                piece.stuck = self.worker.stop
                try:
                    source.write_bytes(piece.text)
                    sent = self.worker.send(at, source, self.folder / f"{at}.out")
                except OSError:  # no room for it (a full /dev/shm): this process writes it
                    sent = False
                if not sent:
                    self._leave()
        self.pending.put(None)

    def _collect(self) -> None:
        try:
            for at in self.worker.answers():
                written = self.folder / f"{at}.out"
                text = written.read_bytes()
                written.unlink()  # the folder holds the pieces in hand, not the dump
                (self.folder / f"{at}.nt").unlink()
                with self.lock:
                    self.taken.pop(at).done(text)
                self.room.release()
        except (OSError, ValueError, KeyError):  # a worker gone wrong: its pieces are left
            pass
        with self.lock:
            self._leave()

    def _leave(self) -> None:
        """The worker is gone: what it took is written here, and so is what it takes."""
        self.gone = True
        for piece in self.taken.values():
            piece.done(None)
        self.taken.clear()
        self.room.release(_AHEAD)


def pieces(text: bytes, count: int = PIECES) -> list[bytes]:
    """Lines cut between subjects into pieces of about 1/count of them (taking lines to
    be of about equal length); no lines are one empty piece."""
    lines = text.count(b"\n")
    step = max(1, len(text) * max(1, lines // count) // lines) if lines else len(text)
    cut: list[bytes] = []
    start = 0
    while True:
        end = _subject_end(text, min(len(text), start + step))
        cut.append(text[start:end])
        if end >= len(text):
            return cut
        start = end


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
