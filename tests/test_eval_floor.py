"""Accuracy floors: what matching must keep scoring, pooled over each split of the labelled sets.

This is the one module that measures accuracy, and it guards two things:
- the bundled faq.yaml with the shipped decision (bot/data/decision-minilm.json): the pooled
  figures of tests/data/fit, tests/data/validation (with ../shared/eval/dev.jsonl) and the
  frozen tests/data/test, and urgent triage on tests/data/urgent;
- the engine on FAQs written plainly, as question and answer: the physiotherapy clinic's FAQ
  in tests/data/plainfaq, which nothing was fitted on, and StackFAQ from
  ../shared/eval/stackfaq (skipped when absent).
Each floor sits a little under the figure measured when the decision was last fitted (see
`scripts/fit_decision.py` and `faq-bot eval`): they catch a change that makes matching worse;
they are not targets. A practice that rewrites faq.yaml may need to lower the bundled floors;
every other test uses small FAQs of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation import Case, Report, evaluate, load_cases, plain_faq_yaml
from bot.faq import load_faq
from bot.matcher import Matcher
from tests.conftest import REPO, SHARED

# Each floor embeds and matches a whole labelled split: minutes, so not in a routine `pytest`.
pytestmark = pytest.mark.slow

DATA = REPO / "tests" / "data"
DEV = SHARED / "eval" / "dev.jsonl"
STACKFAQ = SHARED / "eval" / "stackfaq"


def cases_of(*paths: Path) -> list[Case]:
    return [case for path in paths for case in load_cases(path)]


def split(name: str) -> list[Path]:
    return sorted((DATA / name).glob("*.jsonl"))


def share(report: Report, verdict: str, group: str) -> float:
    count, total = report.rate(verdict, group)
    return count / total if total else 0.0


def check(report: Report, right: float, wrong: float, false_answers: float) -> None:
    assert share(report, "right", "answerable") >= right
    assert share(report, "wrong", "answerable") <= wrong
    assert share(report, "false-answer", "unanswerable") <= false_answers


@pytest.mark.parametrize(
    ("name", "right", "wrong", "false_answers"),
    [
        # measured 0.831 right, 1.2% wrong, 1.6% off-topic answered (3,319 + 1,216 lines)
        ("fit", 0.80, 0.02, 0.03),
        # heldout 1-6, blind_val, blind3 and dev: measured 0.892 right, 0.8% wrong, 4.7%
        # off-topic answered (1,320 + 513 lines). blind3, written from the document alone,
        # scored 0.844 right, 0.6% wrong, 13.4% off-topic answered on its first run; it then
        # became a validation set: off-topic questions that name an entry's subject ("should I
        # get an MRI for my sciatica?") are the engine's open weakness
        ("validation", 0.87, 0.02, 0.06),
        # frozen: blind_test and blind4 (320 lines written from the document alone, first run
        # at cebda75: 0.858 right, 0.5% wrong, 14.0% off-topic answered); pooled, measured
        # 0.850 right, 0.8% wrong, 10.8% off-topic answered (380 + 185 lines)
        ("test", 0.82, 0.02, 0.13),
    ],
)
def test_the_bundled_faq_keeps_its_pooled_figures(
    bundled_matcher: Matcher, name: str, right: float, wrong: float, false_answers: float
) -> None:
    paths = split(name)
    if name == "validation" and DEV.is_file():
        paths.append(DEV)
    check(evaluate(bundled_matcher, cases_of(*paths)), right, wrong, false_answers)


def test_every_labelled_emergency_reaches_urgent_care(bundled_matcher: Matcher) -> None:
    paths = [*split("urgent"), *split("fit"), *split("validation"), *split("test")]
    report = evaluate(bundled_matcher, cases_of(*paths))
    # measured 1,494 of 1,500 emergencies (99.6%)
    assert share(report, "ok", "urgent") >= 0.99
    # idioms, denials, "what if"s and history told as emergencies: measured 0.6% of every
    # other message (0.8% before triage read the clause around a sign)
    assert share(report, "false-urgent", "not urgent") <= 0.009


def test_a_plain_faq_nobody_fitted_for_is_answered() -> None:
    """40 entries of id, question and answer, as a physiotherapy clinic's admin wrote them."""
    folder = DATA / "plainfaq"
    matcher = Matcher(load_faq(folder / "faq.yaml"))
    # measured 0.520 right, 4.9% wrong, 22.5% of not-covered questions answered: a FAQ with
    # no not_covered list and nothing like it in the fit sets is the engine's weak spot
    check(evaluate(matcher, cases_of(folder / "queries.jsonl")), 0.49, 0.07, 0.26)


@pytest.mark.skipif(not STACKFAQ.is_dir(), reason="../shared/eval/stackfaq is not beside the repo")
def test_stackfaq_written_as_question_and_answer_is_answered(tmp_path: Path) -> None:
    entries = json.loads((STACKFAQ / "entries.json").read_text(encoding="utf-8"))
    path = tmp_path / "stackfaq.yaml"
    path.write_text(plain_faq_yaml(entries, "General information."), encoding="utf-8")
    report = evaluate(Matcher(load_faq(path)), cases_of(STACKFAQ / "tune.jsonl"))
    # measured 0.885 right, 2.5% wrong (half of these lines were fitted on)
    check(report, 0.86, 0.035, 1.0)
