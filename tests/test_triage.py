"""What is decided before the FAQ is searched (bot/triage.py): urgent care and small talk.

Every FAQ gets the bot's own triggers, history phrases and small talk (bot/data/*.yaml); the
tests add invented triggers of their own where they check a mechanism, so that an edit to the
built-in lists cannot make them pass or fail by accident.
"""

from __future__ import annotations

import pytest

from bot.faq import Smalltalk, parse_faq
from bot.matcher import speller_for
from bot.spelling import Speller
from bot.triage import Triage, Urgency

ENTRIES = """\
entries:
  - {id: sciatica, question: Do you treat sciatica?, answer: Yes.}
  - {id: swedish, question: What is Swedish massage?, answer: Gentle strokes.}
  - {id: heart, question: Is massage safe after a heart problem?, answer: Ask your doctor.}
"""


def triage_for(urgent: str = "") -> tuple[Triage, Speller]:
    """Triage over a small FAQ whose `urgent:` section is `urgent` (a YAML flow mapping)."""
    text = "disclaimer: Not medical advice.\n"
    if urgent:
        text += f"urgent: {urgent}\n"
    faq = parse_faq(text + ENTRIES)
    speller = speller_for(faq)
    return Triage(faq, speller), speller


def is_urgent(triage: Triage, speller: Speller, message: str) -> bool:
    raw, clause_of = speller.words_by_clause(message)
    return triage.is_urgent(speller.terms_of(raw), clause_of)


def urgency_of(triage: Triage, speller: Speller, message: str) -> Urgency:
    """What triage reads in a message, with the message as written (its laughs, its readings),
    as the matcher asks it."""
    raw, clause_of = speller.words_by_clause(message)
    return triage.urgency(speller.terms_of(raw), clause_of, text=message)


def smalltalk(triage: Triage, speller: Speller, message: str) -> Smalltalk | None:
    raw = speller.words(message)
    return triage.smalltalk(raw, speller.terms_of(raw))


@pytest.fixture(scope="module")
def builtin() -> tuple[Triage, Speller]:
    return triage_for()


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I have crushing chest pain", True),
        ("chest and arm pain since an hour", True),  # two other words between a trigger's
        ("I think I'm having a heart attack", True),
        ("do you treat sciatica?", False),
        ("is massage safe after a heart problem", False),
        ("", False),
    ],
)
def test_the_built_in_triggers_apply_to_every_faq(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgency"),
    [
        ("what are the signs of a stroke?", Urgency.ASKED),
        ("What are the symptoms of a heart attack", Urgency.ASKED),
        ("síntomas de un derrame", Urgency.ASKED),
        # a sign told as happening is urgent, whatever else is asked
        ("what are the signs of a heart attack? I have chest pain", Urgency.NOW),
        # denied, past or in jest: nothing to say about now
        ("no chest pain, just a stiff neck", Urgency.NOT_NOW),
        ("this queue is giving me a heart attack", Urgency.NOT_NOW),
        ("I had a heart attack in 2015, can I get a massage?", Urgency.NOT_NOW),
        # no trigger named at all ("had a stroke" is none: it names no time)
        ("I had a stroke in 2015, can I get a massage?", Urgency.NONE),
        ("do you treat sciatica?", Urgency.NONE),
        # a message that says it only asks, in any clause, or that laughs: most likely not in
        # earnest, and the reply still tells what to do if it is happening now
        ("How would I know my dad is having a stroke? Just asking out of interest", Urgency.ASKED),
        ("my dad has crushing chest pain. just curious, how long is a session?", Urgency.ASKED),
        ("my dad has crushing chest pain, how long is a session?", Urgency.NOW),
        ("my head's exploding from this workload haha, do you help with headaches", Urgency.ASKED),
        ("blood everywhere in that horror film 😂 do you sell gift cards", Urgency.ASKED),
        ("blood everywhere in that horror film, do you sell gift cards", Urgency.NOW),
        # a laugh is about its own sentence and the one before, not a sign told after it
        ("so sorry to bug you lol. my throat is closing up and i'm wheezing", Urgency.NOW),
        ("haha ok. my dad has crushing chest pain", Urgency.NOW),
        ("my dad has crushing chest pain haha. kidding, he's fine", Urgency.ASKED),
        ("the villain was poisoned in that episode? lol", Urgency.ASKED),
        # ...and a "but" turns away from what the laugh was about
        ("i'm being silly lol but her face has gone droopy on one side", Urgency.NOW),
        ("my chest hurts but lol it's nothing", Urgency.ASKED),
        # ...and a laugh that makes light of a sign out of nerves is no jest
        ("tight chest and my left arm feels heavy, probably nothing lol", Urgency.NOW),
        # a title's full stop ends no sentence: the laugh and the sign share one
        ("haha Dr. Jones reckons my chest pain is just stress", Urgency.ASKED),
        # unless the sign is told with a cue of now
        ("just asking, my dad has crushing chest pain right now", Urgency.NOW),
        # the words as written: the speller would read "hehe" as "here"
        ("i dont want to be here anymore", Urgency.NOW),
    ],
)
def test_a_sign_asked_about_in_general_is_told_apart(
    builtin: tuple[Triage, Speller], message: str, urgency: Urgency
) -> None:
    assert urgency_of(*builtin, message) is urgency


def test_a_shorter_sign_within_one_not_happening_is_not_happening() -> None:
    triage = triage_for("{triggers: [purple toenails, toenails]}")
    assert is_urgent(*triage, "my toenails")
    # "no" denies "purple toenails", and the "toenails" in it with them
    assert not is_urgent(*triage, "no purple toenails, just sore feet")
    assert is_urgent(*triage, "no purple toenails, but my toenails")  # another occurrence


