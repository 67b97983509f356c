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
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import random
import sys
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rate-limits", type=int, default=3, help="429s to inject")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faq", type=Path, default=REPO / "faq.yaml")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bot").setLevel(logging.ERROR)  # no per-reply chatter between figures
    result = asyncio.run(soak(args.updates, args.users, args.faq, args.seed, args.rate_limits))
    print(report(result))
    return 0 if result.error_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
