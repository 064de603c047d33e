"""Which reasoner computes the OWL 2 RL closure (its own module: the store's key names
it, and every command computes that key without loading the reasoner)."""

from __future__ import annotations

import os
from enum import Enum

from diplograph.errors import UsageError

ENGINE_ENV = "DIPLOGRAPH_REASONER"


class Engine(Enum):
    """A reasoner implementation."""

    NATIVE = "native"
    OWLRL = "owlrl"


class UnknownEngineError(UsageError):
    """$DIPLOGRAPH_REASONER or the engine argument names no engine."""


def default_engine() -> Engine:
    """$DIPLOGRAPH_REASONER, else the native engine."""
    name = os.environ.get(ENGINE_ENV, Engine.NATIVE.value)
    try:
        return Engine(name)
    except ValueError:
        raise UnknownEngineError(
            f"unknown reasoner {name!r} in ${ENGINE_ENV}",
            hint=f"one of: {', '.join(e.value for e in Engine)}") from None
