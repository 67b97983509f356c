"""The matching engine: five outcomes, typo tolerance, declining what the FAQ does not cover.

Most assertions run against the bundled faq.yaml because that is what patients talk to; the
phrasings here are written as patients write, not copied from the FAQ's own alternates.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import matcher as matcher_module
from bot.faq import Faq, load_faq, parse_faq
from bot.matcher import Matcher, Status, Thresholds, _asking_sentence, _asks_purpose
from tests.conftest import BUNDLED_FAQ, FAQ_HEADER

# hypothesis runs a test many times per call, so it cannot use function-scoped fixtures
_MATCHER = Matcher(load_faq(BUNDLED_FAQ))
FULLWIDTH_HELLO = "".join(chr(ord(letter) + 0xFEE0) for letter in "hello")


def answered(matcher: Matcher, text: str) -> str | None:
    match = matcher.match(text)
    assert match.status in (Status.ANSWER, Status.SUGGEST, Status.NONE), match.status
    return match.entry.id if match.status is Status.ANSWER and match.entry else None


def routed_to_urgent_care(matcher: Matcher, text: str) -> bool:
    return matcher.match(text).status is Status.URGENT


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("do you treat sciatica?", "condition-sciatica"),
        ("my jaw clicks and hurts", "condition-tmd"),
        ("heel pain in the morning", "condition-plantar-fasciitis"),
        ("lateral epicondylitis", "condition-tennis-elbow"),
        ("adhesive capsulitis", "condition-frozen-shoulder"),
        ("whats cupping", "type-cupping"),
        ("will massage help me sleep?", "reason-sleep"),
        ("which conditions do you treat?", "conditions"),
        ("What are 4 types of massage?", "massage-types"),
        ("what should I wear for a deep tissue massage", "deepest-massage"),
        ("DO U DO SPORTS MASSAGE 🏃", "type-sports"),
    ],
)
def test_answers_peoples_own_words(
    bundled_matcher: Matcher, question: str, entry_id: str
) -> None:
    assert answered(bundled_matcher, question) == entry_id


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("fibromialgia", "condition-fibromyalgia"),
        ("carpel tunnel", "condition-carpal-tunnel"),
        ("siatica", "condition-sciatica"),
        ("plantar fasciitus", "condition-plantar-fasciitis"),
        ("bak pain", "condition-neck-back-pain"),
        ("swedish masage", "type-swedish"),
        ("deap tissue masage", "type-deep-tissue"),  # "deap": "deep", not "dead"
        ("sci atica in my leg", "condition-sciatica"),  # a word split in two
        ("plantar fasci itis", "condition-plantar-fasciitis"),
        ("my GP said I've got psyatica", "condition-sciatica"),  # spelt by ear
        ("i have sigh attica in my left leg", "condition-sciatica"),  # voice-to-text
        ("can you help with fiber my algae", "condition-fibromyalgia"),
    ],
)
def test_tolerates_typos(bundled_matcher: Matcher, question: str, entry_id: str) -> None:
    assert answered(bundled_matcher, question) == entry_id


@pytest.mark.parametrize(
    "question",
    [
        "what are your opening hours",
        "how much is a sports massage",
        "do you treat diabetes?",
        "can massage help my asthma",
        "do you do hot stone massage",
        "is massage safe during pregnancy",
        "what's the weather like",
        "qwerty",
        "",
        "?!",
    ],
)
def test_declines_what_the_faq_does_not_cover(bundled_matcher: Matcher, question: str) -> None:
    assert bundled_matcher.match(question).status is Status.NONE


@pytest.mark.parametrize(
    "question",
    [
        "I have crushing chest pain",
        "my chest hurts and my left arm is numb",
        "I can't breathe properly",
        "my face is drooping and my speech is slurred",
        "I want to kill myself",
        "I think I broke my wrist",
        "bleeding that won't stop",
        "worst headache of my life, came on suddenly",
        "sciatica and now I can't control my bladder",
        "my calf is swollen, red and hot",
    ],
)
def test_urgent_symptoms_win(bundled_matcher: Matcher, question: str) -> None:
    assert bundled_matcher.match(question).status is Status.URGENT


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I just want to go to sleep and never wake up", True),
        ("I can't wake him, he took something", True),
        ("my flatmate is on the floor and I cannot wake her up", True),
        # the same words about poor sleep are a question for the sleep entry
        ("aching everywhere and I never wake up rested", False),
        ("i cant sleep properly, wake up at 3am every night", False),
        ("that last session knocked me out, slept like a baby", False),
    ],
)
def test_waking_someone_is_urgent_but_sleeping_badly_is_not(
    bundled_matcher: Matcher, message: str, urgent: bool
) -> None:
    assert routed_to_urgent_care(bundled_matcher, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("my toddler has swallowed some of my blood pressure tablets", True),
        ("my 4 year old ate some of my paracetamol", True),
        ("the baby got into my sleeping pills", True),
        # an adult taking their own medicine is no poisoning
        ("I swallowed my tablets before coming, is that ok", False),
        ("can my kid have a massage, she takes tablets for asthma", False),
    ],
)
def test_a_child_who_got_into_medicine_is_urgent(
    bundled_matcher: Matcher, message: str, urgent: bool
) -> None:
    assert routed_to_urgent_care(bundled_matcher, message) is urgent


def test_urgent_wins_over_a_treated_condition(bundled_matcher: Matcher) -> None:
    assert answered(bundled_matcher, "migraine") == "condition-headaches-migraines"
    assert bundled_matcher.match("migraine but the worst headache ever").status is Status.URGENT


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Good evening!", "greeting"),
        ("thanks 🙏", "thanks"),
        ("bye", "goodbye"),
        ("night night", "goodbye"),
        ("good night and thanks again", "thanks"),
        # asking who or what answers is small talk, not a question for the disclaimer entry
        ("who am I talking to?", "greeting"),
        ("am i talking to a human", "greeting"),
        ("is this an AI", "greeting"),
        ("what can you do?", "greeting"),
        ("nice one", "thanks"),
        # praise around the thanks leaves it small talk ("kind" also asks "what kind of...")
        ("Thank you very much for your help, you have been most kind.", "thanks"),
        ("thanks, really helpful", "thanks"),
    ],
)
def test_smalltalk(bundled_matcher: Matcher, message: str, kind: str) -> None:
    match = bundled_matcher.match(message)
    assert match.status is Status.SMALLTALK
    assert match.smalltalk is not None
    assert match.smalltalk.name == kind


def test_a_greeting_before_a_question_still_gets_the_answer(bundled_matcher: Matcher) -> None:
    assert answered(bundled_matcher, "hi there, do you treat tennis elbow?") == (
        "condition-tennis-elbow"
    )


@pytest.mark.parametrize("vague", ["massage", "pain", "I hurt"])
def test_a_vague_message_gets_suggestions_not_a_guess(
    bundled_matcher: Matcher, vague: str
) -> None:
    match = bundled_matcher.match(vague)
    assert match.status is Status.SUGGEST
    assert 2 <= len(match.suggestions) <= 3
    scores = [suggestion.score for suggestion in match.suggestions]
    assert scores == sorted(scores, reverse=True)


def test_every_document_question_word_for_word_is_answered(bundled_faq: Faq) -> None:
    matcher = Matcher(bundled_faq)
    for entry in bundled_faq.entries:
        match = matcher.match(entry.question)
        assert match.status is Status.ANSWER, entry.question
        assert match.entry == entry


TIE_FAQ = FAQ_HEADER + """\
entries:
  - {id: one, topic: T, question: What is alpha massage?, answer: Alpha.}
  - {id: two, topic: T, question: What is beta massage?, answer: Beta.}
  - {id: three, topic: T, question: What is gamma therapy?, answer: Gamma.}
