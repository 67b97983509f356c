"""Benchmark: text updates per second through the real Application, and the peak RSS.

The network is the in-memory Bot API of the tests (tests/helpers/fake_telegram.py), so the
figure is the bot's own cost: PTB's Updater decoding getUpdates JSON, the dispatcher, filters,
the matcher, the reply rendering and keyboards, ExtBot encoding sendMessage. Updates are real
people's phrasings (tests/data/fit/tuning.jsonl) plus greetings and off-topic questions, in private
chats, served 100 per getUpdates as Telegram does.

    python scripts/bench_bot.py [--updates 5000] [--faq faq.yaml] [--limiter unthrottled]

--limiter: `unthrottled` (default) is the production AIORateLimiter (429 retries, per-group
limits) with its 30-messages-per-second overall cap turned off, because that cap (Telegram's
own flood limit) would make the benchmark measure the cap; `product` keeps it (expect about
30 replies/s, by design).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import resource
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the fake Bot API and the factories

from helpers.driver import ServeUpdates, poll_all  # noqa: E402
from helpers.factories import message_update  # noqa: E402
from helpers.fake_telegram import TOKEN  # noqa: E402
from telegram.ext import AIORateLimiter, BaseRateLimiter  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.live import LiveFaq  # noqa: E402

EXTRA = ["hi", "thanks!", "how much is a session?", "do you do waxing", "ok bye", "asdfgh"]


def questions() -> list[str]:
    path = REPO / "tests" / "data" / "fit" / "tuning.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()] + EXTRA


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def limiter(kind: str) -> BaseRateLimiter[Any]:
    if kind == "product":
        return AIORateLimiter(max_retries=3)
    return AIORateLimiter(overall_max_rate=0, max_retries=3)


async def bench(count: int, faq: Path, kind: str) -> dict[str, float]:
    settings = Settings(token=TOKEN, faq_path=faq, faq_watch=False)
    live = LiveFaq.load(faq)
    texts = itertools.cycle(questions())
    fake = ServeUpdates(
        message_update(next(texts), from_id=10_000 + number % 500) for number in range(count)
    )
    app = build_application(
        settings, live, request=fake, get_updates_request=fake, rate_limiter=limiter(kind)
    )
    ready: list[float] = []
    elapsed = await poll_all(app, fake, on_ready=lambda: ready.append(peak_rss_mb()))
    return {
        "updates": count,
        "seconds": elapsed,
        "replies": fake.sent_count,
        "rss_ready": ready[0],
        "rss_peak": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--faq", type=Path, default=REPO / "faq.yaml")
    parser.add_argument("--limiter", choices=["unthrottled", "product"],
                        default="unthrottled")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # no start-up chatter between the figures
    result = asyncio.run(bench(args.updates, args.faq, args.limiter))
    rate = result["updates"] / result["seconds"]
    print(f"updates:        {result['updates']:.0f} text messages in private chats "
          f"({result['replies']:.0f} replies sent), limiter: {args.limiter}")
    print(f"time:           {result['seconds']:.2f} s")
    print(f"throughput:     {rate:.0f} updates/s")
    print(f"peak RSS:       {result['rss_peak']:.1f} MB "
          f"(after start-up, before traffic: {result['rss_ready']:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
