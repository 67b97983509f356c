"""The matcher (bot/matcher.py): the stages wired together, from a message to one of five outcomes.

Every test builds its own small FAQ (tests/conftest.py's MINIMAL_FAQ, or a few lines of YAML),
so it keeps meaning the same thing whatever the practice puts in faq.yaml; each Matcher is
built once per module, as encoding a FAQ's texts is the slow part.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from helpers.model_spy import texts_read
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cache_dir import default_cache_dir
from bot.decision import FEATURES, GATE_FEATURES, Decision, Logistic
from bot.embedding import ENCODERS, load_encoder, models_dir, shared_encoder
from bot.faq import Faq, parse_faq
from bot.matcher import (
    MAX_SUGGESTIONS,
    RIVAL_FLOOR,
    Match,
    Matcher,
    Status,
    vector_cache,
)
from tests.conftest import FAQ_HEADER, MINIMAL_FAQ

FULLWIDTH_HELLO = "".join(chr(ord(letter) + 0xFEE0) for letter in "hello")


def answered(match: Match) -> str | None:
    return match.entry.id if match.status is Status.ANSWER and match.entry else None


def offered(match: Match) -> list[str]:
    """The entries a match answers with or suggests."""
    ids = [suggestion.entry.id for suggestion in match.suggestions]
    return [answered(match), *ids] if answered(match) else ids


def assert_well_formed(match: Match) -> None:
    assert match.status in set(Status)
    assert 0 <= match.score <= 100
    assert (match.entry is not None) == (match.status is Status.ANSWER)
    assert (match.smalltalk is not None) == (match.status is Status.SMALLTALK)
    assert len(match.suggestions) <= MAX_SUGGESTIONS
    scores = [suggestion.score for suggestion in match.suggestions]
    assert scores == sorted(scores, reverse=True)
    if match.status is Status.SUGGEST:
        assert match.suggestions
    # a not-covered phrase is named, with its group's `no` line, only by a decline or a
    # suggestion
    assert (match.not_covered is None) == (match.no is None)
    if match.not_covered is not None:
        assert match.status in (Status.NONE, Status.SUGGEST)


def fitted_encoders() -> list[str]:
    """The encoders a decision is shipped for (static only once it has been fitted)."""
    return [
        name for name in ENCODERS
        if resources.files("bot").joinpath(f"data/decision-{name}.json").is_file()
    ]


@pytest.fixture(scope="module")
def small_faq() -> Faq:
    return parse_faq(MINIMAL_FAQ)


@pytest.fixture(scope="module")
def minimal(small_faq: Faq) -> Matcher:
    return Matcher(small_faq)


# -- answering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("Which conditions do you treat?", "conditions"),
        ("Do you treat sciatica?", "sciatica"),
        ("Can massage help sciatica?", "sciatica"),  # an alternate
        ("What is Swedish massage?", "swedish"),
        ("What is sports massage?", "sports"),
        ("WHAT IS SPORTS MASSAGE 🏃", "sports"),
    ],
)
def test_an_entrys_own_question_is_answered_with_it(
    minimal: Matcher, question: str, entry_id: str
) -> None:
    match = minimal.match(question)
    assert_well_formed(match)
    assert answered(match) == entry_id


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("can a massage help with my sciatic nerve pain", "sciatica"),
        ("tell me about swedish style massages", "swedish"),
        ("what does a sports massage involve", "sports"),
        ("which conditions can you help with", "conditions"),
        ("do u treat siatica", "sciatica"),  # a typo
    ],
)
def test_a_clear_paraphrase_is_answered_or_at_least_offered(
    minimal: Matcher, message: str, entry_id: str
) -> None:
    match = minimal.match(message)
    assert_well_formed(match)
    assert entry_id in offered(match)


@pytest.mark.parametrize(
    "message",
    [
        "what is the capital of France",
        "my cat is asleep",
        "how do I renew my passport",
        "what's the weather like",
        "qwerty",
    ],
)
def test_an_off_topic_message_is_not_answered(minimal: Matcher, message: str) -> None:
    match = minimal.match(message)
    assert_well_formed(match)
    assert match.status is not Status.ANSWER


def test_a_typed_word_not_in_the_faq_costs_less_when_it_is_everyday_english() -> None:
    # "kettle" is everyday chatter; "zorblax" might be the real topic the FAQ lacks
    matcher = Matcher(parse_faq(MINIMAL_FAQ), everyday=frozenset({"kettle"}))
    everyday = matcher.match("swedish massage kettle")
    unknown = matcher.match("swedish massage zorblax")
    assert everyday.score > unknown.score


# -- triage before matching -----------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "I have chest pain",
        "I have chest pain, do you treat sciatica?",  # urgent wins over an entry
        "sciatica and now I can't control my bladder",  # a built-in trigger
    ],
)
def test_urgent_wins(minimal: Matcher, message: str) -> None:
    match = minimal.match(message)
    assert_well_formed(match)
    assert match.status is Status.URGENT
    assert match.entry is None


def test_small_talk_wins_but_not_over_a_question(minimal: Matcher) -> None:
    hello = minimal.match("hello")
    assert_well_formed(hello)
    assert hello.status is Status.SMALLTALK
    assert hello.smalltalk is not None
    assert hello.smalltalk.reply == "Hello! Ask me about massage."  # the FAQ's own reply
    assert minimal.match(FULLWIDTH_HELLO).status is Status.SMALLTALK
    assert answered(minimal.match("hi there, do you treat sciatica?")) == "sciatica"


# -- the decision ---------------------------------------------------------------------------


def _decision(
    rank: dict[str, float], rank_bias: float, gate: dict[str, float], gate_bias: float,
    answer_at: float = 0.5, suggest_at: float = 0.5,
) -> Decision:
    """A decision made by hand: each model reads only the features named."""
    return Decision(
        rank=Logistic(tuple(rank.get(name, 0.0) for name in FEATURES), rank_bias),
        gate=Logistic(tuple(gate.get(name, 0.0) for name in GATE_FEATURES), gate_bias),
        answer_at=answer_at,
        suggest_at=suggest_at,
        source="test",
    )


# Both entries that hold "sciatica" are likely (one in its keywords, one in its answer); the
# gate answers only when the best has no rival.
RIVALRY = _decision({"lex_head": 10.0, "lex_body": 10.0}, -5.0, {"rival": -10.0}, 5.0)


def test_linked_entries_are_not_rivals(small_faq: Faq) -> None:
    # "conditions" and "sciatica" list each other as related: the answer offers the other
    linked = Matcher(small_faq, decision=RIVALRY).match("sciatica")
    assert linked.status is Status.ANSWER
    assert {s.entry.id for s in linked.suggestions} == {"conditions", "sciatica"}
    # the same two entries, unlinked, are rivals: neither is answered, both are offered
    unlinked_faq = parse_faq(
        MINIMAL_FAQ.replace("    related: [sciatica]\n", "").replace(
            "    related: [conditions]\n", ""
        )
    )
    # (not "sciatica" alone: that is the entry's own keyword, answered whatever the gate says)
    unlinked = Matcher(unlinked_faq, decision=RIVALRY).match("about sciatica")
    assert unlinked.status is Status.SUGGEST
    assert {s.entry.id for s in unlinked.suggestions} == {"conditions", "sciatica"}


def test_a_message_that_is_one_entrys_own_phrasing_is_answered_whatever_the_gate_says(
    small_faq: Faq,
) -> None:
    never_answers = _decision({"lex_head": 10.0}, -5.0, {}, -10.0)
    matcher = Matcher(small_faq, decision=never_answers)
    # its question, and a keyword, word for word (case, punctuation and emoji aside)
    assert answered(matcher.match("Do you treat sciatica?")) == "sciatica"
    assert answered(matcher.match("SCIATICA 😩")) == "sciatica"
    # anything more is the gate's to decide
    assert matcher.match("sciatica in my left leg").status is not Status.ANSWER


def test_a_phrasing_two_entries_share_word_for_word_is_not_answered_by_that_rule() -> None:
    faq = parse_faq(FAQ_HEADER + """\
