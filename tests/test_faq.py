"""The FAQ loader: a good file becomes the model; every mistake names the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUNDLED_FAQ, MINIMAL_FAQ, FaqFile, WriteFaq

import bot.faq
from bot.faq import (
    DEFAULT_FALLBACK,
    DEFAULT_TOPIC,
    BuiltinDataError,
    Faq,
    FaqError,
    builtin_data,
    bundled_faq_path,
    expand_classes,
    load_faq,
    parse_faq,
    resolve_faq_path,
)
from bot.matcher import Matcher, Status

SWEDISH_KEYWORDS = "    keywords: [swedish]\n"


def problems_of(faq_file: FaqFile) -> str:
    with pytest.raises(FaqError) as caught:
        load_faq(faq_file.path)
    return str(caught.value)


def assert_reported(message: str, faq_file: FaqFile, line: int, *fragments: str) -> None:
    """`message` has a problem line starting with "file:line:" that holds every fragment."""
    prefix = f"{faq_file.path}:{line}: "
    candidates = [text for text in message.splitlines() if text.startswith(prefix)]
    assert candidates, f"no problem reported at {prefix!r} in:\n{message}"
    assert any(all(f in text for f in fragments) for text in candidates), (
        f"no problem at line {line} mentions {fragments}:\n{message}"
    )


# -- a good file ------------------------------------------------------------------------------


def test_minimal_faq_loads_into_the_model(minimal_faq: Faq, write_faq: WriteFaq) -> None:
    faq_file = write_faq()
    assert [entry.id for entry in minimal_faq.entries] == [
        "conditions", "sciatica", "swedish", "sports",
    ]
    sciatica = minimal_faq.get("sciatica")
    assert sciatica is not None
    assert sciatica.question == "Do you treat sciatica?"
    assert sciatica.alternates == ("Can massage help sciatica?",)
    assert sciatica.keywords == ("sciatica", "sciatic nerve")
    assert sciatica.related == ("conditions",)
    assert sciatica.answer == "Treated Conditions\n• Sciatica"
    assert sciatica.line == faq_file.line_of("- id: sciatica")
    assert minimal_faq.disclaimer == "This is general information, not medical advice."
    # the file's urgent trigger and greeting are built in already: nothing is added twice
    builtin = builtin_data()
    assert minimal_faq.urgent_triggers == builtin.urgent.triggers
    assert minimal_faq.urgent_reply == "Please call your local emergency number now."
    assert (minimal_faq.urgent_past, minimal_faq.urgent_current) == (
        builtin.urgent.past, builtin.urgent.current,
    )
    assert [kind.name for kind in minimal_faq.smalltalk] == [
        "greeting", "thanks", "goodbye", "help"
    ]
    assert minimal_faq.smalltalk[0].reply == "Hello! Ask me about massage."
    assert minimal_faq.smalltalk[0].triggers == builtin.smalltalk[0].triggers
    assert list(minimal_faq.topics()) == ["Conditions we treat", "Types of massage"]
    assert minimal_faq.get("no-such-entry") is None


def test_the_bundled_faq_loads() -> None:
    """The shipped file's shape, whatever a practice writes in it; what it says (its count of
    entries, its disclaimer, the 13 conditions): tests/test_bundled_faq.py."""
    faq = load_faq(bundled_faq_path())
    assert faq.entries
    assert faq.disclaimer.strip()
    assert all(entry.answer.strip() and entry.question.strip() for entry in faq.entries)
    for entry in faq.entries:
        assert all(faq.get(entry_id) is not None for entry_id in entry.related), entry.id


# -- every kind of schema error -----------------------------------------------------------------

# (case id, text to replace in MINIMAL_FAQ, replacement, line to report (a needle in the broken
#  text, and which occurrence), fragments the problem must contain: the field and what is wrong)
# -- warnings: a file that works, with something worth fixing ----------------------------------

REPEATS = (
    MINIMAL_FAQ
    .replace(
        "    - chest pain\n",
        "    - chest pain\n    - Chest  Pain\n"
        "    - fever & stiff neck\n    - Stiff Neck & fever\n",
    )
    .replace("triggers: [hello, hi]", "triggers: [hello, hi, HELLO]")
    .replace("      - Can massage help sciatica?\n",
             "      - Can massage help sciatica?\n      - Do you treat sciatica?\n")
    .replace("keywords: [sciatica, sciatic nerve]",
             "keywords: [sciatica, sciatic nerve, can massage help sciatica?]")
    + "not_covered: [price, hours, price]\nsynonyms: {pain: [ache, Pain]}\n"
)


def test_a_phrase_listed_twice_is_a_warning_not_an_error(write_faq: WriteFaq) -> None:
    faq_file = write_faq(REPEATS)
    faq = load_faq(faq_file.path)  # loads: a repeat is harmless to patients
    reported = [str(warning) for warning in faq.warnings]

    def warned(line_of: str, where: str, phrase: str, first: str) -> bool:
        prefix = f"{faq_file.path}:{faq_file.line_of(line_of)}: {where}: {phrase!r} is listed"
        also = f"(also on line {faq_file.line_of(first)}); one is enough"
        return any(text.startswith(prefix) and text.endswith(also) for text in reported)

    # the same phrase, whatever its case and spacing
    assert warned("Chest  Pain", "urgent.triggers[1]", "Chest  Pain", "- chest pain")
    # a trigger's parts in another order: they match in any order
    assert warned(
        "Stiff Neck & fever", "urgent.triggers[3]", "Stiff Neck & fever", "- fever & stiff neck"
    )
    assert warned("HELLO", "smalltalk.greeting.triggers[2]", "HELLO", "HELLO")
    assert warned("price, hours", "not_covered[2]", "price", "price, hours")
    assert warned("synonyms:", "synonyms.pain[1]", "Pain", "synonyms:")  # the word itself
    # an entry's question, alternates and keywords all phrase it: a repeat across them counts
    assert warned(
        "- Do you treat sciatica?", "entries[1] (sciatica).alternates[1]",
        "Do you treat sciatica?", "question: Do you treat sciatica?",
    )
    assert warned(
        "can massage help sciatica?]", "entries[1] (sciatica).keywords[2]",
        "can massage help sciatica?", "- Can massage help sciatica?",
    )
    assert len(reported) == 7


def test_the_same_phrase_in_two_entries_or_lists_is_no_repeat(write_faq: WriteFaq) -> None:
    # entries may share a keyword (that is the lint's business), and lists are separate scopes
    text = MINIMAL_FAQ.replace("keywords: [swedish]", "keywords: [swedish, sciatica]") + (
        "not_covered: [hello]\n"
    )
    assert load_faq(write_faq(text).path).warnings == ()


def test_the_bundled_faq_has_no_warnings() -> None:
    assert load_faq(bundled_faq_path()).warnings == ()


SCHEMA_ERRORS = [
    (
        "unknown-key",
        SWEDISH_KEYWORDS, SWEDISH_KEYWORDS + "    colour: red\n",
        ("colour: red", 1), ("entries[2].colour", "unknown key"),
    ),
    (
        "unknown-top-level-key",
        "version: 1\n", "version: 1\ntitle: Our FAQ\n",
        ("title: Our FAQ", 1), ("title", "unknown key"),
    ),
    (
        "missing-answer",
        "    answer: |\n      The Swedish massage is one of the most common types of massages you"
        " can get.\n", "",
        ("- id: swedish", 1), ("(swedish).answer", "missing"),
    ),
    (
        "blank-answer",
        "    answer: |\n      The Swedish massage is one of the most common types of massages you"
        " can get.\n", '    answer: "   "\n',
        ('answer: "   "', 1), ("(swedish).answer", "must not be empty"),
    ),
    (
        "answer-with-no-value",
        "    answer: |\n      The Swedish massage is one of the most common types of massages you"
        " can get.\n", "    answer:  # the text goes here\n",
        ("# the text goes here", 1), ("(swedish).answer",),
    ),
    (
        "duplicate-id",
        "id: sports", "id: swedish",
        ("- id: swedish", 2), ("entries[3].id", "duplicate id 'swedish'", "first used on line"),
    ),
    (
        "keywords-not-a-list",
        "keywords: [swedish]", "keywords: swedish",
        ("keywords: swedish", 1), ("(swedish).keywords", "must be a list"),
    ),
    (
        "question-not-text",
        "question: What is Swedish massage?", "question: 42",
        ("question: 42", 1), ("(swedish).question", "must be text"),
    ),
    (
        "question-is-a-list",
        "question: What is Swedish massage?", "question: [What, is, it]",
        ("question: [What, is, it]", 1), ("(swedish).question", "must be text"),
    ),
    (
        "bad-id",
        "id: swedish", "id: Swedish_Massage",
        ("id: Swedish_Massage", 1), ("entries[2].id", "'Swedish_Massage'", "lowercase"),
    ),
    (
        # The check runs once every id is known; it still names the `related:` line itself.
        "related-to-unknown-id",
        "related: [conditions]", "related: [lumbago]",
        ("related: [lumbago]", 1), ("(sciatica).related", "unknown entry id 'lumbago'"),
    ),
    (
        "yaml-syntax-error",
        "question: What is Swedish massage?", "question: What is: Swedish massage?",
        ("question: What is: Swedish massage?", 1), ("colon", "double quotes"),
    ),
    (
        "duplicate-key",
        SWEDISH_KEYWORDS, SWEDISH_KEYWORDS + "    question: Is Swedish massage gentle?\n",
        ("question: Is Swedish massage gentle?", 1), ("entries[2].question", "appears twice"),
    ),
    (
        "urgent-with-an-empty-list-of-triggers",
        "  triggers:\n    - chest pain\n", "  triggers: []\n",
        ("  triggers: []", 1), ("urgent.triggers", "at least one phrase"),
    ),
    (
        "urgent-reply-empty",
        "  reply: Please call your local emergency number now.\n", '  reply: ""\n',
        ('  reply: ""', 1), ("urgent.reply", "must not be empty"),
    ),
    (
        "urgent-combination-with-an-empty-part",
        "    - chest pain\n", "    - chest pain\n    - fever &\n",
        ("    - fever &", 1), ("urgent.triggers[1]", "each part joined by '&'"),
    ),
    (
        "urgent-unknown-word-class",
        "    - chest pain\n", "    - chest pain\n    - <tingly> & groin\n",
        ("    - <tingly> & groin", 1), ("urgent.triggers[1]", "no word class <tingly>"),
    ),
    (
        "urgent-word-class-without-phrases",
        "  triggers:\n", "  classes:\n    numb: []\n  triggers:\n",
        ("    numb: []", 1), ("urgent.classes.numb", "at least one phrase"),
    ),
    (
        "urgent-word-class-badly-named",
        "  triggers:\n", "  classes:\n    Numb Feet: [numb]\n  triggers:\n",
        ("    Numb Feet: [numb]", 1), ("urgent.classes.Numb Feet", "lowercase letters"),
    ),
    (
        "urgent-past-not-a-list",
        "    - chest pain\n", "    - chest pain\n  past: years ago\n",
        ("  past: years ago", 1), ("urgent.past", "must be a list"),
    ),
    (
        "fallback-empty",
        "fallback: Sorry, I could not find that. Try /topics or /conditions.\n", "fallback:\n",
        ("fallback:", 1), ("fallback", "must not be empty"),
    ),
    (
        "topic-not-text",
        "    topic: Types of massage\n", "    topic: [Types, of, massage]\n",
        ("    topic: [Types, of, massage]", 1), ("(swedish).topic", "must be text"),
    ),
    (
        "new-smalltalk-kind-without-a-reply",
        "smalltalk:\n", "smalltalk:\n  weather:\n    triggers: [nice day]\n",
        ("    triggers: [nice day]", 1), ("smalltalk.weather.reply", "missing"),
    ),
    (
        "smalltalk-kind-with-an-empty-list-of-triggers",
        "    triggers: [hello, hi]\n", "    triggers: []\n",
        ("    reply: Hello! Ask me", 1), ("smalltalk.greeting.triggers", "at least one phrase"),
    ),
    (
        "synonym-of-two-words",
        "entries:\n", "synonyms:\n  pain: [sore spot]\nentries:\n",
        ("  pain: [sore spot]", 1), ("synonyms.pain[0]", "'sore spot'", "single words"),
    ),
    (
        "entries-not-a-list",
        "entries:\n", "entries: none of them yet\nold_entries:\n",
        ("entries: none of them yet", 1), ("entries", "must be a non-empty list"),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "where", "fragments"),
    [case[1:] for case in SCHEMA_ERRORS],
    ids=[case[0] for case in SCHEMA_ERRORS],
)
def test_schema_error_names_file_line_and_field(
    write_faq: WriteFaq,
    old: str,
    new: str,
    where: tuple[str, int],
    fragments: tuple[str, ...],
) -> None:
    assert old in MINIMAL_FAQ, "the test's replacement no longer applies to MINIMAL_FAQ"
    faq_file = write_faq(MINIMAL_FAQ.replace(old, new, 1))
    message = problems_of(faq_file)
    assert_reported(message, faq_file, faq_file.line_of(*where), *fragments)


def test_every_problem_is_reported_one_per_line(write_faq: WriteFaq) -> None:
    text = MINIMAL_FAQ.replace("id: swedish", "id: Bad_Id").replace(
        "keywords: [sports]", "keywords: sports"
    )
    faq_file = write_faq(text)
    with pytest.raises(FaqError) as caught:
        load_faq(faq_file.path)
    error = caught.value
    assert len(error.problems) == 2
    assert str(error).splitlines() == [str(problem) for problem in error.problems]
    assert_reported(str(error), faq_file, faq_file.line_of("id: Bad_Id"), "entries[2].id")
    assert_reported(
        str(error), faq_file, faq_file.line_of("keywords: sports"), "(sports).keywords"
    )


def test_a_python_tag_is_refused_not_executed(write_faq: WriteFaq, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = MINIMAL_FAQ.replace(
        "disclaimer: This is general information, not medical advice.",
        f'disclaimer: !!python/object/apply:os.system ["touch {marker}"]',
    )
    faq_file = write_faq(text)
    message = problems_of(faq_file)
    assert_reported(message, faq_file, faq_file.line_of("disclaimer:"), "disclaimer")
    assert not marker.exists()


def test_an_unknown_tag_is_a_problem_not_a_traceback(write_faq: WriteFaq) -> None:
    faq_file = write_faq(MINIMAL_FAQ.replace(
        "question: What is sports massage?", "question: !custom What is sports massage?"
    ))
    message = problems_of(faq_file)
    assert_reported(message, faq_file, faq_file.line_of("!custom"), "(sports).question")


def test_the_empty_file_is_reported(write_faq: WriteFaq) -> None:
    faq_file = write_faq("# nothing here yet\n")
    assert problems_of(faq_file) == f"{faq_file.path}: the file is empty"


def test_a_file_that_is_not_utf8_is_reported(write_faq: WriteFaq) -> None:
    faq_file = write_faq()
    faq_file.path.write_bytes(MINIMAL_FAQ.replace("• ", "").replace(
        "Swedish massage?", "Swedish massage — café?").encode("cp1252"))
    message = problems_of(faq_file)
    assert message.startswith(f"{faq_file.path}")
    assert "not UTF-8" in message


def test_a_non_utf8_byte_is_located(write_faq: WriteFaq) -> None:
    # no bullets: cp1252 would encode "•" too, and the first bad byte is the one reported
    faq_file = write_faq(
        MINIMAL_FAQ.replace("• ", "").replace("Swedish massage?", "Swedish massage (café)?")
    )
    faq_file.path.write_bytes(faq_file.text.encode("cp1252"))
    message = problems_of(faq_file)
    assert_reported(message, faq_file, faq_file.line_of("café"), "not UTF-8")


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "faq.yaml"
    with pytest.raises(FaqError) as caught:
        load_faq(missing)
    assert str(caught.value) == f"{missing}: file not found"


def test_a_directory_is_reported_not_raised(tmp_path: Path) -> None:
    with pytest.raises(FaqError, match="cannot read"):
        load_faq(tmp_path)


# -- which file is used -----------------------------------------------------------------------


def test_resolve_prefers_the_explicit_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faq.yaml").write_text(MINIMAL_FAQ, encoding="utf-8")
    env = {"FAQ_PATH": "/from/env.yaml"}
    assert resolve_faq_path("/given.yaml", env) == Path("/given.yaml")


def test_resolve_then_uses_faq_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faq.yaml").write_text(MINIMAL_FAQ, encoding="utf-8")
    assert resolve_faq_path(None, {"FAQ_PATH": "/from/env.yaml"}) == Path("/from/env.yaml")


def test_resolve_then_uses_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faq.yaml").write_text(MINIMAL_FAQ, encoding="utf-8")
    resolved = resolve_faq_path(None, {"FAQ_PATH": ""})
    assert resolved.resolve() == tmp_path / "faq.yaml"


def test_resolve_falls_back_to_the_bundled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    resolved = resolve_faq_path(None, {})
    assert resolved == bundled_faq_path()
    assert resolved.is_file()
    assert resolved.read_bytes() == BUNDLED_FAQ.read_bytes()


def test_a_word_class_in_a_trigger_stands_for_each_of_its_phrases() -> None:
    classes = {"numb": ("numb", "cant feel"), "groin": ("groin", "down there")}
    assert expand_classes("<numb> & <groin>", classes) == [
        "numb & groin", "numb & down there", "cant feel & groin", "cant feel & down there",
    ]
    assert expand_classes("chest pain", classes) == ["chest pain"]
    assert expand_classes("<nothing> here", classes) == ["<nothing> here"]  # the loader reports it


def test_the_urgent_phrases_spell_out_every_class(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(MINIMAL_FAQ.replace(
        "  triggers:\n    - chest pain\n",
        "  classes:\n    tingly: [tingly, pins and needles]\n  triggers:\n    - chest pain\n"
        "    - <tingly> groin\n",
    )).path)
    builtin = builtin_data()
    tingly = ("tingly", "pins and needles")
    assert faq.urgent_classes == {**builtin.urgent.classes, "tingly": tingly}
    assert list(faq.urgent_classes)[-1] == "tingly"  # after the built-in classes
    phrases = faq.urgent_phrases()
    assert phrases[-2:] == ["tingly groin", "pins and needles groin"]
    assert phrases[:-2] == Faq.urgent_phrases(faq_with_builtin_only())


# -- what is built in, and what a faq.yaml adds to it -----------------------------------------

# The least a faq.yaml needs: a disclaimer and entries with an id, a question and an answer.
BARE_FAQ = """\
disclaimer: Not medical advice.
entries:
  - id: opening
    question: When do you open?
    answer: Every weekday from nine.
  - id: parking
    question: Is there parking?
    answer: Yes, behind the building.
