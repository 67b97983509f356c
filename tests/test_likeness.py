"""Emergencies told in words no trigger lists, read by what they are like (bot/likeness.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import likeness
from bot.embedding import ENCODERS, load_encoder, models_dir
from bot.faq import Faq
from bot.likeness import Likeness, examples, examples_file
from bot.matcher import Matcher, Status
from bot.semantic import VectorCache


def test_the_examples_hold_emergencies_look_alikes_and_thresholds_for_each_encoder() -> None:
    found = examples()
    assert len(found.emergencies) > 1000
    assert len(found.not_emergencies) > 500
    assert not set(found.emergencies) & set(found.not_emergencies)
    assert set(found.thresholds) == set(ENCODERS)
    for at, margin in found.thresholds.values():
        assert 0 < at < 1
        assert 0 < margin < 1


@pytest.mark.parametrize("name", ENCODERS)
def test_the_package_ships_every_examples_vector(name: str) -> None:
    # a fresh install embeds none of them: run scripts/seed_vectors.py after an edit
    encoder = load_encoder(name)

    class Refusing:
        name, dims, revision = encoder.name, encoder.dims, encoder.revision

        def encode(self, texts: object) -> np.ndarray:
            raise AssertionError(f"embedded at start: {texts!r:.200}")

    Likeness(VectorCache(Refusing(), None, seeds=[models_dir() / examples_file(name)]))


def test_a_message_like_an_emergency_is_urgent_though_no_trigger_names_it(
    bundled_matcher: Matcher,
) -> None:
    # no trigger holds these words; the model reads what they are like
    message = "my dad slid off the chair and now he is making strange sounds and staring"
    assert bundled_matcher.match(message).status is Status.URGENT
    assert bundled_matcher.match("do you treat sciatica?").status is Status.ANSWER


def test_a_message_closer_to_a_look_alike_or_to_the_faq_is_not_urgent() -> None:
    encoder = load_encoder("minilm")
    judge = Likeness(VectorCache(encoder, None, seeds=[models_dir() / examples_file("minilm")]))
    emergency = encoder.encode(["my husband collapsed and is not breathing"])[0]
    history = encoder.encode(["I had a stroke in 2019, can I get a massage?"])[0]
    assert judge.urgent(emergency)
    assert not judge.urgent(history)
    # as close to a question the FAQ answers as to an emergency: not urgent
    assert not judge.urgent(emergency, faq=1.0)


def test_an_encoder_without_thresholds_routes_nothing_by_likeness(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = examples()
    monkeypatch.setattr(likeness, "examples", lambda: type(found)(
        found.emergencies[:3], found.not_emergencies[:3], {}
    ))
    encoder = load_encoder("static")
    judge = Likeness(VectorCache(encoder))
    assert not judge.urgent(encoder.encode([found.emergencies[0]])[0])


@pytest.mark.parametrize("name", ENCODERS)
def test_a_cancellation_is_no_goodbye(name: str, bundled_faq: Faq, tmp_path: Path) -> None:
    # "cancel all my appointments, i won't be around after tonight" is an emergency example;
    # the front desk's everyday cancellations are look-alikes of it
    matcher = Matcher(bundled_faq, encoder=load_encoder(name), cache_dir=tmp_path)
    for message in (
        "please cancel my booking for tomorrow",
        "need to cancel tomorrow's appointment please",
    ):
        assert matcher.match(message).status is not Status.URGENT, message


def test_a_childs_mild_fever_asked_about_is_no_emergency(bundled_matcher: Matcher) -> None:
    # the examples' emergencies include children coughing after swallowing lamp oil and a
    # baby of three weeks with a fever; a parent's everyday question is a look-alike of them
    assert bundled_matcher.match(
        "our 2 year old has a fever of 38, what dose of paracetamol?"
    ).status is not Status.URGENT
    assert bundled_matcher.match(
        "my toddler drank some white spirit and now she is coughing and struggling to breathe"
    ).status is Status.URGENT
