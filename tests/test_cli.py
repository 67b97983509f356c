"""The `faq-bot` command-line contract, both in-process (main(argv)) and as a real process."""

from __future__ import annotations

import io
import json
import os
import selectors
import subprocess
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    BUNDLED_FAQ,
    MINIMAL_FAQ,
    NO_CONDITIONS_AT_ALL_FAQ,
    NO_CONDITIONS_ENTRY_FAQ,
    REPO,
    SHARED,
    SUGGESTED_MINIMAL,
    WriteFaq,
    suggestion_list,
)

from bot import cli
from bot.faq import Faq, load_faq
from bot.matcher import Matcher, Status
from bot.replies import SIGNS_NOW, render_plain

JSON_KEYS = {"question", "status", "entry_id", "score", "answer", "reply", "suggestions"}
SUGGESTION_KEYS = {"entry_id", "question", "score"}
STATUSES = {status.value for status in Status}
METRICS = (
    "in-scope accuracy", "wrong-answer rate", "out-of-scope false answers", "urgent recall",
)
# MINIMAL_FAQ's fallback, which tells us which FAQ file a command used.
FALLBACK = "Sorry, I could not find that."
NONSENSE = "zqxj vbnm"
# tests/helpers/mini_faq.yaml (two treated conditions under `conditions`) with a lead for each:
# what the CLI does with leads and /conditions, whatever the shipped faq.yaml says.
MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
LEADS_FAQ = MINI_FAQ.read_text(encoding="utf-8").replace(
    "    question: Do you treat sciatica?\n",
    "    question: Do you treat sciatica?\n"
    "    lead: Yes, sciatica is one of the conditions we treat.\n",
).replace(
    "    question: Do you treat tennis elbow?\n",
    "    question: Do you treat tennis elbow?\n"
    "    lead: Yes, tennis elbow is one of the conditions we treat.\n",
)


@pytest.fixture(autouse=True)
def _no_faq_path_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAQ_PATH", raising=False)


def run(
    *args: str,
    stdin: str | bytes = "",
    cwd: Path = REPO,
    env: Mapping[str, str] | None = None,
    command: tuple[str, ...] = (sys.executable, "-m", "bot"),
) -> subprocess.CompletedProcess[str]:
    """Run faq-bot as a separate process; stdout and stderr are decoded as UTF-8."""
    environment = {key: value for key, value in os.environ.items() if key != "FAQ_PATH"}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), environment.get("PYTHONPATH")])
    )
    environment.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    completed = subprocess.run(
        [*command, *args], input=data, capture_output=True, cwd=cwd, env=environment,
        timeout=60, check=False,
    )
    return subprocess.CompletedProcess(
        completed.args, completed.returncode,
        completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8"),
    )