"""


def faq_with_builtin_only() -> Faq:
    return parse_faq(BARE_FAQ, "bare.yaml")


def test_a_bare_faq_loads_with_the_defaults_and_the_builtin_data(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(BARE_FAQ).path)
    assert [entry.id for entry in faq.entries] == ["opening", "parking"]
    assert faq.fallback == DEFAULT_FALLBACK
    assert "/topics" in faq.fallback
    assert "massage" not in faq.fallback.casefold()  # generic: any practice's FAQ
    assert {entry.topic for entry in faq.entries} == {DEFAULT_TOPIC} == {"Questions"}
    assert list(faq.topics()) == ["Questions"]
    assert faq.not_covered == ()
    assert faq.warnings == ()
    builtin = builtin_data()
    assert faq.urgent_reply == builtin.urgent.reply
    assert faq.urgent_triggers == builtin.urgent.triggers
    assert faq.urgent_classes == builtin.urgent.classes
    assert (faq.urgent_past, faq.urgent_current) == (builtin.urgent.past, builtin.urgent.current)
    assert [kind.name for kind in faq.smalltalk] == ["greeting", "thanks", "goodbye", "help"]
    assert faq.synonyms == builtin.synonyms


def test_the_builtin_data_is_read_once_and_is_clean() -> None:
    assert builtin_data() is builtin_data()
    builtin = builtin_data()
    assert builtin.warnings == ()
    assert "chest pain" in builtin.urgent.triggers
    assert builtin.urgent.reply.startswith("⚠️")
    assert builtin.urgent.past
    assert builtin.urgent.current
    assert builtin.urgent.classes
    assert "pain" in builtin.synonyms


def test_builtin_small_talk_works_in_a_bare_faq() -> None:
    matcher = Matcher(faq_with_builtin_only())
    assert matcher.match("hello").status is Status.SMALLTALK
    assert matcher.match("thanks!").status is Status.SMALLTALK
    assert matcher.match("I have crushing chest pain").status is Status.URGENT


def test_an_admins_urgent_section_adds_and_cannot_take_builtin_triggers_away(
    write_faq: WriteFaq,
) -> None:
    text = BARE_FAQ + """\
