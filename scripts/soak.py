"""Soak test: many updates from many people through the real Application, over the faked network.

Sends COUNT updates (10,000 by default) from USERS different people (500) by long polling, as
Telegram would: real phrasings of questions (answers, suggestions, declines, urgent), small talk,
commands with and without arguments, button presses (answers, topic pages, stale and garbage
data), inline queries, hostile text (4,096 characters, emoji, markup, control characters), group
mentions, and updates the bot must ignore (group chatter, edited messages, channel posts). A few
429s are injected on the way (retry_after 1 s) to exercise the rate limiter under load. Updates
are served 100 at a time whenever the bot has room for them (as when people are typing), so a
429 wait does not pile the rest of the run up in memory.

It prints the errors (ERROR log lines, invalid Telegram HTML, questions with no reply or more
than one: target 0), the replies against the questions (target: one per question), and the
resident memory at the start (after start-up, before traffic), after warm-up and at the end
(target: flat within 10 MB). Exit code 0 when there were no errors.

    python scripts/soak.py [--updates 10000] [--users 500] [--rate-limits 3] [--seed 1]

Two cases run `faq-bot run` as a real process against a local stand-in Bot API on 127.0.0.1
(tests/helpers/local_bot_api.py, which forgets updates once confirmed, as Telegram does):

    python scripts/soak.py --stop-kill-restart 600   # SIGTERM 2 s after start, SIGKILL at 10 s,
                                                     # restart: questions never answered (0)
    python scripts/soak.py --slow-send               # one chat's send past the 5 s timeout:
                                                     # the others' waits, no second apology
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the fake Bot API, the factories, the HTML checker

from helpers.driver import ServeUpdates, poll_all  # noqa: E402
from helpers.factories import (  # noqa: E402
    LOCATION,
    PHOTO,
    STICKER,
    bot_message,
    callback_update,
    command_update,
    group_chat,
    inline_update,
    mention_update,
    message_update,
    private_chat,
)
from helpers.fake_telegram import TOKEN  # noqa: E402
from helpers.local_bot_api import LocalBotApi  # noqa: E402
from helpers.telegram_html import InvalidTelegramHtml, check_message  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, ContextTypes, TypeHandler  # noqa: E402

from bot import views  # noqa: E402
from bot.app import BotApp, build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.faq import Faq  # noqa: E402
from bot.live import LiveFaq  # noqa: E402

REPLY, INLINE, SILENT = "reply", "inline", "silent"
# Methods that make up the bot's reply to one update.
_REPLY_METHODS = {"sendMessage", "editMessageText"}

SMALLTALK = ["hi", "hello!", "thanks!", "thank you so much", "ok bye", "good morning"]
OFF_TOPIC = ["how much is a session?", "do you do waxing", "asdfgh", "what time do you open",
             "can I pay by card", "is parking free"]
HOSTILE = [
    "sciatica " * 455, "a" * 4096, " ".join(["massage", "pain"] * 1500), "💆‍♀️🔥👍🏽" * 200,
    "sci\u200batica\u200c\u200d\ufeff", "".join(chr(c) for c in range(1, 32)) + " jaw",
    "<b>x</b><script>alert(1)</script> & <a href=\"javascript:x\">", "هل تعالجون عرق النسا؟",
    "'; DROP TABLE questions; --", "%s %n {0} {__class__}", "\x00\u202e",
]
GARBAGE_BUTTONS = ["", "a:", "a:gone-entry", "A:nothex", "g:zzzz:0", "g::", "x", "%s{0}"]
COMMANDS = ["/start", "/help", "/topics", "/conditions", "/disclaimer", "/unknown",
            "/start nosuchentry", "/topics please", "/help@ClinicFaqBot"]


@dataclass
class Tally:
    """What happened, update by update; kept as counters so the soak measures the bot's
    memory, not its own."""

    expected: dict[int, str] = field(default_factory=dict)  # update_id -> REPLY/INLINE/SILENT
    kinds: Counter[str] = field(default_factory=Counter)
    current: int | None = None
    calls_now: Counter[str] = field(default_factory=Counter)
    replies: int = 0  # REPLY updates that got exactly one reply
    inline_answers: int = 0
    silent_ok: int = 0
    messages: int = 0
    missing: int = 0
    extra: int = 0
    invalid_html: int = 0
    errors: int = 0  # ERROR log lines

    def start(self, update_id: int) -> None:
        self.finish()
        self.current = update_id

    def finish(self) -> None:
        """Judge the update in hand: one reply for a question, one inline answer, or nothing."""
        if self.current is None:
            return
        wanted = self.expected.pop(self.current)
        replied = sum(self.calls_now[method] for method in _REPLY_METHODS) > 0
        inline = self.calls_now["answerInlineQuery"]
        if wanted == REPLY:
            self.replies += replied
            self.missing += not replied
        elif wanted == INLINE:
            self.inline_answers += inline == 1
            self.missing += inline == 0
            self.extra += inline > 1 or replied
        else:
            self.silent_ok += not replied and not inline
            self.extra += replied or inline > 0
        self.current = None
        self.calls_now.clear()


class SoakTelegram(ServeUpdates):
    """ServeUpdates that checks every text the bot sends and counts calls per update."""

    def __init__(
        self,
        tally: Tally,
        updates: Iterator[dict[str, Any]],
        rate_limits: set[int],
        backlog: Callable[[], int],
    ) -> None:
        super().__init__(updates, backlog=backlog)
        self.tally = tally
        self.rate_limits = rate_limits  # sendMessage attempts (1-based) answered with a 429
        self.send_attempts = 0
        self.served_429 = 0

    def result_for(self, endpoint: str, params: dict[str, Any]) -> Any:
        self.tally.calls_now[endpoint] += 1
        texts: list[str] = []
        if endpoint in _REPLY_METHODS:
            self.tally.messages += 1
            texts.append(str(params["text"]))
        elif endpoint == "answerInlineQuery":
            texts += [str(r["input_message_content"]["message_text"]) for r in params["results"]]
        for text in texts:
            try:
                check_message(text)
            except InvalidTelegramHtml as exc:
                self.tally.invalid_html += 1
                print(f"invalid HTML ({exc}): {text[:200]!r}", file=sys.stderr)
        return super().result_for(endpoint, params)

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("/sendMessage"):
            self.send_attempts += 1
            if self.send_attempts in self.rate_limits:
                self.served_429 += 1
                self.rate_limit_next("sendMessage", retry_after=1)
        return await super().do_request(url, method, *args, **kwargs)


class CountErrors(logging.Handler):
    def __init__(self, tally: Tally) -> None:
        super().__init__(logging.ERROR)
        self.tally = tally

    def emit(self, record: logging.LogRecord) -> None:
        self.tally.errors += 1
        print(f"ERROR log line: {record.getMessage()}", file=sys.stderr)


def questions() -> list[str]:
    path = REPO / "tests" / "data" / "fit" / "tuning.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def traffic(faq: Faq, count: int, users: int, seed: int, tally: Tally) -> Iterator[dict[str, Any]]:
    """`count` updates from `users` people, each with what the bot should do about it."""
    rng = random.Random(seed)
    asked = questions()
    people = [20_000 + n for n in range(users)]
    groups = [group_chat(-100_200_000 - n) for n in range(max(1, users // 25))]
    entry_ids = [entry.id for entry in faq.entries]
    topic_pages = [views.topic_data(topic) for topic in faq.topics()]
    kinds = [
        ("question", 45), ("smalltalk", 5), ("off-topic", 5), ("command", 10), ("button", 12),
        ("inline", 5), ("hostile", 5), ("group mention", 4), ("group chatter", 3),
        ("edited", 2), ("channel post", 1), ("media", 3),
    ]
    names, weights = zip(*kinds, strict=True)
    for _ in range(count):
        kind = rng.choices(names, weights)[0]
        person = rng.choice(people)
        wanted = REPLY
        if kind == "question":
            update = message_update(rng.choice(asked), from_id=person)
        elif kind == "smalltalk":
            update = message_update(rng.choice(SMALLTALK), from_id=person)
        elif kind == "off-topic":
            update = message_update(rng.choice(OFF_TOPIC), from_id=person)
        elif kind == "hostile":
            update = message_update(rng.choice(HOSTILE), from_id=person)
        elif kind == "command":
            update = command_update(rng.choice(COMMANDS), from_id=person)
        elif kind == "media":
            media = rng.choice([{"sticker": STICKER}, {"photo": PHOTO}, {"location": LOCATION}])
            update = message_update(None, from_id=person, **media)
        elif kind == "button":
            data = rng.choice([
                *(views.answer_data(entry_id) for entry_id in entry_ids[:20]), *topic_pages,
                "m", "t", *GARBAGE_BUTTONS,
            ])
            origin = bot_message(chat=private_chat(person))
            update = callback_update(data, from_id=person, message=origin)
        elif kind == "inline":
            update = inline_update(rng.choice([*asked[:50], "", "💆" * 256]), from_id=person)
            wanted = INLINE
        elif kind == "group mention":
            update = mention_update(rng.choice(asked), chat=rng.choice(groups))
        elif kind == "group chatter":
            update = message_update(rng.choice(asked), chat=rng.choice(groups), from_id=person)
            wanted = SILENT
        elif kind == "edited":
            update = message_update(rng.choice(asked), from_id=person)
            update["edited_message"] = update.pop("message")
            update["edited_message"]["edit_date"] = update["edited_message"]["date"]
            wanted = SILENT
        else:  # channel post
            update = message_update(rng.choice(asked), from_id=person)
            post = update.pop("message")
            post.pop("from")
            post["chat"] = {"id": -1001122334455, "type": "channel", "title": "News"}
            update["channel_post"] = post
            wanted = SILENT
        tally.expected[update["update_id"]] = wanted
        tally.kinds[wanted] += 1
        yield update


def rss_mb() -> float:
    """The resident set size now (not the peak), from /proc; 0 where there is none."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class SoakResult:
    updates: int
    users: int
    tally: Tally
    seconds: float
    rss_start: float
    rss_warm: float
    rss_end: float
    rate_limited: int  # 429s served (each waited out and retried by the rate limiter)

    @property
    def error_count(self) -> int:
        t = self.tally
        return t.errors + t.invalid_html + t.missing + t.extra


