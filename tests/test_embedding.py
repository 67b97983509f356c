"""The sentence encoders (bot/embedding.py): both shipped models load from the package's files,
give L2-normalised float32 vectors that put paraphrases close, and a missing or damaged file
is a ModelError naming it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot import embedding
from bot.embedding import (
    ENCODERS,
    Encoder,
    ModelError,
    OnnxEncoder,
    StaticEncoder,
    load_encoder,
    models_dir,
    shared_encoder,
)

DIMS = {"minilm": 384, "static": 256}
FOLDERS = {"minilm": "minilm", "static": "minilm-static"}


@pytest.fixture(scope="module", params=ENCODERS)
def encoder(request: pytest.FixtureRequest) -> Encoder:
    return load_encoder(request.param)


def test_both_shipped_encoders_load_with_their_names() -> None:
    assert set(ENCODERS) == {"minilm", "static"}
    assert isinstance(load_encoder("minilm"), OnnxEncoder)
    assert isinstance(load_encoder("static"), StaticEncoder)


def test_vectors_are_l2_normalised_float32_rows_of_the_models_dims(encoder: Encoder) -> None:
    texts = ["Do you treat sciatica?", "What is Swedish massage?", "my back hurts. " * 300]
    vectors = encoder.encode(texts)
    assert encoder.dims == DIMS[encoder.name]
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, DIMS[encoder.name])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_texts_vector_is_the_same_whatever_it_is_encoded_with(encoder: Encoder) -> None:
    # A FAQ's texts are encoded together on a load and a message alone; both must give the
    # vector of the text alone (an int8 model run on a batch would not), so a message that
    # repeats an entry's question matches it exactly and a reload leaves other entries as
    # they were.
    texts = [f"{topic} question {n} " * (n % 7 + 1) for n, topic in enumerate(
        ["sciatica", "parking", "gift vouchers", "deep tissue", "cancellations"] * 4
    )]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(encoder.encode(texts[::-1]), together[::-1])


def test_many_texts_are_run_side_by_side_and_give_each_texts_own_vector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A cold load embeds a FAQ's texts on single-threaded runs side by side; each row must be
    # its own text's vector, in order, as the messages' two-threaded session gives it (float
    # sums in another order differ in the last bits only).
    minilm = load_encoder("minilm")
    texts = [f"{topic} question {n}" for n, topic in enumerate(
        ["sciatica", "parking", "gift vouchers", "deep tissue", "cancellations"] * 3
    )]
    alone = np.vstack([minilm.encode([text]) for text in texts])
    sessions: list[int] = []
    real_session = embedding._session

    def counted(model: Path, *, threads: int) -> object:
        sessions.append(threads)
        return real_session(model, threads=threads)

    monkeypatch.setattr(embedding, "_session", counted)
    monkeypatch.setattr(embedding, "_cores", lambda: 2)
    monkeypatch.setattr(embedding, "PARALLEL_FROM", 10)
    side_by_side = minilm.encode(texts)
    assert sessions == [1]
    np.testing.assert_allclose(side_by_side, alone, atol=1e-6)
    assert minilm.encode(texts[:5]).shape == (5, 384)  # fewer than PARALLEL_FROM: no new session
    assert sessions == [1]


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(encoder: Encoder) -> None:
    cost, price, cat = encoder.encode(
        ["how much does a session cost", "what is the price of a massage", "my cat is asleep"]
    )
    assert float(cost @ price) > float(cost @ cat)
    assert float(cost @ price) > float(price @ cat)


@pytest.mark.parametrize("text", ["", "🙂🙂🙂", "   ", "?!"])
def test_empty_and_emoji_only_text_give_a_vector(encoder: Encoder, text: str) -> None:
    vectors = encoder.encode([text])
    assert vectors.shape == (1, encoder.dims)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    assert float(np.linalg.norm(vectors[0])) <= 1.0 + 1e-5


def test_no_texts_give_no_rows(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, encoder.dims)


def test_encoding_never_imports_torch(encoder: Encoder) -> None:
    encoder.encode(["does massage help with back pain?"])
    assert "torch" not in sys.modules


def _model_copy(tmp_path: Path, name: str) -> Path:
    """A copy of one encoder's model folder under tmp_path, laid out like bot/models/."""
    shutil.copytree(models_dir() / FOLDERS[name], tmp_path / FOLDERS[name])
    return tmp_path


MODEL_FILES = [
    ("minilm", "model.onnx"),
    ("minilm", "tokenizer.json"),
    ("static", "embeddings.npy"),
    ("static", "tokenizer.json"),
]


@pytest.mark.parametrize(("name", "filename"), MODEL_FILES)
def test_a_missing_model_file_is_a_model_error_naming_it(
    tmp_path: Path, name: str, filename: str
) -> None:
    root = _model_copy(tmp_path, name)
    path = root / FOLDERS[name] / filename
    path.unlink()
    with pytest.raises(ModelError, match="missing") as raised:
        load_encoder(name, directory=root)
    assert str(path) in str(raised.value)


def _empty(data: bytes) -> bytes:
    return b""


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garbled(data: bytes) -> bytes:
    return b"\x00\xffnot a model\xfe" * 64


@pytest.mark.parametrize("damage", [_empty, _truncated, _garbled])
@pytest.mark.parametrize(("name", "filename"), MODEL_FILES)
def test_a_damaged_model_file_is_a_model_error_naming_it(
    tmp_path: Path, name: str, filename: str, damage: Callable[[bytes], bytes]
) -> None:
    root = _model_copy(tmp_path, name)
    path = root / FOLDERS[name] / filename
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ModelError) as raised:
        load_encoder(name, directory=root)
    assert str(path) in str(raised.value)


def test_an_unknown_encoder_name_is_a_model_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ModelError, match="'bert-large'"):
        load_encoder("bert-large")
    monkeypatch.setenv("MATCH_ENCODER", "word2vec")
    with pytest.raises(ModelError, match="MATCH_ENCODER='word2vec'") as raised:
        shared_encoder()
    assert "minilm" in str(raised.value)  # and says what to choose instead


def test_the_shared_encoder_follows_match_encoder_and_is_loaded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MATCH_ENCODER", "static")
    first = shared_encoder()
    assert first.name == "static"
    assert shared_encoder() is first
    assert shared_encoder("static") is first
    monkeypatch.delenv("MATCH_ENCODER")
    assert shared_encoder().name == embedding.DEFAULT_ENCODER == "minilm"


def test_the_static_model_reads_its_token_limit_from_its_config(tmp_path: Path) -> None:
    root = _model_copy(tmp_path, "static")
    assert embedding.config_of(root / "minilm-static")  # the export script wrote one
    (root / "minilm-static" / "config.json").unlink()
    # without it the model still loads, with model2vec's defaults
    fallback = load_encoder("static", directory=root)
    assert fallback.encode(["sciatica"]).shape == (1, DIMS["static"])
