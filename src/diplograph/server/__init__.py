"""`diplograph serve`: the graph over HTTP (see `diplograph.server.app`)."""

from diplograph.server.app import Limits, create_app

__all__ = ["Limits", "create_app"]
