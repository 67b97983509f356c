"""The bot as a real process for the end-to-end tests: `faq-bot run`'s `run_bot(os.environ)`,
with the HTTP layer swapped for the test-only EmulatorBridge (see tests/helpers).

Run by tests/e2e/test_emulator.py as `python tests/e2e/bot_process.py`; the settings come from
the environment exactly as in production (BOT_TOKEN, BOT_API_BASE_URL, FAQ_PATH, ...).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for helpers

from helpers.emulator_bridge import EmulatorBridge

from bot.app import run_bot

if __name__ == "__main__":
    sys.exit(run_bot(
        os.environ,
        request=EmulatorBridge(connection_pool_size=8),
        get_updates_request=EmulatorBridge(),
    ))
