"""The clinic's Telegram FAQ bot (see README.md)."""

import os

# One thread for numpy's matrix products (OpenBLAS), set before numpy is first imported: a
# message is compared with every FAQ text in one small product (1,568 x 384 for the bundled
# FAQ), which OpenBLAS splits over every core. On this shared 2-core machine that made the
# product 17x slower at its best (0.92 ms against 0.054 ms) and up to 30 ms when the other
# core was busy, the main cause of the slow tail of a match; one thread is as fast for the
# 40,000 texts of a 10,000-entry FAQ. The sentence model keeps its own two threads
# (bot.embedding). setdefault: a deployment that sets the variable keeps its own choice.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
