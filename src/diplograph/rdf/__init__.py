"""RDF files read strictly: parsers, literal checks, positions, rdflib terms."""
