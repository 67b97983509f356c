"""The README stays true: CI runs its test command, and it documents the real command line."""

from __future__ import annotations

import re

from conftest import REPO

from bot import cli
from bot.faq import load_faq
from bot.matcher import Matcher

README = (REPO / "README.md").read_text(encoding="utf-8")
CI_SCRIPT = (REPO / ".ci" / "run").read_text(encoding="utf-8")


def commands_in_code_blocks() -> list[str]:
    return [
        line.strip() for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
        for line in block.splitlines() if line.strip()
    ]


def test_ci_runs_the_readmes_test_command_step_by_step() -> None:
    [test_command] = [line for line in commands_in_code_blocks() if "pytest" in line]
    steps = test_command.split(" && ")
    ci_commands = [
        line.strip() for line in CI_SCRIPT.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    ci_steps = [line for line in ci_commands if not line.startswith(("set ", "cd "))]
    assert ci_steps == steps


def test_the_readme_runs_the_bot_with_one_command() -> None:
    # `faq-bot` alone: the terminal chat on the bundled FAQ without BOT_TOKEN, the Telegram bot
    # with it (tests/test_cli.py checks both)
    assert "python3 -m venv .venv && . .venv/bin/activate && pip install . && faq-bot" in (
        commands_in_code_blocks()
    )


def test_every_command_is_documented() -> None:
    commands = re.findall(r"^ {4}(\w+)", cli.build_parser().format_help(), flags=re.MULTILINE)
    assert commands == [
        "chat", "ask", "check", "eval", "unanswered", "stats", "run", "health", "teach",
    ]
    for name in commands:
        assert f"`faq-bot {name}" in README, name


def test_the_json_keys_are_documented() -> None:
    faq = load_faq(REPO / "faq.yaml")
    keys = cli.ask_record(faq, "q", Matcher(faq).match("q"))
    for key in keys:
        assert f"| `{key}` |" in README, key


def test_every_setting_is_documented() -> None:
    source = (REPO / "bot" / "config.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    assert {"DB_PATH", "RETENTION_DAYS"} <= variables
    for variable in variables:
        assert f"| `{variable}` |" in README, variable


def test_the_botfather_command_list_is_the_bots_own() -> None:
    from bot.app import COMMANDS

    block = re.search(r"```text\n(.*?)```", README, flags=re.DOTALL)
    assert block is not None
    listed = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert listed == [f"{command.command} - {command.description}" for command in COMMANDS]


def test_the_privacy_section_names_what_is_kept_and_for_how_long() -> None:
    section = README.split("## Privacy: what the bot stores", 1)[1].split("\n## ", 1)[0]
    for phrase in ("RETENTION_DAYS", "default 90", "Never stored", "user id, chat id, username",
                   "[phone]", "[email]", "[link]", "/privacy"):
        assert phrase in section, phrase


def test_the_separator_is_documented() -> None:
    assert f"a line containing only `{cli.SEPARATOR}`" in README


def test_the_handoff_is_shown_as_the_person_sees_it_and_its_link_is_in_privacy() -> None:
    from bot import views

    section = README.split("#### Asking the practice's team", 1)[1].split("\n## ", 1)[0]
    sample = re.search(r"```\n(.*?)```", section, flags=re.DOTALL)
    assert sample is not None
    # the conversation's lines, without the speaker column, joined as they read
    shown = " ".join(line[6:].strip() for line in sample.group(1).splitlines())
    shown = " ".join(shown.split())
    for text in (views.HANDOFF_CONSENT, views.ASK_PRACTICE, views.handoff_sent(7),
                 "Reply from the practice's team:", views.STAFF_DELIVERED):
        assert " ".join(text.split()) in shown, text
    assert "Disclaimer:" in shown
    assert "▸" in shown  # folded under the answer
    privacy = README.split("## Privacy: what the bot stores", 1)[1].split("\n## ", 1)[0]
    for phrase in ("HANDOFF_RETENTION_DAYS", "default 7", "chat id", "No question text",
                   "only in memory"):
        assert phrase in privacy, phrase


def test_the_telegram_sample_says_yes_and_no_as_the_bundled_faq_does() -> None:
    from bot.replies import render_plain

    section = README.split("#### Asking the practice's team", 1)[1].split("\n## ", 1)[0]
    sample = re.search(r"```\n(.*?)```", section, flags=re.DOTALL)
    assert sample is not None
    shown = " ".join(" ".join(line[6:].strip() for line in sample.group(1).splitlines()).split())
    faq = load_faq(REPO / "faq.yaml")
    matcher = Matcher(faq)
    for question in ("do you treat sciatica?", "do you treat psoriasis?"):
        assert f"Pat {question}" in " ".join(sample.group(1).split()), question
        reply = render_plain(faq, matcher.match(question))
        # the reply's opening lines, as the sample shows them (the disclaimer is cut short there)
        opening = " ".join(reply.split(faq.disclaimer.strip())[0].split())
        assert opening in shown, opening
