"""RDF dumps of the graph: every format, written fast and deterministically."""
