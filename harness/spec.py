"""The spec parser: the single source of the rule list.

Each rule in ``spec/<area>.md`` is a level-3 heading ``### `<area>.<slug>` — Title``
followed by ``**Level** core|torch``, ``**Accuracy** ...`` and
``**Reference.** `reference/<file>.py:<function>```.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"
#: every rule ID ever published, one a line: an ID may be retired in the spec, never removed
RULE_IDS = SPEC_DIR / "rule-ids.txt"
AREAS = ("creation", "random", "attributes", "interop", "elementwise", "broadcasting", "promotion",
         "reduction", "view", "matmul", "inplace", "indexing", "autograd", "device",
         "special", "elementary", "half")

_HEADING = re.compile(r"^### `([a-z0-9-]+\.[a-z0-9-]+)` — (.+)$")
_LEVEL = re.compile(r"\*\*Level\*\* (core|torch)\b")
_ACCURACY = re.compile(r"\*\*Accuracy\*\* ([^·\n]+)")
_REFERENCE = re.compile(r"\*\*Reference\.\*\* `([^`]+)`")
_RETIRED = re.compile(r"\*\*Status\*\* retired")
#: a rule this project added to RULES.md's catalogue (RULES.md allows new IDs, never renames)
_ADDED = re.compile(r"\*\*Added\*\* ")


class SpecError(ValueError):
    """The spec text breaks the rule-entry format."""


@dataclass(frozen=True)
class Rule:
    id: str
    area: str
    title: str
    level: str
    accuracy: str
    reference: str | None
    source: str  # file:line of the heading
    retired: bool = False
    added: bool = False  # not in RULES.md: the entry says why it was added


def parse_file(path: Path) -> list[Rule]:
    lines = path.read_text(encoding="utf-8").splitlines()
    heads = [(i, m) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    rules = []
    for n, (i, m) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        for j in range(i + 1, end):  # a rule's entry also ends at the next section heading
            if lines[j].startswith(("## ", "# ")):
                end = j
                break
        body = "\n".join(lines[i + 1:end])
        rule_id, where = m.group(1), f"{path.name}:{i + 1}"
        area = rule_id.split(".")[0]
        if area != path.stem:
            raise SpecError(f"{where}: rule {rule_id} is filed under {path.name}, not {area}.md")
        level, accuracy, ref = _LEVEL.search(body), _ACCURACY.search(body), _REFERENCE.search(body)
        if not level or not accuracy:
            raise SpecError(f"{where}: rule {rule_id} needs a '**Level** core|torch' and an '**Accuracy** ...' line")
        rules.append(Rule(rule_id, area, m.group(2).strip(), level.group(1), accuracy.group(1).strip(),
                          ref.group(1) if ref else None, where, bool(_RETIRED.search(body)),
                          bool(_ADDED.search(body))))
    return rules


@cache
def load_rules(spec_dir: Path = SPEC_DIR) -> dict[str, Rule]:
    """Every rule of the spec by ID; duplicate IDs and malformed entries raise SpecError.

    A missing area file or a spec with no rules is an error, not an empty rule list: an
    install without its package data would otherwise report every test as an unknown rule.
    """
    missing = [f"{area}.md" for area in AREAS if not (spec_dir / f"{area}.md").is_file()]
    if missing:
        raise SpecError(f"spec files missing from {spec_dir}: {', '.join(missing)} "
                        "(is tensorcts installed with its package data?)")
    rules: dict[str, Rule] = {}
    for area in AREAS:
        for rule in parse_file(spec_dir / f"{area}.md"):
            if rule.id in rules:
                raise SpecError(f"{rule.source}: rule {rule.id} already defined at {rules[rule.id].source}")
            rules[rule.id] = rule
    if not rules:
        raise SpecError(f"the spec in {spec_dir} defines no rules")
    return rules


def published_ids(path: Path = RULE_IDS) -> list[str]:
    """The committed list of every rule ID ever published (spec/rule-ids.txt), in file order."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]
