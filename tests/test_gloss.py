"""Reading a message in another language word for word in English (bot/gloss.py)."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from helpers.model_spy import texts_read

from bot.faq import NOTE_LANGUAGES, Faq
from bot.gloss import Glossary, builtin_glossary, checked, tokens
from bot.matcher import Matcher, Status


@pytest.mark.parametrize(
    ("message", "reading"),
    [
        ("Hola, ¿tratan la ciática?", "treat sciatica"),
        ("Vocês tratam fibromialgia?", "do you treat fibromyalgia"),
        ("Trattate la sciatica?", "do you treat sciatica"),
        ("Czy masaż pomaga na ból pleców?", "massage help for back pain"),
        # the longest phrase wins over an elided article's: "l'" and "épaule gelée"
        ("Est-ce que vous traitez l'épaule gelée ?", "frozen shoulder"),
        # Turkish inflects with long endings: the forms patients write are listed
        ("Siyatik tedavi ediyor musunuz?", "sciatica do you treat"),
        ("Boynum ağr\u0131yor, masaj iyi gelir mi?", "my neck hurts"),
        # "nöbetçi" (on duty) is no form of "nöbet" (a seizure)
        ("En yak\u0131n nöbetçi eczane nerede?", "nearest pharmacy on duty"),
        # a foreign condition name alone
        ("ciática?", "sciatica"),
        # the everyday words of a story around the question
        ("Od roboty boli mnie dół pleców, pomożecie?", "from work it hurts lower back"),
        ("Omzumu eskisi gibi hareket ettiremiyorum", "like before i cannot move"),
        ("Wat levert massage op, behalve ontspanning?", "gives"),
    ],
)
def test_a_message_in_another_language_is_read_in_english(message: str, reading: str) -> None:
    english = builtin_glossary().english(message)
    assert english is not None
    assert reading in english


@pytest.mark.parametrize(
    "message",
    [
        "do you treat sciatica",
        "Can I come at 5?",
        "I have pain in my main muscle",  # French "pain" and "main" are English words too
        "don't you treat ciatica",
        # a stray word or two of another language in an English message
        "I'd love a siesta after a long week at work, can I book a massage for Friday, lol",
        "nearly had a heart attack at the price lol, do you treat tennis elbow",
    ],
)
def test_an_english_message_is_left_as_it_is(message: str) -> None:
    assert builtin_glossary().english(message) is None


def test_english_words_in_a_foreign_message_are_kept_as_written() -> None:
    reading = builtin_glossary().english(
        "mi hijo se cayó y se golpeó la cabeza, now he's vomiting"
    )
    assert reading is not None
    assert reading.endswith("now he's vomiting")
    assert "head" in reading


def test_a_glossary_word_that_is_english_counts_only_in_a_message_of_its_language() -> None:
    glossary = Glossary(
        {"fr": {"pain": "bread", "douleur": "pain", "dos": "back", "au": "", "mal": "pain"}},
        english=frozenset({"pain", "dos"}),
    )
    # "dos" is English too: it does not make a message French, but in a French one it is back
    assert glossary.english("douleur au dos") == "pain back"
    assert glossary.english("j'ai mal au dos") == "j ai pain back"
    # "pain" and "dos" alone choose no language: an English message stays English
    assert glossary.english("pain au chocolat") is None
    assert glossary.english("dos and don'ts") is None


def test_apostrophes_split_an_elision_but_not_an_english_contraction() -> None:
    english = frozenset({"hes", "dont"})
    assert [folded for folded, _ in tokens("l'épaule he's don't", english)] == [
        "l", "epaule", "hes", "dont",
    ]


def test_a_key_with_an_apostrophe_is_cut_as_a_message_is() -> None:
    # "qu'est" without its apostrophe is English "quest": a message keeps it one word, and so
    # must the key, or the key never meets a message
    glossary = Glossary(
        {"fr": {"qu'est-ce que": "what", "l'épaule": "shoulder", "gelée": "frozen"}},
        english=frozenset({"quest", "ce"}),
    )
    assert glossary.english("qu'est-ce que l'épaule gelée") == "what shoulder frozen"


def test_two_words_that_fold_alike_are_told_apart_by_their_accents() -> None:
    # Polish "cześć" (hello) and "część" (part) are one key without their accents: the one a
    # message writes is read, and a message that leaves them out gets the first listed
    glossary = Glossary(
        {"pl": {"cześć": "hello", "część": "part", "pleców": "back"}}, english=frozenset()
    )
    assert glossary.english("cześć") == "hello"
    assert glossary.english("część pleców") == "part back"
    assert glossary.english("CZĘŚĆ pleców") == "part back"
    assert glossary.english("czesc") == "hello"
    assert glossary.english("czesc pleców") == "hello back"


@pytest.mark.parametrize("entry", ["auf: on", "nada de: no", "no: nada", "vingt: 20"])
def test_a_glossary_value_yaml_reads_as_no_text_is_refused(entry: str) -> None:
    # unquoted, "on" and "no" load as booleans and "20" as a number: quoted, they are words
    with pytest.raises(ValueError, match="quote it"):
        checked(yaml.safe_load(f"de:\n  {entry}\n"))
    key, value = entry.split(": ")
    assert checked(yaml.safe_load(f'de:\n  "{key}": "{value}"\n')) == {"de": {key: value}}


def test_the_built_in_glossary_has_the_note_languages() -> None:
    assert set(builtin_glossary().languages) == set(NOTE_LANGUAGES)


def test_a_foreign_question_the_faq_answers_is_answered(bundled_matcher: Matcher) -> None:
    for question, entry in (
        ("¿Tratan la ciática?", "condition-sciatica"),
        ("Behandeln Sie auch das Karpaltunnelsyndrom?", "condition-carpal-tunnel"),
        ("Est-ce que vous traitez l'épaule gelée ?", "condition-frozen-shoulder"),
    ):
        match = bundled_matcher.match(question)
        assert match.status is Status.ANSWER, question
        assert match.entry is not None
        assert match.entry.id == entry


def test_a_sign_told_as_not_now_in_its_own_words_is_not_triaged_again(
    bundled_matcher: Matcher,
) -> None:
    # "il y a cinq ans" says it is history; the word-for-word reading would lose that
    match = bundled_matcher.match(
        "J'ai fait un infarctus il y a cinq ans, est-ce que je peux me faire masser ?"
    )
    assert match.status is not Status.URGENT


def test_a_sign_only_the_english_reading_names_is_urgent(bundled_faq: Faq) -> None:
    # a made-up language whose words no trigger of urgent.yaml knows: read in English, the
    # English trigger "chest pain" & "sweating" fires
    glossary = Glossary(
        {"xx": {"blorf": "chest", "zint": "pain", "quab": "sweating", "eh": ""}},
        english=frozenset(),
    )
    matcher = Matcher(bundled_faq, glossary=glossary)
    assert matcher.match("eh blorf zint eh quab").status is Status.URGENT
    assert Matcher(bundled_faq).match("eh blorf zint eh quab").status is not Status.URGENT


@pytest.mark.parametrize(
    "message",
    [
        "mi hija tiene una crisis de asma y el inhalador no le funciona",
        "mon fils fait une crise d'asthme, la ventoline ne marche pas",
        "u syna napad astmy, inhalator nie pomaga",
        "у мамы приступ астмы, ингалятор не помогает",  # noqa: RUF001
    ],
)
def test_an_asthma_attack_an_inhaler_does_not_help_is_urgent_in_other_languages(
    bundled_matcher: Matcher, message: str
) -> None:
    assert bundled_matcher.match(message).status is Status.URGENT


@pytest.mark.parametrize(
    "message",
    [
        "sono allergico alle arachidi, mi si sta chiudendo la gola",
        "у папы давление 230 на 130 и сильнейшая головная боль",  # noqa: RUF001
    ],
)
def test_a_throat_closing_and_a_reading_are_urgent_in_other_languages(
    bundled_matcher: Matcher, message: str
) -> None:
    assert bundled_matcher.match(message).status is Status.URGENT


def test_a_sign_in_the_message_s_own_words_is_let_go_only_when_the_reading_says_not_now(
    bundled_faq: Faq,
) -> None:
    # "herzinfarkt" is a German trigger of urgent.yaml, so the message's own words find the
    # sign; "blorf" (nearly had, in a made-up glossary) is what says it was said in jest.
    def matched(table: dict[str, str]) -> Status:
        glossary = Glossary({"xx": {"zint": "today", **table}}, english=frozenset())
        return Matcher(bundled_faq, glossary=glossary).match("blorf herzinfarkt zint").status

    assert matched({"blorf": "nearly had", "herzinfarkt": "a heart attack"}) is not (
        Status.URGENT
    )
    # a reading without the cue finds the sign happening now
    assert matched({"herzinfarkt": "a heart attack"}) is Status.URGENT
    # a reading that loses the sign's own words lets nothing go
    assert matched({"blorf": "nearly had"}) is Status.URGENT


def test_a_form_the_glossary_lacks_is_read_as_the_word_it_inflects() -> None:
    glossary = Glossary(
        {"fr": {"soigner": "treat", "vous": "you", "la": "", "ciel": "sky"}},
        english=frozenset(),
    )
    assert glossary.english("vous soignez la sciatique") == "you treat sciatique"
    # too far from any listed word: "soignantes" keeps four more letters than "soign"
    assert glossary.english("vous soignantes la sciatique") == "you soignantes sciatique"
    # a short word is read only as listed ("cielo" shares four letters with "ciel")
    assert glossary.english("vous cielo") == "you cielo"


def test_a_compound_of_two_glossary_words_is_read_as_both() -> None:
    glossary = Glossary(
        {
            "de": {"spannung": "tension", "kopfschmerzen": "headache", "ich": "I",
                   "habe": "have", "rücken": "back"},
            "es": {"dolor": "pain", "tengo": "I have"},
        },
        english=frozenset(),
    )
    # joined by a linking "s", or directly; the longest first part that reads
    assert glossary.english("ich habe Spannungskopfschmerzen") == "I have tension headache"
    assert glossary.english("ich habe Rückenkopfschmerzen") == "I have back headache"
    # parts too short, or a language that does not compound so, read nothing
    assert glossary.english("ich habe Spakopfschmerzen") == "I have Spakopfschmerzen"
    assert glossary.english("tengo dolordolor") == "I have dolordolor"


def test_a_long_word_no_glossary_form_reads_is_read_as_the_faqs_word_it_is_spelt_like(
) -> None:
    glossary = Glossary({"tr": {"için": "for", "masaj": "massage", "iyi": "good"}},
                        english=frozenset())
    faq_words = frozenset({"fibromyalgia", "rehabilitation", "personal", "lateral"})
    assert glossary.english("rehabilitasyon için masaj iyi mi", faq_words) == (
        "rehabilitation for massage good mi"
    )
    # a short word, or one that begins otherwise, is no cognate: "persona", "colateral"
    assert glossary.english("persona için masaj", faq_words) == "persona for massage"
    assert glossary.english("colateral için masaj", faq_words) == "colateral for massage"
    # and a guess is no evidence of a language: an English message with typos stays English
    assert glossary.english("rehabilitasyon and more rehabilitasyon", faq_words) is None


def test_an_english_contraction_in_a_reading_stays_one_word() -> None:
    # "can't" read as "can t" would name no sign: triage reads "cant", an everyday word
    glossary = Glossary(
        {"es": {"no puede": "can't", "hablar": "speak"}}, english=frozenset({"cant"})
    )
    assert glossary.english("no puede hablar") == "can't speak"


def test_a_word_read_with_a_person_lends_its_reading_to_no_other_form() -> None:
    # "работаете" (you work) is "are you open"; "работаю" is I work, no question of hours
    glossary = Glossary(
        {"ru": {"работаете": "are you open", "весь": "all", "день": "day"}},
        english=frozenset(),
    )
    assert glossary.english("работаю весь день") == "работаю all day"
    assert glossary.english("работаете весь день") == "are you open all day"


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # signs that only the English reading names (no trigger of their own language)
        ("Je viens d'avaler toute une boîte de somnifères", True),
        ("je me suis coupée, ça saigne énormément", True),
        ("Ich sehe keinen Sinn mehr und habe mich von allen verabschiedet", True),
        ("moja córka połknęła kapsułkę do zmywarki", True),
        # a migraine's "Anfälle" are its attacks, not seizures
        ("Ich habe oft Migräne-Anfälle, hilft eine Massage?", False),
        # "this heat is killing me": no form of "kill myself"
        ("Questo caldo mi sta uccidendo, avete l'aria condizionata?", False),
        # Portuguese "usar" is no slip of Polish "udar" (a stroke)
        ("posso usar as infos daqui pra me diagnosticar?", False),
        # half a face paralysed, speech gone; a packet of sleeping pills taken
        ("mia nonna ha metà faccia paralizzata e non riesce a parlare, è successo adesso", True),
        ("мені дуже погано, я випила пачку снодійного", True),
        # an arm that will not lift for months is told as no emergency now
        ("Faz uns meses que não consigo mais levantar o braço direito, vocês atendem?", False),
        # "at all" after bleeding that does not stop stresses it, it denies nothing
        ("cortei a mao e o sangue nao para de jeito nenhum, ja encharcou a toalha", True),
        ("me corté la mano y la sangre no para para nada", True),
        ("mi sono tagliato e il sangue non si ferma per niente", True),
        ("ich habe mich geschnitten und die Blutung hört überhaupt nicht auf", True),
        ("ik heb me gesneden en het bloeden stopt helemaal niet", True),
        # Turkish, also typed without its dotless i; a sign denied after it, as Turkish says it
        ("annem bay\u0131ld\u0131, bilinci kapal\u0131", True),
        ("nefes alamiyorum", True),
        ("göğüs ağr\u0131m yok, sadece boynum tutuldu", False),
        ("kalp krizi nas\u0131l anlaş\u0131l\u0131r?", False),
        # a reading told in numbers keeps its decimals, and a scald
        ("Мой сахар 2.1, меня трясёт и я плохо соображаю", True),  # noqa: RUF001
        ("Mój tata oblał się wrzątkiem, skóra schodzi", True),
        # a film's stroke, and the Turkish idiom of a shock
        ("Nel film il medico ha un ictus, che paura. Avete posto domani?", False),
        ("Faturay\u0131 görünce neredeyse kalp krizi geçiriyordum", False),
        # everyday words for emergencies the glossary lacked (what a sixteenth probe missed,
        # in the tests' own words): diabetes, a shock from the mains, a child pulled from the
        # water, a sudden worst headache, a goodbye, a pregnancy in pain
        ("Mój brat ma cukrzycę, wymiotuje i dziwnie głęboko oddycha", True),
        ("Mein Onkel hat einen Stromschlag bekommen und reagiert kaum", True),
        ("tiramos a minha sobrinha da piscina, esteve debaixo da água e está tossindo", True),
        ("раптово найсильніший біль у житті в голові, як удар грому", True),  # noqa: RUF001
        ("Я все решила, сегодня ночью меня не станет", True),
        # ...and what looks like them: a haircut is no cut, and a fit told as last week's
        ("Me corté el pelo yo sola, ¿tenéis cita el sábado?", False),
        ("Mi sono tagliata i capelli ieri, è venuto malissimo, avete posto?", False),
        ("Mon chien a eu une crise la semaine dernière, le vétérinaire dit qu'il va bien", False),
        # ...and what a nineteenth probe missed, in the tests' own words: a baby floppy and
        # burning hot, the worst headache of someone's life, a jump from a roof, a scald
        ("ma fille de 3 mois est toute molle et brûlante", True),
        ("ma mère a mal à la tête d'un coup, le pire de sa vie", True),
        ("ik sta op het dak en ga springen", True),
        ("o bebê está molinho e não quer mamar", True),
        ("hab kochendes Wasser über die Hand gekippt, die Haut löst sich ab", True),
        ("ik doe een EHBO cursus: wat doe je bij iemand die flauwvalt?", False),
        # ...and a seventeenth's: a pressure keeps its slash, a bone through the skin, a
        # whole bottle of pills, a goodbye told in letters left
        ("Ho la pressione a 230/130, mal di testa e vedo sfocato", True),
        ("mio figlio è caduto, l'osso esce dalla pelle", True),
        ("minha filha tomou um vidro inteiro de remédio", True),
        ("He dejado cartas para mi familia y esta noche me voy a despedir", True),
    ],
)
def test_an_emergency_told_in_another_language_is_urgent(
    bundled_matcher: Matcher, message: str, urgent: bool
) -> None:
    assert (bundled_matcher.match(message).status is Status.URGENT) is urgent


def test_a_foreign_word_is_corrected_only_to_what_it_means(bundled_matcher: Matcher) -> None:
    speller = bundled_matcher.speller
    assert "udar" in speller.vocabulary  # a Polish trigger, one letter from "usar"
    assert speller.correct("usar") == "usar"
    # the Spanish word, and a common slip in English, for the FAQ's word
    assert speller.correct("fibromialgia") == "fibromyalgia"


def test_a_word_of_the_faqs_own_is_english(bundled_matcher: Matcher) -> None:
    # "thoracic" is one letter-ending from French "thoracique" (chest), and no everyday word
    glossary = bundled_matcher.glossary
    assert glossary.english("thoracic outlet?") == "chest outlet"
    assert glossary.english("thoracic outlet?", bundled_matcher.speller.phrasing_words) is None


def test_the_glossary_lists_each_word_once_per_language() -> None:
    # YAML keeps the last of two equal keys without a word: one of them would be dead
    text = resources.files("bot").joinpath("data/glossary.yaml").read_text(encoding="utf-8")
    root = yaml.compose(text)
    assert root is not None
    for language, entries in root.value:
        keys = [key.value for key, _ in entries.value]
        assert sorted({key for key in keys if keys.count(key) > 1}) == [], language.value


def test_a_reading_keeps_the_ends_of_clauses(bundled_matcher: Matcher) -> None:
    # triage reads a cue only within its clause: "et si" (what if) belongs to the question,
    # not to the fainting told after it
    text = "et si c'est grave ? il s'est évanoui"
    reading = builtin_glossary().english(text)
    assert reading is not None
    assert reading.startswith("what if")
    assert reading.endswith("? he fainted")
    assert bundled_matcher.match(text).status is Status.URGENT
    # a last end and ends with nothing read between them are left out
    assert builtin_glossary().english("¿Tratan la ciática?") == "treat sciatica"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hola", "greeting"),
        ("Bonjour !", "greeting"),
        ("Guten Tag", "greeting"),
        ("olá, bom dia", "greeting"),
        ("buongiorno", "greeting"),
        ("привет", "greeting"),
        ("вітаю", "greeting"),
        ("cześć", "greeting"),
        ("czesc", "greeting"),  # typed without its accents: not "część", part
        ("goedemorgen", "greeting"),
        ("¡muchas gracias!", "thanks"),
        ("merci beaucoup", "thanks"),
        ("спасибо большое", "thanks"),
        ("дякую", "thanks"),
        ("dziękuję bardzo", "thanks"),
        ("tschüss", "goodbye"),
        ("arrivederci", "goodbye"),
        ("tot ziens", "goodbye"),
        ("merhaba", "greeting"),
        ("teşekkür ederim", "thanks"),
        ("görüşürüz", "goodbye"),
    ],
)
def test_small_talk_in_another_language_is_small_talk(
    bundled_matcher: Matcher, message: str, kind: str
) -> None:
    # read in English first: "hola" alone got a suggestion of the arthritis entry, and
    # "cześć" the answer about clinical massage's parts
    match = bundled_matcher.match(message)
    assert match.status is Status.SMALLTALK, message
    assert match.smalltalk is not None
    assert match.smalltalk.name == kind


def test_a_greeting_before_a_question_in_another_language_leaves_the_question(
    bundled_matcher: Matcher,
) -> None:
    match = bundled_matcher.match("hola, ¿tratan la ciática?")
    assert match.status is Status.ANSWER
    assert match.entry is not None
    assert match.entry.id == "condition-sciatica"


def test_a_reading_without_the_unread_words_keeps_only_english() -> None:
    glossary = Glossary(
        {"de": {
            "welche": "which", "hilft": "helps", "gegen": "for", "rückenschmerzen": "back pain",
        }},
        english=frozenset({"now"}),
    )
    message = "Welche Salbe hilft gegen Rückenschmerzen, 2 Tage now"
    assert glossary.english(message) == "which Salbe helps for back pain , 2 Tage now"
    # the words it could not read are left out; English words and numbers stay
    assert glossary.english(message, unread=False) == "which helps for back pain , 2 now"
    # a word the FAQ uses is English too
    assert glossary.english(message, frozenset({"salbe"}), unread=False) == (
        "which Salbe helps for back pain , 2 now"
    )


def test_the_model_reads_a_foreign_message_without_its_unread_words(
    bundled_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the unread words are noise to the model; the lexical signal still counts them
    read = texts_read(bundled_matcher, monkeypatch)
    bundled_matcher.match("Hilft Massage bei Ischias, fragt meine Oma")
    assert read
    assert "sciatica" in read[0]
    assert "Oma" not in read[0]
    bundled_matcher.match("does massage help sciatica, asks my grandma")
    assert read[-1] == "does massage help sciatica, asks my grandma"


def test_a_slip_of_the_keyboard_is_no_evidence_of_a_language_and_is_kept() -> None:
    glossary = Glossary(
        {"nl": {
            "wat": "what", "medicijn": "medicine", "doet": "does", "masseren": "massaging",
            "voor": "for",
        }},
        english=frozenset({"does", "do", "for", "u"}),
    )
    # "medicl" reads as a form of Dutch "medicijn"; as a slip for "medical" it is no Dutch,
    # and one Dutch word is no Dutch message
    message = "wat does medicl do for u"
    assert glossary.readings(message) == (
        "what does medicine do for u", "what does medicine do for u"
    )
    assert glossary.readings(message, slips=frozenset({"medicl"})) is None
    # in a message that is Dutch, a slip is kept in both readings (for the speller to mend)
    dutch = "wat doet masseren voor clincal"
    assert glossary.readings(dutch) == (
        "what does massaging for clincal", "what does massaging for"
    )
    assert glossary.readings(dutch, slips=frozenset({"clincal"})) == (
        "what does massaging for clincal", "what does massaging for clincal"
    )


def test_the_model_reads_an_english_message_with_slips_as_english(
    bundled_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "wat" is Dutch for "what", but the message is English with slips of the keyboard
    read = texts_read(bundled_matcher, monkeypatch)
    match = bundled_matcher.match("wat does medicl massge actualy do for u")
    assert read[0] == "wat does medical massge actually do for u"
    assert match.status is Status.ANSWER


@pytest.mark.parametrize(
    ("message", "reading"),
    [
        ("la semaine dernière", "last week"),
        ("la semana pasada", "last week"),
        ("la settimana scorsa", "last week"),
        ("na semana passada", "last week"),
        ("w zeszłym tygodniu", "last week"),
        ("на прошлой неделе", "last week"),
        # signs the triggers read only in English: a belly hard as a board, a man talking
        # nonsense in the heat
        ("la pancia è dura come una tavola", "hard as a board"),
        ("кожа горячая и сухая, он несёт бред", "hot and dry skin , he confused"),
    ],
)
def test_a_phrase_said_in_another_order_reads_as_english_says_it(
    message: str, reading: str
) -> None:
    found = builtin_glossary().english(message)
    assert found is not None
    assert reading in found
