"""The published rule IDs (spec/rule-ids.txt) and the spec agree, and the spec loader is loud when empty."""

import pytest
from tensorcts.harness.spec import AREAS, RULE_IDS, SpecError, load_rules, published_ids


def test_every_spec_rule_is_published():
    missing = sorted(set(load_rules()) - set(published_ids()))
    assert not missing, f"append these IDs to {RULE_IDS}: {missing}"


def test_every_published_id_is_in_the_spec_active_or_retired():
    gone = [rule_id for rule_id in published_ids() if rule_id not in load_rules()]
    assert not gone, f"published IDs without a spec entry (retire a rule, never remove it): {gone}"


def test_published_ids_are_unique_and_well_formed():
    ids = published_ids()
    assert len(ids) == len(set(ids))
    assert all(rule_id.split(".")[0] in AREAS for rule_id in ids)


def test_a_missing_spec_file_is_a_loud_error(tmp_path):
    for area in AREAS[1:]:
        (tmp_path / f"{area}.md").write_text("# nothing\n")
    with pytest.raises(SpecError, match=f"{AREAS[0]}.md"):
        load_rules(tmp_path)


def test_a_spec_without_rules_is_a_loud_error(tmp_path):
    for area in AREAS:
        (tmp_path / f"{area}.md").write_text("# nothing\n")
    with pytest.raises(SpecError, match="no rules"):
        load_rules(tmp_path)