urgent:
  reply: Ring 999 now.
  triggers:
    - toes turned purple
"""
    faq = load_faq(write_faq(text).path)
    builtin = builtin_data()
    assert faq.urgent_reply == "Ring 999 now."  # the reply may be replaced
    assert faq.urgent_triggers == (*builtin.urgent.triggers, "toes turned purple")
    matcher = Matcher(faq)
    assert matcher.match("my toes turned purple overnight").status is Status.URGENT
    assert Matcher(faq_with_builtin_only()).match(
        "my toes turned purple overnight"
    ).status is not Status.URGENT
    # a built-in trigger the file does not list still routes to urgent care
    assert "chest pain" not in text
    assert matcher.match("I have crushing chest pain").status is Status.URGENT
    assert matcher.match("I want to kill myself").status is Status.URGENT


def test_an_admins_urgent_section_may_leave_out_the_reply_and_add_current() -> None:
    faq = parse_faq(BARE_FAQ + """\
urgent:
  current: [as we speak]
""", "faq.yaml")
    builtin = builtin_data()
    assert faq.urgent_reply == builtin.urgent.reply
    assert faq.urgent_triggers == builtin.urgent.triggers
    assert faq.urgent_past == builtin.urgent.past
    assert faq.urgent_current == (*builtin.urgent.current, "as we speak")


def test_an_admins_urgent_section_cannot_add_history_phrases() -> None:
    # "had a" near "heart attack" would make a real emergency read as history
    text = BARE_FAQ + "urgent:\n  past: [had a]\n"
    with pytest.raises(FaqError) as raised:
        parse_faq(text, "faq.yaml")
    (problem,) = raised.value.problems
    assert (problem.line, problem.field) == (text.splitlines().index("  past: [had a]") + 1,
                                             "urgent.past")
    assert "remove this list" in problem.message


def test_an_admins_class_with_a_builtin_name_extends_it() -> None:
    builtin = builtin_data()
    assert "numb" in builtin.urgent.classes
    assert "groin" in builtin.urgent.classes
    assert "pins and needles" not in builtin.urgent.classes["numb"]
    faq = parse_faq(BARE_FAQ + """\
