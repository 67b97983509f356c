"""Which language a message is in, and how sure: English, or one of the languages faq.yaml can
have notes for (bot.faq.NOTE_LANGUAGES), or undetermined.

The detector is py3langid (a maintained fork of langid.py: a naive Bayes model over byte
n-grams, offline, numpy only), restricted to English and NOTE_LANGUAGES. Its model is loaded
on first use (about 1 s and 52 MB), once per process.

Short messages are hard, and the two mistakes do not cost the same: telling an English speaker
"I only understand English" is worse than giving a Spanish speaker the English reply, as
happened before this module. So a message counts as foreign only when it is long enough and the
model is sure; anything else is reported as not sure, and callers treat it as English. The
thresholds below were chosen on tests/data/languages/ (English patient questions with typos,
slang and bare medical terms, and questions in each note language); tests/test_language.py
holds the measured rates.

Scripts: Latin text is scored among English and the Latin-script note languages. Cyrillic text
is not English, and only Russian or Ukrainian among ours; the model is unsure between the two
on short messages ("Болить шия", Ukrainian, scores 0.69 Russian), so letters and common words
that only one of the two has decide first. Text mostly in another script (Greek, Arabic, CJK,
...) is undetermined: no note language is written in it.

`foreign_reply` applies it to a matched message: which note (faq.yaml's `languages:`) goes
with which outcome. bot.views renders that for Telegram, bot.cli for the terminal chat.

Nothing here logs or keeps the text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.faq import NOTE_LANGUAGES, Entry, Faq
from bot.matcher import Match, Status
from bot.text import MAX_INPUT_CHARS

if TYPE_CHECKING:
    from collections.abc import Sequence

ENGLISH = "en"
UNDETERMINED = "und"
CYRILLIC_LANGUAGES = ("ru", "uk")
LATIN_LANGUAGES = tuple(code for code in NOTE_LANGUAGES if code not in CYRILLIC_LANGUAGES)

# -- thresholds, from tests/data/languages/ (run tests/test_language.py -k rates -s) --------
# Latin script. The English lines the model gets wrong are bare medical terms and typos:
# "migraine aura" scores 0.75 French, "sciatica" 0.73 Italian, "cervicalgia and lumbago" 0.56
# Italian. The foreign questions score 0.87 and up but one ("Onde fica a clínica? Tem
# estacionamento?", 0.80 Portuguese), greetings and thanks from 0.74 ("Hola, buenas tardes").
# 0.85 leaves a margin of 0.1 over the worst English line; what it misses gets the English
# reply, as before.
MIN_CONFIDENCE = 0.85
# One word ("fibromyalgia", "torticollis", "metatarsalgia") is most often a medical term, and
# Latin and Greek roots look Italian or Spanish to the model; fewer than 10 letters ("TMJ",
# "sciatica") tell nothing. A foreign question has more.
MIN_LETTERS = 10
MIN_WORDS = 2
# Cyrillic: not English whatever its length, so only Russian against Ukrainian is in doubt.
# Without a telling letter or word the model's odds between the two decide. Short messages
# split them badly. Of the set's five lines without a clue, the two questions score 0.87 and
# 0.97 Russian, rightly; the three short ones 0.55 to 0.69, one of them wrongly ("Болить
# шия", Ukrainian, 0.69 Russian). 0.8 leaves the short ones unsure (the English reply) rather
# than answer a Ukrainian in Russian.
CYRILLIC_MIN_CONFIDENCE = 0.8
CYRILLIC_MIN_LETTERS = 4

# Letters in only one of the two alphabets, and common words only one of the languages has
# (not forms both share, like "доброго"). They decide 30 of the set's 35 Cyrillic lines.
_UKRAINIAN_LETTERS = frozenset("іїєґ")
_RUSSIAN_LETTERS = frozenset("ыэъё")
_UKRAINIAN_WORDS = frozenset(
    "що чи як де ви мені мене дякую будь ласка привіт добрий скільки також".split()
)
_RUSSIAN_WORDS = frozenset(
    "что как где вы мне меня спасибо пожалуйста привет здравствуйте добрый сколько когда"
    " также помогите".split()
)
# The Cyrillic lowercase range, and the four Ukrainian letters outside it.
_CYRILLIC_LOWER = "\u0430-\u044f\u0456\u0457\u0454\u0491"
# An apostrophe inside a Cyrillic word is Ukrainian spelling (п'ятниця, зап'ястя); Russian
# writes ъ there.
_APOSTROPHE_IN_WORD = re.compile(f"[{_CYRILLIC_LOWER}]['\u2019\u02bc][{_CYRILLIC_LOWER}]")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Detection:
    """What the detector says of a message: a language code (ENGLISH, one of NOTE_LANGUAGES, or
    UNDETERMINED), its probability (0 to 1), and whether that is sure enough to act on."""

    language: str
    confidence: float
    sure: bool

    @property
    def foreign(self) -> str | None:
        """The note language the message is surely in, else None (English, or not sure)."""
        return self.language if self.sure and self.language in NOTE_LANGUAGES else None


def detect(text: str) -> Detection:
    """The language of `text`. Never raises; empty or letterless text is UNDETERMINED."""
    text = text[:MAX_INPUT_CHARS]
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return Detection(UNDETERMINED, 0.0, False)
    cyrillic = sum(_script(char) == "CYRILLIC" for char in letters)
    latin = sum(_script(char) == "LATIN" for char in letters)
    if cyrillic > len(letters) / 2:
        return _cyrillic(text, len(letters))
    if latin <= len(letters) / 2:
        return Detection(UNDETERMINED, 0.0, False)
    scores = _scores(text, (ENGLISH, *LATIN_LANGUAGES))
    language = max(scores, key=scores.__getitem__)
    confidence = scores[language]
    sure = (
        confidence >= MIN_CONFIDENCE
        and len(letters) >= MIN_LETTERS
        and len(_WORD.findall(text)) >= MIN_WORDS
    )
    return Detection(language, confidence, sure)


def _script(char: str) -> str:
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A")."""
    return unicodedata.name(char, "").split(" ", 1)[0]


