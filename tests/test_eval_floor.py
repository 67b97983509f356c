"""Accuracy floors of the engine on FAQs written plainly, as question and answer.

FAQs nobody fitted the decision for: the physiotherapy clinic's FAQ in tests/data/plainfaq, a
dental practice's, a travel clinic's, a public-health centre's, an optician's, a sports
massage studio's, a podiatry clinic's, another physiotherapy clinic's and a complementary-health
centre's in tests/data/plainval, and StackFAQ from ../shared/eval/stackfaq (skipped
when absent). Each floor sits a little under the figure measured when the decision was last
fitted (see `scripts/fit_decision.py` and `faq-bot eval`), and every emergency among a set's
messages must be routed: they catch a change that makes matching worse; they are not targets.

The floors of the bundled faq.yaml on the labelled sets (tests/data/fit, validation, test,
urgent) are about the shipped content: they are in tests/test_bundled_faq.py, with the other
checks a practice that edits faq.yaml may skip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.floors import DATA, cases_of, check

from bot.evaluation import evaluate, plain_faq_yaml
from bot.faq import load_faq
from bot.matcher import Matcher
from tests.conftest import SHARED

# Each floor embeds and matches a whole labelled split: minutes, so not in a routine `pytest`.
pytestmark = pytest.mark.slow

DEV = SHARED / "eval" / "dev.jsonl"
STACKFAQ = SHARED / "eval" / "stackfaq"


def test_a_plain_faq_nobody_fitted_for_is_answered() -> None:
    """40 entries of id, question and answer, as a physiotherapy clinic's admin wrote them."""
    folder = DATA / "plainfaq"
    matcher = Matcher(load_faq(folder / "faq.yaml"))
    # measured 0.549 right, 2.9% wrong, 15.0% of not-covered questions answered (0.512, 3.7%,
    # 13.8% before the gate read what a message asks of its subject; 0.508, 3.7%, 16.3% before
    # each entry was also read whole): a FAQ with no not_covered list and nothing like it in
    # the fit sets is the engine's weak spot
    check(evaluate(matcher, cases_of(folder / "queries.jsonl")), 0.49, 0.07, 0.26)


@pytest.mark.parametrize(
    ("practice", "right", "wrong", "false_answers"),
    [
        # measured 0.696 right, 3.3% wrong, 8.7% of not-covered questions answered (first run,
        # before each entry was also read whole: 0.671, 4.6%, 16.3%)
        ("dental", 0.66, 0.06, 0.15),
        # measured 0.733 right, 3.3% wrong, 10.0% (first run 0.708, 4.2%, 11.3%)
        ("travelclinic", 0.70, 0.05, 0.15),
        # measured 0.713 right, 2.9% wrong, 16.3% (first run, at f5b860b before the gate read
        # what a message asks of its subject: 0.692, 3.7%, 20.0%)
        ("publichealth", 0.68, 0.05, 0.22),
        # measured 0.670 right, 4.0% wrong, 20.0% of off-topic and small-talk messages
        # answered, 20 of 20 emergencies routed (first run, at 6958be5 before answers were also
        # read sentence by sentence: 0.665, 4.5%, 19.0%, 13 of 20: the built-in triage then
        # lacked a chemical or a shard in the eye, flashes with new floaters, sight going black)
        ("optician", 0.63, 0.06, 0.26),
        # a sports massage studio (40 entries), written blind by a helper who read nothing of
        # the repository, with emergencies, small talk and 54 off-topic questions that name an
        # entry's subject ("what brand of kinesiology tape do you use?"); first run at 5b9e8cd:
        # 0.620 right, 4.0% wrong, 40.0% of off-topic and small-talk messages answered, 19 of
        # 20 emergencies routed (static 0.455, 6.5%, 31.0%); 20 of 20 once the built-in triage
        # read a head struck in German ("mit dem Kopf aufgeprallt"). Near misses of a plain
        # FAQ's subjects are the engine's weakest point.
        ("sports", 0.58, 0.06, 0.45),
        # three more, written blind by helpers who read nothing of the repository, each with
        # 20 emergencies, 20 small-talk messages and mostly near misses among its off-topic
        # ones; first runs at 3cafa08, nothing changed for them since:
        # a podiatry clinic (60 of 80 near misses): 0.640 right, 6.5% wrong, 35.0% answered
        # (static 0.400, 1.0%, 23.0%)
        ("podiatry", 0.60, 0.09, 0.40),
        # a physiotherapy clinic (80 of 100): 0.611, 2.8%, 32.5% (static 0.383, 3.3%, 20.8%)
        ("physio", 0.57, 0.05, 0.37),
        # a complementary-health centre (87 of 100; its answerable messages often ask what two
        # entries both touch, such as a price or a voucher): 0.550, 11.1%, 29.2%, 19 of 20
        # emergencies routed (static 0.311, 7.2%, 21.7%); 20 of 20 once a building on fire
        # was urgent
        ("wellbeing", 0.51, 0.14, 0.34),
    ],
)
def test_plain_faqs_of_other_practices_are_answered(
    practice: str, right: float, wrong: float, false_answers: float
) -> None:
    """36 or 40 entries of id, question and answer each: a dental practice, a travel clinic,
    a public-health centre, an optician, a sports massage studio, a podiatry clinic, a
    physiotherapy clinic and a complementary-health centre (the last five's messages also hold
    emergencies, small talk, and messages labelled with two right entries)."""
    folder = DATA / "plainval" / practice
    matcher = Matcher(load_faq(folder / "faq.yaml"))
    check(evaluate(matcher, cases_of(folder / "queries.jsonl")), right, wrong, false_answers)