urgent:
  classes:
    numb: [pins and needles, numb]
""", "faq.yaml")
    # every built-in phrase stays, the new one comes after them, a repeat is not added twice
    assert faq.urgent_classes["numb"] == (*builtin.urgent.classes["numb"], "pins and needles")
    assert list(faq.urgent_classes) == list(builtin.urgent.classes)
    assert faq.urgent_triggers == builtin.urgent.triggers
    # the built-in triggers over <numb> now cover the new phrase
    assert "pins and needles & groin" in faq.urgent_phrases()
    assert "pins and needles & groin" not in faq_with_builtin_only().urgent_phrases()
    matcher = Matcher(faq)
    assert matcher.match("pins and needles in my groin since this morning").status is (
        Status.URGENT
    )
    assert matcher.match("numb groin").status is Status.URGENT  # a built-in phrase still works


def test_an_admins_trigger_may_use_a_builtin_class() -> None:
    faq = parse_faq(BARE_FAQ + "urgent:\n  triggers: [<numb> toes]\n", "faq.yaml")
    assert faq.urgent_phrases()[-1] == f"{faq.urgent_classes['numb'][-1]} toes"


def test_an_admins_small_talk_replaces_a_reply_adds_triggers_and_new_kinds() -> None:
    faq = parse_faq(BARE_FAQ + """\
