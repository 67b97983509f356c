"""YAML files that ship inside the package (bot/data/*.yaml): the bot's own data, read once
per process.

Parsing the biggest of them (the glossary's 26,000 lines) took a quarter of a second of every
start, `faq-bot ask` included, against a hundredth for the same data as JSON: so each file is
kept, once parsed, as JSON in the cache directory (bot.cache_dir), under a digest of its text.
An edited file has another digest and is parsed again; a cache that cannot be read or written
only makes the start slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from importlib import resources
from pathlib import Path

import yaml

from bot.cache_dir import default_cache_dir

__all__ = ["SAFE_LOADER", "package_yaml"]

log = logging.getLogger(__name__)

try:  # libyaml is 10 to 25 times faster on these files; the pure-Python loader reads the same.
    from yaml import CSafeLoader as SAFE_LOADER
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as SAFE_LOADER  # type: ignore[assignment]


def package_yaml(name: str) -> object:
    """bot/NAME loaded with the safe loader (only plain data: no Python objects)."""
    text = resources.files("bot").joinpath(name).read_text(encoding="utf-8")
    cached = _cached_path(name, text)
    if cached is not None:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(cached.read_text(encoding="utf-8"))
    data = yaml.load(text, Loader=SAFE_LOADER)
    if cached is not None:
        _write(cached, data)
    return data


def _cached_path(name: str, text: str) -> Path | None:
    """Where the parsed `name` of this `text` is kept, or None without a cache directory."""
    directory = default_cache_dir()
    if directory is None:
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return directory / "data" / f"{Path(name).stem}-{digest}.json"


def _write(path: Path, data: object) -> None:
    """Keep `data` at `path`, atomically, and remove what was kept of the file's other
    versions. Data JSON cannot hold (a date YAML read) is not kept."""
    temporary: str | None = None
    try:
        text = json.dumps(data, ensure_ascii=False)
        if json.loads(text) != data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
        temporary = None
        stem = path.stem.rsplit("-", 1)[0]
        for other in path.parent.glob(f"{stem}-*.json"):
            if other != path:
                with contextlib.suppress(OSError):
                    other.unlink()
    except (OSError, TypeError, ValueError) as exc:
        log.debug("Could not keep the parsed %s: %s", path.name, exc)
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
