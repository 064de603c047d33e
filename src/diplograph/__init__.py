"""diplograph: a knowledge graph of diplomatic relations between states.

`from diplograph import Graph` is the front door (see `diplograph.graph`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Graph", "__version__"]

if TYPE_CHECKING:
    from diplograph.graph import Graph


def __getattr__(name: str) -> Any:
    """`Graph` is imported on first use, so the command line starts without the engine."""
    if name == "Graph":
        from diplograph.graph import Graph

        return Graph
    raise AttributeError(name)
