"""The bot's PTB callbacks, one per command or kind of update, each named after what it handles.

Callbacks are thin: they take the FAQ snapshot once (so a reload mid-update cannot mix two
FAQs), ask the matcher or bot.views for the reply, and send it. They are registered in exactly
one place, `bot.app.build_application`.

Privacy: what people write may be about their health. Question text is logged only at DEBUG;
INFO lines carry the outcome and entry id, never the text or who asked. The question store
(bot.recorder) is written after the reply has been sent, never awaited, and is given the
outcome and the text only: nothing about who asked or in which chat. Handing a question to
the practice's team (bot.handoff) logs no text or name at any level, and keeps only the link
between the staff post and the person's chat, until the reply.

Follow-ups (bot.context): the last list of choices shown in a chat (a suggestion list, or an
answer's related buttons) is kept in memory for a few minutes, so a typed "2" or "the second
one" is answered as if that button had been pressed. A pick is not a question: it is never
recorded as one. The entry last answered is kept the same way (its id only), so "what about
my neck?" or "tell me more" is read against it. A message of two questions (bot.compound) gets
an answer per covered part and a note naming the part not covered; it is still recorded once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    InaccessibleMessage,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ContextTypes, filters

from bot import compound, language, reports, views
from bot import context as follow_up
from bot.announce import notices_in
from bot.concurrency import MAX_RETRIES, MAX_RETRY_WAIT
from bot.faq import Entry, Faq
from bot.handoff import Handoff, LinksUnavailable, handoff_in
from bot.matcher import Match, Status
from bot.recorder import StoreUnavailable
from bot.services import Services, get_services
from bot.store import Question, new_token
from bot.teach import TeachError, add_alternate, add_not_covered
from bot.teaching import Held, teaching_in
from bot.views import Reply

logger = logging.getLogger(__name__)

GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)


# -- sending --------------------------------------------------------------------------------


async def _send(
    bot: Bot, chat_id: int, reply: Reply, reply_to: int | None = None, thread_id: int | None = None
) -> list[Message]:
    """Send every part in order; the first quotes `reply_to`, the last carries the keyboard.
    Returns the messages sent."""
    last = len(reply.parts) - 1
    sent = []
    for index, part in enumerate(reply.parts):
        sent.append(await bot.send_message(
            chat_id,
            part,
            reply_markup=reply.keyboard if index == last else None,
            reply_parameters=(
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and index == 0 else None
            ),
            message_thread_id=thread_id,
        ))
    return sent


async def _respond(message: Message, reply: Reply) -> None:
    """Answer a message: in groups as a reply to it, so the asker sees it is for them."""
    in_group = message.chat.type in GROUP_TYPES
    await _send(
        message.get_bot(),
        message.chat.id,
        reply,
        reply_to=message.message_id if in_group else None,
        thread_id=message.message_thread_id if message.is_topic_message else None,
    )


# -- who is being spoken to -----------------------------------------------------------------


_MENTIONS: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]


def _bot_mentions(
    found: dict[MessageEntity, str], username: str | None, bot_id: int
) -> list[str]:
    """The pieces of text that address the bot: "@username", or a text mention of it."""
    handle = f"@{username}".lower() if username else None
    return [
        text for entity, text in found.items()
        if (entity.type == MessageEntity.MENTION and handle and text.lower() == handle)
        or (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id)
    ]


def mentions_bot(message: Message, username: str | None, bot_id: int) -> bool:
    """True when the text or caption @-mentions the bot (by username or as a text mention)."""
    return bool(
        _bot_mentions(message.parse_entities(_MENTIONS), username, bot_id)
        or _bot_mentions(message.parse_caption_entities(_MENTIONS), username, bot_id)
    )


class AddressedToBot(filters.MessageFilter):
    """Private chats always; in groups only a mention of the bot or a reply to one of its
    messages. (Commands are matched by CommandHandler, which already ignores /cmd@other_bot.)"""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        if message.chat.type == Chat.PRIVATE:
            return True
        bot = message.get_bot()
        author = message.reply_to_message.from_user if message.reply_to_message else None
        if author is not None and author.id == bot.id:
            return True
        return mentions_bot(message, bot.username, bot.id)


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")


class StaffReply(filters.MessageFilter):
    """In the staff chat (STAFF_CHAT_ID), a reply to one of the bot's messages: a staff member
    answering a handed-off question. Replies between staff are none of the bot's business.
    Matches nothing when hand-off is not set up."""

    __slots__ = ("staff_chat_id",)

    def __init__(self, staff_chat_id: int | None) -> None:
        super().__init__(name="StaffReply")
        self.staff_chat_id = staff_chat_id

    def filter(self, message: Message) -> bool:
        if self.staff_chat_id is None or message.chat.id != self.staff_chat_id:
            return False
        original = message.reply_to_message
        author = original.from_user if original else None
        return author is not None and author.id == message.get_bot().id


def question_text(message: Message, username: str | None, bot_id: int) -> str:
    """The message text without the mentions that addressed it to the bot."""
    text = message.text or ""
    for mention in _bot_mentions(message.parse_entities(_MENTIONS), username, bot_id):
        text = text.replace(mention, " ", 1)
    return " ".join(text.split())


# -- commands -------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: the welcome; `/start <entry id>` (a deep link from inline mode) answers it."""
    message = update.effective_message
    if message is None:
        return
    faq = get_services(context).live.current.faq
    entry = faq.get(context.args[0]) if context.args else None
    if entry is not None:
        reply = views.answer_reply(faq, entry)
        await _respond(message, reply)
        _remember(context, message.chat.id, reply, entry)
        return
    user = update.effective_user
    welcome = views.welcome(user.first_name if user else None, faq.practice)
    await _respond(message, views.plain(welcome))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask, the commands, groups and inline mode (and admin commands, to admins
    in private)."""
    message, user = update.effective_message, update.effective_user
    if message is not None:
        admin = (
            message.chat.type == Chat.PRIVATE
            and get_services(context).settings.is_admin(user.id if user else None)
        )
        handoff = handoff_in(context.bot_data).enabled
        practice = get_services(context).live.current.faq.practice
        text = views.help_text(context.bot.username, admin, handoff=handoff, practice=practice)
        await _respond(message, views.plain(text))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topics: every topic as a button; each opens a page of its questions."""
    if update.effective_message is not None:
        faq = get_services(context).live.current.faq
        await _respond(update.effective_message, views.topics_menu(faq))