def call(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    """main(argv) in this process: (exit code, stdout, stderr)."""
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(text: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(record, dict) for record in records)
    return records


def assert_json_contract(record: dict[str, Any], faq: Faq) -> None:
    """One `ask --json` object: exactly the documented keys, each of the documented type."""
    assert set(record) == JSON_KEYS
    assert isinstance(record["question"], str)
    assert record["status"] in STATUSES
    assert isinstance(record["score"], int | float)
    assert not isinstance(record["score"], bool)
    assert 0 <= record["score"] <= 100
    assert isinstance(record["reply"], str)
    assert record["reply"]
    assert isinstance(record["suggestions"], list)
    for suggestion in record["suggestions"]:
        assert set(suggestion) == SUGGESTION_KEYS
        entry = faq.get(suggestion["entry_id"])
        assert entry is not None
        assert suggestion["question"] == entry.question
        assert 0 <= suggestion["score"] <= 100
    scores = [suggestion["score"] for suggestion in record["suggestions"]]
    assert scores == sorted(scores, reverse=True), "suggestions must be best first"
    if record["status"] == "answer":
        entry = faq.get(record["entry_id"])
        assert entry is not None
        assert record["answer"] == entry.answer
        assert faq.disclaimer in record["reply"]
        assert faq.disclaimer not in record["answer"] or entry.id == "disclaimer"
    else:
        assert record["entry_id"] is None
        assert record["answer"] == ""
        assert faq.disclaimer not in record["reply"]


# -- ask ----------------------------------------------------------------------------------------


def test_ask_answers_one_question_in_plain_text(
    capsys: pytest.CaptureFixture[str], minimal_faq: Faq
) -> None:
    code, out, err = call(capsys, "ask", "--faq", minimal_faq.source, "do", "you", "treat",
                          "sciatica")
    assert (code, err) == (0, "")
    sciatica = minimal_faq.get("sciatica")
    assert sciatica is not None
    expected = render_plain(minimal_faq, Matcher(minimal_faq).match("do you treat sciatica"))
    assert out == expected + "\n"
    assert out.startswith(sciatica.question)
    assert sciatica.answer in out
    assert out.rstrip().endswith(minimal_faq.disclaimer)
    assert cli.SEPARATOR not in out.splitlines(), "a single question needs no separator"


def test_ask_says_a_clear_no_to_a_condition_not_on_the_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = (
        "Psoriasis isn't on our list of treated conditions.\n\n"
        "For bookings, prices, opening hours or anything about your own health, please contact "
        "the practice directly.\n"
    )
    code, out, err = call(capsys, "ask", "--faq", str(BUNDLED_FAQ), "do you treat psoriasis?")
    assert (code, out, err) == (0, expected, "")
    # as a person runs it, from the checkout (./faq.yaml is the bundled file)
    process = run("ask", "do you treat psoriasis?")
    assert (process.returncode, process.stdout, process.stderr) == (0, expected, "")


def test_ask_says_yes_first_for_a_treated_condition(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    faq = load_faq(write_faq(LEADS_FAQ).path)
    code, out, _ = call(capsys, "ask", "--faq", faq.source, "do you treat sciatica?")
    assert code == 0
    assert out == (
        "Yes, sciatica is one of the conditions we treat.\n\nDo you treat sciatica?\n\n"
        f"Treated Conditions\n• Sciatica\n\n{faq.disclaimer.strip()}\n"
    )


def test_ask_json_carries_the_clear_no_in_its_reply(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "ask", "--json", "--faq", str(BUNDLED_FAQ), "do you treat gout")
    assert code == 0
    [record] = json_lines(out)
    assert set(record) == JSON_KEYS  # the contract is unchanged
    assert (record["status"], record["entry_id"], record["answer"]) == ("none", None, "")
    assert record["reply"].startswith("Gout isn't on our list of treated conditions.\n\n")


def test_ask_json_has_exactly_the_documented_keys(
    capsys: pytest.CaptureFixture[str], minimal_faq: Faq
) -> None:
    code, out, _ = call(capsys, "ask", "--json", "--faq", minimal_faq.source,
                        "Do you treat sciatica?")
    assert code == 0
    [record] = json_lines(out)
    assert_json_contract(record, minimal_faq)
    assert record["question"] == "Do you treat sciatica?"
    assert record["status"] == "answer"
    assert record["entry_id"] == "sciatica"
    assert record["answer"] == "Treated Conditions\n• Sciatica"


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("hello", "smalltalk"),
        ("I have chest pain", "urgent"),
        (NONSENSE, "none"),
        ("", "none"),
        (SUGGESTED_MINIMAL, "suggest"),
    ],
)
def test_ask_json_for_every_outcome(
    capsys: pytest.CaptureFixture[str], minimal_faq: Faq, question: str, status: str
) -> None:
    code, out, _ = call(capsys, "ask", "--json", "--faq", minimal_faq.source, question)
    assert code == 0
    [record] = json_lines(out)
    assert_json_contract(record, minimal_faq)
    assert (record["question"], record["status"]) == (question, status)
    if status == "suggest":
        ids = [suggestion["entry_id"] for suggestion in record["suggestions"]]
        offered = suggestion_list(minimal_faq, question).suggestions  # the premise
        assert ids == [suggestion.entry.id for suggestion in offered]
        for suggestion in record["suggestions"]:
            assert suggestion["question"] in record["reply"]


def test_ask_batch_json_one_line_per_input_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, minimal_faq: Faq
) -> None:
    questions = ["do you treat sciatica", "", "hello", "chest pain", NONSENSE, "  swedish  "]
    code, out, _ = call(capsys, "ask", "--json", "--faq", minimal_faq.source,
                        stdin="\n".join(questions) + "\n", monkeypatch=monkeypatch)
    assert code == 0
    records = json_lines(out)
    assert [record["question"] for record in records] == questions
    assert [record["status"] for record in records] == [
        "answer", "none", "smalltalk", "urgent", "none", "answer",
    ]
    for record in records:
        assert_json_contract(record, minimal_faq)


def test_ask_batch_plain_delimits_each_reply_with_the_separator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, minimal_faq: Faq
) -> None:
    questions = ["do you treat sciatica", "", SUGGESTED_MINIMAL, "chest pain"]
    code, out, _ = call(capsys, "ask", "--faq", minimal_faq.source,
                        stdin="\r\n".join(questions), monkeypatch=monkeypatch)
    assert code == 0
    matcher = Matcher(minimal_faq)
    expected = [render_plain(minimal_faq, matcher.match(question)) for question in questions]
    assert out == "".join(f"{reply}\n{cli.SEPARATOR}\n" for reply in expected)
    # multi-line replies (answers with a disclaimer, suggestion lists) stay in their own block
    blocks = out.split(f"\n{cli.SEPARATOR}\n")
    assert blocks[:-1] == expected
    assert blocks[-1] == ""


def test_no_reply_in_the_bundled_faq_contains_the_separator_line(bundled_faq: Faq) -> None:
    texts = [bundled_faq.fallback, bundled_faq.urgent_reply, bundled_faq.disclaimer]
    texts += [kind.reply for kind in bundled_faq.smalltalk]
    texts += [entry.answer for entry in bundled_faq.entries]
    texts += [entry.question for entry in bundled_faq.entries]
    texts += [entry.lead for entry in bundled_faq.entries]
    texts += list(bundled_faq.not_covered_no.values())
    assert not [text for text in texts if cli.SEPARATOR in text.splitlines()]


