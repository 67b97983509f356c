"""Fit the matcher's decision (bot/decision.py) from labelled questions, and report how it does.

    python scripts/fit_decision.py [--encoder minilm|static] [--write]

The labelled sets are split three ways (see README, "Measuring the matching"):
- fit: the sets the weights and thresholds are fitted on: tests/data/fit/*.jsonl (questions
  about the bundled FAQ) and the even lines of StackFAQ's tune.jsonl (a public FAQ written as
  question + answer, in ../shared/eval/stackfaq/);
- validation: the sets a change is judged on before it is kept: tests/data/validation/*.jsonl,
  ../shared/eval/dev.jsonl, StackFAQ's odd lines and the off-topic messages written for it
  (tests/data/stackfaq/off_topic.jsonl), and the plain FAQs of tests/data/plainval/;
- test: tests/data/test/ and tests/data/plainfaq/, frozen. This script never reads them;
  `faq-bot eval` reports them.
It also reports "small": the validation sets asked of their FAQs cut down to a few entries
(`small_faqs`), measured only, never fitted on.

Each FAQ counts the same in the fit, however many questions it has, so the decision carries
over to a FAQ nobody tuned for instead of learning the bundled one's habits. The logistic
weights are fitted by Newton's method with a small L2 penalty. The gate's threshold follows
from what a wrong answer costs (ANSWER_AT); the suggestions' threshold is then chosen on the
fit sets out of fold (each half decided by models fitted on the other half).
With --write, the result goes to bot/data/decision-<encoder>.json with what it was fitted on.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.decision import (  # noqa: E402
    FEATURES,
    GATE_FEATURES,
    Decision,
    Logistic,
    decision_from,
    ranking,
)
from bot.embedding import Encoder, Vectors, load_encoder  # noqa: E402
from bot.evaluation import Case, load_cases, plain_faq_yaml  # noqa: E402
from bot.faq import Entry, load_faq  # noqa: E402
from bot.matcher import MAX_SUGGESTIONS, Matcher, Status, linked  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
STACKFAQ = SHARED / "stackfaq"
STACKFAQ_OFF_TOPIC = ROOT / "tests" / "data" / "stackfaq" / "off_topic.jsonl"
# More FAQs written plainly (id, question, answer) for other practices, each asked by messages
# labelled with entry ids: validation only. (Half their lines fitted on made the gate less sure
# everywhere, and no better: at the answer threshold, validation's right answers fell from 0.852
# to 0.814 and StackFAQ's from 0.879 to 0.789; at a lower threshold giving the same right
# answers, the bundled FAQ and StackFAQ answered more off-topic messages, the plain FAQs no
# fewer.)
PLAIN_FAQS = ROOT / "tests" / "data" / "plainval"
# Answer when the gate is at least this sure that answering is right. A wrong answer, or an
# answer to a question the FAQ does not cover, costs WRONG_COST times what not answering costs
# (the person is offered the likely entries, or told to ask the practice): answering is worth
# it when p - (1 - p) * WRONG_COST >= 0. Six is the cost the thresholds chosen before met on
# the whole fit sets (the most right answers with at most 1.5% wrong and 2.5% off-topic
# answered out of fold: 0.86 for MiniLM). Chosen that way the threshold was not stable: with a
# random 5% of the fit questions left out it moved to 0.90, 0.93 or 0.96, and validation's
# right answers from 0.85 to 0.83, 0.80 or 0.76, while the weights alone, at one threshold,
# moved them by half a point. A cost says what the practice wants; a limit met on a few hundred
# questions says what those questions were.
WRONG_COST = 6
ANSWER_AT = WRONG_COST / (1 + WRONG_COST)
# The ask_leads (bot.asks: a difference of two cosines, 0 or below) tried as Decision.ask_veto,
# from the most lenient: -0.60, -0.55 ... -0.10. Below -0.6 hardly a message of any set falls.
VETO_GRID = tuple(round(-0.05 * step, 2) for step in range(12, 1, -1))
L2 = 1e-2


@dataclass(frozen=True)
class Labelled:
    """One question with what counts as right."""

    question: str
    kind: str  # "answerable", "unanswerable" or "urgent"
    right: Callable[[Entry], bool]


@dataclass
class Dataset:
    name: str
    faq: str  # which FAQ: sets on one FAQ are weighed together
    matcher: Matcher
    items: list[Labelled]


class MemoEncoder:
    """The encoder, remembering message vectors on disk between runs of this script (the
    product never stores a message). A memory made by another revision of the encoder is
    dropped, so a fit never mixes vectors of two versions."""

    def __init__(self, inner: Encoder, path: Path) -> None:
        self.name, self.dims, self.revision = inner.name, inner.dims, inner.revision
        self._inner, self._path = inner, path
        self._memory: dict[str, Vectors] = {}
        if path.is_file():
            stored = np.load(path, allow_pickle=False)
            if "revision" in stored and str(stored["revision"]) == inner.revision:
                self._memory = dict(
                    zip(stored["texts"].tolist(), stored["vectors"], strict=True)
                )

    def encode(self, texts: Sequence[str]) -> Vectors:
        missing = [text for text in dict.fromkeys(texts) if text not in self._memory]
        if missing:
            self._memory.update(zip(missing, self._inner.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        return np.vstack([self._memory[text] for text in texts])

    def save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._memory)
        np.savez(
            self._path, texts=np.array(texts), vectors=np.vstack(list(self._memory.values())),
            revision=np.array(self._inner.revision),
        )


def from_cases(cases: Sequence[Case]) -> list[Labelled]:
    from bot.evaluation import judge
    from bot.matcher import Match

    items = []
    for case in cases:
        kind = "urgent" if case.kind == "urgent" else (
            "answerable" if case.answerable else "unanswerable")

        def right(entry: Entry, case: Case = case) -> bool:
            return judge(case, Match(Status.ANSWER, entry=entry)) == "right"

        items.append(Labelled(case.question, kind, right))
    return items


def stackfaq_faq(directory: Path) -> Path:
    """StackFAQ written as an admin would: id, question, answer."""
    entries = json.loads((STACKFAQ / "entries.json").read_text(encoding="utf-8"))
    path = directory / "stackfaq.yaml"
    path.write_text(
        plain_faq_yaml(entries, "This is general information."), encoding="utf-8"
    )
    return path


def stackfaq_items(parity: int) -> list[Labelled]:
    """StackFAQ's rephrasings (tune.jsonl) of one parity: even lines are fitted on, odd ones
    validate. The validation side also gets the off-topic messages written for StackFAQ
    (STACKFAQ_OFF_TOPIC), all of them: a plain FAQ has no not_covered list, and how often the
    bot answers what such a FAQ cannot is judged there. (Fitted on, half of them cut StackFAQ's
    off-topic answers from 11% to 4%, but its right answers from 0.894 to 0.829, and made the
    bundled FAQ's validation sets answered wrongly more often: 1.6% against 0.7%.)"""
    cases = load_cases(STACKFAQ / "tune.jsonl")[parity::2]
    if parity == 1 and STACKFAQ_OFF_TOPIC.is_file():
        cases += load_cases(STACKFAQ_OFF_TOPIC)
    return from_cases(cases)


# Features do not depend on the decision; this one only lets a Matcher be built before any
# decision has been fitted.
UNFITTED = Decision(
    Logistic(tuple(0.0 for _ in FEATURES), 0.0),
    Logistic(tuple(0.0 for _ in GATE_FEATURES), 0.0),
    1.0, 1.0, "unfitted",
)


def datasets(encoder: Encoder, workdir: Path) -> dict[str, list[Dataset]]:
    bundled = load_faq(ROOT / "faq.yaml")
    bundled_matcher = Matcher(bundled, encoder=encoder, decision=UNFITTED)
    splits: dict[str, list[Dataset]] = {"fit": [], "validation": []}
    for split in splits:
        for path in sorted((ROOT / "tests" / "data" / split).glob("*.jsonl")):
            splits[split].append(
                Dataset(path.name, "bundled", bundled_matcher, from_cases(load_cases(path)))
            )
    dev = SHARED / "dev.jsonl"
    if dev.is_file():
        splits["validation"].append(
            Dataset("dev.jsonl", "bundled", bundled_matcher, from_cases(load_cases(dev)))
        )
    if STACKFAQ.is_dir():
        stack = Matcher(load_faq(stackfaq_faq(workdir)), encoder=encoder, decision=UNFITTED)
        splits["fit"].append(Dataset("stackfaq-even", "stackfaq", stack, stackfaq_items(0)))
        splits["validation"].append(Dataset("stackfaq-odd", "stackfaq", stack, stackfaq_items(1)))
    for folder in sorted(PLAIN_FAQS.iterdir()) if PLAIN_FAQS.is_dir() else ():
        plain = Matcher(load_faq(folder / "faq.yaml"), encoder=encoder, decision=UNFITTED)
        items = from_cases(load_cases(folder / "queries.jsonl"))
        splits["validation"].append(Dataset(folder.name, folder.name, plain, items))
    splits["small"] = small_faqs(splits["validation"], encoder, random.Random(0))
    return splits


# A FAQ while its admin is starting out: a few entries, then a few dozen. Measured, not fitted
# on: the features cannot yet tell a small FAQ's best entry that is meant from one that is
# only far ahead of few others, and with them in the fit (weighed from a tenth of a FAQ to a
# whole one) StackFAQ's odd lines fell from 0.879 right to 0.65-0.68.
SMALL_SIZES = (3, 6, 12, 24)
# Every SMALL_STRIDE-th question of a set is asked of each small FAQ: enough to measure, at a
# quarter of the time.
SMALL_STRIDE = 4


def small_faqs(data: Sequence[Dataset], encoder: Encoder, rng: random.Random) -> list[Dataset]:
    """Each FAQ of `data` cut down to SMALL_SIZES random entries, asked a sample of its
    questions: a question whose right entry was cut is one the small FAQ cannot answer. All of
    them pool as one FAQ ("small")."""
    result = []
    by_faq: dict[str, list[Dataset]] = {}
    for dataset in data:
        by_faq.setdefault(dataset.faq, []).append(dataset)
    for name, group in by_faq.items():
        full = group[0].matcher.faq
        items = [item for dataset in group for item in dataset.items][::SMALL_STRIDE]
        for size in SMALL_SIZES:
            kept = set(rng.sample(range(len(full.entries)), size))
            faq = replace(full, entries=tuple(
                entry for index, entry in enumerate(full.entries) if index in kept
            ))
            matcher = Matcher(faq, encoder=encoder, decision=UNFITTED)
            result.append(Dataset(
                f"{name}-{size}-entries", "small", matcher,
                [within(item, faq.entries) for item in items],
            ))
    return result


def within(item: Labelled, entries: Sequence[Entry]) -> Labelled:
    """The question asked of a FAQ of just `entries`: unanswerable if its right entry is not
    among them."""
    if item.kind == "answerable" and not any(item.right(entry) for entry in entries):
        return Labelled(item.question, "unanswerable", item.right)
    return item


@dataclass
class Row:
    """A question's candidates: features, whether each is right, and the entries."""

    dataset: str
    faq: str
    kind: str
    triaged: Status | None
    features: np.ndarray
    labels: np.ndarray
    entries: list[Entry]
    indexes: list[int]  # each candidate's place in its FAQ, which breaks a tie as in the bot
    ask_leads: np.ndarray  # each candidate's ask_lead (the bot reads only the best one's)


def rows_of(data: Sequence[Dataset]) -> list[Row]:
    rows = []
    for dataset in data:
        entries = dataset.matcher.faq.entries
        for item in dataset.items:
            triaged, chosen, leads = dataset.matcher.candidates_and_leads(item.question)
            rows.append(Row(
                dataset.name, dataset.faq, item.kind,
                None if triaged is None else triaged.status,
                np.array([c.features for c in chosen], dtype=float).reshape(-1, len(FEATURES)),
                np.array([item.right(entries[c.index]) for c in chosen], dtype=float),
                [entries[c.index] for c in chosen],
                [c.index for c in chosen],
                np.array(leads, dtype=float),
            ))
    return rows


def weights_by_faq(rows: Sequence[Row]) -> np.ndarray:
    """Per row: 1 / the number of rows of its FAQ, so each FAQ weighs the same."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.faq] = counts.get(row.faq, 0) + 1
    return np.array([len(rows) / len(counts) / counts[row.faq] for row in rows])


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Logistic:
    """Weighted logistic regression by Newton's method, with a small L2 penalty."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = L2 * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (w * (p - y)) + penalty @ beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(float(b) for b in beta[:-1]), float(beta[-1]))


def fit_rank(rows: Sequence[Row]) -> Logistic:
    """Every candidate of every question: is it the entry meant?"""
    usable = [(row, weight) for row, weight in zip(rows, weights_by_faq(rows), strict=True)
              if row.triaged is None and len(row.labels)]
    return fit_logistic(
        np.vstack([row.features for row, _ in usable]),
        np.concatenate([row.labels for row, _ in usable]),
        np.concatenate([np.full(len(row.labels), weight) for row, weight in usable]),
    )


def gate_row(row: Row, rank: Logistic) -> tuple[int, np.ndarray]:
    """The best candidate by the ranker, and what the gate reads of it (as the bot reads it)."""
    ranked = ranking(rank, row.features.tolist(), row.indexes, linked_in(row))
    best = ranked.order[0]
    return best, np.array([*ranked.gate_row[:-1], row.ask_leads[best]])


def linked_in(row: Row) -> Callable[[int, int], bool]:
    return lambda one, other: linked(row.entries[one], row.entries[other])


def fit_gate(rows: Sequence[Row], rank: Logistic) -> Logistic:
    """Each question: is answering its best candidate right?"""
    x, y, w = [], [], []
    for row, weight in zip(rows, weights_by_faq(rows), strict=True):
        if row.triaged is not None or not len(row.labels) or row.kind == "urgent":
            continue
        best, features = gate_row(row, rank)
        x.append(features)
        y.append(float(row.kind == "answerable" and row.labels[best]))
        w.append(weight)
    return fit_logistic(np.array(x), np.array(y), np.array(w))


@dataclass
class Figures:
    answerable: int = 0
    right: int = 0
    wrong: int = 0
    unanswerable: int = 0
    false_answers: int = 0
    urgent: int = 0
    urgent_routed: int = 0
    other_routed: int = 0  # messages that are not urgent, sent to urgent care
    offered_right: int = 0  # answerable, not answered, the right entry among suggestions
    recall: int = 0  # answerable questions with a right entry among the candidates

    def line(self) -> str:
        def pct(count: int, total: int) -> str:
            return f"{count / total:6.3f}" if total else "   n/a"

        return (
            f"right {pct(self.right, self.answerable)} ({self.right}/{self.answerable})  "
            f"wrong {pct(self.wrong, self.answerable)}  "
            f"off-topic answered {pct(self.false_answers, self.unanswerable)} "
            f"({self.false_answers}/{self.unanswerable})  "
            f"urgent {self.urgent_routed}/{self.urgent}  "
            f"false urgent {self.other_routed}  "
            f"offered right {self.offered_right}  "
            f"candidates hold right {pct(self.recall, self.answerable)}"
        )


def figures(rows: Sequence[Row], decision: Decision) -> Figures:
    result = Figures()
    for row in rows:
        kind = row.kind
        if kind == "urgent":
            result.urgent += 1
            result.urgent_routed += row.triaged is Status.URGENT
            continue
        result.other_routed += row.triaged is Status.URGENT
        status, chosen, offered = decide(row, decision)
        if kind == "answerable":
            result.answerable += 1
            result.recall += bool(row.labels.any())
            if status is Status.ANSWER:
                if chosen is not None and row.labels[chosen]:
                    result.right += 1
                else:
                    result.wrong += 1
            elif any(row.labels[index] for index in offered):
                result.offered_right += 1
        else:
            result.unanswerable += 1
            result.false_answers += status is Status.ANSWER
    return result


def decide(row: Row, decision: Decision) -> tuple[Status, int | None, list[int]]:
    """The bot's decision (Decision.choose, as Matcher uses it) on precomputed features."""
    if row.triaged is not None:
        return row.triaged, None, []
    if not len(row.labels):
        return Status.NONE, None, []
    choice = decision.choose(
        row.features.tolist(), row.indexes, linked_in(row), MAX_SUGGESTIONS,
        lambda position: float(row.ask_leads[position]),
    )
    offered = list(choice.offered)
    if choice.answer:
        return Status.ANSWER, choice.order[0], offered
    return (Status.SUGGEST if offered else Status.NONE), None, offered


def figures_by_faq(rows: Sequence[Row], decision: Decision) -> list[Figures]:
    """The decision's figures on each FAQ's rows."""
    by_faq: dict[str, list[Row]] = {}
    for row in rows:
        by_faq.setdefault(row.faq, []).append(row)
    return [figures(group, decision) for group in by_faq.values()]


def pooled(rows: Sequence[Row], decision: Decision) -> tuple[float, float, float, Figures]:
    """Right, wrong and off-topic-answered rates, each FAQ weighed the same."""
    right, wrong, false = mean_rates(figures_by_faq(rows, decision))
    return right, wrong, false, figures(rows, decision)


def mean_rates(per_faq: Sequence[Figures]) -> tuple[float, float, float]:
    """The right, wrong and off-topic-answered rates of each FAQ's figures, averaged."""
    rates = np.array([
        (f.right / max(f.answerable, 1), f.wrong / max(f.answerable, 1),
         f.false_answers / f.unanswerable if f.unanswerable else 0.0)
        for f in per_faq
    ])
    mean = rates.mean(axis=0)
    return float(mean[0]), float(mean[1]), float(mean[2])


# The suggestions' threshold is chosen on probabilities the models give questions they were not
# fitted on: the fit rows are split in two folds (a FAQ asked in several files by file, one
# asked in one file by line), and each fold is decided by a rank and gate fitted on the other.
# Chosen on the rows the models were fitted on, the models look surer than they are.
FOLDS = 2


@dataclass(frozen=True)
class Fold:
    """Rows, and the rank and gate fitted without them."""

    rows: list[Row]
    rank: Logistic
    gate: Logistic


def folds_of(rows: Sequence[Row]) -> list[Fold]:
    """The fit rows in FOLDS parts, each with models fitted on the others."""
    files: dict[str, set[str]] = {}
    for row in rows:
        files.setdefault(row.faq, set()).add(row.dataset)
    # the part of each file of a FAQ asked in several, in name order
    by_file = {
        (faq, name): place % FOLDS
        for faq, names in files.items() if len(names) >= FOLDS
        for place, name in enumerate(sorted(names))
    }
    parts: list[list[Row]] = [[] for _ in range(FOLDS)]
    lines: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.faq, row.dataset)
        if key in by_file:
            part = by_file[key]
        else:
            part = lines.get(key, 0) % FOLDS
            lines[key] = lines.get(key, 0) + 1
        parts[part].append(row)
    result = []
    for number, held in enumerate(parts):
        others = [row for other, part in enumerate(parts) if other != number for row in part]
        rank = fit_rank(others)
        result.append(Fold(held, rank, fit_gate(others, rank)))
    return result