"""


def test_near_ties_become_suggestions() -> None:
    matcher = Matcher(parse_faq(TIE_FAQ))
    match = matcher.match("massage")
    assert match.status is Status.SUGGEST
    assert {s.entry.id for s in match.suggestions} == {"one", "two"}
    assert matcher.match("alpha massage").entry is not None


def test_thresholds_decide_between_answer_suggest_and_none() -> None:
    faq = parse_faq(TIE_FAQ)
    # shared_terms out of reach: no answer under the answer bar, however clear the winner
    strict = Matcher(faq, Thresholds(answer=101, shared_terms=99))
    assert strict.match("alpha massage").status is Status.SUGGEST
    lenient = Matcher(faq, Thresholds(suggest=0, answer=0, margin=0))
    assert lenient.match("alpha massage").status is Status.ANSWER


SHARED_FAQ = FAQ_HEADER + """\
not_covered: [price]
entries:
  - {id: one, topic: T, question: What is alpha beta gamma therapy?, answer: One.}
  - {id: two, topic: T, question: What is alpha beta delta therapy?, answer: Two.}
  - {id: three, topic: T, question: What is epsilon work?, answer: Three.}
"""


def test_more_shared_words_need_less_of_a_lead() -> None:
    faq = parse_faq(SHARED_FAQ)
    matcher = Matcher(faq, Thresholds(margin=100))
    four = matcher.match("alpha beta gamma therapy")  # 4 words of "one"'s question
    one, two = four.suggestions
    assert (one.entry.id, two.entry.id) == ("one", "two")
    lead = one.score - two.score
    assert 100 / 3 <= lead < 100 / 2  # the lead between a third and half of the margin
    # four shared words are two beyond `shared_terms` (2): a third of the margin is enough
    assert answered(matcher, "alpha beta gamma therapy") == "one"
    # with shared_terms 3, four shared words are one beyond: half the margin, not enough
    stricter = Matcher(faq, Thresholds(margin=100, shared_terms=3))
    assert stricter.match("alpha beta gamma therapy").status is Status.SUGGEST
    # two shared words need the whole margin, which no score can lead by
    assert matcher.match("alpha gamma").status is Status.SUGGEST


def test_a_clear_winner_under_the_answer_bar_needs_two_shared_words() -> None:
    faq = parse_faq(SHARED_FAQ)
    lenient = Matcher(faq, Thresholds(answer=101))  # every score is under the answer bar
    assert answered(lenient, "alpha gamma") == "one"
    # one shared word is coincidence ("good morning" is not about heel pain in the morning)
    assert lenient.match("gamma").status is Status.SUGGEST
    # a message naming a topic the FAQ lacks keeps to the answer bar
    assert lenient.match("alpha beta gamma price").status is Status.SUGGEST
    off = Matcher(faq, Thresholds(answer=101, shared_terms=99))
    assert off.match("alpha gamma").status is Status.SUGGEST


def test_not_covered_topics_outweigh_a_matching_word() -> None:
    matcher = Matcher(parse_faq(TIE_FAQ + "not_covered: [price, gift card]\n"))
    plain = matcher.match("alpha massage")
    priced = matcher.match("alpha massage price")
    assert plain.status is Status.ANSWER
    assert priced.score < plain.score
    assert matcher.match("alpha gift card").status is Status.NONE


def test_synonyms_apply_to_both_sides() -> None:
    text = TIE_FAQ + "synonyms: {alpha: [primary]}\n"
    matcher = Matcher(parse_faq(text))
    match = matcher.match("primary massage")
    assert match.entry is not None
    assert match.entry.id == "one"


@pytest.mark.parametrize(
    "hostile",
    ["", " ", "\x00" * 50, "a" * 100_000, "🙂" * 500, "\u202e\u200b\ufeff", "%s %d {0}",
     "'; DROP TABLE faq; --", "<script>alert(1)</script>", FULLWIDTH_HELLO, "مرحبا", "\ud800"],
)
def test_match_never_raises_on_hostile_strings(bundled_matcher: Matcher, hostile: str) -> None:
    match = bundled_matcher.match(hostile)
    assert match.status in set(Status)
    assert 0 <= match.score <= 100


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_match_never_raises_on_any_text(text: str) -> None:
    match = _MATCHER.match(text)
    assert match.status in set(Status)
    assert 0 <= match.score <= 100
    assert (match.entry is not None) == (match.status is Status.ANSWER)
    assert (match.smalltalk is not None) == (match.status is Status.SMALLTALK)


def test_the_word_cache_is_bounded_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = Matcher(load_faq(BUNDLED_FAQ))
    monkeypatch.setattr(matcher_module, "_CACHE_LIMIT", len(matcher._term_of) + 10)
    for n in range(200):
        matcher.match(f"zzqx{n}word sciatcia")
    assert len(matcher._term_of) == matcher_module._CACHE_LIMIT
    # a full cache only stops remembering: words are still corrected and matched
    assert answered(matcher, "do you treat sciatcia") == "condition-sciatica"


def test_the_cache_of_words_run_together_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = Matcher(load_faq(BUNDLED_FAQ))
    monkeypatch.setattr(matcher_module, "_CACHE_LIMIT", 100)
    for n in range(300):
        unknown = "zzq" + "".join(chr(ord("a") + int(digit)) for digit in str(n))
        matcher.match(f"my {unknown} sci atica")  # two pairs to join per message
    assert len(matcher._whole_of) == 100
    assert answered(matcher, "do you treat sci atica") == "condition-sciatica"



COMBO_FAQ = TIE_FAQ.replace("triggers: [chest pain]", "triggers: [chest pain, fever & stiff neck]")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I have a fever and a stiff neck", True),
        ("a fever since last night and now a stiff neck", True),  # parts in any order
        ("stiff neck since Monday", False),  # one part alone is not enough
        ("a fever", False),
    ],
)
def test_an_urgent_combination_needs_every_part_in_any_order(message: str, urgent: bool) -> None:
    matcher = Matcher(parse_faq(COMBO_FAQ))
    assert routed_to_urgent_care(matcher, message) is urgent


PAST_FAQ = TIE_FAQ.replace(
    "triggers: [chest pain]",
    "triggers: [chest pain, heart attack], past: [years ago, last year],"
    " current: [today, and now]",
)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I have chest pain", True),
        ("I had a heart attack two years ago, is massage ok now?", False),
        ("heart attack last year, can I book?", False),
        ("my dad had a heart attack in 2019", False),  # a year tells it as history too
        # said to be happening now: urgent whatever else the message says
        ("I had a heart attack last year and today I have chest pain", True),
        ("heart attack years ago and now my chest pain is back", True),
        # a second trigger far from the past phrase is told as current
        ("I had a heart attack years ago. I woke up with this awful crushing chest pain", True),
        ("heart attack", True),
        ("heart attack 12 years", True),  # a number that is not a year
    ],
)
def test_a_trigger_told_as_history_is_not_urgent_unless_something_is_current(
    message: str, urgent: bool
) -> None:
    matcher = Matcher(parse_faq(PAST_FAQ))
    assert routed_to_urgent_care(matcher, message) is urgent


CLASS_FAQ = TIE_FAQ.replace(
    "triggers: [chest pain]",
    "classes: {numb: [numb, cant feel], groin: [groin, down there]},"
    " triggers: [chest pain, <numb> & <groin>]",
)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I can't feel anything down there", True),
        ("my groin has gone numb", True),  # parts joined by & come in any order
        ("my groin is sore after football", False),
        ("numb fingers at night", False),
    ],
)
def test_a_word_class_makes_a_trigger_of_each_of_its_phrases(message: str, urgent: bool) -> None:
    matcher = Matcher(parse_faq(CLASS_FAQ))
    assert routed_to_urgent_care(matcher, message) is urgent


def test_the_bundled_faq_tells_old_events_from_current_ones(bundled_matcher: Matcher) -> None:
    def urgent(message: str) -> bool:
        return routed_to_urgent_care(bundled_matcher, message)

    assert not urgent("I had a stroke 3 years ago, is massage safe for me now?")
    assert not urgent("I used to self harm, will the therapist see my scars?")
    assert urgent("I had a DVT last year and now my calf is hot and swollen")
    assert urgent("I had a stroke as a child and my face is drooping again")


def test_everyday_words_are_never_corrected_into_faq_words() -> None:
    # "beat" is one letter from "beta", but it is an everyday word, so it stays itself;
    # "betta" is no word at all, so it is taken for a misspelt "beta".
    matcher = Matcher(parse_faq(TIE_FAQ), everyday=frozenset({"beat"}))
    assert matcher.correct("beat") == "beat"
    assert matcher.correct("betta") == "beta"
    assert Matcher(parse_faq(TIE_FAQ), everyday=frozenset()).correct("beat") == "beta"


def test_a_typo_as_close_to_two_words_means_the_one_the_faq_uses_more() -> None:
    # "deap" is one letter from both "dead" and "deep": the FAQ's more used word wins, not the
    # first in the alphabet
    def faq_using(often: str, once: str) -> Faq:
        return parse_faq(TIE_FAQ.replace(
            "answer: Alpha.}", f"answer: {often} {often} {often} {once}.}}"
        ))

    nothing_everyday = frozenset[str]()
    assert Matcher(faq_using("deep", "dead"), everyday=nothing_everyday).correct("deap") == "deep"
    assert Matcher(faq_using("dead", "deep"), everyday=nothing_everyday).correct("deap") == "dead"


SPLIT_FAQ = FAQ_HEADER + """\
entries:
  - {id: head, topic: T, question: Why does my head ache?, answer: Head.}
  - {id: headache, topic: T, question: What is a headache?, answer: Headache.}
