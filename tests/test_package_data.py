"""The package's own YAML data, kept once parsed (bot/package_data.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import package_data
from bot.package_data import package_yaml


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMBEDDING_CACHE_DIR", str(tmp_path))
    return tmp_path / "data"


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(package_data.yaml, "load", refused)


def test_a_file_is_parsed_once_then_read_as_kept(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = package_yaml("data/urgent_context.yaml")
    kept = list(cache.glob("urgent_context-*.json"))
    assert len(kept) == 1
    refuse_parsing(monkeypatch)
    assert package_yaml("data/urgent_context.yaml") == first


def test_what_cannot_be_read_is_parsed_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = package_yaml("data/urgent_context.yaml")
    (kept,) = cache.glob("urgent_context-*.json")
    kept.write_text("{not json", encoding="utf-8")
    assert package_yaml("data/urgent_context.yaml") == first


def test_an_edited_file_is_parsed_again_and_the_old_version_removed(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_yaml("data/urgent_context.yaml")
    (old,) = cache.glob("urgent_context-*.json")
    text = "gap: 3\n"
    monkeypatch.setattr(
        package_data.resources, "files",
        lambda package: _Files(text),
    )
    assert package_yaml("data/urgent_context.yaml") == {"gap": 3}
    (new,) = cache.glob("urgent_context-*.json")
    assert new != old


def test_without_a_cache_directory_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBEDDING_CACHE_DIR", "")
    assert package_yaml("data/urgent_context.yaml") == yaml.load(
        (Path(package_data.__file__).parent / "data" / "urgent_context.yaml").read_text(
            encoding="utf-8"
        ),
        Loader=package_data.SAFE_LOADER,
    )
    assert not list(tmp_path.iterdir())


def test_a_cache_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("EMBEDDING_CACHE_DIR", str(blocked))
    assert package_yaml("data/urgent_context.yaml")["gap"] == 4  # type: ignore[index]


class _Files:
    """importlib.resources.files() of a package whose every file holds `text`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def joinpath(self, name: str) -> _Files:
        return self

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.text
