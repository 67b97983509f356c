"""bot/coverage.py: the not-covered topics an FAQ's own entries cover stop counting, a group at a
time, and the covered group's phrases lead to the entry that covers it."""

from __future__ import annotations

import pytest

from bot.coverage import covered
from bot.faq import TAUGHT_GROUP, Faq, parse_faq
from bot.lexical import LexicalIndex
from bot.matcher import Matcher, Status, speller_for

HEADER = "disclaimer: Not medical advice.\n"

# An admin's plain business entries beside the kind of grouped list the bundled faq.yaml has.
GROUPED = HEADER + """\
not_covered:
  insurance: [insurance, insurer, claim, covered by]
  prices and payment: [price, how much, pay]
  opening hours: [opening hours, what time, closing time, open on weekends]
  other treatments: [acupuncture, reflexology]
entries:
  - id: insurance
    question: Do you accept health insurance?
    answer: Many private health insurers cover clinical massage. Please check your policy.
  - id: hours
    question: What are your opening hours?
    answer: We are open Monday to Friday, 9am to 7pm, and Saturday 9am to 1pm.
  - {id: sciatica, question: Do you treat sciatica?, answer: "Yes: it is on our list."}
  - {id: swedish, question: What is Swedish massage?, answer: Gentle massage strokes.}
"""


def with_not_covered(section: str) -> str:
    """GROUPED with another not_covered section ("" for none)."""
    return GROUPED[:GROUPED.index("not_covered:")] + section + GROUPED[GROUPED.index("entries:"):]


def read(text: str) -> tuple[Faq, Faq]:
    faq = parse_faq(text)
    return faq, covered(faq, speller_for(faq, frozenset())).faq


def test_the_parser_keeps_each_phrases_group() -> None:
    faq = parse_faq(GROUPED)
    assert faq.not_covered_group["claim"] == "insurance"
    assert faq.not_covered_group["what time"] == "opening hours"
    flat = parse_faq(with_not_covered("not_covered: [price, parking]\n"))
    assert dict(flat.not_covered_group) == {"price": "price", "parking": "parking"}


def test_a_group_one_of_whose_phrases_an_entry_asks_about_stops_counting() -> None:
    faq, matched = read(GROUPED)
    # "insurance" is in the insurance entry's question, "opening hours" in the hours entry's:
    # both groups are covered; prices and other treatments are not
    assert matched.not_covered == ("price", "how much", "pay", "acupuncture", "reflexology")
    assert faq.not_covered == (
        "insurance", "insurer", "claim", "covered by", "price", "how much", "pay",
        "opening hours", "what time", "closing time", "open on weekends", "acupuncture",
        "reflexology",
    ), "the admin's Faq is left as written"


def test_a_covered_groups_phrases_become_the_covering_entrys_keywords() -> None:
    faq, matched = read(GROUPED)
    by_id = {entry.id: entry for entry in matched.entries}
    assert by_id["insurance"].keywords == ("insurance", "insurer", "claim", "covered by")
    assert by_id["hours"].keywords == (
        "opening hours", "what time", "closing time", "open on weekends"
    )
    assert by_id["sciatica"] == faq.entries[2]
    assert all(not entry.keywords for entry in faq.entries)


def test_two_entries_covering_one_group_both_take_its_phrases() -> None:
    text = GROUPED.replace(
        "  - {id: sciatica,",
        "  - {id: weekends, question: Are you open on weekends?, answer: On Saturdays.}\n"
        "  - {id: sciatica,",
    )
    _, matched = read(text)
    by_id = {entry.id: entry for entry in matched.entries}
    assert "what time" in by_id["hours"].keywords
    assert "what time" in by_id["weekends"].keywords


def test_an_answer_that_names_a_phrase_covers_nothing() -> None:
    text = GROUPED.replace(
        "question: Do you accept health insurance?", "question: How do I pay for a session?"
    )
    _, matched = read(text)
    # "How do I pay" covers prices and payment; insurance is only in the answer
    assert "claim" in matched.not_covered
    assert "price" not in matched.not_covered


def test_a_flat_list_is_a_topic_a_phrase() -> None:
    _, matched = read(with_not_covered("not_covered: [insurance, claim, price]\n"))
    assert matched.not_covered == ("claim", "price")
    assert matched.entries[0].keywords == ("insurance",)


