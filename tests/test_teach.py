"""Teaching the FAQ a question it missed: the file edit (bot.teach), the Telegram flow from
/unanswered through the real application, and `faq-bot teach`.

The edit must keep the admin's file as written (only the new line is new), never write a
file the bot's loader refuses, never overwrite an edit made meanwhile, and never leave the file
half-written; every refusal is one clear sentence."""

from __future__ import annotations

import difflib
import logging
import os
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers.factories import ADMIN_ID, PATIENT_ID, callback_update, command_update, message_update
from helpers.fake_telegram import buttons
from helpers.harness import SHIPPED_FAQ, Harness, copy_faq, running_bot

from bot import teach
from bot.cli import main
from bot.faq import faq_from_bytes, load_faq
from bot.grouping import Group
from bot.reports import plain, unanswered_blocks
from bot.teach import MAX_QUESTION_CHARS, TAUGHT_GROUP, TeachError, add_alternate, add_not_covered

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
NEW = "my back feels like a plank after gardening, can massage loosen it"


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if anything was removed or changed."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    assert not [line for line in diff if line.startswith("- ")], "a line was changed or lost"
    return [line[2:] for line in diff if line.startswith("+ ")]


# -- the file edit ----------------------------------------------------------------------------


def test_an_alternate_is_one_new_line_and_the_rest_of_the_bundled_faq_is_untouched(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, SHIPPED_FAQ)
    before = path.read_text(encoding="utf-8")
    taught = add_alternate(path, "clinical-massage", NEW, teach.sha256(before.encode()))
    after = path.read_text(encoding="utf-8")
    assert added_lines(before, after) == [f"      - {NEW}"]
    assert taught.data == after.encode()
    entry = load_faq(path).get("clinical-massage")
    assert entry is not None
    assert entry.alternates[-1] == NEW
    # the new line sits right after the entry's last alternate, before `related:`
    lines = after.splitlines()
    at = lines.index(f"      - {NEW}")
    assert lines[at + 1].lstrip().startswith("related:")


