# The clinic FAQ bot as a container: `docker build -t clinic-faq-bot .`, then see README.md
# ("Docker") for `docker run` with an env file, the FAQ mount and the data volume.
#
# Two stages: the first builds the package and installs it with its runtime dependencies only
# (no [test] extra, no compilers) into a virtual environment; the second is a clean slim image
# holding that environment, the shipped faq.yaml and nothing else, run as a non-root user.

# -- build ------------------------------------------------------------------------------------
FROM python:3.12.8-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md faq.yaml ./
COPY bot ./bot
RUN python -m venv /venv && /venv/bin/pip install .

# -- runtime ----------------------------------------------------------------------------------
FROM python:3.12.8-slim-bookworm
# FAQ_PATH: the shipped FAQ; mount your own over it (or mount a directory and point FAQ_PATH
# into it, which keeps live reloading working when an editor replaces the file).
# DB_PATH: the bot's database, on the /data volume so it outlives the container.
# EMBEDDING_CACHE_DIR: the vectors of the FAQ's texts, on the same volume, so a restart after
# an edit embeds only what changed (/app, the bot's home, is not writable).
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FAQ_PATH=/app/faq.yaml \
    DB_PATH=/data/faqbot.sqlite3 \
    EMBEDDING_CACHE_DIR=/data/vectors
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin faqbot \
    && mkdir -p /app /data \
    && chown faqbot:faqbot /data
COPY --from=build /venv /venv
COPY faq.yaml /app/faq.yaml
WORKDIR /app
# Created and owned by faqbot above, so a fresh named volume is writable by the bot.
VOLUME ["/data"]
USER faqbot:faqbot
# `docker stop` sends SIGTERM and waits 10 s: the bot finishes the update in hand and exits 0.
STOPSIGNAL SIGTERM
CMD ["faq-bot", "run"]
