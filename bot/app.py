"""The Telegram application: built and wired in one place, and run by `faq-bot run`.

`build_application` is the only place that creates the PTB Application and registers handlers
(one commented line each, like the PTB team's rules-bot `main()`). `run_bot` reads the
environment once, checks the FAQ before touching the network, waits for the Bot API with
back-off (bot.lifecycle), and runs long polling or, when WEBHOOK_URL is set, a webhook server,
until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import handlers, language
from bot.announce import NOTICES_KEY, AdminNotices, notices_in
from bot.concurrency import ChatOrderedProcessor, ChatRateLimiter
from bot.config import ConfigError, Settings, load_settings
from bot.embedding import ModelError
from bot.faq import FaqError
from bot.handoff import HANDOFF_KEY, Handoff, handoff_in
from bot.health import HealthMark, heartbeat_of, mark_path
from bot.intake import Intake
from bot.lifecycle import BACKOFF, Feed, StopSignals, serve
from bot.live import LiveFaq
from bot.logs import configure_logging
from bot.polling import Poller
from bot.recorder import Recorder
from bot.services import SERVICES_KEY, Services
from bot.webhook import WebhookError, WebhookFeed

logger = logging.getLogger(__name__)

BotApp: TypeAlias = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]

# The updates the bot handles; asking Telegram for nothing else keeps edits and reactions (and
# the traffic and data they carry) away.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]

COMMANDS = [
    BotCommand("start", "Welcome and what I can do"),
    BotCommand("topics", "Browse every question by topic"),
    BotCommand("conditions", "The conditions we treat"),
    BotCommand("disclaimer", "The practice's medical disclaimer"),
    BotCommand("privacy", "What I store, and for how long"),
    BotCommand("help", "How to use this bot"),
]
# In the menu only when hand-off is set up (STAFF_CHAT_ID).
ASK_COMMAND = BotCommand("ask", "Ask the practice's team")
# In the menu only when the FAQ in service at start-up has a `practice:` section. The menu is
# set once, at start-up: /contact itself follows reloads (and says when there are no details).
CONTACT_COMMAND = BotCommand("contact", "How to reach the practice")
ADMIN_ONLY_COMMANDS = [
    BotCommand("unanswered", "Questions I could not answer (admins)"),
    BotCommand("stats", "How questions went this week (admins)"),
    BotCommand("reload", "Reload the FAQ file (admins)"),
]
ADMIN_COMMANDS = [*COMMANDS, *ADMIN_ONLY_COMMANDS]

# Retries of deleteWebhook/setWebhook right after getMe answered (1, 1.5, 2.25 s apart, as PTB's
# bootstrap): bounded, as an outage that outlasts them is reported (exit 1) for the supervisor.
BOOTSTRAP_RETRIES = 3

# Only new messages: an edited question is not answered twice.
NEW_MESSAGE = filters.UpdateType.MESSAGE


def build_application(
    settings: Settings,
    live: LiveFaq,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    recorder: Recorder | None = None,
    handoff: Handoff | None = None,
    mark: HealthMark | None = None,
) -> BotApp:
    """The Application with every handler registered. `request` replaces the network (tests);
    `recorder` the question recorder made from the settings (tests), `handoff` the hand-off
    state (tests). `mark`, when given, is kept fresh while Telegram answers (bot.health)."""
    builder = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ))
        # Keeps under Telegram's flood limits; a 429's retry_after is waited out (up to
        # MAX_RETRY_WAIT, then the reply is dropped) by that request alone, not the whole bot.
        .rate_limiter(rate_limiter or ChatRateLimiter())
        # Different chats at once, each chat's updates in order (bot.concurrency).
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    # Two connections for getUpdates, not PTB's one: a long poll cancelled at a stop can leave
    # its connection stuck in the pool (httpcore 1.0.9), and then the last getUpdates, which
    # confirms the updates handled, timed out with a traceback.
    get_updates_request = get_updates_request or HTTPXRequest(connection_pool_size=2)
    if mark is not None:  # every getUpdates that Telegram answers marks the bot alive
        get_updates_request = mark.watch_polls(get_updates_request)
    builder = builder.get_updates_request(get_updates_request)
    application: BotApp = builder.build()
    if mark is not None:  # in webhook mode, so does every update delivered
        mark.install(application, settings.webhook.url if settings.webhook else None)
    recorder = recorder or Recorder(settings.db_path, settings.retention_days)
    application.bot_data[SERVICES_KEY] = Services(settings=settings, live=live, recorder=recorder)
    application.bot_data[HANDOFF_KEY] = handoff or Handoff.from_settings(settings)
    # Which FAQ each admin last heard of, and the watcher's and SIGHUP's reload notices.
    application.bot_data[NOTICES_KEY] = AdminNotices(
        application.bot, settings.admin_ids, live.path, live.version
    )

    private = filters.ChatType.PRIVATE
    addressed = handlers.ADDRESSED_TO_BOT
    # /start: welcome; "/start <entry id>" (deep link from an inline result) answers that entry.
    application.add_handler(CommandHandler("start", handlers.start, NEW_MESSAGE))
    # /help: how to ask, the commands, groups and inline mode.
    application.add_handler(CommandHandler("help", handlers.help_command, NEW_MESSAGE))
    # /topics: every topic as buttons, each opening a paged list of its questions.
    application.add_handler(CommandHandler("topics", handlers.topics, NEW_MESSAGE))
    # /conditions: the treated conditions, each a button.
    application.add_handler(CommandHandler("conditions", handlers.conditions, NEW_MESSAGE))
    # /disclaimer: the full disclaimer text.
    application.add_handler(CommandHandler("disclaimer", handlers.disclaimer, NEW_MESSAGE))
    # /privacy: what the bot stores, for how long, and that it never stores who asked.
    application.add_handler(CommandHandler("privacy", handlers.privacy, NEW_MESSAGE))
    # /contact: the practice's details from faq.yaml's `practice:` (or that there are none).
    application.add_handler(CommandHandler("contact", handlers.contact, NEW_MESSAGE))
    # /reload: admins only; validates, swaps atomically, reports the diff or the error.
    application.add_handler(CommandHandler("reload", handlers.reload, NEW_MESSAGE))
    # /unanswered [N]: admins only, in private; the most asked questions without an answer.
    application.add_handler(CommandHandler("unanswered", handlers.unanswered, NEW_MESSAGE))
    # /stats [DAYS]: admins only, in private; outcomes and top answers of the last days.
    application.add_handler(CommandHandler("stats", handlers.stats, NEW_MESSAGE))
    # /ask [question]: hand a question to the practice's team (STAFF_CHAT_ID), after consent.
    application.add_handler(CommandHandler("ask", handlers.ask, NEW_MESSAGE))
    # In the staff chat, a reply to the bot's post of a question: sent on to the person.
    application.add_handler(MessageHandler(
        NEW_MESSAGE & ~filters.COMMAND & handlers.StaffReply(settings.staff_chat_id),
        handlers.staff_reply,
    ))
    # Any other command, in private chats only (in groups it may be for another bot).
    application.add_handler(
        MessageHandler(NEW_MESSAGE & private & filters.COMMAND, handlers.unknown_command)
    )
    # A question: any text in private; in groups only when it mentions or replies to the bot.
    application.add_handler(MessageHandler(
        NEW_MESSAGE & filters.TEXT & ~filters.COMMAND & addressed, handlers.question
    ))
    # Stickers, photos, voice, locations... addressed to the bot: ask for words.
    application.add_handler(MessageHandler(
        NEW_MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL & addressed, handlers.not_text
    ))
    # Every inline button (answers, topic pages, stale buttons after a reload).
    application.add_handler(CallbackQueryHandler(handlers.button))
    # Inline mode: "@bot question" in any chat.
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    # One error handler: log, apologise in private, keep running.
    application.add_error_handler(handlers.error)
    return application


async def _post_init(application: BotApp) -> None:
    """After getMe, before updates flow: commands, background reloaders, the ready line."""
    services = services_of(application)
    settings, bot = services.settings, application.bot
    public = [*COMMANDS, ASK_COMMAND] if settings.staff_chat_id is not None else COMMANDS
    if services.live.current.faq.practice is not None:
        public = [*public, CONTACT_COMMAND]
    try:
        await bot.set_my_commands(public)
    except TelegramError as exc:  # the menu is a convenience: answer questions without it
        logger.warning("Could not register the command menu: %s", exc)
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.set_my_commands(
                [*public, *ADMIN_ONLY_COMMANDS], scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as exc:  # e.g. the admin has not started a chat with the bot yet
            logger.warning("Could not show the admin commands in %s's menu: %s", admin_id, exc)
    if not settings.admin_ids:
        logger.warning(
            "ADMIN_IDS is empty: /reload, /unanswered and /stats will be refused to everyone"
        )
    if services.live.current.faq.languages:
        # The language detector's model takes about 1 s to load: now, off the event loop, not
        # while the first person writing in another language (and everyone after) waits.
        await asyncio.to_thread(language.warm_up)
    # A broken save or a new FAQ that nobody asked for in a chat (the watcher, SIGHUP) is sent
    # to the admins, so patients are never left on an old FAQ without anyone knowing.
    services.live.on_unasked_reload(notices_in(application.bot_data))
    if settings.faq_watch:
        services.spawn(services.live.watch(settings.watch_interval), name="faq-watcher")
    # Create or migrate the question store and drop what is past RETENTION_DAYS before the
    # first update; then again daily. A broken store is one warning here, never a failed start.
    await services.recorder.purge()
    services.spawn(services.recorder.keep_purging(settings.purge_interval), name="store-purge")
    # The same for hand-off links past HANDOFF_RETENTION_DAYS (also with hand-off switched off).
    handoff = handoff_in(application.bot_data)
    await handoff.purge()
    services.spawn(handoff.keep_purging(settings.purge_interval), name="handoff-purge")
    _install_sighup(services)
    if (heartbeat := heartbeat_of(application)) is not None:  # webhook mode (bot.health)
        services.spawn(heartbeat, name="health-heartbeat")
    faq = services.live.current.faq
    mode = f"webhook {settings.webhook.url}" if settings.webhook else "long polling"
    logger.info(
        "Bot @%s is ready: %d FAQ entries from %s, %s; unanswered questions kept %d days in %s",
        bot.username, len(faq.entries), services.live.path, mode,
        settings.retention_days, settings.db_path,
    )


async def _post_shutdown(application: BotApp) -> None:
    """The last step of every stop: updates are no longer fetched and those in hand have been
    handled, so what the handlers use can go. Services.close() is the one place that releases
    it: background tasks first, then the pending records are written and the database closed."""
    _remove_sighup()
    await services_of(application).close()
    await handoff_in(application.bot_data).close()


def services_of(application: BotApp) -> Services:
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("the application has no Services")
    return services


def _install_sighup(services: Services) -> None:
    """SIGHUP reloads the FAQ (the classic daemon convention), where signals are available."""
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None:
        return
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(
            sighup,
            lambda: services.spawn(
                services.live.reload("SIGHUP", announce=True), name="faq-sighup"
            ),
        )
    except (NotImplementedError, RuntimeError, ValueError) as exc:  # not the main thread
        logger.warning("SIGHUP reload unavailable here: %s", exc)


def _remove_sighup() -> None:
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None:
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(sighup)


def run_bot(
    env: Mapping[str, str],
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    backoff: Sequence[float] = BACKOFF,
) -> int:
    """`faq-bot run`: configure, check the FAQ, run until SIGINT/SIGTERM. Returns the exit code.

    Bad settings or a broken FAQ: one message on stderr and exit code 2, before any network
    traffic. An unreachable Bot API is retried with `backoff` (bot.lifecycle); a rejected token
    exits 1. A stop signal ends polling (or the webhook), gives the updates in hand until
    bot.lifecycle.GRACE seconds after it, confirms to Telegram only those answered, runs
    _post_shutdown and exits 0. `request`/`get_updates_request` replace the HTTP layer (tests
    only).
    """
    try:
        settings = load_settings(env)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        live = LiveFaq.load(settings.faq_path)
    except (FaqError, ModelError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    handler = configure_logging(settings.log_level, settings.secrets)
    mark = HealthMark(mark_path(env))
    mark.clear()  # no mark until this process hears from Telegram
    application = build_application(
        settings, live, request=request, get_updates_request=get_updates_request, mark=mark
    )
    # A fresh loop, closed here at the end: the caller may have used another one.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop_signals = StopSignals(loop, application)
    stop_signals.install()
    try:
        if stop_signals.connect(settings.api_root, backoff):
            _run(application, settings, stop_signals)
    except InvalidToken:
        logger.error("Telegram rejected BOT_TOKEN; check the token BotFather gave you")
        return 1
    except TelegramError as exc:  # a refusal, or an outage that outlasted PTB's bootstrap retries
        logger.error("Could not start the bot: the Bot API at %s failed: %s",
                     settings.api_root, exc)
        return 1
    except WebhookError as exc:
        logger.error("%s", exc)
        return 1
    else:
        logger.info("Bot stopped")
        return 0
    finally:
        logging.getLogger().removeHandler(handler)
        stop_signals.remove()
        loop.close()
        asyncio.set_event_loop(None)  # leave no closed loop behind as the current one


def _run(application: BotApp, settings: Settings, stop_signals: StopSignals) -> None:
    """Once getMe has answered: long polling (bot.polling) or the webhook (bot.webhook), fed to
    the application through one Intake (bot.intake), until a stop signal (bot.lifecycle)."""
    intake = Intake(application)
    feed: Feed
    if settings.webhook is None:
        feed = Poller(application.bot, intake, ALLOWED_UPDATES)
    else:
        hook = settings.webhook
        feed = WebhookFeed(
            application.bot, intake, listen=hook.listen, port=hook.port,
            url_path=hook.url_path, url=hook.url, secret=hook.secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    stop_signals.loop.run_until_complete(
        serve(application, feed, intake, stop_signals, retries=BOOTSTRAP_RETRIES)
    )