def test_an_admins_trigger_is_added_to_the_built_in_ones() -> None:
    message = "both my toenails turned purple overnight"
    assert not is_urgent(*triage_for(), message)
    added = triage_for("{triggers: [toenails turned purple]}")
    assert is_urgent(*added, message)
    assert is_urgent(*added, "crushing chest pain")  # the built-in ones stay


def test_a_trigger_matches_its_words_in_order_with_small_gaps() -> None:
    triage = triage_for("{triggers: [purple toenails]}")
    assert is_urgent(*triage, "purple toenails")
    assert is_urgent(*triage, "PURPLE swollen toenails!")  # case, punctuation, one word between
    assert not is_urgent(*triage, "toenails purple")  # the order counts
    assert not is_urgent(*triage, "purple socks and three painted yellow toenails")  # too far


def test_a_triggers_words_are_read_within_one_clause_but_a_list_runs_on() -> None:
    triage = triage_for("{triggers: [purple toenails]}")
    # the words between a trigger's own may not cross a clause's end...
    assert not is_urgent(*triage, "all purple, my toenails ache")
    assert is_urgent(*triage, "all purple my toenails ache")  # (in one clause: a gap of one)
    # ...but the next word may, as in a list of what one sees
    assert is_urgent(*triage, "my feet are purple, toenails too")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I have glowing toenails and humming teeth", True),
        ("humming teeth since last night and now glowing toenails", True),  # any order
        ("glowing toenails since Monday", False),  # one part alone is not enough
        ("humming teeth", False),
    ],
)
def test_an_urgent_combination_needs_every_part_in_any_order(message: str, urgent: bool) -> None:
    triage = triage_for("{triggers: [glowing toenails & humming teeth]}")
    assert is_urgent(*triage, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("my toenails are glowing and my teeth went blue", True),
        ("shining toes with bright blue gums", True),  # a phrase of each class, any order
        ("blue gums and luminous feet", True),
        ("my toes are shining", False),
        ("blue gums", False),
    ],
)
def test_a_word_class_makes_a_trigger_of_each_of_its_phrases(message: str, urgent: bool) -> None:
    triage = triage_for(
        "{classes: {glowy: [glowing, shining, luminous], toes: [toes, toenails, feet],"
        " blue_mouth: [teeth went blue, blue gums]}, triggers: [<toes> & <blue_mouth>,"
        " <glowy> & <blue_mouth>]}"
    )
    assert is_urgent(*triage, message) is urgent


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
        # one trigger told as current is enough: a second trigger far from the past phrase
        ("I had a heart attack years ago. I woke up with this awful crushing chest pain", True),
        ("heart attack", True),
        ("heart attack 12 years", True),  # a number that is not a year
        ("heart attack in 1850", True),  # nor is a number from long before anyone alive
        # a sign had for months or years is no emergency now, unless something is current
        ("for a few months I can't lift my right arm, can massage help?", False),
        ("I can't lift my right arm for months now, and it suddenly got worse today", True),
    ],
)
def test_a_trigger_told_as_history_is_not_urgent_unless_something_is_current(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # "now" tells of the stiffness, not of the fall and the break, months before
        ("I fell off my bike in May, broke my wrist, the cast came off in July, and now the "
         "whole arm feels stiff. Can massage help the scar tissue?", False),
        ("broke my wrist in May and now my fingers are numb and blue", True),
        ("I broke my wrist just now", True),
    ],
)
def test_a_cue_of_now_counts_for_the_sign_it_is_told_with(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("Tuve un infarto hace cinco años, ¿puedo recibir masaje ahora?", False),
        ("Ich hatte vor fünf Jahren einen Herzinfarkt. Darf ich jetzt massiert werden?", False),
        ("hace 5 años tuve un infarto", False),
        ("hace años que no tengo dolor, pero ahora tengo dolor en el pecho", True),
    ],
)
def test_a_history_phrase_may_stand_for_any_one_word(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


def test_an_admins_current_phrase_makes_history_current_again() -> None:
    message = "I had a heart attack years ago, it feels like it is back"
    assert not is_urgent(*triage_for(), message)
    assert is_urgent(*triage_for("{current: [like it is back]}"), message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # denied, right before the sign, with only filler words between
        ("No chest pain at all, just a stiff upper back. Can you help?", False),
        ("I'm not suicidal, only tired and low. Does massage help mood?", False),
        ("it was definitely not a heart attack, just heartburn", False),
        # "never" denies the past, not what is happening now
        ("my son is shaking all over and won't wake, he's never had a seizure", True),
        # a denial reaches only its own clause, and never past a person or a verb
        ("no chest pain yesterday, but today crushing chest pain", True),
        ("No I cant breathe properly", True),
        ("not sure but I think I'm having a heart attack", True),
        ("he's not breathing", True),  # the "not" is the sign's own word
        # a denial among the words a trigger lets stand between its own
        ("what do I do at night if I need a doctor but it's not an emergency", False),
        ("it's an emergency", True),
        # a phrase that holds a sign's words but names something else
        ("how do I report food poisoning from a takeaway?", False),
        ("my toddler swallowed rat poison", True),
        ("im 20 weeks pregnant and my gums are bleeding more than usual", False),
        ("I'm pregnant and bleeding heavily", True),
        ("my teeth are yellow from coffee, do you do bleaching?", False),
        ("my son swallowed bleach", True),
        # asked about in general, right before the sign
        ("what are the signs of a stroke?", False),
        ("what are the signs of a heart attack i have chest pain", True),
        # fitted (a crown) and fitting (a seizure) share a stem: a person must be fitting
        ("what is a crown and how is it fitted?", False),
        ("my son is fitting and it's been five minutes", True),
        # supposed: anywhere before the sign in its clause, unless it says "now"
        ("what if somebody faints during the treatment?", False),
        ("What would your staff do if a client had a seizure on the table?", False),
        ("if i get chest pain right now what do i do", True),
        ("what if it's nothing. I have crushing chest pain", True),  # another clause
        # asked how to prevent a sign, or its risk
        ("how do I prevent blood clots on a long flight?", False),
        ("what's the risk of a stroke after a neck massage", False),
        ("trying to avoid a panic attack but I have crushing chest pain now", True),
        ("how to prevent a seizure, my son is having a seizure right now", True),
        # said in jest: the idioms of shock and laughter
        ("the bill nearly gave me a heart attack, any cheaper options?", False),
        ("you'll give me a stroke with those prices", False),
        ("my friend passed out laughing at my massage story", False),
        ("the massage gave me chest pain", True),  # no "a": not the idiom
        ("I nearly passed out and my chest feels tight", True),
        # denied with "nothing" or "nor", or after the sign where the denial ends its clause
        ("nothing hurts in my chest, just my lower back", False),
        ("no chest pain nor shortness of breath, only a stiff neck", False),
        ("shortness of breath i dont have, just back pain", False),
        ("he can't walk, he can't breathe either", True),  # "either" denies nothing
        ("i cant breathe i dont have my inhaler", True),  # the denial does not end the clause
        # after a sign told in the negative, a denial only stresses it
        ("the bleeding won't stop, not at all", True),
        ("my father is not breathing not at all", True),
        ("shortness of breath not at all, only my neck is stiff", False),
        # a seizure said plainly
        ("my friend fell and is shaking and jerking all over and wont answer me", True),
        ("my therapist wont answer me, can i book online", False),
        ("what are the early warning signs of a stroke?", False),
        ("i want to be dead", True),
        # whether a treatment can bring a sign on is asked in general
        ("can massage cause a blood clot?", False),
        ("the massage caused crushing chest pain", True),
        # ...in a clause that asks whether something can bring it on, of anyone
        ("could hot yoga bring on a seizure in someone with epilepsy?", False),
        ("does cupping cause a stroke in older clients?", False),
        ("will a sports massage trigger an allergic reaction if I'm sensitive to oils?", False),
        ("the cupping caused a seizure, he is still shaking", True),  # said, not asked
        ("can you come quick, I think the oil caused an allergic reaction, her lips are swelling",
         True),
        # laughing, right after the sign
        ("i cant breathe im laughing at this meme", False),
        # a heart broken by grief, too much coffee
        ("my heart is broken after my divorce", False),
        ("overdosed on caffeine before the exam, so jittery", False),
        ("he overdosed on his pills", True),
        # seen to and sent home: history
        ("she had a seizure at work last night, was discharged this morning, can she still "
         "come for her massage?", False),
        ("got an allergic reaction on Friday, all sorted, is Monday ok", False),
        # "once" ending its clause: one time, in the past; opening a time, it is no history
        ("my sister passed out at the gym once, is massage ok for her?", False),
        ("once he sat up he collapsed and he isn't breathing", True),
        # a clip of someone in general; one of a person the message names may be happening now
        ("watched a clip of a woman having a seizure, is that what epilepsy looks like", False),
        ("the doorbell camera has a video of my dad collapsing, he isn't answering his phone",
         True),
        # speech gone odd, told in the past tense too
        ("his words went all funny for a minute and his hand was weak", True),
        # a stroke told in a clinician's words; the words they are spelt like are no sign
        ("my husband suddenly has right-sided weakness", True),
        ("facial droop on the left, started ten minutes ago", True),
        ("she has new expressive aphasia since lunch", True),
        ("aphasia since my stroke in 2018, would massage help my shoulder?", False),
        ("I have fascial adhesions in my hip, can massage help?", False),
        ("my dog has hip dysplasia, can you massage him?", False),
        # a bailiff's seizure, a mower's choke
        ("the bailiffs made a seizure of goods at my shop, my shoulders are so tense", False),
        ("the choke on the lawnmower is broken", False),
        ("my dad collapsed on the sofa and isnt responding", True),
        ("collapsed on the sofa after a 12 hour shift, everything aches", False),
        ("my back pain isnt responding to physio", False),
        ("my dad doesnt know who i am all of a sudden", True),
        ("my mum has dementia and doesnt know who i am anymore, can massage help", False),
    ],
)
def test_a_sign_denied_supposed_or_said_in_jest_is_not_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("glowing toenails and humming teeth", True),
        ("no glowing toenails, just humming teeth", False),  # one part denied: no combination
        ("no glowing toenails but glowing toenails and humming teeth now", True),
    ],
)
def test_a_combination_holds_only_when_each_part_is_happening(message: str, urgent: bool) -> None:
    triage = triage_for("{triggers: [glowing toenails & humming teeth]}")
    assert is_urgent(*triage, message) is urgent


