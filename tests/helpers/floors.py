"""What the accuracy floors share: labelled cases from files, and a report held to its floors."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import Case, Report, load_cases

DATA = Path(__file__).resolve().parents[1] / "data"


def cases_of(*paths: Path) -> list[Case]:
    return [case for path in paths for case in load_cases(path)]


def split(name: str) -> list[Path]:
    """The labelled files of one split of tests/data (fit, validation, test, urgent,
    multilingual)."""
    return sorted((DATA / name).glob("*.jsonl"))


def share(report: Report, verdict: str, group: str) -> float:
    count, total = report.rate(verdict, group)
    return count / total if total else 0.0


def check(report: Report, right: float, wrong: float, false_answers: float) -> None:
    """The report's shares against its floors, and every emergency among its cases routed."""
    missed = [o.case.question for o in report.outcomes if o.verdict == "missed-urgent"]
    assert not missed
    assert share(report, "right", "answerable") >= right
    assert share(report, "wrong", "answerable") <= wrong
    assert share(report, "false-answer", "unanswerable") <= false_answers