def test_an_alternates_key_is_made_after_the_question_when_the_entry_has_none(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_text(encoding="utf-8")
    add_alternate(path, "sciatica", "does massage help a trapped sciatic nerve")
    after = path.read_text(encoding="utf-8")
    assert added_lines(before, after) == [
        "    alternates:", "      - does massage help a trapped sciatic nerve",
    ]
    lines = after.splitlines()
    at = lines.index("    alternates:")
    assert lines[at - 1] == "    question: Do you treat sciatica?"
    entry = load_faq(path).get("sciatica")
    assert entry is not None
    assert entry.alternates == ("does massage help a trapped sciatic nerve",)


def test_flow_lists_stay_flow_lists_with_their_line_breaks(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    text = path.read_text(encoding="utf-8").replace(
        "    question: Do you treat sciatica?\n",
        "    question: Do you treat sciatica?\n"
        "    alternates: [sciatic pain,\n                 leg nerve pain]  # wrapped\n",
    ).replace(
        "    question: What is Swedish massage?\n",
        "    question: What is Swedish massage?\n    alternates: []\n",
    )
    path.write_text(text, encoding="utf-8")
    add_alternate(path, "sciatica", "pain, down my leg")
    add_alternate(path, "swedish", "the gentle one")
    after = path.read_text(encoding="utf-8")
    assert after == text.replace(
        "leg nerve pain]  # wrapped", "leg nerve pain, 'pain, down my leg']  # wrapped"
    ).replace("alternates: []", "alternates: [the gentle one]")
    sciatica = load_faq(path).get("sciatica")
    assert sciatica is not None
    assert sciatica.alternates == ("sciatic pain", "leg nerve pain", "pain, down my leg")


def test_text_that_needs_quotes_is_quoted(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    tricky = "cupping: does it hurt? #ouch [really]"
    add_alternate(path, "cupping", tricky)
    entry = load_faq(path).get("cupping")
    assert entry is not None
    assert entry.alternates == (tricky,)


def test_not_covered_goes_to_a_group_of_its_own_in_the_bundled_faq(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, SHIPPED_FAQ)
    # with a comment over the next section, as an admin may write one
    commented = path.read_text(encoding="utf-8").replace(
        "\nentries:\n", "\n# The questions and answers\nentries:\n", 1
    )
    path.write_text(commented, encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    add_not_covered(path, "do you sell gift hampers")
    add_not_covered(path, "can I bring my dog")
    after = path.read_text(encoding="utf-8")
    assert added_lines(before, after) == [
        f"  {TAUGHT_GROUP}:", "    - do you sell gift hampers", "    - can I bring my dog",
    ]
    faq = load_faq(path)
    assert {"do you sell gift hampers", "can I bring my dog"} <= set(faq.not_covered)
    # appended at the end of the not_covered section, before the next section's comments
    lines = after.splitlines()
    at = lines.index(f"  {TAUGHT_GROUP}:")
    assert lines[at + 3] == ""
    assert lines[at + 4].startswith("# ")


def test_not_covered_as_a_flat_list_gets_the_phrase_appended(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_text(encoding="utf-8")
    add_not_covered(path, "gift vouchers")
    assert added_lines(before, path.read_text(encoding="utf-8")) == ["  - gift vouchers"]
    assert load_faq(path).not_covered[-1] == "gift vouchers"


def test_an_edit_the_loader_refuses_leaves_the_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_bytes()
    # The mini FAQ allows few phrasings per entry here: the edit is valid YAML the bot refuses.
    monkeypatch.setattr("bot.faq.MAX_PHRASINGS_PER_ENTRY", 3)  # sciatica has 3
    with pytest.raises(TeachError, match=r"would not load.*nothing was written"):
        add_alternate(path, "sciatica", NEW)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faq.yaml"]  # no temporary left


def test_a_file_changed_on_disk_since_is_not_overwritten(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    seen = teach.sha256(path.read_bytes())
    edited = path.read_text(encoding="utf-8").replace("Hello! Ask", "Hi! Ask")
    path.write_text(edited, encoding="utf-8")  # someone saves in an editor meanwhile
    with pytest.raises(TeachError, match=r"changed since.*nothing was written"):
        add_alternate(path, "sciatica", NEW, seen)
    assert path.read_text(encoding="utf-8") == edited


@pytest.mark.parametrize(
    ("entry_id", "question", "message"),
    [
        ("sciatica", "Do you treat SCIATICA?", "already has that wording"),  # its question
        ("sciatica", "  sciatic   nerve ", "already has that wording"),  # a keyword
        ("sciatica", "", "empty"),
        ("sciatica", "x" * (MAX_QUESTION_CHARS + 1), "more than the 500"),
        ("frozen-shoulder", NEW, "no entry 'frozen-shoulder'"),  # deleted since
    ],
)
def test_bad_teaches_get_a_clear_message_and_change_nothing(
    tmp_path: Path, entry_id: str, question: str, message: str
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_bytes()
    with pytest.raises(TeachError, match=message) as raised:
        add_alternate(path, entry_id, question)
    assert "nothing was written" in str(raised.value)
    assert path.read_bytes() == before


def test_a_question_taught_twice_is_refused_the_second_time(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    add_alternate(path, "sciatica", NEW)
    with pytest.raises(TeachError, match="'sciatica' already has that wording"):
        add_alternate(path, "sciatica", NEW.upper())
    with pytest.raises(TeachError, match="'sciatica' already has"):  # nor to another entry
        add_alternate(path, "cupping", NEW)


def test_a_500_character_question_is_accepted(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    long = ("does massage help " * 40)[:MAX_QUESTION_CHARS].strip()
    add_alternate(path, "sciatica", long)
    entry = load_faq(path).get("sciatica")
    assert entry is not None
    assert entry.alternates == (long,)


def test_a_read_only_file_is_refused_and_kept(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_bytes()
    path.chmod(0o444)
    # As root, os.access says any file is writable; bot.teach also treats a file with no write
    # permission bit as read-only on purpose, so this holds for root too and is never skipped.
    try:
        with pytest.raises(TeachError, match="read-only"):
            add_alternate(path, "sciatica", NEW)
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    path.chmod(0o640)
    add_alternate(path, "sciatica", NEW)
    assert path.stat().st_mode & 0o777 == 0o640


def test_two_teaches_at_once_both_land(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    seen = teach.sha256(path.read_bytes())  # both admins opened their list on this file
    questions = [f"question number {n} about sciatica pain" for n in range(6)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(questions))

    def run(question: str) -> None:
        start.wait()
        try:
            add_alternate(path, "sciatica", question, seen)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entry = load_faq(path).get("sciatica")
    assert entry is not None
    assert sorted(entry.alternates) == sorted(questions)
    faq_from_bytes(path.read_bytes(), str(path))  # whole and valid


# -- Telegram, through the real application -------------------------------------------------


def pressed(harness: Harness, label: str) -> str:
    """The callback data of the button labelled `label` in the last message sent or edited."""
    calls = [c for c in harness.fake.calls if c.method in ("sendMessage", "editMessageText")]
    assert calls, "nothing was sent"
    found = dict(buttons(calls[-1].params))
    assert label in found, list(found)
    return found[label]


async def admin_press(harness: Harness, data: str) -> None:
    await harness.send(callback_update(data, from_id=ADMIN_ID))


UNCOVERED = "is there a bicycle rack outside the building"


async def teach_list(harness: Harness) -> str:
    """A patient's question the FAQ misses, then the admin's /unanswered: the Teach… data."""
    await harness.send(message_update(UNCOVERED))
    assert "Cupping uses cups" not in harness.fake.texts()[-1]  # no answer, only suggestions
    await harness.settle()
    await harness.send(command_update("/unanswered", from_id=ADMIN_ID))
    assert UNCOVERED in harness.fake.texts()[-1]
    return pressed(harness, "Teach\u2026 1")


async def test_an_admin_teaches_a_question_from_unanswered_and_it_is_then_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as harness:
        data = await teach_list(harness)
        await admin_press(harness, data)
        # the topics come in a message of their own: the /unanswered list keeps its buttons
        assert harness.methods() == ["answerCallbackQuery", "sendMessage"]
        assert "Pick the topic of the entry" in harness.fake.texts()[0]
        await admin_press(harness, pressed(harness, "Types of massage (2)"))
        cupping = "What is cupping <therapy> & how does it work?"
        await admin_press(harness, pressed(harness, cupping))
        assert "as another way to ask" in harness.fake.html_texts()[-1]
        with caplog.at_level(logging.INFO, logger="bot"):
            await admin_press(harness, pressed(harness, "Add"))
        done = harness.fake.texts()
        assert done[0].startswith(f"Added \u201c{UNCOVERED}\u201d as an alternate of")
        assert "(cupping); the FAQ was reloaded" in done[0]
        assert "Changed: cupping" in "\n".join(done)
        assert f"Teach: admin {ADMIN_ID} added a question to cupping" in caplog.text
        assert UNCOVERED not in caplog.text  # the question's text is not logged at INFO
        entry = load_faq(path).get("cupping")
        assert entry is not None
        assert entry.alternates == (UNCOVERED,)
        await harness.send(message_update(UNCOVERED))
        assert "Cupping uses cups" in harness.fake.texts()[0]
        # pressing Add again teaches nothing twice
        await admin_press(harness, data.replace("Tq:", "TN:"))
        assert "no longer held" in harness.fake.texts()[-1]


async def test_an_admin_marks_a_question_not_covered(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as harness:
        await admin_press(harness, await teach_list(harness))
        await admin_press(harness, pressed(harness, "Not covered"))
        await admin_press(harness, pressed(harness, "Add"))
        assert harness.fake.texts()[0].startswith(f"Added \u201c{UNCOVERED}\u201d to not_covered")
        assert UNCOVERED in load_faq(path).not_covered


async def test_a_teach_after_the_file_changed_on_disk_writes_nothing_and_says_so(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as harness:
        await admin_press(harness, await teach_list(harness))
        await admin_press(harness, pressed(harness, "Not covered"))
        edited = path.read_text(encoding="utf-8").replace("Hello! Ask", "Hi! Ask")
        path.write_text(edited, encoding="utf-8")
        await admin_press(harness, pressed(harness, "Add"))
        [reply] = harness.fake.texts()
        assert reply.startswith("Not taught: faq.yaml changed since you opened this list")
        assert path.read_text(encoding="utf-8") == edited


async def test_a_teach_on_an_entry_removed_since_says_so_and_writes_nothing(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as harness:
        await admin_press(harness, await teach_list(harness))
        await admin_press(harness, pressed(harness, "Types of massage (2)"))
        await admin_press(harness, pressed(harness, "What is Swedish massage?"))
        add = pressed(harness, "Add")
        text = path.read_text(encoding="utf-8")
        removed = text[: text.index("  - id: swedish")].rstrip() + "\n"
        path.write_text(removed, encoding="utf-8")
        await harness.send(command_update("/reload", from_id=ADMIN_ID))
        assert "Removed: swedish" in harness.fake.texts()[0]
        await admin_press(harness, add)
        [reply] = harness.fake.texts()
        assert reply.startswith("That entry is no longer in the FAQ")
        assert path.read_text(encoding="utf-8") == removed


async def test_a_non_admin_pressing_a_teach_button_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_bytes()
    async with running_bot(path) as harness:
        data = await teach_list(harness)
        token = data.partition(":")[2]
        for forged in (data, f"TN:{token}", "Ta:x:y"):
            await harness.send(callback_update(forged, from_id=PATIENT_ID))
            assert harness.fake.texts() == ["Sorry, only the practice's admins can see that."]
        assert f"Refused a teach button from non-admin user {PATIENT_ID}" in caplog.text
    assert path.read_bytes() == before


def test_teach_buttons_fit_telegrams_64_bytes(tmp_path: Path) -> None:
    from bot import views

    faq = load_faq(SHIPPED_FAQ)
    token = "A" * 8
    replies: list[Any] = [views.teach_topics(faq, NEW, token)]
    for topic in faq.topics():
        replies.append(views.teach_topic_page(faq, topic, 0, NEW, token))
    replies += [views.teach_confirm(NEW, entry, token) for entry in faq.entries]
    for reply in replies:
        for row in reply.keyboard.inline_keyboard:
            for button in row:
                assert len(button.callback_data.encode()) <= 64


# -- faq-bot teach --------------------------------------------------------------------------


def call(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_teach_adds_an_alternate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    code, out, err = call(capsys, "teach", NEW, "sciatica", "--faq", str(path))
    assert (code, err) == (0, "")
    assert out == f"{path}: added as an alternate of sciatica (1 alternates now)\n"
    entry = load_faq(path).get("sciatica")
    assert entry is not None
    assert entry.alternates == (NEW,)


def test_cli_teach_not_covered(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    code, out, _ = call(capsys, "teach", "gift vouchers", "--not-covered", "--faq", str(path))
    assert code == 0
    assert out == f"{path}: added to not_covered\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["teach", NEW, "no-such-entry"], "no entry 'no-such-entry'"),
        (["teach", "Do you treat sciatica?", "sciatica"], "already has that wording"),
        (["teach", "x" * 501, "sciatica"], "more than the 500"),
        (["teach", NEW], "give an ENTRY_ID or --not-covered"),
    ],
)
def test_cli_teach_failures_exit_2_with_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    before = path.read_bytes()
    code, out, err = call(capsys, *argv, "--faq", str(path))
    assert code == 2
    assert out == ""
    assert message in err
    assert err.startswith("faq-bot teach: ")
    assert err.count("\n") == 1  # one line, no traceback
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["faq.yaml"]


def test_the_unanswered_report_points_to_teaching() -> None:
    """What /unanswered and `faq-bot unanswered` end with says how to teach a question."""
    group = Group(
        example="is there a bike rack?", count=2, last_asked=date(2026, 1, 2),
        declined=2, suggested=0, picked=(), variants=(),
    )
    footer = plain(unanswered_blocks([group], 10)).splitlines()[-1]
    assert "Teach\u2026" in footer
    assert 'faq-bot teach "QUESTION" ENTRY_ID' in footer
