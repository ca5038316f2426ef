"""Writes the tutorial example's graph as Graphviz DOT, from the reference's own tape.

    python spec/img/tutorial_graph.py > spec/img/tutorial-graph.dot
    dot -Tsvg spec/img/tutorial-graph.dot -o spec/img/tutorial-graph.svg   # Debian: apt-get install graphviz
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import tensorcts.reference as R  # noqa: E402 - after the path is set
from tensorcts.reference.autograd import to_dot  # noqa: E402


def tutorial_dot() -> str:
    x = R.arange(3, dtype=R.float32, requires_grad=True)
    a = x + 2
    b = a ** 2
    c = b + 3
    y = c.mean()
    return to_dot(y, {"x = arange(3.)": x, "a = x + 2": a, "b = a ** 2": b, "c = b + 3": c, "y = c.mean()": y})


if __name__ == "__main__":
    sys.stdout.write(tutorial_dot())