def test_a_groups_topics_are_each_covered_on_their_own() -> None:
    # "other treatments" lists two treatments, not two words for one: an entry about
    # acupuncture covers acupuncture and leaves reflexology declined, with no keyword from it.
    text = with_not_covered(
        "not_covered:\n  other treatments:\n    topics: [acupuncture, reflexology]\n"
    ) + "  - {id: acupuncture, question: Do you offer acupuncture?, answer: We do.}\n"
    faq, matched = read(text)
    assert faq.not_covered_group["reflexology"] == "reflexology"
    assert matched.not_covered == ("reflexology",)
    assert matched.entries[-1].keywords == ("acupuncture",)
    [takeover] = covered(faq, speller_for(faq, frozenset())).takeovers
    assert (takeover.group, takeover.phrase, takeover.phrases) == ("acupuncture", "acupuncture", 1)
    # the same two as a group of phrases are one topic, which the entry then covers whole
    _, whole = read(text.replace("    topics: [", "    phrases: ["))
    assert whole.not_covered == ()
    assert whole.entries[-1].keywords == ("acupuncture", "reflexology")


def test_a_phrase_naming_one_entrys_subject_stops_counting_without_becoming_a_keyword() -> None:
    # "your hours" shares "hour" with one entry's question only: it names that entry's subject.
    # "how many massages" does not: "massage" is in the questions of three entries.
    text = GROUPED.replace("[acupuncture, reflexology]", "[your hours, how many massages]")
    text = text.replace("  - {id: sciatica,", (
        "  - {id: sports, question: What is sports massage therapy?, answer: For athletes.}\n"
        "  - {id: deep, question: What is deep tissue massage therapy?, answer: Firm.}\n"
        "  - {id: sciatica,"
    ))
    text = text.replace("[opening hours, what time", "[closing hours, what time")
    _, matched = read(text)
    assert "your hours" not in matched.not_covered
    assert "how many massages" in matched.not_covered
    assert all("your hours" not in entry.keywords for entry in matched.entries)


def test_a_faq_without_not_covered_is_read_as_it_is() -> None:
    faq = parse_faq(with_not_covered(""))
    assert covered(faq, speller_for(faq, frozenset())).faq is faq


# -- through the matcher ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grouped() -> Matcher:
    return Matcher(parse_faq(GROUPED))


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        # share no word with the entry's question: reached through the covered group
        ("what time do you close on fridays?", "hours"),
        ("can I claim the cost back from my insurer?", "insurance"),
    ],
)
def test_a_message_in_a_covered_groups_words_reaches_the_entry(
    grouped: Matcher, message: str, entry_id: str
) -> None:
    match = grouped.match(message)
    reached = match.entry if match.status is Status.ANSWER else (
        match.suggestions[0].entry if match.suggestions else None
    )
    assert reached is not None, (message, match.status)
    assert reached.id == entry_id, message


def test_an_uncovered_group_still_declines(grouped: Matcher) -> None:
    for message in ("how much is a session?", "do you do acupuncture?"):
        assert grouped.match(message).status is not Status.ANSWER, message


def test_questions_taught_as_not_covered_are_each_a_topic_of_their_own() -> None:
    # The Teach button's group collects unrelated questions: an entry that covers one of them
    # takes back that one only.
    faq, matched = read(with_not_covered(
        f"not_covered:\n  {TAUGHT_GROUP}: [do you sell gift cards, opening hours]\n"
    ))
    assert faq.not_covered_group["opening hours"] == "opening hours"
    assert matched.not_covered == ("do you sell gift cards",)
    assert matched.entries[1].keywords == ("opening hours",)


def test_takeovers_name_each_covered_group_once_per_entry_with_the_phrase_asked() -> None:
    faq = parse_faq(GROUPED.replace(
        "question: What are your opening hours?",
        "question: What are your opening hours?\n    alternates: [What time do you close?]",
    ))
    found = [
        (t.entry.id, t.group, t.phrase, t.phrases)
        for t in covered(faq, speller_for(faq, frozenset())).takeovers
    ]
    assert found == [
        ("insurance", "insurance", "insurance", 4),
        ("hours", "opening hours", "opening hours", 4),
    ]


def test_a_taken_over_phrase_counts_against_the_entries_that_do_not_cover_it() -> None:
    # "claim" is the insurance entry's now: a message about claiming for a sciatica treatment
    # is about insurance, so the sciatica entry is marked as lacking its topic, as it would be
    # for a phrase still listed as not covered.
    faq = parse_faq(GROUPED)
    speller = speller_for(faq, frozenset())
    coverage = covered(faq, speller)
    assert coverage.owners["claim"] == frozenset({0})
    assert "price" not in coverage.owners
    index = LexicalIndex(coverage.faq, speller, coverage.owners)
    raw = speller.words("can I claim for my sciatica treatment?")
    query = index.query(raw, speller.terms_of(raw))
    assert query.not_covered == frozenset()
    assert not index.overlap(query, 0).uncovered
    assert index.overlap(query, 2).uncovered
    assert "claim" in " ".join(query.weights), "the phrase is the insurance entry's vocabulary"
