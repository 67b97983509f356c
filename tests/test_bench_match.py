"""scripts/bench_match.py runs end to end and reports every section (speed is not asserted:
timings on a shared CI machine are noise, and the figures are for people to read)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO
from helpers.scripts import load_script

from bot.faq import load_faq
from bot.text import words

bench = load_script("bench_match")


@pytest.mark.parametrize("size", [60, 150])
def test_a_generated_faq_has_the_size_asked_for_and_loads(tmp_path: Path, size: int) -> None:
    generated = bench.generate_faq(size)
    path = tmp_path / "faq.yaml"
    path.write_text(generated.text, encoding="utf-8")
    faq = load_faq(path)  # the real validator: unique ids, known related ids, no empty fields
    assert len(faq.entries) == size == generated.entries
    bundled = load_faq(REPO / "faq.yaml")
    kept = faq.entries[: len(bundled.entries)]
    # the bundled entries come first, unchanged but for their line numbers (the YAML is re-emitted)
    assert [replace(entry, line=0) for entry in kept] == [
        replace(entry, line=0) for entry in bundled.entries
    ]
    assert len(generated.questions) == generated.synthetic == size - len(bundled.entries)


def test_generation_is_deterministic_and_the_vocabulary_grows_with_size() -> None:
    assert bench.generate_faq(100).text == bench.generate_faq(100).text
    assert bench.generate_faq(100, seed=5).text != bench.generate_faq(100).text

    def vocabulary(size: int) -> int:
        text = bench.generate_faq(size).text  # words() reads a message: one line at a time
        return len({word for line in text.splitlines() for word in words(line)})

    assert vocabulary(100) < vocabulary(200) < vocabulary(400)


def test_quick_run_prints_every_section_and_writes_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--sizes", "60,90", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for section in (
        "== FAQ load and index build",
        "== Matcher.match, real questions, warm",
        "== Matcher.match, real questions, first sight",
        "== Matcher.match, questions about the generated entries",
        "== Baseline: process.extractOne",
        "== Cold start: faq-bot ask do you treat sciatica",
        "telegram imported by `import bot.cli` + ask: False",
    ):
        assert section in printed, section
    for label in ("bundled", "gen-60", "gen-90"):
        assert label in printed
    assert "PASS" in printed or "FAIL" in printed

    results = json.loads(out.read_text(encoding="utf-8"))
    assert [faq["entries"] for faq in results["faqs"][1:]] == [60, 90]
    assert results["cold_start"]["telegram_modules"] == []
    assert results["cold_start"]["answered"] is True