smalltalk:
  greeting:
    reply: Welcome to the practice!
    triggers: [good morrow]
  goodbye:
    triggers: [ciao]
  compliment:
    reply: Thank you, that is kind.
    triggers: [you are clever]
""", "faq.yaml")
    builtin = {kind.name: kind for kind in builtin_data().smalltalk}
    kinds = {kind.name: kind for kind in faq.smalltalk}
    assert list(kinds) == ["greeting", "thanks", "goodbye", "help", "compliment"]
    assert kinds["greeting"].reply == "Welcome to the practice!"
    assert kinds["greeting"].triggers == (*builtin["greeting"].triggers, "good morrow")
    assert kinds["thanks"] == builtin["thanks"]
    assert kinds["goodbye"].reply == builtin["goodbye"].reply  # no reply given: kept
    assert kinds["goodbye"].triggers == (*builtin["goodbye"].triggers, "ciao")
    assert kinds["compliment"].triggers == ("you are clever",)
    matcher = Matcher(faq)
    greeting = matcher.match("good morrow")
    assert greeting.status is Status.SMALLTALK
    assert greeting.smalltalk is not None
    assert greeting.smalltalk.name == "greeting"
    assert matcher.match("hello").status is Status.SMALLTALK  # built in, still there


def test_an_admins_synonyms_add_variants_and_words() -> None:
    faq = parse_faq(BARE_FAQ + """\
synonyms:
  pain: [twinge, ache]
  parking: [carpark]
