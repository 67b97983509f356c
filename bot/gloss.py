"""Reading a message written in another language word for word in English.

The sentence model and the FAQ's words are English: "¿Tratan la ciática?" shares no word
with "Do you treat sciatica?", and the model reads it as noise. A glossary of the words
patients use (bot/data/glossary.yaml: question words, body parts, conditions, treatments, the
practice's business, in the languages the bot has notes for) turns it into "treat sciatica",
which the matcher then reads like any English message. The result is no translation, only its
words; that is what the lexical and the semantic signals weigh most. A form the glossary does
not list is read as the listed word it differs from only by a short ending (INFLECTION); a
German or Dutch compound as its two parts (COMPOUNDING); and a long word none of these reads,
as the FAQ's own word it is spelt almost like ("rehabilitasyon": rehabilitation; COGNATE_RATIO).

Which language: the one whose glossary holds most of the message's words that are not
English. A glossary word that is also an everyday English word ("pain", French for bread;
"son", "come", "main"), or a word of the FAQ's own questions, does not count, so an English
message is read as foreign only when most of its words are not English (a few typos it then
mends: "depresion"). Once a message is read as a language, its everyday-English words that
are that language's are read as such ("dos" is back in "j'ai mal au dos": a French message
has no English "dos"), but never the FAQ's own words; a message that mixes English with
another language ("mi hijo se cayó, now he is vomiting") keeps its other English words.

Developer-owned data, like the triage: an admin's faq.yaml does not change it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from bot.lexicon import common_words
from bot.package_data import package_yaml
from bot.text import MAX_INPUT_CHARS, clauses_with_ends, normalize

# A message is read in another language when at least this many of its words are in that
# language's glossary and not English ("tratan" and "ciática"), and they are at least
# FOREIGN_SHARE of its words; or when such words are at least half of its words ("ciática?"
# alone). The share keeps an English message with a stray word or two of another language
# ("I'd love a siesta after a massage, lol") English; "mi hijo se cayó y se golpeó la
# cabeza, now he's vomiting" has eight words of Spanish in twelve.
MIN_FOREIGN_WORDS = 2
FOREIGN_SHARE = 0.25
# A word the glossary lacks is read as a glossary word of its language that it shares its
# first letters with, all but an ending of at most INFLECTION letters on each side: Russian
# "клинического" as "клинический", Polish "pomożecie" as "pomoże", French "soignez" as
# "soigner". Languages inflect more than English, and the glossary lists a few forms of a word,
# never all. At least STEM letters must be shared, so short words are read only as listed.
INFLECTION = 3
STEM = 5
# A listed word read with a person ("работаете": are you open, "tienen": do you have) is that
# person's form of its verb: another form is another person ("работаю" is I work, "tiene" she
# has), so only readings without one of these lend themselves to forms the glossary lacks.
PERSONS = frozenset({"i", "you", "we", "he", "she", "it", "they", "me", "us", "him", "them"})
# A word no glossary form reads is read as the FAQ's own word it is spelt almost like: the
# names of conditions and treatments are shared across languages ("rehabilitasyon" and
# "tendinit", Turkish; "fascitis", Spanish: rehabilitation, tendinitis, fasciitis), and no
# glossary lists them all. Only for a word of COGNATE_LETTERS or more that begins as the FAQ's
# word does (its first COGNATE_START letters), with a rapidfuzz ratio (0-100) of at least
# COGNATE_RATIO. Shorter words, or another beginning, made false friends of the multilingual
# sets' words: Spanish "persona" read as "personal", Portuguese "colateral" as "lateral".
COGNATE_LETTERS = 8
COGNATE_START = 3
COGNATE_RATIO = 85
# German and Dutch write a compound as one word ("Spannungskopfschmerzen": Spannung +
# Kopfschmerzen, tension headache): a word the glossary lacks is read as two of its words of at
# least PART_LETTERS letters each, joined directly or by a linking letter or two.
COMPOUNDING = frozenset({"de", "nl"})
PART_LETTERS = 4
LINKS = ("", "s", "es", "n", "en", "e")
# The one-letter English words, which the everyday list (bot/data/common_words.txt) leaves
# out: Italian and Polish "i" is "and", Spanish and Portuguese "a" is "to".
ONE_LETTER_ENGLISH = frozenset({"a", "i"})

# A word, with the apostrophes inside it ("he's", "l'épaule"), or a number.
# A number keeps its decimals, a percent sign and a pressure's slash: a reading ("sucre 1,9",
# "sats 84%", "pressione 230/130") is read in English as written (bot.readings).
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\d+(?:[.,/]\d+)?%?")
_APOSTROPHE = re.compile(r"['\u2019]")  # typed, or typographic


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lowercase and without accents ("Ciática" reads "ciatica"). Cached: building the
    glossary folds its 18,000 entries' words, most of them many times over."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def accented_form(written: str) -> str:
    """A word as written, lowercase and composed, its accents kept: what tells apart two
    glossary words that fold alike."""
    return unicodedata.normalize("NFC", _APOSTROPHE.sub("", written.casefold()))


def tokens(text: str, english: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The words of a text as (folded, as written). An apostrophe splits a word ("l'épaule":
    "l", "epaule"; French and Italian elide so) unless the word without it is English
    ("he's", "don't")."""
    result: list[tuple[str, str]] = []
    for written in _TOKEN.findall(text):
        folded = fold(written)
        if _APOSTROPHE.search(folded) and _APOSTROPHE.sub("", folded) not in english:
            parts = zip(_APOSTROPHE.split(folded), _APOSTROPHE.split(written), strict=True)
            result.extend((part, original) for part, original in parts if part)
        else:
            result.append((_APOSTROPHE.sub("", folded), written))
    return result


