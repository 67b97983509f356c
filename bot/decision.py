"""The decision: from a few features per candidate entry to answer, suggest or decline.

A logistic model turns each candidate's features into the probability that it is the entry
the person means. Its weights and the suggestions' threshold are fitted by
`scripts/fit_decision.py` on labelled questions; the answer threshold follows from what a wrong
answer costs (the script's WRONG_COST). All are stored in bot/data/decision-<encoder>.json,
which names what they were fitted on and what they scored on the validation sets. Nothing here
is set by hand: to change the decision, change the data, the features or the cost, and fit
again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

# The features, in the order the fitted weights use (see `bot.matcher.Matcher.candidates`):
FEATURES = (
    "sem_head",  # cosine to the entry's closest question, alternate or keyword
    "sem_question",  # cosine to the entry's own question
    "sem_body",  # cosine to the closest paragraph or sentence of its answer
    "sem_whole",  # cosine to its question and answer read as one text
    "sem_lead",  # sem_head minus the best sem_head of any other entry (or RIVAL_FLOOR)
    "lex_head",  # share of the message's term weight the entry's head holds
    "lex_body",  # share held only by its answer
    "lex_lead",  # lex_head + lex_body / 2 minus the best of any other candidate
    "sem_top",  # 1 for the entry the semantic signal ranks first
    "lex_top",  # 1 for the entry the lexical signal ranks first
    "phrasing",  # how completely the message holds the entry's closest phrasing
    "fuzzy",  # rapidfuzz ratio of the message to the closest phrasing, 0-1 (typos, word order)
    "uncovered",  # 1 when the message names a not-covered topic the entry lacks (bot.lexical)
    "unknown_rare",  # share of the message's words neither the FAQ nor everyday English uses
    "unknown_everyday",  # share of its words only everyday English uses
)


UNCOVERED = FEATURES.index("uncovered")
FUZZY = FEATURES.index("fuzzy")

# What the gate reads: the ranker's probability of the best candidate and of its closest
# rival (the best other candidate not linked to it), the best candidate's features, and how
# much closer what the message asks of its subject is to a generic ask that entries seldom
# answer than to anything the entry says (bot.asks; 0 or below). The last costs a model run,
# so it is read only for the best candidate, and only when it can change the decision.
GATE_FEATURES = ("best", "rival", *FEATURES, "ask_lead")


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic model: the probability of a yes from a row of features."""

    weights: tuple[float, ...]
    bias: float

    def __call__(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Decision:
    """Two fitted models and two thresholds.

    rank: the probability that a candidate is the entry meant, from its features; candidates
        are ordered by it, and those from `suggest_at` up are offered as suggestions;
    gate: the probability that answering the best candidate is right (it is the entry meant,
        and the question is one the FAQ answers), from GATE_FEATURES; it is answered from
        `answer_at` up.
    """

    rank: Logistic
    gate: Logistic
    answer_at: float
    suggest_at: float
    source: str = ""
    # A best candidate against which the message names a not-covered topic (faq.yaml's
    # `not_covered`; neither the entry's phrasings nor its answer say it) is offered, never
    # answered: "what causes sciatica?" beside "Do you treat sciatica?". The admin listed
    # "what causes" as a topic the FAQ does not answer, and the entry does not say otherwise;
    # the gate alone answered such a message when the topic was clear enough (9 in 10 sure).
    offer_uncovered: bool = True
    # A best candidate whose ask_lead is below this is offered, never answered: the message asks
    # of the entry's subject what people often ask and the entry does not say ("how is carpal
    # tunnel diagnosed?" beside "Do you treat carpal tunnel syndrome?"). The gate weighs
    # ask_lead too, but it learns that weight from fit sets whose off-topic questions seldom
    # reach an answer, so a clear subject outweighs even an ask the entry plainly lacks. Chosen
    # by scripts/fit_decision.py on the fit sets at the thresholds' cost; -inf: no veto.
    ask_veto: float = -math.inf


    def choose(
        self,
        features: Sequence[Sequence[float]],
        keys: Sequence[int],
        linked: Callable[[int, int], bool],
        limit: int,
        ask_lead: Callable[[int], float] = lambda position: 0.0,
    ) -> Choice:
        """What to do with one message's candidates, given as their features, a key each that
        breaks a tie (the entry's place in the FAQ), whether two of them are linked (a list
        and one of its items: no rival to each other) and the ask_lead of a candidate, asked
        at most once. Positions are in the order given."""
        ranked = ranking(self.rank, features, keys, linked)
        probabilities = ranked.probabilities
        offered = tuple(
            position for position in ranked.order[:limit]
            if probabilities[position] >= self.suggest_at
        )
        if not ranked.order:
            return Choice((), (), 0.0, False, offered)
        best = ranked.order[0]
        # Only an entry likely in itself can be answered: a near-tie of unlikely ones
        # ("massage" against four kinds of massage) is offered, or declined, however clear its
        # lead looks.
        may_answer = probabilities[best] >= self.suggest_at and not (
            self.offer_uncovered and features[best][UNCOVERED] >= 0.5
        )
        confidence = self.gate(ranked.gate_row)
        # ask_lead is 0 or below: with a weight of 0 or more it can only lower the confidence,
        # so it is read only when the message would otherwise be answered.
        lead = 0.0
        if self.gate.weights[-1] < 0 or (may_answer and confidence >= self.answer_at):
            lead = ask_lead(best)
            if lead:
                confidence = self.gate((*ranked.gate_row[:-1], lead))
        answer = may_answer and confidence >= self.answer_at and lead >= self.ask_veto
        return Choice(ranked.order, probabilities, confidence, answer, offered)


@dataclass(frozen=True)
class Ranking:
    """One message's candidates ordered by the ranker, and what the gate reads of the best."""

    order: tuple[int, ...]  # positions, best first
    probabilities: tuple[float, ...]  # the ranker's, by position
    # GATE_FEATURES of the best (empty without candidates), its ask_lead as given
    gate_row: tuple[float, ...]


@dataclass(frozen=True)
class Choice:
    """The decision on one message's candidates (positions in the order they were given)."""

    order: tuple[int, ...]  # best first
    probabilities: tuple[float, ...]
    confidence: float  # the gate's probability that answering the best is right
    answer: bool  # answer the best
    offered: tuple[int, ...]  # the likely ones, best first, to suggest


def ranking(
    rank: Logistic,
    features: Sequence[Sequence[float]],
    keys: Sequence[int],
    linked: Callable[[int, int], bool],
    ask_lead: float = 0.0,
) -> Ranking:
    """Candidates by the ranker's probability (a tie by key), and the gate's row for the best:
    its probability, its closest rival's (the best other candidate not linked to it), its
    features, then `ask_lead` (the best's, when known). The fitting script uses it to fit the
    gate; `Decision.choose` to decide."""
    probabilities = tuple(rank(row) for row in features)
    order = tuple(sorted(range(len(probabilities)), key=lambda i: (-probabilities[i], keys[i])))
    if not order:
        return Ranking((), (), ())
    best = order[0]
    rival = next(
        (probabilities[other] for other in order[1:] if not linked(best, other)), 0.0
    )
    return Ranking(
        order, probabilities, (probabilities[best], rival, *features[best], ask_lead)
    )


def load_decision(encoder: str) -> Decision:
    """The decision fitted for an encoder, from the package's data."""
    name = f"data/decision-{encoder}.json"
    text = resources.files("bot").joinpath(name).read_text(encoding="utf-8")
    return decision_from(json.loads(text), source=name)


def decision_from(data: dict[str, Any], source: str = "") -> Decision:
    """A Decision from the JSON the fitting script writes; ValueError when it does not fit the
    features this version computes."""
    if data.get("features") != list(FEATURES) or data.get("gate_features") != list(
        GATE_FEATURES
    ):
        raise ValueError(f"{source}: fitted for other features; run scripts/fit_decision.py")
    try:
        return Decision(
            rank=_logistic(data["rank"], len(FEATURES)),
            gate=_logistic(data["gate"], len(GATE_FEATURES)),
            answer_at=float(data["answer_at"]),
            suggest_at=float(data["suggest_at"]),
            source=source,
            # absent (a file fitted before the veto) or null: no veto
            ask_veto=-math.inf if data.get("ask_veto") is None else float(data["ask_veto"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: not a fitted decision ({exc})") from None


def _logistic(data: dict[str, Any], size: int) -> Logistic:
    weights = [float(weight) for weight in data["weights"]]
    if len(weights) != size:
        raise ValueError(f"{len(weights)} weights for {size} features")
    return Logistic(tuple(weights), float(data["bias"]))