def _cyrillic(text: str, letters: int) -> Detection:
    """Russian or Ukrainian: a telling letter or word if only one side has any, else the
    model's odds between the two."""
    lower = text.lower()
    words = set(_WORD.findall(lower))
    ukrainian = bool(
        _UKRAINIAN_LETTERS & set(lower) or _UKRAINIAN_WORDS & words
        or _APOSTROPHE_IN_WORD.search(lower)
    )
    russian = bool(_RUSSIAN_LETTERS & set(lower) or _RUSSIAN_WORDS & words)
    if ukrainian != russian:
        return Detection("uk" if ukrainian else "ru", 1.0, True)
    scores = _scores(text, CYRILLIC_LANGUAGES)
    language = max(scores, key=scores.__getitem__)
    confidence = scores[language]
    sure = confidence >= CYRILLIC_MIN_CONFIDENCE and letters >= CYRILLIC_MIN_LETTERS
    return Detection(language, confidence, sure)


def _scores(text: str, languages: Sequence[str]) -> dict[str, float]:
    """The model's probabilities for `languages`, renormalised to sum to 1 among them."""
    ranked = dict(_identifier().rank(text))
    raw = {code: float(ranked.get(code, 0.0)) for code in languages}
    total = sum(raw.values())
    if total <= 0.0:
        return {code: 1.0 / len(raw) for code in raw}
    return {code: value / total for code, value in raw.items()}


_loaded: Any = None
_loading = threading.Lock()


def _identifier() -> Any:
    """py3langid's identifier over English and the note languages, loaded once per process
    (under a lock: a second thread asking meanwhile waits for it rather than load another)."""
    global _loaded
    with _loading:
        if _loaded is None:
            import numpy as np

            # (py3langid ships no type hints)
            from py3langid.langid import (  # type: ignore[import-untyped]
                MODEL_DIR,
                MODEL_FILE,
                LanguageIdentifier,
            )
            from py3langid.modelio import load_model  # type: ignore[import-untyped]

            # The model's own set_languages keeps every language's table besides the chosen
            # ones' (28 MB of 139 languages); built from the chosen columns only, the same
            # scores cost 52 MB resident instead of 76.
            table, priors, classes, nextmove, rows, output = load_model(MODEL_DIR / MODEL_FILE)
            wanted = {ENGLISH, *NOTE_LANGUAGES}
            chosen = [index for index, code in enumerate(classes) if code in wanted]
            _loaded = LanguageIdentifier(
                np.ascontiguousarray(table[:, chosen]),
                np.asarray(priors)[chosen],
                [classes[index] for index in chosen],
                nextmove,
                output,
                norm_probs=True,
                tk_row=rows,
            )
        return _loaded


def warm_up() -> None:
    """Load the model now rather than on the first message (about 1 s)."""
    _identifier()


# -- what a message in another language gets ------------------------------------------------

# The matcher reads a foreign message word for word in English (bot.gloss), and a confident
# wrong answer in a language the person may not read well is the worst outcome. On
# tests/data/languages/ the matcher's own gate answers 71 of the 131 foreign questions, all
# rightly, and only suggests or declines the rest (7, all right, before the glossary); so a
# foreign message is answered when the matcher answers it, with no stricter bar.
# tests/test_language.py::test_no_foreign_question_is_answered_wrongly keeps it so; if it
# fails after a change to the matcher, add a bar on match.score here.


@dataclass(frozen=True)
class ForeignReply:
    """The reply to a message surely in a language with notes: the entry answered under the
    note "the answer is in English", or (entry None) the note "I understand English only"
    with the topics to choose from."""

    language: str
    note: str
    entry: Entry | None = None
    signs_asked: bool = False  # as Match.signs_asked: bot.replies.SIGNS_NOW goes first


def foreign_reply(faq: Faq, text: str, match: Match) -> ForeignReply | None:
    """What to send instead of the usual reply to `match`, or None to send the usual one: an
    urgent reply, an English or unsure message, a language without notes in this FAQ, or a FAQ
    without a `languages:` section."""
    if match.status is Status.URGENT or not faq.languages:
        return None
    language = detect(text).foreign
    notes = faq.languages.get(language) if language else None
    if language is None or notes is None:
        return None
    if match.status is Status.ANSWER and match.entry is not None:
        return ForeignReply(language, notes.answer_note, match.entry, match.signs_asked)
    return ForeignReply(language, notes.english_only, signs_asked=match.signs_asked)