entries:
  - {id: hot, question: What is hot stone massage?, keywords: [stones], answer: Hot.}
  - {id: cold, question: What is cold stone massage?, keywords: [stones], answer: Cold.}
""")
    never_answers = _decision({"lex_head": 10.0}, -5.0, {}, -10.0)
    match = Matcher(faq, decision=never_answers).match("stones")
    assert match.status is Status.SUGGEST
    assert {s.entry.id for s in match.suggestions} == {"hot", "cold"}


# A gate that answers only a message close to an entry's phrasing as a whole (fuzzy): a story
# around the question keeps the whole message from being answered.
CLOSE_ONLY = _decision({"lex_head": 10.0}, -5.0, {"fuzzy": 30.0}, -22.0)


def test_a_question_among_sentences_that_tell_is_answered_read_alone() -> None:
    matcher = Matcher(parse_faq(INSURANCE_FAQ), decision=CLOSE_ONLY)
    story = "My leg has tingled for weeks and my GP sent me here. Can massage help sciatica?"
    assert matcher.match(story.replace(". ", ", and ")).status is not Status.ANSWER
    assert answered(matcher.match(story)) == "sciatica"
    # a question that refers back needs the story: not read alone
    assert matcher.match("My GP says I have sciatica. Can massage help it?").status is not (
        Status.ANSWER
    )
    # the whole message names a not-covered topic the entry lacks
    priced = "Can massage help sciatica? I need to know the price first."
    assert matcher.match(priced).status is not Status.ANSWER


def test_the_shipped_decision_answers_an_item_though_its_linked_list_holds_it_too(
    minimal: Matcher,
) -> None:
    assert answered(minimal.match("sciatica")) == "sciatica"


SHARED_WORD_FAQ = FAQ_HEADER + """\
entries:
  - {id: alpha, question: What is alpha massage?, answer: Alpha.}
  - {id: beta, question: What is beta massage?, answer: Beta.}
  - {id: gamma, question: What is gamma massage?, answer: Gamma.}
  - {id: delta, question: What is delta massage?, answer: Delta.}
  - {id: epsilon, question: What is epsilon therapy?, answer: Epsilon.}
