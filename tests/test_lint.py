"""FAQ lint: an entry's own question or alternate that does not reach it is reported with the
entry's line, what the bot does instead and what to change; a not_covered phrase that hides an
entry is named with its own line and the entry's; so is an entry's keyword that not_covered
lists."""

from __future__ import annotations

import pytest

from bot import lint as lint_module
from bot.faq import Faq, parse_faq
from bot.lint import contradictions, hidden, lint, review
from bot.matcher import Match, Matcher, Status
from tests.conftest import FAQ_HEADER

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


# That the bundled faq.yaml itself has no collisions and hides no entry: tests/test_bundled_faq.py.


# An admin's plain entries beside the bundled-style list of topics the FAQ does not cover:
# "insurance" hides the entry whose answer mentions it, until the admin gives it an alternate.
HIDING = FAQ_HEADER + """\
not_covered:
  business: [opening hours, parking, insurance]
entries:
  - id: hours
    question: When are you open?
    answer: We are open 9 to 5, Monday to Friday.
  - id: pay
    question: How can I pay?
    answer: By card or cash. We do not take insurance.
  - id: sciatica
    question: Do you treat sciatica?
    answer: Yes, we do.
"""


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_not_covered_phrase_that_hides_an_entry_is_named_with_its_line_and_the_fix() -> None:
    found = hidden(parse_faq(HIDING, "faq.yaml"))
    assert [(finding.entry_id, finding.phrase) for finding in found] == [("pay", "insurance")]
    assert str(found[0]) == (
        f"faq.yaml:{line_of(HIDING, 'business:')}: 'insurance' (not_covered) keeps the entry "
        f"'pay' (line {line_of(HIDING, 'id: pay')}) from being found by questions about "
        "insurance: remove it from not_covered, or add an alternate question to the entry that "
        "uses it"
    )


def test_an_entry_whose_answer_says_the_phrase_is_not_hidden_by_it() -> None:
    # The answer says "free parking" in so many words: a question about parking is about what
    # it answers, so the list's "parking" neither hides it nor needs a warning.
    faq = parse_faq(HIDING + """\
  - id: park
    question: Where can I leave my car?
    answer: There is free parking behind the building.
""", "faq.yaml")
    matcher = Matcher(faq)
    assert [finding.entry_id for finding in hidden(faq, matcher)] == ["pay"]
    reached = matcher.match("parking")
    assert reached.status is Status.ANSWER
    assert reached.entry is not None
    assert reached.entry.id == "park"


def test_each_not_covered_phrase_keeps_its_own_line() -> None:
    text = FAQ_HEADER + """\
not_covered:
  business:
    - price
    - parking
  conditions not on our list:
    reply: "{phrase} isn't on our list."
    phrases:
      [gout,
       psoriasis]
entries:
  - id: sciatica
    question: Do you treat sciatica?
    answer: Yes.
"""
    faq = parse_faq(text, "faq.yaml")
    assert dict(faq.not_covered_at) == {
        phrase: line_of(text, phrase) for phrase in ("price", "parking", "gout", "psoriasis")
    }
    listed = FAQ_HEADER + """\
not_covered:
  - price
  - parking
entries: [{id: a, question: Do you treat sciatica?, answer: Yes.}]
"""
    assert dict(parse_faq(listed, "faq.yaml").not_covered_at) == {
        "price": line_of(listed, "price"), "parking": line_of(listed, "parking")
    }


# An admin's plain entries, each `id`, `question` and `answer`, beside a list of topics the FAQ
# does not cover that says nothing of theirs.
PLAIN = FAQ_HEADER + """\
not_covered:
  business: [price, how much, acupuncture]
entries:
  - id: health-insurance
    question: Do you accept health insurance?
    answer: Yes, we accept most health insurance plans. Please bring your insurance card.
  - id: opening-hours
    question: What are your opening hours?
    answer: We are open Monday to Friday from 9 to 6. On Saturdays we are open from 9 to 1.
  - id: parking
    question: Is there parking?
    answer: Yes, there is free parking behind the building. Street parking is nearby too.
"""


def test_plain_entries_that_work_get_no_warning() -> None:
    faq = parse_faq(PLAIN, "faq.yaml")
    matcher = Matcher(faq)
    assert lint(faq, matcher) == []
    assert hidden(faq, matcher) == []


