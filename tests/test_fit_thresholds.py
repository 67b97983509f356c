"""The decision's thresholds (scripts/fit_decision.py): the gate's follows from what a wrong
answer costs; the suggestions' is chosen out of fold, each part of the fit rows decided by a
rank and gate fitted on the other part, on questions the models did not see."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import MINIMAL_FAQ

from bot.decision import FEATURES, GATE_FEATURES, Decision, Logistic
from bot.faq import parse_faq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import fit_decision
from fit_decision import (
    ANSWER_AT,
    VETO_GRID,
    Row,
    choose_ask_veto,
    choose_thresholds,
    fit_gate,
    fit_rank,
    folds_of,
)

ENTRIES = list(parse_faq(MINIMAL_FAQ).entries)


def rows(dataset: str, faq: str, count: int, seed: int) -> list[Row]:
    """Questions with two candidates each, the first right when its first feature is higher."""
    rng = np.random.default_rng(seed)
    made = []
    for _ in range(count):
        features = rng.normal(size=(2, len(FEATURES)))
        labels = np.array([1.0, 0.0]) if features[0, 0] > features[1, 0] else np.array([0.0, 1.0])
        made.append(Row(
            dataset, faq, "answerable", None, features, labels, ENTRIES[:2], [0, 1],
            np.minimum(0.0, rng.normal(size=2)),
        ))
    return made


def test_a_faq_asked_in_several_files_is_split_by_file_and_one_file_by_line() -> None:
    first, second = rows("b.jsonl", "bundled", 30, 1), rows("a.jsonl", "bundled", 30, 2)
    stack = rows("stack", "stackfaq", 40, 3)
    folds = folds_of([*first, *second, *stack])
    assert len(folds) == 2
    held = [{id(row) for row in fold.rows} for fold in folds]
    assert held[0].isdisjoint(held[1])
    assert held[0] | held[1] == {id(row) for row in [*first, *second, *stack]}
    # by file: the files in name order, alternately; by line: alternate lines
    assert {id(row) for row in second} <= held[0]
    assert {id(row) for row in first} <= held[1]
    assert {id(row) for row in stack[::2]} <= held[0]
    assert {id(row) for row in stack[1::2]} <= held[1]


def test_each_fold_is_decided_by_models_fitted_without_it() -> None:
    everything = [*rows("a.jsonl", "bundled", 40, 4), *rows("b.jsonl", "bundled", 40, 5)]
    folds = folds_of(everything)
    for fold in folds:
        others = [row for row in everything if all(row is not held for held in fold.rows)]
        rank = fit_rank(others)
        assert fold.rank == rank
        assert fold.gate == fit_gate(others, rank)


def test_the_answer_threshold_does_not_move_with_the_rows_the_suggestions_one_may() -> None:
    chosen = []
    for seed in (8, 9):
        everything = [
            *rows("a.jsonl", "bundled", 40, seed), *rows("b.jsonl", "bundled", 40, seed + 10)
        ]
        rank = fit_rank(everything)
        decision = choose_thresholds(everything, rank, fit_gate(everything, rank))
        assert decision.answer_at == ANSWER_AT
        assert 0 < decision.suggest_at < 1
        chosen.append(decision)
    assert chosen[0].rank != chosen[1].rank  # other rows, other weights: same answer_at


@pytest.mark.parametrize(
    ("costs", "chosen"),
    [
        # several vetoes cost the least: the strictest of them, a guard the fit sets do not pay
        ({-math.inf: 1.0, -0.6: 1.0, -0.3: 0.9, -0.25: 0.9, -0.2: 0.9}, -0.2),
        # none costs less than no veto, and the ones that cost the same come first: still free
        ({-math.inf: 1.0, -0.6: 1.0}, -0.6),
        # every veto costs more than none: no veto
        ({-math.inf: 1.0}, -math.inf),
        # a lower cost wins over a stricter veto that costs a little more
        ({-math.inf: 1.0, -0.4: 0.8, -0.35: 0.8001}, -0.4),
    ],
)
def test_the_ask_veto_is_the_strictest_of_those_that_cost_least(
    monkeypatch: pytest.MonkeyPatch, costs: dict[float, float], chosen: float
) -> None:
    # the decision's weights do not matter here: cost() is replaced; any veto not listed
    # costs more than no veto at all
    monkeypatch.setattr(
        fit_decision, "cost", lambda _rows, trial: costs.get(trial.ask_veto, 2.0)
    )
    assert set(costs) - {-math.inf} <= set(VETO_GRID)
    decision = Decision(
        Logistic((0.0,) * len(FEATURES), 0.0), Logistic((0.0,) * len(GATE_FEATURES), 0.0),
        ANSWER_AT, 0.5,
    )
    assert choose_ask_veto(rows("a.jsonl", "bundled", 4, 12), decision) == chosen