@pytest.mark.parametrize(
    "message",
    [
        "suddenly dizzy and seeing double",
        "I feel dizzy and I'm staggering when I try to walk",
        "since my neck was cracked I'm dizzy and can't walk straight",
        "my foot has gone cold and pale and numb",
        "the room is spinning, I keep being sick and I can't stand up",
    ],
)
def test_dizziness_with_double_vision_or_unsteady_walking_is_urgent(
    builtin: tuple[Triage, Speller], message: str
) -> None:
    assert is_urgent(*builtin, message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("I've taken a lot of painkillers on purpose", True),
        ("took my sleeping tablets on purpose tonight, I'm frightened", True),
        # too much taken, on purpose or not; too much taken as a habit is no overdose
        ("my husband has swallowed too much of his insulin", True),
        ("I've taken too much ibuprofen today by mistake", True),
        ("I take too much medication as it is, is massage an alternative?", False),
        # taking one's medicine deliberately is no overdose; standing up is no emergency alone
        ("I take my pills on purpose before a massage, is that ok?", False),
        ("after sitting all day I can't stand up straight, does massage help?", False),
    ],
)
def test_pills_taken_on_purpose_are_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("my wife she fall and now she not speak, one side of face is down, help please", True),
        ("one side of his face went down and he is not talking properly", True),
        # lying face down is how a massage is given; not speaking of one side is no sign
        ("can I lie face down if one side of my neck is stiff?", False),
        ("I'd rather not speak about which side hurts, is that ok?", False),
        # words going wrong now is a sign; said of the past, it is not
        ("my dad is confused and his words are coming out wrong", True),
        ("my words came out wrong in the interview, can massage help with stress?", False),
    ],
)
def test_a_face_dropped_on_one_side_or_lost_speech_is_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # an overdose told in a second language's present tense; a habit reads "takes"
        ("help me please my friend he take many pills", True),
        ("my dad takes many pills for his heart, is massage safe for him?", False),
        # a hand or arm that stops working all at once, told without a side
        ("typing with one hand, the other just stopped working", True),
        ("my arm suddenly stopped working and feels heavy", True),
        ("my hand stopped working 10 minutes ago", True),
        ("my hand stopped working properly after years of typing, can massage help?", False),
        # a whole side gone numb, an arm and a leg of one side that will not obey
        ("at the bus stop and my left side just went all numb", True),
        ("my right arm and leg won't do what I tell them", True),
        ("I can't sleep on my right side, and my left arm and leg ache", False),
        ("numbness in my left hand from carpal tunnel, can you help?", False),
        # no feeling in a whole side, told before the side; one side of a part is not a side
        ("cant feel left side of body help", True),
        ("I can't feel the left side of the body", True),  # "the": within a trigger's gap
        ("I suddenly can't feel my right side", True),
        ("numb down my left side since I woke up", True),
        ("I can't feel the left side of my foot after tight shoes, will massage help?", False),
        ("I don't feel any pain on my right side any more after the last session", False),
        # a head struck, then vomiting, in German
        ("mein Sohn ist mit dem Kopf aufgeprallt, er erbricht", True),
        # a call for help for someone dying now; dying of an illness is hospice care
        ("help my friend is dying", True),
        ("can massage help my mum, who is dying of cancer?", False),
        ("I'm dying for a massage, help me pick one", False),
        # a goodbye told in passing; a time of day is only a schedule
        ("can I book for Friday? won't be around after that anyway", True),
        ("I won't be around after 5pm, do you have earlier slots?", False),
    ],
)
def test_an_overdose_a_limb_gone_or_a_goodbye_told_in_passing_is_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("my neighbour is slumped in his car and I don't think he's breathing", True),
        ("I don't think my baby is breathing", True),
        ("he doesn't seem to be breathing", True),
        ("doesnt look like hes breathing", True),
        ("I can't tell if she's breathing", True),
        ("I can't find a pulse", True),
        ("he has no pulse", True),
        # a fire where people are; a part of the body "on fire" is a pain
        ("the house next door is on fire", True),
        ("smoke coming out of the building next to yours, I think it's on fire", True),
        ("my legs are on fire after leg day", False),
        ("my back is on fire after cleaning the house", False),
        # a packet or a bottle of pills taken; one pill from the packet is a routine
        ("i took a packet of paracetamol", True),
        ("she took a bottle of pills", True),
        ("I take a pill from the packet every morning, is massage ok?", False),
        # breathing as a technique, doubted, is no sign
        ("I don't think breathing exercises help my anxiety", False),
        ("i dont think deep breathing helps", False),
    ],
)
def test_breathing_doubted_a_pulse_not_found_or_a_fire_is_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # texted in a hurry, without "I am" or "a lot"
        ("stabbed. bleeding bad", True),
        ("cut my hand on a knife, bleeding bad", True),
        ("my knee is bleeding heavily", True),
        # bleeding that does not stop, said with "does not", "will not", "has not"
        ("the bleeding doesn't stop", True),
        ("the cut does not stop bleeding", True),
        ("bleeding will not stop", True),
        ("the blood hasn't stopped for 20 minutes", True),
        ("my nose bled yesterday but the bleeding has stopped", False),
        # no wake, no speech, a child gone blue, said in the words people use
        ("my dad doesn't wake up", True),
        ("she cannot speak all of a sudden", True),
        ("the baby has gone blue", True),
        ("I can't speak Spanish, do you have a Spanish speaking therapist?", False),
        ("my kid's favourite colour is blue", False),
        # bleeding said of the past is not a sign now
        ("I bled a lot after my surgery two years ago, can massage help the scar?", False),
    ],
)
def test_bleeding_said_to_be_bad_is_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("my chest pain last week turned out to be heartburn, A&E checked. cupping ok?", False),
        ("heart attack scare last month - turned out to be panic, I'm fine", False),
        # history made current again
        ("I fell and hit my head last month and now I'm vomiting and confused", True),
    ],
)
def test_a_sign_since_explained_as_something_else_is_history(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


def test_an_injury_some_yrs_ago_is_history(builtin: tuple[Triage, Speller]) -> None:
    """"yrs" is how people text "years": a healed fracture is a question, not an emergency."""
    faq_triage, speller = builtin
    message = "broke my collarbone 3 yrs ago, healed fine but it's stiff. can massage help?"
    assert not is_urgent(faq_triage, speller, message)
    assert is_urgent(faq_triage, speller, "broke my collarbone just now, it's stiff")


def test_a_clause_ends_at_punctuation_dashes_and_but() -> None:
    from bot.text import clauses

    assert clauses("no pain, just ache - fine; ok but then 39.5 degrees") == [
        "no pain", " just ache", "fine", " ok ", " then 39.5 degrees"
    ]


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("Good evening!", "greeting"),
        ("thanks 🙏", "thanks"),
        ("thanks so much for your help", "thanks"),
        ("bye", "goodbye"),
        ("help", "help"),
        ("HELP!!", "help"),
        ("please help me", "help"),
        ("can you help me?", "help"),
        # how a letter or an email opens and signs off
        ("Dear team,", "greeting"),
        ("Hope you are well!", "greeting"),
        ("Thank you in advance for your help", "thanks"),
        ("Kind regards", "goodbye"),
    ],
)
def test_a_greeting_thanks_or_goodbye_alone_is_small_talk(
    builtin: tuple[Triage, Speller], message: str, kind: str
) -> None:
    found = smalltalk(*builtin, message)
    assert found is not None
    assert found.name == kind


