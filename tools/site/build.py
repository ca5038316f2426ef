"""Build the site: spec pages, the matrix, backend pages, the search index, the assets; then check it."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tensorcts.harness.spec import AREAS, SPEC_DIR, Rule, load_rules

from . import links, pages
from .markdown import SpecRenderer
from .reports import Report, ReportError, load_dir

STATIC = Path(__file__).resolve().parent / "static"
_HEADING = re.compile(r"^### `([a-z0-9-]+\.[a-z0-9-]+)` — ", re.M)
_PLAIN = re.compile(r"[*`#]|\[|\]\([^)]*\)")


class SiteError(RuntimeError):
    """The built site breaks one of its checks."""


def rule_texts(text: str) -> dict[str, str]:
    """Each rule's entry as plain text, for the search index."""
    heads = list(_HEADING.finditer(text))
    out = {}
    for n, m in enumerate(heads):
        end = heads[n + 1].start() if n + 1 < len(heads) else len(text)
        body = text[m.end():end].split("\n## ", 1)[0]
        out[m.group(1)] = " ".join(_PLAIN.sub("", body).split())
    return out


def spec_rules(spec_dir: Path = SPEC_DIR) -> dict[str, Rule]:
    """The rules in the spec's order: areas as docs/design.md lists them, rules as each file lists them."""
    return dict(sorted(load_rules(spec_dir).items(), key=lambda kv: AREAS.index(kv[1].area)))


def build_site(reports: Sequence[Report], out: Path, spec_dir: Path = SPEC_DIR) -> list[Path]:
    """Write the site to ``out`` (emptied first); returns the pages written. Raises SiteError on a check."""
    areas = [a for a in AREAS if (spec_dir / f"{a}.md").is_file()]
    rules = spec_rules(spec_dir)
    if out.exists():
        if any(out.iterdir()) and not (out / "assets" / "site.js").is_file():
            raise SiteError(f"{out} is not empty and holds no built site: not replacing it")
        shutil.rmtree(out)
    (out / "spec").mkdir(parents=True)
    (out / "backends").mkdir()
    shutil.copytree(STATIC, out / "assets")
    if (spec_dir / "img").is_dir():
        shutil.copytree(spec_dir / "img", out / "spec" / "img",
                        ignore=lambda d, names: [n for n in names if not n.endswith((".svg", ".png"))])
    renderer = SpecRenderer(rules, areas, lambda rule_id: pages.rule_strip(rule_id, reports, "../"))
    written: dict[Path, str] = {}
    index: list[dict[str, str]] = []
    readme = spec_dir / "README.md"
    if readme.is_file():
        written[out / "spec" / "index.html"] = pages.layout(
            "The specification", renderer.render(readme.read_text(encoding="utf-8"), "README"), "../", "spec")
    for area in areas:
        text = (spec_dir / f"{area}.md").read_text(encoding="utf-8")
        written[out / "spec" / f"{area}.html"] = pages.layout(area, renderer.render(text, area), "../", "spec")
        index.append({"id": area, "t": f"the {area} area", "u": f"spec/{area}.html", "x": ""})
        for rule_id, body in rule_texts(text).items():
            if rule_id in rules:
                index.append({"id": rule_id, "t": rules[rule_id].title.replace("`", ""), "u": f"spec/{area}.html#{rule_id}",
                              "x": body[:400]})
    written[out / "index.html"] = pages.home(rules, areas, reports)
    written[out / "matrix.html"] = pages.matrix(rules, areas, reports)
    written[out / "backends" / "index.html"] = pages.backends_index(reports)
    for report in reports:
        written[out / "backends" / f"{report.name}.html"] = pages.backend(report, rules)
        index.append({"id": report.name, "t": f"backend {report.name} {report.backend.get('version', '')}",
                      "u": f"backends/{report.name}.html", "x": ""})
    for path, html in written.items():
        path.write_text(html, encoding="utf-8")
    # a script, not JSON: browsers will not fetch() a file next to a page opened from file://
    (out / "assets" / "search-index.js").write_text(
        "window.TCTS_INDEX = " + json.dumps(index, ensure_ascii=False) + ";\n", encoding="utf-8")
    check(out, rules)
    return sorted(written)


def check(out: Path, rules: dict) -> None:
    problems = links.broken_links(out)
    problems += [f"rule {r} has {n} anchors, not 1" for r, n in links.anchor_counts(out, rules).items() if n != 1]
    if problems:
        raise SiteError("the built site fails its checks:\n  " + "\n  ".join(problems[:50]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tensorcts site", description=__doc__)
    parser.add_argument("--reports", type=Path, required=True, help="a directory of conformance reports (*.json)")
    parser.add_argument("--out", type=Path, required=True, help="the site's directory (replaced)")
    parser.add_argument("--spec", type=Path, default=SPEC_DIR, help="the spec's directory (default: the installed one)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        written = build_site(load_dir(args.reports), args.out, args.spec)
    except (ReportError, SiteError) as exc:
        print(f"tensorcts site: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} pages to {args.out} in {time.perf_counter() - start:.1f} s; "
          f"open {args.out / 'index.html'}")
    return 0
