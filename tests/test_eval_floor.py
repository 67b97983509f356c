"""Regression floor: the matcher's figures on the labelled sets must not slip.

The dev set is the issue's acceptance bar. The held-out sets in tests/data (heldout to
heldout6) were written blind to the matcher and are never tuned on line by line; their floors
guard generalisation, they are not targets. The tuning sets were written blind too, then tuned on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import evaluate, load_cases
from bot.matcher import Matcher, Status
from tests.conftest import REPO, SHARED

DEV = SHARED / "eval" / "dev.jsonl"
DATA = REPO / "tests" / "data"


def figures(matcher: Matcher, path: Path) -> dict[str, float]:
    report = evaluate(matcher, load_cases(path))

    def share(verdict: str, group: str) -> float:
        count, total = report.rate(verdict, group)
        return count / total if total else 0.0

    calm = [o for o in report.outcomes if o.case.kind != "urgent"]
    return {
        "accuracy": share("right", "answerable"),
        "wrong": share("wrong", "answerable"),
        "false_answers": share("false-answer", "unanswerable"),
        "urgent_recall": share("ok", "urgent"),
        # messages that are not emergencies but got the urgent-care reply
        "false_urgent": (
            sum(o.match.status is Status.URGENT for o in calm) / len(calm) if calm else 0.0
        ),
    }


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/eval/dev.jsonl is not beside the repo")
def test_dev_set_meets_the_acceptance_bar(bundled_matcher: Matcher) -> None:
    result = figures(bundled_matcher, DEV)
    assert result["accuracy"] >= 0.97
    assert result["wrong"] == 0.0
    assert result["false_answers"] == 0.0
    assert result["urgent_recall"] == 1.0


@pytest.mark.parametrize(
    ("name", "accuracy", "wrong", "false_answers"),
    [
        ("tuning.jsonl", 0.95, 0.01, 0.02),
        ("heldout.jsonl", 0.94, 0.02, 0.05),
        ("tuning2.jsonl", 0.88, 0.03, 0.03),
        ("tuning3.jsonl", 0.95, 0.02, 0.03),
        ("heldout2.jsonl", 0.88, 0.03, 0.05),
        ("heldout3.jsonl", 0.91, 0.03, 0.05),
        ("tuning4.jsonl", 0.88, 0.02, 0.03),
        ("tuning5.jsonl", 0.87, 0.04, 0.03),
        ("heldout4.jsonl", 0.93, 0.02, 0.05),
        ("tuning6.jsonl", 0.90, 0.05, 0.03),
        ("tuning7.jsonl", 0.87, 0.05, 0.05),
        ("tuning8.jsonl", 0.90, 0.03, 0.03),
        ("tuning9.jsonl", 0.84, 0.04, 0.06),
        ("heldout5.jsonl", 0.90, 0.03, 0.05),
        ("tuning10.jsonl", 0.93, 0.02, 0.04),
        ("tuning11.jsonl", 0.84, 0.06, 0.03),
        # first runs 0.925 (the mix) and 0.767 (symptoms in lay words, sceptics,
        # look-alikes of entries)
        ("tuning12.jsonl", 0.93, 0.02, 0.02),
        ("tuning13.jsonl", 0.83, 0.05, 0.07),
        # first runs 0.867 (clinical vocabulary, abbreviations, misspelt medical words) and
        # 0.837 (first-time visitors on the general questions, mixed messages)
        ("tuning14.jsonl", 0.92, 0.03, 0.02),
        ("tuning15.jsonl", 0.86, 0.03, 0.02),
        # first runs 0.967 (the mix) and 0.926 (phone typing: fragments, run-together
        # words, voice-to-text)
        ("tuning16.jsonl", 0.95, 0.02, 0.05),
        ("tuning17.jsonl", 0.93, 0.03, 0.05),
        # first runs 0.547 (long messages with a story around the question), 0.855 (fragments,
        # keyword searches, look-alikes of listed conditions) and 0.836 (formal writers,
        # carers, sceptics; half on the general questions)
        ("tuning18.jsonl", 0.80, 0.06, 0.06),
        ("tuning19.jsonl", 0.87, 0.03, 0.02),
        ("tuning20.jsonl", 0.83, 0.06, 0.02),
        # first runs 0.915 (the mix), 0.933 with 13% false answers (greetings and
        # sign-offs around the question; out-of-scope questions naming a treated condition in
        # passing) and 0.607 (every condition and reason told as symptoms and situations)
        ("tuning21.jsonl", 0.90, 0.04, 0.03),
        ("tuning22.jsonl", 0.91, 0.04, 0.05),
        ("tuning23.jsonl", 0.70, 0.13, 0.04),
        # written blind before this round of tuning; first run 0.914, 3.4% wrong
        ("heldout6.jsonl", 0.89, 0.04, 0.05),
    ],
)
def test_question_sets_stay_above_their_floor(
    bundled_matcher: Matcher, name: str, accuracy: float, wrong: float, false_answers: float
) -> None:
    result = figures(bundled_matcher, DATA / name)
    assert result["accuracy"] >= accuracy
    assert result["wrong"] <= wrong
    assert result["false_answers"] <= false_answers
    assert result["urgent_recall"] >= 0.95


def test_every_urgent_wording_we_know_is_routed_to_urgent_care(bundled_matcher: Matcher) -> None:
    """tests/data/urgent.jsonl: red-flag messages gathered while widening the triggers."""
    assert figures(bundled_matcher, DATA / "urgent.jsonl")["urgent_recall"] == 1.0


def test_a_blind_set_of_emergencies_reaches_urgent_care(bundled_matcher: Matcher) -> None:
    """tests/data/urgent2.jsonl: 167 emergencies and 50 look-alikes (old injuries, idioms),
    written blind. The triggers were widened from its misses; a lone "help" is left (a person
    asking how the bot works says that too). "hurting her" reaches urgent care only with who is
    hurting her ("her husband is hurting her"): hurt is folded into pain, so the words alone
    would also fire on "her back is hurting her"."""
    result = figures(bundled_matcher, DATA / "urgent2.jsonl")
    assert result["urgent_recall"] >= 0.98
    assert result["false_urgent"] <= 0.06  # 3 of 50: idioms ("my boss gives me a heart attack")


@pytest.mark.parametrize(
    ("name", "recall", "false_urgent"),
    [
        # first run 121/159 reached urgent care; its misses gave the word classes
        ("urgent3.jsonl", 0.99, 0.12),
        # first run 146/192 (after urgent3's classes); its misses gave more kinds of sign
        ("urgent4.jsonl", 0.99, 0.23),
        # first run 119/150 (after urgent4's signs)
        ("urgent5.jsonl", 0.98, 0.10),
        # first run 133/170 (after urgent5's signs): heart signs without pain, a face that
        # droops, retention, allergens, skull fracture signs, indirect suicide wordings
        ("urgent6.jsonl", 0.99, 0.10),
    ],
)
def test_more_blind_sets_of_emergencies_reach_urgent_care(
    bundled_matcher: Matcher, name: str, recall: float, false_urgent: float
) -> None:
    """Emergencies in many voices, and look-alikes: old events ("a stroke in 2018"), idioms,
    questions about emergencies ("what are the signs of a stroke?"), which may get the urgent
    reply (it is harmless there) but should mostly not."""
    result = figures(bundled_matcher, DATA / name)
    assert result["urgent_recall"] >= recall
    assert result["false_urgent"] <= false_urgent

