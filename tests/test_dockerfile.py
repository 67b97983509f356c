"""The Dockerfile and .dockerignore keep their promises; read as text, so no Docker is needed.

A pinned slim official Python base, runtime dependencies only, a non-root user, the FAQ at
FAQ_PATH (replaceable by a mount), the database on a volume at DB_PATH, `faq-bot run` as the
command; and a build context without secrets, history, environments or tests.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field

import pytest
from conftest import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = (REPO / ".dockerignore").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")

# python:<major.minor.patch>-slim[-<debian release>], optionally with a digest
PINNED_SLIM = re.compile(r"^python:(3\.(\d+)\.\d+)-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?$")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, keyword: str) -> list[str]:
        return [value for kind, value in self.instructions if kind == keyword]

    def env(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for value in self.values("ENV"):
            found.update(re.findall(r"(\w+)=(\S+)", value))
        return found


def stages() -> list[Stage]:
    """The Dockerfile's stages: continuation lines joined, comments dropped."""
    logical = re.sub(r"\\\n", " ", DOCKERFILE)
    result: list[Stage] = []
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, value = line.partition(" ")
        keyword, value = keyword.upper(), " ".join(value.split())
        if keyword == "FROM":
            base, _, name = value.partition(" AS ")
            result.append(Stage(base.strip(), name.strip() or None))
        else:
            assert result, f"{keyword} before FROM"
            result[-1].instructions.append((keyword, value))
    return result


FINAL = stages()[-1]


def test_every_stage_is_a_pinned_slim_official_python() -> None:
    wanted = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    minimum = int(re.search(r">=3\.(\d+)", wanted["project"]["requires-python"])[1])  # type: ignore[index]
    for stage in stages():
        pinned = PINNED_SLIM.match(stage.base)
        assert pinned, f"{stage.base}: use python:X.Y.Z-slim[-release], pinned to a version"
        assert int(pinned[2]) >= minimum


def test_runtime_dependencies_only() -> None:
    runs = " ".join(value for stage in stages() for value in stage.values("RUN"))
    assert "pip install" in runs
    for development_only in ("[test]", "pytest", "-e ", "npm"):
        assert development_only not in runs
    copied = " ".join(FINAL.values("COPY"))
    assert "tests" not in copied
    assert "--from=build /venv /venv" in copied  # the final stage gets the built venv only


def test_it_runs_as_a_non_root_user() -> None:
    users = FINAL.values("USER")
    assert users, "the final stage needs a USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    kinds = [kind for kind, _ in FINAL.instructions]
    assert kinds.index("USER") < kinds.index("CMD")


def test_the_faq_is_at_faq_path_and_can_be_mounted_over() -> None:
    faq_path = FINAL.env()["FAQ_PATH"]
    assert any(value.split()[-1] == faq_path and value.split()[0] == "faq.yaml"
               for value in FINAL.values("COPY")), "the shipped faq.yaml is copied to FAQ_PATH"
    volumes = " ".join(FINAL.values("VOLUME"))
    assert not any(faq_path.startswith(v) for v in json.loads(volumes)), (
        "a VOLUME over the FAQ would hide a replacement mounted over FAQ_PATH's file"
    )


def test_the_database_is_on_a_volume_the_bot_can_write() -> None:
    db_path = FINAL.env()["DB_PATH"]
    [volume_line] = FINAL.values("VOLUME")
    volumes = json.loads(volume_line)
    [volume] = [v for v in volumes if db_path.startswith(v.rstrip("/") + "/")]
    runs = " ".join(FINAL.values("RUN"))
    user = FINAL.values("USER")[-1].split(":")[0]
    assert re.search(rf"chown {user}(:\w+)? {re.escape(volume)}\b", runs), (
        "the volume's directory must belong to the bot's user before VOLUME"
    )


def test_the_command_is_faq_bot_run() -> None:
    [command] = FINAL.values("CMD")
    assert json.loads(command) == ["faq-bot", "run"]  # exec form: the bot gets the signals
    assert "ENTRYPOINT" not in [kind for kind, _ in FINAL.instructions]
    assert FINAL.env()["PYTHONUNBUFFERED"] == "1"  # log lines appear in `docker logs` at once


def _ignored(path: str) -> bool:
    """Docker's .dockerignore matching (last matching pattern wins; `!` re-includes; a match
    on a directory excludes everything under it)."""
    result = False
    for raw in DOCKERIGNORE.splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = "".join(
            ".*" if part == "**" else "[^/]*" if part == "*" else "[^/]" if part == "?"
            else re.escape(part)
            for part in re.split(r"(\*\*|\*|\?)", pattern)
        ).replace(".*/", "(.*/)?")
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            result = not negate
    return result


@pytest.mark.parametrize("path", [
    ".env", "bot.env", "config/bot.env", "deploy/.env", ".env.local", ".git/config",
    ".venv/bin/python", "node_modules/telegram-test-api/package.json", "tests/test_app.py",
    "data/faqbot.sqlite3", "bot/__pycache__/app.cpython-312.pyc", ".hypothesis/examples/x",
    ".mypy_cache/x", ".pytest_cache/x",
])
def test_the_build_context_leaves_out(path: str) -> None:
    assert _ignored(path), path


@pytest.mark.parametrize("path", ["pyproject.toml", "README.md", "faq.yaml", "bot/app.py"])
def test_the_build_context_keeps_what_the_image_needs(path: str) -> None:
    assert not _ignored(path), path


def test_the_readme_shows_docker_build_and_run_with_an_env_file() -> None:
    assert "docker build -t clinic-faq-bot ." in README
    [run] = [line for line in README.splitlines() if line.startswith("docker run ")]
    assert "--env-file" in run
    for variable in ("BOT_TOKEN", "ADMIN_IDS", "FAQ_PATH", "DB_PATH"):
        assert variable in README.split("docker build -t clinic-faq-bot .")[1], variable