""", "faq.yaml")
    builtin = builtin_data().synonyms
    assert faq.synonyms["pain"] == (*builtin["pain"], "twinge")
    assert faq.synonyms["parking"] == ("carpark",)
    assert list(faq.synonyms) == [*builtin, "parking"]
    assert faq.synonyms["massage"] == builtin["massage"]
    assert faq.warnings == ()


@pytest.mark.parametrize(
    ("name", "old", "new", "said"),
    [
        ("urgent", "    - chest pain\n", "    - <nowhere> pain\n", "no word class <nowhere>"),
        ("languages", "\n  pl:\n", "\n  sv:\n", "unknown language code 'sv'"),
    ],
)
def test_broken_builtin_data_is_a_bug_in_the_bot(
    monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str, said: str
) -> None:
    real = bot.faq._builtin_text

    def broken(section: str) -> str:
        text = real(section)
        return text.replace(old, new, 1) if section == name else text

    monkeypatch.setattr(bot.faq, "_builtin_text", broken)
    builtin_data.cache_clear()
    try:
        with pytest.raises(BuiltinDataError) as caught:
            parse_faq(BARE_FAQ)
    finally:
        builtin_data.cache_clear()
    message = str(caught.value)
    assert "a bug in the bot, not in faq.yaml" in message
    assert f"bot/data/{name}.yaml:" in message
    assert said in message
    assert not isinstance(caught.value, FaqError)  # not reported as the admin's mistake


# -- a clear yes or no: leads, topics and not-covered groups with a `no` line -------------------

NO = "{phrase} isn't on our list of treated conditions."
CLEAR_FAQ = MINIMAL_FAQ.replace("entries:\n", f"""\
not_covered:
  business: [price, gift card]
  conditions not on our list:
    reply: "{NO}"
    phrases: [psoriasis, gout]
  more conditions: {{reply: "Sorry, {{phrase}} is not one we treat.", phrases: [acne]}}
  without a line:
    phrases: [homework]
topics:
  Types of massage:
    lead: We offer this type of massage.
  Conditions we treat:
    lead: Yes, this is one of the conditions we treat.