@pytest.mark.parametrize(
    "message",
    [
        "hi, do you treat sciatica?",
        "hello what is swedish massage",
        "thanks, and how long is a session?",
        "can you help my sciatica?",
        "help my friend is dying",
        "sciatica",
        "what even is that",  # "even" is the stem of "evening"
        "",
        "🙂",
    ],
)
def test_a_greeting_with_a_question_is_not_small_talk(
    builtin: tuple[Triage, Speller], message: str
) -> None:
    assert smalltalk(*builtin, message) is None


def test_a_call_for_help_alone_is_told_where_emergencies_go_and_what_the_bot_does(
    builtin: tuple[Triage, Speller],
) -> None:
    found = smalltalk(*builtin, "help me")
    assert found is not None
    assert "emergency" in found.reply
    assert "999" in found.reply
    assert "/topics" in found.reply


def test_an_admins_small_talk_gets_its_own_reply() -> None:
    faq = parse_faq(
        "disclaimer: Not medical advice.\n"
        "smalltalk: {weather: {reply: Lovely day for a massage., triggers: [nice weather]}}\n"
        + ENTRIES
    )
    speller = speller_for(faq)
    found = smalltalk(Triage(faq, speller), speller, "nice weather!")
    assert found is not None
    assert (found.name, found.reply) == ("weather", "Lovely day for a massage.")


