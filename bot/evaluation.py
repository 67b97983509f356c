"""Scoring the matcher on a labelled question file (the format of shared/eval/dev.jsonl).

Each line is a JSON object: `q` (the message), `kind`, and for answerable kinds `any` (the
answer text must contain one of these phrases) or `all` (it must contain every one). Kinds
`oos` and `smalltalk` must not get an FAQ answer; `urgent` must be routed to urgent care.
A line may instead name the right entries by id, as public FAQ datasets do: `gold` (an id, a
list of ids, or null for a question the FAQ does not answer) and no `kind`.

A message is judged by the reply the product sends: two questions in one message may get an
answer for each (bot.compound). A message of two questions is labelled by its first: the reply
is right when the answers sent, together, hold the right text; for an off-topic label, an
answer to the first question is a false answer, and an answer to a later one is not (in "where
are you based and do you treat frozen shoulder?" only the first is off-topic).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.compound import Parts, answer_parts, split_questions
from bot.matcher import Match, Matcher, Status

UNANSWERABLE = frozenset({"oos", "smalltalk"})


class EvalFileError(ValueError):
    """A labelled file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Case:
    question: str
    kind: str
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    line: int = 0
    gold: tuple[str, ...] = ()  # the ids of the right entries, when the file names them

    @property
    def answerable(self) -> bool:
        return self.kind not in UNANSWERABLE and self.kind != "urgent"


@dataclass(frozen=True)
class Outcome:
    case: Case
    match: Match  # the decision on the message (on one part of it, if that part is urgent)
    # right | wrong | unanswered | false-answer | ok | missed-urgent | false-urgent (a message
    # that is not urgent, sent to urgent care)
    verdict: str
    parts: Parts | None = None  # the answers sent part by part, when the message was split

    @property
    def answered(self) -> list[str]:
        """The ids of the entries whose answers were sent."""
        if self.parts is not None:
            return [entry.id for entry in self.parts.entries]
        if self.match.status is Status.ANSWER and self.match.entry is not None:
            return [self.match.entry.id]
        return []


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, predicate: str, kinds: Iterable[bool]) -> tuple[int, int]:
        relevant = [o for o, keep in zip(self.outcomes, kinds, strict=True) if keep]
        return sum(1 for o in relevant if o.verdict == predicate), len(relevant)

    def rate(self, verdict: str, group: str) -> tuple[int, int]:
        """(count, total) of outcomes with `verdict` among the group's cases."""
        selectors = {
            "answerable": [o.case.answerable for o in self.outcomes],
            "unanswerable": [o.case.kind in UNANSWERABLE for o in self.outcomes],
            "urgent": [o.case.kind == "urgent" for o in self.outcomes],
            "not urgent": [o.case.kind != "urgent" for o in self.outcomes],
        }
        return self._count(verdict, selectors[group])

    def offered_first(self) -> tuple[int, int]:
        """(count, total) of answerable questions only offered suggestions whose first is the
        right entry: one tap away, though not answered."""
        offered = [o for o in self.outcomes if o.case.answerable and o.verdict == "unanswered"
                   and o.match.status is Status.SUGGEST and o.match.suggestions]
        right = sum(
            judge(o.case, Match(Status.ANSWER, entry=o.match.suggestions[0].entry)) == "right"
            for o in offered
        )
        return right, sum(o.case.answerable for o in self.outcomes)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict not in ("right", "ok")]

    def confusions(self) -> list[tuple[str, list[str]]]:
        """Entries that answered questions meant for something else, most frequent first."""
        stolen: dict[str, list[str]] = defaultdict(list)
        for outcome in self.outcomes:
            if outcome.verdict in ("wrong", "false-answer"):
                for entry_id in outcome.answered:
                    stolen[entry_id].append(outcome.case.question)
        return sorted(stolen.items(), key=lambda item: (-len(item[1]), item[0]))


def load_cases(path: str | Path) -> list[Case]:
    """Read a labelled .jsonl file; blank lines are skipped, anything malformed is an error."""
    cases = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(record, dict) or not isinstance(record.get("q"), str):
            raise EvalFileError(f"{path}:{number}: needs a text field 'q'")
        gold = record.get("gold", ())
        gold = () if gold is None else (gold,) if isinstance(gold, str) else gold
        if not (isinstance(gold, list | tuple) and all(isinstance(g, str) for g in gold)):
            raise EvalFileError(f"{path}:{number}: 'gold' must be an id, a list or null")
        # A line labelled by entry id may leave out its kind: with an id it is a FAQ question,
        # with null one the FAQ does not answer.
        kind = record.get("kind", "faq" if gold else "oos" if "gold" in record else None)
        if not isinstance(kind, str):
            raise EvalFileError(f"{path}:{number}: needs a text field 'kind' (or 'gold')")
        any_of = record.get("any", [])
        all_of = record.get("all", [])
        if not all(isinstance(x, list) and all(isinstance(p, str) for p in x)
                   for x in (any_of, all_of)):
            raise EvalFileError(f"{path}:{number}: 'any' and 'all' must be lists of text")
        case = Case(record["q"], kind, tuple(any_of), tuple(all_of), number, tuple(gold))
        if case.answerable and not (any_of or all_of or gold):
            raise EvalFileError(
                f"{path}:{number}: kind {kind!r} needs 'gold' ids or 'any' / 'all' phrases"
            )
        cases.append(case)
    return cases


