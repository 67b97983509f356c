"""What an SQLite database holds on disk, for tests that check a text never reached it."""

from __future__ import annotations

from pathlib import Path


def raw_bytes(path: Path) -> bytes:
    """Everything SQLite has on disk for this database: the file, its WAL and shared memory."""
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return b"".join(file.read_bytes() for file in files if file.exists())
