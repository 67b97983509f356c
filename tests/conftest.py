"""Shared fixtures: the project's paths, the bundled FAQ, and a writer for small faq.yaml files.

Most tests use MINIMAL_FAQ rather than the real faq.yaml, so they keep meaning the same thing
while the real FAQ and the matcher's tuning change.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.faq import Faq, load_faq
from bot.matcher import Match, Matcher, Status

# The vectors of FAQ texts are cached on disk between processes (bot.cache_dir.default_cache_dir):
# in tests, in a folder of the session's own, never the user's cache. Set before any Matcher is
# built, and inherited by the `faq-bot` processes the tests start.
# (This module is imported as `conftest` and as `tests.conftest`: one folder for both.)
if "FAQBOT_TEST_VECTORS" not in os.environ:
    os.environ["FAQBOT_TEST_VECTORS"] = tempfile.mkdtemp(prefix="faqbot-vectors-")
os.environ["EMBEDDING_CACHE_DIR"] = os.environ["FAQBOT_TEST_VECTORS"]

REPO = Path(__file__).resolve().parent.parent
BUNDLED_FAQ = REPO / "faq.yaml"
SHARED = REPO.parent / "shared"

# A header for tests that build a tiny FAQ of their own entries:
# `parse_faq(FAQ_HEADER + "entries: ...")`. Only the disclaimer is required; the urgent section
# gives its own reply and adds to the built-in triggers (bot/data/urgent.yaml).
FAQ_HEADER = """\
disclaimer: Not medical advice.
fallback: Sorry.
urgent: {reply: Call for help., triggers: [chest pain]}
"""

# Small but complete: every top-level section, a conditions overview, an entry with alternates
# and related ids, and two kinds of massage.
MINIMAL_FAQ = """\
version: 1
disclaimer: This is general information, not medical advice.
fallback: Sorry, I could not find that. Try /topics or /conditions.
urgent:
  reply: Please call your local emergency number now.
  triggers:
    - chest pain
smalltalk:
  greeting:
    reply: Hello! Ask me about massage.
    triggers: [hello, hi]
entries:
  - id: conditions
    topic: Conditions we treat
    question: Which conditions do you treat?
    keywords: [conditions]
    related: [sciatica]
    answer: |
      Treated Conditions
      • Sciatica
  - id: sciatica
    topic: Conditions we treat
    question: Do you treat sciatica?
    alternates:
      - Can massage help sciatica?
    keywords: [sciatica, sciatic nerve]
    related: [conditions]
    answer: |
      Treated Conditions
      • Sciatica
  - id: swedish
    topic: Types of massage
    question: What is Swedish massage?
    keywords: [swedish]
    answer: |
      The Swedish massage is one of the most common types of massages you can get.
  - id: sports
    topic: Types of massage
    question: What is sports massage?
    keywords: [sports]
    answer: |
      Sports Massage is a combination of massage strokes & techniques.
"""

# A message tests/helpers/mini_faq.yaml answers with a list of suggestions (the shipped
# decision is not sure which entry is meant), and one MINIMAL_FAQ does; tests that rely on it
# assert it first, with suggestion_list. Which message it is depends on the fitted decision.
SUGGESTED = "nerve massage"
SUGGESTED_MINIMAL = "leg massage"


def suggestion_list(faq: Faq, text: str = SUGGESTED) -> Match:
    """The premise of a test about suggestion lists: `faq` answers `text` with a list of at
    least two entries. The test takes the entries from this match rather than naming them, so
    it checks the bot's mechanics whichever entries the matcher offers."""
    match = Matcher(faq).match(text)
    offered = [suggestion.entry.id for suggestion in match.suggestions]
    assert match.status is Status.SUGGEST, (text, match.status.value, offered)
    assert len(offered) >= 2, (text, offered)
    return match


# MINIMAL_FAQ without its `conditions` entry: /conditions falls back to the topic about
# conditions. With that topic renamed too, it falls back to every topic.
NO_CONDITIONS_ENTRY_FAQ = MINIMAL_FAQ.replace(
    MINIMAL_FAQ[MINIMAL_FAQ.index("  - id: conditions"):MINIMAL_FAQ.index("  - id: sciatica")], ""
).replace("    related: [conditions]\n", "")
NO_CONDITIONS_AT_ALL_FAQ = NO_CONDITIONS_ENTRY_FAQ.replace("Conditions we treat", "Sciatica")


@dataclass(frozen=True)
class FaqFile:
    """A faq.yaml written for a test, with a way to find the line a problem should name."""

    path: Path
    text: str

    def line_of(self, needle: str, occurrence: int = 1) -> int:
        """The 1-based number of the line holding the `occurrence`-th copy of `needle`."""
        found = [n for n, line in enumerate(self.text.splitlines(), start=1) if needle in line]
        assert len(found) >= occurrence, f"{needle!r} occurs {len(found)} times in the test FAQ"
        return found[occurrence - 1]


WriteFaq = Callable[..., FaqFile]


@pytest.fixture
def write_faq(tmp_path: Path) -> WriteFaq:
    """`write_faq(text=MINIMAL_FAQ, name="faq.yaml")` writes a FAQ file under tmp_path."""

    def write(text: str = MINIMAL_FAQ, name: str = "faq.yaml") -> FaqFile:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return FaqFile(path, text)

    return write


@pytest.fixture
def minimal_faq(write_faq: WriteFaq) -> Faq:
    return load_faq(write_faq().path)


@pytest.fixture(scope="session")
def bundled_faq() -> Faq:
    return load_faq(BUNDLED_FAQ)


@pytest.fixture(scope="session")
def bundled_matcher(bundled_faq: Faq) -> Matcher:
    return Matcher(bundled_faq)