async def conditions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/conditions: the treated conditions, each a button."""
    if update.effective_message is not None:
        faq = get_services(context).live.current.faq
        await _respond(update.effective_message, views.conditions_reply(faq))


async def disclaimer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/disclaimer: the practice's full disclaimer."""
    if update.effective_message is not None:
        faq = get_services(context).live.current.faq
        await _respond(update.effective_message, views.disclaimer_reply(faq))


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy (everyone): what the bot stores, for how long, and that it never stores who."""
    if update.effective_message is not None:
        services, handoff = get_services(context), handoff_in(context.bot_data)
        settings = services.settings
        text = views.privacy_text(
            settings.retention_days, keeps_text=settings.keep_questions,
            handoff_days=handoff.retention_days if handoff.enabled else None,
            practice=services.live.current.faq.practice,
        )
        await _respond(update.effective_message, views.plain(text))


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/contact (everyone): the practice's details from faq.yaml's `practice:`, with buttons
    for its website and booking page; without them, that they are not set up."""
    if update.effective_message is not None:
        faq = get_services(context).live.current.faq
        await _respond(update.effective_message, views.contact_reply(faq))


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload (admins, in private): validate the file, swap it in, report the entry diff or the
    error. Not in a group: the report names the file's path and quotes its problems. The diff
    is against the FAQ this admin last heard of (bot.announce), so a change the watcher
    already applied is named, with its time, rather than "Nothing changed"."""
    admitted = await _admin_report(
        update, context, "reload", views.RELOAD_REFUSED, views.RELOAD_PRIVATE_ONLY
    )
    if admitted is None:
        return
    message, services = admitted
    user = update.effective_user
    assert user is not None  # admitted: an admin
    before = services.live.version
    result = await services.live.reload(f"/reload by admin {user.id}")
    # Read with no await since the reload returned: the save this reload left in service.
    now = services.live.version
    reply = notices_in(context.bot_data).reload_reply(user.id, result, before, now)
    await _respond(message, reply)


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [N] (admins, in private): the N most asked questions the bot could not
    answer outright, similar ones grouped."""
    admitted = await _admin_report(update, context, "unanswered")
    if admitted is None:
        return
    message, services = admitted
    if not services.settings.keep_questions:
        await _respond(message, views.plain(views.QUESTIONS_NOT_KEPT))
        return
    limit = _number(context.args, reports.DEFAULT_LIMIT, reports.MAX_LIMIT)
    try:
        groups = await services.recorder.unanswered()
    except StoreUnavailable as exc:
        await _respond(message, views.plain(views.store_unavailable(str(exc))))
        return
    days = services.settings.retention_days
    # Each group shown gets a Teach… button; its question waits under a token with the hash of
    # the file in service, which bot.teach checks before writing (bot.teaching).
    held = teaching_in(context.bot_data)
    seen = services.live.version.sha256
    tokens = [held.hold(message.chat.id, Held(group.example, seen)) for group in groups[:limit]]
    await _respond(
        message,
        views.unanswered_reply(services.live.current.faq, groups, limit, days, tokens),
    )


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [DAYS] (admins, in private): questions per outcome and the top answers over the
    last DAYS days (default 7)."""
    admitted = await _admin_report(update, context, "stats")
    if admitted is None:
        return
    message, services = admitted
    days = _number(context.args, 7, services.settings.retention_days)
    try:
        counts = await services.recorder.stats(days)
    except StoreUnavailable as exc:
        await _respond(message, views.plain(views.store_unavailable(str(exc))))
        return
    await _respond(message, views.stats_reply(services.live.current.faq, counts))


async def _admin_report(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    command: str,
    refused: str = views.ADMIN_ONLY,
    private_only: str = views.PRIVATE_ONLY,
) -> tuple[Message, Services] | None:
    """The message and services when an admin asks in private; otherwise reply why not
    (`refused` to anyone else, `private_only` to an admin outside a private chat)."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return None
    services = get_services(context)
    if user is None or not services.settings.is_admin(user.id):
        logger.warning("Refused /%s from non-admin user %s", command, user.id if user else None)
        await _respond(message, views.plain(refused))
        return None
    if message.chat.type != Chat.PRIVATE:  # what people asked, or the FAQ's path and errors,
        await _respond(message, views.plain(private_only))  # are not for a group to read
        return None
    return message, services


