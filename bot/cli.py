"""The `faq-bot` command: the FAQ engine from a terminal, without Telegram.

    faq-bot chat [--faq PATH]                   talk to the bot in the terminal
    faq-bot ask [--faq PATH] [--json] [Q ...]   answer one question, or one per line of stdin
    faq-bot check [PATH]                        validate and lint a faq.yaml
    faq-bot eval FILE.jsonl [--faq PATH]        score the matcher on a labelled question file
    faq-bot unanswered [--limit N] [--json]     what the bot could not answer (reads DB_PATH)
    faq-bot stats [--days N] [--json]           how questions went over the last days (DB_PATH)
    faq-bot run                                 start the Telegram bot (settings from the env)
    faq-bot health [--max-age SECONDS]          has the running bot heard from Telegram lately?
    faq-bot teach "Q" ENTRY_ID [--faq PATH]     add Q to faq.yaml as an alternate of an entry

Every command except `run` works offline and gives the same replies as the bot, because they
all go through `Matcher.match` and `replies.render_plain`. Only the Telegram bot records
questions: `chat` and `ask` are for trying the FAQ and store nothing; `unanswered` and `stats`
only read the bot's question store, and never create it.

Exit codes: 0 success; 1 `check` found problems, `eval` could not read its file, the question
store could not be read, or `health` found the bot unhealthy; 2 usage error, or the FAQ could
not be loaded (the problems are on stderr, one per line); 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.compound import answer_parts, not_covered_lines
from bot.config import db_path
from bot.context import More, RecentAnswers, more_text, read_follow_up
from bot.embedding import ModelError
from bot.evaluation import EvalFileError, Report, evaluate, format_report, load_cases
from bot.faq import CONDITIONS_ID, Entry, Faq, FaqError, load_faq, resolve_faq_path
from bot.health import DEFAULT_MAX_AGE, check, mark_path
from bot.language import foreign_reply
from bot.lint import contradictions, hidden, lint, taken_over
from bot.matcher import Match, Matcher, Status
from bot.replies import CONTACT_NOT_SET_UP, SIGNS_NOW, contact_blocks, render_plain

if TYPE_CHECKING:  # imported where used: `ask` and `chat` need no database code
    from bot.store import Store

# Printed after each reply in plain batch mode (`faq-bot ask` reading stdin): replies span
# several lines and may contain blank lines, so a reader needs a line no reply ever consists of.
SEPARATOR = "---"

PROMPT = "> "
# The terminal chat is one conversation: its key in bot.context's per-chat memory.
CHAT_ID = 0

CHAT_HELP = """\
Ask a question in your own words, for example "do you treat sciatica?".
When I list numbered options, type a number to pick one.

