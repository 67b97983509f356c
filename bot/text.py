"""Text normalisation shared by the FAQ index and incoming questions.

Both sides of every comparison go through the same functions, so a word in faq.yaml and the
same word typed by a patient (in capitals, fullwidth letters, with emoji or a curly apostrophe)
end up as the same token.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

# Telegram caps a message at 4,096 characters; anything longer is not a question a person typed,
# and reading only a bounded prefix keeps match() fast on hostile input.
MAX_INPUT_CHARS = 4096

# straight, right and left single quotes, backtick, acute accent
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
_NON_WORD = re.compile(r"[^\w]+|_+")


def _word_list(name: str) -> frozenset[str]:
    """A word list of the package (bot/data/NAME): words separated by spaces and lines, with
    `#` comment lines."""
    text = resources.files("bot").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return frozenset(
        word for line in text.splitlines() if not line.startswith("#") for word in line.split()
    )


# Function words and question frames ("can you tell me", "what is"): no topic.
STOPWORDS: frozenset[str] = _word_list("stopwords.txt")

# Words about the person's situation ("my doctor said", "for years"), not the topic.
CONTEXT_WORDS: frozenset[str] = _word_list("context_words.txt")

# Verbs that tell who said something ("my dentist said", "the chiro mentioned"), and words
# that open a clause setting the scene of a question asked after it ("Before I book, ...").
REPORTING_WORDS: frozenset[str] = _word_list("reporting_words.txt")
SCENE_OPENERS: frozenset[str] = _word_list("scene_openers.txt")


def normalize(text: str, limit: int | None = MAX_INPUT_CHARS) -> str:
    """Fold a message to lowercase words separated by single spaces.

    NFKC turns fullwidth letters and non-breaking spaces into their plain forms; format characters
    (zero-width spaces, joiners, direction marks) are dropped so they cannot split a word; every
    run of punctuation, emoji or control characters becomes one space. Only the first `limit`
    characters are read (None: all of them, for the FAQ's own long answers).
    """
    text = unicodedata.normalize("NFKC", text[:limit]).casefold()
    if not text.isascii():  # format characters are never ASCII; skip the per-character scan
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


# Where a clause ends: sentence and clause punctuation, a dash between words, brackets, and the
# words that turn a sentence ("no chest pain, but my arm is numb"). A decimal point or a
# hyphenated word is no end.
_CLAUSE_END = re.compile(
    r"[!?;\n()\[\]]+|[.,:](?!\d)|\s[-\u2013\u2014]+\s|[\u2013\u2014]"
    r"|\b(?:but|however|although|though|except|whereas)\b",
    re.IGNORECASE,
)


def clauses(text: str, limit: int | None = MAX_INPUT_CHARS) -> list[str]:
    """The clauses of a message (of its first `limit` characters), in order; `words` of them
    all, one after another, are the message's words."""
    return [clause for clause, _ in clauses_with_ends(text, limit)]


def clauses_with_ends(text: str, limit: int | None = MAX_INPUT_CHARS) -> list[tuple[str, str]]:
    """The clauses of a message (of its first `limit` characters), in order, each with what
    ends it as written ("?", ",", "but"; "" for the last)."""
    text = text[:limit]
    result: list[tuple[str, str]] = []
    start = 0
    for end in _CLAUSE_END.finditer(text):
        result.append((text[start : end.start()], end.group()))
        start = end.end()
    result.append((text[start:], ""))
    return result


# Words a question starts with: question words and auxiliary verbs.
QUESTION_STARTS = frozenset({
    "what", "whats", "where", "wheres", "when", "how", "hows", "why", "who", "whos", "which",
    "whose", "do", "does", "did", "is", "isnt", "are", "was", "were", "am", "can", "could",
    "will", "would", "should", "shall", "may", "might", "have", "has", "any", "tell",
})
# Words that may come before a question's first word: "Also, are you open on Sundays?".
CONNECTIVES = frozenset({"and", "also", "plus", "so", "but", "then", "oh", "ok", "okay"})


# Words by which a message refers back to what was said ("how does it work?", "what if it
# hurts?"): with one of them, a part or a subject is about the same thing, not a new one.
REFERRING = frozenset({"it", "its", "that", "this", "they", "them", "those", "these", "one"})


def asks(part: str) -> bool:
    """Whether a part of a message reads as a question: its first word (after "and", "also"
    and the like) is a question word or an auxiliary verb."""
    found = words(part, limit=None)
    while found and found[0] in CONNECTIVES:
        found = found[1:]
    return bool(found) and found[0] in QUESTION_STARTS


# The marks that end a sentence (bot.triage reads a laugh within its sentence too).
SENTENCE_MARKS = ".!?\u2026"
# Words whose full stop ends no sentence ("Dr. Patel", "St. Mary's", "spa vs. clinic").
TITLES = ("dr", "mr", "mrs", "ms", "st", "vs")
# Where a sentence ends: one of SENTENCE_MARKS and a space; not after a title.
_SENTENCE_END = re.compile(
    "".join(rf"(?<!\b{title}\.)" for title in TITLES) + rf"(?<=[{SENTENCE_MARKS}])\s+",
    re.IGNORECASE,
)
_ENDS_WITH_TITLE = re.compile(rf"\b(?:{'|'.join(TITLES)})\s*$", re.IGNORECASE)


def ends_with_title(text: str) -> bool:
    """Whether a piece of text ends with a title, whose full stop ends no sentence."""
    return _ENDS_WITH_TITLE.search(text) is not None


def asking_sentence(text: str) -> str | None:
    """The last sentence of a message of several that asks (by its first word or its "?"),
    when others stand beside it: "My wife has fibromyalgia and hurts all over. Do you treat
    fibromyalgia?". None for a message of one sentence, or of none that asks. A sentence that
    opens with a connective goes on with the one before it ("Do you treat migraines? And
    sciatica")."""
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text.strip()):
        part = part.strip()
        opening = words(part[:40], limit=None)[:1]
        if sentences and opening and opening[0] in CONNECTIVES:
            sentences[-1] = f"{sentences[-1]} {part}"
        elif part:
            sentences.append(part)
    if len(sentences) < 2:
        return None
    asking = [part for part in sentences if part.endswith("?") or asks(part)]
    return asking[-1] if asking else None


def words(text: str, limit: int | None = MAX_INPUT_CHARS) -> list[str]:
    """The normalised words of a message, in order (of its first `limit` characters)."""
    return normalize(text, limit).split()


def stem(word: str) -> str:
    """A light, deterministic suffix stripper: enough to make plurals and verb forms meet.

    It need not produce real words, only the same stem for "migraine" and "migraines" or
    "sleep" and "sleeping"; it leaves short words and Latin-looking endings ("-itis", "-us") alone.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    # plurals first, so "bookings" and "booking" meet below
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ment") and len(word) > 7:
        word = word[:-4]
    # "treated" meets "treat", "emotionally" meets "emotional"
    elif (word.endswith("ed") and len(word) > 4) or (word.endswith("ally") and len(word) > 6):
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word