class Glossary:
    """Per language, its words and phrases (folded) with their English."""

    def __init__(self, table: Mapping[str, Mapping[str, str]], english: frozenset[str]) -> None:
        """`table`: per language, foreign word or phrase to English; `english`: the everyday
        English words, folded."""
        self._english = english = english | ONE_LETTER_ENGLISH
        self._phrases: dict[str, dict[tuple[str, ...], str]] = {}
        # Per language, the entries that fold to another entry's key with another meaning
        # (Polish "cześć", hello, and "część", part), by their words as written: a message
        # that writes the accents gets the one it wrote, one that leaves them out the first
        # listed.
        self._accented: dict[str, dict[tuple[str, ...], str]] = {}
        # The single words of the glossary, folded as bot.spelling folds a message's words,
        # with their English (of every language that has the word).
        self.words: dict[str, str] = {}
        # Many entries share their English ("chest pain"): each is cut once.
        readings: dict[str, str] = {}
        for language, entries in table.items():
            phrases: dict[tuple[str, ...], str] = {}
            accented: dict[tuple[str, ...], str] = {}
            written_of: dict[tuple[str, ...], str] = {}  # the first entry of each key
            for foreign, meaning in entries.items():
                foreign, meaning = str(foreign), str(meaning or "")
                # (a key with a space is a phrase: no need to fold it to find out)
                word = "" if " " in foreign.strip() else normalize(foreign)
                if word and " " not in word and word not in english:
                    self.words[word] = f"{self.words.get(word, '')} {normalize(meaning)}"
                # cut as a message's words are, so that "qu'est-ce que" meets "qu'est-ce que"
                cut = tokens(foreign, english)
                key = tuple(folded for folded, _ in cut)
                if not key:  # (a key of English words only counts for nothing: `english`)
                    continue
                reading = readings.get(meaning)
                if reading is None:
                    reading = readings[meaning] = " ".join(
                        written for _, written in tokens(meaning, english)
                    )
                first = phrases.setdefault(key, reading)
                if first != reading:  # rare: cut the words as written only then
                    as_written = tuple(accented_form(written) for _, written in cut)
                    before = tuple(
                        accented_form(written) for _, written in tokens(written_of[key], english)
                    )
                    if before != as_written:
                        accented[before] = first
                        accented[as_written] = reading
                written_of.setdefault(key, foreign)
            self._phrases[language] = phrases
            self._accented[language] = accented
        self._longest = max(
            (len(key) for phrases in self._phrases.values() for key in phrases), default=0
        )
        # per language, every word of its phrases, and its single words of STEM letters or
        # more by their first STEM letters
        self._key_words: dict[str, frozenset[str]] = {}
        self._stems: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for language, phrases in self._phrases.items():
            self._key_words[language] = frozenset(word for key in phrases for word in key)
            stems: dict[str, list[tuple[str, str]]] = {}
            for key, meaning in phrases.items():
                if len(key) == 1 and len(key[0]) >= STEM and PERSONS.isdisjoint(meaning.split()):
                    stems.setdefault(key[0][:STEM], []).append((key[0], meaning))
            self._stems[language] = stems

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._phrases)

    def english(
        self, text: str, known: frozenset[str] = frozenset(), *, unread: bool = True
    ) -> str | None:
        """The message read word for word in English, or None when it does not read as one
        of the glossary's languages (most English messages). `known`: more words to read as
        English, the FAQ's own ("thoracic" is not French "thoracique"). `unread`: keep the
        words it cannot read, as written; without them, only English remains."""
        both = self.readings(text, known)
        if both is None:
            return None
        return both[0] if unread else both[1]

    def readings(
        self, text: str, known: frozenset[str] = frozenset(), slips: frozenset[str] = frozenset()
    ) -> tuple[str, str] | None:
        """`english` with the unread words kept and without them, from one reading. `slips`:
        words that are slips of the keyboard for an English word ("clincal"): no evidence of
        another language, and kept, as written, in both readings ("wat is clincal massge" is
        no Dutch, and in a Dutch message "clincal" is no noise)."""
        # Read clause by clause, and the clauses' ends kept: triage reads a cue ("et si",
        # what if) only within its clause, so "et si c'est grave ? il s'est évanoui" must
        # not read "what if it is grave il fainted".
        clauses = [
            (tokens(clause, self._english), end)
            for clause, end in clauses_with_ends(text[:MAX_INPUT_CHARS])
        ]
        words = [word for clause, _ in clauses for word in clause]
        unknown = {
            word for word, _ in words
            if word not in self._english and word not in known and word not in slips
        }
        best: tuple[int, list[list[Piece]]] | None = None
        for language in self._phrases:
            # only a word that is not English counts, so a language none of whose words the
            # message holds is not read (most English messages: a few set lookups)
            if not any(
                word in self._key_words[language] or word[:STEM] in self._stems[language]
                for word in unknown
            ):
                continue
            found = 0
            pieces_by_clause = []
            for clause, _ in clauses:
                folded = [word for word, _ in clause]
                written = [accented_form(word) for _, word in clause]
                pieces = self._pieces(folded, language, known, written)
                pieces_by_clause.append(pieces)
                found += sum(
                    piece.end - piece.start for piece in pieces
                    if piece.english is not None and not piece.guessed
                    and any(word in unknown for word in folded[piece.start : piece.end])
                )
            if found and (best is None or found > best[0]):
                best = (found, pieces_by_clause)
        if best is None:
            return None
        found, pieces_by_clause = best
        if 2 * found < len(words) and (
            found < MIN_FOREIGN_WORDS or found < FOREIGN_SHARE * len(words)
        ):
            return None
        kept = known | slips
        return (
            self._said(clauses, pieces_by_clause, kept, unread=True),
            self._said(clauses, pieces_by_clause, kept, unread=False),
        )

    def _said(
        self,
        clauses: Sequence[tuple[list[tuple[str, str]], str]],
        pieces_by_clause: Sequence[Sequence[Piece]],
        known: frozenset[str],
        *,
        unread: bool,
    ) -> str:
        """The reading of cut clauses: each piece's English, an unread word as written (with
        `unread`, or when it is English), the clauses' ends kept between them."""
        read: list[str] = []
        read_end = ""
        for (clause, end), pieces in zip(clauses, pieces_by_clause, strict=True):
            said = [
                part for part in (
                    piece.english if piece.english is not None
                    else clause[piece.start][1] if unread or _english_word(
                        clause[piece.start][0], self._english, known
                    ) else ""
                    for piece in pieces
                ) if part
            ]
            if said and read:  # the end of the clause before, as written (space: a new line)
                read.append(read_end or "\n")
            read.extend(said)
            if said:
                read_end = end.strip()
        return " ".join(read)

    def _inflected(self, word: str, language: str) -> str | None:
        """The English of the glossary word `word` is a form of (see INFLECTION), or None."""
        if len(word) < STEM or word in self._english:
            return None
        best: tuple[int, int, str] | None = None
        for key, meaning in self._stems[language].get(word[:STEM], ()):
            shared = next(
                (place for place, (a, b) in enumerate(zip(word, key, strict=False)) if a != b),
                min(len(word), len(key)),
            )
            if len(word) - shared <= INFLECTION and len(key) - shared <= INFLECTION:
                trial = (shared, -len(key), meaning)
                if best is None or trial[:2] > best[:2]:
                    best = trial
        return None if best is None else best[2]

    def _compound(self, word: str, language: str) -> str | None:
        """The English of a compound of two glossary words (see COMPOUNDING), the longest
        first part first; None when the language does not compound or no cut reads."""
        if language not in COMPOUNDING or len(word) < 2 * PART_LETTERS or word in self._english:
            return None
        phrases = self._phrases[language]
        for cut in range(len(word) - PART_LETTERS, PART_LETTERS - 1, -1):
            head, tail = word[:cut], word[cut:]
            last = phrases.get((tail,)) or self._inflected(tail, language)
            if last is None:
                continue
            for link in LINKS:
                if link and not head.endswith(link):
                    continue
                stem = head[: len(head) - len(link)]
                if len(stem) < PART_LETTERS:
                    continue
                first = phrases.get((stem,)) or self._inflected(stem, language)
                if first is not None:
                    return f"{first} {last}"
        return None

    def _pieces(
        self,
        words: Sequence[str],
        language: str,
        known: frozenset[str] = frozenset(),
        written: Sequence[str] = (),
    ) -> list[Piece]:
        """The words (folded; `written`: the same as accented_form gives them) cut into
        glossary phrases and single other words: the cut that puts the most words in phrases,
        then the one with fewest pieces ("l'épaule gelée" is "l" and "épaule gelée", frozen
        shoulder, not "l'épaule" and "gelée")."""
        phrases = self._phrases[language]
        accented = self._accented[language] if written else {}
        count = len(words)
        # best[i]: (words in phrases, -pieces) for words[i:], and its first piece
        best: list[tuple[int, int]] = [(0, 0)] * (count + 1)
        first: list[Piece] = [Piece(count, count, None)] * (count + 1)
        for start in range(count - 1, -1, -1):
            covered, pieces = best[start + 1]
            best[start], first[start] = (covered, pieces - 1), Piece(start, start + 1, None)
            for size in range(1, min(self._longest, count - start) + 1):
                if size == 1 and words[start] in known:
                    continue
                meaning = accented.get(tuple(written[start : start + size])) if accented else None
                if meaning is None:
                    meaning = phrases.get(tuple(words[start : start + size]))
                guessed = False
                if meaning is None and size == 1:
                    meaning = self._inflected(words[start], language)
                    if meaning is None:
                        meaning = self._compound(words[start], language) or _cognate(
                            words[start], known
                        )
                        guessed = True
                if meaning is None:
                    continue
                covered, pieces = best[start + size]
                trial = (covered + size, pieces - 1)
                if trial > best[start]:
                    best[start], first[start] = trial, Piece(
                        start, start + size, meaning, guessed
                    )
        result = []
        start = 0
        while start < count:
            result.append(first[start])
            start = first[start].end
        return result


