"""Queries run in worker processes, each under a time limit and a memory limit.

The engine cannot be told to stop a query, and a thread cannot be stopped: a worker
process can. Each worker opens the graph itself and answers one job at a time; a job
past its time limit is answered with `QueryTimeout` at once and its worker is ended
and replaced, and a worker that dies (a query that reached the worker's memory limit
makes the engine abort) is answered with `QueryMemory` and replaced. The server holds
at most `room` jobs, running or waiting for a worker; more are turned away
(`Overloaded`). A job is a function of this module's `OPERATIONS` and its arguments,
whose answer (rendered text, JSON-ready data) is sent back whole."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from diplograph.errors import DiplographError, LimitError
from diplograph.graph import Graph
from diplograph.namespaces import compact
from diplograph.server.negotiation import NotAcceptable, media_type
from diplograph.server.pictures import PICTURES, network_picture
from diplograph.sparql.limits import QueryMemory, QueryTimeout, cap_growth
from diplograph.sparql.results import render

MIB = 1 << 20
_log = logging.getLogger(__name__)


class Overloaded(LimitError):
    """The server already holds as many queries as it has room for."""


def answer(graph: Graph, kind: str, what: Any, inference: bool, max_rows: int,
           formats: tuple[str | None, str | None]) -> tuple[str, str, str]:
    """Run a stored query (`kind` "named": name and values) or a SPARQL text ("sparql")
    and render it in the format negotiated for rows or for a graph: (text, media type,
    format)."""
    if kind == "named":
        name, values = what
        result = graph.run(graph.named(name), values, inference=inference, max_rows=max_rows)
    else:
        result = graph.sparql(what, inference=inference, max_rows=max_rows)
    is_graph = result.kind == "graph"
    chosen = formats[1] if is_graph else formats[0]
    if chosen is None:
        offered = "RDF formats" if is_graph else "SPARQL results formats"
        raise NotAcceptable(f"the answer is {'a graph' if is_graph else 'rows'}, and no "
                            "format the request accepts can carry it",
                            hint=f"accept one of the {offered}, or give ?format=")
    return render(result, chosen), media_type(chosen, is_graph), chosen


def explain(graph: Graph, iris: tuple[str, ...]) -> list[dict[str, Any]]:
    """The facts among the given nodes that carry provenance, with their sentences."""
    import pyoxigraph as ox

    return [{"node": s.node.value, "name": compact(s.node.value), "sources": list(s.sources),
             "quotes": [{"lang": q.language or "", "text": q.value} for q in s.quotes]}
            for s in graph.explain(tuple(ox.NamedNode(iri) for iri in iris))]


def countries(graph: Graph, text: str, limit: int) -> list[dict[str, str]]:
    """States whose ISO code or name in any language begins with `text`."""
    return [{"code": n.code, "name": n.name, "matched": n.matched}
            for n in graph.country_names(text, limit)]


def picture(graph: Graph, name: str, values: dict[str, tuple[str, ...]]) -> bytes:
    """The picture registered for a stored query, drawn for its values."""
    return PICTURES[name](graph, values)


OPERATIONS: dict[str, Callable[..., Any]] = {
    "answer": answer, "explain": explain, "countries": countries, "picture": picture,
    "network": network_picture}


def _work(conn: Connection, project: Path, store: Path | None, memory: int) -> None:
    """A worker process: open the graph, then answer jobs until the pipe closes."""
    graph = Graph.open(project, store)
    graph.limits = None  # this process is the query's cage: the pool times it, the OS caps it
    graph.country_names("a")  # opens the store and reads every state's names, once
    graph.sparql("ASK {}")  # loads the query checker's parser before the first request
    cap_growth(memory)  # after the store's own threads have started: they reserve room
    _quiet_engine()
    conn.send(("ready", None))
    while True:
        try:
            operation, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", OPERATIONS[operation](graph, *args)))
        except DiplographError as exc:
            conn.send(("error", (type(exc), exc.message, exc.hint)))
        except MemoryError:
            conn.send(("error", (QueryMemory, "query: it needed more memory than a worker "
                                 f"may use ({memory // MIB} MiB)", "narrow the query")))


def _quiet_engine() -> None:
    """Keep the engine's own messages (the allocation failure that ends a worker at its
    memory limit, a backtrace it cannot print) off the server's stderr; Python's stay."""
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8",
                           errors="backslashreplace")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    os.close(quiet)


@dataclass(eq=False)
class Worker:
    """A worker process and the pipe to it."""

    process: multiprocessing.process.BaseProcess
    conn: Connection


def _error(kind: type[DiplographError], message: str, hint: str | None) -> DiplographError:
    """A library error sent from a worker, rebuilt with its class, message and hint."""
    error = kind.__new__(kind)
    DiplographError.__init__(error, message, hint)
    return error


class WorkerPool:
    """`workers` processes answering jobs for `graph`, each within `timeout` seconds
    and growing by at most `memory` bytes once the graph is open; at most `room` jobs
    held at once."""

    def __init__(self, graph: Graph, workers: int, room: int, timeout: float,
                 memory: int) -> None:
        self.graph = graph
        self.room = room
        self.timeout = timeout
        self.memory = memory
        self.held = 0
        self.closed = False
        self._lock = threading.Lock()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._context = multiprocessing.get_context("spawn")  # no fork of an open store
        self._threads = ThreadPoolExecutor(room, thread_name_prefix="diplograph-job")
        starting = [threading.Thread(target=self._start) for _ in range(workers)]
        for thread in starting:
            thread.start()
        for thread in starting:
            thread.join()
        if self._idle.qsize() < workers:
            self.close()
            raise DiplographError("the query workers did not start",
                                  hint="run a query from the command line to see why")

    def _start(self) -> None:
        """Start a worker and make it idle once it has opened the graph."""
        if self.closed:
            return
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_work, args=(theirs, self.graph.project.root, self.graph.store_dir,
                                self.memory), daemon=True, name="diplograph-query-worker")
        process.start()
        theirs.close()
        worker = Worker(process, ours)
        try:
            if ours.poll(300) and ours.recv()[0] == "ready":
                with self._lock:
                    self._all.add(worker)
                self._idle.put(worker)
                return
        except (EOFError, OSError):
            pass
        self._end(worker)

    def _end(self, worker: Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: Worker) -> None:
        """End a worker and start another in its place, beside the request's answer."""
        def replace() -> None:
            self._end(worker)
            self._start()

        threading.Thread(target=replace, daemon=True).start()

    def _exchange(self, operation: str, args: tuple[Any, ...]) -> Any:
        deadline = time.monotonic() + self.timeout
        late = QueryTimeout(f"query: no answer within the time limit of {self.timeout:g} s",
                            hint="narrow the query, or add LIMIT")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise late from None
        try:
            worker.conn.send((operation, args))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise late
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            _log.warning("a query worker ended, most likely at its memory limit of %d MiB; "
                         "another is starting", self.memory // MIB)
            raise QueryMemory("query: its worker ended, most likely at its memory limit of "
                              f"{self.memory // MIB} MiB", hint="narrow the query") from None
        self._idle.put(worker)
        if kind == "error":
            raise _error(*value)
        return value

    async def run(self, operation: str, *args: Any) -> Any:
        """A job's answer, from the first idle worker, within the time limit."""
        with self._lock:
            if self.closed:
                raise Overloaded("the server is stopping", hint="try again when it is back")
            if self.held >= self.room:
                raise Overloaded(f"the server is holding {self.held} queries, its limit",
                                 hint="try again in a few seconds")
            self.held += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._threads, self._exchange, operation, args)
        finally:
            with self._lock:
                self.held -= 1

    def close(self) -> None:
        """End every worker; jobs still waiting never start."""
        self.closed = True
        self._threads.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._end(worker)
