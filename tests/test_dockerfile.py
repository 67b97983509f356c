"""The Dockerfile and .dockerignore keep their promises; read as text, so no Docker is needed.

A pinned slim official Python base, runtime dependencies only and exactly as locked, a non-root
user, the FAQ at FAQ_PATH (replaceable by a mount), the database on a volume at DB_PATH, the
webhook port exposed, a HEALTHCHECK that asks the bot, `faq-bot run` as the command; a build
context without secrets, history, environments or tests; README's steps in the right order.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field

import pytest
from conftest import REPO

from bot.config import DEFAULT_PORT
from bot.health import DEFAULT_MAX_AGE

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


def test_the_build_installs_the_lock_then_the_package_without_resolving() -> None:
    build = stages()[0]
    assert any(value.split()[0] == "requirements.txt" for value in build.values("COPY"))
    runs = " && ".join(build.values("RUN"))
    locked = runs.find("pip install --require-hashes -r requirements.txt")
    package = runs.find("pip install --no-deps .")
    assert 0 <= locked < package, "install the lock, then the package alone"
    assert runs.count("pip install") == 2  # nothing else resolves a dependency


def test_the_webhook_port_is_exposed() -> None:
    exposed = [port.split("/")[0] for value in FINAL.values("EXPOSE") for port in value.split()]
    assert exposed == [str(DEFAULT_PORT)]


def seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(number) * units[unit]
               for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration))


def test_the_healthcheck_asks_the_bot_whether_it_hears_from_telegram() -> None:
    [healthcheck] = FINAL.values("HEALTHCHECK")
    flags, _, command = healthcheck.partition(" CMD ")
    assert json.loads(command) == ["faq-bot", "health"]  # exec form: no shell in between
    timing = dict(re.findall(r"--([a-z-]+)=(\S+)", flags))
    assert set(timing) == {"interval", "timeout", "start-period", "retries"}
    assert seconds(timing["interval"]) < DEFAULT_MAX_AGE  # a stale mark is noticed in time
    assert seconds(timing["timeout"]) >= 5  # `faq-bot health` imports the CLI: about a second
    assert seconds(timing["start-period"]) >= 30  # loading the FAQ, reaching Telegram
    # The mark: in the container's own /tmp (writable by the bot, not on the data volume, where
    # an old container's mark would outlive it), and named for `faq-bot health` by HEALTH_FILE.
    assert FINAL.env()["HEALTH_FILE"].startswith("/tmp/")


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


@pytest.mark.parametrize(
    "path", ["pyproject.toml", "README.md", "faq.yaml", "bot/app.py", "requirements.txt"]
)
def test_the_build_context_keeps_what_the_image_needs(path: str) -> None:
    assert not _ignored(path), path


def test_the_readme_shows_docker_build_and_run_with_an_env_file() -> None:
    assert "docker build -t clinic-faq-bot ." in README
    [run] = [line for line in README.splitlines() if line.startswith("docker run ")]
    assert "--env-file" in run
    for variable in ("BOT_TOKEN", "ADMIN_IDS", "FAQ_PATH", "DB_PATH"):
        assert variable in README.split("docker build -t clinic-faq-bot .")[1], variable


def test_the_readme_creates_the_mounted_faq_before_docker_run() -> None:
    """On a fresh machine `-v "$PWD/config:/config:ro"` mounts an empty folder unless the FAQ
    was put there first: the bot would then exit 2 in a restart loop."""
    lines = README.split("docker build -t clinic-faq-bot .", 1)[1].splitlines()
    [run] = [n for n, line in enumerate(lines) if line.startswith("docker run ")]
    assert '-v "$PWD/config:/config:ro"' in lines[run]
    assert "FAQ_PATH=/config/faq.yaml" in lines[run]
    [create] = [n for n, line in enumerate(lines) if "cp faq.yaml config/" in line]
    assert "mkdir -p config" in lines[create]
    assert create < run