def test_a_phrase_made_of_an_entrys_subject_hides_nothing() -> None:
    # "your hours" is not in the question, but says nothing else: it names the entry's subject,
    # which beats the list (bot.lexical), so "what are your hours" reaches the entry and
    # there is nothing to warn about.
    text = PLAIN.replace("[price, how much, acupuncture]", "[price, your hours]")
    faq = parse_faq(text, "faq.yaml")
    matcher = Matcher(faq)
    assert hidden(faq, matcher) == []
    reached = matcher.match("what are your hours")
    assert reached.entry is not None
    assert reached.entry.id == "opening-hours"


def test_an_entrys_question_taken_by_another_says_which_and_what_to_change() -> None:
    # Both entries hold "Do you treat sciatica?": whichever the bot prefers, the other entry is
    # told what happens to its question and which entry takes it.
    lines = {"sciatica": 5, "tennis-elbow": 9}
    collisions = lint(parse_faq(COLLIDING, "faq.yaml"))
    assert collisions
    for collision in collisions:
        (other,) = set(lines) - {collision.entry_id}
        assert str(collision).startswith(
            f"faq.yaml:{lines[collision.entry_id]}: {collision.entry_id}: 'Do you treat "
            "sciatica?' does not reach this entry: the bot "
        )
        assert f"{other!r} (line {lines[other]})" in collision.outcome
        assert collision.fix == (
            f"{other!r} asks nearly the same: word the two apart, or merge them if they are one "
            "question"
        )


def test_a_question_read_as_an_emergency_or_a_greeting_says_so() -> None:
    text = PLAIN + """\
  - id: chest
    question: I have chest pain, can massage help?
    answer: Please see a doctor first.
  - id: hello
    question: Hello
    answer: Hello to you.
"""
    report = [str(collision) for collision in lint(parse_faq(text, "faq.yaml"))]
    assert report == [
        f"faq.yaml:{line_of(text, 'id: chest')}: chest: 'I have chest pain, can massage help?' "
        "does not reach this entry: the bot takes it for an emergency and sends the urgent-care "
        "reply. Word it without the symptom that reads as an emergency",
        f"faq.yaml:{line_of(text, 'id: hello')}: hello: 'Hello' does not reach this entry: the "
        "bot takes it for small talk (a greeting, thanks, goodbye or call for help). Word it as "
        "a question about the subject, not a greeting",
    ]


class Declines(Matcher):
    """The real matcher, but any message holding "parking" is declined, as the list would do
    if an entry's own question did not beat it (bot.lexical): what the warning then says."""

    def match(self, text: str) -> Match:
        return Match(Status.NONE) if "parking" in text.lower() else super().match(text)


def test_a_question_kept_away_by_not_covered_names_the_phrase_and_its_line() -> None:
    text = PLAIN.replace("[price, how much, acupuncture]", "[price, parking]")
    faq: Faq = parse_faq(text, "faq.yaml")
    (collision,) = lint(faq, Declines(faq))
    assert str(collision) == (
        f"faq.yaml:{line_of(text, 'id: parking')}: parking: 'Is there parking?' does not reach "
        "this entry: the bot declines it with the fallback reply. Listed under not_covered, "
        f"'parking' on line {line_of(text, 'business:')} keeps it away: remove it there, or add "
        "alternates to this entry in other words"
    )


def test_review_looks_only_at_the_entries_named() -> None:
    faq = parse_faq(HIDING + """\
  - id: tennis-elbow
    question: Do you treat tennis elbow?
    alternates: [Do you treat sciatica?]
    answer: Yes, we do.
""", "faq.yaml")
    matcher = Matcher(faq)
    assert review(faq, matcher, ["hours"]) == []
    (finding,) = review(faq, matcher, ["pay"])
    assert "'insurance' (not_covered) keeps the entry 'pay'" in finding
    (finding,) = review(faq, matcher, ["tennis-elbow"])
    assert "tennis-elbow: 'Do you treat sciatica?' does not reach this entry" in finding
    # A changed not_covered list can hide any entry: every entry is looked at for it.
    assert [f for f in review(faq, matcher, [], not_covered_changed=True)] == [
        str(h) for h in hidden(faq, matcher)
    ]


# The bundled file had these: a keyword that says the entry is about cupping marks beside a
# not_covered phrase that says the FAQ does not answer it, and a keyword the stemmer reads as a
# listed phrase ("supple" and "supplements"). "charley horse" holds "horses" but is not it.
CLASHING = FAQ_HEADER + """\
not_covered:
  how a treatment feels: [does it hurt, cupping marks]
  other things: [supplements, horses]
entries:
  - id: cupping
    question: What is cupping therapy?
    keywords: [suction cups, cupping marks]
    answer: Special cups on your skin for a few minutes create suction.
  - id: range-of-motion
    question: Can massage increase my range of motion?
    keywords: [mobility, supple, charley horse]
    answer: Increase range of motion.
"""