@dataclass(frozen=True)
class Piece:
    """Words start to end of a message: a glossary phrase with its English, or one other
    word (english None)."""

    start: int
    end: int
    english: str | None
    # read as a compound or a cognate (COMPOUNDING, COGNATE_RATIO), not found in the glossary:
    # no evidence of the language, as an English word with a typo may read so too
    guessed: bool = False


@cache
def builtin_glossary() -> Glossary:
    """bot/data/glossary.yaml, loaded once per process."""
    table = package_yaml("data/glossary.yaml")
    return Glossary(checked(table), common_words())


def checked(table: object) -> dict[str, dict[str, str]]:
    """A glossary table as YAML loaded it, refused unless every language maps words to
    words: an unquoted `no` or `on` loads as a boolean and would read as "" or "True"
    without a word said. A developer's file: a mistake in it is a bug, found by the tests."""
    if not isinstance(table, dict):
        raise ValueError("bot/data/glossary.yaml: needs a mapping of language codes")
    for language, entries in table.items():
        if not isinstance(entries, dict):
            raise ValueError(f"bot/data/glossary.yaml: {language}: needs a mapping of words")
        for foreign, meaning in entries.items():
            if not isinstance(foreign, str) or not isinstance(meaning, str):
                raise ValueError(
                    f"bot/data/glossary.yaml: {language}: {foreign!r}: {meaning!r} is not"
                    " text (quote it)"
                )
    return table


def _cognate(word: str, known: frozenset[str]) -> str | None:
    """The FAQ's own word (`known`) that `word` is spelt almost like (see COGNATE_RATIO)."""
    if len(word) < COGNATE_LETTERS:
        return None
    found = process.extractOne(
        word, _long_words(known).get(word[:COGNATE_START], ()), scorer=fuzz.ratio,
        score_cutoff=COGNATE_RATIO,
    )
    return None if found is None else found[0]


@lru_cache(maxsize=8)
def _long_words(known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The words of `known` long enough to be a cognate's, by their first COGNATE_START
    letters, once per FAQ (a frozenset keeps its hash)."""
    by_start: dict[str, list[str]] = {}
    for word in sorted(known):
        if len(word) >= COGNATE_LETTERS - 2:
            by_start.setdefault(word[:COGNATE_START], []).append(word)
    return {start: tuple(words) for start, words in by_start.items()}


def _english_word(word: str, english: frozenset[str], known: frozenset[str]) -> bool:
    return word in english or word in known or word.isdigit()
