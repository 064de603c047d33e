"""Which facts a dump holds (its own module: the front door names it without loading the
dump writers)."""

from __future__ import annotations

from enum import Enum


class Scope(Enum):
    """Which facts a dump holds."""

    ASSERTED = "asserted"
    INFERRED = "inferred"
    ALL = "all"
