# The clinic FAQ bot as a container: `docker build -t clinic-faq-bot .`, then see README.md
# ("Docker") for `docker run` with an env file, the FAQ mount and the data volume.
#
# Two stages: the first installs the runtime dependencies only (no [test] extra, no compilers)
# into a virtual environment, exactly the versions and files pinned with their hashes in
# requirements.txt (the lock; README.md, "Updating the lock", says how to renew it), then the
# package itself without resolving anything more; the second is a clean slim image holding that
# environment, the shipped faq.yaml and nothing else, run as a non-root user.

# -- build ------------------------------------------------------------------------------------
FROM python:3.12.8-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.txt ./
RUN python -m venv /venv && /venv/bin/pip install --require-hashes -r requirements.txt
COPY pyproject.toml README.md faq.yaml ./
COPY bot ./bot
RUN /venv/bin/pip install --no-deps .

# -- runtime ----------------------------------------------------------------------------------
FROM python:3.12.8-slim-bookworm
# FAQ_PATH: the shipped FAQ; mount your own over it (or mount a directory and point FAQ_PATH
# into it, which keeps live reloading working when an editor replaces the file).
# DB_PATH: the bot's database, on the /data volume so it outlives the container.
# EMBEDDING_CACHE_DIR: the vectors of the FAQ's texts, on the same volume, so a restart after
# an edit embeds only what changed (/app, the bot's home, is not writable).
# HEALTH_FILE: the mark the running bot keeps fresh while Telegram answers it (an empty file:
# only its time counts), read by `faq-bot health` below; in the container's own /tmp.
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FAQ_PATH=/app/faq.yaml \
    DB_PATH=/data/faqbot.sqlite3 \
    EMBEDDING_CACHE_DIR=/data/vectors \
    HEALTH_FILE=/tmp/clinic-faq-bot.health
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin faqbot \
    && mkdir -p /app /data \
    && chown faqbot:faqbot /data
COPY --from=build /venv /venv
COPY faq.yaml /app/faq.yaml
WORKDIR /app
# Created and owned by faqbot above, so a fresh named volume is writable by the bot.
VOLUME ["/data"]
USER faqbot:faqbot
# Webhook mode only (WEBHOOK_URL set): the bot's server listens on PORT, 8443 by default; set
# LISTEN=0.0.0.0 and publish it (`-p 8443:8443`) behind your https proxy. Long polling (the
# default) needs no port at all.
EXPOSE 8443
# Healthy while the bot hears from Telegram: every answered getUpdates (an idle bot polls every
# 10 s), or in webhook mode every update delivered and a getWebhookInfo every 30 s, refreshes
# HEALTH_FILE; `faq-bot health` exits 1 once it is older than 120 s. The start period covers
# loading the FAQ and a Bot API that is slow to answer at first.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["faq-bot", "health"]
# `docker stop` sends SIGTERM and waits 10 s: the bot finishes the update in hand and exits 0.
STOPSIGNAL SIGTERM
CMD ["faq-bot", "run"]
