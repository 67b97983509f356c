"""What a matcher gives its sentence model to read, recorded."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.embedding import Vectors
from bot.matcher import Matcher


def texts_read(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A list that fills with every text the matcher embeds from now on (the test's end puts
    its encoder back)."""
    read: list[str] = []
    real = matcher.encoder

    class Spy:
        name, dims, revision = real.name, real.dims, real.revision

        def encode(self, texts: Sequence[str]) -> Vectors:
            read.extend(texts)
            return real.encode(texts)

    monkeypatch.setattr(matcher, "encoder", Spy())
    return read
