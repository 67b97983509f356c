"""Benchmark: text updates per second through the real Application, and the peak RSS.

The network is the in-memory Bot API of the tests (tests/helpers/fake_telegram.py), so the
figure is the bot's own cost: PTB's Updater decoding getUpdates JSON, the dispatcher, filters,
the matcher, the reply rendering and keyboards, ExtBot encoding sendMessage. Updates are real
people's phrasings (tests/data/tuning.jsonl) plus greetings and off-topic questions, in private
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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the fake Bot API and the factories

from helpers.factories import message_update  # noqa: E402
from helpers.fake_telegram import TOKEN, FakeTelegram  # noqa: E402
from telegram.ext import AIORateLimiter, BaseRateLimiter  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.live import LiveFaq  # noqa: E402

EXTRA = ["hi", "thanks!", "how much is a session?", "do you do waxing", "ok bye", "asdfgh"]


class ServeUpdates(FakeTelegram):
    """Serves `count` text updates through getUpdates, 100 at a time, then signals the end."""

    def __init__(self, texts: list[str], count: int) -> None:
        super().__init__(record=False)
        self._source: Iterator[dict[str, Any]] = (
            message_update(text, from_id=10_000 + number % 500)
            for number, text in zip(range(count), itertools.cycle(texts), strict=False)
        )
        self.exhausted = asyncio.Event()
        self.first_poll: float | None = None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.first_poll is None:
            self.first_poll = time.perf_counter()
        batch = list(itertools.islice(self._source, 100))
        if not batch:
            self.exhausted.set()
            await asyncio.sleep(0.05)
        return batch


def questions() -> list[str]:
    lines = (REPO / "tests" / "data" / "tuning.jsonl").read_text(encoding="utf-8").splitlines()
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
    fake = ServeUpdates(questions(), count)
    app = build_application(
        settings, live, request=fake, get_updates_request=fake, rate_limiter=limiter(kind)
    )
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    rss_ready = peak_rss_mb()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    await fake.exhausted.wait()
    await app.update_queue.join()
    elapsed = time.perf_counter() - (fake.first_poll or time.perf_counter())
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    return {
        "updates": count,
        "seconds": elapsed,
        "replies": fake.sent_count,
        "rss_ready": rss_ready,
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
