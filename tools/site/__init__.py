"""The spec and the conformance matrix as a static website.

    python -m tensorcts.tools.site --reports docs/results/reports --out site

A small generator of its own (Markdown through markdown-it-py, everything else plain
HTML, CSS and JavaScript) rather than MkDocs or Sphinx, because the site must work
opened from the file system: their search runs in a web worker fetching a JSON
index, which browsers refuse under file://, and their heading anchors are slugs,
not rule IDs. Here the search index is a script file, every rule's anchor is its
ID, and the build checks both (see ``links``).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (``tensorcts site``): build the site, print where it is."""
    from .build import main as _main

    return _main(argv)