"""


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("what is a heada che", "headache"),  # neither half is a word: joined
        ("why does my head ache", "head"),  # two real words stay two words
        ("why does my head ach", "head"),  # and so does a real word and a typo ("ache")
    ],
)
def test_a_word_split_in_two_is_joined_only_when_neither_half_is_a_word(
    message: str, entry_id: str
) -> None:
    matcher = Matcher(parse_faq(SPLIT_FAQ), everyday=frozenset())
    assert answered(matcher, message) == entry_id


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("backpain", "condition-neck-back-pain"),
        ("do you do deeptissue", "type-deep-tissue"),
        ("whats clinicalmassage", "clinical-massage"),
        ("TENNISELBOW??", "condition-tennis-elbow"),
    ],
)
def test_a_word_with_a_space_left_out_is_read_as_its_two_words(
    bundled_matcher: Matcher, message: str, entry_id: str
) -> None:
    assert answered(bundled_matcher, message) == entry_id


def test_only_words_of_the_entries_phrasings_are_read_out_of_a_run_together_word(
    bundled_matcher: Matcher,
) -> None:
    assert bundled_matcher._rejoin(["backpain"]) == ["back", "pain"]
    # "killer" is only a word of an urgent trigger: a painkiller stays one word
    assert bundled_matcher._rejoin(["painkiller"]) == ["painkiller"]
    split = Matcher(parse_faq(SPLIT_FAQ), everyday=frozenset())
    assert split._rejoin(["achehead"]) == ["ache", "head"]
    # an everyday word is never split, and neither is a word the FAQ itself uses
    everyday = Matcher(parse_faq(SPLIT_FAQ), everyday=frozenset({"achehead"}))
    assert everyday._rejoin(["achehead", "headache"]) == ["achehead", "headache"]


SOUND_FAQ = FAQ_HEADER + """\
entries:
  - {id: sciatica, topic: T, question: Do you treat sciatica?, answer: Sciatica.}
  - {id: sticks, topic: T, question: Do you use sticks?, answer: Sticks.}
