"""The semantic signal: how close a message's meaning is to each entry, by sentence embeddings.

When a FAQ loads, every entry's question, alternates and keywords (its "head") and each
paragraph and sentence of its answer (its "body") are embedded.
A message is then embedded once, and one matrix product gives its cosine similarity to every
text; an entry's head score is its closest head text, its body score its closest paragraph or
sentence.

Embedding a FAQ's texts is the slow part of a load, so vectors are cached: in memory for the
process (a reload embeds only texts that changed) and, when a cache directory is given, on
disk (a restart or a big FAQ loads in a fraction of a second). Only the FAQ's own texts are
cached, never a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.embedding import Encoder, Vectors, without_negligible
from bot.faq import Entry, Faq

log = logging.getLogger(__name__)


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class VectorCache:
    """Vectors of texts already embedded by one encoder, kept in memory and optionally on disk
    (`directory`/<encoder>.npz, holding the texts of the last FAQ loaded).

    The package ships the vectors of the bundled faq.yaml's texts (bot/models/seed-<encoder>.npz,
    made by scripts/seed_vectors.py), so a fresh install answers at once; after an edit only
    the texts that changed are embedded."""

    def __init__(
        self, encoder: Encoder, directory: Path | None = None, seeds: Sequence[Path] = ()
    ) -> None:
        self.encoder = encoder
        self._memory: dict[bytes, Vectors] = {}
        self._path = directory / f"{encoder.name}.npz" if directory else None
        # Inside `one_load`: the keys asked for so far, and whether any was embedded.
        self._load: list[bytes] | None = None
        self._load_embedded = False
        for path in (*seeds, *([self._path] if self._path else [])):
            if path.is_file():
                self._read(path)

    def _read(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
                revision = str(stored["revision"]) if "revision" in stored else "none"
            if vectors.ndim != 2 or vectors.shape[1] != self.encoder.dims:
                raise ValueError(f"vectors of {vectors.shape[1:]} numbers")
            if len(keys) != len(vectors):
                raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        # A file cut short by a crash, or not a cache at all: numpy raises any of these.
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("Ignoring the embedding cache %s (%s); it will be rebuilt", path, exc)
            return
        if revision != self.encoder.revision:
            # Another model, or this one run another way: its vectors would not compare with
            # a message's. Normal after an upgrade, so not a warning.
            log.info("Not using %s: its vectors were made by another model version", path)
            return
        # A cache written before negligible components were dropped still reads fast.
        vectors = without_negligible(vectors.astype(np.float32))
        for key, vector in zip(keys, vectors, strict=True):
            # numpy's fixed-width bytes drop a key's trailing zero bytes: put them back, or one
            # text in 256 is never found and is embedded again on every start
            self._memory[bytes(key).ljust(32, b"\0")] = vector

    def save(self, path: Path, texts: Sequence[str]) -> None:
        """Write the vectors of `texts` to `path` (the format `_read` takes)."""
        self.vectors(texts)
        with path.open("wb") as file:
            self._dump(file, [_key(text) for text in texts])

    def _dump(self, file: BinaryIO, keys: Sequence[bytes]) -> None:
        """The vectors of `keys` (each once) in the format `_read` takes."""
        wanted = list(dict.fromkeys(keys))
        np.savez(
            file,
            keys=np.array(wanted, dtype="S32"),
            vectors=np.vstack([self._memory[key] for key in wanted]),
            revision=np.array(self.encoder.revision),
        )

    @contextlib.contextmanager
    def one_load(self) -> Iterator[None]:
        """Every `vectors` call inside is one FAQ's: the disk cache is written once, at the
        end, with all their texts (written after each call, the last would replace the
        others', and the next start would embed those again)."""
        self._load, self._load_embedded = [], False
        try:
            yield
            if self._load_embedded:
                self._write(self._load)
        finally:
            self._load = None

    def vectors(self, texts: Sequence[str]) -> Vectors:
        """One row per text, embedding only texts not seen before."""
        keys = [_key(text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True)
                   if key not in self._memory}
        if missing:
            fresh = self.encoder.encode(list(missing.values()))
            self._memory.update(zip(missing, fresh, strict=True))
        if self._load is not None:
            self._load.extend(keys)
            self._load_embedded |= bool(missing)
        elif missing:
            self._write(keys)
        if not keys:
            return np.zeros((0, self.encoder.dims), dtype=np.float32)
        return np.vstack([self._memory[key] for key in keys])

    def _write(self, keys: Sequence[bytes]) -> None:
        """Save the vectors of this FAQ's texts, atomically; a cache that cannot be written
        only makes the next start slower."""
        if self._path is None:
            return
        temporary: str | None = None
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                self._dump(file, keys)
            os.replace(temporary, self._path)
        except OSError as exc:
            log.warning("Could not write the embedding cache %s: %s", self._path, exc)
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


@dataclass(frozen=True)
class Closeness:
    """A message's cosine similarity to each entry (arrays in entry order)."""

    head: Vectors  # to the closest of the entry's question, alternates and keywords
    question: Vectors  # to the entry's question
    body: Vectors  # to the closest paragraph or sentence of its answer (body_texts)
    whole: Vectors  # to its question and answer read as one text (whole_text)


def whole_text(entry: Entry) -> str:
    """An entry's question and answer as one text. A message often says what the answer talks
    about rather than what the question asks ("my tooth got knocked out playing rugby" for
    "What should I do if a tooth is knocked out?"), and a question read with its answer is
    less ambiguous than either alone: on FAQs written as question and answer only, the closest
    such text is the right entry more often than the closest question or answer paragraph. The
    model reads at most the first bot.embedding.MAX_TOKENS word pieces of it."""
    return f"{entry.question} {entry.answer}"


def _texts(faq: Faq) -> tuple[list[str], list[int], list[str], list[int]]:
    """The head texts and the body texts of every entry, each with its entry's index."""
    head: list[str] = []
    head_owner: list[int] = []
    body: list[str] = []
    body_owner: list[int] = []
    for index, entry in enumerate(faq.entries):
        for text in dict.fromkeys(entry.phrasings):
            head.append(text)
            head_owner.append(index)
        for text in body_texts(entry.answer):
            body.append(text)
            body_owner.append(index)
    return head, head_owner, body, body_owner


class SemanticIndex:
    """The embedded texts of one FAQ."""

    def __init__(self, faq: Faq, cache: VectorCache) -> None:
        self.encoder = cache.encoder
        head, head_owner, body, body_owner = _texts(faq)
        # A head text several entries share (a not-covered topic's phrases, which every entry
        # covering the topic takes over) is compared with the message once: rows of the same
        # text point to one vector. A generated FAQ of 10,000 entries has 480,000 head rows
        # and 75,000 texts.
        unique = list(dict.fromkeys(head))
        position = {text: index for index, text in enumerate(unique)}
        self._head_rows = np.array([position[text] for text in head], dtype=np.intp)
        self.texts = [*unique, *body, *map(whole_text, faq.entries)]  # in the order embedded
        vectors = cache.vectors(self.texts)
        self._head = vectors[: len(unique)]
        self._body = vectors[len(unique) : len(unique) + len(body)]
        self._whole = vectors[len(unique) + len(body) :]
        # Rows are in entry order, so each entry's rows start where np.maximum.reduceat needs.
        self._head_starts = _starts(head_owner)
        self._body_starts = _starts(body_owner)

    def closeness(self, message: str) -> Closeness:
        """How close the message is to each entry."""
        return self.closeness_of(self.encoder.encode([message])[0])

    def closeness_of(self, vector: Vectors, among: Sequence[int] | None = None) -> Closeness:
        """How close a message, as its vector, is to each entry; with `among`, to those entries
        only, every other one read as -1 (as far as a cosine goes): comparing with a few
        entries' rows costs next to nothing, with every row of a big FAQ milliseconds."""
        if among is not None:
            return self._closeness_among(vector, among)
        similarity = (self._head @ vector)[self._head_rows]
        head = np.maximum.reduceat(similarity, self._head_starts)
        question = similarity[self._head_starts]
        body = np.maximum.reduceat(self._body @ vector, self._body_starts)
        return Closeness(head, question, body, self._whole @ vector)

    def _closeness_among(self, vector: Vectors, among: Sequence[int]) -> Closeness:
        count = len(self._head_starts)
        head, question, body, whole = (np.full(count, -1.0, dtype=np.float32) for _ in range(4))
        for index in among:
            rows = self._head_rows[_span(self._head_starts, index, len(self._head_rows))]
            similarity = self._head[rows] @ vector
            head[index], question[index] = similarity.max(), similarity[0]
            sentences = self._body[_span(self._body_starts, index, len(self._body))]
            body[index] = (sentences @ vector).max()
            whole[index] = self._whole[index] @ vector
        return Closeness(head, question, body, whole)


def paragraphs(answer: str) -> list[str]:
    """An answer's paragraphs (or lines of a list), each embedded on its own: a model reads
    only the first 128 word pieces of a text, and a question is usually about one part."""
    parts = [line.strip() for line in answer.splitlines() if line.strip()]
    return parts or [answer]


# A sentence ends at ". ", "! " or "? " before a capital letter or a digit ("e.g. the" goes on).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
# Shorter sentences ("Yes.", "It depends.") say nothing of their own; their paragraph does.
MIN_SENTENCE_WORDS = 4


def body_texts(answer: str) -> list[str]:
    """The texts of an answer that are embedded: each paragraph, and after a paragraph of
    several sentences each of them. A question about a detail ("will the cups leave marks?")
    is closer to the one sentence that says it than to a paragraph that also says other
    things. Measured with the decision refitted: validation pooled over
    FAQs 0.777 -> 0.781 right (same 2.7% wrong, 10.9% -> 10.6% off-topic answered), small
    FAQs 0.748 -> 0.758; a fresh blind set 0.758 -> 0.763 right, 10.6% -> 9.4% off-topic."""
    texts: list[str] = []
    for paragraph in paragraphs(answer):
        texts.append(paragraph)
        sentences = _SENTENCE_END.split(paragraph)
        if len(sentences) > 1:
            texts.extend(
                sentence for sentence in sentences
                if len(sentence.split()) >= MIN_SENTENCE_WORDS
            )
    return texts


def _span(starts: np.ndarray, index: int, total: int) -> slice:
    """The rows of entry `index`, from where its rows start to where the next entry's do."""
    end = int(starts[index + 1]) if index + 1 < len(starts) else total
    return slice(int(starts[index]), end)


def _starts(owners: Sequence[int]) -> np.ndarray:
    """Where each entry's rows begin (every entry has at least one row)."""
    starts = [0]
    for position in range(1, len(owners)):
        if owners[position] != owners[position - 1]:
            starts.append(position)
    return np.array(starts, dtype=np.intp)
