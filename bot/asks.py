"""What a message asks about an entry's subject, and whether the entry answers that.

"Is fibromyalgia hereditary?" is close in meaning to "Do you treat fibromyalgia?": the two share
their subject, and a sentence embedding weighs the subject most. What tells them apart is the
rest of the message, what it asks of the subject. So the subject's words are put as "it" on
both sides, and what is left of the message ("is it hereditary") is compared with what is left
of the entry's question, alternates and answer paragraphs ("do you treat it", "Treated
Conditions: it"), and with what people often ask about a subject that a FAQ's entry about it
seldom answers (bot/data/asks.txt: "is it hereditary", "what causes it"). An entry that answers
such an ask says it in its own words, which are compared too.

`AskIndex.lead` is how much closer the message's ask is to the nearest of those generic asks
than to anything the entry says: a number below 0, or 0 when the entry says something at least
as close, or when the message does not name the entry's subject or asks nothing beside it
("fibromyalgia?"). The fitted decision reads it as the gate's feature `ask_lead`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np

from bot.faq import Faq
from bot.lexical import LexicalIndex
from bot.semantic import VectorCache, paragraphs
from bot.spelling import Speller
from bot.text import STOPWORDS

# A term of an entry's head that at most this share of the FAQ's entries hold (or only the
# entry itself) is a word of its subject: "fasciitis", "cupping", not "massage" or "pain". A
# quarter is where the prototype measured (BM25 idf 1.5 on the bundled FAQ, about a quarter of
# its entries); the fitted weight of ask_lead then does the rest.
SUBJECT_SHARE = 0.25
# What stands for the subject on both sides.
SUBJECT = "it"


@cache
def generic_asks() -> tuple[str, ...]:
    """bot/data/asks.txt: what people ask of a subject that its entry seldom answers."""
    text = resources.files("bot").joinpath("data/asks.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


class AskIndex:
    """Each entry's subject and its asks (its texts with the subject as "it"), embedded."""

    def __init__(
        self, faq: Faq, speller: Speller, lexical: LexicalIndex, cache: VectorCache
    ) -> None:
        """`faq` and `lexical` as the matcher reads them (bot.coverage's view of the FAQ)."""
        self._speller = speller
        self._encoder = cache.encoder
        most = max(1.0, SUBJECT_SHARE * len(faq.entries))
        holding = lexical.entries_holding
        self._subjects = [
            frozenset(term for term in head if holding.get(term, 0) <= most)
            for head in lexical.heads
        ]
        # The rest of each head's terms, words many entries hold ("massage", "pain"): in a
        # message they may finish the subject's name ("swedish massage", "sciatica pain").
        self._name_ends = [
            head - subject for head, subject in zip(lexical.heads, self._subjects, strict=True)
        ]
        texts: list[str] = []
        starts: list[int] = []
        for entry, subject, ends in zip(faq.entries, self._subjects, self._name_ends, strict=True):
            starts.append(len(texts))
            own = [entry.question, *entry.alternates, *paragraphs(entry.answer)]
            texts.extend(dict.fromkeys(
                self._asked(speller.words(text), subject, ends) for text in own
            ))
        self.texts = [*texts, *generic_asks()]  # in the order embedded
        vectors = cache.vectors(self.texts)
        self._own = vectors[: len(texts)]
        self._generic = vectors[len(texts) :]
        self._starts = np.array([*starts, len(texts)], dtype=np.intp)

    def subject(self, index: int) -> frozenset[str]:
        """The terms of entry `index`'s subject."""
        return self._subjects[index]

    def asked(self, raw: Sequence[str], terms: Sequence[str], index: int) -> str:
        """The message (its folded words and their terms) with entry `index`'s subject as
        SUBJECT: what it asks of that subject."""
        subject = self._subjects[index] & set(terms)
        return self._asked(raw, subject, self._name_ends[index], terms)

    def lead(self, raw: Sequence[str], terms: Sequence[str], index: int) -> float:
        """How much closer the message (its folded words and their terms) asks something of
        entry `index`'s subject that a generic ask names than anything the entry says: below 0,
        or 0 (see the module's doc)."""
        subject = self._subjects[index] & set(terms)
        if not subject or all(term in subject or term in STOPWORDS for term in terms):
            return 0.0
        asked = self._asked(raw, subject, self._name_ends[index], terms)
        vector = self._encoder.encode([asked])[0]
        own = self._own[self._starts[index] : self._starts[index + 1]]
        closest_own = float((own @ vector).max()) if len(own) else -1.0
        return min(0.0, closest_own - float((self._generic @ vector).max()))

    def _asked(
        self,
        raw: Sequence[str],
        subject: frozenset[str],
        name_ends: frozenset[str],
        terms: Sequence[str] | None = None,
    ) -> str:
        """The words with each run of the subject's words as one SUBJECT. A run goes on over
        the words of `name_ends` that follow it: in English a name ends in its noun ("swedish
        massage"), and left as part of the ask, "massage" stood on both sides ("who invented it
        massage" against the entry's "what is it massage") and hid how far apart they are."""
        terms = self._speller.terms_of(raw) if terms is None else terms
        kept: list[str] = []
        in_run = False
        for word, term in zip(raw, terms, strict=True):
            if term in subject or (in_run and term in name_ends and term not in STOPWORDS):
                if not in_run:
                    kept.append(SUBJECT)
                in_run = True
            else:
                kept.append(word)
                in_run = False
        return " ".join(kept)