def plain_faq_yaml(entries: Iterable[dict[str, str]], disclaimer: str) -> str:
    """A faq.yaml written as an admin writes a plain one (id, question and answer per entry),
    for measuring the matcher on a public FAQ dataset."""
    lines = [f"disclaimer: {json.dumps(disclaimer)}", "entries:"]
    for entry in entries:
        lines += [
            f"  - id: {entry['id']}",
            f"    question: {json.dumps(entry['question'])}",
            f"    answer: {json.dumps(entry['answer'])}",
        ]
    return "\n".join(lines) + "\n"


def _fold(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").casefold().split())


def judge(case: Case, match: Match) -> str:
    """right/wrong/unanswered for answerable cases; ok/false-answer/missed-urgent otherwise."""
    if case.kind == "urgent":
        return "ok" if match.status is Status.URGENT else "missed-urgent"
    if match.status is Status.URGENT:
        return "false-urgent"
    answered = match.status is Status.ANSWER and match.entry is not None
    if not case.answerable:
        return "false-answer" if answered else "ok"
    if not answered or match.entry is None:
        return "unanswered"
    return _judge_answers(case, [match.entry.id], [match.entry.answer])


def judge_parts(case: Case, parts: Parts) -> str:
    """The verdict on a message answered part by part (see the module's docstring): an
    emergency answered with FAQ entries is missed."""
    if case.kind == "urgent":
        return "missed-urgent"
    if not case.answerable:
        first = split_questions(case.question)[0]
        return "false-answer" if any(part.text == first for part in parts.answered) else "ok"
    entries = parts.entries
    return _judge_answers(case, [entry.id for entry in entries], [e.answer for e in entries])


def _judge_answers(case: Case, ids: list[str], answers: list[str]) -> str:
    if case.gold:
        return "right" if any(entry_id in case.gold for entry_id in ids) else "wrong"
    texts = [_fold(answer) for answer in answers]
    good = all(any(_fold(p) in text for text in texts) for p in case.all_of) and (
        not case.any_of or any(_fold(p) in text for p in case.any_of for text in texts)
    )
    return "right" if good else "wrong"


def evaluate(matcher: Matcher, cases: Iterable[Case]) -> Report:
    """Each case judged by the reply the product sends it (see the module's docstring)."""
    report = Report()
    for case in cases:
        whole = matcher.match(case.question)
        reply = answer_parts(matcher, case.question, whole)
        if isinstance(reply, Parts):
            outcome = Outcome(case, whole, judge_parts(case, reply), parts=reply)
        else:  # one decision on the message: the whole's, or an urgent part's
            match = whole if reply is None else reply
            outcome = Outcome(case, match, judge(case, match))
        report.outcomes.append(outcome)
    return report


def format_report(report: Report, *, show_misses: bool = True) -> str:
    """The human-readable summary printed by `faq-bot eval`."""

    def pct(count: int, total: int) -> str:
        return f"{count / total:.3f} ({count}/{total})" if total else "n/a (0 cases)"

    lines = []
    if show_misses and report.misses:
        lines.append("Misses:")
        for outcome in report.misses:
            match = outcome.match
            got = match.entry.id if match.entry else match.status.value
            if outcome.parts is not None:
                got = " + ".join(outcome.answered) + " (in parts)"
            elif match.status is Status.SUGGEST:
                got += " [" + ", ".join(s.entry.id for s in match.suggestions) + "]"
            lines.append(
                f"  {outcome.verdict:<13} {outcome.case.kind:<10} {outcome.case.question!r}"
                f" -> {got} ({match.score:.0f})"
            )
        confusions = report.confusions()
        if confusions:
            lines.append("Entries answering questions meant for something else:")
            for entry_id, questions in confusions:
                stolen = "; ".join(map(repr, questions))
                lines.append(f"  {entry_id} ({len(questions)}): {stolen}")
        lines.append("")
    verdicts = Counter(o.verdict for o in report.outcomes)
    lines.append(f"cases: {len(report.outcomes)}  " + "  ".join(
        f"{name}={count}" for name, count in sorted(verdicts.items())))
    lines.append("in-scope accuracy:          " + pct(*report.rate("right", "answerable")))
    lines.append("wrong-answer rate:          " + pct(*report.rate("wrong", "answerable")))
    lines.append("right entry offered first:  " + pct(*report.offered_first()))
    false_answers = report.rate("false-answer", "unanswerable")
    lines.append("out-of-scope false answers: " + pct(*false_answers))
    lines.append("urgent recall:              " + pct(*report.rate("ok", "urgent")))
    lines.append("false urgent:               " + pct(*report.rate("false-urgent", "not urgent")))
    return "\n".join(lines)
