"""Starting a module of this package as a Python process of its own, with the same
interpreter and the package on its path: work whose Python would hold the GIL the
calling process needs runs on another core."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


def start_module(module: str, *args: str, **options: Any) -> subprocess.Popen[bytes]:
    """`python -m module args...` started (OSError if it cannot be); `options` go to
    `subprocess.Popen`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", module, *args], env=env, **options)
