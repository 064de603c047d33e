"""Processes: a module of this package started as a Python process of its own, with the
same interpreter and the package on its path (work whose Python would hold the GIL the
calling process needs runs on another core); this process's freed memory given back."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


def start_module(module: str, *args: str, **options: Any) -> subprocess.Popen[bytes]:
    """`python -m module args...` started (OSError if it cannot be); `options` go to
    `subprocess.Popen`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", module, *args], env=env, **options)


def give_back_memory() -> None:
    """Return the heap's free pages to the system (glibc's `malloc_trim`; elsewhere
    nothing): a phase that made and dropped millions of small objects leaves its heap
    full of holes, on which the next phase's peak would stand (190 MiB after the 1M
    compile's reasoning)."""
    with suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