def _number(args: Sequence[str] | None, default: int, most: int) -> int:
    """The command's first argument as a number from 1 to `most`, else `default`."""
    if args and args[0].isdigit() and int(args[0]) > 0:
        return min(int(args[0]), most)
    return default


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask [question]: hand a question to a person at the practice. With the question, show it
    and ask to confirm; alone, ask for it (the next message). Urgent symptoms always get the
    urgent-care reply instead; hand-off works in private chats only, where the reply goes."""
    message = update.effective_message
    if message is None:
        return
    text = _command_argument(message)
    services, handoff = get_services(context), handoff_in(context.bot_data)
    if text and await _urgent(message, text, services):
        return
    if not handoff.enabled:
        await _respond(message, views.plain(views.HANDOFF_NOT_SET_UP))
        return
    if message.chat.type != Chat.PRIVATE:
        await _respond(message, views.plain(views.HANDOFF_PRIVATE_ONLY))
        return
    if not text:
        handoff.pending.await_question(message.chat.id)
        await _respond(message, views.handoff_prompt())
        return
    await _confirm_handoff(message, text, handoff)


def _command_argument(message: Message) -> str:
    """What follows the command ("/ask@bot" too), as written, without surrounding space."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return text[entity.length:].strip()
    return text.strip()


async def _urgent(message: Message, text: str, services: Services) -> bool:
    """If `text` needs urgent care, send the urgent-care reply (and nothing else) and say so."""
    snapshot = services.live.current
    match = snapshot.matcher.match(text)
    if match.status is not Status.URGENT:
        return False
    logger.info("Reply: urgent (not handed off)")
    await _respond(message, views.match_reply(snapshot.faq, match))
    return True


async def _confirm_handoff(message: Message, text: str, handoff: Handoff) -> None:
    """Hold the question (in memory) and show what will be sent, with Send and Cancel."""
    token = handoff.pending.hold(message.chat.id, text, message.message_id)
    logger.info("Hand-off: asked to confirm")
    await _respond(message, views.handoff_confirm(text, token))