"""


@pytest.fixture(scope="module")
def shared_word_faq() -> Faq:
    return parse_faq(SHARED_WORD_FAQ)


def test_suggestions_are_the_likely_entries_best_first_and_at_most_three(
    shared_word_faq: Faq,
) -> None:
    never_answers = _decision({"lex_head": 10.0}, -5.0, {}, -10.0)
    match = Matcher(shared_word_faq, decision=never_answers).match("massage")
    assert match.status is Status.SUGGEST
    assert len(match.suggestions) == MAX_SUGGESTIONS
    # four entries hold "massage" equally: the FAQ's order breaks the tie
    assert [s.entry.id for s in match.suggestions] == ["alpha", "beta", "gamma"]
    assert not match.outside  # it names no not-covered topic
    assert_well_formed(match)


def test_nothing_likely_enough_is_declined(shared_word_faq: Faq) -> None:
    unlikely = _decision({"lex_head": 10.0}, -5.0, {}, -10.0, suggest_at=0.999)
    match = Matcher(shared_word_faq, decision=unlikely).match("massage")
    assert match.status is Status.NONE
    assert match.suggestions == ()


def test_the_gate_decides_the_answer(shared_word_faq: Faq) -> None:
    always = _decision({"lex_head": 10.0}, -5.0, {}, 10.0)
    match = Matcher(shared_word_faq, decision=always).match("epsilon therapy")
    assert answered(match) == "epsilon"
    assert match.score == pytest.approx(100.0, abs=0.1)  # the gate's probability, in percent


def test_a_word_unrelated_entries_share_equally_is_not_answered_with_one_of_them(
    shared_word_faq: Faq,
) -> None:
    # "massage" is in four questions alike: answering one of them is a guess. However sure
    # the gate, an entry the ranker finds unlikely in itself (no lead: 0.12 each) is not answered.
    # (The shipped decision's ranker gives each about 0.28 against a suggest_at of 0.26 and
    # answers with the closest by meaning: few real messages tie this way, and requiring a
    # likelier entry cost right answers in scripts/fit_decision.py's sets.)
    sure_gate = _decision({"lex_lead": 4.0}, -2.0, {}, 10.0, suggest_at=0.3)
    match = Matcher(shared_word_faq, decision=sure_gate).match("massage")
    assert_well_formed(match)
    assert match.status is not Status.ANSWER
    assert Matcher(shared_word_faq, decision=sure_gate).match("epsilon therapy").status is (
        Status.ANSWER
    )


# -- not_covered and an entry that asks about it --------------------------------------------

INSURANCE_FAQ = MINIMAL_FAQ.replace("entries:\n", """\
not_covered: [insurance, price, gift card]
entries:
  - id: insurance
    topic: Practical
    question: Do you accept health insurance?
    answer: |
      We accept most major health insurers for clinical massage with a referral.
      Please bring your policy number to your first session.
