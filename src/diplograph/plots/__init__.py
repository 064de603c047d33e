"""Pictures of the graph as SVG, PNG or HTML bytes, for the command line and the server:

    >>> from diplograph import Graph
    >>> from diplograph.plots import timeline
    >>> svg = timeline(Graph.open(), "AZ", "UZ", fmt="svg", lang="az")
"""

from diplograph.plots.network import network
from diplograph.plots.picture import FORMATS
from diplograph.plots.timeline import timeline
from diplograph.plots.worldmap import relations

__all__ = ["FORMATS", "network", "relations", "timeline"]
