"""Choose how close a message must be to an example of an emergency to be routed by likeness
(bot/likeness.py), per encoder, from the fit sets alone, and print what each choice does.

    python scripts/fit_likeness.py            # print the sweep and the choice
    python scripts/fit_likeness.py --write    # and store the choice in urgent_examples.yaml

The rule (bot/likeness.py's docstring): the lowest `at` of AT_STEPS, then the lowest `margin`
of MARGIN_STEPS, that sends at most FIT_CEILING of the fit sets' (tests/data/fit) other
messages to urgent care, triggers included. Urgent recall and false urgent on the validation
and urgent sets are printed beside it for reading, never for choosing.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.embedding import ENCODERS, Vectors, load_encoder  # noqa: E402
from bot.evaluation import Case, load_cases  # noqa: E402
from bot.faq import load_faq  # noqa: E402
from bot.likeness import EXAMPLES  # noqa: E402
from bot.matcher import Matcher, Status  # noqa: E402

AT_STEPS = (0.55, 0.6, 0.65, 0.7)
MARGIN_STEPS = (0.05, 0.1, 0.15)
# Half the target of 1% false urgent: room for what the fit sets do not hold.
FIT_CEILING = 0.005
DATA = ROOT / "tests" / "data"
SETS = {"fit": DATA / "fit", "validation": DATA / "validation", "urgent": DATA / "urgent"}


@dataclass(frozen=True)
class Reading:
    """One message as triage and the likeness read it."""

    urgent: bool  # a labelled emergency
    by_triggers: bool  # routed before the likeness is asked (triggers, or not asked at all)
    emergency: float  # closeness to the closest emergency example (-1: never asked)
    look_alike: float  # ...to the closest look-alike or the FAQ's closest question

    def routed(self, at: float, margin: float) -> bool:
        return self.by_triggers or (
            self.emergency >= at and self.emergency - self.look_alike >= margin
        )


def read(matcher: Matcher, cases: Sequence[Case]) -> list[Reading]:
    """Each case's reading: the likeness records its closeness and routes nothing, so the
    matcher's URGENT comes from the triggers alone."""
    judge = matcher._likeness
    asked: list[tuple[float, float]] = []

    def record(vector: Vectors, faq: float = -1.0) -> bool:
        asked.append(judge.closeness(vector, faq))
        return False

    judge.urgent = record  # type: ignore[method-assign]
    try:
        readings = []
        for case in cases:
            asked.clear()
            status = matcher.match(case.question).status
            # the first reading is the whole message's; a focused one never routes
            emergency, look_alike = asked[0] if asked else (-1.0, 1.0)
            readings.append(Reading(
                case.kind == "urgent", status is Status.URGENT, emergency, look_alike
            ))
        return readings
    finally:
        del judge.urgent


def rates(readings: Sequence[Reading], at: float, margin: float) -> tuple[float, float, int]:
    """Urgent recall, false urgent rate, and how many others were routed."""
    urgent = [reading for reading in readings if reading.urgent]
    others = [reading for reading in readings if not reading.urgent]
    routed = sum(reading.routed(at, margin) for reading in others)
    recall = sum(reading.routed(at, margin) for reading in urgent) / max(len(urgent), 1)
    return recall, routed / max(len(others), 1), routed


def choose(readings: Sequence[Reading]) -> tuple[float, float] | None:
    for at in AT_STEPS:
        for margin in MARGIN_STEPS:
            if rates(readings, at, margin)[1] <= FIT_CEILING:
                return at, margin
    return None


def store(encoder: str, at: float, margin: float) -> None:
    path = ROOT / "bot" / EXAMPLES
    text = path.read_text(encoding="utf-8")
    line = re.compile(rf"^(\s*{encoder}:\s*)\{{at: [0-9.]+, margin: [0-9.]+\}}", re.MULTILINE)
    if not line.search(text):
        raise SystemExit(f"{path}: no `{encoder}: {{at: ..., margin: ...}}` line to update")
    path.write_text(line.sub(rf"\g<1>{{at: {at}, margin: {margin}}}", text), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=ENCODERS, action="append")
    parser.add_argument("--write", action="store_true", help="store the choice")
    args = parser.parse_args(argv)
    faq = load_faq(ROOT / "faq.yaml")
    for name in args.encoder or ENCODERS:
        matcher = Matcher(faq, encoder=load_encoder(name))
        readings = {
            label: read(matcher, [case for file in sorted(folder.glob("*.jsonl"))
                                  for case in load_cases(file)])
            for label, folder in SETS.items()
        }
        print(f"== {name}: at margin | " + " | ".join(
            f"{label} recall, false urgent" for label in readings))
        for at in AT_STEPS:
            for margin in MARGIN_STEPS:
                figures = []
                for found in readings.values():
                    recall, false, routed = rates(found, at, margin)
                    figures.append(f"{recall:.3f} {false:.4f} ({routed})")
                print(f"   {at:.2f} {margin:.2f}  | " + " | ".join(figures))
        chosen = choose(readings["fit"])
        if chosen is None:
            print(f"{name}: no step keeps the fit sets' false urgent <= {FIT_CEILING}")
            continue
        print(f"{name}: at {chosen[0]}, margin {chosen[1]}")
        if args.write:
            store(name, *chosen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
