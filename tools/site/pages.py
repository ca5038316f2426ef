"""The site's pages as HTML strings: layout, home, spec areas, matrix, backends."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from tensorcts.harness.spec import Rule

from . import reports as rp
from .reports import LEVELS, STATUSES, Report

TITLE = "tensorcts"


def layout(title: str, body: str, root: str, page_class: str = "") -> str:
    """A complete page; ``root`` is the relative path from the page to the site's root ("" or "../")."""
    nav = "".join(f'<a href="{root}{href}">{label}</a>'
                  for href, label in (("spec/index.html", "Spec"), ("matrix.html", "Matrix"),
                                      ("backends/index.html", "Backends")))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {TITLE}</title>
<link rel="icon" href="{root}assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}assets/site.css">
<script src="{root}assets/search-index.js" defer></script>
<script src="{root}assets/site.js" defer></script>
</head>
<body class="{page_class}" data-root="{root}">
<header>
<a class="home" href="{root}index.html">{TITLE}</a>
<nav>{nav}</nav>
<div class="search">
<input id="search" type="search" placeholder="Search rules (id, title, text)" autocomplete="off"
 aria-label="Search the specification">
<ol id="search-results" hidden></ol>
</div>
</header>
<main>
{body}
</main>
</body>
</html>
"""


def status_badge(status: str | None, href: str | None = None) -> str:
    label = status or "n/a"
    inner = f'<span class="st st-{escape(label)}">{escape(label)}</span>'
    return f'<a class="st-link" href="{href}">{inner}</a>' if href else inner


def rule_strip(rule_id: str, reports: Sequence[Report], root: str) -> str:
    """Every backend's status of one rule, each linking to the rule's matrix row."""
    if not reports:
        return ""
    parts = [f'<span class="strip-item">{escape(r.name)} '
             f'{status_badge(r.status(rule_id), f"{root}matrix.html#row-{rule_id}")}</span>' for r in reports]
    return '<span class="strip">' + " ".join(parts) + "</span>"


# ---- one matrix cell's details ----------------------------------------------------------------------


def inline_code(text: str) -> str:
    """Plain text with its `backtick` spans as <code>, escaped (rule titles use them)."""
    parts = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if n % 2 else p for n, p in enumerate(parts))


def _pre(text: str) -> str:
    return f"<pre><code>{escape(text.rstrip())}</code></pre>"


def _case_class(cls: Any) -> str:
    if isinstance(cls, dict):
        return ", ".join(f"{k}={v}" for k, v in cls.items())
    return str(cls or "")


def cell_details(entry: dict[str, Any], rules: dict[str, Rule], root: str) -> str:
    """Why a rule has its status on one backend: reason, expectation link, witness, first failure's repro."""
    out = []
    if entry.get("message"):
        out.append(f'<p class="message">{escape(str(entry["message"]))}</p>')
    for e in entry.get("expectation") or []:
        link = e.get("link")
        host = str(link).split("//", 1)[-1].split("/", 1)[0] if link else ""
        link_html = (f' <a class="expect-link" href="{escape(link)}" title="{escape(link)}">[{escape(host)}]</a>'
                     if link else "")
        cases = f" for {escape(_case_class(e.get('cases')))}" if e.get("cases") else ""
        out.append(f'<p class="expectation">declared <b>{escape(str(e.get("status", "?")))}</b>{cases}: '
                   f'{escape(str(e.get("reason", "")))}{link_html}</p>')
        w = rp.witness(e)
        if w:
            name = f" <code>{escape(w['name'])}</code>" if w["name"] else ""
            out.append(f'<div class="witness">witness{name}{_pre(w["code"]) if w["code"] else ""}'
                       + (f"<p>shows: <code>{escape(w['shows'])}</code></p>" if w["shows"] else "") + "</div>")
    fails = rp.failures(entry)
    if fails:
        first = fails[0]
        more = f" ({len(fails) - 1} more case classes)" if len(fails) > 1 else ""
        out.append(f'<div class="failure">first failure{more}: <code>{escape(_case_class(first.get("class")))}</code>'
                   f'<p>{escape(str(first.get("message", "")))}</p>'
                   + (_pre(str(first["repro"])) if first.get("repro") else "") + "</div>")
    b = rp.blocked_by(entry)
    if b:
        rule = b["rule"]
        ref = (f' (<a href="{root}spec/{rules[rule].area}.html#{rule}">{escape(rule)}</a>)' if rule in rules
               else (f" ({escape(rule)})" if rule else ""))
        out.append(f'<p class="blocked">blocked by <code>{escape(b["op"])}</code>{ref}</p>')
    if entry.get("unsupported_op"):
        out.append(f'<p class="unsupported">unsupported: <code>{escape(str(entry["unsupported_op"]))}</code></p>')
    return "".join(out)


