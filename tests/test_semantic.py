"""The semantic signal (bot/semantic.py): the vectors of a FAQ's texts, cached in memory, on disk
and from shipped seeds, and each entry's closeness to a message."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.embedding import Vectors, load_encoder, models_dir
from bot.faq import parse_faq
from bot.semantic import (
    SemanticIndex,
    VectorCache,
    body_texts,
    paragraphs,
    whole_text,
)


class FakeEncoder:
    """A tiny deterministic encoder that records what it is asked to embed."""

    def __init__(self, name: str = "fake", dims: int = 8, revision: str = "1") -> None:
        self.name = name
        self.dims = dims
        self.revision = revision
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        rows = np.array(
            [
                np.frombuffer(hashlib.sha256(text.encode()).digest()[: self.dims], np.uint8)
                for text in texts
            ],
            dtype=np.float32,
        ).reshape(len(texts), self.dims) + 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    @property
    def embedded(self) -> list[str]:
        return [text for call in self.calls for text in call]


TEXTS = ["Do you treat sciatica?", "What is Swedish massage?", "Yes.", "Gentle strokes."]


def test_each_text_is_embedded_once() -> None:
    encoder = FakeEncoder()
    cache = VectorCache(encoder)
    first = cache.vectors([TEXTS[0], TEXTS[1], TEXTS[0]])
    assert encoder.calls == [[TEXTS[0], TEXTS[1]]]
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first, encoder.encode([TEXTS[0], TEXTS[1], TEXTS[0]]))
    encoder.calls.clear()
    again = cache.vectors([TEXTS[1], TEXTS[0]])
    assert encoder.calls == []
    np.testing.assert_array_equal(again, first[[1, 0]])
    cache.vectors([TEXTS[0], TEXTS[2]])
    assert encoder.calls == [[TEXTS[2]]]  # only the new text


def test_no_texts_give_no_rows_and_no_call() -> None:
    encoder = FakeEncoder()
    assert VectorCache(encoder).vectors([]).shape == (0, encoder.dims)
    assert encoder.calls == []


def test_the_disk_cache_is_read_by_a_new_cache_in_the_same_directory(tmp_path: Path) -> None:
    directory = tmp_path / "cache" / "nested"  # made when first written
    first = VectorCache(FakeEncoder(), directory)
    written = first.vectors(TEXTS)
    assert (directory / "fake.npz").is_file()

    encoder = FakeEncoder()
    restarted = VectorCache(encoder, directory)
    np.testing.assert_array_equal(restarted.vectors(TEXTS), written)
    assert encoder.calls == []
    # another encoder's cache in the same directory is its own file
    other = FakeEncoder(name="other")
    VectorCache(other, directory).vectors(TEXTS)
    assert other.embedded == TEXTS
    assert (directory / "other.npz").is_file()


def test_one_load_writes_the_disk_cache_once_with_every_text_it_asked_for(
    tmp_path: Path,
) -> None:
    cache = VectorCache(FakeEncoder(), tmp_path)
    with cache.one_load():
        cache.vectors(TEXTS[:2])
        cache.vectors(TEXTS[2:])
        assert not (tmp_path / "fake.npz").exists()  # not yet: at the end of the load
    encoder = FakeEncoder()
    VectorCache(encoder, tmp_path).vectors(TEXTS)
    assert encoder.calls == []  # both calls' texts are on disk, not only the last call's
    # a load that embeds nothing new leaves the file alone
    before = (tmp_path / "fake.npz").stat().st_mtime_ns
    with cache.one_load():
        cache.vectors(TEXTS[:1])
    assert (tmp_path / "fake.npz").stat().st_mtime_ns == before


def test_a_text_whose_key_ends_in_zero_bytes_is_read_back_from_the_file(tmp_path: Path) -> None:
    # numpy's fixed-width bytes drop trailing zero bytes: such a text was embedded again on
    # every start (six of the bundled FAQ's)
    ending = next(
        text for text in (f"question {n}" for n in range(10_000))
        if hashlib.sha256(text.encode()).digest().endswith(b"\0")
    )
    writer = VectorCache(FakeEncoder())
    writer.save(tmp_path / "seed.npz", [ending, TEXTS[0]])
    encoder = FakeEncoder()
    VectorCache(encoder, seeds=[tmp_path / "seed.npz"]).vectors([ending, TEXTS[0]])
    assert encoder.calls == []


def test_the_disk_cache_holds_the_last_faqs_texts_not_a_messages(tmp_path: Path) -> None:
    faq = parse_faq(MINI_FAQ)
    index = SemanticIndex(faq, VectorCache(FakeEncoder(), tmp_path))
    index.closeness("a message someone typed")
    encoder = FakeEncoder()
    cache = VectorCache(encoder, tmp_path)
    cache.vectors(index.texts)
    assert encoder.calls == []
    cache.vectors(["a message someone typed"])
    assert encoder.calls == [["a message someone typed"]]


def _garbage(good: bytes, dims: int) -> bytes:
    return b"this is not a cache " * 20


def _empty(good: bytes, dims: int) -> bytes:
    return b""


def _truncated(good: bytes, dims: int) -> bytes:
    return good[: len(good) // 2]


def _npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _other_dims(good: bytes, dims: int) -> bytes:
    return _npz(keys=np.array([b"k" * 32], dtype="S32"), vectors=np.ones((1, dims + 1)))


def _no_keys(good: bytes, dims: int) -> bytes:
    return _npz(vectors=np.ones((1, dims)))


def _keys_without_vectors(good: bytes, dims: int) -> bytes:
    return _npz(keys=np.array([b"k" * 32, b"l" * 32], dtype="S32"), vectors=np.ones((1, dims)))


@pytest.mark.parametrize(
    "damage", [_garbage, _empty, _truncated, _other_dims, _no_keys, _keys_without_vectors]
)
def test_an_unreadable_cache_file_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[bytes, int], bytes]
) -> None:
    VectorCache(FakeEncoder(), tmp_path).vectors(TEXTS)
    path = tmp_path / "fake.npz"
    path.write_bytes(damage(path.read_bytes(), FakeEncoder().dims))
    encoder = FakeEncoder()
    with caplog.at_level(logging.WARNING, logger="bot.semantic"):
        cache = VectorCache(encoder, tmp_path)
    assert str(path) in caplog.text
    np.testing.assert_array_equal(cache.vectors(TEXTS), FakeEncoder().encode(TEXTS))
    assert encoder.embedded == TEXTS
    # and it is written afresh
    rebuilt = FakeEncoder()
    VectorCache(rebuilt, tmp_path).vectors(TEXTS)
    assert rebuilt.calls == []


def test_a_cache_that_cannot_be_written_only_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="bot.semantic"):
        vectors = VectorCache(FakeEncoder(), blocked).vectors(TEXTS)
    assert "Could not write" in caplog.text
    np.testing.assert_array_equal(vectors, FakeEncoder().encode(TEXTS))


def test_seeds_are_read(tmp_path: Path) -> None:
    seed = tmp_path / "seed-fake.npz"
    VectorCache(FakeEncoder()).save(seed, TEXTS[:2])
    encoder = FakeEncoder()
    cache = VectorCache(encoder, seeds=[seed, tmp_path / "no-such-seed.npz"])
    np.testing.assert_array_equal(cache.vectors(TEXTS[:2]), FakeEncoder().encode(TEXTS[:2]))
    assert encoder.calls == []
    cache.vectors(TEXTS)  # texts the seed lacks are embedded
    assert encoder.calls == [TEXTS[2:]]


def test_negligible_components_are_dropped_from_encoded_and_cached_vectors(
    tmp_path: Path,
) -> None:
    # Products of two such components are subnormal numbers, which made one message's matrix
    # product against the bundled FAQ about 60 times slower; no cosine changes at float32.
    tiny = np.zeros((1, 8), dtype=np.float32)
    tiny[0, 0], tiny[0, 1] = 1.0, 1e-36
    seed = tmp_path / "seed-fake.npz"
    np.savez(
        seed, keys=np.array([hashlib.sha256(b"tiny").digest()], dtype="S32"), vectors=tiny,
        revision=np.array(FakeEncoder().revision),
    )
    cached = VectorCache(FakeEncoder(), seeds=[seed]).vectors(["tiny"])
    assert cached[0, 1] == 0.0
    assert cached[0, 0] == 1.0
    encoded = load_encoder("minilm").encode(["a stiff neck after sleeping badly"])
    assert not ((encoded != 0) & (np.abs(encoded) < 1e-6)).any()


def test_a_seed_for_another_encoder_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seed = tmp_path / "seed.npz"
    VectorCache(FakeEncoder(dims=4)).save(seed, TEXTS)
    encoder = FakeEncoder(dims=8)
    with caplog.at_level(logging.WARNING, logger="bot.semantic"):
        cache = VectorCache(encoder, seeds=[seed])
    assert str(seed) in caplog.text
    assert cache.vectors(TEXTS).shape == (len(TEXTS), 8)
    assert encoder.embedded == TEXTS



def test_vectors_of_another_model_revision_are_not_reused(tmp_path: Path) -> None:
    # An upgrade that changes the model (or how it is run) must not compare a message's new
    # vector with FAQ vectors the old one made.
    VectorCache(FakeEncoder(revision="old"), tmp_path).vectors(TEXTS)
    seed = tmp_path / "seed.npz"
    VectorCache(FakeEncoder(revision="old")).save(seed, TEXTS)
    upgraded = FakeEncoder(revision="new")
    VectorCache(upgraded, tmp_path, seeds=[seed]).vectors(TEXTS)
    assert upgraded.embedded == TEXTS
    # the rewritten cache is the new revision's, and serves it
    again = FakeEncoder(revision="new")
    VectorCache(again, tmp_path).vectors(TEXTS)
    assert again.calls == []


def test_a_real_encoders_revision_names_its_files(tmp_path: Path) -> None:
    assert load_encoder("minilm").revision == load_encoder("minilm").revision
    assert load_encoder("minilm").revision != load_encoder("static").revision
    copied = tmp_path / "minilm-static"
    shutil.copytree(models_dir() / "minilm-static", copied)
    table = np.load(copied / "embeddings.npy")
    table[0, 0] += 1
    np.save(copied / "embeddings.npy", table)
    assert load_encoder("static", tmp_path).revision != load_encoder("static").revision


MINI_FAQ = """\
disclaimer: Not medical advice.
entries:
  - id: sciatica
    question: Do you treat sciatica?
    alternates: [Can massage help a trapped sciatic nerve?]
    keywords: [sciatica]
    answer: |
      Yes: clinical massage often eases sciatic pain down the leg.
      Bring any scans or letters from your doctor to the first session.
  - id: swedish
    question: What is Swedish massage?
    answer: A gentle full-body massage with long flowing strokes, for relaxation.
  - id: parking
    question: Is there parking near the clinic?
    answer: |
      There is free street parking on Mill Lane.
      The council car park behind the library is two minutes away on foot.
  - id: vouchers
    question: Do you sell gift vouchers?
    answer: Yes, gift vouchers for any treatment can be bought at reception.