""")


@pytest.fixture(scope="module")
def insurance() -> Matcher:
    return Matcher(parse_faq(INSURANCE_FAQ))


def test_an_entry_wins_over_its_own_not_covered_topic(insurance: Matcher) -> None:
    assert answered(insurance.match("Do you accept health insurance?")) == "insurance"
    covered = insurance.match("does my health insurance cover a session?")
    assert_well_formed(covered)
    assert "insurance" in offered(covered)


def test_the_rest_of_not_covered_still_declines(insurance: Matcher) -> None:
    assert insurance.match("do you sell gift cards").status is not Status.ANSWER


def test_a_not_covered_topic_lowers_the_confidence_in_an_entry(insurance: Matcher) -> None:
    plain = insurance.match("what is swedish massage")
    priced = insurance.match("what is the price of swedish massage")
    assert answered(plain) == "swedish"
    assert priced.score < plain.score


def test_an_entry_is_offered_not_answered_when_the_message_names_a_topic_it_lacks() -> None:
    # "what causes" is listed as not covered: the message is clearly about sciatica, yet asks
    # what the FAQ says it does not answer. The sciatica entry is offered, not answered.
    matcher = Matcher(parse_faq(MINIMAL_FAQ.replace(
        "entries:\n", "not_covered: [what causes, price]\nentries:\n"
    )))
    assert answered(matcher.match("do you treat sciatica?")) == "sciatica"
    asked = matcher.match("what causes sciatica?")
    assert_well_formed(asked)
    assert asked.status is Status.SUGGEST
    assert offered(asked)[0] == "sciatica"
    # unless the entry itself holds the topic: then it is the entry's
    own = Matcher(parse_faq(MINIMAL_FAQ.replace(
        "entries:\n", "not_covered: [what causes, price]\nentries:\n"
    ).replace("question: Do you treat sciatica?", "question: What causes sciatica?")))
    assert answered(own.match("what causes sciatica?")) == "sciatica"


# -- a clear no: the not-covered phrase a decline named ---------------------------------------

NO = "{phrase} isn't on our list of treated conditions."
NAMING_GROUPS = """\
not_covered:
  business: [price, gift card]
  conditions not on our list:
    reply: "{phrase} isn't on our list of treated conditions."
    phrases: [psoriasis, eczema, allergy, allergies, dry, dry skin, baldness]