# ---- pages ------------------------------------------------------------------------------------------


def counts_table(report: Report) -> str:
    counts = report.counts()
    shown = [s for s in STATUSES if any(counts.get(lvl, {}).get(s) for lvl in counts)] or ["pass"]
    head = "".join(f"<th>{s}</th>" for s in shown)
    rows = "".join(f"<tr><th>{lvl}</th>" + "".join(f"<td>{counts.get(lvl, {}).get(s, 0)}</td>" for s in shown)
                   + "</tr>" for lvl in counts)
    return f'<table class="counts"><tr><th>level</th>{head}</tr>{rows}</table>'


def home(rules: dict[str, Rule], areas: Sequence[str], reports: Sequence[Report]) -> str:
    area_items = "".join(
        f'<li><a href="spec/{a}.html">{a}</a> ({sum(r.area == a and not r.retired for r in rules.values())} rules)</li>'
        for a in areas)
    backend_rows = "".join(
        f'<tr><td><a href="backends/{escape(r.name)}.html">{escape(r.name)}</a></td>'
        f'<td>{escape(str(r.backend.get("version", "?")))}</td>'
        + "".join(f"<td>{sum(c.get(s, 0) for c in r.counts().values())}</td>" for s in STATUSES) + "</tr>"
        for r in reports)
    head = "".join(f"<th>{s}</th>" for s in STATUSES)
    body = f"""<h1>tensorcts: the specification and its conformance matrix</h1>
<p>The rules of tensor semantics, each with its ID, level, accuracy class and worked example, and how
each backend fares on them in the conformance reports this site was built from.</p>
<ul class="big">
<li><a href="spec/index.html">The specification</a>: how to read a rule, then one page per area.</li>
<li><a href="matrix.html">The conformance matrix</a>: every rule × every backend, with filters.</li>
<li><a href="backends/index.html">Backends</a>: versions, devices, run times, counts per status and level.</li>
</ul>
<h2 id="s-areas">Areas</h2><ul class="areas">{area_items}</ul>
<h2 id="s-backends">Backends (rules per status)</h2>
<table class="counts"><tr><th>backend</th><th>version</th>{head}</tr>{backend_rows}</table>"""
    return layout("Home", body, "", "home")


def matrix(rules: dict[str, Rule], areas: Sequence[str], reports: Sequence[Report]) -> str:
    statuses = [s for s in STATUSES if any(r.status(i) == s for r in reports for i in rules)]
    def options(values: Sequence[str]) -> str:
        return '<option value="">all</option>' + "".join(f'<option value="{v}">{v}</option>' for v in values)
    filters = (f'<form id="filters" class="filters">'
               f'<label>area <select id="f-area">{options(areas)}</select></label>'
               f'<label>level <select id="f-level">{options(LEVELS)}</select></label>'
               f'<label>status <select id="f-status">{options(statuses)}</select></label>'
               f'<label>backend <select id="f-backend">{options([r.name for r in reports])}</select></label>'
               f'<span id="shown-count" aria-live="polite"></span></form>')
    head = "<tr><th>rule</th><th>level</th>" + "".join(
        f'<th data-backend="{escape(r.name)}"><a href="backends/{escape(r.name)}.html">{escape(r.name)}</a><br>'
        f'<small>{escape(str(r.backend.get("version", "")))}</small></th>' for r in reports) + "</tr>"
    rows = []
    for rule_id, rule in rules.items():
        href = f"spec/{rule.area}.html#{rule_id}"
        cells = []
        for r in reports:
            entry = r.rules.get(rule_id)
            status = entry.get("status") if entry else None
            details = cell_details(entry, rules, "") if entry else ""
            more = f"<details><summary>why</summary>{details}</details>" if details else ""
            cells.append(f'<td class="cell" data-backend="{escape(r.name)}" data-status="{escape(status or "n/a")}">'
                         f'{status_badge(status, href)}{more}</td>')
        retired = ' <span class="retired">retired</span>' if rule.retired else ""
        rows.append(f'<tr id="row-{rule_id}" data-area="{rule.area}" data-level="{rule.level}">'
                    f'<td class="rule-cell"><a class="rule-link" href="{href}"><code>{rule_id}</code></a>{retired}'
                    f'<br><small>{inline_code(rule.title)}</small></td><td>{rule.level}</td>{"".join(cells)}</tr>')
    legend = " ".join(status_badge(s) for s in statuses)
    body = f"""<h1>Conformance matrix</h1>
<p>Every rule of the spec (rows) against every backend report (columns). A cell links to the rule's text;
<em>why</em> opens the report's reason, the declared expectation with its link and witness, and the first
failure's repro. Statuses: {legend}. Core rules bind any tensor library; torch rules are PyTorch
conventions.</p>
{filters}
<table id="matrix" class="matrix"><thead>{head}</thead><tbody>
{"".join(rows)}
</tbody></table>"""
    return layout("Conformance matrix", body, "", "matrix-page")


