"""The first matching stage (bot/spelling.py): a message's words folded to the FAQ's terms.

Typos are corrected to the closest FAQ word, long medical words spelt by ear are found by
their sound, words split or run together by a slip are put right, everyday English is left
alone, synonyms are folded and a light stemmer makes word forms meet. Each test builds a
Speller over a tiny FAQ of its own, as Matcher does, so it keeps meaning the same thing
whatever the practice puts in faq.yaml.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot import spelling
from bot.faq import Faq, parse_faq
from bot.matcher import speller_for
from bot.spelling import Speller
from tests.conftest import FAQ_HEADER


def folded(speller: Speller, text: str) -> list[str]:
    """A message's terms as the matcher reads them: slips of the space bar put right first."""
    return speller.terms_of(speller.words(text))


def term(speller: Speller, word: str) -> str:
    (only,) = speller.terms(word)
    return only


TIE_FAQ = FAQ_HEADER + """\
entries:
  - {id: one, topic: T, question: What is alpha massage?, answer: Alpha.}
  - {id: two, topic: T, question: What is beta massage?, answer: Beta.}
  - {id: three, topic: T, question: What is gamma therapy?, answer: Gamma.}
"""

CONDITIONS_FAQ = FAQ_HEADER + """\
entries:
  - {id: sciatica, question: Do you treat sciatica?, answer: Yes.}
  - {id: fibromyalgia, question: Can massage help fibromyalgia?, answer: Often.}
  - {id: carpal, question: Do you treat carpal tunnel syndrome?, answer: Yes.}
  - {id: plantar, question: Can you help plantar fasciitis?, answer: Yes.}
  - {id: back, question: Do you treat back pain?, answer: Yes.}
  - {id: swedish, question: What is Swedish massage?, answer: Gentle strokes.}
  - {id: deep, question: What is deep tissue massage?, answer: Firm pressure.}
"""


@pytest.fixture(scope="module")
def conditions() -> Speller:
    return speller_for(parse_faq(CONDITIONS_FAQ))


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        ("fibromialgia", "fibromyalgia"),
        ("carpel tunnel", "carpal"),
        ("siatica", "sciatica"),
        ("plantar fasciitus", "fasciitis"),
        ("bak pain", "back"),
        ("swedish masage", "massage"),
        ("deap tissue massage", "deep"),
        ("sci atica in my leg", "sciatica"),  # a word split in two
        ("plantar fasci itis", "fasciitis"),
        ("my GP said I've got psyatica", "sciatica"),  # spelt by ear
        ("i have sigh attica in my left leg", "sciatica"),  # voice-to-text
        ("can you help with fiber my algae", "fibromyalgia"),
        ("backpain", "back"),  # a space left out
        ("do you do deeptissue", "tissue"),
    ],
)
def test_a_misspelt_faq_word_folds_to_the_faq_words_term(
    conditions: Speller, message: str, meant: str
) -> None:
    assert term(conditions, meant) in folded(conditions, message)


def test_correct_leaves_known_words_numbers_and_short_words_alone(conditions: Speller) -> None:
    assert conditions.correct("sciatica") == "sciatica"
    assert conditions.correct("kettle") == "kettle"  # everyday English, though unknown here
    assert conditions.correct("2019") == "2019"
    assert conditions.correct("ok") == "ok"
    assert conditions.correct("zzqxv") == "zzqxv"  # close to nothing: itself


def test_everyday_words_are_never_corrected_into_faq_words() -> None:
    # "beat" is one letter from "beta", but it is an everyday word, so it stays itself;
    # "betta" is no word at all, so it is taken for a misspelt "beta".
    faq = parse_faq(TIE_FAQ)
    speller = speller_for(faq, everyday=frozenset({"beat"}))
    assert speller.correct("beat") == "beat"
    assert speller.correct("betta") == "beta"
    assert speller_for(faq, everyday=frozenset()).correct("beat") == "beta"


def test_a_typo_as_close_to_two_words_means_the_one_the_faq_uses_more() -> None:
    # "deap" is one letter from both "dead" and "deep": the FAQ's more used word wins, not the
    # first in the alphabet
    def faq_using(often: str, once: str) -> Faq:
        return parse_faq(TIE_FAQ.replace(
            "answer: Alpha.}", f"answer: {often} {often} {often} {once}.}}"
        ))

    nothing_everyday = frozenset[str]()
    assert speller_for(faq_using("deep", "dead"), nothing_everyday).correct("deap") == "deep"
    assert speller_for(faq_using("dead", "deep"), nothing_everyday).correct("deap") == "dead"


