"""Writing files whole or not at all: a temporary file, fsync, then an atomic rename."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from diplograph.errors import InputError


def writable_target(path: Path) -> Path:
    """Where writing `path` goes: the file itself, or the file a link names. Only a
    regular file (or none yet) is written: a device, FIFO, socket or directory, or a
    link to one, is refused, and so is a read-only file (its mode is never changed)."""
    real = Path(os.path.realpath(path))
    try:
        found = os.stat(path)  # through links, /proc/self/fd/N ones too
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror})",
                         hint="check the path") from exc
    if not stat.S_ISREG(found.st_mode):
        kind = ("a directory" if stat.S_ISDIR(found.st_mode) else "a FIFO"
                if stat.S_ISFIFO(found.st_mode) else "a socket" if stat.S_ISSOCK(found.st_mode)
                else "a device")
        named = f" (a link to {os.readlink(path)})" if os.path.islink(path) else ""
        raise InputError(f"{path}: is {kind}{named}, not a regular file",
                         hint="write to a regular file, or give `-` for standard output")
    if not found.st_mode & 0o222:
        raise InputError(f"{path}: is read-only", hint="make it writable first, or choose "
                                                       "another file")
    return real


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` (or the file it links to) with `data`, keeping its permissions;
    on any failure the old file is left untouched and no temporary file remains."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A file to write in steps that replaces `path` (or the file it links to), keeping
    its permissions, once the block ends; if the block fails, the old file is left
    untouched, and no temporary file or folder made for it remains. The target is
    checked first (see `writable_target`), before anything is written."""
    path = writable_target(Path(path))
    made = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile  # here: a command that writes nothing does not load it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        for folder in made:  # the folders made for it, innermost first
            with suppress(OSError):
                folder.rmdir()
        raise
