"""Every answer in faq.yaml is the practice's approved wording, taken verbatim from its document.

Only whitespace and bullet glyphs may differ: both sides are compared after NFKC (which also
turns the document's non-breaking spaces into spaces), dropping "•" and collapsing whitespace.
Every line of an answer must then occur in the document: a line cannot be reworded, and lines
can be picked from different places (an entry for one condition quotes the heading and one item
of the list).
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import SHARED

from bot.faq import Faq

DOCUMENT = SHARED / "source" / "000_f5c6a2029e6426bd.txt"

pytestmark = pytest.mark.skipif(
    not DOCUMENT.is_file(), reason=f"the practice's document is not at {DOCUMENT}"
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace("•", " ")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def document() -> str:
    return normalise(DOCUMENT.read_text(encoding="utf-8"))


def test_normalise_only_forgives_whitespace_and_bullets() -> None:
    assert normalise("  •\u00a0Neck &\n Back\tPain ") == "Neck & Back Pain"
    assert normalise("\uff46\uff55\uff4c\uff4c") == "full"  # fullwidth letters
    assert normalise("client\u2019s") != normalise("client's"), "a curly quote is not spacing"


def test_every_answer_line_is_in_the_document(bundled_faq: Faq, document: str) -> None:
    not_verbatim = [
        f"{entry.id} (faq.yaml:{entry.line}): {line.strip()!r}"
        for entry in bundled_faq.entries
        for line in entry.answer.splitlines()
        if normalise(line) and normalise(line) not in document
    ]
    assert not_verbatim == [], "answers must quote the document:\n" + "\n".join(not_verbatim)


def test_the_disclaimer_is_the_documents(bundled_faq: Faq, document: str) -> None:
    disclaimer = normalise(bundled_faq.disclaimer)
    assert disclaimer.startswith("Disclaimer:")
    assert disclaimer in document


def test_the_documents_questions_are_all_in_the_faq(bundled_faq: Faq) -> None:
    """Each question the document asks is an entry's question or alternate, word for word."""
    questions = [
        line.strip() for line in DOCUMENT.read_text(encoding="utf-8").splitlines()
        if re.fullmatch(r"[A-Z][^.!]*\?", line.strip())
    ]
    assert len(questions) >= 8
    phrasings = {
        normalise(phrasing).casefold()
        for entry in bundled_faq.entries for phrasing in (entry.question, *entry.alternates)
    }
    missing = [q for q in questions if normalise(q).casefold() not in phrasings]
    assert missing == []


def test_every_list_item_of_the_document_is_quoted_by_some_answer(
    bundled_faq: Faq, document: str
) -> None:
    """The conditions, the 4 types and the 25 reasons: each list item is answerable."""
    raw = DOCUMENT.read_text(encoding="utf-8").splitlines()
    items = [normalise(line) for line in raw if line.strip().startswith("•")]
    items += [normalise(line) for line in raw if re.match(r"\s*\d+\.\s", line)]
    assert len(items) >= 13 + 5 + 4 + 25
    answers = "\n".join(
        normalise(line) for entry in bundled_faq.entries for line in entry.answer.splitlines()
    ).splitlines()
    missing = [item for item in items if item not in answers]
    assert missing == []