def test_a_keyword_that_not_covered_lists_is_named_with_both_lines_and_the_fix() -> None:
    faq = parse_faq(CLASHING, "faq.yaml")
    matcher = Matcher(faq)
    found = contradictions(faq, matcher)
    assert [(c.entry_id, c.keyword, c.phrase) for c in found] == [
        ("cupping", "cupping marks", "cupping marks"),
        ("range-of-motion", "supple", "supplements"),
    ]
    assert str(found[0]) == (
        f"faq.yaml:{line_of(CLASHING, 'id: cupping')}: the keyword 'cupping marks' of the entry "
        f"'cupping' is listed under not_covered (line {line_of(CLASHING, 'feels:')}): the "
        "keyword wins, so questions about it can get this entry's answer. Remove the keyword "
        "if the answer does not talk about it, or the not_covered phrase if it does"
    )
    assert "the keyword 'supple' of the entry 'range-of-motion' reads the same as " \
        f"'supplements', which is listed under not_covered (line {line_of(CLASHING, 'other')})" \
        in str(found[1])
    # What the warning says the bot does: the keyword wins over the list.
    won = matcher.match("cupping marks")
    assert won.status is Status.ANSWER
    assert won.entry is not None
    assert won.entry.id == "cupping"
    # Without the keyword the list holds: the same message is not answered.
    fixed = parse_faq(CLASHING.replace("suction cups, cupping marks", "suction cups"), "faq.yaml")
    assert contradictions(fixed)[0].keyword == "supple"
    assert Matcher(fixed).match("cupping marks").status is not Status.ANSWER


def test_a_keyword_of_a_topic_the_entry_took_over_is_no_contradiction() -> None:
    # The entry's own alternate asks about cupping marks: the group is its topic now
    # (bot.coverage), and its keyword says the same.
    taken = CLASHING.replace(
        "    keywords: [suction cups, cupping marks]\n",
        "    alternates: [Does cupping leave cupping marks?]\n"
        "    keywords: [suction cups, cupping marks]\n",
    )
    assert [c.keyword for c in contradictions(parse_faq(taken, "faq.yaml"))] == ["supple"]


def test_review_names_the_contradictions_of_the_entries_it_checks() -> None:
    faq = parse_faq(CLASHING, "faq.yaml")
    matcher = Matcher(faq)
    (finding,) = review(faq, matcher, ["cupping"])
    assert "the keyword 'cupping marks' of the entry 'cupping'" in finding
    # A changed not_covered list can contradict any entry's keywords.
    assert review(faq, matcher, [], not_covered_changed=True) == [
        str(c) for c in contradictions(faq, matcher)
    ]


def test_an_alternate_that_uses_the_phrase_ends_the_warning() -> None:
    fixed = HIDING.replace(
        "    question: How can I pay?\n",
        "    question: How can I pay?\n    alternates: [Do you take insurance?]\n",
    )
    assert hidden(parse_faq(fixed, "faq.yaml")) == []


def test_an_alternate_claimed_by_two_entries_is_reported() -> None:
    collisions = lint(parse_faq(COLLIDING, "faq.yaml"))
    assert len(collisions) >= 1
    report = "\n".join(map(str, collisions))
    assert "'Do you treat sciatica?' does not reach this entry" in report
    # both entries are named: the one the alternate misses and the one that takes it (which of
    # the two a tie goes to is the matcher's business; an exact tie goes to the first entry)
    assert "sciatica" in report.replace("'Do you treat sciatica?'", "")
    assert "tennis-elbow" in report


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


def test_a_big_reload_checks_the_first_entries_and_says_how_many_it_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lint_module, "REVIEW_ENTRIES", 1)
    monkeypatch.setattr(lint_module, "REVIEW_ALL_ENTRIES", 2)
    faq = parse_faq(HIDING, "faq.yaml")
    notes = review(faq, Matcher(faq), ["pay", "sciatica"], not_covered_changed=True)
    assert notes[0].startswith("faq.yaml:5: 'insurance' (not_covered) keeps the entry 'pay'")
    assert notes[1:] == [
        "faq.yaml: 1 more new or changed entries were not checked here: run faq-bot check on "
        "the file",
        "faq.yaml: the changed not_covered list was checked against the new or changed entries "
        "only: run faq-bot check on the file",
    ]
