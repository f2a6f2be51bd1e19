"""The violations list and the breaches of one call, on their own."""

from __future__ import annotations

from typing import Any

from sandbox.rules import BATCH_SEQUENTIAL, FIELD_CANDIDATE, FIELD_UNKNOWN, HEADER_VERSION, RULES
from sandbox.violations import Breaches, Violations

WHERE: dict[str, Any] = {"method": "PUT", "path": "/rest/candidates", "app": "acme", "at": 1, "request": 7}


def test_rule_ids_are_unique_and_every_rule_cites_the_reference() -> None:
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert all(rule.section.startswith("§") for rule in RULES)
    assert not [rule.id for rule in RULES if rule.liftable and not rule.refuses]


def test_one_breach_per_rule_counts_and_quotes_its_entities() -> None:
    breaches = Breaches()
    for i in range(5):
        breaches.note(FIELD_CANDIDATE, f"C{i}: firstName is required")
    breaches.note(HEADER_VERSION, "missing")
    [(candidate_rule, detail, refused, count), (version_rule, _, _, _)] = breaches.summaries()
    assert (candidate_rule, version_rule, refused, count) == (FIELD_CANDIDATE, HEADER_VERSION, True, 5)
    assert detail.startswith("C0: firstName is required; C1:") and detail.endswith("(and 2 more)")


def test_a_breach_is_refused_if_any_of_its_entities_was_and_never_if_linkedin_serves_it() -> None:
    breaches = Breaches()
    breaches.note(FIELD_UNKNOWN, "C1: accepted", refused=False)
    breaches.note(FIELD_UNKNOWN, "C2: refused")
    breaches.note(BATCH_SEQUENTIAL, "overlap")
    assert [(rule.id, refused) for rule, _, refused, _ in breaches.summaries()] == [
        ("field.unknown", True),
        ("batch.sequential", False),
    ]


def test_the_list_is_bounded_and_says_how_many_it_dropped() -> None:
    violations = Violations(limit=2)
    for rule in (FIELD_CANDIDATE, HEADER_VERSION, FIELD_UNKNOWN):
        violations.record(rule, "detail", refused=True, **WHERE)
    kept = violations.list()
    assert [v["seq"] for v in kept] == [2, 3] and violations.dropped == 1
    assert kept[0]["message"] == f"{HEADER_VERSION.summary} (reference §1, §1.1): detail"
    assert [v["rule"] for v in violations.list(rule="field.")] == ["field.unknown"]
    assert violations.list(rule="field") == []
    violations.reset()
    assert violations.list() == [] and violations.dropped == 0