@pytest.mark.slow  # starts faq-bot processes
def test_ask_batch_streams_a_reply_as_soon_as_each_line_arrives(minimal_faq: Faq) -> None:
    """A caller can write one question and read its answer before sending the next one."""
    environment = {key: value for key, value in os.environ.items() if key != "FAQ_PATH"}
    environment["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "--faq", minimal_faq.source],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=environment, text=True, encoding="utf-8",
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            for question, entry_id in [("sciatica", "sciatica"), ("swedish", "swedish")]:
                process.stdin.write(question + "\n")
                process.stdin.flush()
                assert selector.select(timeout=30), f"no reply to {question!r} while stdin is open"
                record = json.loads(process.stdout.readline())
                assert (record["question"], record["entry_id"]) == (question, entry_id)
        process.stdin.close()
        assert process.wait(timeout=30) == 0
        assert process.stdout.read() == ""
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()


@pytest.mark.slow  # starts faq-bot processes
def test_ask_batch_as_a_process_with_blank_lines(minimal_faq: Faq) -> None:
    result = run("ask", "--json", "--faq", minimal_faq.source, stdin="sciatica\n\n\nhi\n")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert [(r["question"], r["status"]) for r in records] == [
        ("sciatica", "answer"), ("", "none"), ("", "none"), ("hi", "smalltalk"),
    ]


@pytest.mark.slow  # starts faq-bot processes
def test_ask_survives_input_that_is_not_utf8(minimal_faq: Faq) -> None:
    result = run("ask", "--json", "--faq", minimal_faq.source, stdin=b"sciatica \xff\xfe\nhi\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert [r["status"] for r in json_lines(result.stdout)] == ["answer", "smalltalk"]


@pytest.mark.slow  # starts faq-bot processes
def test_ask_stops_quietly_when_the_reader_goes_away(minimal_faq: Faq) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "FAQ_PATH"}
    environment["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--faq", minimal_faq.source],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
    )
    assert process.stdout is not None
    process.stdout.close()  # like `faq-bot ask < questions | head -1` after its first line
    _, stderr = process.communicate(b"sciatica\n" * 2000, timeout=60)
    assert b"Traceback" not in stderr
    assert b"Exception ignored" not in stderr
    assert process.returncode == 1


# -- check --------------------------------------------------------------------------------------


def test_check_a_clean_file(capsys: pytest.CaptureFixture[str], write_faq: WriteFaq) -> None:
    faq_file = write_faq()
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert (code, err) == (0, "")
    assert out == f"{faq_file.path}: OK, 4 entries, no collisions\n"


def test_check_a_broken_file(capsys: pytest.CaptureFixture[str], write_faq: WriteFaq) -> None:
    faq_file = write_faq(MINIMAL_FAQ.replace("keywords: [sports]", "keywords: sports"))
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert code == 2
    assert out == ""
    line = faq_file.line_of("keywords: sports")
    assert err.startswith(f"{faq_file.path}:{line}: entries[3] (sports).keywords: must be a list")