def test_a_three_letter_word_may_only_gain_a_letter() -> None:
    faq = parse_faq(FAQ_HEADER + """\
entries:
  - {id: neck, question: Do you treat neck pain?, answer: Yes.}
  - {id: bat, question: What is a bar?, answer: A bar.}
""")
    speller = speller_for(faq, everyday=frozenset())
    assert speller.correct("nek") == "neck"
    assert speller.correct("baz") == "baz"  # one letter from "bar", but no letter gained


def test_the_bundled_word_list_keeps_real_words_and_catches_typos() -> None:
    faq = parse_faq(FAQ_HEADER + """\
entries:
  - {id: hamstring, question: Do you treat a pulled hamstring?, answer: Yes.}
  - {id: rom, question: Will massage improve my ROM?, answer: Range of motion often improves.}
  - {id: elbow, question: Do you treat tennis elbow?, answer: Yes.}
""")
    speller = speller_for(faq)
    assert speller.correct("hammering") == "hammering"  # not "hamstring"
    assert speller.correct("room") == "room"  # not "rom" (range of motion)
    assert speller.correct("elbwo") == "elbow"


def test_everyday_words_younger_than_the_word_list_are_not_corrected() -> None:
    faq = parse_faq(FAQ_HEADER + """\
entries:
  - {id: spa, question: Is this a spa?, answer: No.}
  - {id: wife, question: Can my wife come along to my session?, answer: Yes.}
  - {id: testing, question: Do you do muscle testing?, answer: Yes.}
""")
    speller = speller_for(faq)
    assert speller.correct("wifi") == "wifi"  # not "wife"
    assert speller.correct("spam") == "spam"  # not "spa"
    assert speller.correct("texting") == "texting"  # not "testing"


SPLIT_FAQ = FAQ_HEADER + """\
entries:
  - {id: head, topic: T, question: Why does my head ache?, answer: Head.}
  - {id: headache, topic: T, question: What is a headache?, answer: Headache.}
"""


def test_a_word_split_in_two_is_joined_only_when_neither_half_is_a_word() -> None:
    speller = speller_for(parse_faq(SPLIT_FAQ), everyday=frozenset())
    assert speller.rejoin(["what", "is", "a", "heada", "che"]) == ["what", "is", "a", "headache"]
    # two real words stay two words, and so do a real word and a typo of one ("ach": "ache")
    assert speller.rejoin(["my", "head", "ache"]) == ["my", "head", "ache"]
    assert speller.rejoin(["my", "head", "ach"]) == ["my", "head", "ach"]
    assert folded(speller, "my head ach")[-1] == term(speller, "ache")


def test_a_word_with_a_space_left_out_is_read_as_its_two_words() -> None:
    speller = speller_for(parse_faq(SPLIT_FAQ), everyday=frozenset())
    assert speller.rejoin(["achehead"]) == ["ache", "head"]
    assert speller.words("ACHEHEAD??") == ["ache", "head"]
    # an everyday word is never split, and neither is a word the FAQ itself uses
    everyday = speller_for(parse_faq(SPLIT_FAQ), everyday=frozenset({"achehead"}))
    assert everyday.rejoin(["achehead", "headache"]) == ["achehead", "headache"]


def test_only_words_of_the_entries_phrasings_are_read_out_of_a_run_together_word() -> None:
    # "killer" is only a word of an urgent trigger: a painkiller stays one word, until an
    # entry's question uses "killer" too
    text = FAQ_HEADER.replace("[chest pain]", "[chest pain, killer headache]") + """\
entries:
  - {id: pain, question: Does massage ease pain?, answer: Often.}
"""
    speller = speller_for(parse_faq(text), everyday=frozenset())
    assert speller.rejoin(["painkiller"]) == ["painkiller"]
    asked = text + "  - {id: killer, question: Is there a killer move?, answer: No.}\n"
    assert speller_for(parse_faq(asked), everyday=frozenset()).rejoin(["painkiller"]) == [
        "pain", "killer"
    ]


SOUND_FAQ = FAQ_HEADER + """\
entries:
  - {id: sciatica, topic: T, question: Do you treat sciatica?, answer: Sciatica.}
  - {id: sticks, topic: T, question: Do you use sticks?, answer: Sticks.}
"""


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        ("do you treat psyatica", "sciatica"),  # no word, but it sounds like one the FAQ has
        ("do you treat sigh attica", "sciatica"),  # everyday words that sound like it together
        ("do you treat sighattica", "sciatica"),
        ("do you use stiks", "sticks"),
    ],
)
def test_a_long_faq_word_is_found_by_its_sound(message: str, meant: str) -> None:
    speller = speller_for(parse_faq(SOUND_FAQ), everyday=frozenset({"sigh", "stick"}))
    assert folded(speller, message)[-1] == term(speller, meant)


