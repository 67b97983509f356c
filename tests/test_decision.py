"""The decision (bot/decision.py): fitted logistic models and thresholds, read from the package's
bot/data/decision-<encoder>.json, which must fit the features this version computes."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest

from bot.decision import (
    FEATURES,
    GATE_FEATURES,
    Decision,
    Logistic,
    decision_from,
    load_decision,
)
from bot.embedding import ENCODERS


def shipped(encoder: str) -> dict[str, Any]:
    path = resources.files("bot").joinpath(f"data/decision-{encoder}.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def fitted(encoders: tuple[str, ...] = ENCODERS) -> list[str]:
    """The encoders a decision file ships for (minilm always; static when it was fitted)."""
    return [
        name for name in encoders
        if resources.files("bot").joinpath(f"data/decision-{name}.json").is_file()
    ]


def valid(**changes: Any) -> dict[str, Any]:
    """A minimal decision as the fitting script writes it, with `changes` applied."""
    data: dict[str, Any] = {
        "features": list(FEATURES),
        "gate_features": list(GATE_FEATURES),
        "rank": {"weights": [0.5] * len(FEATURES), "bias": -1.0},
        "gate": {"weights": [0.25] * len(GATE_FEATURES), "bias": -2.0},
        "answer_at": 0.8,
        "suggest_at": 0.5,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "features",
    [
        (0.0, 0.0, 0.0),
        (1.0, -1.0, 0.5),
        (1e6, 1e6, 1e6),  # far outside anything fitted: still a probability, no overflow
        (-1e6, -1e6, -1e6),
    ],
)
def test_a_logistic_model_gives_a_probability(features: tuple[float, ...]) -> None:
    model = Logistic((2.0, -3.0, 0.5), bias=0.25)
    p = model(features)
    assert 0.0 < p < 1.0
    assert not math.isnan(p)


def test_the_bias_alone_sets_the_probability_of_nothing() -> None:
    assert Logistic((1.0, 1.0), 0.0)((0.0, 0.0)) == pytest.approx(0.5)
    assert Logistic((1.0, 1.0), math.log(3))((0.0, 0.0)) == pytest.approx(0.75)


def test_a_logistic_model_is_monotone_in_each_weight() -> None:
    model = Logistic((1.5, -2.0), bias=-0.5)
    rising = [model((x, 0.3)) for x in (-2.0, -1.0, 0.0, 0.5, 1.0, 3.0)]
    falling = [model((0.3, x)) for x in (-2.0, -1.0, 0.0, 0.5, 1.0, 3.0)]
    assert rising == sorted(rising)
    assert len(set(rising)) == len(rising)
    assert falling == sorted(falling, reverse=True)
    assert len(set(falling)) == len(falling)


def test_a_logistic_model_needs_one_feature_per_weight() -> None:
    with pytest.raises(ValueError, match="shorter"):
        Logistic((1.0, 2.0), 0.0)((1.0,))


def test_decision_from_reads_what_the_fitting_script_writes() -> None:
    decision = decision_from(valid(), source="decision-test.json")
    assert isinstance(decision, Decision)
    assert decision.rank == Logistic(tuple([0.5] * len(FEATURES)), -1.0)
    assert decision.gate == Logistic(tuple([0.25] * len(GATE_FEATURES)), -2.0)
    assert (decision.answer_at, decision.suggest_at) == (0.8, 0.5)
    assert decision.source == "decision-test.json"


@pytest.mark.parametrize(
    "changes",
    [
        {"features": [*FEATURES, "sem_extra"]},
        {"features": list(reversed(FEATURES))},
        {"features": list(FEATURES[:-1])},
        {"gate_features": ["best", *FEATURES]},
        {"features": None},
    ],
)
def test_a_decision_fitted_for_other_features_is_refused_naming_the_file(
    changes: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match=r"old-decision\.json: fitted for other features"):
        decision_from(valid(**changes), source="old-decision.json")


@pytest.mark.parametrize(
    "changes",
    [
        {"rank": {"weights": [1.0] * (len(FEATURES) - 1), "bias": 0.0}},
        {"gate": {"weights": [1.0] * len(GATE_FEATURES)}},
        {"gate": None},
        {"answer_at": "high"},
        {"suggest_at": None},
    ],
)
def test_a_broken_decision_is_refused_naming_the_file(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"broken\.json: not a fitted decision"):
        decision_from(valid(**changes), source="broken.json")


def test_the_gate_reads_the_best_and_its_rival_then_the_features_and_the_ask() -> None:
    assert ("best", "rival", *FEATURES, "ask_lead") == GATE_FEATURES
    assert len(set(FEATURES)) == len(FEATURES)


def test_a_decision_ships_for_the_default_encoder() -> None:
    assert "minilm" in fitted()


@pytest.mark.parametrize("encoder", fitted())
def test_the_shipped_decision_loads_and_names_what_it_was_fitted_on(encoder: str) -> None:
    decision = load_decision(encoder)
    assert decision.source == f"data/decision-{encoder}.json"
    assert 0.0 < decision.suggest_at < 1.0
    assert 0.0 < decision.answer_at < 1.0
    assert len(decision.rank.weights) == len(FEATURES)
    assert len(decision.gate.weights) == len(GATE_FEATURES)
    data = shipped(encoder)
    assert data["encoder"] == encoder
    for key in ("fitted_on", "validated_on"):
        assert data[key], f"{key} is empty"
        assert all(isinstance(name, str) and name for name in data[key])
    # what it was validated on is not what it was fitted on
    assert not set(data["fitted_on"]) & set(data["validated_on"])


@pytest.mark.parametrize("encoder", fitted())
def test_the_shipped_decision_answers_the_obvious_and_declines_the_hopeless(
    encoder: str,
) -> None:
    # a message that is an entry's own question, word for word and in meaning, and clear of
    # every other entry; and one that shares nothing with any entry
    decision = load_decision(encoder)
    own = dict.fromkeys(FEATURES, 0.0) | {
        "sem_head": 1.0, "sem_question": 1.0, "sem_body": 0.6, "sem_lead": 0.5,
        "lex_head": 1.0, "lex_lead": 1.0, "sem_top": 1.0, "lex_top": 1.0, "phrasing": 1.0,
        "fuzzy": 1.0,
    }
    none = dict.fromkeys(FEATURES, 0.0) | {
        "sem_head": 0.05, "sem_question": 0.05, "sem_body": 0.05, "fuzzy": 0.2,
        "unknown_rare": 1.0,
    }
    for features, answered in ((own, True), (none, False)):
        row = tuple(features[name] for name in FEATURES)
        best = decision.rank(row)
        gate = decision.gate((best, 0.0, *row, 0.0))
        assert (gate >= decision.answer_at) is answered
        assert (best >= decision.suggest_at) is answered


# -- Decision.choose: the one decision rule, for the matcher and the fitting script ------------

# A ranker on one feature (its probability rises with it) and a gate on the best's probability
# and its rival's: sure when the best is likely and its rival is not, less sure when the message
# asks of the best's subject what a generic ask names (ask_lead below 0).
ONE = Logistic((10.0,), -5.0)
LEAD = Logistic((10.0, -10.0, 0.0, 20.0), 0.0)
CHOOSER = Decision(ONE, LEAD, answer_at=0.9, suggest_at=0.3, offer_uncovered=False)


def never_linked(one: int, other: int) -> bool:
    return False


def test_the_likeliest_candidate_is_answered_when_the_gate_is_sure() -> None:
    choice = CHOOSER.choose([[0.2], [1.0], [0.1]], [0, 1, 2], never_linked, 3)
    assert choice.order == (1, 0, 2)
    assert choice.answer
    assert choice.offered == (1,)  # only the likely ones are offered


def test_a_close_rival_makes_it_a_suggestion() -> None:
    choice = CHOOSER.choose([[0.9], [1.0]], [0, 1], never_linked, 3)
    assert not choice.answer
    assert choice.offered == (1, 0)


def test_a_linked_candidate_is_no_rival() -> None:
    choice = CHOOSER.choose([[0.9], [1.0]], [0, 1], lambda one, other: True, 3)
    assert choice.answer
    assert choice.order[0] == 1


def test_a_tie_is_broken_by_the_key_and_suggestions_are_capped() -> None:
    choice = CHOOSER.choose([[0.8], [0.8], [0.8]], [7, 3, 5], never_linked, 2)
    assert choice.order == (1, 2, 0)
    assert choice.offered == (1, 2)


def test_an_unlikely_best_is_never_answered_however_clear_its_lead() -> None:
    gate_always_sure = Decision(
        ONE, Logistic((0.0, 0.0, 0.0, 0.0), 10.0), 0.9, 0.3, offer_uncovered=False
    )
    choice = gate_always_sure.choose([[0.1]], [0], never_linked, 3)
    assert not choice.answer
    assert choice.offered == ()


def test_a_best_candidate_the_message_names_a_topic_it_lacks_against_is_offered_only() -> None:
    sure = Decision(
        Logistic(tuple(10.0 if name == "sem_head" else 0.0 for name in FEATURES), -5.0),
        Logistic(tuple(0.0 for _ in GATE_FEATURES), 10.0), answer_at=0.9, suggest_at=0.3,
    )
    row = dict.fromkeys(FEATURES, 0.0) | {"sem_head": 1.0}
    plain = [row[name] for name in FEATURES]
    uncovered = [(1.0 if name == "uncovered" else row[name]) for name in FEATURES]
    assert sure.choose([plain], [0], never_linked, 3).answer
    choice = sure.choose([uncovered], [0], never_linked, 3)
    assert not choice.answer
    assert choice.offered == (0,)
    assert replace(sure, offer_uncovered=False).choose([uncovered], [0], never_linked, 3).answer


def test_an_ask_its_best_entry_does_not_answer_lowers_the_gate() -> None:
    asked: list[int] = []

    def ask_lead(position: int) -> float:
        asked.append(position)
        return -0.5

    choice = CHOOSER.choose([[0.2], [1.0], [0.1]], [0, 1, 2], never_linked, 3, ask_lead)
    assert asked == [1]  # the best candidate's, once
    assert not choice.answer
    assert choice.offered == (1,)
    assert CHOOSER.choose([[0.2], [1.0]], [0, 1], never_linked, 3, lambda _: 0.0).answer


def test_the_ask_is_read_only_when_it_can_change_an_answer() -> None:
    asked: list[int] = []

    def ask_lead(position: int) -> float:
        asked.append(position)
        return -0.5

    # a close rival: not answered whatever the ask, so the model run is saved
    assert not CHOOSER.choose([[0.9], [1.0]], [0, 1], never_linked, 3, ask_lead).answer
    assert asked == []
    # a gate that weighs the ask the other way: it can raise a confidence, so it is read
    other_way = replace(CHOOSER, gate=Logistic((10.0, -10.0, 0.0, -20.0), 0.0))
    assert other_way.choose([[0.9], [1.0]], [0, 1], never_linked, 3, ask_lead).answer
    assert asked == [1]


def test_an_ask_far_closer_to_a_generic_one_than_to_the_entry_vetoes_the_answer() -> None:
    # A gate that weighs the ask lightly: sure whatever the lead, as a fitted gate is when the
    # message names its entry's subject clearly.
    light = replace(CHOOSER, gate=Logistic((10.0, -10.0, 0.0, 1.0), 0.0), ask_veto=-0.3)
    features, keys = [[0.2], [1.0]], [0, 1]
    for lead, answered in ((0.0, True), (-0.2, True), (-0.3, True), (-0.31, False)):
        choice = light.choose(features, keys, never_linked, 3, lambda _, lead=lead: lead)
        assert choice.answer is answered, lead
        assert choice.offered == (1,)  # vetoed, the entry is still offered
    no_veto = replace(light, ask_veto=-math.inf)
    assert no_veto.choose(features, keys, never_linked, 3, lambda _: -0.9).answer


def test_the_veto_is_read_from_the_fitted_file_and_absent_means_none() -> None:
    assert decision_from(valid(ask_veto=-0.3)).ask_veto == -0.3
    assert decision_from(valid(ask_veto=None)).ask_veto == -math.inf
    assert decision_from(valid()).ask_veto == -math.inf
    with pytest.raises(ValueError, match="not a fitted decision"):
        decision_from(valid(ask_veto="low"))


def test_no_candidates_is_no_answer() -> None:
    choice = CHOOSER.choose([], [], never_linked, 3)
    assert (choice.order, choice.answer, choice.offered) == ((), False, ())
