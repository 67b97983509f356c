"""Write the vectors of the bundled faq.yaml's texts, and of the built-in examples of
emergencies (bot/data/urgent_examples.yaml, read by bot.likeness), into the package, for each
encoder.

    python scripts/seed_vectors.py

A fresh install then loads the bundled FAQ without embedding its texts (every one the matcher
embeds: phrasings, answer paragraphs, whole entries, and bot.asks' texts; several seconds with
the MiniLM encoder on two cores). Run it after editing the bundled faq.yaml; a stale seed
only makes the first load slower, as the texts it lacks are embedded then.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.embedding import ENCODERS, load_encoder, models_dir  # noqa: E402
from bot.faq import load_faq  # noqa: E402
from bot.likeness import examples, examples_file  # noqa: E402
from bot.matcher import Matcher, vector_cache  # noqa: E402
from bot.semantic import VectorCache  # noqa: E402


def main() -> int:
    faq = load_faq(ROOT / "faq.yaml")
    for name in ENCODERS:
        encoder = load_encoder(name)
        with tempfile.TemporaryDirectory() as scratch:
            texts = Matcher(faq, encoder=encoder, cache_dir=Path(scratch)).embedded_texts()
            path = models_dir() / f"seed-{name}.npz"
            vector_cache(encoder, Path(scratch)).save(path, texts)
        print(f"{path.relative_to(ROOT)}: {len(set(texts))} texts")
        # the built-in examples of emergencies (bot.likeness), whatever the FAQ
        texts = examples().texts
        path = models_dir() / examples_file(name)
        VectorCache(encoder).save(path, texts)
        print(f"{path.relative_to(ROOT)}: {len(set(texts))} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
