"""Checks of a built site: every internal link resolves, every rule ID has exactly one anchor."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None and tag in ("a", "link", "script", "img"):
                self.refs.append(a[key])


def scan(site: Path) -> dict[Path, _Collector]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        c = _Collector()
        c.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = c
    return pages


def broken_links(site: Path) -> list[str]:
    """'page: href (why)' for every relative link whose file or anchor is missing."""
    pages, problems = scan(site), []
    for page, c in pages.items():
        for ref in c.refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("//"):
                continue  # external: not this site's business
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            where = f"{page.relative_to(site.resolve())}: {ref}"
            if not target.is_file():
                problems.append(f"{where} (no file)")
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                problems.append(f"{where} (no anchor)")
    return problems


def anchor_counts(site: Path, rule_ids: Iterable[str]) -> dict[str, int]:
    """How many elements across the site carry each rule ID as their id (must be 1 each)."""
    counts = Counter(i for c in scan(site).values() for i in c.ids)
    return {rule_id: counts.get(rule_id, 0) for rule_id in rule_ids}