def test_check_a_file_whose_entries_collide(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    # The Swedish entry claims the sciatica entry's own question. The premise: the matcher gives
    # that question to sciatica, so the Swedish side is reported, with the entry that answers it.
    text = MINIMAL_FAQ.replace(
        "    keywords: [swedish]\n",
        "    alternates:\n      - Do you treat sciatica?\n    keywords: [swedish]\n",
    )
    faq_file = write_faq(text)
    claimed = Matcher(load_faq(faq_file.path)).match("Do you treat sciatica?")
    assert claimed.status is Status.ANSWER
    assert claimed.entry is not None
    assert claimed.entry.id == "sciatica"
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert code == 1
    assert err == ""
    where = f"{faq_file.path}:{faq_file.line_of('- id: swedish')}"
    assert out.splitlines() == [
        f"{where}: swedish: 'Do you treat sciatica?' does not reach this entry: the bot answers "
        f"it with the entry 'sciatica' (line {faq_file.line_of('- id: sciatica')}). 'sciatica' "
        "asks nearly the same: word the two apart, or merge them if they are one question",
        f"{faq_file.path}: 1 question(s) that miss their entry among 4 entries",
    ]


def test_check_names_the_not_covered_line_that_hides_an_entry(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    # An admin adds a plain entry that mentions insurance to a file that lists insurance as not
    # covered.
    text = MINIMAL_FAQ.replace(
        "entries:\n", "not_covered:\n  business: [price, insurance]\nentries:\n"
    )
    text += (
        "  - id: pay\n    question: How can I pay?\n"
        "    answer: By card or cash. We do not take insurance.\n"
    )
    faq_file = write_faq(text)
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"warning: {faq_file.path}:{faq_file.line_of('business:')}: 'insurance' (not_covered) "
        f"keeps the entry 'pay' (line {faq_file.line_of('- id: pay')}) from being found by "
        "questions about insurance: remove it from not_covered, or add an alternate question "
        "to the entry that uses it",
        f"{faq_file.path}: 1 not_covered phrase(s) that hide an entry among 5 entries",
    ]


def test_check_warns_of_a_keyword_that_not_covered_lists(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    text = MINIMAL_FAQ.replace(
        "entries:\n", "not_covered:\n  risks: [cupping marks]\nentries:\n"
    )
    text += (
        "  - id: cupping\n    question: What is cupping therapy?\n"
        "    keywords: [cupping marks]\n"
        "    answer: Special cups on your skin create suction.\n"
    )
    faq_file = write_faq(text)
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"warning: {faq_file.path}:{faq_file.line_of('- id: cupping')}: the keyword "
        "'cupping marks' of the entry 'cupping' is listed under not_covered (line "
        f"{faq_file.line_of('risks:')}): the keyword wins, so questions about it can get this "
        "entry's answer. Remove the keyword if the answer does not talk about it, or the "
        "not_covered phrase if it does",
        f"{faq_file.path}: 1 keyword(s) also listed under not_covered among 5 entries",
    ]


def test_check_notes_a_not_covered_topic_an_entry_now_covers_and_still_passes(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    groups = "not_covered:\n  insurance: [insurance, claim]\n  prices: [price]\n"
    text = MINIMAL_FAQ.replace("entries:\n", groups + "entries:\n")
    text += (
        "  - id: insurance\n    question: Do you accept health insurance?\n"
        "    answer: Many private health insurers cover clinical massage.\n"
    )
    faq_file = write_faq(text)
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"note: {faq_file.path}:{faq_file.line_of('insurance: [')}: the entry 'insurance' "
        f"(line {faq_file.line_of('- id: insurance')}) asks about 'insurance', in not_covered's "
        "'insurance': that topic's 2 phrase(s) now lead to the entry instead of being declined"
        " (if they are separate topics, put them under `topics:` in 'insurance': an entry then"
        " covers only the topics it asks about)",
        f"{faq_file.path}: OK, 5 entries, no collisions",
    ]


def test_check_reports_a_phrase_listed_twice(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    repeated = MINIMAL_FAQ.replace("keywords: [swedish]", "keywords: [swedish, Swedish]")
    faq_file = write_faq(repeated)
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert (code, err) == (1, "")
    line = faq_file.line_of("keywords: [swedish, Swedish]")
    assert out.splitlines() == [
        f"warning: {faq_file.path}:{line}: entries[2] (swedish).keywords[1]: 'Swedish' is "
        f"listed twice (also on line {line}); one is enough",
        f"{faq_file.path}: 1 warning(s) among 4 entries",
    ]


def test_check_names_the_line_of_a_bad_lead_or_no_line(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    text = MINIMAL_FAQ.replace("entries:\n", (
        "not_covered:\n"
        "  conditions not on our list:\n"
        "    reply: We don't treat that.\n"
        "    phrases: [psoriasis]\n"
        "entries:\n"
    )).replace(
        "    question: Do you treat sciatica?\n",
        '    question: Do you treat sciatica?\n    lead: ""\n',
    )
    faq_file = write_faq(text)
    code, out, err = call(capsys, "check", str(faq_file.path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{faq_file.path}:{faq_file.line_of('reply: We')}: not_covered.conditions not on our "
        "list.reply: must contain {phrase}, where the phrase the person named goes, like "
        '"{phrase} isn\'t on our list of treated conditions."',
        f"{faq_file.path}:{faq_file.line_of('lead: ')}: entries[1] (sciatica).lead: must not "
        "be empty",
    ]


def test_check_without_a_path_uses_faq_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, write_faq: WriteFaq
) -> None:
    faq_file = write_faq(name="elsewhere/my-faq.yaml")
    monkeypatch.setenv("FAQ_PATH", str(faq_file.path))
    code, out, _ = call(capsys, "check")
    assert code == 0
    assert out.startswith(f"{faq_file.path}: OK")


@pytest.mark.slow  # starts faq-bot processes
def test_check_as_a_process_never_shows_a_traceback(tmp_path: Path, write_faq: WriteFaq) -> None:
    faq_file = write_faq(MINIMAL_FAQ.replace("question: What is Swedish massage?", "question: ["))
    broken = run("check", str(faq_file.path))
    assert broken.returncode == 2
    assert broken.stderr.startswith(f"{faq_file.path}:")
    assert "is never closed" in broken.stderr  # an open "[": bot.yaml_errors says so
    missing = run("check", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2
    assert missing.stderr == f"{tmp_path / 'missing.yaml'}: file not found\n"
    for result in (broken, missing):
        assert "Traceback" not in result.stderr


# -- eval ---------------------------------------------------------------------------------------


def test_eval_prints_the_four_metrics(
    capsys: pytest.CaptureFixture[str], minimal_faq: Faq, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"q": "do you treat sciatica", "kind": "faq", "any": ["Sciatica"]}\n'
        '{"q": "how much is a session", "kind": "oos"}\n'
        '{"q": "I have chest pain", "kind": "urgent"}\n',
        encoding="utf-8",
    )
    code, out, err = call(capsys, "eval", str(cases), "--faq", minimal_faq.source)
    assert (code, err) == (0, "")
    for metric in METRICS:
        assert metric in out
    assert "in-scope accuracy:          1.000 (1/1)" in out
    assert "urgent recall:              1.000 (1/1)" in out


def test_eval_reads_lines_labelled_by_entry_id_with_or_without_a_kind(
    capsys: pytest.CaptureFixture[str], minimal_faq: Faq, tmp_path: Path
) -> None:
    sciatica = next(entry.id for entry in minimal_faq.entries if "ciatica" in entry.question)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        f'{{"q": "do you treat sciatica", "gold": "{sciatica}"}}\n'
        f'{{"q": "sciatica treatment?", "kind": "answerable", "gold": ["x", "{sciatica}"]}}\n'
        '{"q": "sciatica??", "kind": "answerable", "gold": ["another-entry"]}\n'
        '{"q": "how much is a session", "gold": null}\n'
        '{"q": "I have chest pain", "kind": "urgent"}\n',
        encoding="utf-8",
    )
    code, out, err = call(capsys, "eval", str(cases), "--faq", minimal_faq.source)
    assert (code, err) == (0, "")
    assert "in-scope accuracy:          0.667 (2/3)" in out
    assert "wrong-answer rate:          0.333 (1/3)" in out
    assert "urgent recall:              1.000 (1/1)" in out
    unlabelled = tmp_path / "unlabelled.jsonl"
    unlabelled.write_text('{"q": "sciatica", "kind": "answerable"}\n', encoding="utf-8")
    code, _, err = call(capsys, "eval", str(unlabelled), "--faq", minimal_faq.source)
    assert code == 1
    assert "needs 'gold' ids or 'any' / 'all' phrases" in err


@pytest.mark.slow  # the whole dev set
@pytest.mark.skipif(not (SHARED / "eval" / "dev.jsonl").is_file(), reason="no ../shared/eval")
def test_eval_on_the_dev_set_with_the_bundled_faq() -> None:
    result = run("eval", str(SHARED / "eval" / "dev.jsonl"))
    assert result.returncode == 0, result.stderr
    for metric in METRICS:
        assert metric in result.stdout


def test_eval_of_an_unreadable_file_fails_cleanly(
    capsys: pytest.CaptureFixture[str], minimal_faq: Faq, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.jsonl"
    code, out, err = call(capsys, "eval", str(missing), "--faq", minimal_faq.source)
    assert code == 1
    assert out == ""
    assert err.startswith(f"faq-bot eval: {missing}: cannot read")
    malformed = tmp_path / "bad.jsonl"
    malformed.write_text('{"q": "hi", "kind": "smalltalk"}\n{not json\n', encoding="utf-8")
    code, _, err = call(capsys, "eval", str(malformed), "--faq", minimal_faq.source)
    assert code == 1
    assert f"{malformed}:2: not valid JSON" in err


# -- chat ---------------------------------------------------------------------------------------


@pytest.mark.slow  # starts faq-bot processes
def test_chat_picks_a_numbered_suggestion_then_quits(minimal_faq: Faq) -> None:
    offered = Matcher(minimal_faq).match(SUGGESTED_MINIMAL)
    assert offered.status is Status.SUGGEST  # the premise
    assert len(offered.suggestions) >= 2
    second = offered.suggestions[1].entry
    result = run(
        "chat", "--faq", minimal_faq.source,
        stdin=f"{SUGGESTED_MINIMAL}\n2\n/quit\n{NONSENSE}\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Did you mean one of these?" in out
    for number, suggestion in enumerate(offered.suggestions, start=1):
        assert f"  {number}. {suggestion.entry.question}" in out
    after_pick = out.split(f"{cli.PROMPT}2\n", 1)[1]
    assert after_pick.startswith(f"{second.question}\n\n{second.answer}\n\n")
    assert minimal_faq.disclaimer in after_pick
    assert FALLBACK not in out, "nothing after /quit may be answered"


@pytest.mark.slow  # starts faq-bot processes
def test_chat_ends_cleanly_at_end_of_input(minimal_faq: Faq) -> None:
    result = run("chat", "--faq", minimal_faq.source, stdin="do you treat sciatica\n")
    assert (result.returncode, result.stderr) == (0, "")
    assert "Treated Conditions\n• Sciatica" in result.stdout
    assert result.stdout.endswith(cli.PROMPT + "\n")


def test_chat_ends_cleanly_on_ctrl_c(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, minimal_faq: Faq
) -> None:
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", interrupted)
    code, _, err = call(capsys, "chat", "--faq", minimal_faq.source)
    assert code == 130
    assert err == "\n"


def test_chat_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, minimal_faq: Faq
) -> None:
    lines = ["/help", "/disclaimer", "/topics", "2", "1", "/conditions", "1", "/nope", "/quit"]
    code, out, err = call(capsys, "chat", "--faq", minimal_faq.source,
                          stdin="\n".join(lines) + "\n", monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    replies = dict(zip(lines, out.split(cli.PROMPT)[1:], strict=True))
    assert "/topics" in replies["/help"]
    assert "/quit" in replies["/help"]
    assert replies["/disclaimer"] == f"/disclaimer\n{minimal_faq.disclaimer}\n\n"
    assert "  1. Conditions we treat (2)\n  2. Types of massage (2)\n" in replies["/topics"]
    assert "  1. What is Swedish massage?\n  2. What is sports massage?\n" in replies["2"]
    assert "The Swedish massage is one of the most common" in out
    assert replies["/conditions"].startswith("/conditions\nConditions we treat:\n"
                                             "  1. Do you treat sciatica?\n")
    assert replies["/nope"] == "/nope\nUnknown command /nope. Type /help for the commands.\n\n"


def test_chat_conditions_lists_every_treated_condition(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(LEADS_FAQ).path)
    chat = cli.Chat(faq, Matcher(faq))
    reply = chat.respond("/conditions")
    assert reply is not None
    conditions = cli.condition_entries(faq)
    assert [entry.id for entry in conditions] == ["sciatica", "tennis-elbow"]
    assert all(f"{n}. {entry.question}" in reply for n, entry in enumerate(conditions, 1))
    last = conditions[-1]
    picked = chat.respond(str(len(conditions)))
    # its lead first, as any answer ("Yes, tennis elbow is one of the conditions we treat.")
    assert last.lead
    assert picked == (
        f"{last.lead}\n\n{last.question}\n\n{last.answer}\n\n{faq.disclaimer}"
    )


@pytest.mark.parametrize(
    ("faq_text", "expected"),
    [
        (NO_CONDITIONS_ENTRY_FAQ, "Conditions we treat:\n  1. Do you treat sciatica?\n"),
        (NO_CONDITIONS_AT_ALL_FAQ, "Topics:\n  1. Sciatica (1)\n  2. Types of massage (2)\n"),
    ],
    ids=["the-topic-about-conditions", "every-topic"],
)
def test_chat_conditions_without_a_conditions_entry_falls_back_like_the_bot(
    write_faq: WriteFaq, faq_text: str, expected: str
) -> None:
    faq = load_faq(write_faq(faq_text).path)
    chat = cli.Chat(faq, Matcher(faq))
    reply = chat.respond("/conditions")
    assert reply is not None
    assert reply.startswith(expected)
    assert chat.respond("1") is not None


def test_chat_numbers_outside_a_menu_are_questions_and_out_of_range_asks_again(
    minimal_faq: Faq,
) -> None:
    chat = cli.Chat(minimal_faq, Matcher(minimal_faq))
    assert chat.respond("7") == render_plain(minimal_faq, Matcher(minimal_faq).match("7"))
    offered = Matcher(minimal_faq).match(SUGGESTED_MINIMAL)
    assert offered.status is Status.SUGGEST  # the premise
    chat.respond(SUGGESTED_MINIMAL)
    count = len(offered.suggestions)
    assert chat.respond("9") == f"Please pick a number from 1 to {count}, or ask a question."
    assert chat.respond("   ") == ""
    assert chat.respond("/QUIT") is None


# -- which FAQ, and failing cleanly --------------------------------------------------------


def faq_with_fallback(write_faq: WriteFaq, name: str, marker: str) -> Path:
    return write_faq(MINIMAL_FAQ.replace(FALLBACK, f"{FALLBACK} [{marker}]"), name=name).path


def fallback_marker(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)["reply"]
    assert isinstance(reply, str)
    return reply.split("[", 1)[1].split("]", 1)[0] if "[" in reply else "bundled"


@pytest.mark.slow  # a faq-bot process for each of several FAQ locations
def test_faq_path_precedence(write_faq: WriteFaq, tmp_path: Path) -> None:
    flag = faq_with_fallback(write_faq, "flag/faq.yaml", "flag")
    env = faq_with_fallback(write_faq, "env/faq.yaml", "env")
    faq_with_fallback(write_faq, "cwd/faq.yaml", "cwd")
    cwd = tmp_path / "cwd"
    ask = ("ask", "--json", NONSENSE)
    assert fallback_marker(run(*ask, "--faq", str(flag), cwd=cwd, env={"FAQ_PATH": str(env)})) \
        == "flag"
    assert fallback_marker(run(*ask, cwd=cwd, env={"FAQ_PATH": str(env)})) == "env"
    assert fallback_marker(run(*ask, cwd=cwd)) == "cwd"
    assert fallback_marker(run(*ask, cwd=tmp_path)) == "bundled"


@pytest.mark.slow  # starts faq-bot processes
def test_the_installed_command_finds_the_bundled_faq_from_any_directory(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("faq-bot")
    if not script.is_file():
        pytest.fail('the faq-bot command is not installed: pip install -e ".[test]"')
    result = run("ask", "--json", "do you treat sciatica", cwd=tmp_path, command=(str(script),))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["status"], record["entry_id"]) == ("answer", "condition-sciatica")
    assert record["reply"].endswith(load_faq(BUNDLED_FAQ).disclaimer)


@pytest.mark.slow  # starts faq-bot processes
@pytest.mark.parametrize(
    "argv",
    [("ask", "sciatica"), ("ask", "--json"), ("chat",), ("eval", "cases.jsonl")],
    ids=["ask", "ask-batch", "chat", "eval"],
)
def test_a_broken_faq_exits_2_with_the_problems_on_stderr(
    write_faq: WriteFaq, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    faq_file = write_faq(MINIMAL_FAQ.replace("id: sports", "id: Sports!"))
    (tmp_path / "cases.jsonl").write_text('{"q": "hi", "kind": "smalltalk"}\n', encoding="utf-8")
    result = run(*argv, "--faq", str(faq_file.path), stdin="sciatica\n", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    line = faq_file.line_of("id: Sports!")
    assert result.stderr == (
        f"{faq_file.path}:{line}: entries[3].id: 'Sports!' must be lowercase letters, digits "
        "and dashes (like 'tennis-elbow')\n"
    )


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["no-such-command"])
    assert caught.value.code == 2
    assert "faq-bot" in capsys.readouterr().err


def test_without_a_command_and_without_a_token_the_bot_chats_in_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setitem(sys.modules, "bot.app", None)  # the Telegram bot is never started
    code, out, err = call(
        capsys, stdin="do you treat sciatica\n/quit\n", monkeypatch=monkeypatch
    )
    assert code == 0
    assert "BOT_TOKEN is not set, so the bot answers here in the terminal" in err
    assert out.startswith("FAQ chat: ")
    assert "sciatica" in out.casefold()


# -- run, and start-up cost ---------------------------------------------------------------


@pytest.fixture
def telegram_app(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, str]]:
    """bot.app replaced by one whose run_bot records the environment it is given and exits 7."""
    received: list[Mapping[str, str]] = []

    def run_bot(env: Mapping[str, str]) -> int:
        received.append(env)
        return 7

    fake_app = types.ModuleType("bot.app")
    fake_app.run_bot = run_bot  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.app", fake_app)
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    return received


def test_run_hands_the_environment_to_the_telegram_app(
    telegram_app: list[Mapping[str, str]],
) -> None:
    assert cli.main(["run"]) == 7
    assert telegram_app == [os.environ]


def test_without_a_command_but_with_a_token_the_telegram_bot_runs(
    telegram_app: list[Mapping[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("never read\n"))
    assert cli.main([]) == 7
    assert telegram_app == [os.environ]
    assert sys.stdin.read() == "never read\n", "no chat was started"


def test_run_without_the_telegram_app_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bot.app", None)  # makes `import bot.app` fail
    code, _, err = call(capsys, "run")
    assert code == 2
    assert "no Telegram bot" in err


@pytest.mark.slow  # starts faq-bot processes
def test_commands_other_than_run_never_import_telegram(minimal_faq: Faq) -> None:
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        f"main(['ask', '--faq', {minimal_faq.source!r}, 'sciatica'])\n"
        f"main(['check', {minimal_faq.source!r}])\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'telegram', 'httpx'})\n"
        "print('LEAKED', leaked)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60,
        check=False, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert "LEAKED []" in result.stdout


# -- unanswered and stats (the bot's question store) -----------------------------------------


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A question store with a few records from today, named by DB_PATH."""
    from bot.recorder import utc_today
    from bot.store import Question, Store

    path = tmp_path / "data" / "faqbot.sqlite3"
    store = Store.open(path)
    today = utc_today()
    for text in ("how much is a session?", "how much is a session?", "How much is a session",
                 "do you have parking"):
        store.record(Question("none", text), today)
    store.record(Question("suggest", "massage", suggested=("swedish", "sports"), token="t0k3n123"),
                 today)
    store.record_pick("t0k3n123", "sports", today)
    store.record(Question("answer", entry_id="sciatica"), today)
    store.record(Question("urgent"), today)
    store.close()
    monkeypatch.setenv("DB_PATH", str(path))
    return path


def test_unanswered_prints_the_groups(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    code, out, err = call(capsys, "unanswered")
    assert (code, err) == (0, "")
    assert out.startswith("Unanswered questions: 3 groups, most asked first\n")
    assert "1. \u201chow much is a session?\u201d \u00d73" in out  # grouped with its twin
    assert "picked: sports \u00d71" in out
    assert "<" not in out  # plain text, not Telegram HTML


def test_unanswered_json_and_limit(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    code, out, _ = call(capsys, "unanswered", "--json", "--limit", "2")
    assert code == 0
    groups = json.loads(out)
    assert [group["count"] for group in groups] == [3, 1]
    assert set(groups[0]) == {
        "count", "example", "last_asked", "declined", "suggested", "picked", "variants",
    }
    assert groups[0]["example"] == "how much is a session?"
    assert groups[0]["variants"] == ["How much is a session"]


def test_stats_text_and_json(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    code, out, _ = call(capsys, "stats")
    assert code == 0
    assert out.startswith("Last 7 days (")
    assert "Answered: 1\nSuggested: 1 (1 picked one)\nDeclined (not covered): 4\nUrgent: 1" in out
    assert "1. sciatica \u00d71" in out
    code, out, _ = call(capsys, "stats", "--json", "--days", "30")
    stats = json.loads(out)
    assert stats["questions"] == 7
    assert stats["outcomes"] == {"none": 4, "suggest": 1, "answer": 1, "smalltalk": 0, "urgent": 1}
    assert stats["picked"] == 1
    assert {"entry_id": "sports", "count": 1} in stats["top_entries"]


def test_the_db_option_wins_over_db_path(
    capsys: pytest.CaptureFixture[str], store_path: Path, tmp_path: Path
) -> None:
    code, _, err = call(capsys, "stats", "--db", str(tmp_path / "other.sqlite3"))
    assert code == 1
    assert "other.sqlite3" in err
    assert call(capsys, "stats", "--db", str(store_path))[0] == 0


@pytest.mark.parametrize("command", ["unanswered", "stats"])
def test_a_missing_store_is_one_line_and_is_not_created(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    command: str,
) -> None:
    path = tmp_path / "nowhere" / "faqbot.sqlite3"
    monkeypatch.setenv("DB_PATH", str(path))
    code, out, err = call(capsys, command)
    assert code == 1
    assert out == ""
    assert err == (
        f"faq-bot {command}: {path}: no question store here yet (the bot creates it when it "
        "first records a question; set DB_PATH to the bot's file)\n"
    )
    assert not path.parent.exists()


def test_a_file_that_is_not_a_store_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all, just text " * 100)
    monkeypatch.setenv("DB_PATH", str(path))
    code, _, err = call(capsys, "unanswered")
    assert code == 1
    assert err.startswith(f"faq-bot unanswered: {path}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("argv", [["unanswered", "--limit", "0"], ["stats", "--days", "x"]])
def test_bad_numbers_are_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    assert "positive whole number" in capsys.readouterr().err


@pytest.mark.slow  # starts faq-bot processes
def test_the_store_commands_as_a_process_never_import_telegram(store_path: Path) -> None:
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "assert main(['unanswered']) == 0\n"
        "assert main(['stats', '--json']) == 0\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'telegram', 'httpx'})\n"
        "print('LEAKED', leaked)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60,
        check=False, env={**os.environ, "PYTHONPATH": str(REPO), "DB_PATH": str(store_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "LEAKED []" in result.stdout


@pytest.mark.slow  # starts faq-bot processes
def test_chat_and_ask_record_nothing(minimal_faq: Faq, tmp_path: Path) -> None:
    path = tmp_path / "data" / "faqbot.sqlite3"
    result = run("ask", "--faq", str(minimal_faq.source), "how much is a session",
                 env={"DB_PATH": str(path)})
    assert result.returncode == 0
    result = run("chat", "--faq", str(minimal_faq.source), stdin="zqxj vbnm\n",
                 env={"DB_PATH": str(path)})
    assert result.returncode == 0
    assert not path.parent.exists()


# -- follow-ups and two questions in one message, as on Telegram -----------------------------


def test_chat_reads_follow_ups_against_the_last_answer_for_ten_minutes(
    bundled_faq: Faq, bundled_matcher: Matcher
) -> None:
    from bot.context import CHOICES_TTL

    now = [0.0]
    chat = cli.Chat(bundled_faq, bundled_matcher, clock=lambda: now[0])
    before = chat.respond("and my feet?")  # nothing before it: unsure, as always
    assert before is not None
    assert before.startswith("Did you mean one of these?")
    # the shipped entries' own leads, read from the file (their wording: test_bundled_faq.py)
    sciatica = bundled_faq.get("condition-sciatica")
    feet_entry = bundled_faq.get("condition-plantar-fasciitis")
    assert sciatica is not None
    assert feet_entry is not None
    assert sciatica.lead
    assert feet_entry.lead
    assert sciatica.lead in (chat.respond("do you treat sciatica?") or "")
    feet = chat.respond("and my feet?")
    assert feet is not None
    assert feet.startswith(feet_entry.lead)
    assert chat.respond("tell me more") == (
        "More on \u201cDo you treat plantar fasciitis?\u201d:\n"
        "  1. Which conditions do you treat?\nType a number to choose."
    )
    assert "Which conditions do you treat?" in (chat.respond("1") or "")
    now[0] += CHOICES_TTL + 1
    later = chat.respond("tell me more")
    assert later is not None
    assert not later.startswith("More on")


def test_chat_says_what_to_do_now_first_when_asked_about_emergency_signs(
    bundled_faq: Faq, bundled_matcher: Matcher
) -> None:
    chat = cli.Chat(bundled_faq, bundled_matcher)
    for message in (
        "what are the signs of a stroke and what is swedish massage?",  # not split in two
        "¿Cuáles son los síntomas de un derrame cerebral?",  # under the note in Spanish
    ):
        reply = chat.respond(message)
        assert reply is not None
        assert reply.startswith(SIGNS_NOW)
        assert reply.count(SIGNS_NOW) == 1
    reply = chat.respond("what is swedish massage?")
    assert reply is not None
    assert SIGNS_NOW not in reply


def test_chat_answers_two_questions_and_names_the_one_not_covered(
    bundled_faq: Faq, bundled_matcher: Matcher
) -> None:
    chat = cli.Chat(bundled_faq, bundled_matcher)
    disclaimer = bundled_faq.disclaimer.strip()
    pair = chat.respond("do you treat tennis elbow and what is swedish massage")
    assert pair is not None
    tennis_elbow = bundled_faq.get("condition-tennis-elbow")
    assert tennis_elbow is not None
    assert tennis_elbow.lead
    assert pair.startswith(tennis_elbow.lead)
    assert "What is Swedish massage?" in pair
    assert pair.count(disclaimer) == 2  # each answer with its disclaimer
    one = chat.respond("what do I wear for deep tissue and where do I park?")
    assert one is not None
    deep_tissue = bundled_faq.get("deepest-massage")  # asks what to wear for deep tissue
    assert deep_tissue is not None
    assert deep_tissue.answer.strip() in one
    assert one.count(disclaimer) == 1
    assert "I couldn't find an answer to \u201cwhere do I park?\u201d." in one
    assert one.endswith("please contact the practice directly.")
