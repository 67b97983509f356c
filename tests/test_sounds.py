"""The sound key: spellings of one heard word meet, different words stay apart."""

from __future__ import annotations

import pytest

from bot.sounds import sound_key


@pytest.mark.parametrize(
    ("heard", "word"),
    [
        ("psyatica", "sciatica"),  # silent p, y for i, c sounding as s
        ("sighattica", "sciatica"),  # silent gh, doubled t
        ("fybromyalgia", "fibromyalgia"),
        ("fashitis", "fasciitis"),  # sh / sc, one i for two
        ("tendonitis", "tendinitis"),
        ("rumatoid", "rheumatoid"),  # silent h
        ("carpel", "carpal"),
        ("thorasic", "thoracic"),
        ("fysio", "physio"),
        ("numonia", "pneumonia"),
        ("kuping", "cupping"),
    ],
)
def test_spellings_of_one_sound_share_a_key(heard: str, word: str) -> None:
    assert sound_key(heard) == sound_key(word)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("stick", "sciatica"),
        ("arthritis", "bursitis"),
        ("migraine", "margarine"),
        ("tendon", "tension"),
    ],
)
def test_different_words_keep_different_keys(one: str, other: str) -> None:
    assert sound_key(one) != sound_key(other)


def test_the_key_ignores_case() -> None:
    assert sound_key("SCIATICA") == sound_key("sciatica")
