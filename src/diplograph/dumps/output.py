"""Where a dump's bytes go: a sink, through gzip if asked, their sha256 and length
counted. A thread writes them, so that copying into the file, hashing and compressing
(which release the interpreter) overlap the reading and writing of the lines."""

from __future__ import annotations

import gzip
import hashlib
import queue
from threading import Thread
from types import TracebackType
from typing import BinaryIO

GZIP_LEVEL = 6
_QUEUED = 4  # writes waiting for the thread: a few batches' bodies at most


class Output:
    """A dump's bytes on their way to `sink` (gzipped with no timestamp if `compressed`),
    written by a thread once the block starts; `sha256` and `size` describe what reached
    the sink once the block ends. A failed write is raised in the block by the next
    write, or at its end."""

    def __init__(self, sink: BinaryIO, compressed: bool) -> None:
        self.sink, self.digest, self.size = sink, hashlib.sha256(), 0
        self.zipped = gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL,
                                    fileobj=_Counted(self), mtime=0) if compressed else None
        self.pending: queue.Queue[bytes | None] = queue.Queue(_QUEUED)
        self.error: BaseException | None = None
        self.thread = Thread(target=self._drain, daemon=True)

    def __enter__(self) -> Output:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.pending.put(None)
        self.thread.join()
        if self.error is not None and error is None:
            raise self.error

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def write(self, data: bytes) -> None:
        """Queue `data` for the sink."""
        if self.error is not None:
            raise self.error
        self.pending.put(data)

    def _drain(self) -> None:
        """In the thread: write what comes until the end (gzip's trailer then), or until a
        write fails (what comes after is dropped)."""
        while (data := self.pending.get()) is not None:
            if self.error is None:
                try:
                    self._through(data)
                except BaseException as exc:  # raised in the block that writes
                    self.error = exc
        if self.error is None and self.zipped is not None:
            try:
                self.zipped.close()
            except BaseException as exc:
                self.error = exc

    def _through(self, data: bytes) -> None:
        if self.zipped is not None:
            self.zipped.write(data)
        else:
            self.reached(data)

    def reached(self, data: bytes) -> None:
        """Bytes to go to the sink as they are."""
        self.sink.write(data)
        self.digest.update(data)
        self.size += len(data)


class _Counted:
    """gzip's output, passed to `Output.reached`."""

    def __init__(self, out: Output) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        self.out.reached(data)
        return len(data)

    def flush(self) -> None:
        pass