entries:
""").replace(
    "    question: Do you treat sciatica?\n",
    "    question: Do you treat sciatica?\n"
    "    lead: Yes, sciatica is one of the conditions we treat.\n",
)


def test_not_covered_groups_may_carry_a_no_line(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(CLEAR_FAQ).path)
    # every phrase still declines, in file order, whichever form its group has
    assert faq.not_covered == ("price", "gift card", "psoriasis", "gout", "acne", "homework")
    # the flow form works the same
    assert faq.not_covered_no == {
        "psoriasis": NO, "gout": NO, "acne": "Sorry, {phrase} is not one we treat.",
    }
    assert faq.warnings == ()


def test_a_group_may_list_topics_each_its_own(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(CLEAR_FAQ.replace(
        "    phrases: [psoriasis, gout]\n", "    topics: [psoriasis, gout]\n"
    )).path)
    assert faq.not_covered == ("price", "gift card", "psoriasis", "gout", "acne", "homework")
    assert faq.not_covered_no["gout"] == NO  # the group's reply, as with phrases
    assert faq.not_covered_group["psoriasis"] == "psoriasis"
    assert faq.not_covered_group["gout"] == "gout"
    assert faq.not_covered_group["price"] == faq.not_covered_group["gift card"] == "business"
    assert faq.warnings == ()


def test_the_plain_list_forms_of_not_covered_keep_working(write_faq: WriteFaq) -> None:
    one_list = load_faq(write_faq(MINIMAL_FAQ.replace(
        "entries:\n", "not_covered: [price, psoriasis]\nentries:\n"
    )).path)
    assert (one_list.not_covered, one_list.not_covered_no) == (("price", "psoriasis"), {})
    groups = load_faq(write_faq(MINIMAL_FAQ.replace(
        "entries:\n", "not_covered:\n  business: [price]\n  conditions: [psoriasis]\nentries:\n"
    )).path)
    assert (groups.not_covered, groups.not_covered_no) == (("price", "psoriasis"), {})


def test_a_lead_is_the_entrys_own_else_its_topics(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(CLEAR_FAQ).path)
    leads = {entry.id: entry.lead for entry in faq.entries}
    assert leads == {
        "conditions": "Yes, this is one of the conditions we treat.",
        "sciatica": "Yes, sciatica is one of the conditions we treat.",  # its own wins
        "swedish": "We offer this type of massage.",
        "sports": "We offer this type of massage.",
    }


def test_an_entry_without_a_lead_has_none(minimal_faq: Faq) -> None:
    assert all(entry.lead == "" for entry in minimal_faq.entries)


def test_a_topic_no_entry_has_is_a_warning(write_faq: WriteFaq) -> None:
    faq_file = write_faq(MINIMAL_FAQ.replace(
        "entries:\n", "topics:\n  Conditions we trat:\n    lead: Yes.\nentries:\n"
    ))
    faq = load_faq(faq_file.path)
    [warning] = [str(warning) for warning in faq.warnings]
    assert warning.startswith(
        f"{faq_file.path}:{faq_file.line_of('    lead: Yes.')}: topics.Conditions we trat: "
        "no entry has this topic"
    )
    assert "'Conditions we treat'" in warning  # the topics there are, to spot the typo
    assert all(entry.lead == "" for entry in faq.entries)


CLEAR_ERRORS = [
    (
        "no-line-without-the-phrase",
        f'    reply: "{NO}"\n', "    reply: We don't treat that.\n",
        ("    reply: We don't treat that.", 1),
        ("not_covered.conditions not on our list.reply", "must contain {phrase}"),
    ),
    (
        # unquoted, YAML reads `{phrase}` as a mapping: say what to do about it
        "no-line-unquoted",
        f'    reply: "{NO}"\n', "    reply: {phrase}\n",
        ("    reply: {phrase}", 1),
        ("not_covered.conditions not on our list.reply", "must be text", '"double quotes"'),
    ),
    (
        "no-line-empty",
        f'    reply: "{NO}"\n', '    reply: ""\n',
        ('    reply: ""', 1),
        ("not_covered.conditions not on our list.reply", "must not be empty"),
    ),
    (
        "no-group-without-phrases",
        "    phrases: [psoriasis, gout]\n", "",
        (f'    reply: "{NO}"', 1),
        ("not_covered.conditions not on our list.phrases", "missing"),
    ),
    (
        "no-group-with-an-empty-list",
        "    phrases: [psoriasis, gout]\n", "    phrases: []\n",
        ("    phrases: []", 1),
        ("not_covered.conditions not on our list.phrases", "at least one phrase"),
    ),
    (
        "group-with-phrases-and-topics",
        "    phrases: [psoriasis, gout]\n", "    phrases: [psoriasis]\n    topics: [gout]\n",
        ("    topics: [gout]", 1),
        ("not_covered.conditions not on our list.topics", "not both"),
    ),
    (
        "group-with-an-empty-list-of-topics",
        "    phrases: [psoriasis, gout]\n", "    topics: []\n",
        ("    topics: []", 1),
        ("not_covered.conditions not on our list.topics", "at least one topic"),
    ),
    (
        "no-group-unknown-key",
        "    phrases: [psoriasis, gout]\n", "    phrases: [psoriasis, gout]\n    answer: Sure.\n",
        ("    answer: Sure.", 1),
        ("not_covered.conditions not on our list.answer", "unknown key", "phrases, reply"),
    ),
    (
        "entry-lead-empty",
        "    lead: Yes, sciatica is one of the conditions we treat.\n", '    lead: ""\n',
        ('    lead: ""', 1), ("entries[1] (sciatica).lead", "must not be empty"),
    ),
    (
        "entry-lead-not-text",
        "    lead: Yes, sciatica is one of the conditions we treat.\n", "    lead: [Yes, we do]\n",
        ("    lead: [Yes, we do]", 1), ("entries[1] (sciatica).lead", "must be text"),
    ),
    (
        "topic-lead-empty",
        "    lead: We offer this type of massage.\n", "    lead:\n",
        ("    lead:", 1), ("topics.Types of massage.lead", "must not be empty"),
    ),
    (
        "topic-unknown-key",
        "    lead: We offer this type of massage.\n", "    intro: We offer it.\n",
        ("    intro: We offer it.", 1), ("topics.Types of massage.intro", "unknown key"),
    ),
    (
        "topic-not-a-mapping",
        "  Types of massage:\n    lead: We offer this type of massage.\n",
        "  Types of massage: We offer this type of massage.\n",
        ("  Types of massage: We offer", 1), ("topics.Types of massage", "must be a mapping"),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "where", "fragments"),
    [case[1:] for case in CLEAR_ERRORS],
    ids=[case[0] for case in CLEAR_ERRORS],
)
def test_a_mistake_in_a_lead_or_a_no_line_names_file_line_and_field(
    write_faq: WriteFaq,
    old: str,
    new: str,
    where: tuple[str, int],
    fragments: tuple[str, ...],
) -> None:
    assert old in CLEAR_FAQ, "the test's replacement no longer applies to CLEAR_FAQ"
    faq_file = write_faq(CLEAR_FAQ.replace(old, new, 1))
    message = problems_of(faq_file)
    assert_reported(message, faq_file, faq_file.line_of(*where), *fragments)


# -- limits: what a file may cost to load -------------------------------------------------------


def test_the_limits_leave_room_for_the_bundled_faq() -> None:
    faq = load_faq(bundled_faq_path())
    assert bundled_faq_path().stat().st_size * 100 < bot.faq.MAX_FILE_BYTES
    assert len(faq.entries) * 100 < bot.faq.MAX_ENTRIES
    assert max(len(entry.phrasings) for entry in faq.entries) * 5 < bot.faq.MAX_PHRASINGS_PER_ENTRY
    assert sum(len(entry.phrasings) for entry in faq.entries) * 100 < bot.faq.MAX_PHRASINGS
    assert max(len(entry.answer) for entry in faq.entries) * 4 < bot.faq.MAX_TEXT_CHARS
    assert len(faq.urgent_phrases()) * 5 < bot.faq.MAX_URGENT_PHRASES
    largest = max(
        bot.faq.count_expansion(trigger, faq.urgent_classes) for trigger in faq.urgent_triggers
    )
    assert largest * 5 < bot.faq.MAX_URGENT_PER_TRIGGER
    # the benchmark's FAQ of 10,000 entries fits
    assert bot.faq.MAX_ENTRIES >= 10_000


def test_the_expansion_is_counted_as_expand_classes_would_build_it() -> None:
    classes = {"a": ("x", "y", "z"), "b": ("p", "q")}
    for trigger in ("plain words", "<a> & <b>", "<a> <a> & <b>", "<a> & <missing>"):
        assert bot.faq.count_expansion(trigger, classes) == len(expand_classes(trigger, classes))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    faq_file = write_faq()
    monkeypatch.setattr(bot.faq, "MAX_FILE_BYTES", len(MINIMAL_FAQ.encode()) - 1)
    message = problems_of(faq_file)
    assert message.startswith(f"{faq_file.path}: the file is too big")
    with pytest.raises(FaqError, match="too big"):
        parse_faq(MINIMAL_FAQ)
    with pytest.raises(FaqError, match="too big"):
        bot.faq.faq_from_bytes(MINIMAL_FAQ.encode(), "x.yaml")


def test_too_many_entries_are_refused_at_the_entries_line(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.faq, "MAX_ENTRIES", 3)
    faq_file = write_faq()
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("- id: conditions"),
        "entries:", "too many entries: 4 (at most 3)",
    )


def test_too_many_phrasings_in_one_entry_or_in_all_are_refused(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.faq, "MAX_PHRASINGS_PER_ENTRY", 3)
    faq_file = write_faq()
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("- id: sciatica"),
        "entries[1] (sciatica):", "too many phrasings: 4",
    )
    monkeypatch.setattr(bot.faq, "MAX_PHRASINGS_PER_ENTRY", 500)
    monkeypatch.setattr(bot.faq, "MAX_PHRASINGS", 8)
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("- id: conditions"),
        "entries:", "too many phrasings: 10 questions",
    )


def test_a_text_over_the_length_limit_is_refused(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.faq, "MAX_TEXT_CHARS", 70)
    faq_file = write_faq()
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("answer: |", 3),
        "entries[2] (swedish).answer:", "too long: 76 characters (at most 70",
    )


def test_nesting_deeper_than_the_limit_is_refused(write_faq: WriteFaq) -> None:
    depth = bot.faq.MAX_DEPTH + 1
    faq_file = write_faq(MINIMAL_FAQ + "topics: " + "[" * depth + "]" * depth + "\n")
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("topics:"), "nested too deep",
    )
    # libyaml's own limit is far past ours: a deeper file is still one clear line
    faq_file = write_faq(MINIMAL_FAQ + "topics: " + "[" * 100_000 + "]" * 100_000 + "\n")
    message = problems_of(faq_file)
    assert message.startswith(f"{faq_file.path}:{faq_file.line_of('topics:')}: ")
    assert len(message.splitlines()) == 1


def test_too_many_nodes_are_refused_before_composing(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.faq, "MAX_NODES", 20)
    faq_file = write_faq()
    assert "too much in one file: over 20 texts" in problems_of(faq_file)


def test_yaml_anchors_and_aliases_are_refused(write_faq: WriteFaq) -> None:
    text = MINIMAL_FAQ.replace(
        "    keywords: [swedish]\n", "    keywords: &words [swedish]\n"
    ).replace("    keywords: [sports]\n", "    keywords: *words\n")
    faq_file = write_faq(text)
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("&words"),
        "anchors and aliases (&words, *words) are not allowed",
    )


def test_an_urgent_trigger_that_would_expand_too_far_is_refused_by_its_count(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    def built(*args: object) -> list[str]:
        raise AssertionError("the expansion was built")

    monkeypatch.setattr(bot.faq, "expand_classes", built)
    classes = "".join(
        f"    c{n}: [{', '.join(f'w{n}x{i}' for i in range(30))}]\n" for n in range(6)
    )
    trigger = " & ".join(f"<c{n}>" for n in range(6))
    text = MINIMAL_FAQ.replace(
        "  triggers:\n    - chest pain\n",
        f"  classes:\n{classes}  triggers:\n    - chest pain\n    - {trigger}\n",
    )
    faq_file = write_faq(text)
    message = problems_of(faq_file)
    assert_reported(
        message, faq_file, faq_file.line_of(f"- {trigger}"), "urgent.triggers[1]:",
        "stands for 729,000,000 phrases (30 <c0> x 30 <c1>", "at most 6,000",
    )
    assert len(message.splitlines()) == 1


def test_urgent_triggers_over_the_total_are_refused_naming_the_biggest(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.faq, "MAX_URGENT_PHRASES", len(builtin_data().urgent.triggers) + 10)
    text = MINIMAL_FAQ.replace(
        "  triggers:\n    - chest pain\n",
        "  classes:\n    mine: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12]\n"
        "  triggers:\n    - chest pain\n    - <mine> & sudden\n",
    )
    faq_file = write_faq(text)
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("- <mine> & sudden"),
        "'<mine> & sudden' makes 12;", "urgent triggers spelt out",
        "the built-in ones make",
    )


def builtin_total() -> int:
    builtin = builtin_data().urgent
    return sum(bot.faq.count_expansion(t, builtin.classes) for t in builtin.triggers)


def test_extending_a_builtin_class_counts_toward_the_total(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.faq, "MAX_URGENT_PHRASES", builtin_total())
    text = MINIMAL_FAQ.replace(
        "  triggers:\n    - chest pain\n", "  classes:\n    numb: [tingly and numb]\n"
    )
    faq_file = write_faq(text)
    assert_reported(
        problems_of(faq_file), faq_file, faq_file.line_of("numb: [tingly"), "urgent.classes:",
        "urgent triggers spelt out",
    )
