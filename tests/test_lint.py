"""FAQ lint: collisions between entries are reported with file, line and both entry ids, and a
not_covered phrase that hides an entry talking about it is named."""

from __future__ import annotations

import pytest

from bot.faq import load_faq, parse_faq
from bot.lint import hidden, lint
from tests.conftest import BUNDLED_FAQ, FAQ_HEADER

COLLIDING = FAQ_HEADER + """\
entries:
  - id: sciatica
    topic: Conditions
    question: Do you treat sciatica?
    answer: Sciatica.
  - id: tennis-elbow
    topic: Conditions
    question: Do you treat tennis elbow?
    alternates:
      - Do you treat sciatica?
    answer: Tennis Elbow.
"""


@pytest.mark.slow  # matches every question and alternate of the bundled FAQ
def test_the_bundled_faq_has_no_collisions() -> None:
    assert lint(load_faq(BUNDLED_FAQ)) == []


@pytest.mark.slow  # builds the bundled FAQ's matcher twice
def test_no_not_covered_phrase_hides_a_bundled_entry() -> None:
    assert hidden(load_faq(BUNDLED_FAQ)) == []


# An admin's plain entries beside the bundled-style list of topics the FAQ does not cover:
# "parking" hides the entry whose answer is about it, until the admin gives it an alternate.
HIDING = FAQ_HEADER + """\
not_covered:
  business: [opening hours, parking, insurance]
entries:
  - id: hours
    question: When are you open?
    answer: We are open 9 to 5, Monday to Friday.
  - id: park
    question: Where can I leave my car?
    answer: There is free parking behind the building.
  - id: sciatica
    question: Do you treat sciatica?
    answer: Yes, we do.
"""


def test_a_not_covered_phrase_that_hides_an_entry_is_named_with_the_fix() -> None:
    found = hidden(parse_faq(HIDING, "faq.yaml"))
    assert [(finding.entry_id, finding.phrase) for finding in found] == [("park", "parking")]
    report = str(found[0])
    assert report.startswith("faq.yaml:")
    assert "because 'parking' is listed under not_covered" in report
    assert "remove 'parking' from not_covered, or add an alternate" in report


def test_an_alternate_that_uses_the_phrase_ends_the_warning() -> None:
    fixed = HIDING.replace(
        "    question: Where can I leave my car?\n",
        "    question: Where can I leave my car?\n    alternates: [Is there parking?]\n",
    )
    assert hidden(parse_faq(fixed, "faq.yaml")) == []


def test_an_alternate_claimed_by_two_entries_is_reported() -> None:
    collisions = lint(parse_faq(COLLIDING, "faq.yaml"))
    assert len(collisions) >= 1
    report = "\n".join(map(str, collisions))
    assert "faq.yaml:9: tennis-elbow: 'Do you treat sciatica?'" in report
    assert "sciatica" in report


def test_every_collision_is_reported_not_just_the_first() -> None:
    text = COLLIDING + """\
  - id: frozen-shoulder
    topic: Conditions
    question: Do you treat frozen shoulder?
    alternates:
      - Do you treat tennis elbow?
    answer: Frozen Shoulder.
"""
    entry_ids = {collision.entry_id for collision in lint(parse_faq(text, "faq.yaml"))}
    assert {"tennis-elbow", "frozen-shoulder"} <= entry_ids
