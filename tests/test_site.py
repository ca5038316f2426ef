"""The website builder (tools/site): anchors, links, matrix cells, report schemas /1 and /2."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

pytest.importorskip("markdown_it", reason="the site needs markdown-it-py: pip install -e '.[site]'")

from tensorcts.harness.spec import load_rules  # noqa: E402
from tensorcts.tools.site import build, links, main  # noqa: E402
from tensorcts.tools.site.markdown import split_fields  # noqa: E402
from tensorcts.tools.site.reports import ReportError, load, load_dir  # noqa: E402

from tests.helpers import ROOT  # noqa: E402

REPORTS = ROOT / "docs" / "results" / "reports"
RULES = load_rules()


def _v2_report() -> dict:
    """A schema /2 report with every field the site shows, plus a key no schema has."""
    rules = {rule_id: {"status": "pass", "level": r.level, "title": r.title} for rule_id, r in RULES.items()}
    rules["elementwise.div"] = {
        "status": "xfail", "level": "core", "title": "division", "new-key-from-the-future": [1, 2],
        "failures": [{"class": {"form": "broadcast", "dtype": "float32"}, "message": "2 ulp off",
                      "repro": "import jax.numpy as jnp\nprint(jnp.array([7.], 'float32') / jnp.array([3.]))"},
                     {"class": {"form": "operator"}, "message": "also off", "repro": "x"}],
        "expectation": [{"rule": "elementwise.div", "status": "fail", "reason": "XLA rewrites x / y",
                         "link": "https://example.org/issue/1", "cases": {"form": ["broadcast"]},
                         "witness": {"code": "import jax.numpy as jnp\ngot = jnp.float32(1) / 3", "shows": "got != 1/3"}}],
        "measurements": {"ulp": {"value": 2, "repro": "divide(7, 3)"}},
        "observations": {"subnormal-flush": True}}
    rules["matmul.dot"] = {"status": "blocked", "level": "core", "title": "dot",
                           "blocked_by": {"op": "transpose", "rule": "view.transpose"}}
    rules["view.transpose"] = {"status": "unsupported", "level": "core", "title": "transpose",
                               "unsupported_op": "Tensor.transpose"}
    assert {"elementwise.div", "matmul.dot", "view.transpose"} <= set(RULES)
    return {"schema": "tensorcts-report/2", "backend": {"name": "future", "version": "9.9", "devices": ["cpu", "gpu:0"]},
            "run": {"duration_s": 3.5, "profile": "ci", "seed": 1234, "completed": True}, "rules": rules}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    for path in REPORTS.glob("*.json"):
        (reports / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (reports / "future.json").write_text(json.dumps(_v2_report()), encoding="utf-8")
    out = tmp_path_factory.mktemp("site") / "site"
    assert main(["--reports", str(reports), "--out", str(out)]) == 0
    return out


def test_committed_reports_name_only_rules_of_the_spec():
    found = load_dir(REPORTS)
    assert len(found) >= 2
    # IDs are never renamed or deleted; a rule added since the run shows as n/a until they are regenerated
    assert {r.name: sorted(set(r.rules) - set(RULES)) for r in found} == {r.name: [] for r in found}


def test_every_rule_has_exactly_one_anchor(site):
    counts = links.anchor_counts(site, RULES)
    assert {r: n for r, n in counts.items() if n != 1} == {}


def test_every_internal_link_resolves(site):
    assert links.broken_links(site) == []


def test_the_link_check_finds_a_broken_link_and_anchor(site, tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<a href="nowhere.html">x</a><a href="p.html#missing">y</a><a id="here" href="#here">z</a>')
    assert links.broken_links(tmp_path) == ["p.html: nowhere.html (no file)", "p.html: p.html#missing (no anchor)"]


def test_every_matrix_cell_links_to_its_rule(site):
    html = (site / "matrix.html").read_text(encoding="utf-8")
    backends = [r.name for r in load_dir(REPORTS)] + ["future"]
    for rule_id, rule in RULES.items():
        row = re.search(rf'<tr id="row-{re.escape(rule_id)}".*?</tr>', html, re.S).group(0)
        cells = re.findall(r'<td class="cell" data-backend="([^"]+)".*?</td>', row, re.S)
        assert sorted(cells) == sorted(backends), rule_id
        assert row.count(f'href="spec/{rule.area}.html#{rule_id}"') == 1 + len(backends), rule_id


def test_a_cell_shows_reason_link_witness_and_first_repro(site):
    html = (site / "matrix.html").read_text(encoding="utf-8")
    cell = re.search(r'<tr id="row-elementwise.div".*?data-backend="future".*?</td>', html, re.S).group(0)
    cell = cell[cell.index('data-backend="future"'):]
    for shown in ("XLA rewrites x / y", 'href="https://example.org/issue/1"', "got = jnp.float32(1) / 3",
                  "got != 1/3", "form=broadcast, dtype=float32", "1 more case classes", "print(jnp.array([7.]"):
        assert shown in cell, shown
    assert "also off" not in cell  # only the first failure's repro
    unsupported = re.search(r'<tr id="row-view.transpose".*?</tr>', html, re.S).group(0)
    assert "unsupported: <code>Tensor.transpose</code>" in unsupported
    blocked = re.search(r'<tr id="row-matmul.dot".*?</tr>', html, re.S).group(0)
    assert 'blocked by <code>transpose</code> (<a href="spec/view.html#view.transpose">view.transpose</a>)' in blocked


def test_a_v1_witness_is_named(site):
    numpy = load(REPORTS / "numpy.json")
    named = [(rule_id, e["witness"]) for rule_id, entry in numpy.rules.items()
             for e in entry.get("expectation") or [] if isinstance(e.get("witness"), str)]
    if not named:
        pytest.skip("the committed numpy report names no witness")
    rule_id, name = named[0]
    row = re.search(rf'<tr id="row-{re.escape(rule_id)}".*?</tr>', (site / "matrix.html").read_text(), re.S).group(0)
    assert f"witness <code>{name}</code>" in row


def test_backend_page_has_metadata_counts_and_accuracy(site):
    html = (site / "backends" / "future.html").read_text(encoding="utf-8")
    for shown in ("9.9", "cpu, gpu:0", "3.5 s", "1234", "tensorcts-report/2", 'id="s-accuracy"',
                  "<code>ulp</code></td><td>2</td>", "divide(7, 3)", "subnormal-flush"):
        assert shown in html, shown
    expected = {"pass": len(RULES) - 3, "xfail": 1, "blocked": 1, "unsupported": 1}
    counts = re.search(r'<table class="counts">(.*?)</table>', html, re.S).group(1)
    heads = re.findall(r"<th>([a-z]+)</th>", counts.split("</tr>")[0])[1:]
    rows = [list(map(int, re.findall(r"<td>(\d+)</td>", row))) for row in counts.split("</tr>")[1:] if "<td>" in row]
    totals = dict(zip(heads, map(sum, zip(*rows))))
    assert totals == expected


def test_spec_cross_links_and_examples(site):
    html = (site / "spec" / "matmul.html").read_text(encoding="utf-8")
    assert '<a class="rule-ref" href="#matmul.errors"><code>matmul.errors</code></a>' in html
    assert '<a class="rule-ref" href="broadcasting.html#broadcasting.shape">' in html
    assert "<p><strong>Example.</strong> <code>matmul(arange(3), arange(9).view(3, 3))</code> is" in html
    assert '<h3 id="matmul.vector-matrix" class="rule"><code>matmul.vector-matrix</code>' in html


def test_field_lines_become_paragraphs_but_not_in_code():
    text = "### `a.b` — T\n**Level** core\n**Rule.** x\n```\n**Rule.** y\n```\n"
    assert split_fields(text) == "### `a.b` — T\n**Level** core\n\n**Rule.** x\n```\n**Rule.** y\n```\n"


def test_search_index_lists_every_rule(site):
    text = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    index = json.loads(text.removeprefix("window.TCTS_INDEX = ").rstrip().removesuffix(";"))
    urls = {e["id"]: e["u"] for e in index}
    assert {r: urls.get(r) for r in RULES} == {r: f"spec/{rule.area}.html#{r}" for r, rule in RULES.items()}


def test_a_report_of_another_schema_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "other/1", "rules": {}}))
    with pytest.raises(ReportError, match="other/1"):
        load(bad)
    assert main(["--reports", str(tmp_path), "--out", str(tmp_path / "out")]) == 1


def test_an_unrelated_directory_is_never_replaced(tmp_path):
    keep = tmp_path / "mine" / "notes.txt"
    keep.parent.mkdir()
    keep.write_text("precious")
    assert main(["--reports", str(REPORTS), "--out", str(keep.parent)]) == 1
    assert keep.read_text() == "precious"


def test_builds_in_under_a_minute(tmp_path):
    start = time.perf_counter()
    build.build_site(load_dir(REPORTS), tmp_path / "site")
    assert time.perf_counter() - start < 60


def test_two_runs_of_one_backend_get_a_column_each(tmp_path):
    for stem in ("torch-cpu", "torch-cuda"):
        (tmp_path / f"{stem}.json").write_text((REPORTS / "torch.json").read_text(encoding="utf-8"), encoding="utf-8")
    found = load_dir(tmp_path)
    assert [r.name for r in found] == ["torch-cpu", "torch-cuda"]
    out = tmp_path / "site"
    build.build_site(found, out)
    assert (out / "backends" / "torch-cpu.html").is_file() and (out / "backends" / "torch-cuda.html").is_file()
