"""Benchmark: the matcher's figures, the new engine next to today's, measured in the same run.

Three engines, each measured in fresh child processes of the same interpreter:
- `minilm`: the new matcher (bot/ and faq.yaml of this checkout, copied at the start so that
  edits during the run do not mix in) with the ONNX MiniLM encoder;
- `static`: the new matcher with the static (model2vec) encoder;
- `today`: the matcher of git commit 1cb2e55, the last one before the rewrite. Its tree is
  extracted with `git archive 1cb2e55 | tar -x` into a temporary directory, which is put first
  on sys.path, and it reads its own faq.yaml (the old engine needs that file's keywords).
  Without git or that commit the side-by-side part is skipped, with a line saying so.

Figures printed, with the targets next to them and the ratios new / today from the same run:
- per-question latency of `Matcher.match` (p50, p99, mean, max, and the mean time inside the
  encoder) over real people's phrasings (every "q" of tests/data/**/*.jsonl) on the bundled
  FAQ, after one warm-up pass (whose timings are shown too: each question's first sight);
  on generated FAQs of 1,000 and 10,000 entries, for 1,000 of those questions and for 500
  questions about the generated entries;
- FAQ load + index build (`load_faq` + `load_encoder` + `Matcher(...)`), each in a fresh
  process: cold (an empty cache_dir, and the vectors the package ships for its bundled FAQ
  hidden), as a fresh install (an empty cache_dir, the shipped vectors used; bundled FAQ
  only) and warm (a second process with the cache the cold one wrote);
- the wall time of a cold `python -m bot ask "do you treat sciatica"` in a fresh process, with
  a warm cache ($EMBEDDING_CACHE_DIR; $MATCH_ENCODER picks the encoder), and what it imports;
- the peak resident memory (ru_maxrss of a child; /proc VmHWM as a cross-check) of loading
  the bundled FAQ and answering 100 questions, a proxy for `faq-bot run`;
- installed size: the model files, the site-packages of onnxruntime, tokenizers, numpy,
  rapidfuzz, PyYAML and python-telegram-bot, and everything each engine's libraries pull in.

    python scripts/bench_match.py [--quick] [--skip-old] [--sizes 1000,10000]
        [--encoders minilm,static] [--questions N] [--passes N]
        [--cold-budget SECONDS | --full-cold] [--ask-runs N] [--old-commit REV]
        [--new-root DIR] [--json FILE] [--seed N]

A full run takes 10-20 minutes on two shared cores, most of it MiniLM answering every real
question twice; --questions 2000 shortens that, --quick (every 20th question, one pass,
FAQs of 100 and 200 entries, one ask run) checks the script in about a minute, not the speed.

Embedding every text of a big FAQ with MiniLM takes minutes. So a cold build first embeds a
sample of 1,000 texts; when that predicts more than --cold-budget seconds (default 120) for
all of them, the other texts get random unit vectors instead and the cold time printed is an
ESTIMATE, marked `~`. The warm build and the latency on that FAQ are still measured, on those
vectors (a match costs the same whatever the vectors hold). --full-cold embeds everything.

Children keep their .pyc files in a scratch directory (PYTHONPYCACHEPREFIX) compiled before
anything is timed, so no measured process compiles modules, and nothing is written into the
checkout. Timings on a shared machine are noisy (the load average is printed): read the
ratios, which come from one run. The exit code is 0 whether or not a target is met (non-zero
only when the benchmark itself fails). Everything random is seeded.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
BUNDLED_FAQ = REPO / "faq.yaml"
QUESTION_DIR = REPO / "tests" / "data"
OLD_COMMIT = "1cb2e55"  # the last commit before the new matcher
SEED = 4
COLD_QUESTION = "do you treat sciatica"
# The environment variable the new CLI reads for its embedding cache directory.
CACHE_ENV = "EMBEDDING_CACHE_DIR"
ENCODER_ENV = "MATCH_ENCODER"  # and the one it reads for the encoder
MIN_TIMINGS = 5_000  # per bundled series: passes = ceil(MIN_TIMINGS / questions)
SERIES_BUDGET_S = 60.0  # a series stops after this, once every question was timed once
GENERATED_REAL = 1_000  # real questions timed on each generated FAQ (a seeded sample)
GENERATED_ABOUT = 500  # questions about the generated entries, per generated FAQ
GENERATED_WARMUP = 200  # questions of each series answered once, untimed, on a generated FAQ
MEMORY_QUESTIONS = 100
COLD_SAMPLE = 1_000  # texts a cold build embeds first, to predict the rest
RESULT_MARK = "BENCH-RESULT "

# Targets.
TARGET_P50_MS = 5.0  # per question, bundled FAQ
TARGET_P99_MS = 20.0
TARGET_LARGE_P99_MS = 50.0  # stated for 10,000 entries; a smaller FAQ must meet it too
TARGET_LARGE_SIZE = 10_000
TARGET_LOAD_S = 2.0  # bundled FAQ load with embeddings
TARGET_ASK_S = 1.5
TARGET_RSS_MIB = 300.0

# Libraries whose installed size is counted (distribution names), and what each engine needs.
SIZED = ("onnxruntime", "tokenizers", "numpy", "rapidfuzz", "PyYAML", "python-telegram-bot")
TODAY_NEEDS = ("python-telegram-bot[rate-limiter,webhooks]", "rapidfuzz", "PyYAML")
NEW_NEEDS = (*TODAY_NEEDS, "onnxruntime", "tokenizers", "numpy")
MODEL_DIRS = {"minilm": "minilm", "static": "minilm-static"}

try:  # the same fast emitter faq.py uses for reading; the pure-Python one gives the same text
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]


# -- generated FAQs -------------------------------------------------------------------------
#
# A big real FAQ reuses a core of common words (massage, pain, back, running) and adds rare
# ones with almost every entry (a new condition's medical name, its misspellings). Both matter
# for speed: common words make long posting lists, rare ones grow the vocabulary that typo
# correction searches. So the pools below are the common core, and every synthetic entry also
# coins its own medical-looking name from syllables.

BODY_PARTS = """
neck shoulder upper-back lower-back hip knee ankle foot heel wrist elbow jaw calf hamstring
thigh glute forearm thumb finger toe ribs chest-wall collarbone shin arch groin pelvis
tailbone scalp temple spine shoulder-blade achilles quad biceps triceps rotator-cuff it-band
sacroiliac-joint big-toe palm instep kneecap hip-flexor trapezius lats
""".split()
SYMPTOMS = """
pain stiffness ache tightness numbness tingling swelling spasm cramp weakness clicking
soreness burning throbbing locking popping tenderness knots grinding twinges
""".split()
ACTIVITIES = """
running cycling swimming tennis golf climbing rowing weightlifting yoga dancing gardening
typing driving hiking skiing football netball pilates boxing surfing skating painting
knitting nursing carpentry plumbing hairdressing drumming violin guitar crossfit
""".split()
TECHNIQUES = """
trigger-point myofascial-release cross-fibre-friction lymphatic-drainage muscle-energy
cupping assisted-stretching deep-tissue sports pregnancy hot-stone neuromuscular
positional-release scar-tissue instrument-assisted joint-mobilisation
""".split()
PREFIXES = """
myo neuro arthro tendo fascio chondro osteo capsulo synovio burso teno spondylo costo sacro
plantaro cervico lumbo thoraco brachio femoro patello tarso carpo digito gleno
""".split()
SUFFIXES = "itis algia osis pathy ectasia dynia plasia trophy spasmus lysis desis".split()
CONSONANTS = "b c d f g h k l m n p r s t v z br cr dr gr pl st tr".split()
VOWELS = "a e i o u ae ia io".split()
SURNAMES = """
Halvorsen Okafor Brandt Moreau Castellan Whitcombe Lindqvist Tanaka Dervish Pellegrini
Achterberg Nakamura Osei Fairbairn Kowalczyk Ruiz Strand Abernathy Quill Varga
""".split()

QUESTION_FORMS = [
    "Do you treat {name}?",
    "Can massage help {name}?",
    "Is massage good for {name}?",
    "What can you do for {name}?",
]
ALTERNATE_FORMS = [
    "Can clinical massage help with {symptom} in my {part}?",
    "My {part} has {symptom} from {activity}, can you help?",
    "Is massage safe with {name}?",
    "How many sessions for {name}?",
    "Does {technique} massage work for {name}?",
    "I get {symptom} in the {part} after {activity}",
    "Will massage ease {part} {symptom}?",
    "What causes {name}?",
]
ANSWER_SENTENCES = [
    "{Name} is a condition of the {part} that causes {symptom} and {symptom2}.",
    "It is common in people who do a lot of {activity} or {activity2}.",
    "Clinical massage can ease the {symptom} by working the muscles and soft tissue around the "
    "{part}.",
    "We often combine {technique} work with gentle stretching of the {part2}.",
    "Most clients notice less {symptom2} after two or three sessions.",
    "Massage is not a substitute for assessment by your healthcare provider.",
    "The therapist will assess the {part} before treatment and adapt the pressure.",
    "Treatment of {name} focuses on circulation, mobility and reducing {symptom}.",
]


@dataclass(frozen=True)
class GeneratedFaq:
    """A generated faq.yaml and what a test needs to check it."""

    text: str
    entries: int
    synthetic: int
    questions: list[str]  # one person-like question per synthetic entry, some with typos


def _spaced(token: str) -> str:
    return token.replace("-", " ")


def _coin(rng: random.Random) -> str:
    """A new medical-looking word, like 'fasciotravelitis'."""
    root = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(1, 3)))
    return rng.choice(PREFIXES) + root + rng.choice(SUFFIXES)


def _misspell(word: str, rng: random.Random) -> str:
    """One typo of the kinds people make: a dropped, doubled or swapped letter."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 2)  # keep the first letter, as people usually do
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _entry(number: int, rng: random.Random, topics: Sequence[str]) -> tuple[dict[str, Any], str]:
    """One synthetic entry, and a question a person might type to reach it."""
    coined = _coin(rng)
    shape = rng.random()
    if shape < 0.6:
        name = coined
    elif shape < 0.8:
        name = f"{_spaced(rng.choice(BODY_PARTS))} {coined}"
    else:
        name = f"{rng.choice(SURNAMES)} {rng.choice(['syndrome', 'disease', 'lesion'])}"
    slots = {
        "name": name,
        "Name": name[0].upper() + name[1:],
        "part": _spaced(rng.choice(BODY_PARTS)),
        "part2": _spaced(rng.choice(BODY_PARTS)),
        "symptom": rng.choice(SYMPTOMS),
        "symptom2": rng.choice(SYMPTOMS),
        "activity": rng.choice(ACTIVITIES),
        "activity2": rng.choice(ACTIVITIES),
        "technique": _spaced(rng.choice(TECHNIQUES)),
    }
    keywords = [
        name,
        coined,
        _misspell(coined, rng),
        f"{slots['part']} {slots['symptom']}",
        f"{slots['activity']} {slots['part']}",
        *(_coin(rng) for _ in range(rng.randint(0, 2))),  # older or rarer medical names
    ]
    entry: dict[str, Any] = {
        "id": f"generated-{number}",
        "topic": rng.choice(topics),
        "question": rng.choice(QUESTION_FORMS).format(**slots),
        "alternates": [form.format(**slots) for form in rng.sample(ALTERNATE_FORMS, 3)],
        "keywords": list(dict.fromkeys(keywords)),
        "answer": " ".join(
            sentence.format(**slots)
            for sentence in rng.sample(ANSWER_SENTENCES, rng.randint(2, 6))
        ),
    }
    if number > 0 and rng.random() < 0.5:
        entry["related"] = [f"generated-{rng.randrange(number)}"]
    asked = f"{rng.choice(['hi, ', '', 'hey ', ''])}does massage help "
    asked += f"{_misspell(coined, rng) if rng.random() < 0.3 else coined} in my {slots['part']}"
    return entry, asked