def choose_thresholds(rows: Sequence[Row], rank: Logistic, gate: Logistic) -> Decision:
    """ANSWER_AT, and the suggestions' threshold (which also bounds what can be answered),
    chosen out of fold for `rank` and `gate`."""
    folds = folds_of(rows)
    answer_at = ANSWER_AT
    # Suggestions: the most questions offered their right entry, less the off-topic and
    # wrong-only offers, over the questions not answered.
    scores = []
    for suggest_at in np.arange(0.02, 0.9, 0.02):
        helpful = noise = 0
        for fold in folds:
            trial = Decision(fold.rank, fold.gate, answer_at, float(suggest_at))
            for row in fold.rows:
                status, _, offered = decide(row, trial)
                if status is not Status.SUGGEST:
                    continue
                if row.kind == "answerable" and any(row.labels[i] for i in offered):
                    helpful += 1
                else:
                    noise += 1
        scores.append((helpful - noise, float(suggest_at)))
    suggest_at = max(scores)[1]
    return Decision(rank, gate, answer_at, suggest_at)


def cost(rows: Sequence[Row], decision: Decision) -> float:
    """What a decision costs per question, each FAQ weighed the same: WRONG_COST for a wrong
    answer or an off-topic question answered, 1 for an answerable question not answered."""
    per_faq = figures_by_faq(rows, decision)
    total = 0.0
    for f in per_faq:
        unanswered = f.answerable - f.right - f.wrong
        spent = WRONG_COST * (f.wrong + f.false_answers) + unanswered
        total += spent / max(1, f.answerable + f.unanswerable)
    return total / max(1, len(per_faq))


