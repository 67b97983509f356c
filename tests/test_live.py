"""A reload never validates a file caught mid-write (bot.live.read_settled): it reads the file,
waits SETTLE_SECONDS, reads it again, and goes on only with two reads that agree.

Real files in tmp_path; the wait is scripted (`Writer`), so a write lands exactly inside the
settle time without any real waiting or timing luck.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.harness import copy_faq

from bot.faq import Faq, faq_from_bytes
from bot.live import SETTLE_READS, SETTLE_SECONDS, LiveFaq, read_settled, stamp

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
ORIGINAL = MINI_FAQ.read_text(encoding="utf-8")  # what `path` holds at the start of each test
HOT_STONES = (
    "\n  - id: hot-stones\n    topic: Types of massage\n"
    "    question: What is hot stone massage?\n    keywords: [hot stones]\n"
    "    answer: Warm stones are placed on the body to loosen tight muscles.\n"
)
FULL_ANSWER = "Warm stones are placed on the body to loosen tight muscles."


def write(path: Path, text: str) -> None:
    """Write in place (as vim does), making sure the stat moves even on coarse-mtime
    filesystems."""
    before = path.stat()
    with open(path, "r+b") as file:
        file.truncate(0)
        file.write(text.encode("utf-8"))
    after = path.stat()
    if (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size):
        os.utime(path, ns=(after.st_atime_ns, after.st_mtime_ns + 1_000_000))


class Writer:
    """The settle wait, scripted: the n-th wait runs the n-th step (a write to the file, as if
    the editor were still saving), and no real time passes."""
    def __init__(self, *steps: Callable[[], None]) -> None:
        self.steps = list(steps)
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) <= len(self.steps):
            self.steps[len(self.waits) - 1]()
        await asyncio.sleep(0)


def cut_in_the_last_answer(text: str) -> str:
    """The complete file cut mid-word in its last answer: still a valid FAQ (the premise)."""
    cut = text[: text.index(FULL_ANSWER) + len("Warm stones are pla")] + "\n"
    assert answer(faq_from_bytes(cut.encode("utf-8"), "cut")) == "Warm stones are pla"
    return cut


def answer(faq: Faq) -> str | None:
    entry = faq.get("hot-stones")
    return entry.answer if entry else None


def live_faq(path: Path, wait: Writer) -> LiveFaq:
    """The FAQ in service as loaded from `path` now, reloading with the scripted wait."""
    loaded = LiveFaq.load(path)
    return LiveFaq(path, loaded.current, stamp(path), settle=0.5, sleep=wait)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return copy_faq(tmp_path, MINI_FAQ)


def test_the_settle_time_is_a_second() -> None:
    assert SETTLE_SECONDS == 1.0  # its reasoning is in bot/live.py; tests script the wait
    assert SETTLE_READS * SETTLE_SECONDS <= 10  # a file that never settles is given up on


async def test_a_file_that_holds_still_is_read_after_one_wait(path: Path) -> None:
    wait = Writer()
    reading = await read_settled(path, settle=0.5, sleep=wait)
    assert reading.data == ORIGINAL.encode()
    assert wait.waits == [0.5]  # read, wait, read again: the same


async def test_a_file_that_changes_during_the_settle_time_is_not_loaded_until_it_holds_still(
    path: Path,
) -> None:
    in_service: list[bool] = []  # at each wait: is the old FAQ still the one in service?

    def old_still_in_service_then(text: str | None) -> Callable[[], None]:
        def step() -> None:
            in_service.append(live.current is old)
            if text is not None:
                write(path, text)
        return step

    wait = Writer(
        old_still_in_service_then(ORIGINAL + HOT_STONES.replace("hot-stones", "first-draft")),
        old_still_in_service_then(ORIGINAL + HOT_STONES),  # saved again within the wait
        old_still_in_service_then(None),  # now it holds still
    )
    live = live_faq(path, wait)
    old = live.current
    write(path, ORIGINAL + HOT_STONES.replace("hot-stones", "half"))
    result = await live.reload("test")
    assert result.ok
    assert result.added == ("hot-stones",)  # neither draft was ever put in service
    assert in_service == [True, True, True]
    assert len(wait.waits) == 3
    assert live.current.faq.get("first-draft") is None
    assert live.current.faq.get("half") is None


async def test_a_truncated_then_completed_write_loads_the_complete_file(path: Path) -> None:
    complete = ORIGINAL + HOT_STONES
    cut = cut_in_the_last_answer(complete)
    # the rest of the save lands within the settle time
    live = live_faq(path, Writer(lambda: write(path, complete)))
    write(path, cut)
    result = await live.reload("test")
    assert result.ok
    assert answer(live.current.faq) == FULL_ANSWER


async def test_a_file_cut_off_that_holds_still_is_what_was_saved(path: Path) -> None:
    """The guarantee is "the same again after the wait", not "complete": a file saved cut off
    (and valid) is what its admin saved."""
    cut = cut_in_the_last_answer(ORIGINAL + HOT_STONES)
    live = live_faq(path, Writer())
    write(path, cut)
    assert (await live.reload("test")).ok
    assert answer(live.current.faq) == "Warm stones are pla"


async def test_a_same_size_rewrite_within_the_settle_time_is_seen(path: Path) -> None:
    """Size and mtime can both stay the same (a coarse clock); the bytes are compared too."""
    first = ORIGINAL + HOT_STONES
    second = ORIGINAL + HOT_STONES.replace("tight", "TIGHT")
    write(path, first)

    def same_stat_rewrite() -> None:
        stat = path.stat()
        path.write_text(second, encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    wait = Writer(same_stat_rewrite)
    reading = await read_settled(path, settle=0.5, sleep=wait)
    assert reading.data == second.encode("utf-8")
    assert len(wait.waits) == 2


async def test_a_file_that_never_holds_still_is_not_reloaded(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    steps = [
        (lambda n=n: write(path, ORIGINAL + f"# save {n}\n")) for n in range(SETTLE_READS)
    ]
    live = live_faq(path, Writer(*steps))
    old = live.current
    with caplog.at_level(logging.ERROR, logger="bot.live"):
        result = await live.reload("/reload by admin 1")
    assert not result.ok
    assert live.current is old
    assert "still changing after 2.5 s" in result.error
    assert "send /reload again" in result.error
    assert "failed; the previous FAQ stays in service" in caplog.text


async def test_a_file_that_vanishes_mid_save_is_waited_for(path: Path) -> None:
    complete = ORIGINAL + HOT_STONES
    wait = Writer(path.unlink, lambda: path.write_text(complete, encoding="utf-8"))
    reading = await read_settled(path, settle=0.5, sleep=wait)
    assert reading.data == complete.encode("utf-8")


async def test_a_missing_file_fails_at_once(tmp_path: Path) -> None:
    wait = Writer()
    live = live_faq(copy_faq(tmp_path, MINI_FAQ), wait)
    live.path.unlink()
    result = await live.reload("test")
    assert not result.ok
    assert result.error.endswith("file not found")
    assert wait.waits == []


# -- the watcher ----------------------------------------------------------------------------


async def test_the_watcher_reloads_only_the_finished_save(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The watcher notices the first part of a save; the rest lands during its settle wait."""
    caplog.set_level(logging.INFO, logger="bot.live")
    complete = ORIGINAL + HOT_STONES
    live = live_faq(path, Writer(lambda: write(path, complete)))
    old = live.current
    write(path, cut_in_the_last_answer(complete))
    watcher = asyncio.create_task(live.watch(interval=0.01))
    try:
        for _ in range(500):
            if live.current is not old:
                break
            await asyncio.sleep(0.01)
    finally:
        watcher.cancel()
    assert answer(live.current.faq) == FULL_ANSWER
    reloads = [r.getMessage() for r in caplog.records if "FAQ reload" in r.getMessage()]
    assert reloads == ["FAQ reloaded (file change): 6 entries; added: hot-stones"]


async def test_the_watcher_waits_for_a_file_that_keeps_changing(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Still changing after every read: said once, nothing reloaded; then it holds still."""
    caplog.set_level(logging.INFO, logger="bot.live")
    writes = 2 * SETTLE_READS
    steps = [
        (lambda n=n: write(path, ORIGINAL + f"# save {n}\n")) for n in range(writes)
    ]
    wait = Writer(*steps)
    live = live_faq(path, wait)
    write(path, ORIGINAL + "# save\n")
    watcher = asyncio.create_task(live.watch(interval=0.01))
    try:
        for _ in range(500):
            if "FAQ reloaded" in caplog.text:
                break
            await asyncio.sleep(0.01)
    finally:
        watcher.cancel()
    assert len(wait.waits) > writes  # every write was waited out
    still = [r for r in caplog.records if "still changing" in r.getMessage()]
    assert len(still) == 1
    assert "FAQ reloaded (file change): 5 entries; no changes" in caplog.text