@pytest.mark.parametrize(
    "message",
    [
        "ayuda por favor, mi padre tiene dolor en el pecho y está sudando mucho, what do I do",
        "ma mère ne respire plus, help",
        "mein Mann ist bewusstlos und wacht nicht auf",
        "estou com uma dor forte no peito e no braço esquerdo",
        "non riesco a respirare, la gola si chiude",
        "у отца боль в груди и холодный пот",  # noqa: RUF001 (Russian, not Latin)
        "дитина не дихає",
        "tata ma ból w klatce piersiowej, co robić",
    ],
)
def test_an_emergency_in_another_language_the_bot_recognises_is_urgent(
    builtin: tuple[Triage, Speller], message: str
) -> None:
    assert is_urgent(*builtin, message)


def test_no_question_of_the_other_languages_set_is_sent_to_urgent_care(
    builtin: tuple[Triage, Speller],
) -> None:
    """The FAQ questions written in other languages (tests/data/languages/) hold body words
    ("dolor de espalda", "боль в шее") that the other languages' triggers must leave alone."""
    import json
    from pathlib import Path

    folder = Path(__file__).parent / "data" / "languages"
    messages = [
        json.loads(line)["text"]
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(messages) > 150
    assert [message for message in messages if is_urgent(*builtin, message)] == []


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # signs in plain words, from a probe of 200 fresh English emergencies
        ("my coworker suddenly doesnt make sense when she talks and her face is sagging", True),
        ("mum's arm just went limp and she is no longer able to speak clearly", True),
        ("my colleague slumped over at her desk and doesnt answer when i shake her", True),
        ("he's had two fits in a row and hasn't woken up between them", True),
        ("i'm not safe with myself right now", True),
        ("my husband accidentally took double his insulin and is acting strange", True),
        ("he is unable to feel the toilet paper when he wipes", True),
        ("bumped my head hard on the shelf just now and now i feel sick and confused", True),
        ("my skin is mottled and i'm shaking with fever", True),
        ("kitchen fire, my husband's face and hands are burned", True),
        ("grandma fell, bone poking through the skin", True),
        ("my 3 month old is hot and limp and won't wake properly", True),
        ("nosebleed for 40 minutes, soaked through towels, getting dizzy", True),
        # a second probe of 150
        ("grandpa keeps falling to one side and he can't walk straight", True),
        ("grandma no longer responds when I talk to her, her eyes are open but nothing", True),
        ("toddler ate some of the magnets from his brothers toy", True),
        ("my son bit into a dishwasher pod and hes drooling", True),
        ("she fell and struck her head on the bathtub and is now very confused", True),
        ("my left calf is huge and tender since the long flight", True),
        ("purple spots appeared on my son's legs and he has a temperature", True),
        ("toddler was face down in the bath, we got him out, he's breathing funny", True),
        ("my daughter used her epipen but she is still wheezing", True),
        # and a third probe's, read after its first run
        ("I took a whole pack of Tylenol about an hour ago, I feel sick", True),
        ("my son touched a live wire, he's not moving", True),
        ("cancel my bookings for good, I won't be around after tonight", True),
        ("can barely bend my neck, light hurts my eyes, headache, fever", True),
        # a fifth probe's, read after its first run
        ("smell of gas in the flat and we all have a headache", True),
        ("just took everything in my medicine cabinet, sorry", True),
        ("sudden pain in his balls, one side swollen", True),
        ("she fell over in the bathroom and isnt moving", True),
        ("he stopped moving on the table and isnt answering me", True),
        ("said goodbye to my dog and im going to walk into the sea tonight", True),
        # a sixth probe's and a blind set's, read after their first runs
        ("i accidentally took my insulin twice and now im shaky", True),
        ("sudden ripping pain between his shoulder blades and he's gone white", True),
        ("says it feels like an elephant is sitting on his chest", True),
        ("a man lying on the footpath outside and he isn't moving at all", True),
        ("a nail went right through my foot", True),
        ("my dad's shirt caught fire at the bbq", True),
        ("just got rear-ended, my neck hurts and my arm has gone tingly and weak", True),
        # a seventh probe's, read after its first run
        ("my flatmate says she's going to hang herself this weekend", True),
        ("got the rope ready and I don't see a way out", True),
        ("I'm going to step in front of a bus on the way home", True),
        ("nan is just staring at the wall and not answering, her arm went floppy", True),
        ("his hand got caught in a machine at work and it's badly crushed", True),
        ("a tearing pain right between my shoulder blades, out of nowhere", True),
        ("someone collapsed in the car park and two people are doing CPR on him", True),
        ("dad is on blood thinners and he fell down the stairs, says he feels faint", True),
        ("my son got kicked in the stomach at football and he looks really pale", True),
        # an eighth probe's, read after its first run
        ("mum's face looks like it's melting on the left", True),
        ("my son drank a mouthful of the eucalyptus oil", True),
        ("what's the most painless way to go", True),
        ("my brother keeps giving away his things and he has a gun", True),
        ("my friend cut her wrists and sent me a photo", True),
        ("doing a CPR course next week, might need to move my booking", False),
        ("thinking about ending it with my boyfriend, I need a relaxing massage", False),
        ("stabbing pain in my heel when I step out of bed, do you treat that?", False),
        # ...and what only sounds like one
        ("shooting pain down my leg, like an electric shock. can massage help?", False),
    ],
)
def test_signs_told_in_plain_words_are_urgent(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    "message",
    [
        # cleared, healed, resolved or family history: told as the past
        "doctor says my DVT has resolved, can I have a full body massage now?",
        "my GP cleared me after my concussion, can I book in for neck tension?",
        "I had a seizure in my twenties but none since, do I need to mention it?",
        "i had a panic attack that felt like a heart attack, it turned out fine",
        "my grandad died of a heart attack, is chair massage ok for me?",
        "the burn on my hand has healed over, can you massage near it?",
        # asked how a sign is told, or what is done about one
        "how do your therapists recognise an allergic reaction?",
        "would you call an ambulance if someone collapsed in your clinic?",
        # idioms, denials and things that only hold a sign's words
        "my husband says I'll give him a heart attack if I book another spa day",
        "the price of parking nearly made me faint",
        "didn't hit my head, just pulled my shoulder lifting boxes",
        "i cant breathe through my nose in the face cradle, can I have a pillow?",
        "the therapist isn't responding to my texts, can you confirm my booking?",
        "my son had a seizure last week, the doctors checked him and he's fine now",
        "I carry an epipen for a nut allergy, what oils do you use?",
        "my daughter has epilepsy, do you use any oils that can trigger seizures?",
        "is it true you shouldn't massage someone with a blood clot?",
        "what should I eat before a massage so I don't feel faint?",
        "breathless with excitement for my first couples massage",
        "what is the poison control number, I want to save it in my phone",
        # a habit, a story or a clip, a feeling, a sign denied in other words, a childhood
        "i tend to faint if i havent eaten, should i have a snack first",
        "in the book im reading a character has anaphylaxis from massage oil, could it happen?",
        "saw a tiktok of someone getting their neck cracked and having a stroke",
        "this week has been absolutely choking me with stress",
        "i could pass out from happiness, that massage was amazing",
        "im not short of breath or anything, my ribs are just sore from coughing",
        "my brother drowned when we were kids and swimming still makes me tense",
        "my son had a seizure when he was 4 but nothing since, can he have a sports massage",
        "my sister had a seizure at work last week, she is fine now",
        "fractured my skull in a car accident a decade ago, any problem with a head massage?",
        "a client at my old clinic once fainted on the table, how do you handle that?",
        "my dad fell off a ladder in the spring and broke his wrist, it's healed now",
        "choking hazard warning on the gift box, is it ok for a kids party bag",
        "laughed so hard at work today i almost choked on my coffee",
        "my daughter is doing a school project on drowning prevention",
        "my husband snores like he's choking, can massage help him sleep?",
        "the kids were so loud I thought I'd pass out, any evening slots?",
        "writing a novel where a client has an allergic reaction on the massage table",
        "I had a concussion last season, cleared by the doctor, is a head massage ok?",
        "last time I came in someone collapsed in the waiting room, are they ok?",
        "I had one seizure in 2015 and never again, do I need to tick the epilepsy box?",
        "had a DVT in 2019, never had one again, is a leg massage ok?",
        "tingling down both his arms, the doctor said thoracic outlet syndrome, do you treat it?",
        "my mum will kill me if I miss her birthday, can I move my massage?",
        "that massage was so good I almost passed out from relaxation",
        "I want to kill off this knot in my neck for good",
        "I haven't had a seizure in years, can I book a full body massage?",
        "my character gets stung by a wasp and goes into anaphylaxis, what happens next?",
        "is it true that the glass test is for meningitis rashes?",
        "can I have a leg massage after a DVT once it's treated?",
        "we got knocked out of the cup in the first round, I need a massage",
        "she had a fit with a high temperature, the paediatrician said it was a febrile "
        "convulsion and she's back to normal",
        # a work and what happens in it; a sport's idiom; an everyday cut; safety after a sign
        "there's a podcast about people who overdosed at festivals, is it worth a listen",
        "my son's watching a cartoon where the dog gets electrocuted, so dramatic",
        "loved that documentary on heart attacks in young athletes",
        "our striker choked under pressure again, my neck is tense from yelling",
        "cut myself chopping onions, it's just a scratch, can I still come at 4?",
        "is hot stone massage safe after a blood clot?",
    ],
)
def test_a_sign_cleared_asked_about_or_only_named_is_not_urgent(
    builtin: tuple[Triage, Speller], message: str
) -> None:
    assert not is_urgent(*builtin, message)


