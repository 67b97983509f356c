"""Sentence embeddings from a small language model that ships with the package, run locally.

Two encoders, both derived from sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) by
`scripts/export_models.py` (see bot/models/NOTICE.md):
- `minilm`: the transformer itself, exported to ONNX with int8 weights, run with onnxruntime;
  it reads the words in context, and costs a few milliseconds per message;
- `static`: a model2vec static model distilled from it: one vector per token, averaged; numpy
  only, tens of microseconds per message, somewhat less accurate.
Every vector is L2-normalised, so a dot product is the cosine similarity. No torch, no network.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

# all-MiniLM-L6-v2 was trained on texts of up to 128 word pieces (sentence-transformers'
# max_seq_length for it); reading more costs time and adds nothing the model learnt to use.
MAX_TOKENS = 128

ENCODERS = ("minilm", "static")
DEFAULT_ENCODER = "minilm"


MISSING = "model file missing; reinstall the package (pip install .)"


class ModelError(Exception):
    """A model file that is missing or cannot be read; the message names the file."""


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of `dims` numbers, one row per text.
    `revision` names what a vector depends on besides its text (the model's files and how they
    are run): vectors of two revisions must not be mixed, so caches keep it."""

    name: str
    dims: int
    revision: str

    def encode(self, texts: Sequence[str]) -> Vectors: ...


def models_dir() -> Path:
    """Where the package's model files are installed."""
    return Path(str(resources.files("bot").joinpath("models")))


# Components of a unit vector this small change no cosine at float32's precision (about 1e-7),
# but products of two of them are subnormal numbers, which x86 multiplies 10 to 100 times more
# slowly: MiniLM's output has two such components in every vector, and they made one message
# against the bundled FAQ's 1,568 head texts take 8 ms instead of 0.1 ms.
_NEGLIGIBLE = 1e-6


def _normalised(vectors: npt.NDArray[np.floating]) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return without_negligible((vectors / np.maximum(norms, 1e-12)).astype(np.float32))


def without_negligible(vectors: Vectors) -> Vectors:
    """The vectors with their negligible components set to 0 (in place)."""
    vectors[np.abs(vectors) < _NEGLIGIBLE] = 0.0
    return vectors


def _revision(files: Sequence[Path], how: str) -> str:
    """A digest of the model's files and of `how` the encoder runs them: change `how` whenever
    the encoding code changes what vectors it gives, so vectors cached before are not reused."""
    digest = hashlib.sha256(how.encode())
    for path in files:
        if path.is_file():  # an optional file (the static model's config.json) may be absent
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _tokenizer(path: Path, *, special_tokens: bool, max_tokens: int) -> _Tokenizer:
    from tokenizers import Tokenizer

    if not path.is_file():
        raise ModelError(f"{path}: {MISSING}")
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the tokenizers library raises its own exception types
        raise ModelError(f"{path}: not a readable tokenizer file ({exc})") from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    return _Tokenizer(tokenizer, special_tokens)


@dataclass(frozen=True)
class _Tokenizer:
    inner: object  # tokenizers.Tokenizer (untyped library)
    special_tokens: bool

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        encodings = self.inner.encode_batch(  # type: ignore[attr-defined]
            list(texts), add_special_tokens=self.special_tokens
        )
        return [list(encoding.ids) for encoding in encodings]


