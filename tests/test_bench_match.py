"""scripts/bench_match.py runs end to end and reports every section (speed is not asserted:
timings on a shared CI machine are noise, and the figures are for people to read)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO
from helpers.scripts import load_script

from bot.faq import load_faq
from bot.text import words

# The benchmark's own runs, on FAQs of hundreds and thousands of entries: not in a routine run.
pytestmark = pytest.mark.slow

bench = load_script("bench_match")

NUMBER = r"~?\d+\.\d+"


@pytest.mark.parametrize("extra", [15, 105])
def test_a_generated_faq_has_the_size_asked_for_and_loads(tmp_path: Path, extra: int) -> None:
    bundled = load_faq(REPO / "faq.yaml")
    size = len(bundled.entries) + extra
    generated = bench.generate_faq(size)
    path = tmp_path / "faq.yaml"
    path.write_text(generated.text, encoding="utf-8")
    faq = load_faq(path)  # the real validator: unique ids, known related ids, no empty fields
    assert len(faq.entries) == size == generated.entries
    kept = faq.entries[: len(bundled.entries)]
    # the bundled entries come first, unchanged but for their line numbers (the YAML is re-emitted)
    assert [replace(entry, line=0) for entry in kept] == [
        replace(entry, line=0) for entry in bundled.entries
    ]
    assert len(generated.questions) == generated.synthetic == extra


def test_generation_is_deterministic_and_the_vocabulary_grows_with_size() -> None:
    base = bench.bundled_entries()
    assert bench.generate_faq(base + 50).text == bench.generate_faq(base + 50).text
    assert bench.generate_faq(base + 50, seed=5).text != bench.generate_faq(base + 50).text

    def vocabulary(size: int) -> int:
        text = bench.generate_faq(size).text  # words() reads a message: one line at a time
        return len({word for line in text.splitlines() for word in words(line)})

    assert vocabulary(base + 50) < vocabulary(base + 150) < vocabulary(base + 350)


def test_real_questions_come_from_every_subfolder_of_tests_data() -> None:
    questions, counts = bench.real_questions()
    assert len(questions) == sum(counts.values()) > 1000
    assert all(isinstance(question, str) and question for question in questions)
    on_disk = {
        path.relative_to(REPO / "tests" / "data").parts[0]
        for path in (REPO / "tests" / "data").rglob("*.jsonl")
        if len(path.relative_to(REPO / "tests" / "data").parts) > 1
    }
    assert on_disk <= set(counts)


def test_percentiles_are_nearest_rank_timings() -> None:
    stats = bench.Stats.of([n * 1_000_000 for n in range(1, 101)])  # 1..100 ms
    assert (stats.count, stats.p50, stats.p99, stats.max) == (100, 50.0, 99.0, 100.0)
    assert stats.mean == pytest.approx(50.5)


def test_an_unknown_commit_is_skipped_with_a_reason() -> None:
    with bench.today_tree("0" * 40) as (root, why):
        assert root is None
        assert why


def test_the_libraries_an_engine_needs_are_found_with_their_requirements() -> None:
    assert bench.closure(["PyYAML"]) == {"pyyaml"}
    assert "numpy" in bench.closure(["onnxruntime"])


def test_quick_run_prints_every_section_with_numbers_and_writes_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = bench.bundled_entries()
    small, larger = base + 10, base + 20
    out = tmp_path / "bench.json"
    code = bench.main([
        "--quick", "--encoders", "static", "--sizes", f"{small},{larger}", "--json", str(out),
    ])
    assert code == 0
    printed = capsys.readouterr().out
    for section in (
        "== Per-question latency, bundled FAQ",
        f"== Per-question latency, generated FAQ gen-{small}",
        f"== Per-question latency, generated FAQ gen-{larger}",
        "== FAQ load + index build, bundled",
        f"== FAQ load + index build, gen-{larger}",
        '== Cold `faq-bot ask "do you treat sciatica"`',
        "== Peak resident memory",
        "== Installed size",
        "== Summary: new / today",
    ):
        assert section in printed, section
    results = json.loads(out.read_text(encoding="utf-8"))
    # Today's matcher runs when git and its commit are there; otherwise a line says why not.
    engines = ["static", *(["today"] if "today" in results["engines"] else [])]
    if "today" not in engines:
        assert "SKIPPED" in printed
    for engine in engines:
        # calls, p50, p99, mean, max: numbers on the engine's latency row
        assert re.search(rf"^{engine}\s+\d+\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}",
                         printed, re.M), engine
        assert re.search(rf"^{engine}\s+{NUMBER} s \(x", printed, re.M), engine  # cold ask
        assert re.search(rf"^{engine}\s+after build\s+\d+ MiB", printed, re.M), engine
        assert results["ask"][engine]["answered"] is True
        assert results["ask"][engine]["telegram_modules"] == []
        for label in ("bundled", f"gen-{small}", f"gen-{larger}"):
            outcome = results["faqs"][label][engine]
            assert "error" not in outcome["cold"], outcome["cold"]
            assert outcome["warm"]["real"]["count"] > 0
    assert re.search(rf"^bundled p99 ms\s+<=20\s+{NUMBER}", printed, re.M)
    assert results["faqs"][f"gen-{larger}"]["static"]["warm"]["build"]["entries"] == larger
    assert results["size"]["libraries"]["numpy"] > 0
