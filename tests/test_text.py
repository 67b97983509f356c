"""Normalisation and stemming: both sides of every comparison must fold the same way."""

from __future__ import annotations

import pytest

from bot.text import (
    MAX_INPUT_CHARS,
    asking_sentence,
    clauses,
    clauses_with_ends,
    ends_with_title,
    normalize,
    stem,
    words,
)

FULLWIDTH_SCIATICA = "".join(chr(ord(letter) + 0xFEE0) for letter in "sciatica")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Do you treat SCIATICA??", "do you treat sciatica"),
        (FULLWIDTH_SCIATICA, "sciatica"),
        ("tennis\u00a0elbow", "tennis elbow"),  # non-breaking space
        ("sci\u200batica", "sciatica"),  # a zero-width space must not split the word
        ("can\u2019t sleep 😴", "cant sleep"),  # curly apostrophe, emoji
        ("jaw\x00\x07clicks\n\tbadly", "jaw clicks badly"),  # control characters
        ("<b>neck</b> & back!!!", "b neck b back"),
        ("   ", ""),
    ],
)
def test_normalize_folds_to_plain_words(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_reads_a_bounded_prefix() -> None:
    assert len(normalize("a " * 100_000)) <= MAX_INPUT_CHARS


def test_words_keeps_other_scripts() -> None:
    assert words("массаж спины") == ["массаж", "спины"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("migraine", "migraines"),
        ("sleep", "sleeping"),
        ("booking", "bookings"),
        ("treat", "treated"),
        ("treatment", "treatments"),
        ("muscle", "muscles"),
        ("headache", "headaches"),
        ("injury", "injuries"),
        ("emotional", "emotionally"),
        ("physical", "physically"),
    ],
)
def test_stem_brings_word_forms_together(one: str, other: str) -> None:
    assert stem(one) == stem(other)


@pytest.mark.parametrize("word", ["fasciitis", "stress", "hip", "tmd", "12hr", "sinus"])
def test_stem_leaves_short_and_latin_words_alone(word: str) -> None:
    assert stem(word) == word


def test_clauses_with_ends_cut_as_clauses_do_and_keep_each_end() -> None:
    text = "no chest pain, but my arm is numb? help"
    cut = clauses_with_ends(text)
    assert [clause for clause, _ in cut] == clauses(text)
    assert [end for _, end in cut] == [",", "but", "?", ""]
    assert "".join(clause + end for clause, end in cut) == text


@pytest.mark.parametrize(
    ("text", "question"),
    [
        # the question among what is told around it, before or after
        ("My hips ache. I walk a lot. Can massage help arthritis?", "Can massage help arthritis?"),
        ("What is cupping? I saw marks on a swimmer", "What is cupping?"),
        ("I'm new here! do you treat tennis elbow", "do you treat tennis elbow"),
        # the last of two that ask
        ("What is cupping? Does it hurt?", "Does it hurt?"),
        # a sentence that opens with a connective goes on with the one before
        ("Do you treat migraines? And sciatica", None),
        ("Neck hurts. Is deep tissue ok? But I'm pregnant", "Is deep tissue ok? But I'm pregnant"),
        # one sentence, or none that asks
        ("Do you treat sciatica?", None),
        ("My back hurts. It has for weeks.", None),
        # a title's full stop ends no sentence
        ("Is Dr. Patel still working there?", None),
        ("My GP is Mrs. Shah. Can you treat TMD?", "Can you treat TMD?"),
        ("Is DR. PATEL at St. Mary's?", None),  # in any case
    ],
)
def test_the_asking_sentence_of_a_message_of_several(text: str, question: str | None) -> None:
    assert asking_sentence(text) == question


def test_a_title_is_told_at_the_end_of_a_piece_of_text() -> None:
    assert ends_with_title("I saw Dr")
    assert ends_with_title("my GP, MRS ")
    assert not ends_with_title("I saw the doctor")
    assert not ends_with_title("the drst")
