"""tensorcts: a conformance test suite and reference specification for tensor semantics.

The installed package gathers the repository's top-level folders under one name:
``tensorcts.reference`` (reference/), ``tensorcts.adapters`` (adapters/),
``tensorcts.harness`` (harness/), ``tensorcts.suites`` (suites/) and the rule text
``tensorcts/spec`` (spec/, package data). See pyproject.toml's package-dir.
"""

__version__ = "0.2.0"
