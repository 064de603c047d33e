"""OWL 2 RL: the closure, the consistency of a graph, the profile of an ontology."""
