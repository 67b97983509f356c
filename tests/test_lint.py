"""FAQ lint: collisions between entries are reported with file, line and both entry ids."""

from __future__ import annotations

import pytest

from bot.faq import load_faq, parse_faq
from bot.lint import lint
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