"""


@pytest.fixture(scope="module")
def semantic() -> SemanticIndex:
    return SemanticIndex(parse_faq(MINI_FAQ), VectorCache(load_encoder("minilm")))


def test_an_entrys_own_question_is_closest_to_it(semantic: SemanticIndex) -> None:
    faq = parse_faq(MINI_FAQ)
    for position, entry in enumerate(faq.entries):
        close = semantic.closeness(entry.question)
        assert close.head.shape == close.question.shape == close.body.shape == (4,)
        assert int(np.argmax(close.head)) == position
        assert int(np.argmax(close.question)) == position
        assert float(close.question[position]) == pytest.approx(1.0, abs=0.03)


def test_head_is_the_closest_phrasing_and_body_the_closest_paragraph(
    semantic: SemanticIndex,
) -> None:
    close = semantic.closeness("Can massage help a trapped sciatic nerve?")
    assert float(close.head[0]) == pytest.approx(1.0, abs=0.03)  # its alternate
    assert float(close.question[0]) < float(close.head[0])
    # a paragraph of an answer: its entry's body is closest, however long the rest
    second = "The council car park behind the library is two minutes away on foot."
    close = semantic.closeness(second)
    assert int(np.argmax(close.body)) == 2
    assert float(close.body[2]) == pytest.approx(1.0, abs=0.03)


def test_closeness_among_some_entries_is_theirs_and_minus_one_elsewhere(
    semantic: SemanticIndex,
) -> None:
    vector = semantic.encoder.encode(["Can massage help a trapped sciatic nerve?"])[0]
    every = semantic.closeness_of(vector)
    some = semantic.closeness_of(vector, [0, 3])
    for name in ("head", "question", "body", "whole"):
        full, part = getattr(every, name), getattr(some, name)
        assert part[[0, 3]] == pytest.approx(full[[0, 3]], abs=1e-5)
        assert list(part[[1, 2]]) == [-1.0, -1.0]


def test_a_paraphrase_is_closest_to_its_entry(semantic: SemanticIndex) -> None:
    close = semantic.closeness("where can I leave my car")
    assert int(np.argmax(close.head)) == 2
    close = semantic.closeness("do you sell gift certificates")
    assert int(np.argmax(close.head)) == 3
    close = semantic.closeness("my sciatic nerve is trapped")
    assert int(np.argmax(close.head)) == 0


def test_the_index_embeds_every_phrasing_and_paragraph_and_each_whole_entry() -> None:
    faq = parse_faq(MINI_FAQ)
    texts = SemanticIndex(faq, VectorCache(FakeEncoder())).texts
    assert "Can massage help a trapped sciatic nerve?" in texts
    assert "sciatica" in texts
    assert "There is free street parking on Mill Lane." in texts
    assert whole_text(faq.entries[1]) in texts
    # heads and paragraphs of the four entries, then each entry read whole
    assert len(texts) == 3 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 4


def test_an_entry_read_whole_is_close_to_a_message_about_its_answer(
    semantic: SemanticIndex,
) -> None:
    # the message says nothing the question says, only what the answer talks about
    close = semantic.closeness("the council car park behind the library, how far is it")
    assert close.whole.shape == (4,)
    assert int(np.argmax(close.whole)) == 2
    assert whole_text(parse_faq(MINI_FAQ).entries[2]).startswith(
        "Is there parking near the clinic? There is free street parking"
    )


def test_paragraphs_split_an_answer_into_its_lines() -> None:
    assert paragraphs("First line.\n\n   Second line.  \n• an item\n") == [
        "First line.", "Second line.", "• an item"
    ]
    assert paragraphs("One line only.") == ["One line only."]
    assert paragraphs("  \n ") == ["  \n "]  # never nothing: every entry has a body


def test_body_texts_add_the_sentences_of_a_paragraph_of_several() -> None:
    answer = (
        "Cupping is an old therapy. People get it for pain, and as a type of deep-tissue "
        "massage. It helps, e.g. with stiffness. Yes.\n• an item of a list"
    )
    assert body_texts(answer) == [
        "Cupping is an old therapy. People get it for pain, and as a type of deep-tissue "
        "massage. It helps, e.g. with stiffness. Yes.",
        "Cupping is an old therapy.",
        "People get it for pain, and as a type of deep-tissue massage.",
        "It helps, e.g. with stiffness.",  # "e.g. with" does not end a sentence
        # "Yes." is too short to say anything of its own
        "• an item of a list",
    ]
    assert body_texts("One sentence only.") == ["One sentence only."]


def test_a_detail_inside_a_long_paragraph_is_read_from_its_own_sentence() -> None:
    detail = "The cups are left on for a few minutes and may leave round marks for some days."
    paragraph = (
        "Cupping therapy is an ancient form of alternative medicine in which a therapist puts "
        "special cups on your skin to create suction. People get it for pain, and as a type "
        f"of deep-tissue massage. {detail}"
    )
    faq = parse_faq(
        "disclaimer: d\nentries:\n"
        f"  - {{id: cupping, question: What is cupping?, answer: '{paragraph}'}}\n"
        "  - {id: hours, question: When are you open?, answer: 'Monday to Friday, 9 to 5.'}\n"
    )
    encoder = load_encoder("minilm")
    index = SemanticIndex(faq, VectorCache(encoder))
    assert detail in index.texts
    assert paragraph in index.texts
    message = "will the cups leave marks on my skin?"
    to_detail, to_paragraph, query = encoder.encode([detail, paragraph, message])
    body = float(index.closeness(message).body[0])
    assert body == pytest.approx(float(query @ to_detail), abs=1e-5)
    assert body > float(query @ to_paragraph) + 0.2  # 0.61 against 0.34


def _blas_threads_setting(env: dict[str, str]) -> str:
    """OPENBLAS_NUM_THREADS as a fresh interpreter sees it once `bot` and numpy are imported."""
    code = "import bot, numpy, os; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_numpy_multiplies_on_one_thread_unless_the_deployment_says_otherwise() -> None:
    """The message-against-FAQ product is small; OpenBLAS splitting it over the cores of a busy
    machine made it many times slower (bot/__init__.py). The package sets one thread before
    numpy loads, and leaves a deployment's own choice alone."""
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    assert _blas_threads_setting(env) == "1"
    assert _blas_threads_setting({**env, "OPENBLAS_NUM_THREADS": "2"}) == "2"


def test_a_head_text_entries_share_is_embedded_once_and_scores_each_alike() -> None:
    # Every entry that covers a not-covered topic holds its phrases: a big FAQ's heads repeat
    # the same texts thousands of times, and each is compared with the message once.
    shared = "How much does it cost?"
    faq = parse_faq(
        "disclaimer: Not medical advice.\nentries:\n" + "".join(
            f"  - {{id: e{n}, question: What is {kind} massage?, alternates: [{shared}],"
            f" answer: {kind}.}}\n"
            for n, kind in enumerate(["swedish", "sports", "deep tissue"])
        )
    )
    encoder = FakeEncoder()
    index = SemanticIndex(faq, VectorCache(encoder))
    assert encoder.embedded.count(shared) == 1
    closeness = index.closeness(shared)
    assert closeness.head.tolist() == [pytest.approx(1.0)] * 3
    assert len(set(closeness.head.tolist())) == 1  # exactly alike: no tie broken by rounding
