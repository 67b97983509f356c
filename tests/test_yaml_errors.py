"""YAML slips in faq.yaml come out in plain words: the file, the line to change, and the fix.

Each slip is made in a copy of MINIMAL_FAQ written to disk and loaded through the real loader
(bot.faq.load_faq), with both of PyYAML's parsers (libyaml's and the pure-Python one word their
errors differently), and the message must name the line the admin has to edit, not the line
where the parser happened to give up.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from conftest import BUNDLED_FAQ, MINIMAL_FAQ, REPO, FaqFile, WriteFaq
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.faq
from bot import cli
from bot.faq import FaqError, load_faq

# Parser words the admin should never have to read (PyYAML's own, both parsers').
JARGON = (
    "mapping values", "simple key", "scalar", "block collection", "block mapping",
    "cannot start any token", "<block end>", "YAML syntax error",
)

# (id, text to replace in MINIMAL_FAQ, its replacement, (a fragment of the line the message
# must name, which occurrence), fragments the message must hold)
SLIPS = [
    (
        "colon-in-question",
        "question: What is Swedish massage?", "question: Note: is Swedish massage gentle?",
        ("question: Note:", 1),
        ('the text after "question:" contains a colon followed by a space',
         'Put the whole text in double quotes: question: "Note: is Swedish massage gentle?"'),
    ),
    (
        "colon-in-one-line-answer",
        "    answer: |\n      The Swedish massage is one of the most common types of massages"
        " you can get.\n",
        "    answer: It is gentle. Note: bring a towel.\n",
        ("answer: It is gentle.", 1),
        ('the text after "answer:" contains a colon',
         'double quotes: answer: "It is gentle. Note: bring a towel."'),
    ),
    (
        # The colon is on the answer's second line; the fix goes on its first.
        "colon-in-an-answer-line",
        "    answer: |\n      The Swedish massage is one of the most common types of massages"
        " you can get.\n",
        "    answer: It is gentle.\n      Note: bring a towel.\n",
        ("answer: It is gentle.", 1),
        ('the text of "answer:" goes on to line', '"Note: bring a towel."', '"answer: |"',
         "double quotes"),
    ),
    (
        # Valid YAML (a mapping in the list), so the loader, not the parser, finds it.
        "colon-in-an-alternate",
        "      - Can massage help sciatica?", "      - Note: can massage help sciatica?",
        ("- Note: can massage", 1),
        ("alternates[0]: must be text, not a mapping", "colon followed by a space",
         'double quotes: "Note: can massage help sciatica?"'),
    ),
    (
        "tab-indenting-a-key",
        "    question: What is Swedish massage?", "\tquestion: What is Swedish massage?",
        ("\tquestion: What is Swedish", 1),
        ("indented with a tab", "Indent with spaces, not tabs"),
    ),
    (
        "tab-indenting-answer-text",
        "      The Swedish massage", "\tThe Swedish massage",
        ("\tThe Swedish massage", 1),
        ("indented with a tab", "Indent with spaces, not tabs"),
    ),
    (
        "answer-not-indented-under-the-bar",
        "      The Swedish massage", "    The Swedish massage",
        ("    The Swedish massage", 1),
        ('the text under "answer: |"', "must be indented further", "by 6 spaces"),
    ),
    (
        # The first line is indented and the second is not: the second is the one to change.
        "answer-second-line-not-indented",
        "      Sports Massage is a combination of massage strokes & techniques.\n",
        "      Sports Massage is a combination of massage strokes & techniques.\n"
        "    It helps recovery after training.\n",
        ("It helps recovery", 1),
        ('the text under "answer: |" (line', "must be indented further", "by 6 spaces"),
    ),
    (
        "entry-without-its-dash",
        "  - id: swedish", "  id: swedish",
        ("  id: swedish", 1),
        ("does not start with a dash", 'Put "- " before it', '"- id: swedish"'),
    ),
    (
        "dash-without-its-space",
        "  - id: swedish", "  -id: swedish",
        ("  -id: swedish", 1),
        ("needs a space after it", 'write "- id: swedish"'),
    ),
    (
        # Indented like the keys above it, the entry merges into the one before: its `id` is
        # the first key written twice, which is how a missing dash usually shows.
        "entry-without-its-dash-merged-into-the-one-before",
        "  - id: swedish", "    id: swedish",
        ("    id: swedish", 1),
        ("`id` appears twice in the entry on lines", "keep one",
         "begin it with a dash and a space (- id: ...)"),
    ),
    (
        "list-item-without-its-dash",
        "      - Can massage help sciatica?\n",
        "      - Can massage help sciatica?\n      Does massage ease sciatica?\n",
        ("      Does massage ease", 1),
        ("does not start with a dash", '"- Does massage ease sciatica?"'),
    ),
    (
        "duplicated-key",
        "massages you can get.\n",
        "massages you can get.\n    answer: Gentle, with long strokes.\n",
        ("answer: Gentle", 1),
        ("entries[2].answer: `answer` appears twice in the entry on lines", "keep one"),
    ),
    (
        "unclosed-double-quote",
        "question: What is Swedish massage?", 'question: "What is Swedish massage?',
        ('question: "What is Swedish', 1),
        ('opens a double quote (") that is never closed',
         'Add the closing " at the end of the text: question: "What is Swedish massage?"'),
    ),
    (
        # The next quote in the file (the sports question's) closes it; the parser stops there.
        "unclosed-quote-closed-by-a-later-one",
        "question: What is Swedish massage?\n", 'question: "What is Swedish massage?\n',
        ('question: "What is Swedish', 1),
        ('opens a double quote (") that is never closed',),
    ),
    (
        "unclosed-single-quote",
        "question: What is Swedish massage?", "question: 'What is Swedish massage?",
        ("question: 'What is Swedish", 1),
        ("opens a single quote (') that is never closed", "Add the closing '"),
    ),
    (
        "text-after-the-closing-quote",
        "question: What is Swedish massage?", 'question: "What is" Swedish massage?',
        ('question: "What is" Swedish', 1),
        ("more follows the closing quote", "Put all of the text inside the quotes"),
    ),
    (
        "stray-character-at-the-start-of-a-line",
        "  - id: sports\n", "@ check prices\n  - id: sports\n",
        ("@ check prices", 1),
        ('a stray "@" in column 1', "Remove it"),
    ),
    (
        "stray-bracket-on-its-own-line",
        "  - id: sports\n", "    }\n  - id: sports\n",
        ("    }", 1),
        ('starts with a stray "}"', "Remove it"),
    ),
    (
        "text-starting-with-a-reserved-character",
        "question: What is Swedish massage?", "question: @home: what is Swedish massage?",
        ("question: @home", 1),
        ('the text after "question:" starts with "@"',
         'double quotes: question: "@home: what is Swedish massage?"'),
    ),
    (
        "key-indented-deeper-than-its-neighbours",
        "    keywords: [swedish]\n", "      keywords: [swedish]\n",
        ("      keywords: [swedish]", 1),
        ('"keywords:" is indented differently from "question:"', "same column (4 spaces"),
    ),
    (
        "unclosed-bracket",
        "keywords: [swedish]", "keywords: [swedish",
        ("keywords: [swedish", 1),
        ('the "[" on this line is never closed with "]"',),
    ),
]

# One slip the explanations do not cover: a plain sentence, then PyYAML's own words.
FALLBACK = (
    "question: What is Swedish massage?", "question: | What is Swedish massage?",
    ("question: | What", 1),
)


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with libyaml's parser (what the bot uses when PyYAML has it) and with the
    pure-Python one (what it falls back to)."""
    if request.param == "libyaml":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(bot.faq, "SAFE_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(bot.faq, "SAFE_LOADER", yaml.SafeLoader)
    return str(request.param)


def slip_message(write_faq: WriteFaq, old: str, new: str) -> tuple[FaqFile, FaqError]:
    assert old in MINIMAL_FAQ, "the test's replacement no longer applies to MINIMAL_FAQ"
    faq_file = write_faq(MINIMAL_FAQ.replace(old, new, 1))
    with pytest.raises(FaqError) as caught:
        load_faq(faq_file.path)
    return faq_file, caught.value


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(
    ("old", "new", "where", "fragments"),
    [slip[1:] for slip in SLIPS],
    ids=[slip[0] for slip in SLIPS],
)
def test_a_slip_is_explained_at_the_line_to_change(
    write_faq: WriteFaq, old: str, new: str, where: tuple[str, int], fragments: tuple[str, ...]
) -> None:
    faq_file, error = slip_message(write_faq, old, new)
    first = str(error.problems[0])
    assert first.startswith(f"{faq_file.path}:{faq_file.line_of(*where)}: "), str(error)
    for fragment in fragments:
        assert fragment in first, f"{fragment!r} not in {first!r}"
    for word in JARGON:
        assert word not in first, f"{word!r} in {first!r}"


@pytest.mark.usefixtures("parser")
def test_other_slips_get_a_plain_sentence_and_the_parsers_words(write_faq: WriteFaq) -> None:
    old, new, where = FALLBACK
    faq_file, error = slip_message(write_faq, old, new)
    [problem] = error.problems
    assert str(problem).startswith(f"{faq_file.path}:{faq_file.line_of(*where)}: ")
    assert "does not fit the layout of the file" in problem.message
    assert "(YAML syntax error: while scanning a block scalar" in problem.message


@pytest.mark.usefixtures("parser")
def test_a_pasted_control_character_is_located(write_faq: WriteFaq) -> None:
    # after a non-ASCII character, where libyaml's count (bytes) and Python's (characters) part
    faq_file, error = slip_message(
        write_faq, "question: What is Swedish massage?", "question: What is Swédish\x07 massage?"
    )
    [problem] = error.problems
    assert str(problem).startswith(
        f"{faq_file.path}:{faq_file.line_of('What is Swédish')}: this line contains an invisible"
        " character (U+0007) in column 30"
    )
    assert 'Delete it, or retype that part of the line ("question: What is Swédish[U+0007]' in (
        problem.message
    )


def test_a_duplicated_key_names_both_lines(write_faq: WriteFaq) -> None:
    faq_file, error = slip_message(
        write_faq, "massages you can get.\n",
        "massages you can get.\n    answer: Gentle, with long strokes.\n",
    )
    first = faq_file.line_of("answer: |", 3)  # the swedish entry's own answer
    again = faq_file.line_of("answer: Gentle")
    assert first < again
    [problem] = error.problems
    assert problem.line == again
    assert problem.message == (
        f"`answer` appears twice in the entry on lines {first} and {again}: keep one"
    )


def test_a_duplicated_key_outside_the_entries_names_its_section(write_faq: WriteFaq) -> None:
    faq_file, error = slip_message(
        write_faq, "  reply: Please call your local emergency number now.\n",
        "  reply: Please call your local emergency number now.\n  reply: Call 112.\n",
    )
    [problem] = error.problems
    assert problem.line == faq_file.line_of("reply: Call 112.")
    assert problem.message.startswith("`reply` appears twice in `urgent` on lines")


def test_faq_bot_check_prints_the_plain_sentence_and_exits_2(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    faq_file = write_faq(MINIMAL_FAQ.replace(
        "question: What is Swedish massage?", "question: Note: is Swedish massage gentle?"
    ))
    line = faq_file.line_of("question: Note:")
    expected = (
        f'{faq_file.path}:{line}: the text after "question:" contains a colon followed by a'
        ' space ("Note: is Swedish massage gentle?"), which YAML reads as a new key. Put the'
        ' whole text in double quotes: question: "Note: is Swedish massage gentle?"\n'
    )
    assert cli.main(["check", str(faq_file.path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", expected)
    # the same as a real process: exit status 2, the sentence on stderr, no traceback
    environment = dict(os.environ)
    environment.pop("FAQ_PATH", None)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), environment.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(faq_file.path)],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, env=environment,
        timeout=60, check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)


def test_the_bundled_faq_loads_with_no_key_written_twice() -> None:
    # a key written twice is refused by the loader, so loading is the check; the scan below
    # says which key it would be, should the bundled file ever gain one
    load_faq(BUNDLED_FAQ)
    root = yaml.compose(BUNDLED_FAQ.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    twice = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    twice.append((key.value, key.start_mark.line + 1))
                seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    assert twice == []


# What slips are made of: a character typed, deleted or doubled anywhere in a line.
SLIP_CHARACTERS = ':\t"\'@`-[]{}|>#&*!%?, x'


LOADERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])]


@pytest.mark.parametrize("loader", LOADERS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_slip_gives_a_problem_never_a_crash(loader: type, data: st.DataObject) -> None:
    lines = MINIMAL_FAQ.splitlines(keepends=True)
    row = data.draw(st.integers(0, len(lines) - 1))
    line = lines[row]
    at = data.draw(st.integers(0, len(line) - 1))
    what = data.draw(st.sampled_from(["insert", "delete", "indent", "dedent"]))
    if what == "insert":
        line = line[:at] + data.draw(st.sampled_from(SLIP_CHARACTERS)) + line[at:]
    elif what == "delete":
        line = line[:at] + line[at + 1:]
    elif what == "indent":
        line = " " + line
    else:
        line = line[1:] if line.startswith(" ") else line
    text = "".join([*lines[:row], line, *lines[row + 1:]])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.faq, "SAFE_LOADER", loader)
        try:
            bot.faq.parse_faq(text, "faq.yaml")
        except FaqError as error:
            for problem in error.problems:
                assert 0 <= problem.line <= len(lines) + 1, str(problem)
                assert problem.message
