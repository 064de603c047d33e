"""SPARQL: the stored query catalog, parameters, safety, limits, running, results, endpoints."""