"""


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("do you treat psyatica", "sciatica"),  # no word, but it sounds like one the FAQ has
        ("do you treat sigh attica", "sciatica"),  # everyday words that sound like it together
        ("do you treat sighattica", "sciatica"),
        ("do you use stiks", "sticks"),
    ],
)
def test_a_long_faq_word_is_found_by_its_sound(message: str, entry_id: str) -> None:
    matcher = Matcher(parse_faq(SOUND_FAQ), everyday=frozenset({"sigh", "stick"}))
    assert answered(matcher, message) == entry_id


def test_only_unknown_words_of_some_length_are_read_by_sound() -> None:
    matcher = Matcher(parse_faq(SOUND_FAQ), everyday=frozenset({"stick"}))
    assert matcher.correct("stick") == "stick"  # an everyday word is itself, whatever it sounds
    # "stix" sounds like "sticks", but a short word's sound is too little to go on
    assert matcher.correct("stix") == "stix"
    assert matcher.correct("psyatica") == "sciatica"


def test_words_that_make_an_everyday_word_together_are_left_apart() -> None:
    # "sigh" + "tin" sounds like nothing in the FAQ, and "treat" is the FAQ's own word: no run
    # holding an FAQ word, or making an everyday word, is read as one word
    matcher = Matcher(parse_faq(SOUND_FAQ), everyday=frozenset({"sigh", "tin", "sighttin"}))
    assert matcher._rejoin(["sigh", "tin"]) == ["sigh", "tin"]
    assert matcher._rejoin(["treat", "sigh", "attica"]) == ["treat", "sciatica"]
    assert matcher._rejoin(["sci", "treat", "attica"]) == ["sci", "treat", "attica"]


def test_the_bundled_word_list_keeps_real_words_and_catches_typos(
    bundled_matcher: Matcher,
) -> None:
    assert bundled_matcher.correct("hammering") == "hammering"  # not "hamstring"
    assert bundled_matcher.correct("room") == "room"  # not "rom" (range of motion)
    assert bundled_matcher.correct("elbwo") == "elbow"


def test_everyday_words_the_faq_never_uses_weigh_less_than_unknown_ones() -> None:
    matcher = Matcher(parse_faq(TIE_FAQ), everyday=frozenset({"kettle"}))
    everyday = matcher.match("alpha massage kettle").score
    unknown = matcher.match("alpha massage zorblax").score
    assert everyday > unknown


def test_words_about_the_asker_do_not_drown_the_topic(bundled_matcher: Matcher) -> None:
    plain = answered(bundled_matcher, "do you treat sciatica")
    chatty = answered(
        bundled_matcher, "my doctor said years ago I have sciatica, do you treat it"
    )
    assert plain == chatty == "condition-sciatica"
    # and an entry may still use such a word: "doctor" leads to the disclaimer
    assert answered(bundled_matcher, "are you a doctor?") == "disclaimer"


VAN_DRIVER = (
    "I coach under-tens football on Saturdays and drive a delivery van the rest of the week,"
    " in and out of the cab two hundred times a day. My lower back has ached every evening"
    " since the spring."
)


def test_a_question_told_inside_a_long_story_is_answered(bundled_faq: Faq) -> None:
    question = VAN_DRIVER + " Can you help with back pain like this?"
    assert answered(Matcher(bundled_faq), question) == "condition-neck-back-pain"
    # counting every word of the story in full drowns the topic
    every_word = Matcher(bundled_faq, Thresholds(story_share=1.0))
    assert every_word.match(question).status is Status.NONE


FROZEN_SHOULDER = (
    "My frozen shoulder has been stuck for nearly a year now and I can't even reach the top"
    " shelf or do my hair."
)


def test_a_story_does_not_hide_a_question_the_faq_does_not_cover(
    bundled_matcher: Matcher,
) -> None:
    asked = FROZEN_SHOULDER + " Can you help with it?"
    assert answered(bundled_matcher, asked) == "condition-frozen-shoulder"
    parking = bundled_matcher.match(FROZEN_SHOULDER + " Is there parking near you?")
    assert parking.status is Status.SUGGEST  # the shoulder is offered, the parking not answered
    assert [s.entry.id for s in parking.suggestions] == ["condition-frozen-shoulder"]


@pytest.mark.parametrize(
    ("message", "asking"),
    [
        ("My back hurts. Do you treat it? Thanks.", "Do you treat it?"),
        ("My back hurts. I'd like to book.", "I'd like to book."),
        ("first line\nsecond line", "second line"),
        ("no sentence end", "no sentence end"),
    ],
)
def test_the_asking_sentence_is_the_last_with_a_question_mark(
    message: str, asking: str
) -> None:
    assert _asking_sentence(message) == asking


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what is medical massage for", "clinical-massage-purpose"),
        ("what is medical massage", "clinical-massage"),
    ],
)
def test_a_question_ending_in_for_asks_for_the_purpose(
    bundled_matcher: Matcher, question: str, entry_id: str
) -> None:
    assert answered(bundled_matcher, question) == entry_id


@pytest.mark.parametrize(
    "question",
    [
        "what does clinical massage do",
        "why would I pay for clinical massage, what does it do for me",
        "what's medical massage actually meant to do",
    ],
)
def test_what_does_it_do_asks_for_the_purpose(bundled_matcher: Matcher, question: str) -> None:
    assert answered(bundled_matcher, question) == "clinical-massage-purpose"


@pytest.mark.parametrize(
    "raw",
    [
        ["what", "will", "you", "do", "in", "the", "session"],
        ["what", "do", "i", "do", "now"],
        ["what", "does", "it", "cost"],
        ["what", "exactly", "am", "i", "supposed", "to", "do"],
    ],
)
def test_what_you_will_do_is_not_a_purpose_question(raw: list[str]) -> None:
    assert not _asks_purpose(raw)


def test_thanks_for_the_help_is_still_small_talk(bundled_matcher: Matcher) -> None:
    match = bundled_matcher.match("thanks so much for your help")
    assert match.status is Status.SMALLTALK
