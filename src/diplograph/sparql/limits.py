"""Running a query under a time limit and a memory ceiling, stoppable by Ctrl-C.

Oxigraph has no timeout of its own, but it releases the GIL while it evaluates: the
query runs on a thread while the calling thread watches the clock, the process's
memory and Ctrl-C, and raises as soon as a limit is reached. The engine cannot be
stopped half-way, so a process that was stopped must end (the command line does,
at once). A long-lived process (a server) runs queries `isolated` instead: in a
forked child that is killed at the limit (with the ceiling as its address-space
limit), which leaves the process as it was, at 20-60 ms more per query."""

from __future__ import annotations

import json
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from diplograph.errors import DiplographError, ExitCode, InternalError

T = TypeVar("T")
DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MEMORY = 2048  # MiB the process may grow by while a query runs
QUERY_THREAD = "diplograph-query"
_POLL = 0.02  # seconds between looks at the clock and the memory
_PAGE = os.sysconf("SC_PAGE_SIZE")


class QueryTimeout(DiplographError):
    """A query ran past its time limit."""

    exit_code = ExitCode.TIMEOUT


class QueryMemory(DiplographError):
    """A query needed more memory than its ceiling."""

    exit_code = ExitCode.MEMORY


@dataclass(frozen=True)
class Limits:
    """How long a query may run (seconds) and how much memory it may take (MiB)."""

    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY

    def timed_out(self) -> QueryTimeout:
        return QueryTimeout(f"the query was stopped after {self.timeout:g} s, its time limit",
                            hint="narrow the query, or give it more time with --timeout")

    def out_of_memory(self) -> QueryMemory:
        return QueryMemory(f"the query was stopped at {self.memory} MiB, its memory ceiling",
                           hint="narrow the query (ORDER BY and DISTINCT over many rows hold "
                                "them all), or raise the ceiling with --memory")


def _resident() -> int:
    """Bytes of this process in memory (Linux; 0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return 0


def cap_growth(room: int) -> None:
    """Let this process's address space grow by at most `room` bytes from now on: an
    allocation past it fails, and the engine aborts the process (Linux; where /proc is
    missing, nothing is capped)."""
    import resource  # Unix only, as is fork: here, so that the CLI imports anywhere

    try:
        with open("/proc/self/statm", "rb") as statm:
            cap = int(statm.read().split()[0]) * _PAGE + room
    except OSError:
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_limited(task: Callable[[], T], limits: Limits) -> T:
    """`task()` on a thread of its own, this thread raising `QueryTimeout`,
    `QueryMemory` or `KeyboardInterrupt` as soon as a limit is reached or Ctrl-C is
    pressed (the task then runs on: end the process)."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(task())
        except BaseException as exc:
            failure.append(exc)

    ceiling = _resident() + limits.memory * 2**20
    worker = threading.Thread(target=work, name=QUERY_THREAD, daemon=True)
    deadline = time.monotonic() + limits.timeout
    worker.start()
    while worker.is_alive():
        worker.join(_POLL)
        if worker.is_alive() and time.monotonic() > deadline:
            raise limits.timed_out()
        if worker.is_alive() and _resident() > ceiling:
            raise limits.out_of_memory()
    if failure:
        raise failure[0]
    return outcome[0]


def run_isolated(task: Callable[[], bytes], limits: Limits) -> bytes:
    """`task()` in a forked child process, killed at the time limit or on Ctrl-C, its
    address space capped at the memory ceiling; its bytes, or the `DiplographError`
    it raised, come back through a pipe."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reading)
        _serve(task, limits, writing)
    os.close(writing)
    try:
        payload = _receive(reading, pid, limits)
    finally:
        os.close(reading)
    kind, _, body = payload.partition(b"\n")
    if kind == b"ok":
        return body
    if kind == b"error":
        code, message, hint = json.loads(body)
        error = DiplographError(message, hint)
        error.exit_code = ExitCode(code)
        raise error
    if kind == b"memory":
        raise limits.out_of_memory()
    if kind == b"internal":
        raise InternalError(body.decode("utf-8", "replace"))
    raise InternalError("the query process ended without an answer")


def _serve(task: Callable[[], bytes], limits: Limits, writing: int) -> None:
    """Run in the child: the task's bytes or its error to `writing`, then exit."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command line's clean-up
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)  # the engine's own messages (an allocation failure) stay unseen
        cap_growth(limits.memory * 2**20)
        try:
            payload = b"ok\n" + task()
        except DiplographError as exc:
            payload = b"error\n" + json.dumps(
                [int(exc.exit_code), exc.message, exc.hint]).encode()
        except MemoryError:
            payload = b"memory\n"
        except Exception:
            import traceback

            payload = b"internal\n" + traceback.format_exc().encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(writing, view):]
    finally:
        os._exit(0)


def _receive(reading: int, pid: int, limits: Limits) -> bytes:
    """What the child sends, until it ends; kill it at the time limit or on Ctrl-C."""
    chunks, deadline = [], time.monotonic() + limits.timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise limits.timed_out()
            ready, _, _ = select.select([reading], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(reading, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        ended = signal.Signals(os.WTERMSIG(status))
        if ended in (signal.SIGABRT, signal.SIGKILL):  # an allocation failed; the OOM killer
            raise limits.out_of_memory()
        raise InternalError(f"the query engine crashed ({ended.name})")
    return b"".join(chunks)