async def unknown_command(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command in a private chat."""
    if update.effective_message is not None:
        await _respond(update.effective_message, views.plain(views.UNKNOWN_COMMAND))


# -- messages -------------------------------------------------------------------------------


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message to the bot: match it and reply with the outcome's message."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = question_text(message, context.bot.username, context.bot.id)
    if not text:
        await _respond(message, views.plain(views.EMPTY_MENTION))
        return
    services, handoff = get_services(context), handoff_in(context.bot_data)
    can_hand_off = handoff.enabled and message.chat.type == Chat.PRIVATE
    if can_hand_off and handoff.pending.take_awaiting(message.chat.id):
        # the question asked for by a bare /ask
        if not await _urgent(message, text, services):
            await _confirm_handoff(message, text, handoff)
        return
    if (position := follow_up.parse_pick(text)) is not None:
        await _typed_pick(message, context, services, position)
        return  # a pick is not a question: nothing is recorded
    snapshot = services.live.current
    match = snapshot.matcher.match(text)
    logger.debug("Question %r -> %s %.1f", text, match.status.value, match.score)
    # Surely in another language with notes (never for an urgent match): the answer under a
    # note in that language, or "I understand English only" with the topics.
    foreign = language.foreign_reply(snapshot.faq, text, match)
    if foreign is not None:
        logger.info("Language: %s", foreign.language)  # the code only, never the text
        if foreign.entry is None and match.status is Status.SUGGEST:
            match = Match(Status.NONE, score=match.score)  # no list is shown: it is declined
    else:
        read = await _in_context(message, context, services, text, match, can_hand_off)
        if read is None:
            return  # sent: more on the last answer, or a message of several questions
        match = read
    logger.info(
        "Reply: %s%s", match.status.value, f" {match.entry.id}" if match.entry else ""
    )
    # A suggestion's buttons carry a random token that links the pick to the stored question
    # (with KEEP_QUESTIONS off it links to nothing, and the pick is only counted).
    token = new_token() if match.status is Status.SUGGEST else None
    # A declined question or a suggestion list can be handed to the practice's team: the text
    # is held in memory under a token that the "Ask the practice" button carries.
    ask_token = (
        handoff.pending.hold(message.chat.id, text, message.message_id)
        if can_hand_off and match.status in (Status.NONE, Status.SUGGEST) else None
    )
    reply = (
        views.foreign_reply(snapshot.faq, foreign, ask_token) if foreign is not None
        else views.match_reply(snapshot.faq, match, pick_token=token, ask_token=ask_token)
    )
    await _respond(message, reply)
    _remember(context, message.chat.id, reply, match.entry)
    kept_text = text if services.settings.keep_questions else ""
    services.recorder.record(_question(match, kept_text, token))  # returns at once


async def _in_context(
    message: Message,
    context: ContextTypes.DEFAULT_TYPE,
    services: Services,
    text: str,
    match: Match,
    can_hand_off: bool,
) -> Match | None:
    """The match to reply with, read in the chat's context (bot.context: a follow-up of the
    last answer) or part by part (bot.compound: several questions in one message); or None
    when the reply has been sent here. With no recent answer and one question, `match`."""
    snapshot = services.live.current
    chat_id = message.chat.id
    last = snapshot.faq.get(follow_up.answers_in(context.bot_data).current(chat_id) or "")
    read = follow_up.read_follow_up(snapshot.matcher, last, text, match)
    if isinstance(read, follow_up.More):
        logger.info("Reply: more on %s (%d related)", read.about.id, len(read.entries))
        reply = views.more_reply(read)
        await _respond(message, reply)
        _remember(context, chat_id, reply)
        return None  # "tell me more" asks the FAQ nothing: like a pick, it is not recorded
    if read is not None:
        logger.info("Follow-up of %s", last.id if last else None)
        return read
    parts = compound.answer_parts(snapshot.matcher, text, match)
    if parts is None or isinstance(parts, Match):  # one question, or an urgent part
        return match if parts is None else parts
    logger.info(
        "Reply: %d questions, answered %s, %d not covered", len(parts.answered) +
        len(parts.uncovered), " ".join(entry.id for entry in parts.entries), len(parts.uncovered)
    )
    uncovered = " ".join(part.text for part in parts.uncovered)
    ask_token = (
        handoff_in(context.bot_data).pending.hold(chat_id, uncovered, message.message_id)
        if can_hand_off and uncovered else None
    )
    for reply in views.parts_replies(snapshot.faq, parts, ask_token):
        await _respond(message, reply)
        _remember(context, chat_id, reply)
    follow_up.answers_in(context.bot_data).remember(chat_id, parts.entries[-1].id)
    # One record per message, as for any message: a part not covered, as the matcher decided
    # on that part alone, with that part's text (what /unanswered should show the practice,
    # grouped with the same question asked alone); else the first answer given.
    first_uncovered = parts.uncovered[0] if parts.uncovered else None
    recorded = first_uncovered or parts.answered[0]
    kept_text = recorded.text if services.settings.keep_questions else ""
    services.recorder.record(_question(recorded.match, kept_text, None))
    return None


async def _typed_pick(
    message: Message, context: ContextTypes.DEFAULT_TYPE, services: Services, position: int
) -> None:
    """A typed number or ordinal: answer that entry of the chat's last list exactly as its
    button would be, or say politely that there is nothing (or no such entry) to pick."""
    faq = services.live.current.faq
    shown = follow_up.choices_in(context.bot_data).current(message.chat.id)
    if shown is None:
        logger.info("Pick: typed with no recent list")
        await _respond(message, views.pick_without_list())
        return
    data = follow_up.pick_from(shown, position)
    if data is None:
        logger.info("Pick: typed a number not in the last list")
        await _respond(message, views.pick_out_of_range(len(shown)))
        return

    async def send(reply: Reply) -> None:
        await _respond(message, reply)

    if not await _answer_button(context, message.chat.id, faq, data, send):
        logger.info("Pick: the entry picked is no longer in the FAQ")
        await send(Reply((views.STALE_PICK,), views.topics_menu(faq).keyboard))


_CHOICE_KINDS = ("a", "A", "p", "P")


def _choices(reply: Reply) -> list[str]:
    """The callback data of a reply's entry buttons (answers and suggestions), in order."""
    if reply.keyboard is None:
        return []
    return [
        button.callback_data
        for row in reply.keyboard.inline_keyboard for button in row
        if isinstance(button.callback_data, str)
        and button.callback_data.partition(":")[0] in _CHOICE_KINDS
    ]