/topics      browse the FAQ by topic
/conditions  the conditions we treat
/disclaimer  the medical disclaimer
/contact     how to reach the practice (faq.yaml's practice: section)
/help        this help
/quit        leave (Ctrl-D works too)"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `faq-bot` command; returns the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`faq-bot ask < questions | head`). Point stdout at /dev/null so
        # the interpreter's final flush cannot raise a second time, and stop quietly.
        _silence_stdout()
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faq-bot",
        description=(
            "The clinic's FAQ bot: chat, answer questions, check faq.yaml, evaluate, read what "
            "the Telegram bot could not answer. Without a command: the Telegram bot when "
            "BOT_TOKEN is set, else a chat in the terminal."
        ),
        epilog="The FAQ is --faq PATH, else $FAQ_PATH, else ./faq.yaml, else the bundled one.",
    )
    # Without a command, the bot's main job: the Telegram bot when BOT_TOKEN is set, else a
    # chat in the terminal on the FAQ (the first thing a new user tries, with no token yet).
    parser.set_defaults(command=_main_job, faq=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk to the bot in the terminal (no token needed)")
    _add_faq_option(chat)
    chat.set_defaults(command=_chat)

    ask = commands.add_parser(
        "ask",
        help="answer a question, or each line of standard input",
        description=(
            "Answer QUESTION; without one, answer each line of standard input in order, one "
            f"reply per line, flushed as it goes. In plain batch mode each reply is followed by "
            f"a line '{SEPARATOR}'; with --json each reply is exactly one line of JSON."
        ),
    )
    _add_faq_option(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("question", nargs="*", metavar="QUESTION", help="words of the question")
    ask.set_defaults(command=_ask)

    check = commands.add_parser(
        "check", help="validate a faq.yaml and report entries that collide"
    )
    check.add_argument("path", nargs="?", metavar="PATH", help="the file (default: as above)")
    check.set_defaults(command=_check)

    evaluate_ = commands.add_parser(
        "eval", help="score the matcher on labelled .jsonl files (a folder: every file in it)"
    )
    evaluate_.add_argument(
        "files", metavar="FILE.jsonl", nargs="+",
        help="e.g. ../shared/eval/dev.jsonl, or tests/data/validation",
    )
    evaluate_.add_argument(
        "--quiet", action="store_true", help="only the figures, not every miss"
    )
    _add_faq_option(evaluate_)
    evaluate_.set_defaults(command=_eval)

    unanswered = commands.add_parser(
        "unanswered",
        help="what the bot could not answer, grouped (reads DB_PATH)",
        description=(
            "The most asked questions the Telegram bot declined or answered with suggestions, "
            "similar ones grouped, from its question store: --db, else $DB_PATH, else "
            "./data/faqbot.sqlite3. With --json: a list of groups, each with count, example, "
            "last_asked, declined, suggested, picked and variants."
        ),
    )
    unanswered.add_argument(
        "--limit", type=_positive, default=10, metavar="N", help="show N groups (default 10)"
    )
    _add_store_options(unanswered)
    unanswered.set_defaults(command=_unanswered, command_name="unanswered")

    stats = commands.add_parser(
        "stats", help="questions per outcome and top answers (reads DB_PATH)"
    )
    stats.add_argument(
        "--days", type=_positive, default=7, metavar="N", help="the last N days (default 7)"
    )
    _add_store_options(stats)
    stats.set_defaults(command=_stats, command_name="stats")

    run = commands.add_parser("run", help="start the Telegram bot (needs BOT_TOKEN)")
    run.set_defaults(command=_run)

    health = commands.add_parser(
        "health",
        help="exit 0 if the running bot heard from Telegram lately, else 1 (a HEALTHCHECK)",
        description=(
            "Read the mark the running bot keeps fresh while Telegram answers it ($HEALTH_FILE, "
            "else clinic-faq-bot.health in the temporary directory): exit 0 when it is fresher "
            "than --max-age seconds, else 1 with the reason in one line."
        ),
    )
    health.add_argument(
        "--max-age", type=_seconds, default=DEFAULT_MAX_AGE, metavar="SECONDS",
        help=f"the oldest mark that counts as healthy (default {DEFAULT_MAX_AGE:g})",
    )
    health.set_defaults(command=_health)

    teach = commands.add_parser(
        "teach",
        help="add a question to faq.yaml as an alternate of an entry (or to not_covered)",
        description=(
            "Add QUESTION to the FAQ file as another way to ask entry ENTRY_ID, or with "
            "--not-covered to its not-covered topics, keeping the file's comments, order and "
            "layout. The file is validated before it is replaced, and replaced atomically. A "
            "running bot picks it up with its file watcher, or /reload."
        ),
    )
    teach.add_argument("question", metavar="QUESTION", help="the question, quoted")
    teach.add_argument("entry_id", metavar="ENTRY_ID", nargs="?", help="the entry's id")
    teach.add_argument(
        "--not-covered", action="store_true", help="add it to not_covered instead of an entry"
    )
    _add_faq_option(teach)
    teach.set_defaults(command=_teach)
    return parser


def _add_faq_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--faq", metavar="PATH", help="the FAQ file (default: see faq-bot -h)")


def _add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--db", metavar="PATH",
        help="the bot's question store (default: $DB_PATH, else ./data/faqbot.sqlite3)",
    )


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive number of seconds")
    return value


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive whole number")
    return int(raw)


# -- commands -----------------------------------------------------------------------------


def _main_job(args: argparse.Namespace) -> int:
    if os.environ.get("BOT_TOKEN", "").strip():
        return _run(args)
    print(
        "BOT_TOKEN is not set, so the bot answers here in the terminal. Set BOT_TOKEN (or run "
        "faq-bot run) to start it on Telegram.",
        file=sys.stderr,
    )
    return _chat(args)


def _chat(args: argparse.Namespace) -> int:
    loaded = _load(args.faq)
    if loaded is None:
        return 2
    chat = Chat(*loaded)
    _tolerate_bad_input()
    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (gives input() line editing and history)
    print(f"FAQ chat: {len(chat.faq.entries)} entries from {chat.faq.source}. "
          "Type /help for commands, /quit to leave.")
    while True:
        try:
            line = input(PROMPT)
        except EOFError:
            print()
            return 0
        if not interactive:  # piped input is not echoed by a terminal: keep the transcript legible
            print(line)
        reply = chat.respond(line)
        if reply is None:
            return 0
        if reply:
            print(reply, end="\n\n", flush=True)


def _ask(args: argparse.Namespace) -> int:
    loaded = _load(args.faq)
    if loaded is None:
        return 2
    faq, matcher = loaded
    batch = not args.question
    questions: Iterable[str]
    if batch:
        _tolerate_bad_input()
        questions = (line.rstrip("\r\n") for line in sys.stdin)
    else:
        questions = [" ".join(args.question)]
    for question in questions:
        match = matcher.match(question)
        if args.json:
            record = ask_record(faq, question, match)
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(render_plain(faq, match), flush=True)
            if batch:
                print(SEPARATOR, flush=True)
    return 0


def _check(args: argparse.Namespace) -> int:
    loaded = _load(args.path)
    if loaded is None:
        return 2  # a FAQ that cannot be used, as for every other command; 1 is for findings
    faq, matcher = loaded
    for warning in faq.warnings:
        print(f"warning: {warning}")
    collisions = lint(faq, matcher)
    for collision in collisions:
        print(collision)
    hiding = hidden(faq, matcher)
    for finding in hiding:
        print(f"warning: {finding}")
    clashing = contradictions(faq, matcher)
    for clash in clashing:
        print(f"warning: {clash}")
    for note in taken_over(faq, matcher):
        print(f"note: {note}")
    findings = [f"{len(collisions)} question(s) that miss their entry"] if collisions else []
    if hiding:
        findings.append(f"{len(hiding)} not_covered phrase(s) that hide an entry")
    if clashing:
        findings.append(f"{len(clashing)} keyword(s) also listed under not_covered")
    if faq.warnings:
        findings.append(f"{len(faq.warnings)} warning(s)")
    if findings:
        print(f"{faq.source}: {', '.join(findings)} among {len(faq.entries)} entries")
        return 1
    print(f"{faq.source}: OK, {len(faq.entries)} entries, no collisions")
    return 0


def _eval(args: argparse.Namespace) -> int:
    loaded = _load(args.faq)
    if loaded is None:
        return 2
    paths: list[Path] = []
    for name in args.files:
        path = Path(name)
        paths.extend(sorted(path.rglob("*.jsonl")) if path.is_dir() else [path])
    try:
        per_file = [(path, load_cases(path)) for path in paths]
    except EvalFileError as error:
        print(f"faq-bot eval: {error}", file=sys.stderr)
        return 1
    reports = [(path, evaluate(loaded[1], cases)) for path, cases in per_file]
    if len(reports) == 1:
        print(format_report(reports[0][1], show_misses=not args.quiet))
        return 0
    pooled = Report()
    for path, report in reports:
        print(f"== {path}")
        print(format_report(report, show_misses=not args.quiet))
        pooled.outcomes.extend(report.outcomes)
    print(f"== pooled: {len(reports)} files")
    print(format_report(pooled, show_misses=False))
    return 0


def _unanswered(args: argparse.Namespace) -> int:
    from bot.grouping import group_questions
    from bot.reports import plain, unanswered_blocks

    groups = _read_store(args, lambda store: group_questions(store.unanswered()))
    if groups is None:
        return 1
    shown = groups[: args.limit]
    if args.json:
        print(json.dumps([group.as_json() for group in shown], ensure_ascii=False, indent=2))
    else:
        print(plain(unanswered_blocks(groups, args.limit)))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from bot.recorder import utc_today
    from bot.reports import plain, stats_blocks

    last = utc_today()
    first = last - timedelta(days=args.days - 1)
    counts = _read_store(args, lambda store: store.stats(first, last))
    if counts is None:
        return 1
    if args.json:
        print(json.dumps(counts.as_json(), ensure_ascii=False, indent=2))
    else:
        print(plain(stats_blocks(counts)))
    return 0


T = TypeVar("T")


def _read_store(args: argparse.Namespace, read: Callable[[Store], T]) -> T | None:
    """`read` on the bot's question store, opened read-only; or None after saying why not on
    stderr, in one line (a missing file is not created)."""
    import sqlite3

    from bot.store import Store, StoreError

    path = Path(args.db).expanduser() if args.db else db_path(os.environ)
    try:
        store = Store.open_existing(path)
        try:
            return read(store)
        finally:
            store.close()
    except StoreError as error:
        reason = str(error)
    except sqlite3.Error as error:
        reason = f"{path}: {error}"
    print(f"faq-bot {args.command_name}: {reason}", file=sys.stderr)
    return None


def _run(args: argparse.Namespace) -> int:
    # Imported here and only here: python-telegram-bot is the slowest import of the project and
    # no other command needs it (`faq-bot ask` must start fast).
    try:
        from bot.app import run_bot  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ModuleNotFoundError as error:
        if error.name != "bot.app":
            raise
        print("faq-bot run: this installation has no Telegram bot (bot/app.py)", file=sys.stderr)
        return 2
    exit_code: int = run_bot(os.environ)
    return exit_code


def _teach(args: argparse.Namespace) -> int:
    """Exit 0 with one line saying what was added, else 2 with why nothing was written."""
    from bot.teach import TeachError, add_alternate, add_not_covered  # ruamel.yaml: here only

    if bool(args.entry_id) == bool(args.not_covered):
        print("faq-bot teach: give an ENTRY_ID or --not-covered (one of them)", file=sys.stderr)
        return 2
    path = resolve_faq_path(args.faq, os.environ)
    try:
        if args.not_covered:
            add_not_covered(path, args.question)
            print(f"{path}: added to not_covered")
        else:
            taught = add_alternate(path, args.entry_id, args.question)
            entry = taught.faq.get(args.entry_id)
            count = len(entry.alternates) if entry else 0
            print(f"{path}: added as an alternate of {args.entry_id} ({count} alternates now)")
    except TeachError as exc:
        print(f"faq-bot teach: {exc}", file=sys.stderr)
        return 2
    return 0


def _health(args: argparse.Namespace) -> int:
    path = mark_path(os.environ)
    problem = check(path, args.max_age)
    if problem is not None:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print(f"healthy: the bot heard from Telegram in the last {args.max_age:g} s")
    return 0


# -- shared pieces --------------------------------------------------------------------------


def ask_record(faq: Faq, question: str, match: Match) -> dict[str, Any]:
    """The `faq-bot ask --json` object for one question: exactly the keys of the contract."""
    return {
        "question": question,
        "status": match.status.value,
        "entry_id": match.entry.id if match.entry else None,
        "score": match.score,
        "answer": match.entry.answer if match.entry else "",
        "reply": render_plain(faq, match),
        "suggestions": [
            {"entry_id": s.entry.id, "question": s.entry.question, "score": s.score}
            for s in match.suggestions
        ],
    }


def condition_entries(faq: Faq) -> list[Entry]:
    """The conditions the practice treats: the entries listed as related to `conditions`."""
    overview = faq.get(CONDITIONS_ID)
    return [] if overview is None else faq.related_entries(overview)


class Chat:
    """One terminal conversation: the bot's replies, slash commands and numbered menus.

    A numbered list (suggestions, /topics, /conditions) stays pickable until the next reply
    that is not a list, like the buttons under a Telegram message. As on Telegram, the last
    answer is kept for a few minutes (bot.context) for follow-ups ("what about my neck?",
    "tell me more"), and a message of two questions is answered part by part (bot.compound).
    """

    def __init__(
        self, faq: Faq, matcher: Matcher, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.faq = faq
        self.matcher = matcher
        self.choices: list[Entry | str] = []  # an entry to answer, or a topic to open
        self.answers = RecentAnswers(clock=clock)  # one chat: CHAT_ID

    def respond(self, line: str) -> str | None:
        """The reply to one line typed by the person; None means the chat is over."""
        text = line.strip()
        if not text:
            return ""
        if text.startswith("/"):
            return self.command(text.split()[0].lower())
        if text.isdecimal() and self.choices:
            return self.pick(int(text))
        match = self.matcher.match(text)
        # as on Telegram: surely in another language with notes, the answer under a note in
        # that language, or "I understand English only" and the topics to pick from
        foreign = foreign_reply(self.faq, text, match)
        signs = [SIGNS_NOW] if match.signs_asked else []  # before a note in another language
        if foreign is not None and foreign.entry is None:
            return "\n\n".join([*signs, foreign.note, self.topics_menu()])
        if foreign is None:
            read = self.in_context(text, match)
            if isinstance(read, str):
                return read
            match = read
        offered = match.suggestions if match.status is Status.SUGGEST else ()
        self.choices = [suggestion.entry for suggestion in offered]
        if match.entry is not None:
            self.answers.remember(CHAT_ID, match.entry.id)
        if foreign is not None:
            plain = render_plain(self.faq, replace(match, signs_asked=False))
            return "\n\n".join([*signs, foreign.note, plain])
        return render_plain(self.faq, match)

    def command(self, name: str) -> str | None:
        if name in ("/quit", "/exit"):
            return None
        if name in ("/help", "/start"):
            return CHAT_HELP
        if name == "/disclaimer":
            return self.faq.disclaimer
        if name == "/contact":
            # As the bot's /contact, with the website and booking links as text: a terminal
            # has no buttons.
            practice = self.faq.practice
            if practice is None:
                return CONTACT_NOT_SET_UP
            return "\n\n".join(block.text for block in contact_blocks(practice, links=True))
        if name == "/topics":
            return self.topics_menu()
        if name == "/conditions":
            # Like the bot's /conditions: the `conditions` entry's list, else the topic about
            # conditions, else every topic. (A `conditions` entry that relates to nothing gets
            # its answer in the bot but the fallback here.)
            conditions = condition_entries(self.faq)
            if conditions:
                labels = [entry.question for entry in conditions]
                return self.menu("Conditions we treat:", conditions, labels)
            topic = self.faq.conditions_topic()
            return self.topic_menu(topic) if topic else self.topics_menu()
        return f"Unknown command {name}. Type /help for the commands."

    def pick(self, number: int) -> str:
        if not 1 <= number <= len(self.choices):
            return f"Please pick a number from 1 to {len(self.choices)}, or ask a question."
        choice = self.choices[number - 1]
        if isinstance(choice, str):
            return self.topic_menu(choice)
        self.answers.remember(CHAT_ID, choice.id)
        return render_plain(self.faq, Match(Status.ANSWER, score=100.0, entry=choice))

    def in_context(self, text: str, match: Match) -> Match | str:
        """As the Telegram bot reads a message: a follow-up of the last answer, or several
        questions (bot.handlers._in_context). The match to reply with, or the reply itself."""
        last = self.faq.get(self.answers.current(CHAT_ID) or "")
        read = read_follow_up(self.matcher, last, text, match)
        if isinstance(read, More):
            if not read.entries:
                return more_text(read)
            labels = [entry.question for entry in read.entries]
            return self.menu(more_text(read), list(read.entries), labels)
        if read is not None:
            return read
        parts = answer_parts(self.matcher, text, match)
        if parts is None or isinstance(parts, Match):  # one question, or an urgent part
            return match if parts is None else parts
        self.choices = []
        self.answers.remember(CHAT_ID, parts.entries[-1].id)
        replies = [
            render_plain(self.faq, Match(Status.ANSWER, score=100.0, entry=entry))
            for entry in parts.entries
        ]
        if parts.uncovered:
            replies.append("\n\n".join(not_covered_lines(self.faq, parts)))
        return "\n\n".join(replies)

    def topics_menu(self) -> str:
        topics = self.faq.topics()
        labels = [f"{topic} ({len(entries)})" for topic, entries in topics.items()]
        return self.menu("Topics:", list(topics), labels)

    def topic_menu(self, topic: str) -> str:
        entries = self.faq.topics().get(topic, [])
        return self.menu(f"{topic}:", entries, [entry.question for entry in entries])

    def menu(self, title: str, choices: Sequence[Entry | str], labels: Sequence[str]) -> str:
        self.choices = list(choices)
        lines = [f"  {number}. {label}" for number, label in enumerate(labels, start=1)]
        return "\n".join([title, *lines, "Type a number to choose."])


def _load(explicit: str | None) -> tuple[Faq, Matcher] | None:
    """The FAQ and its index, or None after printing why it cannot be used (as `check` does)."""
    try:
        faq = load_faq(resolve_faq_path(explicit, os.environ))
        return faq, Matcher(faq)
    except (FaqError, ModelError) as error:
        print(error, file=sys.stderr)
        return None


def _tolerate_bad_input() -> None:
    """Read undecodable bytes on stdin as U+FFFD instead of dying on a UnicodeDecodeError."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (captured output): nothing to flush
        pass