def bundled_entries(base: Path = BUNDLED_FAQ) -> int:
    document = yaml.safe_load(base.read_text(encoding="utf-8"))
    return len(document["entries"])


def generate_faq(size: int, seed: int = SEED, base: Path = BUNDLED_FAQ) -> GeneratedFaq:
    """`base` (the bundled FAQ) plus synthetic entries up to `size` entries in all, as
    faq.yaml text.

    Going through YAML text (and then `load_faq`) rather than building dataclasses means the
    generated FAQ passes the real validator, and its load time is measured too. The synthetic
    entries depend only on `seed` and `size`, so two bases of the same length (today's FAQ and
    the new one) get the same synthetic entries.
    """
    document = yaml.safe_load(base.read_text(encoding="utf-8"))
    bundled = len(document["entries"])
    if size < bundled:
        raise ValueError(f"size {size} is below the bundled FAQ's {bundled} entries")
    rng = random.Random(f"{seed}-{size}")
    # Topics grow with the FAQ, about 40 entries each, as an admin would split a long menu.
    topics = [
        f"{_spaced(rng.choice(BODY_PARTS)).title()} conditions {number}"
        for number in range(max(1, (size - bundled) // 40))
    ]
    questions: list[str] = []
    for number in range(size - bundled):
        entry, asked = _entry(number, rng, topics)
        document["entries"].append(entry)
        questions.append(asked)
    text = yaml.dump(document, Dumper=_SafeDumper, allow_unicode=True, sort_keys=False, width=99)
    return GeneratedFaq(text, size, size - bundled, questions)


# -- statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Latency of one series of calls, in milliseconds."""

    count: int
    p50: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, nanoseconds: Sequence[int]) -> Stats:
        ordered = sorted(nanoseconds)

        def rank(percent: float) -> float:  # nearest-rank percentile: always a real timing
            return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)] / 1e6

        return cls(len(ordered), rank(50), rank(99), statistics.fmean(ordered) / 1e6,
                   ordered[-1] / 1e6)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stats:
        return cls(int(data["count"]), data["p50"], data["p99"], data["mean"], data["max"])


def time_calls(
    call: Callable[[str], object], questions: Sequence[str], passes: int,
    budget_s: float | None = None,
) -> Stats:
    """Each question `passes` times, one perf_counter_ns timing per call.

    With `budget_s`, passes stop once that much time is spent (always at least one whole pass,
    so every question counts).
    """
    timings: list[int] = []
    gc.collect()  # start every series with the same heap, so one's garbage is not another's cost
    clock = time.perf_counter_ns
    deadline = time.perf_counter() + budget_s if budget_s else math.inf
    for _ in range(passes):
        for question in questions:
            start = clock()
            call(question)
            timings.append(clock() - start)
        if time.perf_counter() > deadline:
            break
    return Stats.of(timings)


