"""Queries run off the event loop, each under a time limit, never more at once than
the server has room for.

The engine releases the GIL while it evaluates, so queries on a pool of threads run in
parallel. A thread cannot be stopped: a query past its time limit is answered at once
(`QueryTimeout`) and left to finish in its thread, still counted against the room,
so runaway queries fill the room rather than the memory and new requests are turned
away (`Overloaded`) until they end; a request still waiting for a thread when its time
is up never starts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from diplograph.errors import LimitError

T = TypeVar("T")


class QueryTimeout(LimitError):
    """A query ran past its time limit."""


class Overloaded(LimitError):
    """The server already holds as many queries as it has room for."""


def _contained(job: Callable[[], T]) -> T:
    """The job's value; an error leaves the thread without its traceback, whose frames
    may hold the engine's result iterators: those must be dropped on the thread that
    made them."""
    try:
        return job()
    except BaseException as exc:
        seen: set[int] = set()
        chained: BaseException | None = exc
        while chained is not None and id(chained) not in seen:
            seen.add(id(chained))
            chained.__traceback__ = None
            chained = chained.__cause__ or chained.__context__
        raise


class QueryRunner:
    """A pool of `threads` query threads, admitting at most `room` queries (running or
    waiting) and answering each within `timeout` seconds."""

    def __init__(self, threads: int, room: int, timeout: float) -> None:
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="diplograph-query")
        self.room = room
        self.timeout = timeout
        self.held = 0
        self._lock = threading.Lock()

    def _release(self, _: object = None) -> None:
        with self._lock:
            self.held -= 1

    async def run(self, job: Callable[[], T]) -> T:
        """The job's value, computed on a query thread within the time limit."""
        with self._lock:
            if self.held >= self.room:
                raise Overloaded(f"the server is running {self.held} queries, its limit",
                                 hint="try again in a few seconds")
            self.held += 1
        try:
            future = self.pool.submit(_contained, job)
        except RuntimeError:  # the pool is shut down: the server is stopping
            self._release()
            raise Overloaded("the server is stopping", hint="try again when it is back") from None
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            raise QueryTimeout(f"query: no answer within the time limit of {self.timeout:g} s",
                               hint="narrow the query, or add LIMIT") from None

    def close(self) -> None:
        """Stop taking queries; those waiting for a thread never start."""
        self.pool.shutdown(wait=False, cancel_futures=True)
