"""Spec Markdown to HTML: every rule heading anchored by its ID, rule IDs and area files linked.

Rule entries write their fields (**Level**, **Rule.**, **Example.**, ...) on
consecutive lines; CommonMark would join them into one paragraph, so each field
line starts a paragraph of its own here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token
from tensorcts.harness.spec import Rule

_RULE_HEADING = re.compile(r"^`([a-z0-9-]+\.[a-z0-9-]+)` — ")
_FIELD_LINE = re.compile(r"^\*\*[A-Z][A-Za-z ]*\.?\*\*")
_AREA_FILE = re.compile(r"^([a-z]+)\.md(#.*)?$")
_RULE_ID = re.compile(r"^[a-z0-9-]+\.[a-z0-9-]+$")


def split_fields(text: str) -> str:
    """Put a blank line before every field line that follows another line, outside code fences."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and _FIELD_LINE.match(line) and out and out[-1].strip() and not out[-1].startswith("#"):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


def slug(text: str) -> str:
    """An anchor for a section heading; prefixed so that it never equals a rule ID."""
    return "s-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section")


class SpecRenderer:
    """Renders spec pages; ``strip(rule_id)`` returns HTML placed under each rule heading."""

    def __init__(self, rules: dict[str, Rule], areas: Iterable[str], strip: Callable[[str], str]):
        self.rules, self.areas, self.strip = rules, set(areas), strip
        self.md = MarkdownIt("commonmark", {"html": False}).enable("table")
        # markdown-it binds a render rule to its renderer, so pass plain functions over this object
        self.md.add_render_rule("code_inline", lambda _r, tokens, idx, options, env: self._code_inline(tokens, idx, env))
        self.md.add_render_rule("heading_close", lambda _r, tokens, idx, options, env: self._heading_close(tokens, idx))

    def rule_href(self, rule_id: str, here: str) -> str:
        """The link to a rule from a page of area ``here`` (both in spec/)."""
        area = self.rules[rule_id].area
        return f"#{rule_id}" if area == here else f"{area}.html#{rule_id}"

    def render(self, text: str, area: str) -> str:
        tokens = self.md.parse(split_fields(text), {"area": area})
        used: set[str] = set()
        for n, tok in enumerate(tokens):
            if tok.type == "heading_open":
                inline = tokens[n + 1].content
                m = _RULE_HEADING.match(inline)
                if tok.tag == "h3" and m and m.group(1) in self.rules:
                    tok.attrSet("id", m.group(1))
                    tok.attrSet("class", "rule")
                    tokens[n + 2].meta["rule"] = m.group(1)
                    for child in tokens[n + 1].children or []:  # the heading names itself: no link
                        child.meta["plain"] = True
                else:
                    anchor, k = slug(inline), 2
                    while anchor in used:
                        anchor, k = f"{slug(inline)}-{k}", k + 1
                    tok.attrSet("id", anchor)
                used.add(tok.attrGet("id"))
            elif tok.type == "inline":
                for child in tok.children or []:
                    if child.type == "link_open":
                        child.attrSet("href", self._href(str(child.attrGet("href") or "")))
                    elif child.type == "image":
                        child.attrSet("loading", "lazy")
        return self.md.renderer.render(tokens, self.md.options, {"area": area})

    def _href(self, href: str) -> str:
        m = _AREA_FILE.match(href)
        if m and (m.group(1) in self.areas or m.group(1) == "README"):
            page = "index" if m.group(1) == "README" else m.group(1)
            return f"{page}.html{m.group(2) or ''}"
        return href

    def _code_inline(self, tokens: list[Token], idx: int, env: dict) -> str:
        content = tokens[idx].content
        code = f"<code>{escape(content)}</code>"
        if tokens[idx].meta.get("plain"):
            return code
        if _RULE_ID.match(content) and content in self.rules:
            return f'<a class="rule-ref" href="{self.rule_href(content, env["area"])}">{code}</a>'
        m = _AREA_FILE.match(content)
        if m and m.group(1) in self.areas:
            return f'<a href="{m.group(1)}.html">{code}</a>'
        return code

    def _heading_close(self, tokens: list[Token], idx: int) -> str:
        tok = tokens[idx]
        rule_id = tok.meta.get("rule")
        if not rule_id:
            return f"</{tok.tag}>\n"
        rule = self.rules[rule_id]
        badges = f'<span class="level level-{rule.level}">{rule.level}</span>'
        if rule.retired:
            badges += ' <span class="retired">retired</span>'
        if rule.added:
            badges += ' <span class="added">added</span>'
        return (f' <a class="anchor" href="#{rule_id}" aria-label="link to {rule_id}">#</a></{tok.tag}>\n'
                f'<div class="rule-meta">{badges} {self.strip(rule_id)}</div>\n')
