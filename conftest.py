"""Repository-wide pytest configuration.

The tensorcts plugin itself is loaded through its ``pytest11`` entry point
(pyproject.toml), in this repository as in any other directory, once the
package is installed (``pip install -e .``).
"""
