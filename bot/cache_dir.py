"""Where the bot keeps what it can compute again, between runs: the vectors of a FAQ's texts
(bot.semantic) and its own data files as parsed (bot.package_data)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def default_cache_dir(env: Mapping[str, str] = os.environ) -> Path | None:
    """$EMBEDDING_CACHE_DIR (empty: nowhere, every start computes it all again), else the
    user's cache directory."""
    configured = env.get("EMBEDDING_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "clinic-faq-bot"
