"""SHACL severities (their own module: the front door names them without loading the
validator)."""

from __future__ import annotations

from enum import IntEnum


class Severity(IntEnum):
    """SHACL severities, ordered so that a threshold can be compared."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3