def choose_ask_veto(rows: Sequence[Row], decision: Decision) -> float:
    """The ask_veto that costs least on `rows` with the decision's weights and thresholds,
    the strictest of equals; -inf (no veto) when every veto costs more than none.

    Why the strictest: the fit sets hold few questions the veto is for (an off-topic question
    that names an entry's subject and gets as far as an answer: their `not_covered` phrases
    were written against them), so several vetoes often cost them exactly the same, and a veto
    that costs them nothing is a guard for free. Taking the most lenient of equals instead left
    the static encoder with no veto at all when a change to bot/asks.py moved one fit line."""
    chosen, lowest = -math.inf, cost(rows, replace(decision, ask_veto=-math.inf))
    for veto in VETO_GRID:
        spent = cost(rows, replace(decision, ask_veto=veto))
        if spent <= lowest + 1e-9:
            chosen, lowest = veto, min(spent, lowest)
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoder", default="minilm", choices=("minilm", "static"))
    parser.add_argument("--write", action="store_true", help="write bot/data/decision-*.json")
    parser.add_argument(
        "--reuse", action="store_true",
        help="reuse the features of the last run (.cache/): only the fit is done again",
    )
    parser.add_argument(
        "--keep-weights", action="store_true",
        help="keep the rank, gate and thresholds of bot/data/decision-*.json as they are; "
        "choose only ask_veto for them",
    )
    args = parser.parse_args()
    out = ROOT / "bot" / "data" / f"decision-{args.encoder}.json"
    started = time.perf_counter()
    saved = ROOT / ".cache" / f"fit-rows-{args.encoder}.pickle"
    if args.reuse and saved.is_file():
        names, rows = pickle.loads(saved.read_bytes())
    else:
        memo = MemoEncoder(
            load_encoder(args.encoder), ROOT / ".cache" / f"fit-{args.encoder}.npz"
        )
        with tempfile.TemporaryDirectory() as workdir:
            splits = datasets(memo, Path(workdir))
            rows = {split: rows_of(data) for split, data in splits.items()}
        memo.save()
        names = {split: [dataset.name for dataset in data] for split, data in splits.items()}
        saved.write_bytes(pickle.dumps((names, rows)))
    if args.keep_weights:
        shipped = decision_from(json.loads(out.read_text(encoding="utf-8")), source=str(out))
        rank, gate = shipped.rank, shipped.gate
        decision = shipped
    else:
        rank = fit_rank(rows["fit"])
        gate = fit_gate(rows["fit"], rank)
        decision = choose_thresholds(rows["fit"], rank, gate)
    decision = replace(decision, ask_veto=choose_ask_veto(rows["fit"], decision))
    print(f"encoder {args.encoder}; features and rows in {time.perf_counter() - started:.0f} s")
    for title, model, labels in (("rank", rank, FEATURES), ("gate", gate, GATE_FEATURES)):
        print(f"{title}: " + "  ".join(
            f"{name} {weight:+.2f}" for name, weight in zip(labels, model.weights, strict=True)
        ) + f"  bias {model.bias:+.2f}")
    print(f"answer_at {decision.answer_at:.3f}  suggest_at {decision.suggest_at:.2f}  "
          f"ask_veto {decision.ask_veto:.2f}")
    report: dict[str, dict[str, float | int]] = {}
    for split, data in names.items():
        print(f"== {split}")
        for name in data:
            f = figures([row for row in rows[split] if row.dataset == name], decision)
            print(f"  {name:<22}{f.line()}")
        right, wrong, false, total = pooled(rows[split], decision)
        print(f"  {'pooled (each FAQ same)':<22}right {right:.3f}  wrong {wrong:.3f}  "
              f"off-topic answered {false:.3f}")
        print(f"  {'all lines':<22}{total.line()}")
        report[split] = {"right": round(right, 4), "wrong": round(wrong, 4),
                         "off_topic_answered": round(false, 4)}
    if args.write:
        out.write_text(json.dumps({
            "encoder": args.encoder,
            "features": list(FEATURES),
            "gate_features": list(GATE_FEATURES),
            "rank": {"weights": [round(w, 6) for w in rank.weights], "bias": round(rank.bias, 6)},
            "gate": {"weights": [round(w, 6) for w in gate.weights], "bias": round(gate.bias, 6)},
            "answer_at": round(decision.answer_at, 4),
            "suggest_at": round(decision.suggest_at, 4),
            "ask_veto": None if math.isinf(decision.ask_veto) else decision.ask_veto,
            "fitted_by": "scripts/fit_decision.py",
            "thresholds": (
                f"answer_at from a wrong answer's cost ({WRONG_COST}); suggest_at chosen out of "
                f"fold ({FOLDS} folds of the fit sets); ask_veto the strictest lead of "
                "VETO_GRID of those that cost least on the fit sets at that cost"
            ),
            "fitted_on": names["fit"],
            "validated_on": names["validation"],
            "pooled": report,
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