def test_a_work_alone_is_no_cue_a_work_and_what_happens_in_it_is(
    builtin: tuple[Triage, Speller],
) -> None:
    # a film, a game or a show can be where it happens
    assert is_urgent(*builtin, "we were watching a film and my husband collapsed")
    assert is_urgent(*builtin, "at the football game my dad got chest pain and went grey")
    assert not is_urgent(*builtin, "a film about a man who collapsed on a train")
    # a work told about, but the clause says the sign is happening now
    assert is_urgent(*builtin, "in the movie my son is watching right now, no, my son is choking")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # a face gone askew, in any of the words for it
        ("his mouth looks lopsided and he can't lift his coffee", True),
        ("her smile went crooked halfway through dinner", True),
        ("my face droops on the left when I smile", True),
        # a tearing pain told with sweat or dizziness; a tear that is no pain
        ("sudden tearing pain through to my back and I'm clammy", True),
        ("blood, sweat and tears at every training session, what's a sports massage?", False),
        # someone gone grey whose breathing is odd
        ("my uncle has turned grey and he's breathing really weird", True),
        # a reaction to a food, told in a second language's words
        ("my girl she eat nut cake and now she have spots everywhere", True),
        # a drink gone down the wrong way, ink, a risk score, a sign weighed and found smaller
        ("choked on my tea when the bill came, all good now", False),
        ("the old printer keeps bleeding ink onto every page", False),
        ("my heart attack risk is low, says the app, so what massage is best?", False),
        ("I wouldn't say it's the worst headache I've had, just a nagging one", False),
        # a strained chest muscle; but the phrase is read within one clause
        ("pain in my chest muscle since bench press, can I get a sports massage?", False),
        ("crushing pain in my chest, muscles in my arm weak", True),
    ],
)
def test_signs_told_in_more_words_and_their_look_alikes(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


def test_a_time_told_in_the_signs_own_clause_is_its_time(
    builtin: tuple[Triage, Speller],
) -> None:
    # the history is more than six words from the sign, but in its clause
    assert not is_urgent(
        *builtin,
        "my uncle had a heart attack while he was out shovelling snow in the garden years "
        "ago, can he have a massage?",
    )
    # a cue of now in the sign's clause still says it is happening now
    assert is_urgent(
        *builtin,
        "I had a heart attack years ago and tonight there is crushing chest pain again",
    )


def test_a_sign_back_after_it_was_cleared_is_urgent(builtin: tuple[Triage, Speller]) -> None:
    assert is_urgent(*builtin, "I was cleared after my DVT but now my calf is swollen and hot")
    assert is_urgent(*builtin, "chest pain, doctor said it was just a strain but now its crushing")
    # "again" says the sign is back, unless it says it never came back
    assert is_urgent(*builtin, "I had a seizure in 2015 and it happened again this morning")
    # a diagnosis is history too, until the sign is told as now
    assert is_urgent(
        *builtin, "diagnosed with a DVT last week and now I suddenly can't catch my breath"
    )
    # "now he's", as people write it
    assert is_urgent(
        *builtin, "she bumped her head last week and seemed ok but now she's confused and "
        "throwing up"
    )


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # kinds of sign the twelfth probe found missing, in the tests' own words
        ("my chest is burning and it's going into my left shoulder", True),
        ("grandad's face is sagging on the right and he's slurring", True),
        ("drool is running out of one corner of her mouth, she's not herself", True),
        ("he keeps talking but what he says makes no sense", True),
        ("my right arm and leg went weak and heavy ten minutes ago", True),
        ("she's had three fits back to back", True),
        ("came off his bike, neck really hurts and both hands are tingling", True),
        ("her breathing is all gurgly and she won't wake up", True),
        ("he took his whole blister pack in one go", True),
        ("took a whole box of zopiclone an hour ago", True),
        ("her inhaler doesn't help and she can barely talk", True),
        ("my 6 week old is grunting with each breath", True),
        ("39 weeks and I haven't felt the baby move since this morning", True),
        ("he took 15 of his dad's tablets", True),
        ("mum's arm went dead and she's mumbling", True),
        ("she says she won't be needing the voucher after tonight", True),
        # ...and what only looks like them
        ("my physio's plan makes no sense to me, is massage better?", False),
        ("my left arm and leg are sore after the gym", False),
        ("slipped disc in my neck, tingling in my hands, can massage help?", False),
        ("can perfume set off an asthma attack?", False),
        ("I teach a course on choking for new parents, do you do vouchers?", False),
        ("overdosed on netflix again, my neck is wrecked", False),
        ("was in A&E last week with chest pain, tests came back normal. Can I book?", False),
        ("the overdose episode of that hospital drama was brutal", False),
        ("my sourdough cake collapsed again lol", False),
        ("took 50 mg sertraline this morning, can I still have a massage?", False),  # a dose
        ("fainted at work last week, got checked, ECG normal. Can I book?", False),
    ],
)
def test_signs_told_in_other_words_and_their_look_alikes(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # kinds of sign the fourteenth probe and a blind set found missing, in the tests'
        # own words
        ("my son's arm is in a cast and his fingers have gone white and numb", True),
        ("the plaster is on my leg, the pain is unbearable and my toes are tingling", True),
        ("shin got kicked, the calf is tight as a drum and my foot is going numb", True),
        ("she is making a high whistling noise breathing in, stridor, lips swelling", True),
        ("dad's sats are dropping and he's grey", True),
        ("nan has not had anything to drink since Sunday and she's confused today", True),
        ("his tummy ache has moved to the lower right and he won't walk", True),
        ("my brother fell through the ice on the pond", True),
        ("he sent a goodbye text and has his dad's gun", True),
        ("tonight's the night, no one will miss me", True),
        ("I'm T4 paraplegic and think this is dysreflexia, head pounding", True),
        ("this headache is the worst ever and came on in seconds", True),
        ("car crash on the bypass, the other driver is trapped and not moving", True),
        ("crushing feeling behind the breastbone since I sat down", True),
        ("for a few minutes I couldn't talk properly and my hand went numb, ok now", True),
        ("I've given away my dog, so I won't be needing the sessions", True),
        ("that bill nearly gave me a heart attack lol", False),
        # a stroke's signs that pass are a mini-stroke: still urgent...
        ("for ten minutes I couldn't speak and my hand went numb, fine now. Still come in?",
         True),
        ("his face drooped on one side for a bit this morning but it's back to normal", True),
        # ...unless long past; other signs said to have passed are history
        ("had a mini stroke in 2019 where I couldn't speak, back to normal now", False),
        ("I fainted at the gym yesterday, totally fine now, can I book?", False),
        ("my lips swelled up after a new lip balm, fine now, is the oil nut free?", False),
        # ...and what only looks like them
        ("worst customer service ever, been on hold for an hour", False),
        ("the cast of that show is unbearable", False),
        ("my daughter had anaphylaxis when she was 3, she's 12 now, is the oil nut free?",
         False),
        ("what's the difference between DVT and cramp?", False),
        ("how do you recognise sepsis? it's for my first-aid exam", False),
        ("it's the anniversary of my dad's heart attack, I need a calm massage", False),
        ("someone overdoses in every episode of that show", False),
        # a sign as the subject of work or study
        ("I teach overdose risk to new carers, my back is killing me", False),
        ("we had stroke awareness training at work today, can I book?", False),
        ("the anaphylaxis protocol at my gym says to ask you about oils", False),
        ("my computer is having a seizure again, can you email the form?", False),
    ],
)
def test_signs_told_in_yet_other_words_and_their_look_alikes(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # a reading in an emergency's range (bot/readings.py) is a sign...
        ("nan's sats 86 and she's a funny colour", Urgency.NOW),
        ("BM 2.1 and he's sweaty and not making sense", Urgency.NOW),
        ("dad's BP 78/40, very pale", Urgency.NOW),
        # a pressure of a hypertensive crisis is a sign with a sign of organ damage...
        ("BP 196/112 and a bad headache", Urgency.NOW),
        ("dad's pressure is 210 over 115 and his vision is blurry", Urgency.NOW),
        ("my BP is 185/100 today, feel fine otherwise, ok to book?", Urgency.NONE),
        ("BP 190/110, no headache, no chest pain", Urgency.NOT_NOW),
        # ...read with the cues around any sign: history, and a denial
        ("my sats were 86 when I had covid in 2021, fine now, can I book?", Urgency.NOT_NOW),
        ("no, her sats are 98 and the BP 124/80, just a stiff neck", Urgency.NONE),
    ],
)
def test_a_dangerous_reading_is_a_sign(
    builtin: tuple[Triage, Speller], message: str, expected: Urgency
) -> None:
    assert urgency_of(*builtin, message) is expected