class OnnxEncoder:
    """all-MiniLM-L6-v2 as int8 ONNX: mean pooling and normalisation are inside the graph."""

    name = "minilm"

    def __init__(self, directory: Path) -> None:
        model = directory / "model.onnx"
        self._tokenizer = _tokenizer(
            directory / "tokenizer.json", special_tokens=True, max_tokens=MAX_TOKENS
        )
        if not model.is_file():
            raise ModelError(f"{model}: {MISSING}")
        self._model = model
        # Messages come one at a time; two threads use this machine's two cores for a long
        # one (128 word pieces: 18 ms against 28 with one thread), more only add scheduling
        # cost (`scripts/bench_match.py` measures it).
        self._session = _session(model, threads=min(2, _cores()))
        self._inputs = [node.name for node in self._session.get_inputs()]
        output = self._session.get_outputs()[0]
        self.dims = int(output.shape[-1])
        self.revision = _revision(
            [model, directory / "tokenizer.json"], f"one text a run, {MAX_TOKENS} tokens"
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        # One text a run, never a batch: the int8 model quantises its activations with one
        # scale per run, so a text's vector would depend on what else is in its batch (cosine
        # 0.979 at worst against the same text alone, on the bundled FAQ). A FAQ's texts and a
        # message are then read alike, and a reload that adds one entry leaves the others'
        # vectors as they were.
        tokens = self._tokenizer.ids(texts)
        workers = min(_cores(), MAX_WORKERS)
        if len(tokens) < PARALLEL_FROM or workers < 2:
            rows = [self._run(self._session, ids) for ids in tokens]
        else:
            # A FAQ's texts are short (9 word pieces on average in the bundled one), and a
            # short text keeps one core busy, not two: runs side by side on single-threaded
            # sessions embed the bundled FAQ's 1,887 texts in 2.3 s against 4.3 one after
            # another on 2 cores (the same vectors). A session of its own for the load, so
            # the messages' session keeps its two threads; it costs 0.1 s to create and
            # about 30 MB while the load runs.
            session = _session(self._model, threads=1)
            with ThreadPoolExecutor(workers) as pool:
                rows = list(pool.map(partial(self._run, session), tokens))
        result = np.empty((len(texts), self.dims), dtype=np.float32)
        for row, output in enumerate(rows):
            result[row] = output
        return _normalised(result)

    def _run(self, session: Any, ids: list[int]) -> Vectors:
        input_ids = np.array([ids], dtype=np.int64)
        feed = {
            "input_ids": input_ids,
            "attention_mask": np.ones_like(input_ids),
            "token_type_ids": np.zeros_like(input_ids),
        }
        output = session.run(None, {name: feed[name] for name in self._inputs})[0]
        return np.asarray(output[0], dtype=np.float32)


# Runs side by side save about 1.2 ms a text on two cores and cost 0.1 s for the second session:
# below 200 texts (a reload after an edit) the gain is under a tenth of a second, not worth it.
PARALLEL_FROM = 200
# Each worker holds one run's activations; past 4 cores a cold load is already under a second.
MAX_WORKERS = 4


def _cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _session(model: Path, *, threads: int) -> Any:
    """An onnxruntime session of the model (ModelError if it cannot be read)."""
    import onnxruntime  # type: ignore[import-untyped]

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    # Between messages its threads would otherwise spin, waiting for work, and take the
    # cores from numpy's matrix product and the rest of the match: on this 2-core machine
    # that doubled a message's median time (15.7 ms against 8.2; scripts/bench_match.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # onnxruntime's own warnings are not the user's concern
    try:
        return onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelError(f"{model}: not a readable ONNX model ({exc})") from None


class StaticEncoder:
    """A model2vec static model: the mean of its tokens' vectors (numpy only). How a text is
    read (its token limit, the unknown token left out) is in the model's config.json, as the
    export script recorded it from model2vec."""

    name = "static"

    def __init__(self, directory: Path) -> None:
        config = config_of(directory)
        limit = config.get("max_length", 512)
        unknown = config.get("unk_token_id")
        char_limit = config.get("char_limit", 3072)
        self._char_limit = char_limit if isinstance(char_limit, int) else 3072
        self._unknown = unknown if isinstance(unknown, int) else -1
        self._tokenizer = _tokenizer(
            directory / "tokenizer.json",
            special_tokens=False,
            max_tokens=limit if isinstance(limit, int) else 512,
        )
        matrix = directory / "embeddings.npy"
        if not matrix.is_file():
            raise ModelError(f"{matrix}: {MISSING}")
        try:
            table = np.load(matrix, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise ModelError(f"{matrix}: not a readable embedding table ({exc})") from None
        if table.ndim != 2 or not np.issubdtype(table.dtype, np.floating):
            raise ModelError(f"{matrix}: expected a 2-D table of numbers, got {table.shape}")
        self._table = table.astype(np.float32)
        self.dims = int(table.shape[1])
        self.revision = _revision(
            [matrix, directory / "tokenizer.json", directory / "config.json"],
            "mean of the known tokens' rows",
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        result = np.zeros((len(texts), self.dims), dtype=np.float32)
        # model2vec reads a text's first `char_limit` characters (512 tokens of 6 letters).
        clipped = [text[: self._char_limit] for text in texts]
        for row, ids in enumerate(self._tokenizer.ids(clipped)):
            known = [token for token in ids if token != self._unknown and token < len(self._table)]
            if known:
                result[row] = self._table[known].mean(axis=0)
        return _normalised(result)


def load_encoder(name: str = DEFAULT_ENCODER, directory: Path | None = None) -> Encoder:
    """The named encoder from the package's model files (or `directory`): ModelError if its
    files are missing or unreadable, or the name is unknown."""
    root = directory or models_dir()
    if name == "minilm":
        return OnnxEncoder(root / "minilm")
    if name == "static":
        return StaticEncoder(root / "minilm-static")
    raise ModelError(f"MATCH_ENCODER={name!r}: unknown; choose one of {', '.join(ENCODERS)}")


def shared_encoder(name: str | None = None) -> Encoder:
    """One encoder per process: loading a model takes a fraction of a second, and every FAQ
    load (reloads too) shares it. Without a name, $MATCH_ENCODER, else the default."""
    return _shared(name or os.environ.get("MATCH_ENCODER") or DEFAULT_ENCODER)


@cache
def _shared(name: str) -> Encoder:
    return load_encoder(name)


def config_of(directory: Path) -> dict[str, object]:
    """A model directory's config.json (what the export script recorded), or {}."""
    path = directory / "config.json"
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
