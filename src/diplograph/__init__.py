"""diplograph: a knowledge graph of diplomatic relations between states."""

__version__ = "0.1.0"
