"""The bundled faq.yaml's content: the one module that checks what the shipped file *says*.

It guards the FAQ this repository ships, not the bot:
- every answer and the disclaimer quote the practice's document word for word, and every
  question and list item of the document is in the FAQ (needs ../shared/source; skipped without);
- what the shipped file holds: the document's 13 treated conditions, each answered with a "Yes,
  ... one of the conditions we treat." lead, the clear no for the conditions it lists as not
  covered, its own fallback, no urgent, small-talk or synonym changes of its own, the practice:
  section only as a commented-out example (a practice fills it in); and that
  `faq-bot check` finds nothing in it (no collisions, no not_covered phrase hiding an entry);
- the accuracy floors of the bundled FAQ with the shipped decision on the labelled sets
  (tests/data/fit, validation with ../shared/eval/dev.jsonl, the frozen test split, urgent
  triage) and on the two-questions-in-one-message set (tests/data/compound).

Every other test runs on small FAQs of its own (tests/helpers/mini_faq.yaml, conftest's
MINIMAL_FAQ) or derives what it expects from whatever faq.yaml holds, so a practice that adapts
faq.yaml to its own wording should expect only this module to fail. Run the suite with
BUNDLED_FAQ_EDITED=1 to skip it (the skip says why); then `faq-bot check faq.yaml` and
`faq-bot eval` are the checks of the practice's own file.

The engine's floors on FAQs nobody fitted for (tests/data/plainfaq, StackFAQ) are not about the
bundled content: they stay in tests/test_eval_floor.py.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass

import pytest
from helpers.floors import DATA, cases_of, check, share, split

from bot.compound import Part, Parts, answer_parts
from bot.evaluation import evaluate
from bot.faq import DEFAULT_FALLBACK, PRACTICE_KEYS, Entry, Faq, builtin_data, parse_faq
from bot.lint import contradictions, hidden, lint
from bot.matcher import Matcher, Status
from bot.text import words
from tests.conftest import BUNDLED_FAQ, SHARED

EDITED = os.environ.get("BUNDLED_FAQ_EDITED", "").strip() not in ("", "0")

pytestmark = pytest.mark.skipif(
    EDITED,
    reason="BUNDLED_FAQ_EDITED is set: faq.yaml is the practice's own, so the checks that it "
    "quotes the bundled document and keeps the bundled accuracy floors do not apply",
)

DOCUMENT = SHARED / "source" / "000_f5c6a2029e6426bd.txt"
DEV = SHARED / "eval" / "dev.jsonl"
COMPOUND_SET = DATA / "compound" / "compound.jsonl"
NO = "{phrase} isn't on our list of treated conditions."

needs_document = pytest.mark.skipif(
    not DOCUMENT.is_file(), reason=f"the practice's document is not at {DOCUMENT}"
)


# -- the answers quote the practice's document ------------------------------------------------
# Only whitespace and bullet glyphs may differ: both sides are compared after NFKC (which also
# turns the document's non-breaking spaces into spaces), dropping "•" and collapsing whitespace.
# Every line of an answer must then occur in the document: a line cannot be reworded, and lines
# can be picked from different places (an entry for one condition quotes the heading and one
# item of the list).


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


@needs_document
def test_every_answer_line_is_in_the_document(bundled_faq: Faq, document: str) -> None:
    not_verbatim = [
        f"{entry.id} (faq.yaml:{entry.line}): {line.strip()!r}"
        for entry in bundled_faq.entries
        for line in entry.answer.splitlines()
        if normalise(line) and normalise(line) not in document
    ]
    assert not_verbatim == [], "answers must quote the document:\n" + "\n".join(not_verbatim)


@needs_document
def test_the_disclaimer_is_the_documents(bundled_faq: Faq, document: str) -> None:
    disclaimer = normalise(bundled_faq.disclaimer)
    assert disclaimer.startswith("Disclaimer:")
    assert disclaimer in document


@needs_document
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


@needs_document
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


# -- what the shipped file holds --------------------------------------------------------------


def test_the_bundled_faq_is_complete(bundled_faq: Faq) -> None:
    faq = bundled_faq
    assert len(faq.entries) >= 40
    assert faq.disclaimer.startswith("Disclaimer:")
    assert faq.fallback != DEFAULT_FALLBACK  # the practice's own
    # triage, small talk and synonyms are the bot's: the shipped file only has its content
    builtin = builtin_data()
    assert faq.urgent_reply == builtin.urgent.reply
    assert faq.urgent_triggers == builtin.urgent.triggers
    assert faq.urgent_past == builtin.urgent.past
    assert faq.urgent_current == builtin.urgent.current
    assert faq.urgent_classes == builtin.urgent.classes
    assert faq.smalltalk == builtin.smalltalk
    assert faq.synonyms == builtin.synonyms
    overview = faq.get("conditions")
    assert overview is not None
    assert len(overview.related) == 13  # the document lists 13 treated conditions


def test_the_bundled_faq_says_yes_to_each_treated_condition_as_the_document_names_it(
    bundled_faq: Faq,
) -> None:
    faq = bundled_faq
    overview = faq.get("conditions")
    assert overview is not None
    # the document's Treated Conditions list, in the order the overview relates its entries
    listed = [line.removeprefix("• ") for line in overview.answer.splitlines()[1:]]
    conditions = faq.related_entries(overview)
    assert len(listed) == len(conditions) == 13
    for name, entry in zip(listed, conditions, strict=True):
        assert entry.lead.startswith("Yes, "), entry.id
        assert entry.lead.endswith("the conditions we treat."), entry.id
        assert set(words(name)) <= set(words(entry.lead)), (name, entry.lead)
    others = [entry for entry in faq.entries if entry not in conditions]
    assert [entry.id for entry in others if entry.lead] == []


def test_the_bundled_faq_says_no_to_the_conditions_it_lists_as_not_covered(
    bundled_faq: Faq,
) -> None:
    faq = bundled_faq
    assert faq.not_covered_no["psoriasis"] == NO
    assert set(faq.not_covered_no) <= set(faq.not_covered)
    assert set(faq.not_covered_no.values()) == {NO}
    # only names of conditions: the line would read oddly with anything else
    for phrase in ("dentist", "how often should", "eat before", "lose weight", "price"):
        assert phrase in faq.not_covered
        assert phrase not in faq.not_covered_no


def test_the_bundled_faq_shows_the_practice_section_commented_out_with_examples_only() -> None:
    text = BUNDLED_FAQ.read_text(encoding="utf-8")
    assert parse_faq(text, "faq.yaml").practice is None
    block = re.search(r"^# practice:\n(?:#   .*\n)+", text, flags=re.MULTILINE)
    assert block is not None, "the commented-out example section is missing"
    example = block.group(0)
    assert all(f"#   {key}:" in example for key in PRACTICE_KEYS)
    # uncommented, the example loads; every value in it is a made-up example
    uncommented = text.replace(example, re.sub(r"^# ", "", example, flags=re.MULTILINE))
    practice = parse_faq(uncommented, "faq.yaml").practice
    assert practice is not None
    assert "Example" in practice.name
    assert "Example" in practice.address
    assert practice.phone == "+44 20 0000 0000"
    for link in (practice.email, practice.website, practice.booking_url):
        assert "example.org" in link


@pytest.mark.slow  # matches every question and alternate of the bundled FAQ
def test_the_bundled_faq_has_no_collisions(bundled_faq: Faq) -> None:
    assert lint(bundled_faq) == []


PLAIN_BUSINESS = DATA / "plainbusiness"


@pytest.mark.slow  # builds the bundled FAQ's matcher with six more entries
def test_plain_business_entries_an_admin_adds_are_found_past_the_bundled_not_covered() -> None:
    # An admin adds "What are your opening hours?", "Do you accept health insurance?" and four
    # more, each only id, question and answer, to the bundled file, whose not_covered lists
    # those topics. 72 patient phrasings of them and 24 other practical questions, written
    # blind from the questions alone (tests/data/plainbusiness). First run, before a
    # not_covered group became one topic (bot.coverage): 25 answered right and 11 more offered
    # first, 3 answered wrongly; at 5674854: 38 answered right, 17 more offered first, 5 wrong,
    # 3 of the 24 others answered with one of the six; once a taken-over phrase counted against
    # the entries that do not cover it ("how much" for deep tissue is about prices): 41 right,
    # 13 offered first (14 once, with the FAQ's vectors from an older cache: int8 quantisation
    # makes a text's vector depend a little on the batch it was embedded in), 3 wrong, 3 of 24;
    # since each text is embedded alone and the decision was refitted (cf7fcf7): 39 right, 15
    # offered first, 2 wrong, 3 of 24.
    added = "\n".join(
        "  " + line if line else line
        for line in (PLAIN_BUSINESS / "entries.yaml").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    text = BUNDLED_FAQ.read_text(encoding="utf-8").rstrip("\n") + "\n" + added + "\n"
    faq = parse_faq(text, "faq.yaml")
    matcher = Matcher(faq)
    own = {entry.id for entry in faq.entries[-6:]}
    assert own == {"hours", "insurance", "parking", "prices", "booking", "location"}
    assert lint(faq, matcher, entries=own) == []
    reached = wrong = others_answered = 0
    queries = [
        json.loads(line)
        for line in (PLAIN_BUSINESS / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    asked = [query for query in queries if query["gold"] != "none"]
    for query in queries:
        match = matcher.match(query["q"])
        answered = match.entry.id if match.status is Status.ANSWER and match.entry else None
        first = match.suggestions[0].entry.id if match.suggestions else None
        if query["gold"] == "none":
            others_answered += answered in own
        elif answered == query["gold"] or (answered is None and first == query["gold"]):
            reached += 1
        elif answered is not None:
            wrong += 1
    assert reached / len(asked) >= 0.70  # measured 54/72
    assert wrong / len(asked) <= 0.06  # measured 2/72
    assert others_answered <= 4  # measured 3/24


@pytest.mark.slow  # builds the bundled FAQ's matcher with two more entries
def test_an_entry_an_admin_adds_about_one_listed_treatment_or_condition_covers_only_it() -> None:
    # The bundled not_covered lists other treatments and conditions under `topics:`. An admin
    # who adds hot stones and asthma gets questions about those answered, and reflexology and
    # psoriasis still declined: once, as one group each, both lists led to the new entries.
    added = (
        "  - id: hot-stone\n    question: Do you offer hot stone massage?\n"
        "    answer: Yes, we offer hot stone massage.\n"
        "  - id: asthma\n    question: Can massage help asthma?\n"
        "    answer: Massage is no treatment for asthma; please see your doctor.\n"
    )
    text = BUNDLED_FAQ.read_text(encoding="utf-8").rstrip("\n") + "\n" + added
    faq = parse_faq(text, "faq.yaml")
    matcher = Matcher(faq)
    for message, entry in [
        ("do you do hot stone massage?", "hot-stone"),
        ("can massage help my asthma", "asthma"),
    ]:
        match = matcher.match(message)
        assert (match.status, match.entry and match.entry.id) == (Status.ANSWER, entry), message
    for message in ("do you do reflexology?", "can massage help psoriasis?", "do you do shiatsu"):
        match = matcher.match(message)
        assert match.status is Status.NONE, (message, match)
    assert matcher.match("can massage help psoriasis?").not_covered == "psoriasis"
    takeovers = {(t.entry.id, t.phrase, t.phrases) for t in matcher.coverage.takeovers}
    assert takeovers == {
        ("hot-stone", "hot stone", 1), ("hot-stone", "hot stones", 1),
        ("hot-stone", "stones", 1), ("asthma", "asthma", 1),
    }


@pytest.mark.slow  # builds the bundled FAQ's matcher twice
def test_the_bundled_not_covered_hides_no_entry(bundled_faq: Faq) -> None:
    # "how many sessions" is made of a word of clinical-massage-benefits' question ("... clinical
    # massage therapy session?", "sessions" read as "therapy"), and that entry alone would
    # answer it; but "therapy" is in the questions of 7 entries, so the phrase names no subject
    # of that entry: it draws a line the practice wants (the number depends on the person).
    assert hidden(bundled_faq) == []


def test_no_bundled_keyword_is_listed_under_not_covered(bundled_faq: Faq) -> None:
    # "cholesterol" was a keyword of reason-cardiovascular-health and a condition not on our
    # list: "does massage help cholesterol?" got "Improve cardiovascular health", a claim the
    # document does not make.
    assert contradictions(bundled_faq) == []


# -- accuracy floors of the bundled FAQ on the labelled sets ----------------------------------
# Each floor sits a little under the figure measured when the decision was last fitted (see
# `scripts/fit_decision.py` and `faq-bot eval`): they catch a change that makes matching worse;
# they are not targets. Each embeds and matches a whole labelled split: minutes, so marked slow.


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "right", "wrong", "false_answers"),
    [
        # measured 0.813 right, 0.7% wrong, 0.7% off-topic answered (3,319 + 1,216 lines)
        ("fit", 0.79, 0.02, 0.03),
        # heldout 1-6, blind_val, blind3, blind5-17 and dev: measured 0.841 right, 1.6% wrong,
        # 5.8% off-topic answered (3,763 + 1,685 lines; 0.842, 1.6%, 8.6% before the ask
        # veto; without blind17 0.842, 1.5%, 7.5%;
        # without blind16 0.844, 1.4%, 7.3%, and
        # 0.839 before a message in another language was read in English; without blind15
        # 0.845, 1.4%, 6.5%;
        # without blind14 0.849, 1.4%, 6.5%; without blind13 0.849, 1.4%, 6.2%;
        # without blind12 too 0.852, 1.4%, 6.2%, and
        # 0.851, 1.4%, 8.5% before the gate read what a message asks of its best entry's
        # subject; 0.852, 1.2%, 9.5% before each entry was also read whole; without blind11
        # 0.852, 1.1%, 9.8%, and
        # 0.847, 1.0%, 9.8% before a not-covered phrase an answer says stopped counting against
        # it; without blind10 0.854, 1.0%, 9.6%;
        # without blind9 too 0.855, 1.0%, 8.9%, and 9.7% before an entry lacking a not-covered
        # topic the message names was no longer answered). blind3 and blind5-10, written from
        # the document alone, scored on their first runs 0.844 right, 0.6% wrong, 13.4%
        # off-topic answered (blind3), 0.849, 0.5%, 12.6% (blind5, at e535ebd), 0.826, 3.1%,
        # 20.0% (blind6, at ab4e000), 0.796, 3.2%, 16.5% (blind7, at 9761f29), 0.838, 2.1%,
        # 24.7% (blind8, at 85b1fef), 0.844, 1.5%, 20.5% (blind9, at f54551c), 0.777, 1.5%,
        # 12.5% (blind10, at 5f5b45c), 0.851, 2.1%, 5.0% (blind11, at 05fc66e) and 0.810,
        # 1.0%, 8.7% (blind12, at f5b860b; 6.2% off-topic answered with ask_lead) and 0.847,
        # 2.6%, 11.8% (blind13, at f2efba1; 0.853, 2.6%, 14.1% at f5b860b) and 0.758, 1.1%,
        # 10.6% (blind14, at 6958be5, 23 of 25 emergencies routed) and 0.713, 1.8%, 18.3%
        # (blind15, at 5b9e8cd, 23 of 25 emergencies routed, 4 of 275 other messages sent to
        # urgent care; 11 of its 171 answerable questions are in Spanish, French or German,
        # one of them answered then, ten rightly once bot/gloss.py read them in English) and
        # 0.800, 2.9%, 9.5% (blind16, at 3cafa08, 52 of its 85 off-topic questions near misses,
        # 24 of 25 emergencies routed: "I don't think he's breathing" was missed, urgent since
        # 1fdbbdd) and 0.818, 2.9%, 25.7% (blind17, at 6bc3d7f, 63 of its 85 off-topic
        # questions near misses, 24 of 25 emergencies routed: "cant feel left side of body
        # help" was missed, urgent since 39bcc99); then they became validation sets: off-topic
        # questions that name an entry's subject ("should I get an MRI for my sciatica?",
        # "what shoes should I wear for plantar fasciitis?") are the engine's open weakness.
        # (The off-topic floor moved from 6% to 7% when blind5 joined, to 9% with blind6 and
        # to 11% with blind8, the right floor from 0.85 to 0.84 with blind10: harder sets, not
        # a worse engine; from 11% to 8% with the ask veto.) With the subject's whole name
        # as "it": 0.838, 1.5%, 4.4%; blind17 0.812, 2.9%, 16.2%. With blind27-30 (2026-12-07,
        # blind29's first run 0.733, 3.6%, 7.6%): 0.850, 1.7%, 4.5% (4,423 + 2,105 lines).
        ("validation", 0.83, 0.02, 0.08),
        # frozen: blind_test and blind4 (320 lines written from the document alone, first run
        # at cebda75: 0.858 right, 0.5% wrong, 14.0% off-topic answered); pooled, measured
        # 0.847 right, 0.8% wrong, 5.9% off-topic answered (380 + 185 lines; 7.6% before the
        # ask veto, 8.1% when this floor was first set; 0.834, 1.1%, 9.2% before ask_lead;
        # the off-topic floor moved from 13% to 9% with the veto; 0.847, 0.5%, 5.9% with the
        # subject's whole name as "it")
        ("test", 0.82, 0.02, 0.09),
        # messages in the eight other languages the bot has notes for (blind_languages: 240, 30
        # a language, written from the document alone after bot/gloss.py was built, its
        # glossary unseen). First run: 0.400 right, 1.9% wrong, 4.7% off-topic answered, 13 of
        # 16 emergencies routed (0.037, 0.0%, 0.0% before the glossary); the glossary then
        # gained what the misses lacked in general words (a button battery, a magnet, sleeping
        # pills swallowed, "what causes"): 16 of 16, 1.6% off-topic answered. blind_languages2
        # (240 more, written blind after that), first run at c264d71: 0.368 right, 2.8% wrong,
        # 15.3% off-topic answered, 18 of 24 emergencies (0.042, 0.7%, 4.2%, 16 of 24 before
        # the glossary); the glossary then gained what its misses lacked (sleeping pills, a
        # dishwasher tablet, goodbyes said, blood spurting) and a foreign word was no longer
        # corrected to another's ("usar" to Polish "udar"): 24 of 24. Both: 0.408, 2.6%, 8.1%.
        # blind_languages3 (240 more, written with everyday words around the question: family,
        # ages, work), first run at fb94008: 0.431, 0.0%, 6.9%, 22 of 24; the glossary then
        # gained everyday words (written without reading any set), a face paralysed and a
        # packet of pills: 0.507, 0.7%, 8.3%, 24 of 24. All three: 0.482, 2.2%, 8.2%; with the
        # ask veto 0.482, 2.2%, 6.7% (the off-topic floor from 12% to 10%); 0.464, 2.2%, 6.2%
        # with the subject's whole name as "it", which swallows a "massage" a word-for-word
        # reading leaves right after the subject.
        ("multilingual", 0.44, 0.04, 0.10),
    ],
)
def test_the_bundled_faq_keeps_its_pooled_figures(
    bundled_matcher: Matcher, name: str, right: float, wrong: float, false_answers: float
) -> None:
    paths = split(name)
    if name == "validation" and DEV.is_file():
        paths.append(DEV)
    check(evaluate(bundled_matcher, cases_of(*paths)), right, wrong, false_answers)


@pytest.mark.slow
def test_every_labelled_emergency_reaches_urgent_care(bundled_matcher: Matcher) -> None:
    paths = [*split("urgent"), *split("fit"), *split("validation"), *split("test")]
    report = evaluate(bundled_matcher, cases_of(*paths))
    # measured 1,955 of 1,960 emergencies (99.7%), 188 of them in other languages
    assert share(report, "ok", "urgent") >= 0.99
    # idioms, denials, "what if"s and history told as emergencies: measured 0.4% of every
    # other message (0.8% before triage read the clause around a sign)
    assert share(report, "false-urgent", "not urgent") <= 0.009


# -- two questions in one message, measured on the bundled FAQ ---------------------------------
# tests/data/compound/compound.jsonl labels each part with a phrase of the answer that should
# come back (or "oos" for a part the FAQ does not cover). bot.compound itself:
# tests/test_compound.py.


def _texts(item: Entry) -> str:
    return f"{item.lead}\n{item.question}\n{item.answer}".casefold()


def _holds(item: Entry, label: str) -> bool:
    """Whether an answer holds a label's phrase (or one of its "|" alternatives)."""
    return any(phrase.casefold() in _texts(item) for phrase in label.split("|"))


