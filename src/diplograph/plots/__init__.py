"""Pictures of the graph as SVG, PNG or HTML bytes, for the command line and the server,
one module each (loading only the libraries that picture needs):

    >>> from diplograph import Graph
    >>> from diplograph.plots.timeline import timeline    # two states over time
    >>> from diplograph.plots.worldmap import relations   # a state's partners on a map
    >>> from diplograph.plots.network import network      # who is tied to whom
    >>> svg = timeline(Graph.open(), "AZ", "UZ", fmt="svg", lang="az")
"""

FORMATS = ("svg", "png", "html")
