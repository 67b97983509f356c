"""The decision's thresholds are chosen out of fold (scripts/fit_decision.py): each part of the
fit rows is decided by a rank and gate fitted on the other part, so the limits on wrong and
off-topic answers are checked on questions the models did not see."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from conftest import MINIMAL_FAQ

from bot.decision import FEATURES, Decision
from bot.faq import parse_faq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from fit_decision import (
    Row,
    fit_gate,
    fit_rank,
    folds_of,
    pooled,
    pooled_out_of_fold,
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


def test_out_of_fold_rates_are_the_folds_pooled() -> None:
    everything = [*rows("a.jsonl", "bundled", 40, 6), *rows("b.jsonl", "bundled", 40, 7)]
    folds = folds_of(everything)

    right = wrong = 0
    for fold in folds:
        _, _, _, figures = pooled(fold.rows, Decision(fold.rank, fold.gate, 0.5, 0.2))
        right += figures.right
        wrong += figures.wrong
    assert pooled_out_of_fold(folds, 0.5, 0.2)[:2] == (right / 80, wrong / 80)