def test_a_sign_in_texting_shorthand_is_urgent(builtin: tuple[Triage, Speller]) -> None:
    assert is_urgent(*builtin, "my dad cant tlk rite, no idea why")


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # kinds of sign the sixteenth probe found missing, in the tests' own words
        ("cancel my sessions please, none of it will matter soon", True),
        ("after tonight it's over, I've made up my mind, thanks for everything", True),
        ("the vision in one eye has gone dark since lunch", True),
        ("one side of her lips is not moving", True),
        ("the left side of his smile doesn't move", True),
        # ...and what only looks like them
        ("I've made up my mind, I'm booking the deep tissue", False),
        ("we ran a suicide prevention workshop at school, I'm shattered", False),
        ("our first aid refresher covered recognising the signs of a stroke", False),
        ("how do I spot the signs of heat stroke in my runners?", False),
        ("I cut my hair myself and it looks awful, any slots?", False),
        ("I've decided to book, I will be gone for work after though", False),
        # a goodbye told as being gone for good, with the mind made up
        ("I've made up my mind, by tomorrow I will be gone", True),
    ],
)
def test_signs_a_sixteenth_probe_found_and_their_look_alikes(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # kinds of sign an eighteenth probe found missing, in the tests' own words (and a
        # seventeenth's and a nineteenth's, below)
        ("her foot has gone cold and white and the pain is awful", True),
        ("he's on the roof talking about stepping off", True),
        ("my husband says he'll drive off the bridge tonight", True),
        ("my hand is weak and my mouth feels strange, started an hour ago", True),
        ("his leg was crushed by a forklift and now it's rock hard", True),
        ("a red line is tracking up my arm from the cut and I'm burning up", True),
        ("found empty pill packets by his bed", True),
        ("her tummy is hard as a board and she's crying", True),
        ("gran barely opens her eyes today and is so drowsy she doesn't recognise me", True),
        # ...and what only looks like them
        ("that exam was absolute suicide, my neck is in knots", False),
        ("the product launch was a total car crash, can I book tonight?", False),
        ("did CPR on a dummy all day for my first aid course, shoulders are sore", False),
        ("got heatstroke in Greece two summers ago, fine since, any slots?", False),
        ("my fingers go white and cold in winter and it hurts, is that Raynaud's?", False),
        # a nineteenth probe's look-alikes: a message about messages, a burn under the tap
        ("did you get my last message about the voucher?", False),
        ("burnt my finger on the kettle, ran it under cold water, fine", False),
        ("this is my last message, goodbye everyone", True),
        # a seventeenth probe's kinds: a goodbye as not being around, a seizure as gone rigid
        ("not going to be around after tonight, thanks for everything", True),
        ("the man next to me has gone rigid and is jerking on the floor", True),
        ("latex gloves and now welts all over and I'm wheezy", True),
        ("our team collapsed in the second half again", False),
        ("my dissertation is on anaphylaxis management in gyms", False),
    ],
)
def test_signs_the_seventeenth_to_nineteenth_probes_found_and_their_look_alikes(
    builtin: tuple[Triage, Speller], message: str, urgent: bool
) -> None:
    assert is_urgent(*builtin, message) is urgent