@dataclass
class Rates:
    pairs: int = 0
    pairs_right: int = 0  # every covered part answered, the uncovered named, nothing wrong
    pairs_before: int = 0  # the same, answering the whole message only (before splitting)
    singles: int = 0
    singles_right: int = 0
    singles_right_before: int = 0
    singles_split: int = 0
    singles_split_wrong: int = 0  # a split single question that got an answer it should not


def _right(labels: list[str], answers: list[Entry], named: list[Part]) -> bool:
    """Every covered part answered, nothing answered that no part asked, and an uncovered
    ("oos") part named, when the message has one and something was answered."""
    covered = [label for label in labels if label != "oos"]
    found = all(any(_holds(item, label) for item in answers) for label in covered)
    return found and not _wrong(covered, answers) and (
        "oos" not in labels or bool(named) or not covered
    )


def _wrong(covered: list[str], answers: list[Entry]) -> bool:
    return any(not any(_holds(item, label) for label in covered) for item in answers)


def measure(matcher: Matcher) -> Rates:
    rates = Rates()
    for line in COMPOUND_SET.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        labels: list[str] = case["parts"]
        whole = matcher.match(case["text"])
        before = [whole.entry] if whole.status is Status.ANSWER and whole.entry else []
        parts = answer_parts(matcher, case["text"], whole)
        given, named = before, []
        if isinstance(parts, Parts):
            given, named = list(parts.entries), list(parts.uncovered)
        if case["kind"] == "two":
            rates.pairs += 1
            rates.pairs_right += _right(labels, given, named)
            rates.pairs_before += _right(labels, before, [])
        else:
            rates.singles += 1
            rates.singles_right += _right(labels, given, named)
            rates.singles_right_before += _right(labels, before, [])
            if isinstance(parts, Parts):
                rates.singles_split += 1
                covered = [label for label in labels if label != "oos"]
                rates.singles_split_wrong += _wrong(covered, given)
    return rates


def test_splitting_answers_two_questions_and_leaves_single_ones_alone(
    bundled_matcher: Matcher,
) -> None:
    rates = measure(bundled_matcher)
    print(rates)
    # Measured 2026-12-05 on the bundled FAQ: 41 of 42 pairs right (none before splitting:
    # the whole message answered one part at best); 40 of 42 single questions right, as
    # before (39) or better; 3 singles split, none into a wrong answer. Floors a little below.
    assert rates.pairs_right >= 0.9 * rates.pairs
    assert rates.pairs_before <= rates.pairs_right / 4
    assert rates.singles_right >= rates.singles_right_before
    assert rates.singles_split_wrong == 0
    assert rates.singles_split <= 0.15 * rates.singles
