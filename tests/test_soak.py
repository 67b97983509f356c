"""scripts/soak.py at a small scale: no errors, one reply per question, every update judged."""

from __future__ import annotations

import pytest
from conftest import REPO
from helpers.scripts import load_script

pytestmark = pytest.mark.slow  # hundreds of updates through the real application


async def test_a_small_soak_has_no_errors_and_one_reply_per_question() -> None:
    soak = load_script("soak")
    result = await soak.soak(200, 20, REPO / "faq.yaml", seed=7)
    tally = result.tally
    assert result.error_count == 0, soak.report(result)
    assert tally.replies == tally.kinds[soak.REPLY] > 100
    assert tally.inline_answers == tally.kinds[soak.INLINE]
    assert tally.silent_ok == tally.kinds[soak.SILENT]
    assert tally.expected == {}  # every update served was handled and judged
    assert sum(tally.kinds.values()) == 200
    assert "errors:   0" in soak.report(result)
