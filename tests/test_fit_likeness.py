"""How close to an example of an emergency a message must be to be routed by likeness
(scripts/fit_likeness.py): the lowest thresholds that keep the fit sets' false urgent under
the ceiling, stored in the examples' file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import fit_likeness
from fit_likeness import FIT_CEILING, Reading, choose, rates


def test_a_reading_is_routed_by_its_triggers_or_by_both_thresholds() -> None:
    assert Reading(False, True, -1.0, 1.0).routed(0.7, 0.15)
    close = Reading(True, False, 0.62, 0.5)
    assert close.routed(0.6, 0.1)
    assert not close.routed(0.65, 0.1)  # not close enough
    assert not close.routed(0.6, 0.15)  # not clear enough of the look-alike


def test_the_lowest_thresholds_under_the_ceiling_are_chosen() -> None:
    emergencies = [Reading(True, False, 0.8, 0.5)] * 10
    # 1,000 others, of which 4 are like an emergency at 0.58 and 3 more at 0.63 with a small
    # margin: at 0.55 and 0.6 that is 7 (0.7% > 0.5%) whatever the margin below 0.1
    others = [Reading(False, False, 0.3, 0.2)] * 993
    others += [Reading(False, False, 0.58, 0.5)] * 4 + [Reading(False, False, 0.63, 0.55)] * 3
    readings = emergencies + others
    assert rates(readings, 0.55, 0.05) == (1.0, 0.007, 7)
    assert choose(readings) == (0.55, 0.1)  # a margin of 0.1 clears all seven
    assert rates(readings, 0.55, 0.1)[1] <= FIT_CEILING


def test_no_step_under_the_ceiling_chooses_nothing() -> None:
    others = [Reading(False, True, -1.0, 1.0)] * 10 + [Reading(False, False, 0.3, 0.2)] * 990
    assert choose(others) is None  # 1% routed by triggers alone


def test_the_choice_is_stored_on_the_encoders_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bot" / "data").mkdir(parents=True)
    examples = tmp_path / "bot" / "data" / "urgent_examples.yaml"
    examples.write_text(
        "likeness:\n  minilm: {at: 0.55, margin: 0.15}\n  static: {at: 0.55, margin: 0.1}\n"
    )
    monkeypatch.setattr(fit_likeness, "ROOT", tmp_path)
    fit_likeness.store("static", 0.6, 0.05)
    assert examples.read_text() == (
        "likeness:\n  minilm: {at: 0.55, margin: 0.15}\n  static: {at: 0.6, margin: 0.05}\n"
    )
    with pytest.raises(SystemExit, match="unknown"):
        fit_likeness.store("unknown", 0.6, 0.05)