entries:
"""
NAMING_FAQ = MINIMAL_FAQ.replace("entries:\n", NAMING_GROUPS)
# the same phrases, with no `no` line
PLAIN_FAQ = MINIMAL_FAQ.replace("entries:\n", NAMING_GROUPS.replace(
    '    reply: "{phrase} isn\'t on our list of treated conditions."\n    phrases: ', "    "
))
DECLINED = [
    "do you treat psoriasis?",
    "can you help with my eczema or psoriasis",
    "do you treat allergies",
    "is massage good for an allergy",
    "my dry skin is itchy",
    "what is the price of a gift card",
    "zqxj vbnm",
]


@pytest.fixture(scope="module")
def naming() -> Matcher:
    return Matcher(parse_faq(NAMING_FAQ))


@pytest.mark.parametrize(
    ("message", "phrase"),
    [
        ("do you treat psoriasis?", "psoriasis"),
        ("Do you treat PSORIASIS", "psoriasis"),  # as faq.yaml writes it
        ("do you treat psoraisis", "psoriasis"),  # a typo, corrected
        ("can you help with my eczema or psoriasis", "eczema"),  # the first in the message
        ("do you treat allergies", "allergies"),  # of phrases alike, the one written
        ("is massage good for an allergy", "allergy"),
        ("my dry skin is itchy", "dry skin"),  # the longest there
    ],
)
def test_a_decline_names_the_condition_and_its_no_line(
    naming: Matcher, message: str, phrase: str
) -> None:
    match = naming.match(message)
    assert_well_formed(match)
    # declined, or on a FAQ this small some entry offered as a button under the clear no
    assert match.status in (Status.NONE, Status.SUGGEST)
    assert (match.not_covered, match.no) == (phrase, NO)


def test_a_suggestion_made_instead_of_an_answer_names_the_condition_too(
    naming: Matcher,
) -> None:
    # about sciatica, but naming a condition not on the list: sciatica is offered, and the
    # reply can say the clear no of the other first
    match = naming.match("psoriasis on my leg, do you treat sciatica?")
    assert_well_formed(match)
    assert match.status is Status.SUGGEST
    assert offered(match)[0] == "sciatica"
    assert (match.not_covered, match.no) == ("psoriasis", NO)
    # and sciatica's entry does not answer about psoriasis: the reply points to the practice
    assert match.outside


def test_a_decline_names_only_what_the_person_wrote(naming: Matcher) -> None:
    # the speller reads "balinese" as "baldness" (the nearest word the FAQ has): a clear no
    # must not name a condition the person never mentioned
    assert naming.speller.terms("balinese") == naming.speller.terms("baldness")
    match = naming.match("do you do balinese massage")
    assert match.status is Status.NONE
    assert (match.not_covered, match.no) == (None, None)


@pytest.mark.parametrize(
    "message", ["what is the price of a gift card", "zqxj vbnm", "do you do homework"]
)
def test_a_decline_naming_no_such_phrase_names_none(naming: Matcher, message: str) -> None:
    match = naming.match(message)
    assert match.status is Status.NONE
    assert (match.not_covered, match.no) == (None, None)


def test_an_answer_names_no_phrase(naming: Matcher) -> None:
    match = naming.match("do you treat sciatica?")
    assert answered(match) == "sciatica"
    assert (match.not_covered, match.no) == (None, None)


def test_a_no_line_never_changes_the_decision(naming: Matcher) -> None:
    plain = Matcher(parse_faq(PLAIN_FAQ))
    assert plain.faq.not_covered == naming.faq.not_covered
    assert plain.faq.not_covered_no == {}
    def decision(match: Match) -> tuple[object, ...]:
        suggested = [(s.entry.id, s.score) for s in match.suggestions]
        return match.status, match.score, answered(match), suggested, match.smalltalk

    for message in [*DECLINED, "do you treat sciatica?", "what is swedish massage", "hello"]:
        named, unnamed = naming.match(message), plain.match(message)
        assert unnamed.not_covered is None
        assert decision(named) == decision(unnamed), message


# -- candidates -----------------------------------------------------------------------------


def test_candidates_carry_every_feature_and_name_each_entry_once(minimal: Matcher) -> None:
    triaged, candidates = minimal.candidates("Do you treat sciatica?")
    assert triaged is None
    indexes = [candidate.index for candidate in candidates]
    assert len(indexes) == len(set(indexes))
    assert all(len(candidate.features) == len(FEATURES) for candidate in candidates)
    own = next(c for c in candidates if minimal.faq.entries[c.index].id == "sciatica")
    features = dict(zip(FEATURES, own.features, strict=True))
    assert features["sem_lead"] > 0.0
    assert features["lex_lead"] > 0.0
    assert features["sem_head"] > 0.9
    assert features["lex_head"] == pytest.approx(1.0)
    assert features["phrasing"] == pytest.approx(1.0)
    assert features["uncovered"] == 0.0


def test_a_lead_is_over_the_nearest_rival_or_the_floor_when_none_is_near(
    minimal: Matcher,
) -> None:
    # In a FAQ of a few entries nothing is close to an off-topic message but the best one, and
    # a lead over entries unrelated to the message says little: it is taken over RIVAL_FLOOR.
    for message in ("Do you treat sciatica?", "what is the capital of peru", "nerve massage"):
        _, candidates = minimal.candidates(message)
        assert len(candidates) == len(minimal.faq.entries)  # every entry: each rival is seen
        heads = [c.features[FEATURES.index("sem_head")] for c in candidates]
        for position, candidate in enumerate(candidates):
            head = heads[position]
            rival = max(h for other, h in enumerate(heads) if other != position)
            lead = candidate.features[FEATURES.index("sem_lead")]
            assert lead == pytest.approx(head - max(rival, RIVAL_FLOOR), abs=1e-6), message
    _, (only, *_) = Matcher(parse_faq(ONE_ENTRY_FAQ)).candidates("what is the capital of peru")
    assert only.features[FEATURES.index("sem_lead")] == pytest.approx(
        only.features[FEATURES.index("sem_head")] - RIVAL_FLOOR, abs=1e-6
    )


def test_candidates_report_triage_and_an_empty_message(minimal: Matcher) -> None:
    urgent, none = minimal.candidates("crushing chest pain")
    assert urgent is not None
    assert urgent.status is Status.URGENT
    assert none == []
    assert minimal.candidates("🙂 ?!") == (None, [])


def test_candidates_come_with_the_ask_lead_of_each(bundled_matcher: Matcher) -> None:
    asked = "what causes plantar fasciitis?"
    triaged, candidates, leads = bundled_matcher.candidates_and_leads(asked)
    assert triaged is None
    assert len(leads) == len(candidates) > 0
    assert all(lead <= 0 for lead in leads)  # a lead is how much closer a generic ask is
    assert [c.features for c in candidates] == [
        c.features for c in bundled_matcher.candidates(asked)[1]
    ]
    entries = [bundled_matcher.faq.entries[candidate.index].id for candidate in candidates]
    assert leads[entries.index("condition-plantar-fasciitis")] < 0  # "what causes it"
    urgent, none, no_leads = bundled_matcher.candidates_and_leads("crushing chest pain")
    assert urgent is not None
    assert none == no_leads == []


def test_a_not_covered_topic_is_a_feature_of_entries_lacking_it(insurance: Matcher) -> None:
    _, candidates = insurance.candidates("what is the price of swedish massage")
    uncovered = {
        insurance.faq.entries[c.index].id: c.features[FEATURES.index("uncovered")]
        for c in candidates
    }
    assert uncovered["swedish"] == 1.0


# -- any input ------------------------------------------------------------------------------

LONG_QUESTION = ("Do you treat sciatica? " * 200)[:4096]
RAMBLE = " ".join(
    f"word{n} about my day at the office and the weather" for n in range(1000)
)[:10_000]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", {Status.NONE}),
        ("   ", {Status.NONE}),
        ("🙂🙂🙂", {Status.NONE}),
        ("?!", {Status.NONE}),
        ("\x00" * 50, {Status.NONE}),
        ("\u202e\u200b\ufeff", {Status.NONE}),
        (LONG_QUESTION, {Status.ANSWER}),
        (RAMBLE, {Status.NONE, Status.SUGGEST}),
        ("Привет do you treat sciatica 你好", {Status.ANSWER}),
        ("مرحبا", {Status.NONE, Status.SUGGEST, Status.SMALLTALK}),
        ("%s %d {0}", {Status.NONE, Status.SUGGEST}),
        ("'; DROP TABLE faq; --", {Status.NONE, Status.SUGGEST}),
        ("<script>alert(1)</script>", {Status.NONE, Status.SUGGEST}),
        ("sciatica " * 1200, {Status.ANSWER}),  # 10,800 characters of one word
    ],
)
def test_bad_input_never_raises_and_gets_a_sensible_status(
    minimal: Matcher, message: str, expected: set[Status]
) -> None:
    match = minimal.match(message)
    assert_well_formed(match)
    assert match.status in expected
    if match.status is Status.ANSWER:
        assert answered(match) == "sciatica"


@pytest.mark.parametrize("message", [None, 42, b"do you treat sciatica", ["sciatica"]])
def test_a_message_that_is_not_text_is_declined(minimal: Matcher, message: object) -> None:
    match = minimal.match(message)  # type: ignore[arg-type]
    assert match == Match(Status.NONE)


@pytest.mark.parametrize(
    "message", ["\ud800", "do you treat sciatica \ud800", "swedish \udfff massage"]
)
def test_a_lone_surrogate_never_raises(minimal: Matcher, message: str) -> None:
    # Telegram's JSON may carry one ("\ud800" escapes decode to it); the tokenizer cannot
    # encode it
    assert_well_formed(minimal.match(message))


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_match_never_raises_on_any_text(minimal: Matcher, text: str) -> None:
    assert_well_formed(minimal.match(text))


# -- FAQs of other sizes --------------------------------------------------------------------

ONE_ENTRY_FAQ = """\
disclaimer: Not medical advice.
entries:
  - id: sciatica
    question: Do you treat sciatica?
    answer: Yes, clinical massage can ease sciatic pain.
