"""Vital signs given as numbers (bot/readings.py); triage reading them as signs is tested in
tests/test_triage.py.

The wordings here are the tests' own: clinical shorthand, home monitors and readings that are
no reading at all ("1 hr 30 mins"). The NEWS2 bands are checked at their edges.
"""

from __future__ import annotations

import pytest

from bot.readings import crisis, dangerous, readings


def kinds(text: str) -> list[tuple[str, float]]:
    return [(reading.kind, reading.value) for reading in readings(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("SpO2 87% on room air", [("oxygen", 87.0)]),
        ("o2 sats are 89", [("oxygen", 89.0)]),
        ("86% O2 on the finger thing", [("oxygen", 86.0)]),
        ("resp rate 32, HR 128", [("breathing", 32.0), ("pulse", 128.0)]),
        ("resp 7 and hard to rouse", [("breathing", 7.0)]),
        ("pulse down to 38", [("pulse", 38.0)]),
        ("155 bpm sitting still", [("pulse", 155.0)]),
        ("breathing 40 breaths a minute", [("breathing", 40.0)]),
        ("BP 82/48", [("systolic", 82.0)]),
        ("blood pressure is 230 over 125", [("systolic", 230.0)]),
        ("BP was fine, now 84/50", [("systolic", 84.0)]),  # a pair, in a message naming BP
        ("pressure 220 on 120", [("systolic", 220.0)]),  # "220 на 120", read in English
        ("booked 12/10 for a massage", []),  # a pair is a date in a message that does not
        ("systolic 88", [("systolic", 88.0)]),
        ("temp 34.6", [("temperature", 34.6)]),
        ("temperature 94.5 F", [("temperature", 34.7)]),  # Fahrenheit, converted
        ("BM 2.2", [("glucose", 2.2)]),
        ("blood sugar 2,6", [("glucose", 2.6)]),  # a decimal comma
        ("sugar 41 mg/dl", [("glucose", 2.3)]),  # mg/dL, converted to mmol/L
        ("glucose 38", [("glucose", 2.1)]),  # past 30 it can only be mg/dL
    ],
)
def test_a_reading_is_found_with_its_kind_and_value(
    text: str, found: list[tuple[str, float]]
) -> None:
    assert kinds(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "a 1 hr 30 mins massage please",  # a length of time after "hr"
        "blood sugar 2 hours after eating",
        "I sat 40 minutes in your waiting room",  # no bare "sat" label
        "o2 arena gig on the 12th",
        "HR department said I can book 3 sessions",
        "BM 2x a day",
    ],
)
def test_numbers_that_are_no_reading_are_not_read(text: str) -> None:
    assert readings(text) == []


@pytest.mark.parametrize(
    ("text", "is_dangerous"),
    [
        ("sats 91", True),  # NEWS2: 91 or less scores 3
        ("sats 92", False),
        ("RR 25", True),  # 25 or more scores 3
        ("RR 24", False),
        ("RR 8", True),
        ("BP 90/60", True),  # systolic 90 or less scores 3
        ("BP 91/60", False),
        ("BP 220/110", True),
        ("pulse 131", True),
        ("pulse 130", False),
        ("pulse 40", True),
        ("temp 35.0", True),
        ("temp 35.1", False),
        ("BGL 2.9", True),  # level 2 hypoglycaemia: below 3.0 mmol/L
        ("BGL 3.0", False),
        ("temp 39.4, HR 118, BP 98/60", True),  # 2 + 2 + 2: NEWS2's urgent total of 5
        ("temp 38.4, HR 96", False),  # 1 + 1
        ("bp 120/80, pulse 72, sats 98", False),
    ],
)
def test_dangerous_readings_follow_the_news2_bands(text: str, is_dangerous: bool) -> None:
    assert bool(dangerous(text)) is is_dangerous


def test_pulse_and_breathing_in_exercise_are_not_dangerous_but_oxygen_is() -> None:
    assert dangerous("HR 172 on my last hill sprint, is that ok?") == []
    assert dangerous("RR 30 after the spin class") == []
    found = dangerous("after my run my sats were 84 and I can't get my breath")
    assert [reading.kind for reading in found] == ["oxygen"]


def test_a_low_pressure_or_pulse_called_usual_is_someones_normal() -> None:
    assert dangerous("my BP always runs low, about 88/58, will massage make me dizzy?") == []
    assert dangerous("resting pulse is normally 42, I cycle a lot") == []
    # ...but not a high one, nor another kind of reading
    assert dangerous("BP usually fine but today it's 230/130 with a thumping headache")
    assert dangerous("I am usually fine but tonight my sats are 85")


@pytest.mark.parametrize(
    ("text", "in_crisis"),
    [
        ("BP 180/100", True),  # the AHA's crisis starts at 180
        ("blood pressure 205 over 118", True),
        ("his blood presure is 200 over 120", True),  # the commonest slip, read as written
        ("BP 179/95", False),
        ("bp 150/95", False),
        ("BP 230/130", False),  # NEWS2's red score already: dangerous, not a crisis to confirm
    ],
)
def test_a_pressure_of_a_hypertensive_crisis_is_found(text: str, in_crisis: bool) -> None:
    assert bool(crisis(text)) is in_crisis
    assert not dangerous(text) or not in_crisis

