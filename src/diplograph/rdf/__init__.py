"""RDF files read strictly: parsers, literal checks, positions, rdflib terms."""


def quiet_rdflib() -> None:
    """Keep rdflib from logging a warning on stderr for each ill-typed literal it reads
    (diplograph reports them itself, at their line). Called by each module that loads
    rdflib, so that a query, which loads none, does not load logging either."""
    import logging

    logging.getLogger("rdflib").setLevel(logging.ERROR)