def _remember(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, answered: Entry | None = None
) -> None:
    """A reply was sent: its entry buttons are the chat's list to pick from by typing, and the
    entry it `answered` (if any) is the one follow-ups are read against."""
    follow_up.choices_in(context.bot_data).remember(chat_id, _choices(reply))
    if answered is not None:
        follow_up.answers_in(context.bot_data).remember(chat_id, answered.id)


async def _answer_button(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    faq: Faq,
    data: str,
    send: Callable[[Reply], Awaitable[None]],
) -> bool:
    """An answer (a:/A:) or suggestion (p:/P:) button pressed, or picked by typing its
    number: answer its entry, and note a suggestion picked on its question. False (and nothing
    sent) when `data` is neither, or its entry is no longer in the FAQ."""
    pick = views.parse_pick(data)
    token, answer = pick if pick is not None else (None, data)
    entry = views.resolve_entry(faq, answer)
    if entry is None:
        return False
    if token is None:
        logger.info("Reply: button answer %s", entry.id)
    else:
        logger.info("Reply: suggestion picked %s", entry.id)
    reply = views.answer_reply(faq, entry)
    await send(reply)
    _remember(context, chat_id, reply, entry)
    if token is not None:
        get_services(context).recorder.record_pick(token, entry.id)  # returns at once
    return True


def _question(match: Match, text: str, token: str | None) -> Question:
    """What the store gets: the outcome, and the text only where it will keep it (the store
    keeps no row for an empty text, which is how KEEP_QUESTIONS=false stores none)."""
    kept = match.status in (Status.NONE, Status.SUGGEST)
    return Question(
        outcome=match.status.value,
        text=text if kept else "",
        entry_id=match.entry.id if match.entry else None,
        suggested=tuple(s.entry.id for s in match.suggestions) if kept else (),
        token=token,
    )