@pytest.mark.skipif(not STACKFAQ.is_dir(), reason="../shared/eval/stackfaq is not beside the repo")
def test_stackfaq_written_as_question_and_answer_is_answered(tmp_path: Path) -> None:
    entries = json.loads((STACKFAQ / "entries.json").read_text(encoding="utf-8"))
    path = tmp_path / "stackfaq.yaml"
    path.write_text(plain_faq_yaml(entries, "General information."), encoding="utf-8")
    cases = cases_of(STACKFAQ / "tune.jsonl", DATA / "stackfaq" / "off_topic.jsonl")
    report = evaluate(Matcher(load_faq(path)), cases)
    # measured 0.887 right, 2.0% wrong (half of these lines were fitted on), and 13.1% of the
    # 160 off-topic messages written for StackFAQ answered (none fitted on: a plain FAQ has no
    # not_covered list, and nothing tells the bot what it does not cover; 9.4% before the gate
    # read what a message asks of its subject)
    check(report, 0.86, 0.035, 0.17)


@pytest.mark.skipif(not STACKFAQ.is_dir(), reason="../shared/eval/stackfaq is not beside the repo")
def test_stackfaq_with_two_alternates_per_entry_is_answered_more_often(tmp_path: Path) -> None:
    """The same FAQ after an admin added two other ways to ask each entry (`alternates_b`)."""
    entries = json.loads((STACKFAQ / "entries.json").read_text(encoding="utf-8"))
    lines = ['disclaimer: "General information."', "entries:"]
    for entry in entries:
        lines += [
            f"  - id: {entry['id']}",
            f"    question: {json.dumps(entry['question'])}",
            "    alternates:",
            *(f"      - {json.dumps(alternate)}" for alternate in entry["alternates_b"]),
            f"    answer: {json.dumps(entry['answer'])}",
        ]
    path = tmp_path / "stackfaq.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = evaluate(Matcher(load_faq(path)), cases_of(STACKFAQ / "tune.jsonl"))
    # measured 0.952 right, 2.0% wrong (on the odd lines alone, which nothing was fitted on:
    # 0.940 right, 3.0% wrong; without the alternates 0.884 and 3.0%)
    check(report, 0.92, 0.03, 1.0)