def test_two_words_that_sound_alike_and_are_used_alike_are_chosen_between_in_one_way() -> None:
    # "desmaiou" and "desmayo" sound alike ("dasma", as "desmaia" does) and are used once
    # each: whatever order the usage lists them in, the same one is chosen
    for order in (["desmaiou", "desmayo"], ["desmayo", "desmaiou"]):
        speller = Speller(Counter({word: 1 for word in order}), [], frozenset(), {})
        assert speller.correct("desmaia") == "desmaiou"


def test_only_unknown_words_of_some_length_are_read_by_sound() -> None:
    speller = speller_for(parse_faq(SOUND_FAQ), everyday=frozenset({"stick"}))
    assert speller.correct("stick") == "stick"  # an everyday word is itself, whatever it sounds
    # "stix" sounds like "sticks", but a short word's sound is too little to go on
    assert speller.correct("stix") == "stix"
    assert speller.correct("psyatica") == "sciatica"


def test_words_that_make_an_everyday_word_together_are_left_apart() -> None:
    # "sigh" + "tin" sounds like nothing in the FAQ, and "treat" is the FAQ's own word: no run
    # holding an FAQ word, or making an everyday word, is read as one word
    speller = speller_for(
        parse_faq(SOUND_FAQ), everyday=frozenset({"sigh", "tin", "sighttin"})
    )
    assert speller.rejoin(["sigh", "tin"]) == ["sigh", "tin"]
    assert speller.rejoin(["treat", "sigh", "attica"]) == ["treat", "sciatica"]
    assert speller.rejoin(["sci", "treat", "attica"]) == ["sci", "treat", "attica"]


def test_synonyms_apply_to_both_sides() -> None:
    speller = speller_for(parse_faq(TIE_FAQ + "synonyms: {alpha: [primary]}\n"))
    assert speller.terms("primary massage") == speller.terms("alpha massage")
    # the bot's built-in synonyms (bot/data/synonyms.yaml) are folded for every FAQ
    assert term(speller, "hurts") == term(speller, "pain")
    assert term(speller, "masssage") == term(speller, "massage")
    # a word no synonym lists stays itself
    assert term(speller, "gamma") != term(speller, "alpha")


def test_the_stemmer_makes_word_forms_meet() -> None:
    speller = speller_for(parse_faq(TIE_FAQ))
    assert term(speller, "stretches") == term(speller, "stretching") == term(speller, "stretch")
    assert term(speller, "bookings") == term(speller, "booking")
    # Latin-looking endings are left alone
    assert term(speller, "fasciitis") == "fasciitis"


def test_terms_fold_case_punctuation_and_fullwidth_letters() -> None:
    speller = speller_for(parse_faq(TIE_FAQ))
    fullwidth = "".join(chr(ord(letter) + 0xFEE0) for letter in "alpha")
    assert speller.terms("ALPHA, massage!!") == speller.terms("alpha massage")
    assert speller.terms(fullwidth) == speller.terms("alpha")
    assert speller.terms("🙂 ?! ...") == []


def test_the_word_cache_is_bounded_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    speller = speller_for(parse_faq(SOUND_FAQ), everyday=frozenset())
    monkeypatch.setattr(spelling, "_CACHE_LIMIT", 50)
    for n in range(200):
        speller.terms(f"zzqx{n}word sciatcia")
    assert len(speller._term_of) == 50
    # a full cache only stops remembering: words are still corrected
    assert speller.terms("treat sciatcia") == speller.terms("treat sciatica")


def test_the_cache_of_words_run_together_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    speller = speller_for(parse_faq(SOUND_FAQ), everyday=frozenset({"sigh"}))
    monkeypatch.setattr(spelling, "_CACHE_LIMIT", 100)
    for n in range(300):
        unknown = "zzq" + "".join(chr(ord("a") + int(digit)) for digit in str(n))
        speller.rejoin(["my", unknown, "sigh", "attica"])  # two runs to try per message
    assert len(speller._whole_of) == 100
    assert speller.rejoin(["treat", "sigh", "attica"]) == ["treat", "sciatica"]


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        # texting shorthand (bot/data/synonyms.yaml) is read as the word it stands for, not as
        # the FAQ word it is a letter from ("lft" is no "lift")
        ("numb lft side", ["numb", "left", "side"]),
        ("cant tlk rite", ["cant", "talk", "right"]),
        ("hed hurts 2day", ["head", "pain", "today"]),
    ],
)
def test_texting_shorthand_is_read_as_the_word_it_stands_for(
    message: str, meant: list[str]
) -> None:
    lifting = CONDITIONS_FAQ + "  - {id: lift, question: Do you lift?, answer: No.}\n"
    speller = speller_for(parse_faq(lifting))
    assert folded(speller, message) == [term(speller, word) for word in meant]