def real_questions(root: Path = QUESTION_DIR) -> tuple[list[str], dict[str, int]]:
    """Every "q" of every .jsonl file under tests/data (its subfolders too), in a fixed order,
    and how many each top-level folder gave."""
    questions: list[str] = []
    counts: dict[str, int] = {}
    for path in sorted(root.rglob("*.jsonl")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        found = [q for q in (json.loads(line).get("q") for line in lines) if isinstance(q, str)]
        relative = path.relative_to(root).parts
        folder = relative[0] if len(relative) > 1 else "."
        counts[folder] = counts.get(folder, 0) + len(found)
        questions += found
    return questions, counts


# -- the worker: runs in a fresh child process, with an engine's tree first on sys.path -----
#
# `python scripts/bench_match.py --worker SPEC` imports `bot` from SPEC["root"], does one task
# and prints one line: RESULT_MARK + JSON. Nothing from `bot` is imported at module level, so
# the same file measures today's tree and the new one.


class _TimedEncoder:
    """Wraps an encoder: counts the texts it embeds and the time it takes.

    With `sample` set, a call of more than `sample` texts (a FAQ build) embeds a random sample
    first; when that predicts more than `budget_s` for all of them, the other texts get random
    unit vectors (a match costs the same whatever the vectors hold) and `estimate_s` says how
    long embedding them all would have taken.
    """

    def __init__(self, real: Any, sample: int = 0, budget_s: float = math.inf,
                 seed: int = SEED) -> None:
        self.real = real
        self.name: str = real.name
        self.dims: int = real.dims
        self.revision: str = real.revision
        self.sample = sample
        self.budget_s = budget_s
        self.rng = random.Random(seed)
        self.calls: list[int] = []  # nanoseconds per call
        self.texts = 0
        self.build: dict[str, Any] = {}

    def encode(self, texts: Sequence[str]) -> Any:
        start = time.perf_counter_ns()
        if self.sample and len(texts) > self.sample and not self.build:
            vectors = self._sampled(texts)
        else:
            vectors = self.real.encode(texts)
        self.calls.append(time.perf_counter_ns() - start)
        self.texts += len(texts)
        return vectors

    def _sampled(self, texts: Sequence[str]) -> Any:
        import numpy as np

        picks = sorted(self.rng.sample(range(len(texts)), self.sample))
        chosen = set(picks)
        others = [index for index in range(len(texts)) if index not in chosen]
        result = np.empty((len(texts), self.dims), dtype=np.float32)
        start = time.perf_counter()
        result[picks] = self.real.encode([texts[index] for index in picks])
        sample_s = time.perf_counter() - start
        estimate_s = sample_s / self.sample * len(texts)
        embedded_all = estimate_s <= self.budget_s
        if embedded_all:
            result[others] = self.real.encode([texts[index] for index in others])
        else:
            noise = np.random.default_rng(SEED).standard_normal((len(others), self.dims))
            noise /= np.linalg.norm(noise, axis=1, keepdims=True)
            result[others] = noise.astype(np.float32)
        self.build = {
            "texts": len(texts), "sample": self.sample, "sample_s": sample_s,
            "estimate_embed_s": estimate_s, "rest_s": (len(others) * sample_s / self.sample),
            "embedded_all": embedded_all,
        }
        return result


def _self_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _vm_hwm_kib() -> int | None:
    """This process's own peak RSS from /proc (Linux): unlike ru_maxrss, it starts afresh at
    exec, so it is never the parent's figure. A cross-check."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _build(spec: dict[str, Any], sample: int = 0, budget_s: float = math.inf) -> tuple[
    Any, _TimedEncoder | None, dict[str, Any]
]:
    """Import the engine, load the FAQ, load the encoder, build the index; times in seconds.

    With spec["no_seed"], the vectors the package ships for the bundled FAQ
    (bot/models/seed-<encoder>.npz) are hidden: a cache that is really empty.
    """
    sys.path.insert(0, spec["root"])
    started = time.perf_counter()
    faq_module = importlib.import_module("bot.faq")
    matcher_module = importlib.import_module("bot.matcher")
    imported = time.perf_counter()
    if spec.get("no_seed") and hasattr(matcher_module, "models_dir"):
        nowhere = Path(spec["cache_dir"]) / "no-seed"  # an empty directory: no seed files
        nowhere.mkdir(exist_ok=True)
        setattr(matcher_module, "models_dir", lambda: nowhere)  # noqa: B010
    faq = faq_module.load_faq(Path(spec["faq"]))
    loaded = time.perf_counter()
    encoder: _TimedEncoder | None = None
    if spec["encoder"]:
        embedding = importlib.import_module("bot.embedding")
        encoder = _TimedEncoder(embedding.load_encoder(spec["encoder"]), sample, budget_s)
    encoder_loaded = time.perf_counter()
    if encoder is not None:
        matcher = matcher_module.Matcher(faq, encoder=encoder, cache_dir=Path(spec["cache_dir"]))
    else:
        matcher = matcher_module.Matcher(faq)
    built = time.perf_counter()
    times: dict[str, Any] = {
        "import_s": imported - started,
        "load_faq_s": loaded - imported,
        "encoder_s": encoder_loaded - loaded,
        "matcher_s": built - encoder_loaded,
        "total_s": built - imported,  # what "load + index build" means here: not the imports
        "entries": len(faq.entries),
        "embedded_texts": encoder.texts if encoder else 0,
        "embed_s": sum(encoder.calls) / 1e9 if encoder else 0.0,
        "rss_after_build_kib": _self_rss_kib(),
    }
    if encoder is not None and encoder.build:
        times["sampled"] = encoder.build
        if not encoder.build["embedded_all"]:
            times["estimate_total_s"] = times["total_s"] + encoder.build["rest_s"]
    return matcher, encoder, times


def _questions(path: str | None) -> list[str]:
    if not path:
        return []
    loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    return [str(question) for question in loaded]


def _embed_ms(encoder: _TimedEncoder | None, since: int) -> float | None:
    """Mean time in the encoder per message, for the calls after `since`."""
    if encoder is None or len(encoder.calls) <= since:
        return None
    return statistics.fmean(encoder.calls[since:]) / 1e6


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    task = spec["task"]
    if task == "generate":
        base = Path(spec["base"])  # a size below the base's own entries: the base alone
        generated = generate_faq(max(spec["size"], bundled_entries(base)), spec["seed"], base)
        Path(spec["faq"]).write_text(generated.text, encoding="utf-8")
        about = random.Random(spec["seed"]).sample(
            generated.questions, min(GENERATED_ABOUT, len(generated.questions)))
        Path(spec["about"]).write_text(json.dumps(about), encoding="utf-8")
        return {"entries": generated.entries}
    if task == "build":
        _, _, times = _build(spec, spec.get("sample", 0), spec.get("budget_s") or math.inf)
        return {"build": times}
    matcher, encoder, times = _build(spec)
    if task == "memory":
        questions = _questions(spec["questions"])
        for question in questions:
            matcher.match(question)
        answered = _self_rss_kib()
        hwm = _vm_hwm_kib()
        importlib.import_module("telegram.ext")  # what `faq-bot run` adds on top
        return {"build": times, "questions": len(questions), "rss_answered_kib": answered,
                "vm_hwm_answered_kib": hwm, "rss_telegram_kib": _self_rss_kib()}
    if task != "latency":
        raise ValueError(f"unknown task {task!r}")
    result: dict[str, Any] = {"build": times}
    matcher.match("hello")  # the first call pays for whatever is built lazily
    series: list[tuple[str, list[str], int]] = [
        ("real", _questions(spec["questions"]), spec["passes"]),
        ("about", _questions(spec.get("about")), spec["passes"]),
    ]
    warmup = spec.get("warmup")  # None: every question once
    for name, questions, passes in series:
        if not questions:
            continue
        mark = len(encoder.calls) if encoder else 0
        warming = questions[:warmup] if warmup else questions
        result[f"{name}_first"] = time_calls(matcher.match, warming, 1).__dict__
        result[f"{name}_first_embed_ms"] = _embed_ms(encoder, mark)
        mark = len(encoder.calls) if encoder else 0
        result[name] = time_calls(matcher.match, questions, passes, spec["budget_s"]).__dict__
        result[f"{name}_embed_ms"] = _embed_ms(encoder, mark)
    return result


# -- running children -----------------------------------------------------------------------


class ChildFailed(Exception):
    """A child process exited non-zero; the message ends with its last lines of stderr."""


@dataclass(frozen=True)
class ChildRun:
    wall_s: float
    stdout: str
    stderr: str
    maxrss_kib: int


def run_child(argv: Sequence[str], cwd: Path, env: dict[str, str], what: str = "") -> ChildRun:
    """Run to completion; its wall time and its own peak resident memory (os.wait4). The
    parent blocks in wait4, so it takes no CPU from the child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        lines = stderr.strip().splitlines()
        why = lines[-1].strip() if lines else "no message"
        raise ChildFailed(f"{what or ' '.join(argv[1:4])} exited {process.returncode}: {why}")
    return ChildRun(wall, stdout, stderr, int(usage.ru_maxrss))


# Where children keep their compiled .pyc files (set by main): a scratch directory, so no
# measured process compiles the engine's modules (or numpy's) and nothing is written into
# the checkout, whatever PYTHONDONTWRITEBYTECODE says.
PYCACHE: list[Path] = []


def child_env(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment, with `root` first on the path and no FAQ_PATH: a child reads
    the faq.yaml it is given (or, for `ask`, the one in its working directory)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("FAQ_PATH", CACHE_ENV, ENCODER_ENV, "PYTHONPATH",
                          "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPATH"] = str(root)
    if PYCACHE:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE[0])
    env.update(extra or {})
    return env


_WARM_IMPORTS = """\
import importlib
for name in ("bot.cli", "bot.matcher", "bot.embedding", "bot.semantic", "numpy", "onnxruntime",
             "tokenizers", "rapidfuzz", "yaml", "telegram.ext"):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def precompile(root: Path) -> None:
    """Compile the engine's modules, and the libraries it imports, into the children's pycache,
    as an installed package has them; measured processes then only read .pyc files."""
    env = child_env(root)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "bot")], cwd=root,
                   env=env, capture_output=True)
    subprocess.run([sys.executable, "-c", _WARM_IMPORTS], cwd=root, env=env,
                   capture_output=True)


@dataclass(frozen=True)
class Engine:
    key: str  # minilm, static, today
    label: str
    root: Path
    faq: Path
    encoder: str | None  # None: today's engine, which has no encoder

    @property
    def is_new(self) -> bool:
        return self.encoder is not None


def call_worker(spec: dict[str, Any], cwd: Path, env: dict[str, str]) -> tuple[
    dict[str, Any], ChildRun
]:
    run = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
        cwd, env, what=f"worker {spec.get('task')}",
    )
    for line in reversed(run.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return result, run
    raise ChildFailed(f"no result line from the worker: {run.stderr.strip()[-300:]}")


def run_worker(engine: Engine, spec: dict[str, Any]) -> tuple[dict[str, Any], ChildRun]:
    full = {"root": str(engine.root), "encoder": engine.encoder, **spec}
    return call_worker(full, engine.root, child_env(engine.root))


# -- today's engine -------------------------------------------------------------------------


@contextmanager
def today_tree(commit: str) -> Iterator[tuple[Path | None, str]]:
    """The tree of `commit` in a temporary directory, or None and why not."""
    git = shutil.which("git")
    if git is None:
        yield None, "git is not installed"
        return
    with tempfile.TemporaryDirectory(prefix="bench-today-") as scratch:
        archive = subprocess.run([git, "-C", str(REPO), "archive", commit],
                                 capture_output=True)
        if archive.returncode != 0:
            reason = archive.stderr.decode("utf-8", "replace").strip().splitlines()
            yield None, f"git archive {commit} failed: {reason[-1] if reason else '?'}"
            return
        untar = subprocess.run(["tar", "-x", "-C", scratch], input=archive.stdout,
                               capture_output=True)
        root = Path(scratch)
        if untar.returncode != 0 or not (root / "bot" / "matcher.py").is_file():
            yield None, f"could not extract the tree of {commit}"
            return
        yield root, ""


# -- the measurements -----------------------------------------------------------------------


@dataclass
class Outcome:
    """One measurement of one engine: its result, or why it failed."""

    value: dict[str, Any] | None = None
    error: str = ""


def attempt(action: Callable[[], dict[str, Any]]) -> Outcome:
    try:
        return Outcome(action())
    except (ChildFailed, OSError, ValueError, KeyError) as exc:
        return Outcome(error=str(exc)[:400])


def attempt_worker(engine: Engine, spec: dict[str, Any]) -> Outcome:
    return attempt(lambda: run_worker(engine, spec)[0])


@dataclass
class FaqFiles:
    """One FAQ to measure, as each engine's own file (each engine reads its own base)."""

    label: str
    size: int | None  # None: the bundled FAQ
    paths: dict[str, Path]  # engine key -> faq.yaml
    about: dict[str, list[str]]  # engine key -> questions about generated entries


def prepare_faqs(engines: Sequence[Engine], sizes: Sequence[int], seed: int,
                 scratch: Path) -> list[FaqFiles]:
    """The bundled FAQ of each engine, and generated ones on each engine's own base. They are
    generated in a child process: a parent that grew to hold a 10,000-entry FAQ would pass its
    size on to the ru_maxrss of every child it starts (fork, then exec, keeps the high-water
    mark)."""
    faqs = [FaqFiles("bundled", None, {engine.key: engine.faq for engine in engines}, {})]
    for size in sizes:
        files = FaqFiles(f"gen-{size}", size, {}, {})
        made: dict[Path, tuple[Path, list[str]]] = {}  # one file per distinct base
        for engine in engines:
            if engine.faq not in made:
                path = scratch / f"faq-{size}-{len(made)}.yaml"
                about = scratch / f"about-{size}-{len(made)}.json"
                call_worker({"task": "generate", "base": str(engine.faq), "size": size,
                             "seed": seed, "faq": str(path), "about": str(about)},
                            REPO, child_env(REPO))
                made[engine.faq] = (path, _questions(str(about)))
            files.paths[engine.key], files.about[engine.key] = made[engine.faq]
        faqs.append(files)
    return faqs


@dataclass
class Config:
    questions: list[str]
    counts: dict[str, int]
    passes: int
    generated_real: list[str]
    memory_questions: list[str]
    ask_runs: int
    cold_sample: int
    cold_budget_s: float
    budget_s: float
    seed: int
    quick: bool
    load_start: tuple[float, float, float]


def has_seed(engine: Engine) -> bool:
    """Whether the package ships vectors of its bundled FAQ for this engine's encoder."""
    return engine.is_new and (engine.root / "bot" / "models" / f"seed-{engine.encoder}.npz"
                              ).is_file()


def measure_faq(engines: Sequence[Engine], faq: FaqFiles, config: Config, scratch: Path,
                progress: Callable[[str], None]) -> dict[str, dict[str, Outcome]]:
    """For each engine, fresh processes: a cold build (an empty cache dir, and the vectors the
    package ships for the bundled FAQ hidden); on the bundled FAQ, when the package ships such
    vectors, a build as a fresh install does it (empty cache dir, shipped vectors); then the
    latency process, which reuses the cache the cold build wrote (its build is the warm one)."""
    real = config.questions if faq.size is None else config.generated_real
    real_file = scratch / f"questions-{faq.label}.json"
    real_file.write_text(json.dumps(real), encoding="utf-8")
    results: dict[str, dict[str, Outcome]] = {}
    for engine in engines:
        cache = scratch / f"cache-{engine.key}-{faq.label}"
        cache.mkdir()
        about_file = scratch / f"about-{engine.key}-{faq.label}.json"
        about_file.write_text(json.dumps(faq.about.get(engine.key, [])), encoding="utf-8")
        base = {"faq": str(faq.paths[engine.key]), "cache_dir": str(cache)}
        outcomes: dict[str, Outcome] = {}
        progress(f"{engine.key} {faq.label}: cold build")
        outcomes["cold"] = attempt_worker(engine, {
            **base, "task": "build", "no_seed": True, "sample": config.cold_sample,
            "budget_s": config.cold_budget_s})
        if faq.size is None and has_seed(engine):
            progress(f"{engine.key} {faq.label}: build as a fresh install")
            fresh = scratch / f"cache-{engine.key}-{faq.label}-seeded"
            fresh.mkdir()
            outcomes["seeded"] = attempt_worker(engine, {
                **base, "cache_dir": str(fresh), "task": "build"})
        progress(f"{engine.key} {faq.label}: warm build and latency")
        outcomes["warm"] = attempt_worker(engine, {
            **base, "task": "latency", "questions": str(real_file), "about": str(about_file),
            "passes": config.passes if faq.size is None else 1,
            "warmup": None if faq.size is None else GENERATED_WARMUP,
            "budget_s": config.budget_s})
        results[engine.key] = outcomes
    return results


def measure_memory(engines: Sequence[Engine], config: Config, scratch: Path,
                   progress: Callable[[str], None]) -> dict[str, Outcome]:
    questions = scratch / "memory-questions.json"
    questions.write_text(json.dumps(config.memory_questions), encoding="utf-8")
    results: dict[str, Outcome] = {}
    for engine in engines:
        progress(f"{engine.key}: memory")
        cache = scratch / f"cache-{engine.key}-bundled"  # warm: the bundled build wrote it

        def action(engine: Engine = engine, cache: Path = cache) -> dict[str, Any]:
            result, run = run_worker(engine, {
                "task": "memory", "faq": str(engine.faq), "cache_dir": str(cache),
                "questions": str(questions)})
            return {**result, "child_maxrss_kib": run.maxrss_kib}

        results[engine.key] = attempt(action)
    return results


# Run in a fresh interpreter: import the CLI, answer as `faq-bot ask` would, then report which
# modules that loaded. stdout of `ask` is captured so only our JSON line reaches the parent.
_IMPORT_PROBE = """\
import contextlib, io, json, sys
from bot import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = cli.main(["ask", sys.argv[1]])
print(json.dumps({
    "exit": code,
    "reply": out.getvalue(),
    "telegram": sorted(m for m in sys.modules if m.split(".")[0] == "telegram"),
}))
"""


def measure_ask(engine: Engine, runs: int, scratch: Path) -> dict[str, Any]:
    """`python -m bot ask` from the engine's tree (its faq.yaml), with a warm cache."""
    cache = scratch / f"ask-cache-{engine.key}"
    cache.mkdir()
    extra = {CACHE_ENV: str(cache), ENCODER_ENV: engine.encoder or ""} if engine.is_new else {}
    env = child_env(engine.root, extra)
    command = [sys.executable, "-m", "bot", "ask", COLD_QUESTION]
    # One unmeasured run first: it writes the embedding cache (and .pyc files), as on a
    # machine where the bot has run before; we measure the interpreter, not the disk.
    first = run_child(command, engine.root, env)
    cache_written = any(cache.iterdir())
    timed = [run_child(command, engine.root, env) for _ in range(runs)]
    probe = run_child([sys.executable, "-X", "importtime", "-c", _IMPORT_PROBE, COLD_QUESTION],
                      engine.root, env)
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    cli_ms, slowest = parse_importtime(probe.stderr)
    return {
        "first_s": first.wall_s,
        "times_s": [run.wall_s for run in timed],
        "median_s": statistics.median(run.wall_s for run in timed),
        "maxrss_kib": max(run.maxrss_kib for run in timed),
        "answered": all("sciatica" in run.stdout.lower() for run in timed),
        "cache_written": cache_written,
        "telegram_modules": report["telegram"],
        "cli_import_ms": cli_ms,
        "slowest_imports": slowest,
    }


def parse_importtime(stderr: str) -> tuple[float, list[tuple[str, float]]]:
    """bot.cli's cumulative import time, and the slowest top-level packages and bot modules
    (ms). A package's cost is all on its first import, so its cumulative time is what it adds.
    """
    modules: list[tuple[str, float]] = []
    cli_ms = 0.0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        module = name.strip()
        ms = int(cumulative) / 1000
        if module == "bot.cli":
            cli_ms = ms
        elif module != "bot" and ("." not in module or module.startswith("bot.")):
            modules.append((module, ms))
    modules.sort(key=lambda item: -item[1])
    return cli_ms, modules[:5]


# -- installed size -------------------------------------------------------------------------


def dist_bytes(name: str) -> int | None:
    """Bytes of a distribution's installed files (its RECORD: package, dist-info, .libs)."""
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    total = 0
    for file in dist.files or ():
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def closure(needs: Sequence[str]) -> set[str]:
    """The installed distributions `needs` pull in, with their requirements' requirements
    (extras only where asked for; markers evaluated for this interpreter)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    visited: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(need) for need in needs]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for text in requires:
            child = Requirement(text)
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in extras or {""}
            ):
                todo.append(child)
    return seen


def dir_bytes(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def measure_size(new_root: Path, encoders: Sequence[str]) -> dict[str, Any]:
    models = new_root / "bot" / "models"
    model_bytes: dict[str, int] = {}
    for encoder in encoders:
        if (models / MODEL_DIRS[encoder]).is_dir():
            model_bytes[f"{MODEL_DIRS[encoder]}/"] = dir_bytes(models / MODEL_DIRS[encoder])
        # the bundled FAQ's vectors, and the emergency examples' (bot.likeness)
        for vectors in (models / f"seed-{encoder}.npz", models / f"urgent-examples-{encoder}.npz"):
            if vectors.is_file():
                model_bytes[vectors.name] = vectors.stat().st_size
    shipped = {
        f"{kind}-{encoder}.npz" for kind in ("seed", "urgent-examples") for encoder in MODEL_DIRS
    }
    shared = sum(item.stat().st_size for item in models.glob("*")
                 if item.is_file() and item.name not in shipped) if models.is_dir() else 0
    libraries = {name: dist_bytes(name) for name in SIZED}
    result: dict[str, Any] = {"models": model_bytes, "model_notices": shared,
                              "libraries": libraries}
    try:
        today = closure(TODAY_NEEDS)
        new = closure(NEW_NEEDS)
    except ImportError:  # packaging missing: only the named libraries
        return result
    result["today_closure"] = sorted(today)
    result["new_closure"] = sorted(new)
    result["today_closure_bytes"] = sum(dist_bytes(name) or 0 for name in today)
    result["new_closure_bytes"] = sum(dist_bytes(name) or 0 for name in new)
    result["added"] = {name: dist_bytes(name) or 0 for name in sorted(new - today)}
    return result


# -- reporting ------------------------------------------------------------------------------


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return ""
    return "PASS" if value <= target else "FAIL"


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "-"
    return f"{value / base:.2f}x"


def mib(kib: int | float) -> float:
    return kib / 1024


def human(size: int | float) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


class Report:
    def __init__(self, engines: Sequence[Engine]) -> None:
        self.engines = list(engines)
        self.lines: list[str] = []
        self.today = next((engine for engine in engines if engine.key == "today"), None)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def section(self, title: str, *notes: str) -> None:
        self.add("", f"== {title} ==", *(f"   {note}" for note in notes))

    def latency(self, faq: FaqFiles, results: dict[str, dict[str, Outcome]],
                series: str) -> None:
        bundled = faq.size is None
        if bundled:
            targets = f"p50<={TARGET_P50_MS:g} p99<={TARGET_P99_MS:g}"
        elif faq.size is not None and faq.size <= TARGET_LARGE_SIZE:
            targets = f"p99<={TARGET_LARGE_P99_MS:g}"
        else:
            targets = ""
        self.add(f"{'engine':<8}{'calls':>7}{'p50':>9}{'p99':>9}{'mean':>9}{'max':>9}"
                 f"{'embed':>8}{'p50 x':>8}{'p99 x':>8}  {'target':<19} result")
        base = self._stats(results, "today", series)
        for engine in self.engines:
            outcome = results[engine.key]["warm"]
            if outcome.value is None:
                self.add(f"{engine.key:<8} failed: {outcome.error}")
                continue
            stats = self._stats(results, engine.key, series)
            if stats is None:
                continue
            embed = outcome.value.get(f"{series}_embed_ms")
            ok = [verdict(stats.p99, TARGET_P99_MS if bundled else TARGET_LARGE_P99_MS)]
            if bundled:
                ok.insert(0, verdict(stats.p50, TARGET_P50_MS))
            result = " ".join(ok) if targets else ""
            self.add(
                f"{engine.key:<8}{stats.count:>7}{stats.p50:>9.3f}{stats.p99:>9.3f}"
                f"{stats.mean:>9.3f}{stats.max:>9.3f}"
                + (f"{embed:>8.3f}" if embed is not None else f"{'-':>8}")
                + f"{self._x(stats.p50, base.p50 if base else None):>8}"
                f"{self._x(stats.p99, base.p99 if base else None):>8}  "
                f"{targets or 'info':<19} {result}"
            )

    @staticmethod
    def _stats(results: dict[str, dict[str, Outcome]], key: str, series: str) -> Stats | None:
        outcome = results.get(key, {}).get("warm")
        if outcome is None or outcome.value is None or series not in outcome.value:
            return None
        return Stats.from_dict(outcome.value[series])

    def _x(self, value: float, base: float | None) -> str:
        return "-" if base is None else ratio(value, base)


def build_rows(report: Report, faq: FaqFiles, results: dict[str, dict[str, Outcome]]) -> None:
    bundled = faq.size is None
    today = results.get("today", {})
    base_cold = _total(today.get("cold"))
    base_warm = _total(today.get("warm"))
    seeded = any("seeded" in outcomes for outcomes in results.values())
    report.add(f"{'engine':<8}{'entries':>8}{'texts':>8}{'embed s':>10}{'cold s':>10}"
               + (f"{'install s':>10}" if seeded else "")
               + f"{'warm s':>9}{'faq s':>7}{'enc s':>7}{'index s':>8}{'import s':>9}"
               f"{'cold x':>8}{'warm x':>8}  result")
    for engine in report.engines:
        outcomes = results[engine.key]
        cold, warm = outcomes["cold"], outcomes["warm"]
        if cold.value is None and warm.value is None:
            report.add(f"{engine.key:<8} failed: {cold.error or warm.error}")
            continue
        cold_build = cold.value["build"] if cold.value else {}
        warm_build = warm.value["build"] if warm.value else {}
        estimated = "estimate_total_s" in cold_build
        cold_s = _total(cold)
        warm_s = _total(warm)
        install_s = _total(outcomes.get("seeded"))
        entries = cold_build.get("entries", warm_build.get("entries", 0))
        embed_s = cold_build.get("embed_s")
        if estimated:
            embed_s = cold_build["sampled"]["estimate_embed_s"]
        mark = "~" if estimated else ""
        result = []
        if bundled and engine.is_new:
            result = [f"cold {verdict(cold_s, TARGET_LOAD_S)}"]
            if install_s is not None:
                result.append(f"install {verdict(install_s, TARGET_LOAD_S)}")
            result.append(f"warm {verdict(warm_s, TARGET_LOAD_S)}")
        report.add(
            f"{engine.key:<8}{entries:>8}{cold_build.get('embedded_texts', 0):>8}"
            + _seconds(embed_s if engine.is_new else None, 10, mark)
            + _seconds(cold_s, 10, mark)
            + (_seconds(install_s, 10) if seeded else "")
            + _seconds(warm_s, 9)
            + f"{warm_build.get('load_faq_s', 0):>7.3f}{warm_build.get('encoder_s', 0):>7.3f}"
            f"{warm_build.get('matcher_s', 0):>8.3f}{warm_build.get('import_s', 0):>9.3f}"
            f"{ratio(cold_s, base_cold):>8}{ratio(warm_s, base_warm):>8}  {', '.join(result)}"
        )
        for name, outcome in outcomes.items():
            if outcome.error:
                report.add(f"{'':<8} {name} build failed: {outcome.error}")
        seeded_build = outcomes.get("seeded")
        if seeded_build is not None and seeded_build.value is not None:
            texts = seeded_build.value["build"]["embedded_texts"]
            report.add(f"{'':<8} install: {texts} texts embedded that the shipped vectors "
                       f"(bot/models/seed-{engine.encoder}.npz) lack, in "
                       f"{seeded_build.value['build']['embed_s']:.3f} s")
        if estimated:
            sampled = cold_build["sampled"]
            report.add(
                f"{'':<8} ~ ESTIMATE, not measured: {sampled['sample']} of {sampled['texts']} "
                f"texts embedded in {sampled['sample_s']:.1f} s, so all of them would take "
                f"about {sampled['estimate_embed_s']:.0f} s (more than --cold-budget); the "
                "rest got random vectors, which the warm build and the latency above use "
                "(the same cost, not the same answers)")


def _seconds(value: float | None, width: int, mark: str = "") -> str:
    return (f"{mark}{value:.3f}" if value is not None else "-").rjust(width)


def _total(outcome: Outcome | None) -> float | None:
    if outcome is None or outcome.value is None:
        return None
    value = outcome.value["build"].get("estimate_total_s", outcome.value["build"]["total_s"])
    return float(value)


def render(engines: Sequence[Engine], faqs: Sequence[FaqFiles],
           measured: dict[str, dict[str, dict[str, Outcome]]], memory: dict[str, Outcome],
           asks: dict[str, Outcome], size: dict[str, Any], config: Config,
           skipped_today: str, old_commit: str, elapsed_s: float,
           new_source: str) -> list[str]:
    report = Report(engines)
    sources = ", ".join(f"{folder} {count}" for folder, count in config.counts.items())
    report.add(
        "Matcher benchmark: the new engine and today's, side by side in one run",
        f"python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; seed {config.seed}; {elapsed_s:.0f} s in all"
        + ("; --quick: few questions and passes, checks the script, not the speed"
           if config.quick else ""),
        "engines: " + "; ".join(f"{engine.key} = {engine.label}" for engine in engines),
        f"new matcher: {new_source}, copied at the start so that edits during the run do not "
        "mix into it",
        "load average (1, 5, 15 min) at the start "
        + "/".join(f"{value:.1f}" for value in config.load_start) + ", at the end "
        + "/".join(f"{value:.1f}" for value in os.getloadavg())
        + f" on {os.cpu_count()} CPUs (a load above the CPU count: other work shared the "
        "machine)",
    )
    if skipped_today:
        report.add(f"today's matcher ({old_commit}) SKIPPED: {skipped_today}; "
                   "no side-by-side figures or ratios in this run")
    report.add(
        f"questions: {len(config.questions)} real phrasings from tests/data/**/*.jsonl "
        f"({sources})",
        "x columns: this engine / today's, from this run (the machine is shared: ratios are "
        "what count); times in ms unless marked s",
    )

    bundled = faqs[0]
    report.section(
        f"Per-question latency, bundled FAQ ({_entries(measured, bundled)}), real questions, "
        "warm",
        f"{config.passes} timed pass(es) after one warm-up pass; p50/p99 are nearest-rank; "
        "embed: mean ms in the encoder per question",
    )
    report.latency(bundled, measured[bundled.label], "real")
    report.section("Per-question latency, bundled FAQ, the warm-up pass (first sight of each "
                   "question)")
    report.latency(bundled, measured[bundled.label], "real_first")

    for faq in faqs[1:]:
        report.section(
            f"Per-question latency, generated FAQ {faq.label} ({_entries(measured, faq)}), warm",
            f"real: {len(config.generated_real)} of the real questions (seeded sample); "
            f"about: up to {GENERATED_ABOUT} questions about generated entries "
            "(30% with a typo);",
            f"each timed once, after a warm-up pass over the first {GENERATED_WARMUP} of them",
        )
        report.add("real questions:")
        report.latency(faq, measured[faq.label], "real")
        report.add("questions about the generated entries:")
        report.latency(faq, measured[faq.label], "about")
        if any(_estimated(measured[faq.label].get(engine.key)) for engine in engines):
            report.add("   (an engine whose cold build was estimated matched against vectors "
                       "partly random: the same cost, not the same answers)")

    for faq in faqs:
        bundled_notes = [
            "install = an empty cache dir, with the vectors the package ships for its bundled "
            "FAQ (bot/models/seed-<encoder>.npz): a fresh install's first start;",
            f"target <= {TARGET_LOAD_S:g} s with embeddings",
        ]
        report.section(
            f"FAQ load + index build, {faq.label} ({_entries(measured, faq)})",
            "each in a fresh process: cold = an empty cache dir (and no shipped vectors), "
            "warm = a second process with the cache the cold one wrote;",
            "s = load_faq + load_encoder + Matcher(); faq/enc/index s split the warm one; "
            "import s (not included) = importing bot.faq and bot.matcher;",
            *(["today's engine has no embedding cache: its processes all do the same work;"]
              if report.today else []),
            *(bundled_notes if faq.size is None else
              ["the cold build is a one-off (the first start after the FAQ is written): "
               "later starts read the cache"]),
        )
        build_rows(report, faq, measured[faq.label])

    report.section(
        f"Cold `faq-bot ask \"{COLD_QUESTION}\"` (python -m bot ask, fresh process, "
        "warm embedding cache)",
        f"median of the timed runs after one unmeasured run (which writes the cache via "
        f"{CACHE_ENV}); target <= {TARGET_ASK_S:g} s",
    )
    base = asks.get("today")
    base_s = base.value["median_s"] if base and base.value else None
    for engine in engines:
        outcome = asks[engine.key]
        if outcome.value is None:
            report.add(f"{engine.key:<8} failed: {outcome.error}")
            continue
        ask = outcome.value
        runs = ", ".join(f"{value:.3f}" for value in ask["times_s"])
        slowest = ", ".join(f"{name} {value:.0f}" for name, value in ask["slowest_imports"])
        target = "" if engine.key == "today" else (
            f"  target <={TARGET_ASK_S:g} s {verdict(ask['median_s'], TARGET_ASK_S)}")
        report.add(
            f"{engine.key:<8} {ask['median_s']:.3f} s (x {ratio(ask['median_s'], base_s)})"
            f"{target}; runs {runs} s; first run {ask['first_s']:.3f} s; "
            f"peak RSS {mib(ask['maxrss_kib']):.0f} MiB",
            f"{'':<8} answered about sciatica: {ask['answered']}; telegram imported: "
            f"{bool(ask['telegram_modules'])}; import bot.cli {ask['cli_import_ms']:.0f} ms; "
            f"slowest imports: {slowest} ms",
        )
        if engine.is_new and not ask["cache_written"] and not has_seed(engine):
            report.add(f"{'':<8} NOTE: nothing was written to {CACHE_ENV}: this `ask` does not "
                       "read it, so each run embedded the FAQ itself (or used another cache)")
        if engine.is_new and not reads(engine, ENCODER_ENV):
            report.add(f"{'':<8} NOTE: this tree's bot/ never mentions {ENCODER_ENV}: the row "
                       "measures the CLI's default encoder")

    report.section(
        f"Peak resident memory (ru_maxrss of a child): load the bundled FAQ, answer "
        f"{MEMORY_QUESTIONS} questions",
        "a proxy for `faq-bot run` (warm embedding cache); VmHWM: the same from /proc, a "
        "cross-check; +telegram: the same process",
        f"after importing telegram.ext as `run` does; target <= {TARGET_RSS_MIB:g} MiB; "
        f"this (parent) process peaked at {mib(_self_rss_kib()):.0f} MiB",
    )
    base_rss = memory.get("today")
    base_kib = base_rss.value["rss_answered_kib"] if base_rss and base_rss.value else None
    for engine in engines:
        outcome = memory[engine.key]
        if outcome.value is None:
            report.add(f"{engine.key:<8} failed: {outcome.error}")
            continue
        value = outcome.value
        answered = value["rss_answered_kib"]
        hwm = value.get("vm_hwm_answered_kib")
        target = "" if engine.key == "today" else (
            f"  target <={TARGET_RSS_MIB:g} MiB {verdict(mib(answered), TARGET_RSS_MIB)}")
        report.add(
            f"{engine.key:<8} after build {mib(value['build']['rss_after_build_kib']):4.0f} "
            f"MiB; after {value['questions']} questions {mib(answered):4.0f} MiB "
            f"(x {ratio(answered, base_kib)}; VmHWM "
            + (f"{mib(hwm):.0f}" if hwm else "-")
            + f" MiB); +telegram {mib(value['child_maxrss_kib']):4.0f} MiB{target}"
        )

    report.section("Installed size", "site-packages: each distribution's RECORD (package, "
                   "dist-info, bundled .libs)")
    for name, value in size["models"].items():
        report.add(f"{'bot/models/' + name:<30} {human(value):>10}")
    if size["model_notices"]:
        report.add(f"{'bot/models/ licence, notice':<30} {human(size['model_notices']):>10}")
    for name, value in size["libraries"].items():
        need = "new only" if name in ("onnxruntime", "tokenizers", "numpy") else "both"
        shown = human(value) if value is not None else "not installed"
        report.add(f"{name:<30} {shown:>10}  ({need})")
    if "added" in size:
        added = ", ".join(f"{name} {human(value)}" for name, value in size["added"].items())
        models = sum(size["models"].values()) + size["model_notices"]
        today_bytes, new_bytes = size["today_closure_bytes"], size["new_closure_bytes"]
        report.add(
            f"with every requirement they pull in: today's engine {human(today_bytes)}, "
            f"the new one {human(new_bytes)} + models {human(models)} = "
            f"{human(new_bytes + models)} (x {ratio(new_bytes + models, today_bytes)})",
            f"   the new engine adds: {added}",
        )

    report.section("Summary: new / today, from this run")
    report.add(*summary(engines, faqs, measured, memory, asks))
    return report.lines


def summary(engines: Sequence[Engine], faqs: Sequence[FaqFiles],
            measured: dict[str, dict[str, dict[str, Outcome]]], memory: dict[str, Outcome],
            asks: dict[str, Outcome]) -> list[str]:
    keys = [engine.key for engine in engines]

    def latency(label: str, field: str) -> dict[str, float | None]:
        found: dict[str, float | None] = {}
        for key in keys:
            outcome = measured[label][key]["warm"]
            value = outcome.value.get("real") if outcome.value else None
            found[key] = float(value[field]) if value else None
        return found

    def build(label: str, part: str) -> dict[str, float | None]:
        return {key: _total(measured[label][key].get(part)) for key in keys}

    def estimated(label: str) -> set[str]:
        return {key for key in keys if _estimated(measured[label][key])}

    def pick(outcomes: dict[str, Outcome], field: str, scale: float = 1) -> dict[
        str, float | None
    ]:
        found: dict[str, float | None] = {}
        for key in keys:
            outcome = outcomes.get(key)
            value = outcome.value.get(field) if outcome and outcome.value else None
            found[key] = float(value) / scale if isinstance(value, int | float) else None
        return found

    Row = tuple[str, dict[str, float | None], float | None, str, set[str]]
    rows: list[Row] = [
        ("bundled p50 ms", latency("bundled", "p50"), TARGET_P50_MS, ".3f", set()),
        ("bundled p99 ms", latency("bundled", "p99"), TARGET_P99_MS, ".3f", set()),
    ]
    for faq in faqs[1:]:
        target = TARGET_LARGE_P99_MS if (faq.size or 0) <= TARGET_LARGE_SIZE else None
        rows.append((f"{faq.label} p50 ms", latency(faq.label, "p50"), None, ".3f", set()))
        rows.append((f"{faq.label} p99 ms", latency(faq.label, "p99"), target, ".3f", set()))
    rows += [
        ("bundled load cold s", build("bundled", "cold"), TARGET_LOAD_S, ".3f", set()),
    ]
    if any("seeded" in parts for parts in measured["bundled"].values()):
        rows.append(("bundled load install s", build("bundled", "seeded"), TARGET_LOAD_S,
                     ".3f", set()))
    rows.append(("bundled load warm s", build("bundled", "warm"), TARGET_LOAD_S, ".3f", set()))
    for faq in faqs[1:]:
        rows.append((f"{faq.label} load cold s", build(faq.label, "cold"), None, ".2f",
                     estimated(faq.label)))
        rows.append((f"{faq.label} load warm s", build(faq.label, "warm"), None, ".3f", set()))
    rows += [
        ("cold ask s", pick(asks, "median_s"), TARGET_ASK_S, ".3f", set()),
        ("peak RSS MiB", pick(memory, "rss_answered_kib", 1024), TARGET_RSS_MIB, ".1f", set()),
    ]
    new_keys = [key for key in keys if key != "today"]
    compare = "today" in keys
    lines = [f"{'':<24}{'target':>8}" + "".join(f"{key:>11}" for key in keys)
             + ("".join(f"{key + '/today':>14}" for key in new_keys) if compare else "")]
    for label, values, target, spec, guessed in rows:
        line = f"{label:<24}{(f'<={target:g}' if target else ''):>8}"
        for key in keys:
            shown = values[key]
            if shown is None:
                line += f"{'-':>11}"
                continue
            over = target is not None and key != "today" and shown > target
            text = f"{'~' if key in guessed else ''}{shown:{spec}}{'!' if over else ''}"
            line += text.rjust(11)
        if compare:
            for key in new_keys:
                line += ratio(values[key], values["today"]).rjust(14)
        lines.append(line)
    lines.append("   (!: a new-engine figure over its target; ~: an estimate, see above; "
                 "install: an empty cache dir with the vectors the package ships)")
    return lines


def _entries(measured: dict[str, dict[str, dict[str, Outcome]]], faq: FaqFiles) -> str:
    counts = set()
    for outcomes in measured[faq.label].values():
        for outcome in outcomes.values():
            if outcome.value is not None:
                counts.add(outcome.value["build"]["entries"])
    return " / ".join(f"{count} entries" for count in sorted(counts)) or "? entries"


def _estimated(outcomes: dict[str, Outcome] | None) -> bool:
    cold = (outcomes or {}).get("cold")
    return bool(cold and cold.value and "estimate_total_s" in cold.value["build"])


def reads(engine: Engine, name: str) -> bool:
    """Whether the engine's bot/ source mentions an environment variable."""
    return any(name in path.read_text(encoding="utf-8", errors="replace")
               for path in (engine.root / "bot").glob("*.py"))


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default=None,
                        help="entries of each generated FAQ, comma-separated (default "
                             "1000,10000; --quick: 100,200); empty for none")
    parser.add_argument("--encoders", default="minilm,static",
                        help="the new engine's encoders to measure (default minilm,static)")
    parser.add_argument("--skip-old", action="store_true",
                        help=f"do not measure today's matcher ({OLD_COMMIT})")
    parser.add_argument("--old-commit", default=OLD_COMMIT,
                        help=f"the commit of today's matcher (default {OLD_COMMIT})")
    parser.add_argument("--passes", type=int, default=None,
                        help=f"timed passes over the real questions on the bundled FAQ "
                             f"(default: enough for {MIN_TIMINGS} timings; --quick: 1)")
    parser.add_argument("--cold-budget", type=float, default=120.0, metavar="SECONDS",
                        help="embed every text of a cold build only when a sample predicts "
                             "at most this long; else estimate (default 120)")
    parser.add_argument("--full-cold", action="store_true",
                        help="always embed every text of a cold build, however long it takes")
    parser.add_argument("--ask-runs", type=int, default=None,
                        help="timed `ask` runs per engine (default 5; --quick: 1)")
    parser.add_argument("--questions", type=int, default=None, metavar="N",
                        help="a seeded sample of N real questions instead of all of them "
                             "(the bundled series; the generated FAQs use up to "
                             f"{GENERATED_REAL} of them)")
    parser.add_argument("--quick", action="store_true",
                        help="every 20th question, one pass, small FAQs, one ask run: checks "
                             "the script, not the speed")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--new-root", type=Path, default=REPO,
                        help="the checkout whose bot/ and faq.yaml are the new engine (default: "
                             "this one); copied at the start")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(RESULT_MARK + json.dumps(worker(json.loads(args.worker))))
        return 0
    started = time.perf_counter()
    sizes_text = args.sizes if args.sizes is not None else (
        "100,200" if args.quick else "1000,10000")
    sizes = [int(size) for size in sizes_text.split(",") if size.strip()]
    encoders = [name.strip() for name in args.encoders.split(",") if name.strip()]
    unknown = [name for name in encoders if name not in MODEL_DIRS]
    if unknown:
        print(f"unknown encoder(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    questions, counts = real_questions()
    if not questions:
        print(f"no questions under {QUESTION_DIR}", file=sys.stderr)
        return 2
    if args.quick:
        questions = questions[::20]
    elif args.questions and args.questions < len(questions):
        questions = random.Random(args.seed).sample(questions, args.questions)
    rng = random.Random(args.seed)
    config = Config(
        questions=questions,
        counts=counts,
        passes=args.passes or (1 if args.quick else math.ceil(MIN_TIMINGS / len(questions))),
        generated_real=rng.sample(questions, min(GENERATED_REAL, len(questions))),
        memory_questions=random.Random(args.seed + 1).sample(
            questions, min(MEMORY_QUESTIONS, len(questions))),
        ask_runs=args.ask_runs or (1 if args.quick else 5),
        cold_sample=100 if args.quick else COLD_SAMPLE,
        cold_budget_s=math.inf if args.full_cold else args.cold_budget,
        budget_s=5.0 if args.quick else SERIES_BUDGET_S,
        seed=args.seed,
        quick=args.quick,
        load_start=os.getloadavg(),
    )
    def progress(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {text}", file=sys.stderr, flush=True)

    with contextlib_today(args) as (today_root, skipped), \
            tempfile.TemporaryDirectory(prefix="bench-match-") as scratch_name:
        scratch = Path(scratch_name)
        PYCACHE[:] = [scratch / "pycache"]
        source = args.new_root.resolve()
        new_root = snapshot(source, scratch / "new")
        engines = [
            Engine(encoder, f"new matcher, {encoder} encoder", new_root, new_root / "faq.yaml",
                   encoder)
            for encoder in encoders
        ]
        if today_root is not None:
            engines.append(Engine("today", f"matcher of {args.old_commit} (its own faq.yaml)",
                                  today_root, today_root / "faq.yaml", None))
        progress("compiling")
        for root in dict.fromkeys(engine.root for engine in engines):
            precompile(root)
        faqs = prepare_faqs(engines, sizes, args.seed, scratch)
        measured = {faq.label: measure_faq(engines, faq, config, scratch, progress)
                    for faq in faqs}
        memory = measure_memory(engines, config, scratch, progress)
        asks: dict[str, Outcome] = {}
        for engine in engines:
            progress(f"{engine.key}: cold ask")
            asks[engine.key] = attempt(partial(measure_ask, engine, config.ask_runs, scratch))
        size = measure_size(new_root, encoders)
        lines = render(engines, faqs, measured, memory, asks, size, config, skipped,
                       args.old_commit, time.perf_counter() - started, describe(source))
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(to_json(engines, measured, memory, asks, size, config,
                                                skipped), indent=2, default=str) + "\n",
                             encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


def snapshot(source: Path, into: Path) -> Path:
    """A copy of the checkout's bot/ and faq.yaml: the new engine as it was when the run began
    (someone may be editing the work tree meanwhile)."""
    into.mkdir()
    shutil.copytree(source / "bot", into / "bot",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(source / "faq.yaml", into / "faq.yaml")
    return into


def describe(source: Path) -> str:
    """The source checkout's commit, and whether bot/ or faq.yaml differ from it (read-only
    git)."""
    git = shutil.which("git")
    if git is None:
        return str(source)
    head = subprocess.run([git, "-C", str(source), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode != 0:
        return str(source)
    dirty = subprocess.run([git, "--no-optional-locks", "-C", str(source), "status",
                            "--porcelain", "--", "bot", "faq.yaml"],
                           capture_output=True, text=True)
    edited = " with uncommitted changes to bot/ or faq.yaml" if dirty.stdout.strip() else ""
    return f"{source} at {head.stdout.strip()}{edited}"


@contextmanager
def contextlib_today(args: argparse.Namespace) -> Iterator[tuple[Path | None, str]]:
    if args.skip_old:
        yield None, "--skip-old"
        return
    with today_tree(args.old_commit) as found:
        yield found


def to_json(engines: Sequence[Engine], measured: dict[str, dict[str, dict[str, Outcome]]],
            memory: dict[str, Outcome], asks: dict[str, Outcome], size: dict[str, Any],
            config: Config, skipped: str) -> dict[str, Any]:
    def plain(outcome: Outcome) -> dict[str, Any]:
        return outcome.value if outcome.value is not None else {"error": outcome.error}

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": config.seed,
        "passes": config.passes,
        "questions": config.counts,
        "engines": {engine.key: engine.label for engine in engines},
        "today_skipped": skipped,
        "targets": {
            "bundled_p50_ms": TARGET_P50_MS, "bundled_p99_ms": TARGET_P99_MS,
            "p99_ms_up_to_10000_entries": TARGET_LARGE_P99_MS, "bundled_load_s": TARGET_LOAD_S,
            "cold_ask_s": TARGET_ASK_S, "rss_mib": TARGET_RSS_MIB,
        },
        "faqs": {label: {key: {part: plain(outcome) for part, outcome in parts.items()}
                         for key, parts in results.items()}
                 for label, results in measured.items()},
        "memory": {key: plain(outcome) for key, outcome in memory.items()},
        "ask": {key: plain(outcome) for key, outcome in asks.items()},
        "size": size,
    }


if __name__ == "__main__":
    sys.exit(main())