"""


@pytest.fixture(scope="module")
def single() -> Matcher:
    return Matcher(parse_faq(ONE_ENTRY_FAQ))


def test_a_faq_of_one_entry_answers_its_question(single: Matcher) -> None:
    assert answered(single.match("Do you treat sciatica?")) == "sciatica"
    assert single.match("hello").status is Status.SMALLTALK


@pytest.mark.parametrize(
    "message", ["what is the capital of France", "my cat is asleep", "qwerty"]
)
def test_a_faq_of_one_entry_does_not_answer_everything_with_it(
    single: Matcher, message: str
) -> None:
    match = single.match(message)
    assert_well_formed(match)
    assert match.status is not Status.ANSWER


PARTS = "neck shoulder elbow wrist hand hip knee ankle foot jaw thigh spine toe shin heel".split()
PROBLEMS = (
    "pain stiffness cramp strain swelling tension injury weakness clicking numbness burning"
    " twinges spasms bruising tenderness locking grinding popping instability scarring"
).split()


def generated_faq() -> str:
    """A FAQ of 300 entries, one per body part and problem."""
    lines = ["disclaimer: Not medical advice.", "entries:"]
    for part in PARTS:
        for problem in PROBLEMS:
            lines += [
                f"  - id: {part}-{problem}",
                f"    topic: {part.title()}",
                f"    question: Can massage help {part} {problem}?",
                f"    answer: Massage may ease {problem} in the {part} for some people.",
            ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def big() -> Matcher:
    # the static encoder keeps this fast: a few hundred texts embed in a fraction of a second
    return Matcher(parse_faq(generated_faq()), encoder=load_encoder("static"))


def test_a_faq_of_a_few_hundred_entries_builds_and_matches(big: Matcher) -> None:
    assert len(big.faq.entries) == len(PARTS) * len(PROBLEMS) == 300
    wrong = [
        entry.id for entry in big.faq.entries if answered(big.match(entry.question)) != entry.id
    ]
    assert wrong == []
    assert "knee-clicking" in offered(big.match("my knee keeps clicking"))
    assert big.match("what is the capital of France").status is not Status.ANSWER
    assert big.match("hello").status is Status.SMALLTALK


# -- encoders and caches --------------------------------------------------------------------


@pytest.mark.parametrize("encoder", fitted_encoders())
def test_a_matcher_works_with_each_encoder_a_decision_is_fitted_for(
    small_faq: Faq, encoder: str
) -> None:
    matcher = Matcher(small_faq, encoder=load_encoder(encoder))
    assert matcher.decision.source == f"data/decision-{encoder}.json"
    for entry in small_faq.entries:
        assert answered(matcher.match(entry.question)) == entry.id
    assert matcher.match("what is the capital of France").status is not Status.ANSWER
    assert matcher.match("I have chest pain").status is Status.URGENT


def test_a_matcher_caches_its_faqs_vectors_in_the_cache_dir(
    tmp_path: Path, small_faq: Faq
) -> None:
    Matcher(small_faq, encoder=shared_encoder("static"), cache_dir=tmp_path)
    assert (tmp_path / "static.npz").is_file()


def test_the_cache_dir_comes_from_the_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"EMBEDDING_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert default_cache_dir({"EMBEDDING_CACHE_DIR": ""}) is None  # no cache at all
    assert default_cache_dir({"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/clinic-faq-bot")


@pytest.mark.parametrize("size", [0, 1, 4, 5, 6, 40, 3000])
def test_top_indexes_are_a_stable_argsorts_first_few(size: int) -> None:
    from bot.matcher import top_indexes

    rng = np.random.default_rng(size)
    for _ in range(20):
        # few distinct values, so ties (kept in index order) are common
        scores = rng.integers(0, 4, size).astype(np.float32)
        expected = np.argsort(-scores, kind="stable")[:5]
        assert list(top_indexes(scores, 5)) == list(expected)


def test_two_encoders_of_one_name_but_other_weights_do_not_share_faq_vectors(
    tmp_path: Path,
) -> None:
    # A cache keyed by the encoder's name alone gave the second matcher the first one's FAQ
    # vectors, and with them its encoder.
    copied = tmp_path / "minilm-static"
    shutil.copytree(models_dir() / "minilm-static", copied)
    table = np.load(copied / "embeddings.npy")
    np.save(copied / "embeddings.npy", table[:, ::-1].copy())  # the same words, other vectors
    shipped, other = load_encoder("static"), load_encoder("static", tmp_path)
    assert shipped.name == other.name
    assert vector_cache(shipped) is not vector_cache(other)
    assert vector_cache(load_encoder("static")) is vector_cache(shipped)  # same revision
    faq = parse_faq(MINIMAL_FAQ)
    question = "is a stiff neck something you can help with"
    _, first = Matcher(faq, encoder=shipped).candidates(question)
    _, second = Matcher(faq, encoder=other).candidates(question)
    assert first
    assert second
    assert first[0].features != second[0].features


def test_the_model_reads_a_misspelt_word_as_the_speller_corrects_it(
    bundled_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the sentence model reads "deap tisue" as noise; the speller knows it is "deep tissue"
    read = texts_read(bundled_matcher, monkeypatch)
    bundled_matcher.match("I don't know if deap tisue is good for my bak")
    assert read == ["I don't know if deep tissue is good for my back"]
    bundled_matcher.match("Do you treat sciatica?")  # nothing to mend: read as written
    assert read[-1] == "Do you treat sciatica?"


def test_the_model_reads_an_abbreviation_spelled_out(
    bundled_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "OA" means little to the model; "osteoarthritis" is a word it knows
    read = texts_read(bundled_matcher, monkeypatch)
    bundled_matcher.match("OA in both knees, can massage help")
    assert read == ["OA (osteoarthritis) in both knees, can massage help"]
    bundled_matcher.match("doms after leg day")
    assert read[-1] == "doms (delayed onset muscle soreness) after leg day"


@pytest.mark.parametrize(
    ("message", "read_as"),
    [
        # a letter's greeting and sign-off, and the signature after it
        (
            "Dear team, could you outline the benefits of a clinical massage? Best regards,"
            " Dr. P. Hughes",
            "could you outline the benefits of a clinical massage?",
        ),
        ("Hi there! Do you treat sciatica? Thanks in advance", "Do you treat sciatica?"),
        # what goes on asking after thanks is kept, and so is "can you help?"
        ("Do you treat migraines? Great, and sciatica", "Do you treat migraines? and sciatica"),
        ("stiff neck from my pillow. Can you help?", "stiff neck from my pillow. Can you help?"),
    ],
)
def test_the_courtesies_around_a_question_are_not_matched(
    bundled_matcher: Matcher, monkeypatch: pytest.MonkeyPatch, message: str, read_as: str
) -> None:
    read = texts_read(bundled_matcher, monkeypatch)
    bundled_matcher.match(message)
    assert read == [read_as]


def test_a_question_in_a_letter_is_answered_as_the_question_alone(
    bundled_matcher: Matcher,
) -> None:
    bare = bundled_matcher.match("Could you outline the benefits of a clinical massage session?")
    letter = bundled_matcher.match(
        "Dear team, could you outline the benefits of a clinical massage session?"
        " Best regards, Dr. P. Hughes"
    )
    assert bare.status is Status.ANSWER
    assert (letter.status, letter.entry) == (bare.status, bare.entry)


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        # who gave the diagnosis is not what is asked about
        ("I grind my teeth at night and my jaw clicks. Dentist said TMD. Can massage help?",
         "condition-tmd"),
        ("my chiropractor thinks I have thoracic outlet syndrome, is that something you see",
         "condition-thoracic-outlet"),
        # nor is the booking a question is asked before
        ("Hello! Before I book, could you list the conditions you work with?", "conditions"),
    ],
)
def test_a_not_covered_word_that_only_sets_the_scene_does_not_hold_an_answer_back(
    bundled_matcher: Matcher, message: str, entry_id: str
) -> None:
    match = bundled_matcher.match(message)
    assert (match.status, match.entry and match.entry.id) == (Status.ANSWER, entry_id)


@pytest.mark.parametrize(
    "message",
    [
        "do you have a dentist on site?",
        "before I book, how much is it?",  # the question itself is the business side
        "I want to book before Friday",  # nothing else asks: the booking is the message
    ],
)
def test_a_not_covered_topic_asked_about_is_still_not_answered(
    bundled_matcher: Matcher, message: str
) -> None:
    assert bundled_matcher.match(message).status is not Status.ANSWER


def test_the_scene_is_a_clause_opened_by_before_or_since_when_another_clause_asks(
    bundled_matcher: Matcher,
) -> None:
    def scene(text: str) -> frozenset[int]:
        return bundled_matcher._scene(text, *bundled_matcher.speller.words_by_clause(text))

    assert scene("Before I book, what is cupping?") == frozenset({0, 1, 2})
    assert scene("Since I am pregnant, can I have a massage?") == frozenset({0, 1, 2, 3})
    assert scene("Before I book, I want a price") == frozenset()  # nothing else asks
    assert scene("What is cupping? I will book after") == frozenset()
