"""The tensorcts pytest plugin and its tools (spec parser, backends, expectations, reports)."""