async def soak(
    count: int, users: int, faq_path: Path, seed: int = 1, rate_limits: int = 0
) -> SoakResult:
    settings = Settings(token=TOKEN, faq_path=faq_path, faq_watch=False)
    live = LiveFaq.load(faq_path)
    tally = Tally()
    updates = traffic(live.current.faq, count, users, seed, tally)
    first = next(updates)
    base = first["update_id"]  # the factories number updates globally: this run's first id
    # 429s spread over the run, by sendMessage attempt (about 0.9 per update).
    limited = {(k + 1) * count * 8 // 10 // (rate_limits + 1) for k in range(rate_limits)}
    app_ref: list[BotApp] = []
    fake = SoakTelegram(tally, itertools.chain([first], updates), limited,
                        backlog=lambda: app_ref[0].update_queue.qsize())
    # Telegram's flood caps off (they would make the soak measure the cap); 429s still retried.
    limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    app = build_application(
        settings, live, request=fake, get_updates_request=fake, rate_limiter=limiter
    )
    app_ref.append(app)
    warm: list[float] = []

    async def mark(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        tally.start(update.update_id)
        if update.update_id == base + count // 10:
            warm.append(rss_mb())

    # Instrumentation only (group -1 runs before the bot's own handlers, one update at a time).
    app.add_handler(TypeHandler(Update, mark), group=-1)
    errors = CountErrors(tally)
    logging.getLogger().addHandler(errors)
    start: list[float] = []
    try:
        gc.collect()
        seconds = await poll_all(app, fake, on_ready=lambda: start.append(rss_mb()))
    finally:
        logging.getLogger().removeHandler(errors)
    tally.finish()
    gc.collect()
    return SoakResult(count, users, tally, seconds, start[0], (warm or start)[0], rss_mb(),
                      fake.served_429)


def report(result: SoakResult) -> str:
    t = result.tally
    questions_ = t.kinds[REPLY]
    return "\n".join([
        f"updates:  {result.updates} from {result.users} users in {result.seconds:.1f} s "
        f"({result.updates / result.seconds:.0f} updates/s)",
        f"errors:   {result.error_count} (ERROR log lines {t.errors}, invalid HTML "
        f"{t.invalid_html}, questions without a reply {t.missing}, unexpected replies {t.extra})",
        f"replies:  {t.replies} replies to {questions_} questions "
        f"({t.replies / max(questions_, 1):.3f} per question; {t.messages} messages sent), "
        f"{t.inline_answers}/{t.kinds[INLINE]} inline queries answered, "
        f"{t.silent_ok}/{t.kinds[SILENT]} updates rightly ignored; "
        f"{result.rate_limited} 429s waited out",
        f"RSS:      start {result.rss_start:.1f} MB, after warm-up {result.rss_warm:.1f} MB, "
        f"end {result.rss_end:.1f} MB (end - start {result.rss_end - result.rss_start:+.1f} MB)",
    ])


# -- a real process against a local Bot API: stop-kill-restart, and a slow send -------------

READY = "is ready: "


class BotProcess:
    """`python -m bot run` against `api_url`, its log in `directory`/bot-N.log."""

    def __init__(self, directory: Path, api_url: str, faq: Path, name: str) -> None:
        self.log_path = directory / f"{name}.log"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "BOT_"))},
            "BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api_url, "FAQ_PATH": str(faq.resolve()),
            "FAQ_WATCH": "false", "LOG_LEVEL": "INFO", "DB_PATH": str(directory / "db.sqlite3"),
            "HEALTH_FILE": str(directory / "health"),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        with self.log_path.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], env=environment, cwd=directory,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while READY not in self.log_path.read_text(encoding="utf-8"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start:\n{self.log_path.read_text()}")
            time.sleep(0.05)

    def stop(self, kill_after: float = 10.0) -> tuple[float, bool]:
        """SIGTERM, then SIGKILL `kill_after` seconds later as Docker does: (seconds to the
        exit, whether it had to be killed)."""
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(kill_after)
            killed = False
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            killed = True
        return time.monotonic() - sent, killed


def _slow_hook(seconds: Callable[[int], float]) -> Callable[[str, dict[str, Any]], None]:
    def hook(method: str, params: dict[str, Any]) -> None:
        delay = seconds(int(params["chat_id"]))
        if delay:
            time.sleep(delay)
    return hook


def _answered(api: LocalBotApi, chats: list[int]) -> int:
    times = api.answer_times()
    return sum(1 for chat in chats if chat in times)


@dataclass
class StopKillResult:
    questions: int
    answered_before_stop: int
    answered_by_first: int
    exit_seconds: float
    killed: bool
    answered_in_all: int
    answered_twice: int  # by the first process and again by the second
    confirmed_past_unanswered: int  # getUpdates offsets that passed a question not yet answered

    @property
    def lost(self) -> int:
        return self.questions - self.answered_in_all


def stop_kill_restart(
    count: int, faq: Path, *, term_after: float = 2.0, kill_after: float = 10.0,
    send_latency: float = 0.05, seed: int = 1,
) -> StopKillResult:
    """`count` questions queued, each from its own person; the bot started, SIGTERM `term_after`
    seconds after it is ready, SIGKILL `kill_after` seconds later if still running; a second
    bot started on the same (offset-honouring) Bot API; the questions never answered counted."""
    rng = random.Random(seed)
    asked = questions()
    api = LocalBotApi()
    api.honour_offsets = True  # as Telegram: a confirmed update is never sent again
    api.hooks["sendMessage"] = _slow_hook(lambda chat: send_latency)
    updates = [message_update(rng.choice(asked), from_id=40_000 + n) for n in range(count)]
    chats = [40_000 + n for n in range(count)]
    for update in updates:
        api.push_update(update)
    try:
        with tempfile.TemporaryDirectory(prefix="soak-restart-") as tmp:
            first = BotProcess(Path(tmp), api.url, faq, "first")
            first.wait_ready()
            time.sleep(term_after)
            answered_before_stop = _answered(api, chats)
            exit_seconds, killed = first.stop(kill_after)
            first_gone = time.monotonic()
            answered_by_first = _answered(api, chats)
            second = BotProcess(Path(tmp), api.url, faq, "second")
            second.wait_ready()
            last, quiet_since = -1, time.monotonic()
            while _answered(api, chats) < count and time.monotonic() - quiet_since < 20:
                now = _answered(api, chats)
                if now != last:
                    last, quiet_since = now, time.monotonic()
                time.sleep(0.2)
            second.stop(kill_after)
        times = api.answer_times()
        answered_in_all = sum(1 for chat in chats if chat in times)
        # by both processes (one answer may be several messages: a chat's count says nothing)
        twice = sum(1 for chat in chats
                    if times.get(chat) and times[chat][0] < first_gone < times[chat][-1])
        first_answer = {u["update_id"]: times.get(c, [float("inf")])[0]
                        for u, c in zip(updates, chats, strict=True)}
        passed = sum(
            1 for at, offset in api.offsets()
            if any(first_answer[u["update_id"]] >= at for u in updates if u["update_id"] < offset)
        )
    finally:
        api.close()
    return StopKillResult(count, answered_before_stop, answered_by_first, exit_seconds, killed,
                          answered_in_all, twice, passed)


def report_stop_kill(result: StopKillResult) -> str:
    return "\n".join([
        f"stop-kill-restart: {result.questions} questions queued; "
        f"{result.answered_before_stop} answered before SIGTERM, "
        f"{result.answered_by_first} by the first process in all",
        f"exit:     {result.exit_seconds:.1f} s after SIGTERM"
        f"{' (SIGKILLed at the limit)' if result.killed else ''}",
        f"lost:     {result.lost} questions never answered across stop and restart "
        f"(target 0); {result.answered_twice} answered twice; "
        f"{result.confirmed_past_unanswered} getUpdates confirmed an unanswered question",
    ])


@dataclass
class SlowSendResult:
    others: int
    waits: list[float]  # other chats: seconds from their question to its answer
    slow_messages: int
    slow_apologies: int  # "something went wrong" sent to the slow chat
    exit_seconds: float


def slow_send(faq: Path, *, others: int = 20, slow_seconds: float = 6.0) -> SlowSendResult:
    """One person's sendMessage takes `slow_seconds` (past the bot's 5 s timeout); `others`
    people ask meanwhile. Their waits, and what the slow person was sent."""
    slow_chat = 50_000
    api = LocalBotApi()
    api.hooks["sendMessage"] = _slow_hook(lambda chat: slow_seconds if chat == slow_chat else 0)
    asked = questions()
    try:
        with tempfile.TemporaryDirectory(prefix="soak-slow-") as tmp:
            bot = BotProcess(Path(tmp), api.url, faq, "bot")
            bot.wait_ready()
            api.push_update(message_update(asked[0], from_id=slow_chat))
            time.sleep(0.3)  # the slow reply is under way
            pushed: dict[int, float] = {}
            for n in range(others):
                pushed[slow_chat + 1 + n] = time.monotonic()
                api.push_update(message_update(asked[1 + n], from_id=slow_chat + 1 + n))
                time.sleep(0.1)
            deadline = time.monotonic() + slow_seconds + 10  # the slow send lands, and more
            while time.monotonic() < deadline:
                time.sleep(0.2)
            exit_seconds, _ = bot.stop()
        times = api.answer_times()
        waits = [times[chat][0] - at for chat, at in pushed.items() if chat in times]
        to_slow = [m for m in api.messages if m["chat"]["id"] == slow_chat]
        apologies = sum(1 for m in to_slow if "something went wrong" in m.get("text", ""))
    finally:
        api.close()
    return SlowSendResult(others, waits, len(to_slow), apologies, exit_seconds)


def report_slow_send(result: SlowSendResult) -> str:
    waits = sorted(result.waits)
    median = waits[len(waits) // 2] if waits else float("nan")
    return "\n".join([
        f"slow send: {len(waits)}/{result.others} other chats answered while one chat's "
        f"sendMessage took longer than the 5 s timeout; their wait: median {median:.2f} s, "
        f"max {max(waits, default=float('nan')):.2f} s",
        f"slow chat: {result.slow_messages} messages, {result.slow_apologies} of them "
        f"\"something went wrong\" (target 0 beyond the answer); exit {result.exit_seconds:.1f} s",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rate-limits", type=int, default=3, help="429s to inject")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faq", type=Path, default=REPO / "faq.yaml")
    parser.add_argument(
        "--stop-kill-restart", type=int, metavar="N", default=0,
        help="instead: N questions queued, SIGTERM 2 s after start, SIGKILL at 10 s, restart",
    )
    parser.add_argument(
        "--send-latency", type=float, default=0.05, metavar="S",
        help="with --stop-kill-restart: seconds each sendMessage takes (Telegram's is ~0.05)",
    )
    parser.add_argument(
        "--slow-send", action="store_true",
        help="instead: one chat's sendMessage slower than the 5 s timeout, others asking",
    )
    args = parser.parse_args()
    if args.stop_kill_restart:
        restart = stop_kill_restart(args.stop_kill_restart, args.faq, seed=args.seed,
                                    send_latency=args.send_latency)
        print(report_stop_kill(restart))
        return 0 if restart.lost == 0 and not restart.killed else 1
    if args.slow_send:
        slow = slow_send(args.faq)
        print(report_slow_send(slow))
        return 0 if slow.slow_apologies == 0 and len(slow.waits) == slow.others else 1
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bot").setLevel(logging.ERROR)  # no per-reply chatter between figures
    result = asyncio.run(soak(args.updates, args.users, args.faq, args.seed, args.rate_limits))
    print(report(result))
    return 0 if result.error_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