def _kv_table(pairs: Sequence[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v if isinstance(v, str) else json.dumps(v))}</td></tr>"
                   for k, v in pairs if v not in (None, "", [], {}))
    return f'<table class="meta">{rows}</table>'


def backend(report: Report, rules: dict[str, Rule]) -> str:
    b, run = report.backend, report.run
    duration = run.get("duration_s")
    meta = _kv_table([
        ("version", str(b.get("version", ""))), ("adapter", str(b.get("adapter", ""))),
        ("devices", ", ".join(b.get("devices") or [])), ("capabilities", ", ".join(b.get("capabilities") or [])),
        ("schema", str(report.data.get("schema"))), ("profile", str(run.get("profile") or "")),
        ("seed", run.get("seed")), ("started", str(run.get("started") or "")),
        ("run time", f"{duration:.1f} s" if isinstance(duration, (int, float)) else ""),
        ("completed", run.get("completed")), ("lost tests", run.get("lost") or run.get("lost_tests")),
        ("python", str(run.get("python") or "")), ("platform", str(run.get("platform") or "")),
        ("suite version", str(run.get("suite_version") or ""))])

    def rule_link(rule_id: str) -> str:
        if rule_id in rules:
            return f'<a href="../spec/{rules[rule_id].area}.html#{rule_id}"><code>{rule_id}</code></a>'
        return f"<code>{escape(rule_id)}</code>"

    notable = []
    for rule_id, entry in sorted(report.rules.items()):
        if entry.get("status") != "pass" or entry.get("expectation"):
            notable.append(f"<tr><td>{rule_link(rule_id)}</td><td>{status_badge(entry.get('status'))}</td>"
                           f"<td>{cell_details(entry, rules, '../')}</td></tr>")
    accuracy = [f"<tr><td>{rule_link(rule_id)}</td><td><code>{escape(k)}</code></td><td>{escape(str(v))}</td>"
                f"<td>{_pre(repro) if repro else ''}</td></tr>"
                for rule_id, entry in sorted(report.rules.items()) for k, v, repro in rp.measurements(entry)]
    observed = [f"<tr><td>{rule_link(rule_id)}</td><td><code>{escape(k)}</code></td>"
                f"<td>{escape(v if isinstance(v, str) else json.dumps(v))}</td></tr>"
                for rule_id, entry in sorted(report.rules.items()) for k, v in rp.observations(entry)]
    body = [f"<h1>{escape(report.name)} <small>{escape(str(b.get('version', '')))}</small></h1>", meta,
            '<h2 id="s-counts">Rules per status and level</h2>', counts_table(report)]
    if accuracy:
        body += ['<h2 id="s-accuracy">Accuracy</h2><p>The largest measured error per rule and key, with the '
                 'case that produced it.</p><table class="accuracy"><tr><th>rule</th><th>measure</th>'
                 '<th>largest</th><th>repro</th></tr>', *accuracy, "</table>"]
    if observed:
        body += ['<h2 id="s-observations">Observations (MAY)</h2><table><tr><th>rule</th><th>key</th>'
                 '<th>value</th></tr>', *observed, "</table>"]
    body += ['<h2 id="s-notable">Rules not simply passing</h2>',
             '<table class="notable"><tr><th>rule</th><th>status</th><th>why</th></tr>', *notable, "</table>"]
    return layout(f"{report.name} {b.get('version', '')}", "\n".join(body), "../", "backend-page")


def backends_index(reports: Sequence[Report]) -> str:
    items = []
    for r in reports:
        d = r.run.get("duration_s")
        took = f", {d:.0f} s" if isinstance(d, (int, float)) else ""
        items.append(f'<li><a href="{escape(r.name)}.html">{escape(r.name)}</a> {escape(str(r.backend.get("version", "")))}'
                     f" (profile {escape(str(r.run.get('profile') or '?'))}{took})</li>")
    body = "<h1>Backends</h1>" + (f"<ul>{''.join(items)}</ul>" if items else "<p>No reports were given.</p>")
    return layout("Backends", body, "../", "backends-page")
