"""bot.abbreviations: abbreviations spelled out for the sentence model."""

from __future__ import annotations

import pytest

from bot.abbreviations import Abbreviations, abbreviations


@pytest.fixture(scope="module")
def table() -> Abbreviations:
    return Abbreviations(
        as_written={
            "OA": "osteoarthritis", "MS": "multiple sclerosis", "UTI": "urinary tract infection"
        },
        any_case={"doms": "delayed onset muscle soreness", "uti": "urinary tract infection"},
    )


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("OA in my hip", "OA (osteoarthritis) in my hip"),
        # read in lower case only when listed so: "ms" is also a title, "oa" nothing listed
        ("doms after leg day", "doms (delayed onset muscle soreness) after leg day"),
        ("Doms after leg day", "Doms (delayed onset muscle soreness) after leg day"),
        ("Ms Jones has ms", "Ms Jones has ms"),
        ("oa in my hip", "oa in my hip"),
        ("MS since 2019", "MS (multiple sclerosis) since 2019"),
        # a plural
        ("UTIs again", "UTIs (urinary tract infection) again"),
        ("utis again", "utis (urinary tract infection) again"),
        # a word that only holds one is none; nor is one the message already spells out
        ("BOAT and DOMSTIC", "BOAT and DOMSTIC"),
        ("OA (osteoarthritis) of the knee", "OA (osteoarthritis) of the knee"),
        ("no abbreviation here", "no abbreviation here"),
        ("", ""),
    ],
)
def test_an_abbreviation_is_followed_by_its_words(
    table: Abbreviations, text: str, spelled: str
) -> None:
    assert table.spelled_out(text) == spelled


def test_the_built_in_list_reads_common_patient_abbreviations() -> None:
    built_in = abbreviations()
    assert built_in.spelled_out("my GP thinks it's RSI") == (
        "my GP (doctor) thinks it's RSI (repetitive strain injury)"
    )
    # every word read in any case is one of the list's, and none is an everyday word
    assert set(built_in.any_case) <= {key.casefold() for key in built_in.as_written}
    assert not {"it", "us", "am", "pm", "ms", "pt", "er", "hr", "ra"} & set(built_in.any_case)


def test_a_broken_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.abbreviations as module

    monkeypatch.setattr(module, "package_yaml", lambda name: {"abbreviations": {"oa": 1}})
    module.abbreviations.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"abbreviations\.yaml"):
            module.abbreviations()
    finally:
        module.abbreviations.cache_clear()
