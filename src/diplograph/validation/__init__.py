"""New facts checked before they join the graph, and the whole project checked."""
