"""Emergencies told in words no trigger lists, read by what they are like.

Triage (bot/triage.py) routes a message by its words: the triggers of urgent.yaml and the cues
around them. Fresh emergencies told in everyday English slip through it ("he slid off the
chair and now he's making weird noises": a probe of 150 such messages, written by someone who
never saw the bot, was routed 127 times). The sentence model reads what a message is like:
this module routes a message whose vector is close to one of the built-in examples of an
emergency (bot/data/urgent_examples.yaml) and clearly closer to it than to any example of a
message that only sounds like one (history, questions, idioms, denials). It only adds
routing, never takes any away.

How close, and how much closer: per encoder in the examples' file, chosen on the fit sets
alone (tests/data/fit) by scripts/fit_likeness.py as the lowest `at` of 0.55 to 0.7 in steps
of 0.05, then the lowest `margin` of 0.05, 0.1 and 0.15, that sends at most 0.5% of their
other messages to urgent care (half the target of 1%): MiniLM 0.55 and 0.1 (16 of 4,535),
static 0.55 and 0.1 (8). A message is compared with the FAQ's closest question too, as with a
look-alike: without it, "how do i fix my wifi" was like a plea for help. Measured on a set
written for it (a fourth fresh probe of 150 emergencies and 150 look-alikes, not in the
repository): MiniLM routed 127 of its emergencies without it and 140 with it, false urgent 10
and 9 of 150 (static 136); validation's false urgent 7 -> 9 of 5,448. With the ninth probe's
examples added, a tenth was routed 145 times of 150 by MiniLM against 144 before, and 144 by
the static model against 142; with the tenth's, an eleventh (not among the examples) is
routed as before, 150 and 147 times.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from bot.embedding import Encoder, Vectors, models_dir
from bot.package_data import package_yaml
from bot.semantic import VectorCache

EXAMPLES = "data/urgent_examples.yaml"


@dataclass(frozen=True)
class Examples:
    """bot/data/urgent_examples.yaml: emergencies, look-alikes, and per encoder how close a
    message must be to an emergency (`at`) and how much closer than to a look-alike
    (`margin`)."""

    emergencies: tuple[str, ...]
    not_emergencies: tuple[str, ...]
    thresholds: dict[str, tuple[float, float]]

    @property
    def texts(self) -> list[str]:
        """Every example, emergencies first: the order their vectors are embedded in."""
        return [*self.emergencies, *self.not_emergencies]


@cache
def examples() -> Examples:
    """The built-in examples, read once per process. A mistake in the file is a bug in the
    bot, found by the tests."""
    data = package_yaml(EXAMPLES)
    if not isinstance(data, dict):
        raise ValueError(f"bot/{EXAMPLES}: needs emergencies, not_emergencies and likeness")
    lists = []
    for key in ("emergencies", "not_emergencies"):
        items = data.get(key)
        if not isinstance(items, list) or not items or not all(
            isinstance(item, str) and item.strip() for item in items
        ):
            raise ValueError(f"bot/{EXAMPLES}: {key} needs a list of messages")
        lists.append(tuple(items))
    likeness = data.get("likeness")
    if not isinstance(likeness, dict) or not all(
        isinstance(values, dict) and {"at", "margin"} <= set(values)
        and all(isinstance(values[key], (int, float)) for key in ("at", "margin"))
        for values in likeness.values()
    ):
        raise ValueError(f"bot/{EXAMPLES}: likeness needs at and margin per encoder")
    thresholds = {
        str(name): (float(values["at"]), float(values["margin"]))
        for name, values in likeness.items()
    }
    return Examples(lists[0], lists[1], thresholds)


class Likeness:
    """The examples embedded by one encoder, and its thresholds."""

    def __init__(self, cache: VectorCache) -> None:
        found = examples()
        vectors = cache.vectors(found.texts)
        self._emergencies = vectors[: len(found.emergencies)]
        self._look_alikes = vectors[len(found.emergencies) :]
        # an encoder without thresholds of its own routes nothing by likeness
        self._at, self._margin = found.thresholds.get(cache.encoder.name, (np.inf, 0.0))

    def urgent(self, vector: Vectors, faq: float = -1.0) -> bool:
        """Whether a message's vector is like an emergency: at least `at` to the closest
        emergency example, and `margin` more than to the closest look-alike or to `faq`, its
        closeness to the FAQ's closest question (a question the FAQ answers is none)."""
        emergency, look_alike = self.closeness(vector, faq)
        return emergency >= self._at and emergency - look_alike >= self._margin

    def closeness(self, vector: Vectors, faq: float = -1.0) -> tuple[float, float]:
        """A message's closeness to the closest emergency, and to the closest look-alike or
        the FAQ's closest question (`urgent` reads them; scripts/fit_likeness.py sweeps
        thresholds over them)."""
        emergency = float(np.max(self._emergencies @ vector))
        return emergency, max(float(np.max(self._look_alikes @ vector)), faq)


def examples_file(encoder: str) -> str:
    """The file the examples' vectors ship in, under bot/models/ (scripts/seed_vectors.py)."""
    return f"urgent-examples-{encoder}.npz"


_shared: dict[tuple[str, str], Likeness] = {}


def likeness_for(encoder: Encoder) -> Likeness:
    """One Likeness per encoder and process: every FAQ load (reloads too) shares it. Its
    vectors come from the package's file; an example missing there (the file is stale) is
    embedded when first needed."""
    key = (encoder.name, encoder.revision)
    if key not in _shared:
        seed = models_dir() / examples_file(encoder.name)
        _shared[key] = Likeness(VectorCache(encoder, None, seeds=[seed]))
    return _shared[key]