async def not_text(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, locations...: ask for the question in words."""
    if update.effective_message is not None:
        await _respond(update.effective_message, views.plain(views.NOT_TEXT))


# -- buttons --------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every inline button: answers, the topics menu and its pages, stale buttons."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()  # first, so the client stops its spinner whatever happens next
    origin = query.message
    if origin is None:  # a button on an inline-mode message: ours carry URLs only
        logger.debug("Ignoring callback %r without a message", query.data)
        return
    faq = get_services(context).live.current.faq
    handoff = handoff_in(context.bot_data)
    data = query.data or ""
    kind, _, rest = data.partition(":")
    in_group = origin.chat.type in GROUP_TYPES
    reply_to = origin.message_id if in_group else None
    thread_id = (
        origin.message_thread_id
        if isinstance(origin, Message) and origin.is_topic_message else None
    )

    async def send(reply: Reply) -> None:
        await _send(context.bot, origin.chat.id, reply, reply_to=reply_to, thread_id=thread_id)

    async def show_in_place(reply: Reply) -> None:
        if isinstance(origin, InaccessibleMessage) or not isinstance(origin, Message):
            await send(reply)  # too old to edit (48 hours): send it fresh
            return
        try:
            await origin.edit_text(reply.parts[0], reply_markup=reply.keyboard)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():  # pressing the page already shown
                raise

    async def stale() -> None:
        # Button data is ours unless a client forged it: then it is whatever someone typed.
        logger.info("Stale or unknown button")
        logger.debug("Stale or unknown button data %r", data)
        await send(Reply((views.STALE_BUTTON,), views.topics_menu(faq).keyboard))

    if kind in ("a", "A") or views.parse_pick(data) is not None:
        if not await _answer_button(context, origin.chat.id, faq, data, send):
            await stale()
    elif data == "t":
        await send(views.topics_menu(faq))
    elif data == "m":
        await show_in_place(views.topics_menu(faq))
    elif kind in ("h", "hs", "hc") and not handoff.enabled:
        await stale()  # hand-off was switched off (STAFF_CHAT_ID) since the button was sent
    elif kind == "h":
        pending = handoff.pending.keep(origin.chat.id, rest)
        if pending is None:
            logger.info("Hand-off: the question is no longer held")
            await send(views.plain(views.HANDOFF_GONE))
            return
        logger.info("Hand-off: asked to confirm")
        await send(views.handoff_confirm(pending.text, rest))
    elif kind == "hs":
        await _hand_off(context.bot, query, origin, rest, handoff, send)
    elif kind == "hc":
        if rest:
            handoff.pending.take(origin.chat.id, rest)
        else:
            handoff.pending.take_awaiting(origin.chat.id)
        logger.info("Hand-off: cancelled")
        await show_in_place(views.plain(views.HANDOFF_CANCELLED))
    elif kind == "g":
        key, _, page = rest.partition(":")
        topic = views.find_topic(faq, key)
        # isdigit() alone also accepts "²" and other digits that int() refuses
        if topic is None or not (page.isascii() and page.isdigit()):
            await stale()
            return
        await show_in_place(views.topic_page(faq, topic, int(page)))
    elif kind in _TEACH_KINDS:
        await _teach_button(query, context, kind, rest, send, show_in_place)
    else:
        await stale()


# -- teaching the FAQ from /unanswered (admins) ---------------------------------------------

# Tq: Teach… (the topics, in a message of their own, so the /unanswered list and its other
# buttons stay), Tm: back to the topics, Tg: a topic's entries, Te: an entry picked (confirm),
# Ta: Add to it, Tn: Not covered (confirm), TN: Add to not_covered, Tx: Cancel. All carry the
# held question's token (bot.teaching); see bot.views for the data.
_TEACH_KINDS = ("Tq", "Tm", "Tg", "Te", "Ta", "Tn", "TN", "Tx")


async def _teach_button(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    kind: str,
    rest: str,
    send: Callable[[Reply], Awaitable[None]],
    show_in_place: Callable[[Reply], Awaitable[None]],
) -> None:
    """A button of the teach flow. Only admins: anyone else (a forged button) is refused and
    logged with their id, as for /reload."""
    user, origin = query.from_user, query.message
    services = get_services(context)
    if origin is None or not services.settings.is_admin(user.id):
        logger.warning("Refused a teach button from non-admin user %s", user.id)
        await send(views.plain(views.ADMIN_ONLY))
        return
    token, _, arg = rest.partition(":")
    requests = teaching_in(context.bot_data)
    if kind == "Tx":
        requests.take(origin.chat.id, token)
        logger.info("Teach: cancelled by admin %s", user.id)
        await show_in_place(views.plain(views.TEACH_CANCELLED))
        return
    held = requests.get(origin.chat.id, token)  # a token of another chat finds nothing
    if held is None:
        await send(views.plain(views.TEACH_GONE))
        return
    faq = services.live.current.faq
    entry = views.teach_entry(faq, arg) if kind in ("Te", "Ta") else None
    if kind in ("Te", "Ta") and entry is None:  # removed by a reload since the list was sent
        topics = views.teach_topics(faq, held.text, token)
        await send(Reply((views.TEACH_ENTRY_GONE,), topics.keyboard))
        return
    if kind == "Tq":
        await send(views.teach_topics(faq, held.text, token))
    elif kind == "Tm":
        await show_in_place(views.teach_topics(faq, held.text, token))
    elif kind == "Tg":
        key, _, page = arg.partition(":")
        topic = views.find_topic(faq, key)
        if topic is None or not (page.isascii() and page.isdigit()):
            await show_in_place(views.teach_topics(faq, held.text, token))  # topics changed
        else:
            await show_in_place(views.teach_topic_page(faq, topic, int(page), held.text, token))
    elif kind == "Te":
        assert entry is not None
        await show_in_place(views.teach_confirm(held.text, entry, token))
    elif kind == "Tn":
        await show_in_place(views.teach_not_covered_confirm(held.text, token))
    else:  # Ta, TN: write, reload, report
        await _teach(context, services, query, token, entry, send)


async def _teach(
    context: ContextTypes.DEFAULT_TYPE,
    services: Services,
    query: CallbackQuery,
    token: str,
    entry: Entry | None,
    send: Callable[[Reply], Awaitable[None]],
) -> None:
    """Add pressed: edit faq.yaml off the event loop (bot.teach), reload it, and tell the admin
    what was added and what the reload did. The question's text is logged at DEBUG only."""
    user, origin = query.from_user, query.message
    assert origin is not None
    held = teaching_in(context.bot_data).take(origin.chat.id, token)  # a second press: nothing
    if held is None:
        await send(views.plain(views.TEACH_GONE))
        return
    if isinstance(origin, Message):
        with contextlib.suppress(TelegramError):  # nothing left to press twice
            await origin.edit_reply_markup(None)
    target = entry.id if entry is not None else "not_covered"
    # The hash of the file in service when the list was sent; "" only when the bot could not
    # stat the file at start-up: then the file on disk is taken as it is.
    expected = held.sha256 or None
    try:
        if entry is not None:
            await asyncio.to_thread(
                add_alternate, services.live.path, entry.id, held.text, expected
            )
        else:
            await asyncio.to_thread(add_not_covered, services.live.path, held.text, expected)
    except TeachError as exc:
        logger.info("Teach by admin %s to %s: nothing written", user.id, target)
        logger.debug("Teach by admin %s to %s refused: %s", user.id, target, exc)
        await send(views.teach_failed(str(exc)))
        return
    logger.info("Teach: admin %s added a question to %s", user.id, target)
    logger.debug("Teach: the question added was %r", held.text)
    before = services.live.version
    result = await services.live.reload(f"teach by admin {user.id}")
    now = services.live.version  # read with no await since the reload returned, as /reload
    report = notices_in(context.bot_data).reload_reply(user.id, result, before, now)
    await send(views.teach_done(held.text, entry, report))


# -- hand-off to the practice's team --------------------------------------------------------


async def _hand_off(
    bot: Bot,
    query: CallbackQuery,
    origin: MaybeInaccessibleMessage,
    token: str,
    handoff: Handoff,
    send: Callable[[Reply], Awaitable[None]],
) -> None:
    """Send pressed: post the question to the staff chat, once, and link the post to this chat.
    Nothing about it is logged but the outcome."""
    chat_id = origin.chat.id
    pending = handoff.pending.take(chat_id, token)  # at once: a second press finds nothing
    if pending is None or handoff.staff_chat_id is None:
        logger.info("Hand-off: Send pressed for a question no longer held")
        await send(views.plain(views.HANDOFF_GONE))
        return
    if isinstance(origin, Message):
        try:  # the buttons go, so there is nothing left to press twice
            await origin.edit_reply_markup(None)
        except TelegramError as exc:
            logger.debug("Could not remove the hand-off buttons: %s", exc)
    days = handoff.retention_days
    post = views.staff_post(query.from_user.full_name, pending.text, days)
    async with handoff.posting:  # a staff reply waits until the link is stored
        try:
            posted = await _send(bot, handoff.staff_chat_id, post)
        except TelegramError as exc:  # e.g. the bot was removed from the staff chat
            logger.warning("Hand-off failed: the staff chat did not take the question: %s", exc)
            await send(views.plain(views.HANDOFF_NOT_SENT))
            return
        try:
            await handoff.link(
                [message.message_id for message in posted], chat_id, pending.message_id
            )
        except LinksUnavailable:
            posted_ok = False
        else:
            posted_ok = True
    if not posted_ok:  # logged by Handoff; tell both sides the reply cannot come back
        with contextlib.suppress(TelegramError):
            await _send(bot, handoff.staff_chat_id, views.plain(views.STAFF_UNLINKED),
                        reply_to=posted[-1].message_id)
        await send(views.plain(views.HANDOFF_UNLINKED))
        return
    logger.info("Hand-off: question posted to the staff chat")
    await send(views.plain(views.handoff_sent(days)))


async def staff_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff member replies, in the staff chat, to one of the bot's messages: if that is an
    open handed-off question, send the reply to the person who asked (quoting their question)
    and close the link; either way, tell the staff what happened."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return
    handoff = handoff_in(context.bot_data)
    original = message.reply_to_message
    try:
        async with handoff.posting:  # a question being posted has its link stored first
            link = await handoff.find(original.message_id)
    except LinksUnavailable:  # logged by Handoff
        await _respond(message, views.plain(views.STAFF_UNAVAILABLE))
        return
    if link is None:
        if handoff.expired(original.date.astimezone(UTC).date()):
            logger.info("Hand-off: staff reply to a question past its retention")
            notice = views.staff_too_old(handoff.retention_days)
        else:
            logger.info("Hand-off: staff reply to a message that is not an open question")
            notice = views.staff_not_open(handoff.retention_days)
        await _respond(message, views.plain(notice))
        return
    text = message.text or message.caption
    if not text:
        logger.info("Hand-off: staff reply without text")
        await _respond(message, views.plain(views.STAFF_TEXT_ONLY))
        return
    answer = views.staff_answer(text)
    answered = True
    try:
        await _send(context.bot, link.chat_id, answer, reply_to=link.question_message_id)
    except Forbidden:
        logger.warning("Hand-off reply not delivered: the person has blocked the bot")
        notice = views.STAFF_BLOCKED
    except BadRequest as exc:
        logger.warning("Hand-off reply not delivered: %s", exc)
        notice = views.STAFF_REFUSED
    except TelegramError as exc:  # a timeout or a 5xx: it may work in a moment
        logger.warning("Hand-off reply not delivered: the Bot API failed: %s", exc)
        notice, answered = views.STAFF_TRY_AGAIN, False
    else:
        logger.info("Hand-off: reply delivered")
        notice = views.STAFF_DELIVERED
    if answered:  # delivered, or never can be: the link goes
        with contextlib.suppress(LinksUnavailable):  # logged; purged with the rest in time
            await handoff.close_link(link)
    await _respond(message, views.plain(notice))


# -- inline mode ----------------------------------------------------------------------------


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot question, in any chat: the best answers as articles carrying the disclaimer."""
    query = update.inline_query
    if query is None:
        return
    snapshot = get_services(context).live.current
    logger.debug("Inline query %r", query.query)
    articles, button_ = views.inline_results(
        snapshot.faq, snapshot.matcher, query.query, context.bot.username
    )
    # A short cache: after a reload, people should see the new answers within a minute.
    await query.answer(articles, cache_time=30, is_personal=False, button=button_)


# -- errors ---------------------------------------------------------------------------------


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every error with its traceback (not the update: it may hold health data); the
    application keeps running. A person in a private chat gets a short apology, except after a
    timeout (the reply may have arrived) or flood control (the apology would not get through)."""
    update_id = update.update_id if isinstance(update, Update) else None
    exc = context.error
    if isinstance(exc, Forbidden):  # the person blocked the bot: nothing to do
        logger.warning("Update %s: %s", update_id, exc)
        return
    if isinstance(exc, RetryAfter):  # bot.concurrency gave up waiting: one line, no text
        logger.error(
            "Update %s: reply dropped: Telegram's flood control asked for a wait of more than "
            "%g s in %d retries", update_id, MAX_RETRY_WAIT, MAX_RETRIES,
        )
        return
    if isinstance(exc, TimedOut):
        # A send that timed out may well have been delivered (Telegram took it, the answer was
        # slow): an apology would be a second, wrong message. Nothing is retried either.
        logger.error(
            "Update %s not completed: a Bot API request timed out (it may have gone through; "
            "no apology sent): %s", update_id, exc,
        )
        return
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        # A 5xx, a timeout or a dropped connection: Telegram's side or the network's, not a bug
        # here, so one line without a traceback. The update is not retried (a send that timed
        # out may have arrived); the next update is handled as usual.
        logger.error("Update %s not completed: the Bot API failed: %s", update_id, exc)
    else:
        logger.error("Error while handling update %s", update_id, exc_info=exc)
    if not isinstance(update, Update):
        return
    message, chat = update.effective_message, update.effective_chat
    if message is not None and chat is not None and chat.type == Chat.PRIVATE:
        try:
            await context.bot.send_message(chat.id, views.ERROR_REPLY)
        except TelegramError:
            logger.warning("Could not send the error apology for update %s", update_id)
